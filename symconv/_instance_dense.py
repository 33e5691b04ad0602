r"""The exact engine's linear-time canonical form: a dense table written through strided views.

The polynomial of a side, :math:`\sum_i c_i C_i`, is a map from monomials
``(result position, one position per operand)`` to integer coefficients.
Split it by *signature* (which operands a monomial reads). Within one
signature pick one slot, the *value slot* (the result or an operand); the
others form the *key* (preferably one that determines the loop point, then
the smallest table; if a key repeats, the next slot is tried). If no key
occurs twice, the map is the table

.. math:: D[\mathrm{key}] = 1 + \mathrm{position\ of\ the\ value\ slot}
          \quad (0:\ \text{no monomial}), \qquad K[\mathrm{key}] = \text{its coefficient}

— a canonical form, so the two sides are equal iff their tables are equal
(an exact decision, in time linear in the terms plus the table size).

Key axes that are the same affine function of the loop variables in every
contraction of both sides (e.g. the output channel read by ``g`` and by
``w``) are stored once: on the union of both sides' monomials the shorter
key is still injective.

The table is filled without enumerating terms: for each outer point of
:func:`symconv._instance_plan.boxes` the in-range terms form a box of inner
variables, and the key of an inner point is an affine function of it with at
most one inner variable per axis, so the box is ONE strided view of ``D``
(injective: every inner variable moves some key axis). The value slot's
positions are written through it. A key written twice (two terms with one
key, even if their coefficients would add or cancel) leaves fewer non-zero
cells than terms written; that is detected by counting, and the caller falls
back to the sort-based canonical form, as it does when the table would be
too large or the contraction has boundary folds, conjugates or structure.

>>> from symconv._formula import ConvSpec, forward
>>> from symconv._instance import _validate
>>> corr = forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0]
>>> conv = forward(ConvSpec(input_size=(5,), kernel_size=(2,), flip=True))[0]
>>> space = _validate("doc", [(1, corr)], [(1, conv)], None)[1]
>>> dense_equal([(1, corr)], [(1, conv)], space)[:2], dense_equal([(1, corr)], [(1, corr)], space)[:2]
((False, 16), (True, 16))
>>> dense_equal([(2, corr), (-1, corr)], [(1, corr)], space) is None  # a key twice: fall back
True
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from symconv._formula import Contraction
from symconv._instance_plan import Axis, Layout, boxes, choose_inner, layout
from symconv._progress import Progress

__all__ = ["MAX_TABLE_BYTES", "Differences", "dense_equal"]

#: Upper bound on the bytes of the two tables of one signature (beyond it: the sort path, in blocks).
MAX_TABLE_BYTES = 8 << 30

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


def _axes_of(lay: Layout, slot: str) -> tuple[Axis, ...]:
    for name, axes in lay.arrays:
        if name == slot:
            return axes
    raise KeyError(slot)


def _fill(
    lay: Layout,
    coef_index: int,
    value: str,
    kept: Sequence[tuple[str, int]],
    dstrides: Sequence[int],
    table: np.ndarray,
    coefs: np.ndarray | None,
    progress: Progress,
) -> int:
    """Write one contraction's terms into ``table`` (and ``coefs``); returns the number of terms."""
    key_rows = [_axes_of(lay, s)[i].coef for s, i in kept]
    inner = choose_inner(lay, lambda j: any(row[j] != 0 for row in key_rows))
    names = [n for n, _ in lay.arrays]
    first_axis = np.cumsum([0] + [len(axes) for _, axes in lay.arrays])
    vaxes = _axes_of(lay, value)
    vsizes = [a.size for a in vaxes]
    vstrides = [math.prod(vsizes[i + 1 :]) for i in range(len(vsizes))]
    # value position at an inner point u: vbase + Σ_j vcoef[j] u_j; table offset: off + Σ_j dcoef[j] u_j
    vcoef = np.array([sum(a.coef[j] * st for a, st in zip(vaxes, vstrides)) for j in inner], dtype=np.int64)
    dcoef = np.array(
        [sum(_axes_of(lay, s)[i].coef[j] * st for (s, i), st in zip(kept, dstrides)) for j in inner], dtype=np.int64
    )
    lo, hi, k0 = boxes(lay, inner)
    kcols = [int(first_axis[names.index(s)]) + i for s, i in kept]
    vcols = list(range(int(first_axis[names.index(value)]), int(first_axis[names.index(value)]) + len(vaxes)))
    offs = k0[:, kcols] @ np.array(dstrides, dtype=np.int64) + lo @ dcoef
    vbases = 1 + k0[:, vcols] @ np.array(vstrides, dtype=np.int64) + lo @ vcoef
    counts = np.prod(hi - lo, axis=1)
    # the value's inner part over the whole inner box, built once (broadcast along variables it does not read)
    full = [lay.extents[j] for j in inner]
    grid = np.zeros([e if c else 1 for e, c in zip(full, vcoef)], dtype=np.int64)
    for d, (c, e) in enumerate(zip(vcoef.tolist(), full)):
        if c:
            step = [1] * len(full)
            step[d] = e
            grid += (np.arange(e, dtype=np.int64) * c).reshape(step)
    item = table.itemsize
    dst = [int(c) * item for c in dcoef]
    cst = [int(c) * coefs.itemsize for c in dcoef] if coefs is not None else []
    for b in range(lo.shape[0]):
        shape = tuple(int(x) for x in hi[b] - lo[b])
        off = int(offs[b])
        view = np.ndarray(shape, table.dtype, table, off * item, dst)
        sub = grid[tuple(slice(0, n) if c else slice(None) for n, c in zip(shape, vcoef.tolist()))]
        np.add(sub, int(vbases[b]), out=view, casting="unsafe")
        if coefs is not None:
            np.ndarray(shape, coefs.dtype, coefs, off * coefs.itemsize, cst)[...] = coef_index
        progress.update(int(counts[b]))
    return int(counts.sum())


@dataclass(frozen=True)
class Differences:
    """Both sides' tables of one signature, read back as monomials where they differ."""

    left: tuple[np.ndarray, np.ndarray | None]
    right: tuple[np.ndarray, np.ndarray | None]
    coefs: list[int]  # coefficient-table entry e means coefs[e - 1]; no table: coefs[0]
    value: str
    kept: list[tuple[str, int]]
    ksizes: list[int]
    twin: dict[tuple[str, int], tuple[str, int]]
    shapes: dict[str, tuple[int, ...]]  # per slot ("" = the result)

    def _coef(self, c: np.ndarray | None, cells: np.ndarray) -> np.ndarray:
        table = np.asarray(self.coefs, dtype=np.int64)
        return np.full(cells.size, table[0]) if c is None else table[c[cells].astype(np.int64) - 1]

    def monomials(self, chunk: int = 1 << 20) -> Iterator[tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]]:
        """Per chunk of cells: flat positions per slot of the differing monomials, their left and right coefficients."""
        (dl, cl), (dr, cr) = self.left, self.right
        for start in range(0, dl.size, chunk):
            sl = slice(start, start + chunk)
            diff = dl[sl] != dr[sl]
            if cl is not None and cr is not None:
                diff |= cl[sl] != cr[sl]
            cells = np.flatnonzero(diff) + start
            if not cells.size:
                continue
            vl, vr = dl[cells].astype(np.int64), dr[cells].astype(np.int64)
            kl, kr = self._coef(cl, cells), self._coef(cr, cells)
            # the left monomial of a cell (if any): its right coefficient is 0 unless the right holds it too
            a = vl != 0
            ca, va = cells[a], vl[a]
            left_a, right_a = kl[a], np.where(vr[a] == va, kr[a], 0)
            # a right monomial that the left does not hold
            b = (vr != 0) & (vr != vl)
            cb, vb = cells[b], vr[b]
            cells_all = np.concatenate([ca, cb])
            values = np.concatenate([va, vb]) - 1
            left = np.concatenate([left_a, np.zeros(cb.size, np.int64)])
            right = np.concatenate([right_a, kr[b]])
            keyvals = np.unravel_index(cells_all, self.ksizes) if self.ksizes else ()
            at = {k: keyvals[i] for i, k in enumerate(self.kept)}
            positions = {}
            for slot, shape in self.shapes.items():
                if slot == self.value:
                    positions[slot] = values
                    continue
                axes = [at[(slot, i)] if (slot, i) in at else at[self.twin[(slot, i)]] for i in range(len(shape))]
                positions[slot] = np.ravel_multi_index(axes, shape) if shape else np.zeros(cells_all.size, np.int64)
            yield positions, left, right


def dense_equal(
    lhs: _Side, rhs: _Side, space: Any, progress: Progress | None = None
) -> tuple[bool, int, list[Differences]] | None:
    """``(equal, terms, tables)`` by dense canonical tables, or None when the sort-based form must decide.

    ``space`` is the validated variable space of ``symconv._instance``; any
    ``structure`` hypothesis, boundary fold, conjugate, repeated operand, key
    written twice, or too large a table returns None. ``tables`` (one
    :class:`Differences` per signature) lists the monomials where the sides
    differ.
    """
    if space.structure:
        return None
    bar = progress if progress is not None else Progress("check_exact", 1, enabled=False)
    groups: dict[tuple[str, ...], list[list[tuple[int, Layout]]]] = {}
    for side_i, side in enumerate((lhs, rhs)):
        for coef, c in side:
            if int(coef) == 0:
                continue
            ops = [f.operand for f in c.factors]
            if len(set(ops)) != len(ops):
                return None
            lay = layout(c)
            if lay is None:
                return None
            if any(e <= 0 for e in lay.extents):
                continue
            sig = tuple(sorted(ops))
            groups.setdefault(sig, [[], []])[side_i].append((int(coef), _reorder(lay, sig)))
    equal = True
    terms = 0
    found = []
    for sig, sides in sorted(groups.items()):
        res = _signature_equal(sig, sides, bar)
        if res is None:
            return None
        ok, n, diff = res
        terms += n
        equal = equal and ok
        if not ok:
            found.append(diff)
    return equal, terms, found


def _reorder(lay: Layout, sig: tuple[str, ...]) -> Layout:
    """The layout with its factors in signature (sorted operand) order."""
    by = dict(lay.arrays[1:])
    return Layout(lay.extents, (lay.arrays[0], *((s, by[s]) for s in sig)))


def _signature_equal(
    sig: tuple[str, ...], sides: list[list[tuple[int, Layout]]], progress: Progress
) -> tuple[bool, int, Differences] | None:
    lays = [lay for side in sides for _, lay in side]
    slots = ["", *sig]
    candidates = []
    for value in slots:
        kept, ksizes, twin = _key_axes(lays, value, slots)
        injective = all(_injective(lay, kept) for lay in lays)
        candidates.append((not injective, math.prod(ksizes), value, kept, ksizes, twin))
    # a key that determines the loop point first (no repeated keys expected), then the smallest table;
    # when a key repeats after all, the next value slot is tried
    for _, _, value, kept, ksizes, twin in sorted(candidates, key=lambda t: t[:2]):
        tables = _tables(sides, value, kept, ksizes, progress)
        if tables is None:
            continue
        (dl, cl), (dr, cr), terms, coefs = tables
        # with one coefficient in all (no coefficient tables) the value tables alone decide
        ok = _equal(dl, dr) and (cl is None or cr is None or _equal(cl, cr))
        shapes = {s: tuple(a.size for a in _axes_of(lays[0], s)) for s in slots}
        return ok, terms, Differences((dl, cl), (dr, cr), coefs, value, kept, ksizes, twin, shapes)
    return None


def _tables(
    sides: list[list[tuple[int, Layout]]],
    value: str,
    kept: Sequence[tuple[str, int]],
    ksizes: Sequence[int],
    progress: Progress,
) -> tuple[tuple[np.ndarray, np.ndarray | None], tuple[np.ndarray, np.ndarray | None], int, list[int]] | None:
    """Both sides' tables for this value slot and the coefficients, or None (a repeated key, too large a table)."""
    lays = [lay for side in sides for _, lay in side]
    vsize = math.prod(a.size for a in _axes_of(lays[0], value))
    if vsize + 1 > np.iinfo(np.int32).max:
        return None
    dtype = np.int16 if vsize + 1 <= np.iinfo(np.int16).max else np.int32
    distinct = sorted({c for side in sides for c, _ in side})
    ctype = None if len(distinct) == 1 else np.int8 if len(distinct) < 127 else np.int32
    per_cell = np.dtype(dtype).itemsize + (np.dtype(ctype).itemsize if ctype else 0)
    cells = math.prod(ksizes)
    if cells > CELLS_PER_TERM * sum(lay.terms_bound for lay in lays) + (1 << 16):
        return None
    if 2 * cells * per_cell > MAX_TABLE_BYTES:
        return None
    dstrides = [math.prod(ksizes[i + 1 :]) for i in range(len(ksizes))]
    out = []
    terms = 0
    for side in sides:
        table = np.zeros(cells, dtype=dtype)
        coefs = np.zeros(cells, dtype=ctype) if ctype else None
        written = 0
        for coef, lay in side:
            written += _fill(lay, distinct.index(coef) + 1, value, kept, dstrides, table, coefs, progress)
        if int(np.count_nonzero(table)) != written:
            return None  # some key was written twice (the sort-based form adds such coefficients)
        out.append((table, coefs))
        terms += written
    return out[0], out[1], terms, distinct


def _equal(a: np.ndarray, b: np.ndarray, chunk: int = 1 << 18) -> bool:
    """``array_equal`` in cache-sized pieces (no table-sized temporary), stopping at the first difference."""
    return all(np.array_equal(a[i : i + chunk], b[i : i + chunk]) for i in range(0, a.size, chunk))
