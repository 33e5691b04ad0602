r"""Structured operands on the dense path: one layout per entry of the operand, its label as a constant key.

A ``structure`` hypothesis (``symconv.engines.space``) maps the entry ``p``
of an operand ``w`` to a signed label: :math:`w[p] = \sigma(p)\, v_{\ell(p)}`
(:math:`\sigma = 0`: structurally zero). The terms of a contraction that
read ``w`` at ``p`` are the terms of the same contraction with ``w``'s index
*pinned* to ``p``; where every axis of ``w`` is ``const + c·v_j`` for its own
loop variable ``v_j`` (a kernel axis), pinning fixes those variables:

.. math:: \sum_{v} C(v) = \sum_{p} \sigma(p) \sum_{v:\ \mathrm{index}_w(v) = p} C(v)

and each inner sum is again an affine layout (the pinned variables' extent
is 1, their contribution moved into the constants) that reads the variable
:math:`v_{\ell(p)}`: ``w``'s axes are replaced by ONE axis of constant
value :math:`\ell(p) - 1` over the labels. The dense tables then see a
polynomial in the labels, with coefficient ``coef·σ(p)`` — exactly the
polynomial that the sort-based form builds term by term, so both canonical
forms agree (a label read twice with one key is detected by the dense path's
count and handed to the sort-based form, which adds the coefficients).

>>> from symconv.core.formula import ConvSpec, forward
>>> from symconv.engines.plan import layout
>>> lay = layout(forward(ConvSpec(input_size=(4,), kernel_size=(3,)))[0])
>>> pieces = pin(lay, "w", np.array([1, 2, 1]))
>>> [(s, p.extents, [a.const for a in dict(p.arrays)["w"]]) for s, p in pieces]
[(1, (2, 1), [0]), (1, (2, 1), [1]), (1, (2, 1), [0])]
>>> [s for s, _ in pin(lay, "w", np.array([1, 0, -1]))]
[1, 0, -1]
>>> [a.const for a in dict(pieces[1][1].arrays)["x"]]
[1]
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from symconv.engines.plan import Axis, Layout

__all__ = ["MAX_PIECES", "Shear", "pin", "pin_all", "pinned_axes", "shear"]

#: At most this many pinned layouts per contraction (else the sort-based form decides).
MAX_PIECES = 1 << 12


def pinned_axes(labels: np.ndarray) -> tuple[int, ...] | None:
    """The axes to pin: the fewest entries such that, with them fixed, the label is an affine function of the
    other axes with one sign (e.g. the kernel axes of a centrosymmetric weight, not its channel axes)."""
    nd = labels.ndim
    subsets = [c for r in range(nd + 1) for c in itertools.combinations(range(nd), r)]
    subsets.sort(key=lambda c: (math.prod(labels.shape[a] for a in c), len(c)))
    sign, lab = np.sign(labels), np.abs(labels) - 1
    for fixed in subsets:
        if math.prod(labels.shape[a] for a in fixed) > MAX_PIECES:
            return None
        free = [a for a in range(nd) if a not in fixed]
        one_sign = all(labels.shape[a] < 2 or not np.diff(sign, axis=a).any() for a in free)
        if one_sign and all(_constant_step(lab, a, free) for a in free):
            return fixed
    return None  # pragma: no cover - pinning every axis always qualifies (or exceeds MAX_PIECES)


def _constant_step(values: np.ndarray, axis: int, free: Sequence[int]) -> bool:
    """Whether ``values`` steps by one amount along ``axis`` over every free axis (per pinned index)."""
    if values.shape[axis] < 2:
        return True
    d = np.diff(values, axis=axis)
    first = d[tuple(slice(0, 1) if a in free else slice(None) for a in range(values.ndim))]
    return bool(np.all(d == first))


def pin(lay: Layout, name: str, labels: np.ndarray) -> list[tuple[int, Layout]] | None:
    """``(sign, layout)`` per index of the pinned axes of operand ``name`` (sign 0: structurally zero, its terms
    vanish), or None when a pinned axis is not one loop variable of its own (or there would be more than
    ``MAX_PIECES`` pieces).

    ``labels`` has ``name``'s shape: entries ``±label`` (1-based, consecutive) or 0.
    """
    a = np.array(labels, dtype=np.int64, order="C")  # not ascontiguousarray: it makes a 0-d array 1-d
    found = _pin(lay, name, a.shape, a.tobytes())  # a proof at one size repeats its pinning: remembered
    return None if found is None else list(found)


@functools.lru_cache(maxsize=256)
def _pin(lay: Layout, name: str, shape: tuple[int, ...], data: bytes) -> tuple[tuple[int, Layout], ...] | None:
    labels = np.frombuffer(data, dtype=np.int64).reshape(shape)
    axes = dict(lay.arrays)[name]
    fixed_axes = pinned_axes(labels)
    if fixed_axes is None:
        return None
    free = [a for a in range(labels.ndim) if a not in fixed_axes]
    var: list[int] = []
    for a in fixed_axes:
        moved = [j for j, c in enumerate(axes[a].coef) if c != 0]
        if len(moved) > 1:
            return None
        var.append(moved[0] if moved else -1)
    used = [j for j in var if j >= 0]
    if len(set(used)) != len(used):
        return None
    nlabels = int(np.abs(labels).max(initial=0))
    sign, lab = np.sign(labels).astype(np.int64), np.abs(labels).astype(np.int64) - 1
    out: list[tuple[int, Layout]] = []
    for idx in np.ndindex(*(labels.shape[a] for a in fixed_axes)):
        at: list[Any] = [slice(None)] * labels.ndim
        for a, i in zip(fixed_axes, idx):
            at[a] = i
        corner = tuple(0 if a in free else at[a] for a in range(labels.ndim))
        if labels.size == 0 or any(labels.shape[a] == 0 for a in free):
            continue
        fixed: dict[int, int] = {}
        ok = True
        for a, j, want in zip(fixed_axes, var, idx):
            ax = axes[a]
            if j < 0:
                ok = ax.const == want
            else:
                v, rem = divmod(want - ax.const, ax.coef[j])
                ok = rem == 0 and 0 <= v < lay.extents[j]
                fixed[j] = v
            if not ok:
                break
        if not ok:
            continue
        base = max(int(lab[corner]), 0)  # a structural zero (label -1): any label, its terms vanish
        steps = {}
        for a in free:
            one = list(corner)
            one[a] = 1
            steps[a] = int(lab[tuple(one)]) - base if labels.shape[a] > 1 and sign[corner] else 0
        piece, guards = _pinned(lay, name, fixed, base, steps, max(nlabels, 1), free)
        tight = _tighten(piece, guards)
        if tight is None:
            continue  # an empty box: no terms
        piece, guards = tight
        if not all(_vacuous(piece, g) for g in guards):
            return None  # the guard of a free axis of `name` would be lost in its label axis
        out.append((int(sign[corner]), piece))
    return tuple(out)


def _vacuous(lay: Layout, a: Axis) -> bool:
    """Whether ``0 ≤ a < size`` holds on the whole loop box of ``lay``."""
    lo, hi = a.span(lay.extents)
    return lo >= 0 and hi < a.size


def _tighten(lay: Layout, extra: Sequence[Axis] = ()) -> tuple[Layout, list[Axis]] | None:
    """``lay`` with every variable cut to the range that the axes reading it alone allow (shifted to start at 0;
    ``extra`` axes shifted alike), so that those guards hold on the whole box; None when a range is empty."""
    n = len(lay.extents)
    lo, hi = [0] * n, list(lay.extents)
    for _, axes in lay.arrays:
        for a in (*axes, *extra):
            moved = [j for j, c in enumerate(a.coef) if c != 0]
            if len(moved) != 1:
                continue
            j = moved[0]
            c = a.coef[j]
            if c > 0:  # 0 <= const + c v < size
                first, stop = -(a.const // c), (a.size - 1 - a.const) // c + 1
            else:
                first, stop = -((a.size - 1 - a.const) // -c), a.const // -c + 1
            lo[j], hi[j] = max(lo[j], first), min(hi[j], stop)
    if any(b <= a for a, b in zip(lo, hi)):
        return None

    def shift(a: Axis) -> Axis:
        return Axis(a.coef, a.const + sum(c * v for c, v in zip(a.coef, lo)), a.size)

    extents = tuple(b - a for a, b in zip(lo, hi))
    arrays = tuple((slot, tuple(shift(a) for a in axes)) for slot, axes in lay.arrays)
    return Layout(extents, arrays), [shift(a) for a in extra]


def _pinned(
    lay: Layout, name: str, fixed: Mapping[int, int], base: int, steps: Mapping[int, int], n: int, free: Sequence[int]
) -> tuple[Layout, list[Axis]]:
    """``lay`` with the variables ``fixed`` at their values and ``name`` read as ONE axis over the labels:
    ``base + Σ steps[a]·axis_a`` (0-based labels, ``n`` of them); and ``name``'s free axes (their guards)."""
    extents = tuple(1 if j in fixed else e for j, e in enumerate(lay.extents))

    def fix(a: Axis) -> Axis:
        const = a.const + sum(a.coef[j] * v for j, v in fixed.items())
        return Axis(tuple(0 if j in fixed else c for j, c in enumerate(a.coef)), const, a.size)

    arrays = []
    guards: list[Axis] = []
    for slot, axes in lay.arrays:
        new = tuple(fix(a) for a in axes)
        if slot == name:
            guards = [new[a] for a in free]
            coef = tuple(sum(st * new[a].coef[j] for a, st in steps.items()) for j in range(len(extents)))
            const = base + sum(st * new[a].const for a, st in steps.items())
            new = (Axis(coef, const, n),)
        arrays.append((slot, new))
    return Layout(extents, tuple(arrays)), guards


def pin_all(lay: Layout, structure: Mapping[str, np.ndarray]) -> list[tuple[int, Layout]] | None:
    """Every structured operand of ``lay`` pinned in turn: ``(sign, layout)`` pieces, or None (see :func:`pin`)."""
    pieces = [(1, lay)]
    for name in [s for s, _ in lay.arrays[1:] if s in structure]:
        nxt: list[tuple[int, Layout]] = []
        for sign, piece in pieces:
            sub = pin(piece, name, structure[name])
            if sub is None or len(nxt) + len(sub) > MAX_PIECES:
                return None
            nxt.extend((sign * s, p) for s, p in sub)
        pieces = nxt
    return pieces


@dataclass(frozen=True)
class Shear:
    """Slot ``slot`` read as ``slot' = slot - α·result - lo`` (per axis): a bijection of monomials for a fixed
    result position, the same on both sides, so the dense tables stay a canonical form.

    Pinned layouts lose the loop variable that told apart the entries of a
    structured operand; an input ``x = s·r + const`` then ranges over the
    whole input, but ``x - s·r`` over a kernel's width: keys ``(r, x')``
    determine the monomial and make a small table.
    """

    slot: str
    alpha: tuple[tuple[int, ...], ...]  # per axis of slot: the weight of each result axis
    lo: tuple[int, ...]
    shape: tuple[int, ...]  # of the slot (before the shear)
    rshape: tuple[int, ...]
    sheared: tuple[int, ...]  # shape of slot'

    def unshear(self, r: int, flat: int) -> int:
        """Flat position in ``slot`` of the sheared flat position ``flat`` at result position ``r``."""
        ri = np.unravel_index(r, self.rshape) if self.rshape else ()
        xi = np.unravel_index(flat, self.sheared) if self.sheared else ()
        pos = [int(x) + lo + sum(a * int(v) for a, v in zip(row, ri)) for x, lo, row in zip(xi, self.lo, self.alpha)]
        return int(np.ravel_multi_index(pos, self.shape)) if self.shape else 0


def shear(lays: Sequence[Layout], skip: Collection[str]) -> tuple[list[Layout], list[Shear]]:
    """Every slot (but the result and ``skip``) whose axes are, in every layout, an integer combination of the
    result's axes plus a constant, read sheared (:class:`Shear`)."""
    out, found = _shear(tuple(lays), frozenset(skip))  # a proof at one size repeats it: remembered
    return list(out), list(found)


@functools.lru_cache(maxsize=256)
def _shear(lays: tuple[Layout, ...], skip: frozenset[str]) -> tuple[tuple[Layout, ...], tuple[Shear, ...]]:
    if not lays:
        return lays, ()
    first = dict(lays[0].arrays)
    raxes = first[""]
    out = list(lays)
    found = []
    for slot, axes in lays[0].arrays[1:]:
        if slot in skip:
            continue
        alpha: list[tuple[int, ...] | None] = []
        for i in range(len(axes)):
            row = _fit([a.coef for a in raxes], axes[i].coef)
            ok = row is not None and any(row)
            ok = ok and all(_is_comb(dict(lay.arrays), slot, i, row or ()) for lay in lays)
            ok = ok and all(_vacuous(lay, dict(lay.arrays)[slot][i]) for lay in lays)  # no guard is lost
            alpha.append(row if ok else None)
        if all(row is None for row in alpha):
            continue
        out, lo, sizes = _apply(out, slot, alpha)
        rows = tuple(row if row is not None else (0,) * len(raxes) for row in alpha)
        found.append(Shear(slot, rows, lo, tuple(a.size for a in axes), tuple(a.size for a in raxes), sizes))
    return tuple(out), tuple(found)


def _fit(rows: Sequence[tuple[int, ...]], target: tuple[int, ...]) -> tuple[int, ...] | None:
    """Integer weights ``α`` with ``Σ α_b rows[b] = target`` exactly, or None."""
    if not rows:
        return None
    a = np.array(rows, dtype=np.float64).reshape(len(rows), len(target))
    sol = np.linalg.lstsq(a.T, np.array(target, dtype=np.float64), rcond=None)[0]
    if not np.all(np.abs(sol) < 2**20):
        return None
    guess = tuple(int(x) for x in np.rint(sol))
    ok = all(sum(g * row[j] for g, row in zip(guess, rows)) == target[j] for j in range(len(target)))
    return guess if ok else None


def _is_comb(arrays: Mapping[str, tuple[Axis, ...]], slot: str, i: int, row: tuple[int, ...]) -> bool:
    axis, raxes = arrays[slot][i], arrays[""]
    return all(sum(g * r.coef[j] for g, r in zip(row, raxes)) == c for j, c in enumerate(axis.coef))


def _apply(
    lays: Sequence[Layout], slot: str, alpha: Sequence[tuple[int, ...] | None]
) -> tuple[list[Layout], tuple[int, ...], tuple[int, ...]]:
    """The layouts with the axes of ``slot`` that have a row in ``alpha`` sheared (constant per layout), the
    lowest value per axis (0 where not sheared), and the sizes."""
    consts = []
    for lay in lays:
        arrays = dict(lay.arrays)
        consts.append(
            [
                a.const - sum(g * r.const for g, r in zip(row, arrays[""])) if row is not None else 0
                for a, row in zip(arrays[slot], alpha)
            ]
        )
    size0 = [a.size for a in dict(lays[0].arrays)[slot]]
    lo = tuple(min(col) if row is not None else 0 for col, row in zip(zip(*consts), alpha))
    sizes = tuple(max(col) - m + 1 if row is not None else n for col, m, row, n in zip(zip(*consts), lo, alpha, size0))
    out = []
    for lay, cs in zip(lays, consts):
        zero = (0,) * len(lay.extents)
        new = tuple(
            (
                s,
                tuple(
                    Axis(zero, c - m, n) if row is not None else a
                    for a, c, m, n, row in zip(axes, cs, lo, sizes, alpha)
                ),
            )
            if s == slot
            else (s, axes)
            for s, axes in lay.arrays
        )
        out.append(Layout(lay.extents, new))
    return out, lo, sizes
