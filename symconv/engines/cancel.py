r"""Pieces common to both sides of a dense comparison: written on neither, counted on both.

After :func:`symconv.engines.dense._merge` each side of a signature is a sum
:math:`\sum_i c_i L_i` of distinct affine layouts (pieces of a contraction:
boundary folds, pinned structured operands). A layout that occurs on both
sides with one coefficient writes the same monomials with the same
coefficient into both polynomials, so

.. math:: \sum_i c_i L_i + c\,P = \sum_j d_j R_j + c\,P
          \iff \sum_i c_i L_i = \sum_j d_j R_j

and the dense tables need only compare the rest. E.g. the centrosymmetry
theorem: with ``w`` pinned, every piece ``x[n + k]·v_ℓ(k)`` of the
correlation is a piece ``x[n + K - 1 - k']·v_ℓ(k')`` of the convolution (the
labels are centrosymmetric), so nothing is left to write.

This decides equality only: a monomial of a common piece may also be written
by another piece, and a refutation's message must show each side's whole
coefficient, so a difference in the rest is reported by comparing the full
sides (:func:`symconv.engines.dense.dense_equal` does so).

>>> from symconv.core.formula import ConvSpec, forward
>>> from symconv.engines.plan import layout
>>> a = layout(forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0])
>>> b = layout(forward(ConvSpec(input_size=(5,), kernel_size=(2,), flip=True))[0])
>>> (left, right), terms = cancel_common([[(1, a), (2, b)], [(1, a), (3, b)]])
>>> [c for c, _ in left], [c for c, _ in right], terms  # 1·a on both sides: 2 × 8 terms not written
([2], [3], 16)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np

from symconv.core.formula import Contraction
from symconv.engines.plan import Axis, Layout, boxes, choose_inner, layout

__all__ = ["cancel_common", "cancel_mirrored", "collapse_free", "count_terms", "mirror_of"]

_Sides = list[list[tuple[int, Layout]]]


@functools.lru_cache(maxsize=1024)
def count_terms(lay: Layout) -> int:
    """The in-range terms of a layout (from its boxes, without enumerating them)."""
    lo, hi, _ = boxes(lay, choose_inner(lay, lambda v: True))
    return int(np.prod(hi - lo, axis=1).sum()) if lo.shape[0] else 0


def collapse_free(lay: Layout) -> tuple[Layout, int]:
    """The layout without its loop variables that no index reads, and the number of copies of each term
    they made (their extents' product): a key written that many times is one key with that coefficient.

    >>> from symconv.engines.plan import Axis
    >>> lay = Layout((4, 3), (("", (Axis((1, 0), 0, 4),)), ("x", (Axis((1, 0), 0, 4),))))
    >>> one, times = collapse_free(lay)  # the second variable (extent 3) is read by no index
    >>> one.extents, one.arrays == lay.arrays, times
    ((4, 1), True, 3)
    """
    free = [
        j for j, e in enumerate(lay.extents) if e > 1 and all(a.coef[j] == 0 for _, axes in lay.arrays for a in axes)
    ]
    if not free:
        return lay, 1
    times = math.prod(lay.extents[j] for j in free)
    return Layout(tuple(1 if j in free else e for j, e in enumerate(lay.extents)), lay.arrays), times


def cancel_common(sides: _Sides) -> tuple[_Sides, int]:
    """Both sides without the layouts they share with one coefficient, and the terms so not written (both
    sides' copies, counted as the sort-based form counts them)."""
    left, right = sides
    common = {(c, lay) for c, lay in left} & {(c, lay) for c, lay in right}
    if not common:
        return sides, 0
    terms = 2 * sum(count_terms(lay) for _, lay in common)
    return [[p for p in left if p not in common], [p for p in right if p not in common]], terms


_Contractions = list[tuple[int, Contraction]]


def _mirrored(a: Axis, b: Axis) -> bool:
    """Whether ``b`` reads ``a`` mirrored: ``b = size - 1 - a`` (same range, same guard)."""
    return b.size == a.size and b.const == a.size - 1 - a.const and b.coef == tuple([-c for c in a.coef])


def mirror_of(lay: Layout, other: Layout, name: str) -> tuple[bool, ...] | None:
    """The axes of operand ``name`` that ``other`` reads mirrored (``size - 1 - index``) where ``lay`` reads them
    straight, when the two layouts are otherwise the same (loop box, result and every other operand); else None.

    >>> a = Layout((2,), (("", (Axis((1,), 0, 2),)), ("w", (Axis((1,), 0, 2),))))
    >>> b = Layout((2,), (("", (Axis((1,), 0, 2),)), ("w", (Axis((-1,), 1, 2),))))
    >>> mirror_of(a, b, "w"), mirror_of(a, b, "x"), mirror_of(a, a, "w")
    ((True,), None, (False,))
    """
    if lay.extents != other.extents or len(lay.arrays) != len(other.arrays):
        return None
    flips: tuple[bool, ...] | None = None
    for (s, axes), (t, oaxes) in zip(lay.arrays, other.arrays):
        if s != t or len(axes) != len(oaxes):
            return None
        if s != name:
            if axes != oaxes:
                return None
            continue
        found = []
        for a, b in zip(axes, oaxes):
            if a == b:
                found.append(False)  # read straight (a constant index that is its own mirror is read straight)
            elif _mirrored(a, b):
                found.append(True)
            else:
                return None
        flips = tuple(found)
    return flips


def _symmetric(labels: np.ndarray, flips: tuple[bool, ...]) -> int:
    """``s`` in {1, −1} with ``labels[mirror(p)] = s·labels[p]`` at EVERY entry ``p`` (mirror: the flipped axes),
    else 0. Then ``w[mirror(p)] = s·w[p]`` as polynomials (same label, sign times ``s``; 0 stays 0)."""
    mirrored = labels[tuple(slice(None, None, -1) if f else slice(None) for f in flips)].tolist()
    if mirrored == labels.tolist():
        return 1
    return -1 if mirrored == (-labels).tolist() else 0


def cancel_mirrored(
    lhs: _Contractions, rhs: _Contractions, structure: Mapping[str, np.ndarray]
) -> tuple[_Contractions, _Contractions, int] | None:
    r"""Both sides without the pairs of contractions that are equal polynomials under a ``structure``'s
    symmetry, and the terms so not written (both sides' copies); None when there is no such pair.

    A left contraction :math:`c\,\sum_v F(v)\,w[A(v)]` and a right one
    :math:`d\,\sum_v F(v)\,w[M(A(v))]` — the same loop box, result and other
    factors; ``w`` read through the mirror :math:`M` (``size − 1 − index`` on
    some axes, a bijection of ``w``'s shape, so both have the same in-range
    terms) — are equal when ``structure[w]`` satisfies
    :math:`\ell(M p) = s\,\ell(p)` at every entry ``p`` and :math:`c = s\,d`:
    term by term, :math:`w[M(A(v))] = s\,w[A(v)]` (the same label, the sign
    times ``s``). Both are dropped before any table is written (the rest is
    compared as usual). E.g. convolution against correlation with a
    centrosymmetric kernel: nothing is left.

    >>> from symconv.core.formula import ConvSpec, forward
    >>> corr = forward(ConvSpec(input_size=(5,), kernel_size=(3,)))[0]
    >>> conv = forward(ConvSpec(input_size=(5,), kernel_size=(3,), flip=True))[0]
    >>> cancel_mirrored([(1, conv)], [(1, corr)], {"w": np.array([1, 2, 1])})
    ([], [], 18)
    >>> cancel_mirrored([(1, conv)], [(1, corr)], {"w": np.array([1, 2, -1])}) is None  # not symmetric
    True
    >>> cancel_mirrored([(1, conv)], [(-1, corr)], {"w": np.array([1, 0, -1])})  # antisymmetric: c = -d
    ([], [], 18)
    """
    left = [(int(c), k, layout(k)) for c, k in lhs]
    right = [(int(c), k, layout(k)) for c, k in rhs]
    used: set[int] = set()
    keep_left: _Contractions = []
    terms = 0
    for c, k, lay in left:
        hit = None
        if c and lay is not None and _distinct(k):
            for j, (d, _, lay2) in enumerate(right):
                if j in used or not d or lay2 is None:
                    continue
                for name in [n for n, _ in lay.arrays[1:] if n in structure]:
                    flips = mirror_of(lay, lay2, name)
                    if flips is not None and any(flips):
                        s = _symmetric(np.asarray(structure[name]), flips)
                        if s and c == s * d:
                            hit = j
                            break
                if hit is not None:
                    break
        if hit is None:
            keep_left.append((c, k))
            continue
        used.add(hit)
        terms += 2 * count_terms(lay)  # type: ignore[arg-type]
    if not used:
        return None
    return keep_left, [(d, k) for j, (d, k, _) in enumerate(right) if j not in used], terms


def _distinct(c: Contraction) -> bool:
    ops = [f.operand for f in c.factors]
    return len(set(ops)) == len(ops)
