"""Exact numeric evaluation of Iverson sums at concrete sizes (the replay's independent check).

Arrays are pseudo-random INTEGER functions on all of :math:`\\mathbb{Z}^d`
(a hash of operand name, seed and index), so only a sum's guard decides which
entries count: a rewrite that drops or shifts a range constraint changes the
value. A sum's points are enumerated with numpy one variable at a time, each
within the bounds the guard gives it once the earlier ones are fixed (a
Kronecker delta fixes a variable to one value), so the work is the number of
points, not the volume of a bounding box; every enumeration is guarded
before it is allocated (:func:`symconv.core.limits.guard`, ``memory_bytes``).
The values are exact (int64 with small entries, far from overflow at the
sizes used; sizes beyond 64-bit integers are refused).

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

from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.limits import guard
from symconv.proofs._compiled import MAX_MAGNITUDE, at, size_int, small_plan
from symconv.proofs._iverson import EQ, Constraint, Context, Derivative, Expr, Pointwise, Side, Sum

__all__ = ["array_values", "linear_forms", "monomials", "random_sizes", "values"]

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
    # compiled once per expression to integer polynomial terms (the replay's hot path; exact, as subs)
    return size_int(e, sizes)


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


#: How an exact evaluation too large to run is refused, and what to do instead.
_ALTERNATIVE = "the general method (method='general') proves every size at once; or choose smaller sizes"
#: Beyond this magnitude an index or size is not evaluated in 64-bit integers.
_MAX_MAGNITUDE = MAX_MAGNITUDE


def _guard_points(npts: int, ncols: int) -> None:
    """Refuse (before allocating) ``npts`` points of ``ncols`` int64 columns beyond the memory limit."""
    guard(
        "proof: exact evaluation of an Iverson sum",
        "memory_bytes",
        # each column, its gathered copy and the filters: about four int64 arrays per column
        npts * max(1, ncols) * 8 * 4,
        f"bytes ({npts:,} index points)",
        alternative=_ALTERNATIVE,
    )


def _grid(box: Mapping[str, tuple[int, int]], names: Sequence[str]) -> dict[str, np.ndarray]:
    sizes = [max(0, box[n][1] - box[n][0] + 1) for n in names]
    total = 1
    for s in sizes:
        total *= s
    _guard_points(total, len(names))
    _check_magnitude([v for n in names for v in box[n]])
    grids = np.indices(sizes, dtype=np.int64).reshape(len(names), -1) if names else np.zeros((0, 1), np.int64)
    return {n: grids[i] + box[n][0] for i, n in enumerate(names)}


def _check_magnitude(values: Sequence[int]) -> None:
    big = [v for v in values if abs(v) >= _MAX_MAGNITUDE]
    if big:
        raise SymconvError(
            f"proof: an index or size of about {abs(big[0]):.3g} is beyond exact 64-bit evaluation; "
            "a symbolic parameter (padding='p') proves every value at once"
        )


Row = tuple[dict[str, int], int, str]


def _range(
    v: str, rows: Sequence[Row], env: Mapping[str, np.ndarray], box: Mapping[str, tuple[int, int]], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per point of ``env``: the bounds of ``v`` from every constraint on ``v`` and the fixed variables only."""
    lo = np.full(n, box[v][0], dtype=np.int64)
    hi = np.full(n, box[v][1], dtype=np.int64)
    for coeffs, const, op in rows:
        a = coeffs.get(v, 0)
        if a == 0 or any(u not in env for u, b in coeffs.items() if b and u != v):
            continue
        rest = np.full(n, const, dtype=np.int64)
        for u, b in coeffs.items():
            if b and u != v:
                rest = rest + b * env[u]
        if op == EQ:  # a·v + rest = 0
            exact = rest % abs(a) == 0
            val = -rest // a
            lo = np.where(exact, np.maximum(lo, val), hi + 1)
            hi = np.where(exact, np.minimum(hi, val), hi)
        elif a > 0:  # v ≥ ⌈−rest / a⌉
            lo = np.maximum(lo, -(rest // a))
        else:  # v ≤ ⌊rest / −a⌋
            hi = np.minimum(hi, rest // (-a))
    return lo, hi


def _enumerate(rows: Sequence[Row], names: Sequence[str], box: Mapping[str, tuple[int, int]]) -> tuple[dict, int]:
    """The integer points of the constraints, one variable at a time (no box of the whole product).

    Each step adds the variable with the fewest values given the ones fixed so
    far (bounds from every constraint that involves only those), guarded
    before it is allocated; the remaining constraints filter at the end.
    """
    _check_magnitude([abs(c) for coeffs, const, _ in rows for c in (const, *coeffs.values())])
    _check_magnitude([v for n in names for v in box[n]])
    env: dict[str, np.ndarray] = {}
    n = 1
    remaining = list(names)
    while remaining:
        best: tuple[int, str, np.ndarray, np.ndarray] | None = None
        for v in remaining:
            lo, hi = _range(v, rows, env, box, n)
            cnt = np.maximum(hi - lo + 1, 0)
            total = int(cnt.sum(dtype=np.int64)) if n else 0
            if best is None or total < best[0]:
                best = (total, v, lo, cnt)
        assert best is not None
        total, v, lo, cnt = best
        _guard_points(total, len(env) + 1)
        idx = np.repeat(np.arange(n, dtype=np.int64), cnt)
        starts = np.cumsum(cnt) - cnt
        vals = lo[idx] + (np.arange(total, dtype=np.int64) - starts[idx])
        env = {k: a[idx] for k, a in env.items()}
        env[v] = vals
        n = total
        remaining.remove(v)
    mask = np.ones(n, dtype=bool)
    for coeffs, const, op in rows:
        val = np.full(n, const, dtype=np.int64)
        for u, a in coeffs.items():
            val = val + a * env[u]
        mask &= (val == 0) if op == EQ else (val >= 0)
    return {k: a[mask] for k, a in env.items()}, int(mask.sum())


def _peak(a: np.ndarray) -> int:
    """The largest magnitude in ``a`` (a Python integer: never wraps)."""
    return max(abs(int(a.max())), abs(int(a.min()))) if a.size else 0


def _eval_affine(a: Affine, env: Mapping[str, np.ndarray], sizes: Mapping[sympy.Symbol, int], n: int) -> np.ndarray:
    const = _int(a.const, sizes)
    terms = [(_int(c, sizes), env[v]) for v, c in a.coeffs]
    # bound |index| in Python integers first: int64 arithmetic wraps silently (2^24·2^40 would read x[0])
    top = abs(const) + sum(abs(c) * _peak(x) for c, x in terms)
    _check_magnitude([top])
    out = np.full(n, const, dtype=np.int64)
    for c, x in terms:
        out = out + c * x
    return out


def _free_box(ctx: Context, sizes: Mapping[sympy.Symbol, int]) -> dict[str, tuple[int, int]]:
    cons = [(*_linear(c, sizes), c.op) for c in ctx.assumptions if set(c.expr.variables) <= set(ctx.free)]
    return _bounds(cons, ctx.free)


def _points(
    s: Sum, ctx: Context, sizes: Mapping[sympy.Symbol, int], extra: Sequence[Constraint] = ()
) -> tuple[dict[str, np.ndarray], int]:
    """The points (free + bound variables) where the assumptions and the guard hold.

    Enumerated one variable at a time within bounds from the constraints, so a
    variable fixed by an equality (a Kronecker delta) takes one value per point
    instead of a range, and no product box of all variables is ever built.
    """
    names = list(ctx.free) + [v for v in s.variables if v not in ctx.free]
    cons = [(*_linear(c, sizes), c.op) for c in (*ctx.assumptions, *s.guard, *extra)]
    return _enumerate(cons, names, _bounds(cons, names))


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
        vals = np.asarray(
            arrays[t.operand](idx) if arrays and t.operand in arrays else array_values(t.operand, seed, idx)
        )
        if npts and modulus is None:  # int64 products and totals wrap silently: bound them in Python integers
            _check_magnitude([_peak(prod) * _peak(vals) * npts])
        prod = prod * vals
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
        if _small_monomials(acc, s, ctx, sizes, extra, drop):
            continue
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


def _small_monomials(
    acc: dict[tuple[Any, ...], int],
    s: Sum,
    ctx: Context,
    sizes: Mapping[sympy.Symbol, int],
    extra: Sequence[Constraint],
    drop: int | None,
) -> bool:
    """:func:`monomials` of one sum in Python integers, point by point, where its box is small; False: not small."""
    plan = small_plan(s, ctx, sizes, extra)
    if plan is None or plan.maps is None:
        return False
    names = [t.operand + ("*" if t.conjugate else "") for t in s.factors]
    maps = [(name, axes) for i, (name, axes) in enumerate(zip(names, plan.maps)) if i != drop]
    nfree = len(ctx.free)
    coeff = s.coeff
    if all(len(terms) <= 1 for _, axes in maps for _, terms in axes):  # each axis reads one variable (or none)
        flat = [(name, [(c0, *(terms[0] if terms else (0, 0))) for c0, terms in axes]) for name, axes in maps]
        for p in plan.points():  # every index below 2^62 (the plan is refused otherwise)
            mono = [(name, tuple([c0 + c * p[j] if c else c0 for c0, j, c in axes])) for name, axes in flat]
            mono.sort()
            key = (p[:nfree], tuple(mono))
            acc[key] = acc.get(key, 0) + coeff
        return True
    for p in plan.points():
        mono = [(name, tuple([at(a, p) for a in axes])) for name, axes in maps]
        mono.sort()
        key = (p[:nfree], tuple(mono))
        acc[key] = acc.get(key, 0) + coeff
    return True


def linear_forms(
    side: Expr, ctx: Context, sizes: Mapping[sympy.Symbol, int], operand: str
) -> dict[tuple[Any, ...], dict[tuple[int, ...], int]] | None:
    """``side`` (linear in ``operand``) as one linear form in ``operand``'s entries per free point and entry of
    the other arrays: ``{(free point, other factors): {index of operand: coefficient}}`` (forms whose entries
    all vanish dropped) — the coefficients of :func:`monomials`, grouped, in one pass over the points.

    None where a sum's box is not small (then group :func:`monomials` instead). A term without exactly one
    factor ``operand`` (a conjugated one is another variable) is refused.
    """
    forms: dict[tuple[Any, ...], dict[tuple[int, ...], int]] = {}
    nfree = len(ctx.free)
    for s in side.sums:
        plan = small_plan(s, ctx, sizes)
        if plan is None or plan.maps is None:
            return None
        names = plan.factors
        hits = [i for i, n in enumerate(names) if n == operand]
        if len(hits) != 1:
            raise SymconvError(
                f"proof: an 'only if' instance check needs one factor {operand} per term; got {len(hits)}"
            )
        coeff, wi = s.coeff, hits[0]
        if plan.reads is not None:  # the indices each factor reads, per point (kept with the plan)
            rest_i = [i for i in range(len(names)) if i != wi]
            for p, idx in plan.reads:
                rest = [(names[i], idx[i]) for i in rest_i]
                if len(rest) > 1:
                    rest.sort()  # the other factors in the order of a monomial
                form = forms.setdefault((p[:nfree], tuple(rest)), {})
                w = idx[wi]
                form[w] = form.get(w, 0) + coeff
            continue
        fns = plan.evaluators
        assert fns is not None
        wat = fns[hits[0]]
        others = [(n, fn) for i, (n, fn) in enumerate(zip(names, fns)) if i != hits[0]]
        coeff = s.coeff
        if len(others) == 1:  # one other factor (x·w): no order to restore
            ((n1, f1),) = others
            for p in plan.points():
                form = forms.setdefault((p[:nfree], ((n1, f1(p)),)), {})
                w = wat(p)
                form[w] = form.get(w, 0) + coeff
            continue
        for p in plan.points():
            rest = [(n, fn(p)) for n, fn in others]
            rest.sort()  # the other factors in the order of a monomial
            form = forms.setdefault((p[:nfree], tuple(rest)), {})
            w = wat(p)
            form[w] = form.get(w, 0) + coeff
    return {k: f for k, f in forms.items() if any(f.values())}


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


#: Contexts whose random search came up empty once: go straight to the derived sizes.
_FUTILE: set[tuple[Any, ...]] = set()


def random_sizes(
    ctx: Context, rng: np.random.Generator, max_size: int = 4, tries: int = 500
) -> dict[sympy.Symbol, int]:
    """Random positive integer sizes ≤ ``max_size`` satisfying the parameter-only assumptions.

    Where the draws find none (the assumptions need larger sizes, e.g. a
    stride of 11 with a free index below ``N − 11``), one of the generic sizes
    DERIVED from the assumptions (:func:`symconv.proofs._sizes.derive_sizes`)
    instead: a valid statement never fails for want of a search.
    """
    from symconv.proofs._sizes import derive_sizes

    only = [c for c in ctx.assumptions if not c.expr.variables]
    key = (ctx.params, ctx.free, ctx.assumptions, max_size)
    if key not in _FUTILE:
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
                    if ctx.free and any(lo > hi for lo, hi in _free_box(ctx, sizes).values()):
                        continue
                except SymconvError:
                    continue
                return sizes
        if len(_FUTILE) > 4096:  # a long session: forget, at worst search once more
            _FUTILE.clear()
        _FUTILE.add(key)
    derived = derive_sizes(ctx, 3)
    return derived[int(rng.integers(len(derived)))]
