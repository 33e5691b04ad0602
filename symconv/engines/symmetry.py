r"""One layout per set of terms: a canonical form of a layout under renaming and reflecting its loop variables.

A :class:`~symconv.engines.plan.Layout` writes the terms of its loop box
:math:`\prod_j [0, E_j)`. A permutation :math:`\pi` of the loop variables of
equal extents, and a reflection :math:`v_j \mapsto E_j - 1 - v_j` of one of
them, are bijections of the box onto itself; the layout read through one
writes the same multiset of terms:

.. math:: \mathrm{const}_a + \sum_j c_{a,j} v_j
          = \big(\mathrm{const}_a + c_{a,j}(E_j - 1)\big) + \sum_{i \ne j} c_{a,i} v_i - c_{a,j} v'_j .

:func:`canonical_layout` picks one representative of each orbit: every
variable of extent 1 dropped (it only takes the value 0), each column
``(c_{a,j})_a`` reflected so that its first non-zero entry is positive (a
column is negated by its own reflection only), then the columns sorted by
``(extent, column)`` (equal keys are equal columns, whose order does not
matter). Two layouts with the same canonical form write provably the same
terms, so :func:`symconv.engines.dense.dense_equal` adds their coefficients
(``A + A'`` is ``2A``, a coefficient, not a key written twice). Layouts in
different orbits may still write the same terms; they are merely not merged.

>>> from symconv.engines.plan import Axis
>>> a = Layout((3, 2), (("", (Axis((1, 0), 0, 3),)), ("x", (Axis((1, 1), 0, 4),)), ("w", (Axis((0, 1), 0, 2),))))
>>> b = Layout((2, 3), (("", (Axis((0, 1), 0, 3),)), ("x", (Axis((1, 1), 0, 4),)), ("w", (Axis((1, 0), 0, 2),))))
>>> canonical_layout(a) == canonical_layout(b)  # the loop variables swapped: the same terms
True
>>> c = Layout((3, 2), (("", (Axis((1, 0), 0, 3),)), ("x", (Axis((1, -1), 1, 4),)), ("w", (Axis((0, -1), 1, 2),))))
>>> canonical_layout(c) == canonical_layout(a)  # the tap reflected, k -> 1 - k: the same terms
True
>>> d = Layout((3, 2), (("", (Axis((1, 0), 0, 3),)), ("x", (Axis((1, -1), 1, 4),)), ("w", (Axis((0, 1), 0, 2),))))
>>> canonical_layout(d) == canonical_layout(a)  # a convolution: other terms
False
"""

from __future__ import annotations

import functools

from symconv.engines.plan import Axis, Layout

__all__ = ["canonical_layout"]


@functools.lru_cache(maxsize=4096)
def canonical_layout(lay: Layout) -> Layout:
    """The representative of ``lay``'s orbit under permutations and reflections of its loop variables."""
    axes = [a for _, arr in lay.arrays for a in arr]
    consts = [a.const for a in axes]
    columns: list[tuple[int, tuple[int, ...]]] = []
    for j, e in enumerate(lay.extents):
        if e <= 1:
            continue  # a variable of extent 1 is 0: its coefficients do not matter
        col = tuple(a.coef[j] for a in axes)
        lead = next((c for c in col if c), 0)
        if lead < 0:  # v -> E - 1 - v: the column negated, its (E - 1)-multiple moved into the constants
            consts = [k + c * (e - 1) for k, c in zip(consts, col)]
            col = tuple(-c for c in col)
        columns.append((e, col))
    columns.sort()
    if not columns:
        columns = [(1, (0,) * len(axes))]
    extents = tuple(e for e, _ in columns)
    out = []
    i = 0
    for name, arr in lay.arrays:
        new = []
        for a in arr:
            new.append(Axis(tuple(col[i] for _, col in columns), consts[i], a.size))
            i += 1
        out.append((name, tuple(new)))
    return Layout(extents, tuple(out))
