"""An independent numeric oracle for statements given as index-formula data (no symconv evaluator).

A claim's two sides are lists of reads ``coef · C.result[at(f)]`` of contractions
(:class:`symconv.proofs._contract.Read`); here each side is evaluated by plain
vectorised loops over the contraction's box — the affine index maps computed
with numpy, every read guarded by its operand's shape, the terms added with
``np.add.at`` — on pseudo-random Gaussian-integer arrays that are functions on
all of ℤ^d (only the guards decide which entries count, as in the Iverson
semantics of the statements). No symconv engine, enumerator, evaluator or
prover is used: only the index data and the plain ``subs`` of sizes.

Sizes are generic: drawn (seeded) from the statement's own assumptions with
every size ≥ 2, unequal along axes, and a non-degenerate free box.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

ArrayFn = Callable[[Sequence[np.ndarray]], np.ndarray]

_M = np.uint64(0x9E3779B97F4A7C15)


def hashed(name: str, seed: int) -> ArrayFn:
    """A Gaussian-integer array on all of ℤ^d: entries ``a + b·i`` with ``a, b ∈ [-4, 4]``, fixed by name and seed."""
    base = np.uint64((hash_str(name) * 1_000_003 + seed * 7919 + 17) % (1 << 62))

    def fn(idx: Sequence[np.ndarray]) -> np.ndarray:
        arrays = [np.asarray(a, dtype=np.int64) for a in idx]
        shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
        h = np.full(shape, base, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for a in arrays:
                h = (h + np.broadcast_to(a, shape).astype(np.uint64) + np.uint64(0x632BE59BD9B4E019)) * _M
                h = h ^ (h >> np.uint64(31))
            h = h * _M
            h = h ^ (h >> np.uint64(29))
        re = (h % np.uint64(9)).astype(np.int64) - 4
        im = ((h >> np.uint64(17)) % np.uint64(9)).astype(np.int64) - 4
        return re + 1j * im

    return fn


def hash_str(name: str) -> int:
    """A string hash that does not depend on PYTHONHASHSEED."""
    return sum((i + 1) * 257 * ord(ch) for i, ch in enumerate(name)) % (1 << 40)


@functools.cache
def _num(expr: Any, sizes: frozenset[tuple[Any, int]]) -> int:
    v = expr.subs(dict(sizes))
    if not v.is_Integer:
        raise ValueError(f"{expr} is not an integer at {dict(sizes)}")
    return int(v)


def num(expr: Any, sizes: Mapping[Any, int]) -> int:
    """An integer size expression at concrete sizes."""
    if isinstance(expr, (int, np.integer)):
        return int(expr)
    if expr.is_Integer:
        return int(expr)
    return _num(expr, frozenset(sizes.items()))


def affine(a: Any, env: Mapping[str, np.ndarray], sizes: Mapping[Any, int]) -> np.ndarray:
    """An affine map (``a.coeffs``, ``a.const``) at integer arrays of its variables."""
    out: Any = np.int64(num(a.const, sizes))
    for v, c in a.coeffs:
        out = out + num(c, sizes) * env[v]
    return np.asarray(out, dtype=np.int64)


def _inside(idx: Sequence[np.ndarray], shape: Sequence[int]) -> np.ndarray:
    ok = np.ones(np.broadcast_shapes(*(i.shape for i in idx)) if idx else (), dtype=bool)
    for i, n in zip(idx, shape):
        ok &= (i >= 0) & (i < n)
    return ok


def result_values(c: Any, sizes: Mapping[Any, int], arrays: Mapping[str, ArrayFn]) -> np.ndarray:
    """The contraction's result as a dense array: Σ over the box of Π guarded factors, added at the result index."""
    rshape = tuple(max(0, num(s, sizes)) for s in c.result.shape)
    out = np.zeros(rshape, dtype=complex)
    extents = [max(0, num(v.extent, sizes)) for v in c.variables]
    if any(e == 0 for e in extents) or any(n == 0 for n in rshape):
        return out
    grids = np.indices(extents).reshape(len(extents), -1) if extents else np.zeros((0, 1), dtype=np.int64)
    env = {v.name: grids[i] for i, v in enumerate(c.variables)}
    points = grids.shape[1]
    shapes = {o.name: tuple(num(s, sizes) for s in o.shape) for o in c.operands}
    prod = np.ones(points, dtype=complex)
    ok = np.ones(points, dtype=bool)
    for f in c.factors:
        assert f.boundary is None or all(b is None for b in f.boundary), "zero padding only"
        idx = [np.broadcast_to(affine(a, env, sizes), (points,)) for a in f.index]
        ok &= _inside(idx, shapes[f.operand])
        val = arrays[f.operand](idx)
        prod = prod * (np.conj(val) if f.conjugate else val)
    ridx = [np.broadcast_to(affine(a, env, sizes), (points,)) for a in c.result_index]
    ok &= _inside(ridx, rshape)
    np.add.at(out, tuple(r[ok] for r in ridx), prod[ok])
    return out


def free_box(ctx: Any, sizes: Mapping[Any, int]) -> dict[str, int] | None:
    """``{f: F}`` with ``0 ≤ f < F`` when the assumptions on the free indices are exactly such a box."""
    lo: dict[str, int] = {}
    hi: dict[str, int] = {}
    for c in ctx.assumptions:
        vs = [v for v, _ in c.expr.coeffs]
        if not vs:
            continue
        if len(vs) != 1 or c.op == "==":
            return None
        (v, k), const = c.expr.coeffs[0], num(c.expr.const, sizes)
        if num(k, sizes) == 1:
            lo[v] = max(lo.get(v, -(10**9)), -const)
        elif num(k, sizes) == -1:
            hi[v] = min(hi.get(v, 10**9), const)
        else:
            return None
    if set(lo) != set(ctx.free) or set(hi) != set(ctx.free) or any(lo[v] != 0 for v in ctx.free):
        return None
    return {v: max(0, hi[v] + 1) for v in ctx.free}


def side_values(
    reads: Sequence[Any], free: Sequence[str], box: Mapping[str, int], sizes: Mapping[Any, int], arrays: Any
) -> np.ndarray:
    """``Σ coef · C.result[at(f)]`` over the free box (a read with ``pair``: the inner product with that array)."""
    shape = tuple(box[f] for f in free)
    total = np.zeros(shape, dtype=complex)
    for r in reads:
        res = result_values(r.c, sizes, arrays)
        if r.pair is None:
            grid = np.indices(shape).reshape(len(shape), -1) if shape else np.zeros((0, 1), dtype=np.int64)
            env = {f: grid[i] for i, f in enumerate(free)}
            n = grid.shape[1]
            at = [np.broadcast_to(affine(a, env, sizes), (n,)) for a in r.at]
            ok = _inside(at, res.shape)
            vals = np.zeros(n, dtype=complex)
            vals[ok] = res[tuple(a[ok] for a in at)]
            total = total + r.coef * vals.reshape(shape)
        else:
            pshape = tuple(max(0, num(s, sizes)) for s in r.pair.shape)
            grid = np.indices(pshape).reshape(len(pshape), -1)
            env = {f: grid[i] for i, f in enumerate(r.over)}
            n = grid.shape[1]
            at = [np.broadcast_to(affine(a, env, sizes), (n,)) for a in r.at]
            ok = _inside(at, res.shape)
            vals = np.zeros(n, dtype=complex)
            vals[ok] = res[tuple(a[ok] for a in at)]
            total = total + r.coef * np.sum(vals * arrays[r.pair.name](list(grid)))
    return total


def symmetric(hyp: Any, h: ArrayFn, sizes: Mapping[Any, int]) -> ArrayFn:
    """An array on ℤ^d satisfying ``hyp`` (``a[u] = sign · a[mirror u]`` on its domain), random elsewhere."""
    assert [a.coeffs for a in hyp.lhs] == [((v, 1),) for v in hyp.variables], "hypothesis with identity lhs"

    def fn(idx: Sequence[np.ndarray]) -> np.ndarray:
        idx = [np.asarray(i, dtype=np.int64) for i in idx]
        env = dict(zip(hyp.variables, idx))
        inside = np.ones(np.broadcast_shapes(*(i.shape for i in idx)), dtype=bool)
        for c in hyp.domain:
            e = affine(c.expr, env, sizes)
            inside &= (e == 0) if c.op == "==" else (e >= 0)
        mir = [affine(a, env, sizes) for a in hyp.rhs]
        sym = h(idx) + hyp.sign * h(mir)
        return np.where(inside, sym, h(idx))

    return fn


def arrays_for(ctx: Any, seed: int, sizes: Mapping[Any, int]) -> dict[str, ArrayFn]:
    """Every operand a random array on ℤ^d; an operand under a hypothesis of the statement satisfies it."""

    class Arrays(dict):  # type: ignore[type-arg]
        def __missing__(self, name: str) -> ArrayFn:
            self[name] = hashed(name, seed)
            return self[name]

    out = Arrays()
    for hyp in ctx.hypotheses:
        out[hyp.operand] = symmetric(hyp, hashed(hyp.operand, seed), sizes)
    return out


# -- generic sizes -----------------------------------------------------------------------------------


def _holds(c: Any, sizes: Mapping[Any, int]) -> bool:
    v = num(c.expr.const, sizes)
    return v == 0 if c.op == "==" else v >= 0


def _limits(name: str, nd: int) -> range:
    letter = name.split("_")[0]
    if letter == "K":
        return range(2, 5)
    if letter in ("A", "B", "C"):
        return range(2, 6 if nd < 3 else 5)
    return range(2, {1: 15, 2: 11, 3: 9}[nd])


_SIZES: dict[tuple[int, int, int], tuple[Any, list[dict[Any, int]]]] = {}


def generic_sizes(ctx: Any, seed: int, count: int = 3) -> list[dict[Any, int]]:
    """:func:`draw_sizes`, remembered per statement context (a context is immutable)."""
    key = (id(ctx), seed, count)
    if key not in _SIZES or _SIZES[key][0] is not ctx:
        _SIZES[key] = (ctx, draw_sizes(ctx, seed, count))
    return [dict(s) for s in _SIZES[key][1]]


def draw_sizes(ctx: Any, seed: int, count: int = 3) -> list[dict[Any, int]]:
    """``count`` generic size sets satisfying the statement's parameter-only assumptions (seeded, no symconv search).

    Every size ≥ 2, the sizes of one letter different along axes (ndim ≥ 2), every free index with at least two
    values. Fewer when the assumptions leave fewer.
    """
    params = list(ctx.params)
    nd = max(1, sum(1 for p in params if p.name.split("_")[0] == params[0].name.split("_")[0]))
    fixed = [c for c in ctx.assumptions if not c.expr.coeffs]
    # free indices whose range depends on the sizes (not a channel index of a fixed channel count)
    sized = {c.expr.coeffs[0][0] for c in ctx.assumptions if len(c.expr.coeffs) == 1 and c.expr.const.free_symbols}
    rnd = random.Random(seed)
    out: list[dict[Any, int]] = []
    seen: set[tuple[int, ...]] = set()
    for _ in range(4000):
        vals = tuple(rnd.choice(_limits(p.name, nd)) for p in params)
        if vals in seen:
            continue
        seen.add(vals)
        sizes = dict(zip(params, vals))
        letters: dict[str, list[int]] = {}
        for p, v in sizes.items():
            letters.setdefault(p.name.split("_")[0], []).append(v)
        if any(len(set(v)) != len(v) for v in letters.values()):
            continue
        if not all(_holds(c, sizes) for c in fixed):
            continue
        box = free_box(ctx, sizes)
        if box is not None and any(box[v] < 2 for v in sized):
            continue
        out.append(sizes)
        if len(out) == count:
            break
    return out


# -- verdicts --------------------------------------------------------------------------------------------


def differs(ctx: Any, lhs: Sequence[Any], rhs: Sequence[Any], seed: int = 0) -> dict[str, Any] | None:
    """Where the two sides differ at generic sizes (sizes, free index, both values), or None when they agree."""
    found = generic_sizes(ctx, seed)
    assert found, "no generic sizes satisfy the statement's assumptions"
    for i, sizes in enumerate(found):
        box = free_box(ctx, sizes)
        assert box is not None, "a statement whose free indices range over a box"
        arrays = arrays_for(ctx, seed * 31 + i, sizes)
        a = side_values(lhs, ctx.free, box, sizes, arrays)
        b = side_values(rhs, ctx.free, box, sizes, arrays)
        bad = np.argwhere(a != b)
        if len(bad):
            where = tuple(int(v) for v in bad[0])
            return {"sizes": {str(k): v for k, v in sizes.items()}, "at": where, "lhs": a[where], "rhs": b[where]}
    return None


def holds_somewhere(ctx: Any, seed: int = 0) -> bool:
    """True when generic sizes exist for the statement (else nothing can be decided)."""
    return bool(generic_sizes(ctx, seed, count=1))


def forced_symmetry_fails(claim: Any, sign: int, ks: Sequence[int], sizes: Mapping[Any, int], seed: int) -> bool:
    """An ``only if`` claim is false: a w that IS (anti-)centrosymmetric on its kernel ``ks`` (all axes flipped
    together, so convolve = ±correlate for every x) and random outside violates the claimed hypothesis somewhere."""
    nd = len(ks)
    h = hashed("w", seed)

    def w(idx: Sequence[np.ndarray]) -> np.ndarray:
        idx = [np.asarray(i, dtype=np.int64) for i in idx]
        sp = idx[len(idx) - nd :]
        inside = np.ones(np.broadcast_shapes(*(i.shape for i in idx)), dtype=bool)
        for i, k in zip(sp, ks):
            inside &= (i >= 0) & (i < k)
        mir = [*idx[: len(idx) - nd], *(k - 1 - i for i, k in zip(sp, ks))]
        return np.where(inside, h(idx) + sign * h(mir), h(idx))

    lead = len(claim.variables) - nd
    ranges = [range(-1, 8)] * lead + [range(-2, k + 2) for k in ks]
    grid = np.array(list(itertools.product(*ranges))).T
    env = {v: grid[i] for i, v in enumerate(claim.variables)}
    ok = np.ones(grid.shape[1], dtype=bool)
    for c in claim.domain:
        e = affine(c.expr, env, sizes)
        ok &= (e == 0) if c.op == "==" else (e >= 0)
    left = w([np.broadcast_to(affine(a, env, sizes), ok.shape) for a in claim.lhs])
    right = w([np.broadcast_to(affine(a, env, sizes), ok.shape) for a in claim.rhs])
    return bool(((left != claim.sign * right) & ok).any())


# -- statements that are not one contraction: plain numpy and the plain-loop reference layers -----------------


def dense(name: str, seed: int, shape: Sequence[int]) -> np.ndarray:
    """Random integers in [-9, 9] of ``shape`` (real: the circular theorems and the reference layers)."""
    rng = np.random.default_rng([hash_str(name), seed])
    return rng.integers(-9, 10, size=tuple(shape)).astype(np.int64)


def _full(a: np.ndarray, b: np.ndarray, flip: bool) -> np.ndarray:
    """Full convolution (``flip``) or full correlation of n-d arrays, symconv's convention, by shifted adds."""
    out = np.zeros(tuple(x + y - 1 for x, y in zip(a.shape, b.shape)), dtype=np.int64)
    for k in np.ndindex(*b.shape):
        lo = k if flip else tuple(y - 1 - kk for kk, y in zip(k, b.shape))
        out[tuple(slice(o, o + n) for o, n in zip(lo, a.shape))] += a * b[k]
    return out


def associativity_differs(variant: str, sizes: Sequence[Sequence[int]], seed: int) -> bool:
    """((a∗b)∗c) vs (a∗(b∗c)) as the variant claims it: with correlations, or the inner result read one off."""
    a, b, c = (dense(n, seed, s) for n, s in zip("abc", sizes))
    if variant == "correlation":
        return not np.array_equal(_full(_full(a, b, False), c, False), _full(a, _full(b, c, False), False))
    assert variant == "off_by_one"
    ab = _full(a, b, True)
    shifted = np.zeros_like(ab)
    shifted[tuple(slice(0, n - 1) for n in ab.shape)] = ab[tuple(slice(1, n) for n in ab.shape)]
    return not np.array_equal(_full(shifted, c, True), _full(a, _full(b, c, True), True))


def circular_differs(correlation: bool, n: Sequence[int], seed: int) -> bool:
    """The circular variants: DFT(x ⊛ w) = DFT(x)·conj(DFT(w)) (convolution) or DFT(x ⋆ w) = DFT(x)·DFT(w)
    (correlation). By the inverse DFT each is an identity of two circular sums; compared exactly."""
    x, w = dense("x", seed, n), dense("w", seed, n)
    conv = np.zeros(tuple(n), dtype=np.int64)
    corr = np.zeros(tuple(n), dtype=np.int64)
    back = np.zeros(tuple(n), dtype=np.int64)  # ifft(DFT(x)·conj(DFT(w)))[m] = Σ_k x[k] w[k − m]
    for m in np.ndindex(*n):
        for k in np.ndindex(*n):
            minus = tuple((a - b) % s for a, b, s in zip(m, k, n))
            plus = tuple((a + b) % s for a, b, s in zip(m, k, n))
            back_idx = tuple((b - a) % s for a, b, s in zip(m, k, n))
            conv[m] += x[k] * w[minus]
            corr[m] += x[plus] * w[k]
            back[m] += x[k] * w[back_idx]
    if correlation:
        return not np.array_equal(corr, conv)  # the claim DFT(corr) = X·W says corr = conv
    return not np.array_equal(conv, back)


def adjoint_pairing_off_by_one_differs(
    params: Mapping[str, Any], n: Sequence[int], k: Sequence[int], seed: int
) -> bool:
    """⟨correlate(x, w), g⟩ vs Σ_m x[m + 1] · conv_transpose(g, w)[m] (every spatial axis one off), with the
    plain-loop reference layers of tests/reference_conv.py (x zero outside its shape)."""
    from oracles.reference_conv import conv_layer, conv_transpose_layer, out_size

    nd = len(n)
    p = int(params.get("padding", 0))
    cin, cout = int(params.get("in_channels", 1)), int(params.get("out_channels", 1))
    groups = int(params.get("groups", 1))
    x = dense("x", seed, (1, cin, *n))
    w = dense("w", seed, (cout, cin // groups, *k))
    out = [out_size(a, b, 1, 1, p, p) for a, b in zip(n, k)]
    g = dense("g", seed, (1, cout, *out))
    y = conv_layer(x, w, stride=(1,) * nd, dilation=(1,) * nd, pad=[(p, p)] * nd, groups=groups)
    lhs = int(np.sum(y * g))
    back = conv_transpose_layer(
        g, w, stride=(1,) * nd, dilation=(1,) * nd, pad=(p,) * nd, output_padding=(0,) * nd, groups=groups
    )
    shifted = np.zeros_like(x)
    shifted[(slice(None), slice(None), *(slice(0, a - 1) for a in n))] = x[
        (slice(None), slice(None), *(slice(1, a) for a in n))
    ]
    return lhs != int(np.sum(shifted * back))


def from_dense(a: np.ndarray) -> ArrayFn:
    """A concrete array as a function on ℤ^d: zero outside its shape."""

    def fn(idx: Sequence[np.ndarray]) -> np.ndarray:
        idx = [np.asarray(i, dtype=np.int64) for i in idx]
        shape = np.broadcast_shapes(*(i.shape for i in idx))
        ok = np.ones(shape, dtype=bool)
        for i, n in zip(idx, a.shape):
            ok &= (i >= 0) & (i < n)
        safe = tuple(np.where(ok, np.broadcast_to(i, shape), 0) for i in idx)
        return np.where(ok, a[safe].astype(complex), 0)

    return fn
