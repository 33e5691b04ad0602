r"""Coefficient tables: the dense canonical form where several layouts write one key with different monomials.

The dense table of :mod:`symconv.engines.dense` stores one monomial per key
``k`` (as its residual ``v - λ·k``); when two layouts of a side write one key
(``5·corr - 7·conv`` at kernel size 2: keys ``(result, w)`` read ``x`` at
``n + k`` and at ``n + 1 - k``) it cannot. Here the residual is a table axis
too: the polynomial of a signature is the integer table

.. math:: T[\rho, k] = \sum_{\text{terms with key } k \text{ and residual } \rho} c
          \qquad (\rho = v - \lambda \cdot k - r_{\min}),

a bijection of monomials onto cells, so the two sides are equal iff their
tables are equal — the exact decision of the sorted form, without sorting.
Each box of loop points is still one strided view (the residual is affine in
the inner variables too), and ``view += c`` adds the coefficients of keys
that repeat.

*When it fits.* The table has ``span × cells`` entries (``span`` residuals);
it is used only when that is at most ``CELLS_PER_TERM`` per term of the
signature (plus a constant; so its time stays linear in the terms), its
blocks fit the memory limit, and every sum is proven below :math:`2^{63}`:
a cell of a side adds at most :math:`\sum_i |c_i| \cdot T_i` (coefficient
times terms of each layout), the bound the sorted form uses
(``symconv.engines.exact._coefficient_dtype``). Otherwise the sorted form decides.

A difference is named as the sorted form names it: the smallest differing
monomial (result position first) with both sides' coefficients, read by
:class:`~symconv.engines.differences.Differences` from each residual's slice.

>>> from symconv.core.formula import ConvSpec, forward
>>> from symconv.engines.dense import dense_equal
>>> from symconv.engines.space import _validate
>>> corr = forward(ConvSpec(input_size=(6,), kernel_size=(2,)))[0]
>>> conv = forward(ConvSpec(input_size=(6,), kernel_size=(2,), flip=True))[0]
>>> lhs = [(5, corr), (-7, conv)]  # both write every key (n, w[k]): x[n + k] and x[n + 1 - k]
>>> space = _validate("doc", lhs, lhs, None)[1]
>>> dense_equal(lhs, [(5, corr), (-6, conv)], space)
(False, 40, ((0, 1, 2), -7, -6))
>>> dense_equal(lhs, [(5, conv), (-7, corr)], space)  # key (result 0, w[0], x[0]): 5 vs -7
(False, 40, ((0, 1, 1), 5, -7))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from symconv.core.limits import current
from symconv.engines.bounds import INT64_LIMIT, UNCHECKED_BYTES
from symconv.engines.cancel import count_terms
from symconv.engines.differences import Differences, Key
from symconv.engines.fill import BLOCK_CELLS, _encoding, _fill_plan, _int64, _restrict, _scratch
from symconv.engines.plan import Layout, boxes
from symconv.engines.progress import Progress

__all__ = ["coefficient_equal"]

#: Cells of one side's block (int64 entries: ``8 × BLOCK_CELLS / 4`` bytes, the dense blocks' memory).
TABLE_CELLS = BLOCK_CELLS // 4


class _Slice(Differences):
    """One residual's slice of both coefficient tables: ``left``/``right`` = (stored entry or 0, coefficient)."""

    def _coef(self, c: np.ndarray | None, cells: np.ndarray) -> np.ndarray:
        assert c is not None
        return c[cells].astype(object)


def coefficient_equal(
    sides: list[list[tuple[int, Layout]]],
    value: str,
    kept: list[tuple[str, int]],
    ksizes: list[int],
    twin: dict[tuple[str, int], tuple[str, int]],
    shapes: dict[str, tuple[int, ...]],
    progress: Progress,
    names: Sequence[str],
    cells_per_term: int,
    bound: int | None = None,
) -> tuple[bool, int, tuple[Key, int, int] | None] | None:
    """Both sides' coefficient tables for this value slot and key, block by block: ``(equal, terms, first)``,
    or None when they do not fit (see the module docstring); ``bound`` as in ``dense._compare``."""
    lays = [lay for side in sides for _, lay in side]
    cells = math.prod(ksizes)
    if cells == 0:
        return True, 0, None
    terms_bound = sum(lay.terms_bound for lay in lays)
    if any(sum(abs(c) * count_terms(lay) for c, lay in side) >= INT64_LIMIT for side in sides):
        return None  # a sum might not fit int64
    if kept:  # blocks along the largest key axis, moved first
        big = max(range(len(kept)), key=lambda i: (ksizes[i], -i))
        kept = [kept[big], *kept[:big], *kept[big + 1 :]]
        ksizes = [ksizes[big], *ksizes[:big], *ksizes[big + 1 :]]
    lam, rlo, rhi = _encoding(lays, value, kept)
    span = rhi - rlo + 1
    if span * cells > cells_per_term * terms_bound + (1 << 16) or span * cells >= 1 << 62:
        return None
    shift = 1 - rlo
    rest = math.prod(ksizes[1:])
    rows = max(1, TABLE_CELLS // (rest * span)) if kept else 1
    size = min(cells, rows * rest)
    if 2 * 8 * span * size > UNCHECKED_BYTES and 2 * 8 * span * size > current().memory_bytes:
        return None
    dstrides = np.array([math.prod(ksizes[i + 1 :]) for i in range(len(ksizes))], dtype=np.int64)
    lt = tuple(int(x) for x in lam)
    plans = [[_fill_plan(lay, value, tuple(kept), tuple(dstrides.tolist()), lt) for _, lay in side] for side in sides]
    tables = [_scratch(4 + i, span * size, np.int64) for i in range(2)]
    nrows = ksizes[0] if kept else 1
    terms = 0
    equal = True
    best: tuple[Key, int, int] | None = None
    for a in range(0, nrows, rows):
        b = min(a + rows, nrows) if kept else 1
        n = (b - a) * rest
        for side, plan, table in zip(sides, plans, tables):
            t = table[: span * n]
            t.fill(0)
            base = shift - (int(lam[0]) * a if kept else 0)
            for (coef, lay), fp in zip(side, plan):
                block = _restrict(lay, kept[0], a, b) if kept and (a, b) != (0, ksizes[0]) else lay
                terms += _add(block, fp, (lam, base), n, dstrides, coef, t, progress)
        tl, tr = (t[: span * n].reshape(span, n) for t in tables)
        if np.array_equal(tl, tr):
            continue
        equal = False
        limit = bound if best is None else best[0][0] if bound is None else min(bound, best[0][0])
        for s in np.flatnonzero((tl != tr).any(axis=1)).tolist():
            left, right = tl[s], tr[s]
            stored = [np.where(c != 0, s + 1, 0) for c in (left, right)]
            diff = _Slice(
                (stored[0], left),
                (stored[1], right),
                [],
                value,
                kept,
                [b - a, *ksizes[1:]],
                a,
                twin,
                shapes,
                lam,
                shift,
            )
            first = diff.first(names, limit)
            if first is not None and (best is None or first[0] < best[0]):
                best = first
                limit = first[0][0] if limit is None else min(limit, first[0][0])
    return equal, terms, best


def _add(
    lay: Layout,
    plan: Any,
    enc: tuple[np.ndarray, int],
    n: int,
    dstrides: np.ndarray,
    coef: int,
    table: np.ndarray,
    progress: Progress,
) -> int:
    """Add ``coef`` at the cells ``(residual, key)`` of the terms of ``lay`` (one view per box); the terms.

    ``enc = (λ, base)`` as in ``symconv.engines.fill._fill``: a term's stored entry ``v - λ·k + base`` is
    ``1 …`` its slice's number.
    """
    lo, hi, k0 = boxes(lay, plan.inner)
    if not lo.shape[0]:
        return 0
    lam, base = enc
    offs = k0[:, plan.kcols] @ dstrides + lo @ plan.dcoef
    stored = base + k0[:, plan.vcols] @ plan.vstrides - k0[:, plan.kcols] @ lam + lo @ plan.rcoef
    index = (stored - 1) * n + offs  # stored entries are 1 … span: the cell of the box's first term
    counts = np.prod(hi - lo, axis=1)
    item = table.itemsize
    steps = _int64([int(r) * n + int(d) for r, d in zip(plan.rcoef.tolist(), plan.dcoef.tolist())]).tolist()
    for i in range(lo.shape[0]):
        shape = tuple(int(x) for x in hi[i] - lo[i])
        st = [c * item if m > 1 else 0 for c, m in zip(steps, shape)]  # a side of length 1 never moves
        view = np.ndarray(shape, table.dtype, table, int(index[i]) * item, st)
        view += coef
    progress.update(int(counts.sum()))
    return int(counts.sum())
