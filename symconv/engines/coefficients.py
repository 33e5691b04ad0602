r"""Coefficient tables: the dense canonical form where several layouts write one key with different monomials.

The dense table of :mod:`symconv.engines.dense` stores one monomial per key
``k`` (as its residual ``v - λ·k``); when two layouts of a side write one key
(``5·corr - 7·conv`` at kernel size 2: keys ``(result, w)`` read ``x`` at
``n + k`` and at ``n + 1 - k``) it cannot. Here the residual is a table axis
too: the polynomial of a signature is the integer table

.. math:: T[\rho, k] = \sum_{\text{terms with key } k \text{ and residuals } \rho} c
          \qquad (\rho_a = v_a - \lambda_a \cdot k \text{ for each axis } a \text{ of the value slot}),

``(k, v) ↦ (k, ρ)`` a bijection of monomials onto cells, so the two sides are equal iff their
tables are equal — the exact decision of the sorted form, without sorting.
Each box of loop points is still one strided view (the residual is affine in
the inner variables too), and ``view += c`` adds the coefficients of keys
that repeat.

*When it fits.* A value axis ``a`` has its own residual
:math:`\rho_a = v_a - \lambda_a \cdot k` (``λ_a`` fitted so that it is constant where
possible), in ``[lo_a, lo_a + radix_a)``; the table has ``span = Π radix_a``
slices (e.g. 9 for a 2-D kernel of width 2 read forwards and flipped: the
flattened residual would span a whole image row). It is used only when
``span × cells`` is at most ``CELLS_PER_TERM`` (32) per term of the signature
(plus a constant; so its time stays linear in the terms) and its blocks fit the
memory limit. Entries are the smallest integer type that holds every sum: a
layout writes a cell at most once when its key determines the loop point (the
key map has full column rank, decided exactly), else at most its number of
terms ``T_i``, so a cell of a side is bounded by :math:`\sum_i |c_i| \cdot m_i`
(``m_i`` = 1 or ``T_i``); beyond int64 the sorted form (Python integers) decides.

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

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from symconv.core.limits import current
from symconv.engines.bounds import UNCHECKED_BYTES, rank
from symconv.engines.cancel import count_terms
from symconv.engines.differences import Differences, Key, lower_bound
from symconv.engines.fill import BLOCK_CELLS, _axes_of, _fill_plan, _int64, _restrict, _scratch
from symconv.engines.plan import Axis, Layout, boxes
from symconv.engines.progress import Progress

__all__ = ["CELLS_PER_TERM", "coefficient_equal", "table_cells"]

#: The table may have at most this many cells per term (plus a constant), or the sorted form decides. Measured
#: on 5·corr − 7·conv at 128², 4 → 4 channels: a cell costs ~2-3 ns (cleared, added to, compared), a sorted
#: term 150-700 ns; kernel 6×6 (24 cells per term) took 63 ns per term, its sorted form ~700.
CELLS_PER_TERM = 32

#: Bytes of one side's block (the dense blocks' memory at 4-byte entries).
TABLE_BYTES = 4 * BLOCK_CELLS


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
    bound: int | None = None,
) -> tuple[bool, int, tuple[Key, int, int] | None] | None:
    """Both sides' coefficient tables for this value slot and key, block by block: ``(equal, terms, first)``,
    or None when they do not fit (see the module docstring); ``bound`` as in ``dense._compare``."""
    lays = [lay for side in sides for _, lay in side]
    cells = math.prod(ksizes)
    if cells == 0:
        return True, 0, None
    terms_bound = sum(lay.terms_bound for lay in lays)
    top = max(sum(abs(c) * _writes(lay, tuple(kept)) for c, lay in side) for side in sides)
    dtype = next((t for t in (np.int8, np.int16, np.int32, np.int64) if top <= np.iinfo(t).max), None)
    if dtype is None:
        return None  # a sum might not fit int64: the sorted form (Python integers) decides
    if kept:  # blocks along the largest key axis, moved first
        big = max(range(len(kept)), key=lambda i: (ksizes[i], -i))
        kept = [kept[big], *kept[:big], *kept[big + 1 :]]
        ksizes = [ksizes[big], *ksizes[:big], *ksizes[big + 1 :]]
    enc = _residuals(tuple(lays), value, tuple(kept))
    if enc is None:
        return None
    lams, los, radix, lam, shift = enc
    span = math.prod(radix)
    if span * cells > CELLS_PER_TERM * terms_bound + (1 << 16) or span * cells >= 1 << 62:
        return None
    rest = math.prod(ksizes[1:])
    item = np.dtype(dtype).itemsize
    rows = max(1, TABLE_BYTES // (item * rest * span)) if kept else 1
    size = min(cells, rows * rest)
    if 2 * item * span * size > UNCHECKED_BYTES and 2 * item * span * size > current().memory_bytes:
        return None
    dstrides = np.array([math.prod(ksizes[i + 1 :]) for i in range(len(ksizes))], dtype=np.int64)
    zero = (0,) * len(kept)
    plans = [
        [(_fill_plan(lay, value, tuple(kept), tuple(dstrides.tolist()), zero), lay) for _, lay in side]
        for side in sides
    ]
    # the slice of a residual tuple ρ (mixed radix of ρ - lo) and its stored entry Σ_a st_a·ρ_a + shift
    vsizes = shapes[value]
    vst = [math.prod(vsizes[i + 1 :]) for i in range(len(vsizes))]
    flat = np.zeros(span, dtype=np.int64)
    for a in range(len(radix)):
        r_after = math.prod(radix[a + 1 :])
        digit = (np.arange(span, dtype=np.int64) // r_after) % radix[a]
        flat += (digit + los[a]) * vst[a]
    tables = [_scratch(4 + i, span * size, dtype) for i in range(2)]
    nrows = ksizes[0] if kept else 1
    terms = 0
    equal = True
    best: tuple[Key, int, int] | None = None

    def lower(a: int) -> int:  # no monomial of the block from row a has a smaller result position
        b = min(a + rows, nrows)
        return lower_bound(value, lam, shift, [b - a, *ksizes[1:]], a, kept, twin, shapes[""], 0, b - a)

    starts = list(range(0, nrows, rows))
    if kept and len(starts) > 1 and lower(starts[-1]) < lower(starts[0]):
        starts.reverse()  # blocks in order of their lower bounds: a refutation stops building early
    for a in starts:
        b = min(a + rows, nrows) if kept else 1
        limit = bound if best is None else best[0][0] if bound is None else min(bound, best[0][0])
        if limit is not None and kept and lower(a) > limit:  # cannot hold the first difference: counted only
            n_skip = sum(count_terms(_restrict(lay, kept[0], a, b)) for lay in lays)
            progress.update(n_skip)
            terms += n_skip
            continue
        n = (b - a) * rest
        for side, plan, table in zip(sides, plans, tables):
            t = table[: span * n]
            t.fill(0)
            for (coef, _), (fp, lay) in zip(side, plan):
                block = _restrict(lay, kept[0], a, b) if kept and (a, b) != (0, ksizes[0]) else lay
                move = [-lm[0] * a if kept else 0 for lm in lams]  # λ_a·key of the block misses λ_a[0]·a
                terms += _add(block, fp, value, (lams, los, radix, move), n, dstrides, coef, t, progress)
        tl, tr = (t[: span * n].reshape(span, n) for t in tables)
        if np.array_equal(tl, tr):
            continue
        equal = False
        for s in np.flatnonzero((tl != tr).any(axis=1)).tolist():
            left, right = tl[s], tr[s]
            stored = [np.where(c != 0, int(flat[s]) + shift, 0) for c in (left, right)]
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


def table_cells(
    lays: tuple[Layout, ...], value: str, kept: tuple[tuple[str, int], ...], ksizes: tuple[int, ...]
) -> int:
    """Cells of the coefficient table for this value slot and key (``span × key cells``; huge when no weight
    fits): the cost by which candidates are ordered."""
    enc = _residuals(lays, value, kept)
    return math.prod(ksizes) * (math.prod(enc[2]) if enc is not None else 1 << 62)


def _add(
    lay: Layout,
    plan: Any,
    value: str,
    enc: tuple[list[tuple[int, ...]], list[int], list[int], list[int]],
    n: int,
    dstrides: np.ndarray,
    coef: int,
    table: np.ndarray,
    progress: Progress,
) -> int:
    """Add ``coef`` at the cells ``(residual slice, key)`` of the terms of ``lay`` (one view per box); the terms.

    ``enc = (λ_a, lo_a, radix_a, move_a)`` per value axis ``a``: a term's residual ``ρ_a = v_a - λ_a·k + move_a``
    lies in ``[lo_a, lo_a + radix_a)``; its slice is the mixed-radix number of the ``ρ_a - lo_a``.
    """
    lo, hi, k0 = boxes(lay, plan.inner)
    if not lo.shape[0]:
        return 0
    lams, los, radix, move = enc
    vaxes = _axes_of(lay, value)
    keyrows = [[int(c) for c in row] for row in _key_steps(lay, plan)]
    offs = k0[:, plan.kcols] @ dstrides + lo @ plan.dcoef
    sl = np.zeros(lo.shape[0], dtype=np.int64)
    steps = [0] * len(plan.inner)
    for a, (ax, lam, low, mv) in enumerate(zip(vaxes, lams, los, move)):
        weight = math.prod(radix[a + 1 :])
        rstep = [ax.coef[j] - sum(lm * row[j] for lm, row in zip(lam, keyrows)) for j in plan.inner]
        rho = k0[:, plan.vcols[a]] - k0[:, plan.kcols] @ _int64(lam) + lo @ _int64(rstep) + (mv - low)
        sl += rho * weight
        steps = [s + r * weight for s, r in zip(steps, rstep)]
    index = sl * n + offs  # the cell of the box's first term
    counts = np.prod(hi - lo, axis=1)
    item = table.itemsize
    strides = _int64([int(r) * n + int(d) for r, d in zip(steps, plan.dcoef.tolist())]).tolist()
    for i in range(lo.shape[0]):
        shape = tuple(int(x) for x in hi[i] - lo[i])
        st = [c * item if m > 1 else 0 for c, m in zip(strides, shape)]  # a side of length 1 never moves
        view = np.ndarray(shape, table.dtype, table, int(index[i]) * item, st)
        view += coef
    progress.update(int(counts.sum()))
    return int(counts.sum())


@functools.lru_cache(maxsize=1024)
def _writes(lay: Layout, kept: tuple[tuple[str, int], ...]) -> int:
    """How often ``lay`` may write one cell: 1 when its key determines the loop point (the key map has full
    column rank over the variables of extent > 1, decided exactly), else its number of terms."""
    big = [j for j, e in enumerate(lay.extents) if e > 1]
    rows = [[_axes_of(lay, s)[i].coef[j] for j in big] for s, i in kept]
    return 1 if not big or (rows and rank(rows) == len(big)) else count_terms(lay)


def _key_steps(lay: Layout, plan: Any) -> list[tuple[int, ...]]:
    """The kept key axes' coefficients (per loop variable), from the plan's key columns."""
    axes = [a for _, arr in lay.arrays for a in arr]
    return [axes[c].coef for c in plan.kcols]


@functools.lru_cache(maxsize=256)
def _residuals(
    lays: tuple[Layout, ...], value: str, kept: tuple[tuple[str, int], ...]
) -> tuple[list[tuple[int, ...]], list[int], list[int], np.ndarray, int] | None:
    """Per value axis ``a``: integer weights ``λ_a`` fitted so that ``v_a - λ_a·key`` is constant where
    possible, and its range ``[lo_a, lo_a + radix_a)`` over every layout (Python integers: exact); then the
    flattened weights ``Σ_a st_a λ_a`` and the shift that make ``Σ_a st_a ρ_a + shift ≥ 1`` (the dense
    form's ``stored`` entry, read back by :class:`~symconv.engines.differences.Differences`). None when a
    weight is too large."""
    first = lays[0]
    keys = [_axes_of(first, s)[i] for s, i in kept]
    nv = len(first.extents)
    lams: list[tuple[int, ...]] = []
    for ax in _axes_of(first, value):
        lam = (0,) * len(kept)
        if kept:
            m = np.array([k.coef for k in keys], dtype=np.float64).reshape(len(kept), nv)
            sol = np.linalg.lstsq(m.T, np.array(ax.coef, dtype=np.float64), rcond=None)[0]
            if np.all(np.abs(sol) < 2**31):
                guess = tuple(int(x) for x in np.rint(sol))
                if all(sum(g * k.coef[j] for g, k in zip(guess, keys)) == ax.coef[j] for j in range(nv)):
                    lam = guess
        lams.append(lam)
    los, his = [], []
    for a, lam in enumerate(lams):
        lo = hi = None
        for lay in lays:
            ax = _axes_of(lay, value)[a]
            ks = [_axes_of(lay, s)[i] for s, i in kept]
            r = Axis(
                tuple(ax.coef[j] - sum(lm * k.coef[j] for lm, k in zip(lam, ks)) for j in range(len(lay.extents))),
                ax.const - sum(lm * k.const for lm, k in zip(lam, ks)),
                1,
            )
            x, y = r.span(lay.extents)
            lo, hi = (x, y) if lo is None or hi is None else (min(lo, x), max(hi, y))
        assert lo is not None and hi is not None
        los.append(lo)
        his.append(hi)
    vsizes = [a.size for a in _axes_of(first, value)]
    vst = [math.prod(vsizes[i + 1 :]) for i in range(len(vsizes))]
    flat = [sum(st * lam[i] for st, lam in zip(vst, lams)) for i in range(len(kept))]
    sizes = [k.size for k in keys]
    if any(abs(f) * max(n, 1) >= 1 << 60 for f, n in zip(flat, sizes)):
        return None
    shift = 1 - sum(st * lo for st, lo in zip(vst, los))
    return lams, los, [hi - lo + 1 for lo, hi in zip(los, his)], np.array(flat, dtype=np.int64), shift
