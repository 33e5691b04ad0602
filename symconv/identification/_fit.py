r"""From impulse responses to per-axis parameters: flip, stride, dilation, padding, boundary, rules.

Per axis, the coefficient tensor summed over the other axes is (for a separable operation) a
multiple of the axis' own 0/1 tensor. There, window ``m`` and tap ``j`` read one input position
``pos[m, j]``; away from the edges

.. math:: \mathrm{pos}[m, j] = s\,m + d\,\mathrm{tap}(j) - p_{lo}, \qquad
          \mathrm{tap}(j) = j \text{ (correlation) or } K-1-j \text{ (convolution)},

so the step between taps gives the flip and the dilation, the step between windows the stride,
and the rest the padding. These are only candidates: every one is then compared, coefficient by
coefficient, with symconv's own operation (:mod:`symconv.identification._candidate`), per axis with
each boundary rule, and on the whole N-D tensor.

A padding that depends on the kernel size is fitted by a rule in ``K`` (``span = d(K-1)``):
``c``, ``span + c``, ``⌊span/2⌋ + c`` or ``⌈span/2⌉ + c``, with ``c = 0`` preferred.

>>> K = KERNEL
>>> fit_rule([5, 4, 2, 3], [(2, 2), (1, 1), (0, 0), (1, 1)], 1)
floor(K/2 - 1/2)
>>> fit_rule([5, 4, 2, 3], [(4, 4), (3, 3), (1, 1), (2, 2)], 1)
K - 1
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy

from symconv.identification._candidate import BOUNDARIES, AxisParams, build, coefficients
from symconv.identification._probe import NotConvolutionError, Probed, unit
from symconv.identification._result import Evidence

__all__ = ["KERNEL", "AxisFit", "axis_evidence", "fit_axis", "fit_rule", "offset_rule", "verify"]

#: The kernel-size symbol of the padding rules.
KERNEL = sympy.Symbol("K", integer=True, positive=True)


def _where(p: Probed) -> str:
    def s(t: tuple[int, ...]) -> str:
        return str(t[0]) if len(t) == 1 else "×".join(map(str, t))

    return f"x of size {s(p.n)}, w of size {s(p.k)}"


def _ix(flat: int, shape: tuple[int, ...]) -> str:
    return ", ".join(str(int(v)) for v in np.unravel_index(flat, shape))


def _along(axis: int, nd: int) -> str:
    return "" if nd == 1 else f"along axis {axis}, "


def impulse(p: Probed, mi: int, ii: int, ji: int, decides: str, shows: str, value: str | None = None) -> Evidence:
    """Evidence from one impulse response ``fn(e_i, e_j)[m]`` (flat indices into ``p.tensor``)."""
    got = int(p.tensor[mi, ii, ji])
    return Evidence(
        decides,
        f"fn({unit(ii, p.n)}, {unit(ji, p.k)}), {_where(p)}",
        f"y[{_ix(mi, p.m)}] = {got}" + (f", {value}" if value else ""),
        shows,
    )


def _entry(p: Probed, axis: int, ma: int, ia: int | None, ja: int) -> tuple[int, int, int]:
    """A nonzero impulse response whose axis-``axis`` components are ``(ma, ia, ja)`` (``ia=None``: any)."""
    nd = len(p.n)
    t = p.tensor.reshape(p.m + p.n + p.k)
    for idx in np.argwhere(t != 0):
        if idx[axis] == ma and idx[2 * nd + axis] == ja and (ia is None or idx[nd + axis] == ia):
            mi = int(np.ravel_multi_index(tuple(idx[:nd]), p.m))
            ii = int(np.ravel_multi_index(tuple(idx[nd : 2 * nd]), p.n))
            ji = int(np.ravel_multi_index(tuple(idx[2 * nd :]), p.k))
            return mi, ii, ji
    raise AssertionError("no such entry")  # pragma: no cover - callers pick entries that exist


def marginal(p: Probed, axis: int) -> np.ndarray:
    """The axis' own 0/1 tensor ``(M_a, N_a, K_a)``: coefficients summed over the other axes, over their gcd."""
    nd = len(p.n)
    if (p.tensor < 0).any():
        mi, ii, ji = (int(v) for v in np.argwhere(p.tensor < 0)[0])
        raise NotConvolutionError(
            "a coefficient is negative: not a correlation or convolution",
            impulse(p, mi, ii, ji, "operation", "every coefficient of a correlation or convolution is 0 or 1"),
        )
    if not p.tensor.any():
        raise NotConvolutionError(
            "the output is always zero",
            Evidence("operation", f"every fn(e_i, e_j), {_where(p)}", "all zero", "fn computes nothing from x and w"),
        )
    t = p.tensor.reshape(p.m + p.n + p.k)
    keep = (axis, nd + axis, 2 * nd + axis)
    summed = t.sum(axis=tuple(i for i in range(3 * nd) if i not in keep))
    g = int(np.gcd.reduce(summed[summed != 0].ravel()))
    return summed // g


def positions(p: Probed, axis: int, ta: np.ndarray) -> np.ndarray:
    """``pos[m, j]``: the one input position window ``m``, tap ``j`` reads (−1: none)."""
    nd = len(p.n)
    counts = (ta != 0).sum(axis=1)
    bad = np.argwhere((counts > 1) | (ta.max(axis=1) > 1))
    if bad.size:
        ma, ja = (int(v) for v in bad[0])
        reads = [int(i) for i in np.flatnonzero(ta[ma, :, ja])]
        mi, ii, ji = _entry(p, axis, ma, None, ja)
        raise NotConvolutionError(
            "a kernel tap multiplies several inputs in one output: not a correlation or convolution",
            impulse(
                p,
                mi,
                ii,
                ji,
                "operation",
                f"{_along(axis, nd)}output {ma} multiplies w's tap {ja} with inputs {reads}"
                f"{' (with multiplicity)' if len(reads) == 1 else ''}; a correlation reads one input per tap",
            ),
        )
    pos = np.full(ta.shape[::2], -1, dtype=np.int64)
    for ma, ia, ja in np.argwhere(ta != 0):
        pos[ma, ja] = ia
    return pos


def _majority(votes: Counter[int]) -> int | None:
    return votes.most_common(1)[0][0] if votes else None


@dataclass(frozen=True)
class AxisFit:
    """One axis, fitted over every probed size: parameters per size, the boundary, and the evidence."""

    flip: bool | None
    stride: int | None
    dilation: int | None
    windows: tuple[AxisParams, ...]
    boundary: str | None
    boundaries: tuple[str, ...]
    evidence: tuple[Evidence, ...]


def _steps(pos: np.ndarray) -> tuple[Counter[int], Counter[int]]:
    taps: Counter[int] = Counter()
    wins: Counter[int] = Counter()
    m, k = pos.shape
    for a in range(m):
        for j in range(k):
            if pos[a, j] < 0:
                continue
            if j + 1 < k and pos[a, j + 1] >= 0:
                taps[int(pos[a, j + 1] - pos[a, j])] += 1
            if a + 1 < m and pos[a + 1, j] >= 0:
                wins[int(pos[a + 1, j] - pos[a, j])] += 1
    return taps, wins


def _agree(values: list[tuple[int, Probed]], what: str, axis: int, nd: int) -> int | None:
    seen = {v for v, _ in values}
    if len(seen) > 1:
        (v1, p1), (v2, p2) = values[0], next(t for t in values if t[0] != values[0][0])
        raise NotConvolutionError(
            f"the {what} changes with the sizes: not one correlation or convolution",
            Evidence(
                what,
                f"impulses at two sizes: {_where(p1)}; {_where(p2)}",
                f"{_along(axis, nd)}{what} {v1} at the first, {v2} at the second",
                f"a correlation's {what} does not depend on the sizes",
            ),
        )
    return values[0][0] if values else None


def fit_axis(probes: Sequence[Probed], axis: int) -> AxisFit:
    """Flip, stride, dilation and per-size padding of one axis, checked with every boundary rule."""
    nd = len(probes[0].n)
    tas = [marginal(p, axis) for p in probes]
    pos = [positions(p, axis, ta) for p, ta in zip(probes, tas)]
    taps, wins = [], []
    for p, q in zip(probes, pos):
        t, w = _steps(q)
        if (v := _majority(t)) is not None:
            taps.append((v, p))
        if (v := _majority(w)) is not None:
            wins.append((v, p))
    delta = _agree(taps, "tap step", axis, nd)
    step = _agree(wins, "window step", axis, nd)
    if delta == 0 or (step is not None and step <= 0):
        if delta == 0:
            what = "two taps of one window read the same input"
        elif step is not None and step < 0:
            what = "the windows run backwards (output n + 1 reads x before output n)"
        else:
            what = "the windows do not move (every output reads the same inputs)"
        raise NotConvolutionError(
            what,
            Evidence(
                "operation",
                f"impulses, {_where(probes[0])}",
                f"{_along(axis, nd)}{what}",
                "a correlation's taps and windows move forward through x",
            ),
        )
    flip = None if delta is None else delta < 0
    d = 1 if delta is None else abs(delta)
    s = 1 if step is None else step
    windows = []
    for q, ta in zip(pos, tas):
        ma, ka = q.shape
        na = ta.shape[1]
        lo_votes: Counter[int] = Counter()
        for a, j in np.argwhere(q >= 0):
            tap = ka - 1 - j if flip else j
            lo_votes[int(s * a + d * tap - q[a, j])] += 1
        lo = _majority(lo_votes)
        assert lo is not None
        hi = (ma - 1) * s + d * (ka - 1) + 1 - na - lo
        windows.append(AxisParams(bool(flip), s, d, lo, hi))
    matches = set(BOUNDARIES)
    first_miss: Evidence | None = None
    for p, ta, win in zip(probes, tas, windows):
        ma, na, ka = ta.shape
        ok = set()
        for mode in BOUNDARIES:
            c = build((na,), (ka,), [AxisParams(win.flip, s, d, win.lo, win.hi, mode)], m=(ma,))
            got = coefficients(c)
            if np.array_equal(got, ta):
                ok.add(mode)
            elif mode == "zeros" and first_miss is None:
                first_miss = _mismatch(p, axis, ta, got, win)
        matches &= ok
    if not matches:
        raise NotConvolutionError(
            f"{_along(axis, nd)}the windows match no correlation or convolution with any boundary rule",
            first_miss or Evidence("boundary", f"impulses, {_where(probes[0])}", "no boundary rule fits", ""),
        )
    boundary = "none" if matches == set(BOUNDARIES) else (next(iter(matches)) if len(matches) == 1 else None)
    chosen = "zeros" if boundary in ("none", None) and "zeros" in matches else sorted(matches)[0]
    windows = [AxisParams(w.flip, s, d, w.lo, w.hi, chosen) for w in windows]
    ev = axis_evidence(probes, axis, pos, windows, flip, boundary, sorted(matches))
    return AxisFit(flip, step, None if delta is None else d, tuple(windows), boundary, tuple(sorted(matches)), ev)


def _mismatch(p: Probed, axis: int, ta: np.ndarray, got: np.ndarray, win: AxisParams) -> Evidence:
    nd = len(p.n)
    ma, ia, ja = (int(v) for v in np.argwhere(ta != got)[0])
    op = "convolution" if win.flip else "correlation"
    return Evidence(
        "boundary",
        f"impulses, {_where(p)}",
        f"{_along(axis, nd)}output {ma}, input {ia}, tap {ja}: coefficient {int(ta[ma, ia, ja])}",
        f"the {op} with stride {win.stride}, dilation {win.dilation}, padding ({win.lo}, {win.hi}) "
        f"and zero padding gives {int(got[ma, ia, ja])}",
    )


def axis_evidence(
    probes: Sequence[Probed],
    axis: int,
    pos: Sequence[np.ndarray],
    windows: Sequence[AxisParams],
    flip: bool | None,
    boundary: str | None,
    matches: Sequence[str],
) -> tuple[Evidence, ...]:
    """The impulse probes that decided the flip, the stride and the boundary of one axis."""
    nd = len(probes[0].n)
    along = _along(axis, nd)
    out = []
    # flip and dilation: two neighbouring taps of one interior window
    for p, q, win in zip(probes, pos, windows):
        ma, ka = q.shape
        na = p.n[axis]
        hits = [
            (a, j)
            for a in range(ma)
            for j in range(ka - 1)
            if 0 <= q[a, j] < na
            and 0 <= q[a, j + 1] < na
            and q[a, j] == win.stride * a + win.dilation * ((ka - 1 - j) if win.flip else j) - int(win.lo)
        ]
        if hits:
            a, j = hits[len(hits) // 2]
            e1, e2 = _entry(p, axis, a, int(q[a, j]), j), _entry(p, axis, a, int(q[a, j + 1]), j + 1)
            step = int(q[a, j + 1] - q[a, j])
            word = "back" if step < 0 else "forward"
            out.append(
                Evidence(
                    "operation",
                    f"fn({unit(e1[1], p.n)}, {unit(e1[2], p.k)}) and fn({unit(e2[1], p.n)}, {unit(e2[2], p.k)}), "
                    f"{_where(p)}",
                    f"y[{_ix(e1[0], p.m)}] = 1 and y[{_ix(e2[0], p.m)}] = 1",
                    f"{along}output {a}: tap {j} reads x at {int(q[a, j])}, tap {j + 1} at {int(q[a, j + 1])} "
                    f"({abs(step)} {word}): "
                    + ("the kernel is flipped" if flip else "the kernel is not flipped")
                    + f", dilation {abs(step)}",
                )
            )
            break
    # stride: one tap in two neighbouring windows
    for p, q in zip(probes, pos):
        ma, ka = q.shape
        na = p.n[axis]
        hits = [(a, j) for a in range(ma - 1) for j in range(ka) if 0 <= q[a, j] < na and 0 <= q[a + 1, j] < na]
        if hits:
            a, j = hits[len(hits) // 2]
            out.append(
                Evidence(
                    "stride",
                    f"impulses, {_where(p)}",
                    f"{along}tap {j} reads x at {int(q[a, j])} in output {a}, at {int(q[a + 1, j])} in output {a + 1}",
                    f"stride {int(q[a + 1, j] - q[a, j])}",
                )
            )
            break
    # boundary: a read outside x (or none anywhere)
    shown = False
    for p, q, win in zip(probes, pos, windows):
        ma, ka = q.shape
        na = p.n[axis]
        for a in range(ma):
            for j in range(ka):
                at = win.stride * a + win.dilation * ((ka - 1 - j) if win.flip else j) - int(win.lo)
                if 0 <= at < na or shown:
                    continue
                read = f"x[{int(q[a, j])}]" if q[a, j] >= 0 else "nothing (zero)"
                rule = boundary if boundary else " or ".join(matches) + " (the probes cannot tell)"
                out.append(
                    Evidence(
                        "boundary",
                        f"impulses, {_where(p)}",
                        f"{along}output {a}, tap {j} reads position {at}, outside x; the function uses {read}",
                        f"boundary {rule}",
                    )
                )
                shown = True
    if not shown:
        out.append(
            Evidence(
                "boundary",
                "impulses at every probed size",
                f"{along}no output reads a position outside x",
                "the boundary never matters ('none')",
            )
        )
    return tuple(out)


def verify(probes: Sequence[Probed], fits: Sequence[AxisFit]) -> tuple[tuple[AxisParams, ...], ...]:
    """Compare the whole N-D tensor of every probe with symconv's operation; per probe the axis parameters."""
    out = []
    for idx, p in enumerate(probes):
        axes = tuple(f.windows[idx] for f in fits)
        c = build(p.n, p.k, axes, m=p.m)
        got = coefficients(c)
        if not np.array_equal(got, p.tensor):
            mi, ii, ji = (int(v) for v in np.argwhere(got != p.tensor)[0])
            scale = int(p.tensor[mi, ii, ji]) // max(int(got[mi, ii, ji]), 1)
            if scale not in (0, 1) and np.array_equal(scale * got, p.tensor):
                finding = f"{scale} times a correlation or convolution: its coefficients are {scale}, not 1"
            else:
                finding = "no one correlation or convolution of the whole array: fn mixes entries across axes"
            raise NotConvolutionError(
                finding,
                impulse(p, mi, ii, ji, "operation", f"the per-axis operation gives {int(got[mi, ii, ji])}"),
            )
        out.append(axes)
    return tuple(out)


def _bases(d: int) -> list[tuple[str, sympy.Expr]]:
    span = d * (KERNEL - 1)
    return [
        ("const", sympy.Integer(0)),
        ("span", span),
        ("floor", sympy.floor(span / 2)),
        ("ceil", sympy.ceiling(span / 2)),
    ]


def fit_rule(ks: Sequence[int], allowed: Sequence[tuple[int, int]], d: int) -> sympy.Expr | None:
    """A rule ``base(K) + c`` within ``allowed[i] = (lo, hi)`` at kernel size ``ks[i]``, for every ``i``; or None.

    ``c = 0`` is preferred (in the order constant, ``d(K-1)``, ``⌊d(K-1)/2⌋``, ``⌈d(K-1)/2⌉``);
    otherwise the first base with the smallest ``|c|``.
    """
    ranges = []
    for _, base in _bases(d):
        at = [int(base.subs(KERNEL, k)) for k in ks]
        lo = max(a - b for (a, _), b in zip(allowed, at))
        hi = min(h - b for (_, h), b in zip(allowed, at))
        ranges.append((base, lo, hi))
    for base, lo, hi in ranges:
        if lo <= 0 <= hi:
            return base
    best: tuple[int, sympy.Expr] | None = None
    for base, lo, hi in ranges:
        if lo <= hi:
            c = lo if lo > 0 else hi
            if best is None or abs(c) < abs(best[0]):
                best = (c, base + c)
    return None if best is None else best[1]


def offset_rule(lo: sympy.Expr, d: int) -> sympy.Expr:
    """Where ``y[0]`` sits in the full output: ``d(K-1) - p_lo``, with ``⌊⌋``/``⌈⌉`` kept readable.

    >>> offset_rule(sympy.floor((KERNEL - 1) / 2), 1)
    ceiling(K/2 - 1/2)
    """
    span = d * (KERNEL - 1)
    half_floor, half_ceil = sympy.floor(span / 2), sympy.ceiling(span / 2)
    for base, other in ((half_floor, half_ceil), (half_ceil, half_floor)):
        c = sympy.expand(lo - base)
        if c.is_Integer and base.has(sympy.floor, sympy.ceiling):
            return other - c
    return sympy.expand(span - lo)
