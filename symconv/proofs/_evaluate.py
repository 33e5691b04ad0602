"""Exact numeric evaluation of Iverson sums at concrete sizes (the replay's independent check).

Arrays are pseudo-random INTEGER functions on all of :math:`\\mathbb{Z}^d`
(a hash of operand name, seed and index), so only a sum's guard decides which
entries count: a rewrite that drops or shifts a range constraint changes the
value. Sums are enumerated with numpy over a box found by interval
propagation of the guard; the values are exact (int64 with small entries,
far from overflow at the sizes used).

>>> import sympy
>>> from symconv.core.affine import Affine
>>> from symconv.proofs._iverson import Constraint, Context, Expr, Sum, Term
>>> n = Affine.var("n")
>>> s = Sum(("n",), (Constraint.le(0, n), Constraint.lt(n, 3)), (Term("x", (n,)),))
>>> ctx = Context((), (), ())
>>> values(Expr.of(s), ctx, {}, seed=0) == {(): sum(array_values("x", 0, [[0, 1, 2]]).tolist())}
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.proofs._iverson import EQ, Constraint, Context, Derivative, Expr, Pointwise, Side, Sum

__all__ = ["MAX_POINTS", "array_values", "monomials", "random_sizes", "values"]

MAX_POINTS = 4_000_000
_MUL = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(29)

ArrayFn = Callable[[Sequence[np.ndarray]], np.ndarray]


def array_values(name: str, seed: int, index: Sequence[Any], lo: int = -9, hi: int = 9) -> np.ndarray:
    """Pseudo-random integers in ``[lo, hi]`` for ``name[index]``, any integer index."""
    arrays = [np.asarray(a, dtype=np.int64) for a in index]
    shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
    base = (seed * 1_000_003 + sum((i + 1) * 131 * ord(ch) for i, ch in enumerate(name))) % (1 << 62)
    h = np.full(shape, base + 1, dtype=np.uint64)
    for a in arrays:
        h = (h ^ np.broadcast_to(a, shape).astype(np.uint64)) * _MUL
        h = h ^ (h >> _SHIFT)
        h = h * _MUL
    return (h % np.uint64(hi - lo + 1)).astype(np.int64) + lo


def _int(e: Any, sizes: Mapping[sympy.Symbol, int]) -> int:
    v = as_expr(e)
    if not v.is_Integer:  # xreplace: the same exact value as subs, without its rewriting (the replay's hot path)
        v = v.xreplace({k: sympy.Integer(x) for k, x in sizes.items()})
    if not v.is_Integer:
        raise SymconvError(f"proof: size expression {e} is not an integer at {sizes}")
    return int(v)


def _linear(c: Constraint, sizes: Mapping[sympy.Symbol, int]) -> tuple[dict[str, int], int]:
    return {v: _int(k, sizes) for v, k in c.expr.coeffs}, _int(c.expr.const, sizes)


def _bounds(cons: list[tuple[dict[str, int], int, str]], names: Sequence[str]) -> dict[str, tuple[int, int]]:
    inf = float("inf")
    lo = {n: -inf for n in names}
    hi = {n: inf for n in names}
    rows: list[tuple[dict[str, int], int]] = []
    for coeffs, const, op in cons:
        rows.append((coeffs, const))
        if op == EQ:
            rows.append(({v: -c for v, c in coeffs.items()}, -const))
    for _ in range(2 * len(names) + 4):
        changed = False
        for coeffs, const in rows:  # Σ a_v v + const ≥ 0
            for v, a in coeffs.items():
                if a == 0 or v not in lo:
                    continue
                rest = const
                ok = True
                for u, b in coeffs.items():
                    if u == v:
                        continue
                    top = hi[u] if b > 0 else lo[u]
                    if top in (inf, -inf):
                        ok = False
                        break
                    rest += b * int(top)  # type: ignore[call-overload]
                if not ok:
                    continue
                if a > 0:  # v ≥ -rest / a
                    new = -(rest // a)
                    if new > lo[v]:
                        lo[v], changed = new, True
                else:  # v ≤ rest / -a
                    new = rest // (-a)
                    if new < hi[v]:
                        hi[v], changed = new, True
        if not changed:
            break
    out = {}
    for n in names:
        if lo[n] == -inf or hi[n] == inf:
            raise SymconvError(f"proof: the guard does not bound `{n}`; cannot evaluate the sum")
        out[n] = (int(lo[n]), int(hi[n]))  # type: ignore[call-overload]
    return out


def _grid(box: Mapping[str, tuple[int, int]], names: Sequence[str]) -> dict[str, np.ndarray]:
    sizes = [max(0, box[n][1] - box[n][0] + 1) for n in names]
    total = int(np.prod(sizes, dtype=np.int64)) if sizes else 1
    if total > MAX_POINTS:
        raise SymconvError(f"proof: evaluation box of {total} points exceeds {MAX_POINTS}; use smaller sizes")
    grids = np.indices(sizes, dtype=np.int64).reshape(len(names), -1) if names else np.zeros((0, 1), np.int64)
    return {n: grids[i] + box[n][0] for i, n in enumerate(names)}


def _eval_affine(a: Affine, env: Mapping[str, np.ndarray], sizes: Mapping[sympy.Symbol, int], n: int) -> np.ndarray:
    out = np.full(n, _int(a.const, sizes), dtype=np.int64)
    for v, c in a.coeffs:
        out = out + _int(c, sizes) * env[v]
    return out


def _free_box(ctx: Context, sizes: Mapping[sympy.Symbol, int]) -> dict[str, tuple[int, int]]:
    cons = [(*_linear(c, sizes), c.op) for c in ctx.assumptions if set(c.expr.variables) <= set(ctx.free)]
    return _bounds(cons, ctx.free)


def _points(
    s: Sum, ctx: Context, sizes: Mapping[sympy.Symbol, int], extra: Sequence[Constraint] = ()
) -> tuple[dict[str, np.ndarray], int]:
    """The points (free + bound variables) where the assumptions and the guard hold.

    A free index fixed by an equality (a Kronecker delta) with coefficient ±1
    is computed from the others instead of enumerated.
    """
    names = list(ctx.free) + [v for v in s.variables if v not in ctx.free]
    all_cons = (*ctx.assumptions, *s.guard, *extra)
    cons = [(*_linear(c, sizes), c.op) for c in all_cons]
    solved: dict[str, tuple[dict[str, int], int, int]] = {}
    for coeffs, const, op in cons:
        if op != EQ:
            continue
        for f in ctx.free:
            a = coeffs.get(f, 0)
            others = [v for v, c in coeffs.items() if v != f and c]
            if f in solved or a not in (1, -1) or any(v in solved or v == f for v in others):
                continue
            if any(f in sv[0] for sv in solved.values()):
                continue
            solved[f] = ({v: coeffs[v] for v in others}, const, a)
            break
    box = _bounds(cons, names)
    enum = [n for n in names if n not in solved]
    env = _grid(box, enum)
    npts = len(next(iter(env.values()))) if env else 1
    for f, (coeffs, const, a) in solved.items():  # a·f + Σ c v + const = 0
        val = np.full(npts, const, dtype=np.int64)
        for v, c in coeffs.items():
            val = val + c * env[v]
        env[f] = -a * val
    mask = np.ones(npts, dtype=bool)
    for coeffs, const, op in cons:
        val = np.full(npts, const, dtype=np.int64)
        for v, a in coeffs.items():
            val = val + a * env[v]
        mask &= (val == 0) if op == EQ else (val >= 0)
    return {k: v[mask] for k, v in env.items()}, int(mask.sum())


def _sum_values(
    s: Sum,
    ctx: Context,
    sizes: Mapping[sympy.Symbol, int],
    seed: int,
    extra: Sequence[Constraint] = (),
    drop: int | None = None,
    arrays: Mapping[str, ArrayFn] | None = None,
    modulus: int | None = None,
) -> dict[tuple[int, ...], int]:
    """Σ over bound variables, per point of the free domain (assumptions hold)."""
    env, npts = _points(s, ctx, sizes, extra)
    prod = np.full(npts, s.coeff if modulus is None else s.coeff % modulus, dtype=np.int64)
    for i, t in enumerate(s.factors):
        if i == drop:
            continue
        idx = [_eval_affine(a, env, sizes, npts) for a in t.index]
        if arrays and t.operand in arrays:
            prod = prod * arrays[t.operand](idx)
        else:
            prod = prod * array_values(t.operand, seed, idx)
        if modulus is not None:
            prod = prod % modulus
    out: dict[tuple[int, ...], int] = {}
    fbox = _free_box(ctx, sizes)
    for key in _all_points(fbox, ctx.free):
        out[key] = 0
    if npts:
        keys = np.stack([env[f] for f in ctx.free], axis=1) if ctx.free else np.zeros((npts, 0), np.int64)
        uniq, inv = np.unique(keys, axis=0, return_inverse=True)
        totals = np.zeros(len(uniq), dtype=np.int64)
        np.add.at(totals, inv.reshape(-1), prod)
        for k, t in zip(uniq.tolist(), totals.tolist()):
            v = out.get(tuple(k), 0) + int(t)
            out[tuple(k)] = v % modulus if modulus is not None else v
    return out


def monomials(side: Side, ctx: Context, sizes: Mapping[sympy.Symbol, int]) -> dict[tuple[Any, ...], int]:
    """``side`` as an exact polynomial at concrete sizes: ``{(free point, monomial): coefficient}``.

    A monomial is the sorted tuple of ``(operand, index)`` it multiplies; zero
    coefficients are dropped, so two sides are equal polynomials iff the maps
    are equal (an exact instance proof).
    """
    acc: dict[tuple[Any, ...], int] = {}
    if isinstance(side, Derivative):
        items = []
        for s in side.expr.sums:
            hits = [i for i, t in enumerate(s.factors) if t.operand == side.operand]
            if len(hits) != 1:
                raise SymconvError(f"proof: `{side.operand}` must occur exactly once per term to differentiate")
            t = s.factors[hits[0]]
            items.append((s, [Constraint.eq(a, b) for a, b in zip(t.index, side.index)], hits[0]))
    elif isinstance(side, Expr):
        items = [(s, [], None) for s in side.sums]  # type: ignore[misc]
    else:
        raise TypeError(f"cannot expand {type(side).__name__}")
    for s, extra, drop in items:
        env, npts = _points(s, ctx, sizes, extra)
        cols: list[np.ndarray] = [env[f] for f in ctx.free]
        names: list[str] = []
        for i, t in enumerate(s.factors):
            if i == drop:
                continue
            names.append(t.operand + ("*" if t.conjugate else ""))
            cols += [_eval_affine(a, env, sizes, npts) for a in t.index]
        nfree = len(ctx.free)
        rows = np.stack(cols, axis=1) if cols else np.zeros((npts, 0), np.int64)
        uniq, counts = np.unique(rows, axis=0, return_counts=True) if npts else (rows, np.zeros(0, np.int64))
        for row, cnt in zip(uniq.tolist(), counts.tolist()):
            free, rest = tuple(row[:nfree]), row[nfree:]
            mono: list[tuple[str, tuple[int, ...]]] = []
            pos = 0
            for i, t in enumerate(s.factors):
                if i == drop:
                    continue
                mono.append((names[len(mono)], tuple(rest[pos : pos + len(t.index)])))
                pos += len(t.index)
            key = (free, tuple(sorted(mono)))
            acc[key] = acc.get(key, 0) + s.coeff * int(cnt)
    return {k: v for k, v in acc.items() if v}


def _all_points(box: Mapping[str, tuple[int, int]], names: Sequence[str]) -> list[tuple[int, ...]]:
    g = _grid(box, names)
    n = len(next(iter(g.values()))) if g else 1
    return [tuple(int(g[name][i]) for name in names) for i in range(n)]


def _add(acc: dict[tuple[int, ...], int], part: Mapping[tuple[int, ...], int]) -> None:
    for k, v in part.items():
        acc[k] = acc.get(k, 0) + v


def _reduce(acc: dict[tuple[int, ...], int], modulus: int | None) -> dict[tuple[int, ...], int]:
    return acc if modulus is None else {k: v % modulus for k, v in acc.items()}


def values(
    side: Side,
    ctx: Context,
    sizes: Mapping[sympy.Symbol, int],
    seed: int,
    arrays: Mapping[str, ArrayFn] | None = None,
    modulus: int | None = None,
) -> dict[tuple[int, ...], int]:
    """The exact value of ``side`` at every point of the free domain (``{free tuple: int}``).

    A :class:`Derivative` of a multilinear expression is evaluated by keeping
    the terms whose differentiated factor reads the free index (independent of
    the symbolic rule). A :class:`Pointwise` gives its residual per point of
    its own variables, keyed by ``free + variables``.
    """
    acc: dict[tuple[int, ...], int] = {}
    if isinstance(side, Expr):
        for s in side.sums:
            _add(acc, _sum_values(s, ctx, sizes, seed, arrays=arrays, modulus=modulus))
        return _reduce(acc, modulus)
    if isinstance(side, Derivative):
        for s in side.expr.sums:
            hits = [i for i, t in enumerate(s.factors) if t.operand == side.operand]
            if len(hits) != 1:
                raise SymconvError(f"proof: `{side.operand}` must occur exactly once per term to differentiate")
            t = s.factors[hits[0]]
            if t.conjugate:
                raise SymconvError(f"proof: cannot differentiate with respect to a conjugated `{side.operand}`")
            extra = [Constraint.eq(a, b) for a, b in zip(t.index, side.index)]
            _add(acc, _sum_values(s, ctx, sizes, seed, extra=extra, drop=hits[0], arrays=arrays, modulus=modulus))
        return _reduce(acc, modulus)
    if isinstance(side, Pointwise):
        pctx = Context(ctx.params, ctx.free + side.variables, ctx.assumptions + side.guard, ctx.hypotheses)
        for c, fs in side.terms:
            _add(acc, _sum_values(Sum((), side.guard, fs, c), pctx, sizes, seed, arrays=arrays))
        return acc
    raise TypeError(f"cannot evaluate {type(side).__name__}")


def random_sizes(
    ctx: Context, rng: np.random.Generator, max_size: int = 4, tries: int = 500
) -> dict[sympy.Symbol, int]:
    """Random positive integer sizes satisfying the parameter-only assumptions."""
    only = [c for c in ctx.assumptions if not c.expr.variables]
    for _ in range(tries):
        sizes = {p: int(rng.integers(1, max_size + 1)) for p in ctx.params}
        ok = True
        for c in only:
            v = _int(c.expr.const, sizes)
            if (c.op == EQ and v != 0) or (c.op != EQ and v < 0):
                ok = False
                break
        if ok:
            try:
                if ctx.free and not _all_points(_free_box(ctx, sizes), ctx.free):
                    continue
            except SymconvError:
                continue
            return sizes
    raise SymconvError(f"proof: found no sizes ≤ {max_size} satisfying the assumptions {[str(c) for c in only]}")
