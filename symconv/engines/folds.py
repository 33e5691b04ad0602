r"""Boundary folds on the dense path: a folded index is affine on pieces of the loop box.

A padded axis reads ``fold(u)`` of its raw index ``u = const + Σ_j c_j v_j``
(``reflect``, ``replicate``, ``circular``, ``symmetric``; in range when
``-lo ≤ u < size + hi``). ``fold`` is piecewise affine in ``u``. Where ``u``
depends on one loop variable ``v_j``, the range of ``v_j`` splits into runs on
which ``fold(u)`` is affine in ``v_j`` (found by evaluating ``fold`` on that
one range, :func:`symconv.engines.terms.fold` — the same map the term
enumerator uses); where it depends on several, all but the longest are
pinned first (one piece per value). Each piece is again an affine
:class:`~symconv.engines.plan.Layout`, so the dense tables decide folds too:

.. math:: \sum_{v \in \mathrm{box}} C(v) = \sum_{\text{pieces } P} \sum_{v \in P} C_P(v)

with the pieces a partition of the in-range loop points.

>>> from symconv.core.formula import ConvSpec, forward
>>> c = forward(ConvSpec(input_size=(5,), kernel_size=(3,), pad_lo=(1,), pad_hi=(1,), padding_mode="reflect"))[0]
>>> pieces = fold_layouts(c)
>>> sum(p.terms_bound for p in pieces)  # 5 outputs × 3 taps, every one in range
15
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from symconv.core.formula import Boundary, Contraction
from symconv.engines.plan import Axis, Layout
from symconv.engines.terms import fold

__all__ = ["MAX_FOLD_PIECES", "fold_layouts"]

#: At most this many pieces per contraction (else the sort-based form decides).
MAX_FOLD_PIECES = 1 << 12

_Raw = tuple[Axis, "Boundary | None"]


def fold_layouts(c: Contraction) -> list[Layout] | None:
    """Affine layouts whose terms are exactly the in-range terms of ``c`` with their folded positions, or None
    (a conjugate, no variables, or too many pieces)."""
    if any(f.conjugate for f in c.factors) or not c.variables or not c.factors:
        return None
    names = [v.name for v in c.variables]
    extents = tuple(int(v.extent) for v in c.variables)
    if any(e <= 0 for e in extents):
        return []
    slots: list[tuple[str, list[_Raw]]] = []
    pairs = [("", c.result_index, c.result.shape, c.result_boundary)]
    pairs += [(f.operand, f.index, c.operand(f.operand).shape, f.boundary) for f in c.factors]
    for name, index, shape, bounds in pairs:
        axes: list[_Raw] = []
        for i, (a, size) in enumerate(zip(index, shape)):
            coef = tuple(int(a.coeff(n)) if e > 1 else 0 for n, e in zip(names, extents))
            b = bounds[i] if bounds is not None else None
            axes.append((Axis(coef, int(a.const), int(size)), b))
        slots.append((name, axes))
    pieces: list[tuple[tuple[int, ...], list[tuple[str, list[_Raw]]]]] = [(extents, slots)]
    # pin variables until every folded axis reads at most one
    while True:
        nxt = []
        changed = False
        for ext, sl in pieces:
            j = _to_pin(ext, sl)
            if j is None:
                nxt.append((ext, sl))
                continue
            changed = True
            for v in range(ext[j]):
                nxt.append(_fix(ext, sl, j, v))
            if len(nxt) > MAX_FOLD_PIECES:
                return None
        pieces = nxt
        if not changed:
            break
    out: list[Layout] = []
    for ext, sl in pieces:
        split = _split(ext, sl)
        if split is None:
            return None
        out.extend(split)
        if len(out) > MAX_FOLD_PIECES:
            return None
    return out


def _moved(a: Axis) -> list[int]:
    return [j for j, c in enumerate(a.coef) if c != 0]


def _to_pin(ext: tuple[int, ...], sl: Sequence[tuple[str, list[_Raw]]]) -> int | None:
    """A variable to pin: of a folded axis reading several, the one with the smallest extent."""
    for _, axes in sl:
        for a, b in axes:
            moved = _moved(a)
            if b is not None and len(moved) > 1:
                return min(moved, key=lambda j: (ext[j], j))
    return None


def _fix(
    ext: tuple[int, ...], sl: Sequence[tuple[str, list[_Raw]]], j: int, v: int
) -> tuple[tuple[int, ...], list[tuple[str, list[_Raw]]]]:
    """Variable ``j`` fixed at ``v`` (extent 1, its part moved into the constants)."""

    def f(a: Axis) -> Axis:
        return Axis(tuple(0 if i == j else c for i, c in enumerate(a.coef)), a.const + a.coef[j] * v, a.size)

    new_ext = tuple(1 if i == j else e for i, e in enumerate(ext))
    return new_ext, [(name, [(f(a), b) for a, b in axes]) for name, axes in sl]


def _split(ext: tuple[int, ...], sl: Sequence[tuple[str, list[_Raw]]]) -> list[Layout] | None:
    """The piece cut along each variable read by a folded axis into runs where every such axis is in range and
    its folded value affine; the folded axes then plain affine axes."""
    cuts: dict[int, list[tuple[int, int]]] = {}
    for j in range(len(ext)):
        folded = [(a, b) for _, axes in sl for a, b in axes if b is not None and _moved(a) == [j]]
        if not folded:
            continue
        v = np.arange(ext[j], dtype=np.int64)
        ok = np.ones(ext[j], dtype=bool)
        vals = []
        for a, bd in folded:
            u = a.const + a.coef[j] * v
            ok &= (u >= -int(bd.lo)) & (u < a.size + int(bd.hi))
            vals.append(fold(u, a.size, bd.mode))
        # a run breaks where the range starts or ends or any folded value changes its step
        brk = np.zeros(ext[j] + 1, dtype=bool)
        brk[0] = brk[-1] = True
        brk[1:-1] |= ok[1:] != ok[:-1]
        for f in vals:
            if ext[j] > 2:
                d = np.diff(f)
                brk[2:-1] |= d[1:] != d[:-1]
        edges = np.flatnonzero(brk)
        runs = [(int(s), int(e)) for s, e in itertools.pairwise(edges.tolist()) if ok[s]]
        cuts[j] = runs
    out = []
    for combo in _product([[(j, r) for r in runs] for j, runs in cuts.items()]):
        lo = [0] * len(ext)
        new_ext = list(ext)
        for j, (s, e) in combo:
            lo[j], new_ext[j] = s, e - s
        arrays = []
        for name, axes in sl:
            new = []
            for a, b in axes:
                const = a.const + sum(c * lo[i] for i, c in enumerate(a.coef))
                if b is None:
                    new.append(Axis(a.coef, const, a.size))
                    continue
                moved = _moved(a)
                if not moved:  # a constant index: in range, folded once
                    if not (-int(b.lo) <= const < a.size + int(b.hi)):
                        break
                    new.append(Axis(a.coef, int(fold(np.array([const]), a.size, b.mode)[0]), a.size))
                    continue
                j = moved[0]
                n = new_ext[j]
                u = const + a.coef[j] * np.arange(min(n, 2), dtype=np.int64)
                f = fold(u, a.size, b.mode)
                step = int(f[1] - f[0]) if n > 1 else 0
                coef = tuple(step if i == j else 0 for i in range(len(ext)))
                new.append(Axis(coef, int(f[0]), a.size))
            else:
                arrays.append((name, tuple(new)))
                continue
            break
        else:
            out.append(_normal(Layout(tuple(new_ext), tuple(arrays))))
    return out if math.prod(len(r) for r in cuts.values()) <= MAX_FOLD_PIECES else None


def _normal(lay: Layout) -> Layout:
    """Coefficients of variables of extent 1 set to 0 (as :func:`symconv.engines.plan.layout` has them)."""
    one = [e == 1 for e in lay.extents]

    def f(a: Axis) -> Axis:
        return Axis(tuple(0 if o else c for c, o in zip(a.coef, one)), a.const, a.size)

    return Layout(lay.extents, tuple((name, tuple(f(a) for a in axes)) for name, axes in lay.arrays))


def _product(choices: list[list[tuple[int, tuple[int, int]]]]) -> list[list[tuple[int, tuple[int, int]]]]:
    out: list[list[tuple[int, tuple[int, int]]]] = [[]]
    for opts in choices:
        out = [prev + [o] for prev in out for o in opts]
    return out
