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

Names never reach the solver: every query numbers its own z3 constants, size
parameters and index variables in separate namespaces, and a variable bound
by an existential is a new constant that shadows only that variable. So an
index variable called ``N`` is never the size parameter ``N``:

>>> import sympy
>>> from symconv.core.affine import Affine
>>> from symconv.proofs._iverson import Constraint, Context
>>> N = sympy.Symbol("N", integer=True, positive=True)
>>> m = Affine.var("m")
>>> ctx = Context((N,), ("m",), (Constraint.le(0, m), Constraint.lt(m, N)))
>>> implies(ctx, [], [Constraint.le(m, N)]).status
'proved'
>>> v = implies(ctx, [], [Constraint.le(m, N - 2)])
>>> v.status, v.counterexample
('refuted', {'N': 1, 'm': 0})
>>> implies(Context((N,), ("N",), ()), [], [Constraint.le(Affine.var("N"), N)]).status
'refuted'

A whole replay may spend at most :func:`budget` seconds of solver time (the
limit ``solver_seconds`` of :mod:`symconv.core.limits`); past it every query
raises :class:`SolverBudgetError` instead of answering.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.proofs._iverson import EQ, Constraint, Context

__all__ = [
    "BOUND_INDEX",
    "BOUND_PARAMS",
    "SolverBudgetError",
    "Verdict",
    "budget",
    "equivalent",
    "implies",
    "to_z3",
]


class _LazyZ3:
    """z3, imported on first use: importing the prover (``symconv.proofs``) or checking instances costs no z3."""

    def __getattr__(self, name: str) -> Any:
        import z3 as module

        globals()["z3"] = module
        return getattr(module, name)


z3: Any = _LazyZ3()

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


# -- the time budget ------------------------------------------------------------


class SolverBudgetError(SymconvError):
    """The solver time allowed (:func:`budget`) is spent: the question was not decided."""


@dataclass
class Budget:
    """Seconds of solver time allowed and spent so far."""

    seconds: float
    spent: float = 0.0


_budgets: list[Budget] = []


@contextmanager
def budget(seconds: float) -> Iterator[Budget]:
    """Allow the queries of the ``with`` block at most ``seconds`` of solver time in all.

    >>> with budget(60) as b:
    ...     _ = implies(Context((), ("m",), ()), [], [Constraint.le(Affine.var("m"), Affine.var("m"))])
    >>> 0 <= b.spent < 60
    True
    """
    b = Budget(float(seconds))
    _budgets.append(b)
    try:
        yield b
    finally:
        _budgets.remove(b)


def _timeout_ms() -> tuple[int, bool]:
    """(the timeout of the next query, whether a budget rather than TIMEOUT_MS sets it)."""
    ms, limited = TIMEOUT_MS, False
    for b in _budgets:
        left = b.seconds - b.spent
        if left <= 0:
            raise SolverBudgetError(
                f"solver: the time budget of {b.seconds:g} s is spent (raise it with "
                "symconv.limits(solver_seconds=...) or SYMCONV_LIMIT_SOLVER_SECONDS)"
            )
        if left * 1000 < ms:
            ms, limited = max(1, int(left * 1000)), True
    return ms, limited


def _charge(seconds: float) -> None:
    for b in _budgets:
        b.spent += seconds


# -- translation ------------------------------------------------------------------


def to_z3(e: sympy.Expr, env: Mapping[str, Any]) -> Any:
    """Translate a sympy expression over size parameters (``+ · ^ floor Mod``) to z3; ``env`` maps their names."""
    e = as_expr(e)
    if e.is_Integer:
        return z3.IntVal(int(e))
    if e.is_Symbol:
        if e.name not in env:
            raise SymconvError(f"proof: `{e.name}` is not a size parameter of the statement")
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


class _Scope:
    """The z3 constants of one query: size parameters and index variables kept apart, every constant new.

    Constants are named by a counter of the query (``p0``, ``v3`` …), never by the names in a statement,
    so no two scopes can meet through a name.
    """

    def __init__(self, params: Sequence[sympy.Symbol], variables: Iterable[str], counter: Any = None) -> None:
        self._counter = counter if counter is not None else itertools.count()
        self.params: dict[str, Any] = {p.name: z3.Int(f"p{next(self._counter)}") for p in params}
        self.vars: dict[str, Any] = {v: z3.Int(f"v{next(self._counter)}") for v in sorted(set(variables))}

    def inner(self, bound: Sequence[str]) -> _Scope:
        """A nested scope whose ``bound`` variables are new constants (shadowing the outer ones)."""
        out = _Scope((), (), self._counter)
        out.params = self.params
        out.vars = {**self.vars, **{v: z3.Int(f"v{next(self._counter)}") for v in bound}}
        return out

    def affine(self, a: Affine) -> Any:
        out = to_z3(a.const, self.params)
        for v, c in a.coeffs:
            if v not in self.vars:
                raise SymconvError(f"proof: index variable `{v}` is neither bound nor free here")
            out = out + to_z3(c, self.params) * self.vars[v]
        return out

    def constraint(self, c: Constraint) -> Any:
        e = self.affine(c.expr)
        return e == 0 if c.op == EQ else e >= 0

    def values(self, model: Any) -> dict[str, int]:
        """A model as ``{name: value}``; an index variable named like a parameter is told apart."""
        out = {k: model.eval(v, model_completion=True).as_long() for k, v in self.params.items()}
        for k, v in self.vars.items():
            out[k if k not in self.params else f"{k} (index)"] = model.eval(v, model_completion=True).as_long()
        return dict(sorted(out.items()))


def _names(constraints: Iterable[Constraint]) -> set[str]:
    out: set[str] = set()
    for c in constraints:
        out |= set(c.expr.variables)
    return out


def _check(
    ctx: Context, premises: Sequence[Constraint], negated_goal_builder: Any, names: set[str], bound: bool
) -> tuple[Any, Any]:
    scope = _Scope(ctx.params, names | set(ctx.free))
    solver = z3.Solver()
    ms, limited = _timeout_ms()
    solver.set("timeout", ms)
    for p in scope.params.values():
        solver.add(p >= 1)
        if bound:
            solver.add(p <= BOUND_PARAMS)
    if bound:
        for v in scope.vars.values():
            solver.add(v >= -BOUND_INDEX, v <= BOUND_INDEX)
    for c in (*ctx.assumptions, *premises):
        solver.add(scope.constraint(c))
    solver.add(negated_goal_builder(scope))
    t0 = time.perf_counter()
    try:
        res = solver.check()
    finally:
        _charge(time.perf_counter() - t0)
    if res == z3.unknown and limited:
        _timeout_ms()  # the budget, not the question, stopped the solver: say so
    return res, (solver, scope)


def _solve(
    ctx: Context,
    premises: Sequence[Constraint],
    neg: Any,
    names: set[str],
    probe: Callable[[Any, _Scope], dict[str, Any]] | None = None,
) -> Verdict:
    t0 = time.perf_counter()
    res, (solver, scope) = _check(ctx, premises, neg, names, bound=False)
    if res == z3.unsat:
        return Verdict("proved", seconds=time.perf_counter() - t0)
    if res == z3.sat:
        model = solver.model()
        detail = probe(model, scope) if probe else {}
        return Verdict("refuted", scope.values(model), time.perf_counter() - t0, detail=detail)
    res2, (solver2, scope2) = _check(ctx, premises, neg, names, bound=True)
    seconds = time.perf_counter() - t0
    if res2 == z3.unsat:
        return Verdict("unknown", None, seconds, f"parameters ≤ {BOUND_PARAMS}, |indices| ≤ {BOUND_INDEX}")
    if res2 == z3.sat:
        model = solver2.model()
        detail = probe(model, scope2) if probe else {}
        return Verdict("refuted", scope2.values(model), seconds, detail=detail)
    return Verdict("unknown", None, seconds, None)


def implies(
    ctx: Context, hyps: Sequence[Constraint], goal: Sequence[Constraint], exists: Sequence[str] = ()
) -> Verdict:
    """Does ``assumptions ∧ hyps ⇒ goal`` hold for all integers (parameters ≥ 1)?

    With ``exists``, those variables of the goal are existentially quantified:
    ``assumptions ∧ hyps ⇒ ∃ exists: goal`` (a witness, not a universal claim).
    They are new variables of the goal alone: a size parameter, a free index or
    a variable of ``hyps`` with the same name is a different quantity.
    """
    names = _names(hyps) | (_names(goal) - set(exists))

    def neg(scope: _Scope) -> Any:
        if not exists:
            return z3.Not(z3.And(*[scope.constraint(c) for c in goal]))
        inner = scope.inner(exists)
        body = z3.And(*[inner.constraint(c) for c in goal])
        return z3.Not(z3.Exists([inner.vars[v] for v in exists], body))

    return _solve(ctx, hyps, neg, names)


def equivalent(ctx: Context, a: Sequence[Constraint], b: Sequence[Constraint]) -> Verdict:
    """Are the guards ``a`` and ``b`` equivalent under the assumptions?

    A counterexample carries ``"side"``: which guard holds there (``1`` for
    ``a`` only, ``2`` for ``b`` only) in ``detail``.
    """
    names = _names(a) | _names(b)

    def neg(scope: _Scope) -> Any:
        return z3.And(*[scope.constraint(c) for c in a]) != z3.And(*[scope.constraint(c) for c in b])

    def side(model: Any, scope: _Scope) -> dict[str, Any]:
        in_a = z3.is_true(model.eval(z3.And(*[scope.constraint(c) for c in a]), model_completion=True))
        return {"side": 1 if in_a else 2}

    return _solve(ctx, [], neg, names, side)
