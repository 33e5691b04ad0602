r"""Instance sizes DERIVED from a statement's assumptions: the smallest generic sizes, solved for, never sampled.

An instance check is only as strong as its sizes: at a kernel of size 1 a flip
is invisible, with equal sizes on two axes a transposed axis is, with a single
output position an off-by-one read is. So the sizes of the instance and
randomized methods (when none are given) and of the exact instance checks that
complete a general proof are solved for. A size set satisfies every assumption
of the statement on the parameters alone (``N ≥ d(K−1) + 1 − 2p``,
``(N + 2p − d(K−1) − 1) mod s = output_padding``, …), its free indices have
at least one point, and it is as GENERIC as the assumptions allow — each of
these conditions is kept unless the assumptions exclude it:

* every parameter is at least 2;
* parameters differ along axes (``N_0 ≠ N_1``), between roles on one axis
  (``N_0 ≠ K_0``, ``A_0 ≠ B_0 ≠ C_0``), and the hyper-parameters of a 1-D
  statement or given by name (``s``, ``d``, ``p``, channels) from each other;
* every free index takes at least two values, and every further extent
  given (an output size, a loop) is at least 2;
* a later size set differs from the earlier ones in every parameter.

Among those, the smallest total, then the lexicographically smallest — a
unique answer (the same on every run). Parameters that enter non-linearly
(``d·K``, a symbolic modulus ``s``, ``floor(·/s)``) are fixed first by the
same rules from the constraints among themselves; the rest is then integer
linear arithmetic (with ``mod``/``div`` by constants), decided by z3.

>>> import sympy
>>> from symconv.core.affine import Affine
>>> from symconv.proofs._iverson import Constraint, Context
>>> N, K = sympy.Symbol("N", integer=True, positive=True), sympy.Symbol("K", integer=True, positive=True)
>>> ctx = Context((N, K), (), (Constraint.le(Affine.constant(K), Affine.constant(N)),))
>>> [{str(k): v for k, v in s.items()} for s in derive_sizes(ctx, 2)]
[{'N': 3, 'K': 2}, {'N': 4, 'K': 3}]
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import sympy

from symconv.core.affine import as_expr
from symconv.core.errors import SymconvError
from symconv.core.fastsubs import value
from symconv.proofs._iverson import EQ, GE, Constraint, Context, Derivative, Expr

__all__ = ["derive_sizes", "part_extents"]

_AXIS = re.compile(r"([A-Za-z]+)_(\d+)")
#: seconds of z3 one derivation may spend in all (small linear problems: far below this)
_BUDGET_S = 30.0
#: fresh choices of the non-linear parameters tried when the rest has no solution
_RETRIES = 12


class _UnsupportedError(Exception):
    """An expression outside integer linear arithmetic (with mod/div by constants)."""


def _role(p: sympy.Symbol) -> tuple[str, int | None]:
    m = _AXIS.fullmatch(p.name)
    return (m.group(1), int(m.group(2))) if m else (p.name, None)


def _must_differ(a: sympy.Symbol, b: sympy.Symbol) -> bool:
    """Two parameters a generic size set keeps apart: same role on two axes, two roles on one axis, two scalars."""
    (ra, xa), (rb, xb) = _role(a), _role(b)
    if xa is None or xb is None:
        return xa is None and xb is None
    return xa == xb or ra == rb


def _nonlinear(e: Any, out: set[sympy.Symbol]) -> None:
    """Add to ``out`` the parameters of ``e`` that are not in linear position (products, moduli, divisors)."""
    e = as_expr(e)
    if e.is_Atom:
        return
    if e.is_Add:
        for a in e.args:
            _nonlinear(a, out)
    elif e.is_Mul:
        _, rest = e.as_coeff_Mul()
        factors = [f for f in sympy.Mul.make_args(rest) if f.free_symbols]
        if len(factors) > 1:
            out |= e.free_symbols  # type: ignore[arg-type]
        else:
            for f in factors:
                _nonlinear(f, out)
    elif isinstance(e, sympy.Mod):
        a, m = e.args
        out |= m.free_symbols  # type: ignore[arg-type]
        _nonlinear(a, out)
    elif isinstance(e, (sympy.floor, sympy.ceiling)):
        num, den = sympy.fraction(sympy.together(e.args[0]))
        out |= den.free_symbols  # type: ignore[arg-type]
        _nonlinear(sympy.expand(num), out)
    else:
        out |= e.free_symbols  # type: ignore[arg-type]


def _z3(e: Any, env: Mapping[sympy.Symbol, Any]) -> Any:
    """``e`` as a z3 integer term (parameters from ``env``); :class:`_UnsupportedError` outside linear arithmetic."""
    import z3

    e = as_expr(e)
    if e.is_Integer:
        return z3.IntVal(int(e))
    if e.is_Symbol:
        if e not in env:
            raise _UnsupportedError(str(e))
        return env[e]
    if e.is_Add:
        return z3.Sum([_z3(a, env) for a in e.args])
    if e.is_Mul:
        c, rest = e.as_coeff_Mul()
        factors = sympy.Mul.make_args(rest)
        if not c.is_Integer or len(factors) != 1:
            raise _UnsupportedError(str(e))
        return int(c) * _z3(rest, env)
    if isinstance(e, sympy.Mod):
        a, m = e.args
        if not m.is_Integer or int(m) <= 0:
            raise _UnsupportedError(str(e))
        return _z3(a, env) % int(m)
    if isinstance(e, sympy.floor):
        return _floor(e.args[0], env)
    if isinstance(e, sympy.ceiling):
        return -_floor(-e.args[0], env)
    raise _UnsupportedError(str(e))


def _floor(arg: Any, env: Mapping[sympy.Symbol, Any]) -> Any:
    num, den = sympy.fraction(sympy.together(arg))
    if not den.is_Integer or int(den) == 0:
        raise _UnsupportedError(str(arg))
    d = int(den)
    if d < 0:
        num, d = -num, -d
    return _z3(sympy.expand(num), env) / d  # z3 `/` on integers with a positive divisor is the floor


def _integral(e: Any) -> tuple[sympy.Expr, int]:
    """``(e·q, q)``: ``e`` scaled by a positive integer ``q`` making its top-level coefficients integers."""
    e = sympy.expand(as_expr(e))
    q = 1
    for c in e.as_coefficients_dict().values():
        den = sympy.fraction(c)[1]
        if den.is_Integer:
            q = int(sympy.ilcm(q, int(den)))
    return sympy.expand(e * q), q


def _holds(c: Constraint, z: Any) -> Any:
    return z == 0 if c.op == EQ else z >= 0


def _param_term(c: Constraint, env: Mapping[sympy.Symbol, Any], fixed: Mapping[sympy.Symbol, int]) -> Any:
    return _holds(c, _z3(_integral(as_expr(c.expr.const).subs(fixed))[0], env))


def _free_term(
    c: Constraint, env: Mapping[sympy.Symbol, Any], fixed: Mapping[sympy.Symbol, int], point: Mapping[str, Any]
) -> Any:
    import z3

    const, q = _integral(as_expr(c.expr.const).subs(fixed))
    terms = [_z3(const, env)]
    for v, k in c.expr.coeffs:
        kk = as_expr(k).subs(fixed) * q
        if not kk.is_Integer:
            raise _UnsupportedError(str(k))
        terms.append(int(kk) * point[v])
    return _holds(c, z3.Sum(terms))


def _generic(
    params: Sequence[sympy.Symbol], env: Mapping[sympy.Symbol, Any], fixed: Mapping[sympy.Symbol, int]
) -> list[tuple[Any, int]]:
    """Soft genericity conditions ``(term, weight)`` on the parameters in ``env`` (against ``fixed`` ones too)."""
    out: list[tuple[Any, int]] = [(env[p] >= 2, 4) for p in params if p in env]
    known = {**fixed, **env}
    for i, a in enumerate(params):
        for b in params[i + 1 :]:
            if (a in env or b in env) and a in known and b in known and _must_differ(a, b):
                out.append((known[a] != known[b], 2))
    return out


def _solve(
    params: Sequence[sympy.Symbol],
    hard: Sequence[Any],
    soft: Sequence[tuple[Any, int]],
    later: Sequence[tuple[Any, int]],
    env: Mapping[sympy.Symbol, Any],
    deadline: float,
) -> dict[sympy.Symbol, int] | None:
    """The optimum: most genericity, then most difference from earlier sets, then smallest total, then lex-smallest."""
    import z3

    res: Any = None
    for seed in range(3):  # z3's optimizer may answer "unknown" on one seed and solve the same problem on another
        left = deadline - time.monotonic()
        if left <= 0:
            raise SymconvError(f"proof: could not derive instance sizes within {_BUDGET_S:g} s")
        opt = z3.Optimize()
        opt.set("timeout", max(1, int(left * 1000)))
        opt.set("random_seed", seed)
        for h in hard:
            opt.add(h)
        for p in params:
            opt.add(env[p] >= 1)
        for term, w in soft:
            opt.add_soft(term, w, "generic")
        for term, w in later:
            opt.add_soft(term, w, "apart")
        if params:
            opt.minimize(z3.Sum([env[p] for p in params]))
        for p in params:
            opt.minimize(env[p])
        res = opt.check()
        if res == z3.unsat:
            return None
        if res == z3.sat:
            break
    if res != z3.sat:
        why = opt.reason_unknown()
        raise SymconvError(f"proof: could not derive instance sizes within {_BUDGET_S:g} s ({res}: {why})")
    model = opt.model()
    return {p: int(model.eval(env[p], model_completion=True).as_long()) for p in params}


def _satisfied(ctx: Context, sizes: Mapping[sympy.Symbol, int]) -> bool:
    for c in ctx.assumptions:
        if c.expr.variables:
            continue
        v = value(c.expr.const, sizes)
        if v is None or (c.op == EQ and v != 0) or (c.op != EQ and v < 0):
            return False
    return True


@functools.lru_cache(maxsize=256)
def _derive(
    params: tuple[sympy.Symbol, ...],
    free: tuple[str, ...],
    assumptions: tuple[Constraint, ...],
    count: int,
    extents: tuple[sympy.Expr, ...],
) -> tuple[tuple[tuple[sympy.Symbol, int], ...], ...]:
    import z3

    ctx = Context(params, free, assumptions)
    only = [c for c in assumptions if not c.expr.variables]
    with_vars = [c for c in assumptions if c.expr.variables]
    late: set[sympy.Symbol] = set()
    for c in assumptions:
        _nonlinear(c.expr.const, late)
        for _, k in c.expr.coeffs:
            late |= as_expr(k).free_symbols  # type: ignore[arg-type]
    first = [p for p in params if p in late]  # fixed first: they enter non-linearly
    rest = [p for p in params if p not in late]
    # fresh solver names: never a user's name (no capture across scopes)
    env1 = {p: z3.Int(f"param{i}") for i, p in enumerate(params) if p in late}
    env2 = {p: z3.Int(f"param{i}") for i, p in enumerate(params) if p not in late}
    found: list[dict[sympy.Symbol, int]] = []
    deadline = time.monotonic() + _BUDGET_S
    for _ in range(count):
        blocked: list[Any] = []
        sizes = None
        for _attempt in range(_RETRIES):
            fixed: dict[sympy.Symbol, int] = {}
            if first:
                hard1 = list(blocked)
                for c in only:
                    try:
                        hard1.append(_param_term(c, env1, {}))
                    except _UnsupportedError:
                        continue  # non-linear among themselves: decided once the rest is fixed
                apart1 = [(env1[p] != f[p], 1) for f in found for p in first]
                got = _solve(first, hard1, _generic(params, env1, {}), apart1, env1, deadline)
                if got is None:
                    break
                fixed = got
            try:
                hard2 = [_param_term(c, env2, fixed) for c in only]
                pts = [{v: z3.Int(f"free{j}_{i}") for i, v in enumerate(free)} for j in range(2)]
                hard2 += [_free_term(c, env2, fixed, pts[0]) for c in with_vars]
                spread = z3.And(
                    *[_free_term(c, env2, fixed, pts[1]) for c in with_vars], *[pts[0][v] < pts[1][v] for v in free]
                )
            except _UnsupportedError as exc:  # pragma: no cover - every parameter in a non-linear place is fixed first
                raise SymconvError(f"proof: cannot derive instance sizes: {exc} is not linear") from None
            soft2 = _generic(params, env2, fixed) + ([(spread, 2)] if free else [])
            for e in extents:  # every operand, result and loop at least 2 long
                try:
                    soft2.append((_z3(_integral(as_expr(e).subs(fixed) - 2)[0], env2) >= 0, 3))
                except _UnsupportedError:  # non-linear in parameters solved here: a preference we cannot state
                    continue
            for f in found:  # a new set: not an earlier one
                hard2.append(z3.Or(z3.BoolVal(False), *[(env2[p] if p in env2 else fixed[p]) != f[p] for p in params]))
            apart2 = [(env2[p] != f[p], 1) for f in found for p in rest]
            got2 = _solve(rest, hard2, soft2, apart2, env2, deadline)
            if got2 is not None and _satisfied(ctx, {**fixed, **got2}):
                sizes = {p: {**fixed, **got2}[p] for p in params}
                break
            if not first:
                break
            blocked.append(z3.Or(*[env1[p] != fixed[p] for p in first]))
        if sizes is None:
            break
        found.append(sizes)
    return tuple(tuple(s.items()) for s in found)


def derive_sizes(ctx: Context, count: int = 2, extents: Sequence[Any] = ()) -> list[dict[sympy.Symbol, int]]:
    """Up to ``count`` distinct generic size sets satisfying ``ctx``'s assumptions, smallest first.

    ``extents`` are further sizes of the statement (an output size
    ``⌊(N + 2p − d(K−1) − 1)/s⌋ + 1``, a loop's extent) that a generic set
    also keeps at least 2 where it can. Fewer sets when the assumptions admit
    fewer; a :class:`SymconvError` naming the assumptions when they admit none.
    """
    ext = tuple(dict.fromkeys(e for e in map(as_expr, extents) if e.free_symbols))
    got = _derive(tuple(ctx.params), tuple(ctx.free), tuple(ctx.assumptions), int(count), ext)
    if not got:
        only = [str(c) for c in ctx.assumptions if not c.expr.variables]
        raise SymconvError(f"proof: no positive integer sizes satisfy the assumptions {only} with a non-empty domain")
    return [dict(s) for s in got]


def part_extents(part: Any) -> list[Any]:
    """The loop extents the part's sums read (``u`` of every ``0 ≤ v ≤ u − 1`` on a bound variable): kept ≥ 2."""
    out: list[Any] = []
    sides = [part.lhs, part.rhs, *(Expr.of(body) for _, body, _ in part.definitions)]
    for side in sides:
        e = side.expr if isinstance(side, Derivative) else side
        if not isinstance(e, Expr):
            continue
        for s in e.sums:
            for c in s.guard:
                v = c.expr.variables[0] if len(c.expr.variables) == 1 else None
                if c.op == GE and v in s.variables and c.expr.coeff(v) == -1 and as_expr(c.expr.const).free_symbols:
                    out.append(as_expr(c.expr.const) + 1)
    return list(dict.fromkeys(out))
