r"""The randomized engine's fast evaluator: exact modular arithmetic in float64, through BLAS.

Evaluates a concrete contraction of degree 1 or 2 at a point whose entries
are residues in :math:`[0, p)`, modulo :math:`p`, per result position:

.. math:: R[\phi_0(v)] \mathrel{+}= A[\phi_1(v)]\, B[\phi_2(v)] \pmod p .

**Why float64 is exact here.** Every value is a non-negative integer. A
product of two residues is below :math:`(p-1)^2`; a sum of :math:`M` of them
is below :math:`M (p-1)^2`. As long as :math:`M (p-1)^2 < 2^{53}` every
partial sum, in whatever order a BLAS kernel adds (with or without fused
multiply-add), is an integer below :math:`2^{53}`, hence a float64 without
rounding. (This relies on the classical sum-of-products algorithm that
OpenBLAS, MKL and Accelerate implement, not on Strassen-type schemes.) For
:math:`p < 2^{20}` that allows :math:`M = 8192`. The evaluator bounds ``M``
by construction: it splits the loop box into chunks whose reduction length
respects the bound, and reduces modulo :math:`p` (in int64, exactly) before an
accumulated sum could reach :math:`2^{53}`. For :math:`(p-1)^2 \ge 2^{53}` it
declines (the int64 path of ``symconv.engines.instance`` is used).

**How.** The Iverson guard becomes zero padding: each factor is copied into
a zero array wide enough for its index over the whole loop box, and the
result into a padded buffer that is cropped at the end, so out-of-range
terms contribute nothing. Then every array is ONE strided view over the loop
variables (``im2col``). Loop variables are classified by the arrays they
index (batch, left, right, contracted) and the product is a ``matmul``; the
result variables that share a result axis with a larger one are iterated
when the product is added into the result view (``col2im``).

>>> import numpy as np
>>> from symconv.core.formula import ConvSpec, forward
>>> c = forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0]
>>> x, w = np.array([1, 2, 3, 4, 5]), np.array([10, 1])
>>> acc, terms = blas_evaluate(c, [x, w], 4, 13)
>>> acc.tolist(), [int(v) % 13 for v in (12, 23, 34, 45)], terms
([12, 10, 8, 6], [12, 10, 8, 6], 8)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from symconv.core.formula import Contraction
from symconv.engines.plan import Axis, Layout, boxes, choose_inner, layout

__all__ = ["CHUNK_ELEMENTS", "EXACT_LIMIT", "blas_bytes", "blas_cost", "blas_evaluate", "reduction_limit"]

#: Integers below this are exact in float64.
EXACT_LIMIT = 1 << 53

#: Largest temporary (elements) of one chunk's im2col copies and product.
CHUNK_ELEMENTS = 1 << 22


def reduction_limit(p: int, degree: int) -> int:
    """How many products of ``degree`` residues mod ``p`` sum below :math:`2^{53}` (0: none).

    >>> reduction_limit(1_048_573, 2)
    8192
    >>> reduction_limit(2**31 - 1, 2)
    0
    """
    return (EXACT_LIMIT - 1) // (p - 1) ** degree


def _count_terms(lay: Layout) -> int:
    lo, hi, _ = boxes(lay, choose_inner(lay, lambda j: True))
    return int(np.prod(hi - lo, axis=1).sum())


def _strides(shape: Sequence[int]) -> list[int]:
    return [math.prod(shape[i + 1 :]) for i in range(len(shape))]


@dataclass(frozen=True)
class _Pad:
    """How one array is zero-padded so its index over the whole loop box stays inside it."""

    shape: tuple[int, ...]  # padded
    center: tuple[slice, ...]  # where the array itself sits
    offset: int  # flat padded position at the loop origin
    vstride: tuple[int, ...]  # flat padded step per loop variable

    @staticmethod
    def of(axes: Sequence[Axis], extents: Sequence[int]) -> _Pad:
        pads = []
        for a in axes:
            lo, hi = a.span(extents)
            pads.append((max(0, -lo), max(0, hi - (a.size - 1))))
        shape = tuple(a.size + lo + hi for a, (lo, hi) in zip(axes, pads))
        st = _strides(shape)
        return _Pad(
            shape,
            tuple(slice(lo, lo + a.size) for a, (lo, _) in zip(axes, pads)),
            sum((a.const + lo) * s for a, (lo, _), s in zip(axes, pads, st)),
            tuple(sum(a.coef[j] * s for a, s in zip(axes, st)) for j in range(len(extents))),
        )

    def view(self, buf: np.ndarray, dims: Sequence[int], start: Sequence[int], sizes: Sequence[int]) -> np.ndarray:
        """The strided view of ``buf`` over loop variables ``dims`` (in that order), chunk at ``start``."""
        off = self.offset + sum(v * s for v, s in zip(self.vstride, start))
        return np.ndarray(tuple(sizes[j] for j in dims), buf.dtype, buf, off * 8, [self.vstride[j] * 8 for j in dims])


@dataclass(frozen=True)
class _Plan:
    """Everything about one contraction and prime that does not depend on the point."""

    deg: int
    terms: int
    extents: tuple[int, ...]
    pads: tuple[_Pad, ...]  # result, then factors
    batch: list[int]
    left: list[int]
    right: list[int]
    contr: list[int]
    only: tuple[list[int], list[int]]
    nowhere: list[int]
    r_inner: list[int]
    r_outer: list[int]
    order: list[int]
    trailing_left: bool
    chunks: list[int]
    reduce_each: bool
    add_bound: int


@functools.lru_cache(maxsize=256)
def _plan(c: Contraction, p: int) -> _Plan | None:
    lay = layout(c)
    deg = len(c.factors)
    if lay is None or deg > 2 or any(e <= 0 for e in lay.extents):
        return None
    limit = reduction_limit(p, deg)
    if limit < 1:
        return None
    extents = lay.extents
    pads = tuple(_Pad.of(axes, extents) for _, axes in lay.arrays)
    for (_, axes), pad in zip(lay.arrays, pads):
        if math.prod(pad.shape) > 8 * math.prod(a.size for a in axes) + (1 << 20):
            return None
    raxes = lay.arrays[0][1]
    fax = [axes for _, axes in lay.arrays[1:]]
    big = [j for j in range(len(extents)) if extents[j] > 1]

    def uses(axes: Sequence[Axis], j: int) -> bool:
        return any(a.coef[j] != 0 for a in axes)

    in_r = {j for j in big if uses(raxes, j)}
    in_a = {j for j in big if uses(fax[0], j)}
    in_b = {j for j in big if deg == 2 and uses(fax[1], j)}
    # result variables with their own result axes (a non-aliasing view); the others are iterated when adding
    r_inner = list(choose_inner(Layout(extents, (lay.arrays[0],)), lambda j: j in in_r))
    r_outer = sorted(in_r - set(r_inner))
    order = r_outer + r_inner
    # product groups in result order; the group holding the innermost result variable goes last
    batch = sorted((j for j in big if j in in_a and j in in_b and j in in_r), key=order.index)
    left = sorted((j for j in big if j in in_a and j not in in_b and j in in_r), key=order.index)
    right = sorted((j for j in big if j not in in_a and j in in_b and j in in_r), key=order.index)
    # contracted variables in the first factor's memory order (largest stride first), so its copy runs along
    # memory; ONE order for both factors: the matmul pairs the k-th contracted column of each
    contr = sorted(
        (j for j in big if j in in_a and j in in_b and j not in in_r), key=lambda j: -abs(pads[1].vstride[j])
    )
    a_only = [j for j in big if j in in_a and j not in in_b and j not in in_r]
    b_only = [j for j in big if j not in in_a and j in in_b and j not in in_r]
    nowhere = [j for j in big if j not in in_a and j not in in_b and j not in in_r]
    reduced = contr + a_only + b_only + nowhere

    # chunk sizes: reduction length within the exact limit, temporaries within CHUNK_ELEMENTS
    cs = list(extents)

    def prod(dims: Sequence[int]) -> int:
        return math.prod(cs[j] for j in dims)

    while True:
        over = None
        if prod(reduced) > limit:
            over = reduced
        else:
            for dims in (batch + left + contr + a_only, batch + contr + right + b_only, batch + left + right):
                if prod(dims) > CHUNK_ELEMENTS:
                    over = dims
                    break
        if over is None:
            break
        j = max(over, key=lambda d: cs[d])
        if cs[j] == 1:
            return None
        cs[j] = -(-cs[j] // 2)
    nchunks = math.prod(-(-e // k) for e, k in zip(extents, cs))
    n_adds = nchunks * math.prod(extents[j] for j in r_outer)
    raw = prod(reduced) * (p - 1) ** deg
    # the sums could reach 2^53: either reduce every product modulo p first (then an add brings at most p - 1),
    # or add the raw products and reduce the whole result whenever the next add could reach 2^53 — that needs
    # raw + (p - 1) < 2^53, and is cheaper when the products outweigh the result passes it costs
    product_elems = nchunks * prod(batch + left + right)
    result_passes = (raw * n_adds) // (EXACT_LIMIT - raw - p) + 1 if raw + p < EXACT_LIMIT else None
    res_elems = math.prod(pads[0].shape)
    reduce_each = raw * n_adds >= EXACT_LIMIT and (result_passes is None or product_elems <= result_passes * res_elems)
    return _Plan(
        deg,
        _count_terms(lay),
        extents,
        pads,
        batch,
        left,
        right,
        contr,
        (a_only, b_only),
        nowhere,
        r_inner,
        r_outer,
        order,
        bool(order) and order[-1] in left,
        cs,
        reduce_each,
        (p - 1) if reduce_each else raw,
    )


def _reduce(a: np.ndarray, p: int) -> None:
    """``a %= p`` in place for a float64 array of integers below 2^53 (via int64: exact, and fast)."""
    a[...] = np.remainder(a.astype(np.int64), p)


def _matrix(
    pad: _Pad,
    buf: np.ndarray,
    batch: Sequence[int],
    free: Sequence[int],
    contr: Sequence[int],
    only: Sequence[int],
    st: Sequence[int],
    sz: Sequence[int],
) -> np.ndarray:
    """The factor as ``(batch, free, contracted)`` (summed over ``only``), copied in a cheap memory order.

    ``contr`` keeps its given order (the same for both factors of a product: the matmul pairs the
    contracted columns position by position); only the blocks of free and contracted axes may swap.
    """
    free_first = (
        bool(free) and bool(contr) and min(abs(pad.vstride[j]) for j in contr) < min(abs(pad.vstride[j]) for j in free)
    )
    groups = [list(batch), list(free), contr] if free_first else [list(batch), contr, list(free)]
    v = pad.view(buf, [j for g in groups for j in g] + list(only), st, sz)
    if only:
        v = v.sum(axis=tuple(range(v.ndim - len(only), v.ndim)))
    nb, n1, n2 = (math.prod(sz[j] for j in g) for g in groups)
    m = v.reshape(nb, n1, n2)
    return m if free_first else np.swapaxes(m, 1, 2)


def blas_bytes(c: Contraction, p: int) -> int | None:
    """Peak bytes of :func:`blas_evaluate` (padded copies, the padded result, chunk temporaries), or None.

    None when the BLAS path declines ``c`` (then it allocates nothing).
    """
    plan = _plan(c, int(p))
    if plan is None:
        return None
    # one chunk: both factors' copies (before summing ``only``) and the product (and its transposed copy)
    a, b, product, padded = _chunk_elements(plan)
    prod = max(product, math.prod(plan.chunks[j] for j in plan.order))
    return 8 * (padded + 2 * math.prod(plan.pads[0].shape) + a + b + 2 * prod)


def _chunk_elements(plan: _Plan) -> tuple[int, int, int, int]:
    """Elements of one chunk's ``im2col`` copies of both factors and of their product, and of the padded copies."""
    cs = plan.chunks

    def elems(dims: Sequence[int]) -> int:
        return math.prod(cs[j] for j in dims)

    a = elems(plan.batch + plan.left + plan.contr + plan.only[0])
    b = elems(plan.batch + plan.right + plan.contr + plan.only[1])
    product = elems(plan.batch + plan.left + plan.right)
    return a, b, product, sum(math.prod(pad.shape) for pad in plan.pads)


#: Cost of one chunk's Python-level step (views, copies, the matmul call), in term units.
STEP_COST = 30_000

#: Cost of one ``col2im`` addition's Python-level step, in term units.
ADD_COST = 6_000


def blas_cost(c: Contraction, p: int) -> int | None:
    """Estimated cost of :func:`blas_evaluate` in the units of :func:`symconv.engines.direct.direct_cost`, or None.

    Memory passes, counted per element: the padded copies, the ``im2col``
    copies of both factors (read and written), the product (written, maybe
    transposed, read and added into the result: four passes), and the
    multiply-adds at BLAS speed (one unit per eight terms); plus
    :data:`STEP_COST` per chunk and :data:`ADD_COST` per addition into the result. With few contracted values (one
    channel) the product is nearly as large as the terms and the memory
    passes dominate.
    """
    plan = _plan(c, int(p))
    if plan is None:
        return None
    nchunks = math.prod(-(-e // s) for e, s in zip(plan.extents, plan.chunks))
    adds = nchunks * math.prod(plan.extents[j] for j in plan.r_outer)
    a, b, product, padded = _chunk_elements(plan)
    return nchunks * (2 * (a + b) + 4 * product) + plan.terms // 8 + 2 * padded + STEP_COST * nchunks + ADD_COST * adds


def blas_evaluate(c: Contraction, values: Sequence[np.ndarray], rsize: int, p: int) -> tuple[np.ndarray, int] | None:
    """Σ over terms of Π factors, modulo ``p``, per flat result position, and the term count; or None.

    ``values`` holds one array of residues in ``[0, p)`` per factor. None
    when the contraction has boundary folds, conjugates, degree > 2, or when
    float64 cannot hold one product exactly.
    """
    plan = _plan(c, int(p))
    if plan is None:
        return None
    P = plan
    if any(s.stop == s.start for pad in P.pads for s in pad.center):  # an array without entries: no term in range
        return np.zeros(rsize, dtype=np.int64), 0
    extents = P.extents
    res = np.zeros(P.pads[0].shape, dtype=np.float64)
    bufs = []
    for pad, v in zip(P.pads[1:], values):
        buf = np.zeros(pad.shape, dtype=np.float64)
        buf[pad.center] = v.reshape([s.stop - s.start for s in pad.center])
        bufs.append(buf)
    bound = 0
    starts = [range(0, e, k) for e, k in zip(extents, P.chunks)]
    for start in np.ndindex(*[len(s) for s in starts]):
        st = [starts[j][i] for j, i in enumerate(start)]
        sz = [min(k, e - s) for k, e, s in zip(P.chunks, extents, st)]
        if P.deg == 2:
            a2 = _matrix(P.pads[1], bufs[0], P.batch, P.left, P.contr, P.only[0], st, sz)
            b2 = _matrix(P.pads[2], bufs[1], P.batch, P.right, P.contr, P.only[1], st, sz)
            if P.trailing_left:  # (right × left): the result's innermost variables stay innermost
                prod_, dims = np.matmul(b2, np.swapaxes(a2, -1, -2)), P.batch + P.right + P.left
            else:
                prod_, dims = np.matmul(a2, np.swapaxes(b2, -1, -2)), P.batch + P.left + P.right
        else:
            va = P.pads[1].view(bufs[0], P.batch + P.left + P.contr + P.only[0], st, sz)
            if P.contr or P.only[0]:
                va = va.sum(axis=tuple(range(len(P.batch + P.left), va.ndim)))
            prod_, dims = np.array(va, dtype=np.float64), P.batch + P.left
        mult = math.prod(sz[j] for j in P.nowhere)
        if mult > 1:
            prod_ *= mult
        if P.reduce_each:
            _reduce(prod_, p)
        full = prod_.reshape([sz[j] for j in dims])
        # arrange as (r_outer..., r_inner...), broadcasting the result variables the product does not read
        for j in P.order:
            if j not in dims:
                full = full[..., None]
                dims = [*dims, j]
        full = np.transpose(full, [dims.index(j) for j in P.order])
        if full.shape != tuple(sz[j] for j in P.order):
            full = np.broadcast_to(full, tuple(sz[j] for j in P.order))
        for o in np.ndindex(*[sz[j] for j in P.r_outer]):
            if bound + P.add_bound >= EXACT_LIMIT:
                _reduce(res, p)
                bound = p - 1
            sub_start = list(st)
            for j, i in zip(P.r_outer, o):
                sub_start[j] += i
            target = P.pads[0].view(res, P.r_inner, sub_start, sz)
            np.add(target, full[o], out=target)
            bound += P.add_bound
    out = np.remainder(res[P.pads[0].center].astype(np.int64), p).reshape(-1)
    if out.size != rsize:
        raise AssertionError(f"result size {out.size} != {rsize}")
    return out, P.terms
