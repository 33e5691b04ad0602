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

import numpy as np

from symconv.engines.plan import Layout, boxes, choose_inner

__all__ = ["cancel_common", "collapse_free", "count_terms"]

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
