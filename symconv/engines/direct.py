r"""The randomized engine's direct evaluator: per-outer-point accumulation through strided views, in float64.

Evaluates a concrete contraction at a point whose entries are residues in
:math:`[0, p)`, adding into a result accumulator:

.. math:: R[\phi_0(v)] \mathrel{+}= \textstyle\prod_f F_f[\phi_f(v)] .

**How.** The loop variables that index the result are the *inner* ones
(:func:`symconv.engines.plan.choose_inner`: every axis depends on at most one
of them); every other variable — a kernel tap, a contracted channel — is
*outer*, iterated in Python. For one outer point the in-range inner points
form a box (:func:`symconv.engines.plan.boxes` clips the Iverson guard
exactly), and over that box every array is ONE strided view of the
unpadded operand. The product of the factors' views is added into the
result's view: one multiplication and one addition per term, no padded
copies, no ``im2col`` matrix, no product larger than the result. The map
from the inner box to the result is injective (each result axis depends on
at most one inner variable, and every inner variable indexes the result), so
the in-place addition never writes one entry twice.

This is the plan for small channel counts, where a ``matmul`` would contract
over one or a few values and only move memory
(:mod:`symconv.engines.blas`); :func:`direct_cost` and
:func:`symconv.engines.blas.blas_cost` are compared by the engine.

**Why float64 is exact here.** Every value is a non-negative integer below
:math:`p`, so one term is below :math:`(p-1)^{\deg}`, and one box adds at
most one term to an entry. :class:`Accumulator` keeps a bound on its entries
and reduces modulo :math:`p` (exactly, see :meth:`Accumulator.residues`) before an addition could
reach :math:`2^{53} - p`; a plan exists only when :math:`(p-1)^{\deg} + 2p < 2^{53}`.

>>> import numpy as np
>>> from symconv.core.formula import ConvSpec, forward
>>> c = forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0]
>>> plan = direct_plan(c, 13)
>>> acc = Accumulator(4, 13)
>>> direct_evaluate(plan, [np.array([1.0, 2, 3, 4, 5]), np.array([10.0, 1])], acc)
8
>>> acc.residues().astype(int).tolist(), [v % 13 for v in (12, 23, 34, 45)]
([12, 10, 8, 6], [12, 10, 8, 6])
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from symconv.core.formula import Contraction
from symconv.engines.plan import Axis, Layout, boxes, boxes_bytes, choose_inner, layout

__all__ = ["EXACT_LIMIT", "MAX_BOXES", "Accumulator", "DirectPlan", "direct_cost", "direct_evaluate", "direct_plan"]

#: Integers below this are exact in float64.
EXACT_LIMIT = 1 << 53

#: The most views a direct plan iterates in Python (outer points times cache tiles).
MAX_BOXES = 1 << 14

#: Cost of one outer point (Python, views, ufunc dispatch) in units of one term's multiply-and-add.
BOX_COST = 8_000

#: Merge a box's last two view dimensions into one run where :func:`_repitch` allows (long rows, fast adds).
MERGE_ROWS = True

#: Result elements per cache tile (the accumulator's tile, the product and a factor's tile stay in cache).
TILE_ELEMENTS = 1 << 15


class Accumulator:
    """A float64 vector of integers that reduces itself modulo ``p`` before a sum could reach :math:`2^{53} - p`.

    >>> a = Accumulator(2, 7)
    >>> a.reserve(6**2); a.values += [36, 5]; a.residues().tolist()
    [1.0, 5.0]
    """

    def __init__(self, size: int, p: int) -> None:
        self.values = np.zeros(size, dtype=np.float64)
        self.p = p
        self.bound = 0  # every entry is an integer in [0, bound]

    def reserve(self, add: int) -> None:
        """Make room for adding at most ``add`` to each entry (reducing first if needed)."""
        if self.bound + add + self.p >= EXACT_LIMIT:
            self.residues()
        self.bound += add

    def residues(self) -> np.ndarray:
        r"""Reduce every entry modulo ``p`` in place and return the entries (float64 integers in ``[0, p)``).

        Without integer division, in cache-sized chunks: for an integer
        :math:`0 \le x < 2^{53} - p`, :math:`q = \lfloor x \cdot \mathrm{fl}(1/p) \rfloor` is
        :math:`\lfloor x/p \rfloor` or one off (the product's error is below
        :math:`4/p < 1`), so :math:`q p \le x + p < 2^{53}` and :math:`r = x - q p \in [-p, 2p)`
        are exact; one correction by :math:`\pm p` lands in :math:`[0, p)`.
        """
        p, inv = self.p, 1.0 / self.p
        flat = self.values
        for start in range(0, flat.size, TILE_ELEMENTS):
            x = flat[start : start + TILE_ELEMENTS]
            q = x * inv
            np.floor(q, out=q)
            q *= p
            x -= q
            x[x < 0] += p
            x[x >= p] -= p
        self.bound = p - 1
        return flat


@dataclass(frozen=True)
class DirectPlan:
    """One contraction's boxes as ready view geometry (offsets and strides in elements), for one prime."""

    deg: int
    terms: int
    term_bound: int  # (p-1)^deg: the most one box adds to an entry
    # per box: the box shape, then (offset, strides) of the result and of every factor
    geometry: tuple[tuple[tuple[int, ...], tuple[tuple[int, tuple[int, ...]], ...]], ...]
    largest: int  # the largest box (elements): the product's temporary
    repitch: tuple[int, int, int, int] | None = None  # (factor, width, pitch, rows): see _repitch


def _strides(shape: Sequence[int]) -> list[int]:
    return [math.prod(shape[i + 1 :]) for i in range(len(shape))]


def _repitch(lay: Layout, inner: Sequence[int], dims: Sequence[int]) -> tuple[int, int, int] | None:
    """Whether the views' last two dimensions can be merged into one contiguous run: ``(factor, W, P)``.

    The result's rows have pitch ``P`` (its strides along the last two view
    dimensions are ``(P, 1)``); exactly one factor varies along them, its
    last two axes indexed by those two variables with coefficient 1 (width
    ``W ≤ P``); every other factor is constant along both. That factor is
    copied into rows of pitch ``P`` (zeros after its ``W`` entries), so a box
    that reads its rows from column 0 to ``W`` is one run of
    ``(R-1)·P + W`` positions in every array: the positions between the
    rows read the zeros, whose products add 0 to the result.
    """
    if len(dims) < 2:
        return None
    ja, jb = inner[dims[-2]], inner[dims[-1]]

    def steps(axes: Sequence[Axis]) -> tuple[int, int]:
        st = _strides([a.size for a in axes])
        return sum(a.coef[ja] * x for a, x in zip(axes, st)), sum(a.coef[jb] * x for a, x in zip(axes, st))

    pitch, one = steps(lay.arrays[0][1])
    if one != 1 or pitch < 2:
        return None
    varying = [i for i, (_, axes) in enumerate(lay.arrays[1:]) if steps(axes) != (0, 0)]
    if len(varying) != 1:
        return None
    axes = lay.arrays[1 + varying[0]][1]
    if len(axes) < 2 or [a.coef[jb] for a in axes] != [0] * (len(axes) - 1) + [1]:
        return None
    if [a.coef[ja] for a in axes] != [0] * (len(axes) - 2) + [1, 0]:
        return None
    width = axes[-1].size
    return (varying[0], width, pitch) if 1 <= width <= pitch else None


@functools.lru_cache(maxsize=256)
def direct_plan(c: Contraction, p: int) -> DirectPlan | None:
    """The direct plan of ``c`` modulo ``p``, or None (folds, conjugates, too many outer points, or a
    product that float64 cannot hold exactly)."""
    lay = layout(c)
    deg = len(c.factors)
    if lay is None or any(e <= 0 for e in lay.extents):
        return None
    if (p - 1) ** deg + 2 * p >= EXACT_LIMIT:
        return None
    rax = lay.arrays[0][1]
    in_result = {j for j, e in enumerate(lay.extents) if e > 1 and any(a.coef[j] != 0 for a in rax)}
    inner = choose_inner(lay, lambda j: j in in_result)
    n_outer = math.prod(e for j, e in enumerate(lay.extents) if j not in inner)
    if n_outer > MAX_BOXES or boxes_bytes(lay, inner) > 64 << 20:
        return None
    lo, hi, k0 = boxes(lay, inner)
    # the view's dimensions in the result's memory order (largest result stride first): the add runs along memory
    rstrides = _strides([a.size for a in rax])
    rstep = {j: abs(sum(a.coef[j] * s for a, s in zip(rax, rstrides))) for j in inner}
    dims = sorted(range(len(inner)), key=lambda s: -rstep[inner[s]])
    rep = _repitch(lay, inner, dims) if MERGE_ROWS else None
    arrays = []  # per array: (axis strides, per-axis (slot or -1, coefficient))
    col = 0
    for i, (_, axes) in enumerate(lay.arrays):
        sizes = [a.size for a in axes]
        if rep is not None and i == 1 + rep[0]:
            sizes[-1] = rep[2]  # the factor copied into rows of the result's pitch
        st = _strides(sizes)
        arrays.append((col, st, [(next((s for s, j in enumerate(inner) if a.coef[j]), -1), a.coef) for a in axes]))
        col += len(axes)
    # cache blocking: the boxes are cut along the result's outermost inner variable into tiles of about
    # TILE_ELEMENTS, and every box of one tile is added before the next tile (the tile stays in cache)
    s0 = dims[0] if dims else -1
    row = 1
    if dims:
        row = max((math.prod(int(hi[b, s] - lo[b, s]) for s in dims[1:]) for b in range(lo.shape[0])), default=1)
    tile = max(1, TILE_ELEMENTS // max(row, 1))
    if dims and lo.shape[0]:  # never more than MAX_BOXES views in all: larger tiles instead
        span = int(hi[:, s0].max() - lo[:, s0].min())
        while -(-span // tile) * lo.shape[0] > MAX_BOXES and tile < span:
            tile *= 2
    first = int(lo[:, s0].min()) if dims and lo.shape[0] else 0
    last = int(hi[:, s0].max()) if dims and lo.shape[0] else 1
    geometry = []
    terms = 0
    for t0 in range(first, last, tile):
        for b in range(lo.shape[0]):
            start, stop = [int(x) for x in lo[b]], [int(x) for x in hi[b]]
            if dims:
                start[s0], stop[s0] = max(start[s0], t0), min(stop[s0], t0 + tile)
                if start[s0] >= stop[s0]:
                    continue
            shape = tuple(stop[s] - start[s] for s in dims)
            terms += math.prod(shape)
            views = []
            first_col = 0  # the merged factor's last index at the box's start
            for ai_arr, (col0, st, deps) in enumerate(arrays):
                off = 0
                vst = [0] * len(inner)
                for ai, (s, coef) in enumerate(deps):
                    k = int(k0[b, col0 + ai])
                    if s >= 0:
                        ci = coef[inner[s]]
                        k += ci * start[s]
                        vst[s] += st[ai] * ci
                    off += st[ai] * k
                    if rep is not None and ai_arr == 1 + rep[0] and ai == len(deps) - 1:
                        first_col = k
                views.append((off, [vst[s] for s in dims]))
            if rep is not None and first_col == 0 and shape[-1] == rep[1] and shape[-2] > 1:
                # one run per array: ·P + W positions, stride 1 in the result and the merged factor
                run = (shape[-2] - 1) * rep[2] + shape[-1]
                shape = (*shape[:-2], run)
                views = [(off, [*vst[:-2], vst[-1]]) for off, vst in views]
            geometry.append(
                (shape, tuple((off, tuple(x if n > 1 else 0 for x, n in zip(vst, shape))) for off, vst in views))
            )
    largest = max((math.prod(g[0]) for g in geometry), default=0)
    repitch = None
    if rep is not None:
        f, width, pitch = rep
        repitch = (f, width, pitch, math.prod(a.size for a in lay.arrays[1 + f][1]) // width)
    return DirectPlan(deg, terms, (p - 1) ** deg, tuple(geometry), largest, repitch)


def direct_cost(plan: DirectPlan) -> int:
    """Estimated cost: one unit per term and factor, :data:`BOX_COST` per outer point."""
    return plan.terms * max(plan.deg, 1) + BOX_COST * len(plan.geometry)


def direct_bytes(plan: DirectPlan) -> int:
    """Bytes of the evaluation's temporaries (the product over the largest box, a factor copied to a pitch)."""
    return 8 * (plan.largest + (plan.repitch[3] * plan.repitch[2] if plan.repitch else 0))


def direct_evaluate(plan: DirectPlan, values: Sequence[np.ndarray], acc: Accumulator) -> int:
    """Add the contraction at the point ``values`` (flat float64 residues, one per factor) into ``acc``.

    Returns the number of terms. The caller scales a factor's values for a
    coefficient (a residue), so one term stays below :math:`(p-1)^{\\deg}`.
    """
    res = acc.values
    item = 8
    if plan.repitch is not None:
        f, width, pitch, rows = plan.repitch
        buf = np.zeros((rows, pitch), dtype=np.float64)
        buf[:, :width] = values[f].reshape(rows, width)
        values = [*values[:f], buf.reshape(-1), *values[f + 1 :]]
    tmp = np.empty(plan.largest, dtype=np.float64) if plan.deg >= 2 else None
    for shape, views in plan.geometry:
        acc.reserve(plan.term_bound)
        (roff, rst), fviews = views[0], views[1:]
        target = np.ndarray(shape, np.float64, res, roff * item, [s * item for s in rst])
        factors: list[np.ndarray | float] = []
        for (off, st), v in zip(fviews, values):
            if not any(st):
                factors.append(float(v[off]))  # constant over the box: a scalar
            else:
                factors.append(np.ndarray(shape, np.float64, v, off * item, [s * item for s in st]))
        if plan.deg == 1:
            np.add(target, factors[0], out=target)
            continue
        assert tmp is not None
        out = tmp[: math.prod(shape)].reshape(shape)
        first, second = factors[0], factors[1]
        if isinstance(first, float) and isinstance(second, float):
            out.fill(first * second)
        else:
            np.multiply(first, second, out=out)
        for more in factors[2:]:
            np.multiply(out, more, out=out)
        np.add(target, out, out=target)
    return plan.terms
