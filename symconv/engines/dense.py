r"""The exact engine's linear-time canonical form: a dense table written through strided views.

The polynomial of a side, :math:`\sum_i c_i C_i`, is a map from monomials
``(result position, one position per operand)`` to integer coefficients.
Split it by *signature* (which operands a monomial reads). Within one
signature pick one slot, the *value slot* (the result or an operand); the
others form the *key* (preferably one that determines the loop point, then
the smallest table; if a key repeats, the next slot is tried). If no key
occurs twice, the map is the table

.. math:: D[k] = v - \lambda \cdot k + \mathrm{shift}
          \quad (0:\ \text{no monomial}), \qquad K[k] = \text{its coefficient}

for the monomial with key ``k`` and value-slot position ``v``. For any
integer weights λ, ``(k, v) ↦ (k, v - λ·k)`` is a bijection, so this is a
canonical form: the two sides are equal iff their tables are equal (an exact
decision, in time linear in the terms plus the table size). λ is fitted so
that ``v`` is an affine function of ``k`` where it is one (then every stored
entry is the same small integer: one-byte tables, constant fills); the shift
makes every stored entry ≥ 1. Tables are built and compared in blocks of
``BLOCK_CELLS`` cells along the largest key axis, so memory stays bounded
and the work stays in cache.

Key axes that are the same affine function of the loop variables in every
contraction of both sides (e.g. the output channel read by ``g`` and by
``w``) are stored once: on the union of both sides' monomials the shorter
key is still injective.

The table is filled without enumerating terms: for each outer point of
:func:`symconv.engines.plan.boxes` the in-range terms form a box of inner
variables, and the key of an inner point is an affine function of it with at
most one inner variable per axis, so the box is ONE strided view of ``D``
(injective: every inner variable moves some key axis). The value slot's
positions are written through it. A key written twice (two terms with one
key, even if their coefficients would add or cancel) leaves fewer non-zero
cells than terms written; that is detected by counting, and the coefficient
tables of :mod:`symconv.engines.coefficients` (key × residual → summed
coefficient) decide instead; when those would be too large too, or an operand
is read twice, the caller falls back to the sort-based canonical form.
Layouts that write the same terms in another variable order are merged first
(:mod:`symconv.engines.symmetry`), so ``A + A'`` is the one layout ``2A``.

>>> from symconv.core.formula import ConvSpec, forward
>>> from symconv.engines.space import _validate
>>> corr = forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0]
>>> conv = forward(ConvSpec(input_size=(5,), kernel_size=(2,), flip=True))[0]
>>> space = _validate("doc", [(1, corr)], [(1, conv)], None)[1]
>>> dense_equal([(1, corr)], [(1, conv)], space)[:2], dense_equal([(1, corr)], [(1, corr)], space)[:2]
((False, 16), (True, 16))
>>> dense_equal([(2, corr), (-1, corr)], [(1, corr)], space)[:2]  # one layout twice: coefficients added
(True, 24)
>>> from dataclasses import replace
>>> from symconv.core.formula import Var
>>> twice = replace(corr, variables=(*corr.variables, Var("z", 2)))  # a variable no index reads: a coefficient
>>> dense_equal([(1, twice)], [(2, corr)], space)[:2]
(True, 24)
>>> rev = replace(corr, variables=corr.variables[::-1])  # the same terms, another variable order: one layout
>>> dense_equal([(1, corr), (1, rev)], [(2, corr)], space)[:2]  # (symconv.engines.symmetry): coefficients added
(True, 24)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from symconv.core.formula import Contraction
from symconv.core.limits import current
from symconv.engines.bounds import UNCHECKED_BYTES
from symconv.engines.cancel import cancel_common, cancel_mirrored, collapse_free, count_terms
from symconv.engines.coefficients import coefficient_equal, table_cells
from symconv.engines.differences import Differences, Key, lower_bound
from symconv.engines.fill import (
    BLOCK_CELLS,
    _axes_of,
    _encoding,
    _fill,
    _fill_plan,
    _grid,
    _grid_bytes,
    _restrict,
    _scratch,
)
from symconv.engines.folds import fold_layouts
from symconv.engines.pinned import Shear, pin_all, shear
from symconv.engines.plan import Axis, Layout, layout
from symconv.engines.progress import Progress
from symconv.engines.symmetry import canonical_layout

__all__ = ["BLOCK_CELLS", "Differences", "dense_equal"]

#: The table may have at most this many cells per term (plus a constant), or the sort path is used.
CELLS_PER_TERM = 8

_Side = Sequence[tuple[int, Contraction]]


def _key_axes(
    lays: Sequence[Layout], value: str, slots: Sequence[str]
) -> tuple[list[tuple[str, int]], list[int], dict[tuple[str, int], tuple[str, int]]]:
    """Kept key axes ``(slot, axis)``, their sizes, and each dropped axis's kept twin (equal everywhere)."""
    axes = [(s, i) for s in slots if s != value for i in range(len(_axes_of(lays[0], s)))]
    kept: list[tuple[str, int]] = []
    twin: dict[tuple[str, int], tuple[str, int]] = {}
    for s, i in axes:
        for t, j in kept:
            if all(_same_map(_axes_of(lay, s)[i], _axes_of(lay, t)[j]) for lay in lays):
                twin[(s, i)] = (t, j)
                break
        else:
            kept.append((s, i))
    # small axes first: the largest loop variables then run along contiguous memory (a stable order)
    kept.sort(key=lambda si: _axes_of(lays[0], si[0])[si[1]].size)
    return kept, [_axes_of(lays[0], s)[i].size for s, i in kept], twin


def _injective(lay: Layout, kept: Sequence[tuple[str, int]]) -> bool:
    """Whether the key is a one-to-one function of the loop point (full column rank; a heuristic for the choice)."""
    big = [j for j, e in enumerate(lay.extents) if e > 1]
    if not big:
        return True
    m = np.array([[_axes_of(lay, s)[i].coef[j] for j in big] for s, i in kept], dtype=np.float64).reshape(-1, len(big))
    return bool(m.shape[0] >= len(big) and np.linalg.matrix_rank(m) == len(big))


def _same_map(a: Axis, b: Axis) -> bool:
    return a.coef == b.coef and a.const == b.const


def dense_equal(
    lhs: _Side, rhs: _Side, space: Any, progress: Progress | None = None
) -> tuple[bool, int, tuple[Key, int, int] | None] | None:
    """``(equal, terms, first)`` by dense canonical tables, or None when the sort-based form must decide.

    ``space`` is the validated variable space of ``symconv.engines.instance``;
    a ``structure`` hypothesis is read through pinned layouts
    (:mod:`symconv.engines.pinned`); a conjugate (``check_exact`` renames
    them first), repeated operand, structured operand that is not pinned by
    its own loop variables, or too large a table (dense or coefficient) returns None. ``first`` is the
    smallest differing monomial in the sorted form's order, ``(key, left
    coefficient, right coefficient)`` with ``key`` = (result position, one
    digit per operand in alphabetical order: local position + 1, 0 = absent).
    """
    bar = progress if progress is not None else Progress("check_exact", 1, enabled=False)
    cut = cancel_mirrored(list(lhs), list(rhs), space.structure) if space.structure else None
    if cut is not None:  # pairs equal under the structure's symmetry (symconv.engines.cancel): compare the rest
        rest_ = dense_equal(cut[0], cut[1], space, bar)
        if rest_ is not None and rest_[0]:
            return True, cut[2] + rest_[1], None
        bar.restart()  # a difference (or no dense form of the rest): the full sides name the first difference
    names = sorted(space.shapes)
    groups: dict[tuple[str, ...], list[list[tuple[int, Layout]]]] = {}
    zero_terms = 0
    for side_i, side in enumerate((lhs, rhs)):
        for coef, c in side:
            if int(coef) == 0:
                continue
            ops = [f.operand for f in c.factors]
            if len(set(ops)) != len(ops):
                return None
            lay = layout(c)
            folded = [lay] if lay is not None else fold_layouts(c)  # boundary folds: affine pieces
            if folded is None:
                return None
            pieces: list[tuple[int, Layout]] = []
            for one in folded:
                if any(e <= 0 for e in one.extents):
                    continue
                one, times = collapse_free(one)  # a loop variable that no index reads: a coefficient
                if times > 1:
                    zero_terms += (times - 1) * _count(one)  # its copies are counted as the sort path counts them
                pinned = pin_all(one, space.structure) if space.structure else [(1, one)]
                if pinned is None:
                    return None
                pieces.extend((sign * times, piece) for sign, piece in pinned)
            sig = tuple(sorted(ops))
            for sign, piece in pieces:
                if sign == 0:  # structurally zero: its terms are counted (as the sort-based form does), not stored
                    zero_terms += _count(piece)
                    continue
                piece = canonical_layout(_reorder(piece, sig))  # the same terms in another variable order: merged
                groups.setdefault(sig, [[], []])[side_i].append((int(coef) * sign, piece))
    merged: dict[tuple[str, ...], list[list[tuple[int, Layout]]]] = {}
    for sig, sides in groups.items():
        merged[sig], extra = _merge(sides)
        zero_terms += extra
    rest = {sig: cancel_common(sides) for sig, sides in merged.items()}
    if any(n for _, n in rest.values()):  # pieces common to both sides: compare the rest first
        common = sum(n for _, n in rest.values())
        res = _signatures({sig: s for sig, (s, _) in rest.items()}, bar, names, space)
        if res is not None and res[0]:
            return True, zero_terms + common + res[1], None
        bar.restart()  # a difference (or no dense form of the rest): the full sides name the first difference
    res = _signatures(merged, bar, names, space)
    return None if res is None else (res[0], zero_terms + res[1], res[2])


def _signatures(
    groups: dict[tuple[str, ...], list[list[tuple[int, Layout]]]], bar: Progress, names: Sequence[str], space: Any
) -> tuple[bool, int, tuple[Key, int, int] | None] | None:
    """Every signature's tables compared: ``(equal, terms, first)``, or None (see :func:`dense_equal`)."""
    equal = True
    terms = 0
    best: tuple[Key, int, int] | None = None
    for sig, sides in sorted(groups.items()):
        bound = None if best is None else best[0][0]  # a later signature need only look below it
        res = _signature_equal(sig, sides, bar, names, frozenset(space.structure), bound)
        if res is None:
            return None
        ok, n, first = res
        terms += n
        equal = equal and ok
        if first is not None and (best is None or first[0] < best[0]):
            best = first
    return equal, terms, best


def _merge(sides: list[list[tuple[int, Layout]]]) -> tuple[list[list[tuple[int, Layout]]], int]:
    """Each side with equal layouts written once, their coefficients added (A + A is 2A: a coefficient
    table, not a key written twice); and the terms so not written (counted as the sort-based form does)."""
    out = []
    extra = 0
    for side in sides:
        coefs: dict[Layout, list[int]] = {}
        for coef, lay in side:
            coefs.setdefault(lay, []).append(coef)
        kept = []
        for lay, cs in coefs.items():
            total = sum(cs)
            copies = len(cs) - 1 if total else len(cs)
            if copies:
                extra += copies * _count(lay)
            if total:
                kept.append((total, lay))
        out.append(kept)
    return out, extra


_count = count_terms


def _reorder(lay: Layout, sig: tuple[str, ...]) -> Layout:
    """The layout with its factors in signature (sorted operand) order."""
    by = dict(lay.arrays[1:])
    return Layout(lay.extents, (lay.arrays[0], *((s, by[s]) for s in sig)))


def _signature_equal(
    sig: tuple[str, ...],
    sides: list[list[tuple[int, Layout]]],
    progress: Progress,
    names: Sequence[str],
    structured: frozenset[str] = frozenset(),
    bound: int | None = None,
) -> tuple[bool, int, tuple[Key, int, int] | None] | None:
    lays = tuple(lay for side in sides for _, lay in side)
    if not lays:  # every layout cancelled
        return True, 0, None
    slots = ("", *sig)
    shears: list[Shear] = []
    if structured:  # pinned layouts: read the other slots relative to the result (a small key)
        new, shears = shear(lays, structured)
        it = iter(new)
        sides = [[(c, next(it)) for c, _ in side] for side in sides]
        lays = tuple(new)
    shapes = {s: tuple(a.size for a in _axes_of(lays[0], s)) for s in slots}
    candidates = _candidates(lays, slots, len(sides[0]))
    by_cells = sorted(candidates, key=lambda c: table_cells(lays, c[0], c[1], c[2]))  # the smallest table first
    tries = [(_compare, c) for c in candidates] + [(coefficient_equal, c) for c in by_cells]
    for how, (value, kept, ksizes, twin) in tries:  # else keys that repeat: coefficient tables
        res = how(sides, value, list(kept), list(ksizes), twin, shapes, progress, names, bound)
        if res is not None:
            ok, n, first = res
            for sh in shears:
                if first is None:
                    break
                key, cl, cr = first
                i = 1 + list(names).index(sh.slot)
                if key[i]:
                    key = (*key[:i], sh.unshear(key[0], key[i] - 1) + 1, *key[i + 1 :])
                first = key, cl, cr
            return ok, n, first
    return None


@functools.lru_cache(maxsize=256)
def _candidates(
    lays: tuple[Layout, ...], slots: tuple[str, ...], nleft: int = 0
) -> list[tuple[str, tuple[tuple[str, int], ...], tuple[int, ...], dict[tuple[str, int], tuple[str, int]]]]:
    """Value slots with their keys: a key that determines the loop point first, then the smallest table.

    Two layouts of one side (the first ``nleft`` are the left side) with the
    same loop box and the same key maps write the same cells: not injective.
    """
    found = []
    for value in slots:
        kept, ksizes, twin = _key_axes(lays, value, slots)
        injective = all(_injective(lay, kept) for lay in lays)
        for part in (lays[:nleft], lays[nleft:]):
            maps = [(lay.extents, tuple(_axes_of(lay, s)[i] for s, i in kept)) for lay in part]
            injective = injective and len(set(maps)) == len(maps)
        found.append(((not injective, math.prod(ksizes)), value, tuple(kept), tuple(ksizes), twin))
    found.sort(key=lambda t: t[0])
    return [t[1:] for t in found]


def _compare(
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
    """Both sides' tables for this value slot, block by block; None on a repeated key or too large a table.

    Once a difference is known (here, or one at result position ``bound`` in an earlier signature), a block
    whose every monomial has a larger result position (:func:`symconv.engines.differences.lower_bound`) is
    not built: it cannot hold the first difference, and the claim is refuted already (its terms are counted).
    """
    lays = [lay for side in sides for _, lay in side]
    cells = math.prod(ksizes)
    if cells == 0:  # a key axis of length 0: every monomial of the signature reads it, so there are none
        return True, 0, None
    if cells > CELLS_PER_TERM * sum(lay.terms_bound for lay in lays) + (1 << 16) or cells >= 1 << 62:
        return None
    distinct = sorted({c for side in sides for c, _ in side})
    ctype = None if len(distinct) == 1 else np.int8 if len(distinct) < 127 else np.int32
    if kept:
        # blocks along the largest key axis, moved first (contiguous blocks); the others keep their order
        big = max(range(len(kept)), key=lambda i: (ksizes[i], -i))
        kept = [kept[big], *kept[:big], *kept[big + 1 :]]
        ksizes = [ksizes[big], *ksizes[:big], *ksizes[big + 1 :]]
    lam, rlo, rhi = _encoding(lays, value, kept)
    span = rhi - rlo + 1  # stored values 1 … span (0: no monomial)
    dtype = next((t for t in (np.int8, np.int16, np.int32) if span <= np.iinfo(t).max), None)
    if dtype is None:
        return None
    shift = 1 - rlo
    rest = math.prod(ksizes[1:])
    rows = max(1, BLOCK_CELLS // rest) if kept else 1
    dstrides = np.array([math.prod(ksizes[i + 1 :]) for i in range(len(ksizes))], dtype=np.int64)
    lt = tuple(int(x) for x in lam)
    plans = [[_fill_plan(lay, value, tuple(kept), tuple(dstrides.tolist()), lt) for _, lay in side] for side in sides]
    size = min(cells, rows * rest)
    # memory before allocating: both sides' block tables and the residual grids (else the sorted form, guarded)
    nbytes = 2 * size * (np.dtype(dtype).itemsize + (np.dtype(ctype).itemsize if ctype else 0))
    nbytes += sum(_grid_bytes(fp) for plan in plans for fp in plan)
    if nbytes > UNCHECKED_BYTES and nbytes > current().memory_bytes:
        return None
    grids = [[_grid(fp) for fp in plan] for plan in plans]
    tables = [_scratch(i, size, dtype) for i in range(2)]
    ctables = [_scratch(2 + i, size, ctype) if ctype else None for i in range(2)]
    terms = 0
    equal = True
    best: tuple[Key, int, int] | None = None
    nrows = ksizes[0] if kept else 1
    starts = list(range(0, nrows, rows))

    def lower(a: int) -> int:  # no monomial of the block from row a has a smaller result position
        b = min(a + rows, nrows)
        return lower_bound(value, lam, shift, [b - a, *ksizes[1:]], a, kept, twin, shapes[""], 0, b - a)

    if kept and len(starts) > 1 and lower(starts[-1]) < lower(starts[0]):
        starts.reverse()  # the blocks in order of their lower bounds (affine in the row): a refutation stops early
    skipped: list[tuple[int, int]] = []
    for a in starts:
        b = min(a + rows, nrows) if kept else 1
        limit = bound if best is None else best[0][0] if bound is None else min(bound, best[0][0])
        if limit is not None and kept and lower(a) > limit:
            skipped.append((a, b))  # a difference was found: this block cannot hold a smaller one
            continue
        n = (b - a) * rest
        for side, plan, grid, table, ctab in zip(sides, plans, grids, tables, ctables):
            t = table[:n]
            t.fill(0)
            ct = ctab[:n] if ctab is not None else None
            if ct is not None:
                ct.fill(0)
            written = 0
            # the block's key axis 0 is shifted by -a: λ·key of the block misses λ[0]·a
            enc = (lam, shift - (int(lam[0]) * a if kept else 0))
            for (coef, lay), fp, gr in zip(side, plan, grid):
                block = _restrict(lay, kept[0], a, b) if kept and (a, b) != (0, ksizes[0]) else lay
                written += _fill(block, fp, gr, enc, distinct.index(coef) + 1, dstrides, t, ct, progress)
            if int(np.count_nonzero(t)) != written:
                return None  # some key was written twice (the sort-based form adds such coefficients)
            terms += written
        (dl, dr), (cl, cr) = (t[:n] for t in tables), (c[:n] if c is not None else None for c in ctables)
        if np.array_equal(dl, dr) and (cl is None or cr is None or np.array_equal(cl, cr)):
            continue
        equal = False
        diff = Differences((dl, cl), (dr, cr), distinct, value, kept, [b - a, *ksizes[1:]], a, twin, shapes, lam, shift)
        first = diff.first(names, limit)
        if first is not None and (best is None or first[0] < best[0]):
            best = first
    if skipped:
        terms += _skipped_terms([lay for _, lay in (*sides[0], *sides[1])], kept[0], ksizes[0], skipped, progress)
    return equal, terms, best


def _skipped_terms(
    lays: Sequence[Layout], axis: tuple[str, int], size: int, skipped: list[tuple[int, int]], progress: Progress
) -> int:
    """The terms of the blocks ``skipped`` (row ranges of key axis ``axis``), counted without writing them:
    a refutation reports the terms of both sides, as the sort-based form does."""
    runs: list[list[int]] = []
    for a, b in sorted(skipped):
        if runs and runs[-1][1] == a:
            runs[-1][1] = b
        else:
            runs.append([a, b])
    n = sum(_count(_restrict(lay, axis, a, b) if (a, b) != (0, size) else lay) for lay in lays for a, b in runs)
    progress.update(n)
    return n
