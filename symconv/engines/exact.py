r"""The exact instance engine: :func:`check_exact` decides a multilinear identity by canonical forms.

See :mod:`symconv.engines.instance` for the two engines side by side.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from symconv.core.errors import SymconvError
from symconv.core.public import public
from symconv.engines.bounds import (
    INT64_LIMIT,
    RANDOMIZED,
    coefficient_bound,
    common_factor,
    guard_memory,
    multiplicity,
)
from symconv.engines.dense import dense_equal
from symconv.engines.keys import Keys, as_array, canonical, lookup, same
from symconv.engines.progress import Progress
from symconv.engines.space import (
    _CHUNK,
    DEFAULT_BLOCK,
    InstanceResult,
    Side,
    _conjugates_as_variables,
    _degree,
    _prepare,
    _ShapeMismatchError,
    _Space,
    _total_terms,
    _validate,
)
from symconv.engines.spill import SPILL_BYTES, Buckets
from symconv.engines.terms import iter_terms_separable, term_count

__all__ = ["check_exact"]

#: A chunk of terms spanning fewer blocks than this is split by one comparison per block (else by sorting).
_MASKED_BLOCKS = 8


# -- the exact engine ------------------------------------------------------------


def _exact_side(
    side: Side,
    space: _Space,
    keys: Keys,
    nblocks: int,
    buckets: Buckets,
    progress: Progress,
    dtype: Any,
) -> int:
    count = 0
    for coef, c in side:
        coef = int(coef)
        if coef == 0:
            progress.update(term_count(c))
            continue
        names = [f.operand for f in c.factors]
        sg = [space.signs(n) for n in names]
        span = -(-keys.rsize // nblocks)  # result positions per block
        for t in iter_terms_separable(c, block=_CHUNK):
            r = t.result
            positions = list(t.factors)
            count += r.size
            sign = None
            for sgn, pos in zip(sg, positions):
                if sgn is not None:
                    sign = sgn[pos] if sign is None else sign * sgn[pos]
            if sign is not None:
                keep = sign != 0
                if not keep.all():
                    positions = [d[keep] for d in positions]
                    r, sign = r[keep], sign[keep]
            key = keys.encode(r, names, positions)
            cval: Any = coef if sign is None else sign.astype(dtype) * coef
            if nblocks == 1:
                buckets.add(0, key, cval)
            else:
                b = r // span  # never r * nblocks: that product could exceed int64
                lo_b, hi_b = int(b.min()), int(b.max())
                if hi_b - lo_b < _MASKED_BLOCKS:  # a few blocks: one pass per block (no sort of the terms)
                    for i in range(lo_b, hi_b + 1):
                        sel = b == i
                        if sel.any():
                            buckets.add(i, key[sel], cval[sel] if isinstance(cval, np.ndarray) else cval)
                    progress.update(t.result.size)
                    continue
                small = np.uint16 if nblocks <= 1 << 16 else np.uint32 if nblocks <= 1 << 32 else np.int64
                order = np.argsort(b.astype(small), kind="stable")  # a radix sort for small integer types
                bounds = np.searchsorted(b[order], np.arange(nblocks + 1))
                ks = key[order]
                cs = cval[order] if isinstance(cval, np.ndarray) else cval
                for i in range(nblocks):
                    lo, hi = bounds[i], bounds[i + 1]
                    if hi > lo:
                        buckets.add(i, ks[lo:hi], cs[lo:hi] if isinstance(cs, np.ndarray) else cs)
            progress.update(t.result.size)
    return count


@public
def check_exact(
    lhs: Side,
    rhs: Side,
    *,
    structure: Mapping[str, np.ndarray] | None = None,
    block: int = DEFAULT_BLOCK,
    progress: bool | None = None,
) -> InstanceResult:
    r"""Decide exactly whether :math:`\sum c_i L_i = \sum d_j R_j` at these sizes.

    .. math:: \mathrm{canon}\Big(\sum_i c_i L_i\Big) = \mathrm{canon}\Big(\sum_j d_j R_j\Big)

    where ``canon`` maps a polynomial to a canonical form: a dense table
    (key = every slot of a monomial but one, entry = that one and the
    coefficient) when no key repeats, else its sorted (result position,
    monomial) keys with summed, non-zero integer coefficients. Time is linear
    in the terms on the dense path, :math:`O(T \log T)` on the sorted one.

    Exact at any size of coefficient: coefficients are compared as Python
    integers on the dense path, and summed in int64 on the sorted path only
    where a proven bound keeps every sum below :math:`2^{63}` (else as Python
    integers; ``symconv.engines.bounds``). The terms and the memory of a
    path are estimated before anything is allocated and refused beyond the
    limits ``engine_terms`` and ``memory_bytes`` (:func:`symconv.limits`).

    >>> from symconv.core.formula import ConvSpec, forward
    >>> corr = forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0]
    >>> conv = forward(ConvSpec(input_size=(5,), kernel_size=(2,), flip=True))[0]
    >>> r = check_exact([(1, corr)], [(1, conv)])
    >>> r.holds, r.counterexample
    (False, 'at result index (0,): coefficient of w[0]*x[0] is 1 on the left, 0 on the right')
    >>> check_exact([(1, corr)], [(1, conv)], structure={"w": np.array([1, 1])}).holds
    True

    Parameters
    ----------
    lhs, rhs : sequence of (int, Contraction)
        The two sides; concrete sizes, one result shape.
    structure : mapping of operand name to int array, optional
        Entries ``±(label+1)`` (the free variable ``label``, with sign) or 0
        (structurally zero): e.g. a centrosymmetric kernel.
    block : int
        Terms per sorting block of the sorted form (bounds its memory; the
        dense tables are built in blocks of ``symconv.engines.dense.BLOCK_CELLS`` cells).
    progress : bool, optional
        Progress on stderr (default: when stderr is a terminal).

    See also
    --------
    check_randomized, symconv.backward_rule

    Notes
    -----
    A conjugated factor ``conj(w)`` is a variable of its own (the identity is
    decided for complex operands): ``x·conj(w)`` and ``x·w`` differ.
    """
    where = "check_exact"
    if isinstance(block, bool) or not isinstance(block, (int, np.integer)) or block < 1:
        raise SymconvError(f"{where}: `block` must be an integer ≥ 1; got {block!r}")
    t0 = time.perf_counter()
    try:
        rshape, space = _validate(where, lhs, rhs, structure)
        if any(f.conjugate for _, c in (*lhs, *rhs) for f in c.factors):
            lhs, rhs, structure = _conjugates_as_variables(where, lhs, rhs, structure)
            rshape, space = _validate(where, lhs, rhs, structure)
    except _ShapeMismatchError as exc:
        return InstanceResult(False, "instance", 0, time.perf_counter() - t0, None, str(exc))
    lhs, rhs, _ = _prepare(where, lhs, rhs, space)
    bar = Progress(where, _total_terms(lhs, rhs), enabled=progress)
    fast = dense_equal(lhs, rhs, space, bar)
    if fast is not None and fast[0]:
        bar.close()
        return InstanceResult(True, "instance", fast[1], time.perf_counter() - t0, None, None)
    if fast is not None and fast[2] is not None:  # different tables: the first difference in sorted order
        bar.close()
        return InstanceResult(
            False, "instance", fast[1], time.perf_counter() - t0, None, _dense_difference(fast[2], space, rshape)
        )
    # not expressible as dense tables: the sorted form decides
    bar.restart()
    holds, terms, counterexample = _sorted_equal(lhs, rhs, rshape, space, int(block), bar)
    bar.close()
    return InstanceResult(holds, "instance", terms, time.perf_counter() - t0, None, counterexample)


def _dense_difference(first: tuple[tuple[int, ...], int, int], space: _Space, rshape: tuple[int, ...]) -> str:
    """The message of :func:`_first_difference` for the dense path's smallest differing monomial."""
    key, cl, cr = first
    at = tuple(int(i) for i in np.unravel_index(key[0], rshape)) if rshape else ()
    mono = "*".join(space.describe(space.offsets[m] + d) for m, d in zip(sorted(space.shapes), key[1:]) if d) or "1"
    return f"at result index {at}: coefficient of {mono} is {cl} on the left, {cr} on the right"


def _sorted_equal(
    lhs: Side, rhs: Side, rshape: tuple[int, ...], space: _Space, block: int, bar: Progress
) -> tuple[bool, int, str | None]:
    """The sort-based canonical forms of both sides, compared block by block: (equal, terms, first difference).

    Coefficients are divided by their common factor ``g`` and summed in int64
    when the bound of ``symconv.engines.bounds`` proves every sum below
    2^63, else in Python integers; the message shows them times ``g``.
    """
    where = "check_exact"
    g = common_factor(lhs, rhs)
    if g > 1:
        lhs = [(int(k) // g, c) for k, c in lhs]
        rhs = [(int(k) // g, c) for k, c in rhs]
    dtype = _coefficient_dtype(lhs, rhs, space)
    rsize = math.prod(rshape)
    slots = all(len({f.operand for f in c.factors}) == len(c.factors) for _, c in (*lhs, *rhs))
    keys = Keys(max(rsize, 1), space, _degree(lhs, rhs), slots)
    total = _total_terms(lhs, rhs)
    nblocks = max(1, min(rsize, -(-total // block)))
    nbytes = _sorted_bytes(total, block, keys.width, dtype, bool(space.structure))
    what = "the sort-based canonical form sorts a block and holds keys up to its spill budget"
    guard_memory(where, nbytes, what, alternative=RANDOMIZED)
    # each side's pieces per block: in memory up to SPILL_BYTES, then in temporary files (bounded memory)
    left, right = Buckets(nblocks, SPILL_BYTES // 2), Buckets(nblocks, SPILL_BYTES // 2)
    try:
        terms = _exact_side(lhs, space, keys, nblocks, left, bar, dtype)
        terms += _exact_side(rhs, space, keys, nblocks, right, bar, dtype)
        for i in range(nblocks):
            kl, cl = canonical(left.take(i), dtype, keys.width)
            kr, cr = canonical(right.take(i), dtype, keys.width)
            if same(kl, cl, kr, cr, dtype):
                continue
            cl, cr = as_array(kl, cl, dtype), as_array(kr, cr, dtype)
            return False, terms, _first_difference(kl, cl, kr, cr, keys, space, rshape, dtype, g)
        return True, terms, None
    finally:
        left.close()
        right.close()


def _coefficient_dtype(lhs: Side, rhs: Side, space: _Space) -> Any:
    """``np.int64`` when every coefficient sum of the sorted form is proven below 2^63, else ``object``."""
    sides = (lhs, rhs)
    if coefficient_bound(*([(k, term_count(c)) for k, c in side] for side in sides)) < INT64_LIMIT:
        return np.int64  # the cheap bound (a monomial is given by at most all terms) suffices
    bound = coefficient_bound(*([(k, multiplicity(c, space.structure)) for k, c in side] for side in sides))
    return np.int64 if bound < INT64_LIMIT else object


def _sorted_bytes(terms: int, block: int, width: int, dtype: Any, signs: bool) -> int:
    """Peak bytes of the sorted form: the held keys (and signed coefficients; at most ``SPILL_BYTES``, the rest
    spilled to temporary files), one block sorted at a time."""
    coef = 8 if dtype is np.int64 else 48  # an object array also holds the Python integers
    held = min(terms * (8 * width + (coef if signs else 0)), SPILL_BYTES)  # the rest is in temporary files
    sorting = min(terms, block) * (16 * width + 8 + 3 * coef)  # concatenated, ordered, permuted and summed
    return held + sorting


def _first_difference(
    kl: np.ndarray,
    cl: np.ndarray,
    kr: np.ndarray,
    cr: np.ndarray,
    keys: Keys,
    space: _Space,
    rshape: tuple[int, ...],
    dtype: Any = np.int64,
    scale: int = 1,
) -> str:
    allk, _ = canonical([(kl, cl), (kr, -cr)], dtype)
    key = allk[0]
    r, digits = keys.decode(key)
    pos = tuple(int(i) for i in np.unravel_index(r, rshape)) if rshape else ()
    mono = "*".join(space.describe(d) for d in digits) or "1"
    left, right = lookup(kl, cl, key) * scale, lookup(kr, cr, key) * scale
    return f"at result index {pos}: coefficient of {mono} is {left} on the left, {right} on the right"
