"""The SMT side of the proofs: implication and equivalence of linear guards, decided by z3.

A guard is a conjunction of :class:`~symconv.proofs._iverson.Constraint`.
Every size parameter is a positive integer; the statement's assumptions
hold. ``implies(ctx, hyps, goal)`` asks z3 whether ``assumptions ∧ hyps ⇒
goal`` for ALL integer values; a model of the negation is a counterexample,
returned as a plain ``dict``. With a numeric stride or dilation this is
linear integer arithmetic (decidable); with symbolic products z3 may answer
"unknown": that is reported as such, and a bounded check (every parameter
``≤ BOUND_PARAMS``, every index ``|v| ≤ BOUND_INDEX``) is run and its bound
stated.

>>> import sympy
>>> from symconv._affine import Affine
>>> from symconv.proofs._iverson import Constraint, Context
>>> N = sympy.Symbol("N", integer=True, positive=True)
>>> m = Affine.var("m")
>>> ctx = Context((N,), ("m",), (Constraint.le(0, m), Constraint.lt(m, N)))
>>> implies(ctx, [], [Constraint.le(m, N)]).status
'proved'
>>> v = implies(ctx, [], [Constraint.le(m, N - 2)])
>>> v.status, v.counterexample
('refuted', {'N': 1, 'm': 0})
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy
import z3

from symconv._affine import Affine, as_expr
from symconv._errors import SymconvError
from symconv.proofs._iverson import EQ, Constraint, Context

__all__ = ["BOUND_INDEX", "BOUND_PARAMS", "Verdict", "equivalent", "implies", "to_z3"]

BOUND_PARAMS = 8
BOUND_INDEX = 40
TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Verdict:
    """The solver's answer: ``proved``, ``refuted`` (with a counterexample) or ``unknown``.

    ``bounded`` says which bounded check stood in for an ``unknown``.
    """

    status: str
    counterexample: dict[str, int] | None = None
    seconds: float = 0.0
    bounded: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Proved outright, or unknown with its bounded check passed."""
        return self.status == "proved" or (self.status == "unknown" and self.bounded is not None)


def to_z3(e: sympy.Expr, env: Mapping[str, Any]) -> Any:
    """Translate a sympy expression over size parameters (``+ · ^ floor Mod``) to z3."""
    e = as_expr(e)
    if e.is_Integer:
        return z3.IntVal(int(e))
    if e.is_Symbol:
        return env[e.name]
    if isinstance(e, sympy.Add):
        out = to_z3(e.args[0], env)
        for a in e.args[1:]:
            out = out + to_z3(a, env)
        return out
    if isinstance(e, sympy.Mul):
        num, den = sympy.fraction(e)
        if den != 1:
            raise SymconvError(f"proof: size expression {e} is not an integer expression")
        out = to_z3(e.args[0], env)
        for a in e.args[1:]:
            out = out * to_z3(a, env)
        return out
    if isinstance(e, sympy.Pow) and e.exp.is_Integer and int(e.exp) > 0:
        base = to_z3(e.base, env)
        out = base
        for _ in range(int(e.exp) - 1):
            out = out * base
        return out
    if isinstance(e, sympy.floor):
        num, den = sympy.fraction(sympy.together(e.args[0]))
        _positive(den, e)  # z3's integer division is Euclidean: it is the floor only for a positive divisor
        return to_z3(sympy.expand(num), env) / to_z3(sympy.expand(den), env)
    if isinstance(e, sympy.Mod):
        _positive(e.args[1], e)  # likewise z3's `%` is sympy's Mod only for a positive modulus
        return to_z3(e.args[0], env) % to_z3(e.args[1], env)
    raise SymconvError(f"proof: cannot translate size expression {e} for the solver")


def _positive(den: Any, e: sympy.Expr) -> None:
    if not as_expr(den).is_positive:
        raise SymconvError(f"proof: the divisor {den} in {e} must be positive for every parameter value")


def _affine(a: Affine, env: Mapping[str, Any]) -> Any:
    out = to_z3(a.const, env)
    for v, c in a.coeffs:
        out = out + to_z3(c, env) * env[v]
    return out


def _constraint(c: Constraint, env: Mapping[str, Any]) -> Any:
    e = _affine(c.expr, env)
    return e == 0 if c.op == EQ else e >= 0


def _names(constraints: Iterable[Constraint]) -> set[str]:
    out: set[str] = set()
    for c in constraints:
        out |= set(c.expr.variables)
    return out


def _check(
    ctx: Context, premises: Sequence[Constraint], negated_goal_builder: Any, names: set[str], bound: bool
) -> tuple[Any, Any]:
    env: dict[str, Any] = {p.name: z3.Int(p.name) for p in ctx.params}
    for n in sorted(names | set(ctx.free)):
        env[n] = z3.Int(n)
    solver = z3.Solver()
    solver.set("timeout", TIMEOUT_MS)
    for p in ctx.params:
        solver.add(env[p.name] >= 1)
        if bound:
            solver.add(env[p.name] <= BOUND_PARAMS)
    if bound:
        for n in names | set(ctx.free):
            solver.add(env[n] >= -BOUND_INDEX, env[n] <= BOUND_INDEX)
    for c in (*ctx.assumptions, *premises):
        solver.add(_constraint(c, env))
    solver.add(negated_goal_builder(env))
    return solver.check(), (solver, env)


def _solve(ctx: Context, premises: Sequence[Constraint], neg: Any, names: set[str]) -> Verdict:
    t0 = time.perf_counter()
    res, (solver, env) = _check(ctx, premises, neg, names, bound=False)
    if res == z3.unsat:
        return Verdict("proved", seconds=time.perf_counter() - t0)
    if res == z3.sat:
        model = solver.model()
        cex = {k: model.eval(v, model_completion=True).as_long() for k, v in sorted(env.items())}
        return Verdict("refuted", cex, time.perf_counter() - t0)
    res2, (solver2, env2) = _check(ctx, premises, neg, names, bound=True)
    seconds = time.perf_counter() - t0
    if res2 == z3.unsat:
        return Verdict("unknown", None, seconds, f"parameters ≤ {BOUND_PARAMS}, |indices| ≤ {BOUND_INDEX}")
    if res2 == z3.sat:
        model = solver2.model()
        cex = {k: model.eval(v, model_completion=True).as_long() for k, v in sorted(env2.items())}
        return Verdict("refuted", cex, seconds)
    return Verdict("unknown", None, seconds, None)


def implies(
    ctx: Context, hyps: Sequence[Constraint], goal: Sequence[Constraint], exists: Sequence[str] = ()
) -> Verdict:
    """Does ``assumptions ∧ hyps ⇒ goal`` hold for all integers (parameters ≥ 1)?

    With ``exists``, those variables of the goal are existentially quantified:
    ``assumptions ∧ hyps ⇒ ∃ exists: goal`` (a witness, not a universal claim).
    """
    names = (_names(hyps) | _names(goal)) - set(exists)

    def neg(env: Mapping[str, Any]) -> Any:
        if not exists:
            return z3.Not(z3.And(*[_constraint(c, env) for c in goal]))
        inner = {**env, **{v: z3.Int(v) for v in exists}}
        return z3.Not(z3.Exists([inner[v] for v in exists], z3.And(*[_constraint(c, inner) for c in goal])))

    return _solve(ctx, hyps, neg, names)


def equivalent(ctx: Context, a: Sequence[Constraint], b: Sequence[Constraint]) -> Verdict:
    """Are the guards ``a`` and ``b`` equivalent under the assumptions?

    A counterexample carries ``"side"``: which guard holds there (``1`` for
    ``a`` only, ``2`` for ``b`` only) in ``detail``.
    """
    names = _names(a) | _names(b)

    def neg(env: Mapping[str, Any]) -> Any:
        return z3.And(*[_constraint(c, env) for c in a]) != z3.And(*[_constraint(c, env) for c in b])

    v = _solve(ctx, [], neg, names)
    if v.counterexample is not None:
        env_vals = {k: sympy.Integer(val) for k, val in v.counterexample.items()}
        in_a = all(_holds(c, env_vals) for c in a)
        v.detail["side"] = 1 if in_a else 2
    return v


def _holds(c: Constraint, values: Mapping[str, sympy.Integer]) -> bool:
    e = c.expr.const.subs({sympy.Symbol(k, integer=True, positive=True): v for k, v in values.items()})
    e = e.subs({s: values[s.name] for s in e.free_symbols if s.name in values})
    total = sympy.Integer(e)
    for var, coef in c.expr.coeffs:
        cv = coef.subs({s: values[s.name] for s in coef.free_symbols if s.name in values})
        total += sympy.Integer(cv) * values[var]
    return bool(total == 0) if c.op == EQ else bool(total >= 0)
