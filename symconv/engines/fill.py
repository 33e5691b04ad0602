r"""The dense tables' writing machinery: one strided view of a table per box of loop points.

Shared by the dense canonical form (:mod:`symconv.engines.dense`: one stored
value per key) and the coefficient tables (:mod:`symconv.engines.coefficients`:
one coefficient per key and stored value). See :mod:`symconv.engines.dense`
for the encoding ``v - λ·k + shift``.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from symconv.engines.plan import Axis, Layout, boxes, choose_inner
from symconv.engines.progress import Progress

__all__ = ["BLOCK_CELLS"]

#: Cells of one block of a table: both sides' blocks stay in cache, and memory stays bounded at any size.
BLOCK_CELLS = 1 << 22


def _axes_of(lay: Layout, slot: str) -> tuple[Axis, ...]:
    for name, axes in lay.arrays:
        if name == slot:
            return axes
    raise KeyError(slot)


@dataclass
class _FillPlan:
    """One contraction's inner variables and strides for a value slot and key layout (block independent)."""

    inner: tuple[int, ...]
    vcoef: np.ndarray  # value position step per inner variable
    dcoef: np.ndarray  # table offset step per inner variable
    kcols: list[int]  # k0 columns of the kept key axes
    vcols: list[int]  # k0 columns of the value slot's axes
    vstrides: np.ndarray
    full: list[int]  # inner extents
    rcoef: np.ndarray  # stored-residual step per inner variable (value step minus λ·key step)


@functools.lru_cache(maxsize=256)
def _fill_plan(
    lay: Layout, value: str, kept: tuple[tuple[str, int], ...], dstrides: tuple[int, ...], lam: tuple[int, ...]
) -> _FillPlan:
    key_rows = [_axes_of(lay, s)[i].coef for s, i in kept]
    inner = choose_inner(lay, lambda j: any(row[j] != 0 for row in key_rows))
    names = [n for n, _ in lay.arrays]
    first_axis = np.cumsum([0] + [len(axes) for _, axes in lay.arrays])
    vaxes = _axes_of(lay, value)
    vsizes = [a.size for a in vaxes]
    vstrides = [math.prod(vsizes[i + 1 :]) for i in range(len(vsizes))]
    # value position at an inner point u: vbase + Σ_j vcoef[j] u_j; table offset: off + Σ_j dcoef[j] u_j
    vcoef = [sum(a.coef[j] * st for a, st in zip(vaxes, vstrides)) for j in inner]
    dcoef = [sum(_axes_of(lay, s)[i].coef[j] * st for (s, i), st in zip(kept, dstrides)) for j in inner]
    v0 = int(first_axis[names.index(value)])
    kstep = [[_axes_of(lay, s)[i].coef[j] for j in inner] for s, i in kept]
    rcoef = [v - sum(lm * row[n] for lm, row in zip(lam, kstep)) for n, v in enumerate(vcoef)]
    return _FillPlan(
        inner,
        _int64(vcoef),
        _int64(dcoef),
        [int(first_axis[names.index(s)]) + i for s, i in kept],
        list(range(v0, v0 + len(vaxes))),
        np.array(vstrides, dtype=np.int64),
        [lay.extents[j] for j in inner],
        _int64(rcoef),
    )


def _int64(values: Sequence[int]) -> np.ndarray:
    """Python integers as int64 modulo 2^64 (two's complement), for additions and products only.

    The steps of a fill plan may exceed int64 where a variable's coefficient
    is large, yet every stored entry and table offset they add up to lies in
    a small range: int64 arithmetic is exact modulo 2^64, so such a result is
    exact. (Strides of views are taken only along sides longer than 1, where
    they are the true, small steps.)
    """
    return np.array([(int(v) + (1 << 63)) % (1 << 64) - (1 << 63) for v in values], dtype=np.int64)


def _grid(plan: _FillPlan) -> np.ndarray | None:
    """The stored residual's inner part over the whole inner box (broadcast where it does not move), or None (0)."""
    if not plan.rcoef.any():
        return None
    grid = np.zeros([e if c else 1 for e, c in zip(plan.full, plan.rcoef)], dtype=np.int64)
    for d, (c, e) in enumerate(zip(plan.rcoef.tolist(), plan.full)):
        if c:
            step = [1] * len(plan.full)
            step[d] = e
            grid += (np.arange(e, dtype=np.int64) * c).reshape(step)
    return grid


def _grid_bytes(plan: _FillPlan) -> int:
    """Bytes of :func:`_grid`."""
    rc = plan.rcoef.tolist()
    return 8 * math.prod(e if c else 1 for e, c in zip(plan.full, rc)) if any(rc) else 0


def _fill(
    lay: Layout,
    plan: _FillPlan,
    grid: np.ndarray | None,
    enc: tuple[np.ndarray, int],
    coef_index: int,
    dstrides: np.ndarray,
    table: np.ndarray,
    coefs: np.ndarray | None,
    progress: Progress,
) -> int:
    """Write the terms of ``lay`` (restricted to the block) into ``table`` (and ``coefs``); the number of terms.

    ``enc = (λ, base)``: a term with value position ``v`` and key ``k`` is
    stored as ``v - λ·k + base`` (``base`` also undoes the block's shift).
    """
    lo, hi, k0 = boxes(lay, plan.inner)
    if not lo.shape[0]:
        return 0
    lam, base = enc
    offs = k0[:, plan.kcols] @ dstrides + lo @ plan.dcoef
    stored = base + k0[:, plan.vcols] @ plan.vstrides - k0[:, plan.kcols] @ lam + lo @ plan.rcoef
    counts = np.prod(hi - lo, axis=1)
    item = table.itemsize
    moves = plan.rcoef.tolist()
    steps = plan.dcoef.tolist()
    for b in range(lo.shape[0]):
        shape = tuple(int(x) for x in hi[b] - lo[b])
        off = int(offs[b])
        step = [c if n > 1 else 0 for c, n in zip(steps, shape)]  # a side of length 1 never moves
        dst = [c * item for c in step]
        cst = [c * coefs.itemsize for c in step] if coefs is not None else []
        view = np.ndarray(shape, table.dtype, table, off * item, dst)
        if grid is None:
            view[...] = int(stored[b])
        else:
            sub = grid[tuple(slice(0, n) if c else slice(None) for n, c in zip(shape, moves))]
            np.add(sub, int(stored[b]), out=view, casting="unsafe")
        if coefs is not None:
            np.ndarray(shape, coefs.dtype, coefs, off * coefs.itemsize, cst)[...] = coef_index
        progress.update(int(counts[b]))
    return int(counts.sum())


def _encoding(lays: Sequence[Layout], value: str, kept: Sequence[tuple[str, int]]) -> tuple[np.ndarray, int, int]:
    """``(λ, lo, hi)``: integer weights of the key axes and the range of ``value position - λ·key``.

    Any integer λ gives a bijection (key, value) ↔ (key, residual); λ is
    fitted so that the value is, where possible, an exact affine function of
    the key (a constant residual: small stored integers and a constant fill).
    The range is computed in Python integers, exactly: it sizes the table's
    integer type, so an error there would wrap stored entries.
    """
    lay = lays[0]
    vaxes = _axes_of(lay, value)
    vsizes = [a.size for a in vaxes]
    vst = [math.prod(vsizes[i + 1 :]) for i in range(len(vsizes))]

    def flat(lay_: Layout) -> tuple[list[int], int]:
        ax = _axes_of(lay_, value)
        coef = [sum(a.coef[j] * st for a, st in zip(ax, vst)) for j in range(len(lay_.extents))]
        return coef, sum(a.const * st for a, st in zip(ax, vst))

    def keys(lay_: Layout) -> tuple[list[tuple[int, ...]], list[int]]:
        rows = [_axes_of(lay_, s)[i] for s, i in kept]
        return [a.coef for a in rows], [a.const for a in rows]

    lam = [0] * len(kept)
    if kept:
        v, _ = flat(lay)
        k, _ = keys(lay)
        a_ = np.array(k, dtype=np.float64).reshape(len(kept), len(lay.extents))
        sol = np.linalg.lstsq(a_.T, np.array(v, dtype=np.float64), rcond=None)[0]
        if np.all(np.abs(sol) < 2**31):
            guess = [int(x) for x in np.rint(sol)]
            sizes = [_axes_of(lay, s)[i].size for s, i in kept]
            exact = all(sum(g * row[j] for g, row in zip(guess, k)) == v[j] for j in range(len(v)))
            # exact, and λ·key far from int64 overflow
            if exact and sum(abs(g) * n for g, n in zip(guess, sizes)) < 2**60:
                lam = guess
    lo = hi = None
    for other in lays:
        v, vc = flat(other)
        k, kc = keys(other)
        r = Axis(
            tuple(x - sum(lm * row[j] for lm, row in zip(lam, k)) for j, x in enumerate(v)),
            vc - sum(lm * c for lm, c in zip(lam, kc)),
            1,
        )
        a, b = r.span(other.extents)
        lo, hi = (a, b) if lo is None or hi is None else (min(lo, a), max(hi, b))
    assert lo is not None and hi is not None
    return np.array(lam, dtype=np.int64), lo, hi


def _restrict(lay: Layout, axis: tuple[str, int], a: int, b: int) -> Layout:
    """The layout with key axis ``axis`` shifted by ``-a`` and cut to ``[0, b - a)``: the terms of one block."""
    slot, i = axis
    arrays = []
    for name, axes in lay.arrays:
        if name == slot:
            ax = axes[i]
            axes = (*axes[:i], Axis(ax.coef, ax.const - a, b - a), *axes[i + 1 :])
        arrays.append((name, axes))
    return Layout(lay.extents, tuple(arrays))


_SCRATCH = threading.local()


def _scratch(slot: int, size: int, dtype: Any) -> np.ndarray:
    """A reused block buffer of this thread (≤ ``BLOCK_CELLS`` cells of ≤ 4 bytes): no fresh pages per check."""
    nbytes = size * np.dtype(dtype).itemsize
    if nbytes > 4 * BLOCK_CELLS:
        return np.empty(size, dtype=dtype)
    bufs = getattr(_SCRATCH, "bufs", None)
    if bufs is None:
        bufs = _SCRATCH.bufs = {}
    buf = bufs.get(slot)
    if buf is None or buf.size < nbytes:
        buf = bufs[slot] = np.empty(max(nbytes, 1 << 16), dtype=np.uint8)
    return buf[:nbytes].view(dtype)
