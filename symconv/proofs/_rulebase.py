"""What every rule shares: :class:`RuleError`, :class:`Condition`, the scoping guard and small helpers.

See :mod:`symconv.proofs._rules` for the rules themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.proofs._iverson import Context, Derivative, Expr, Hypothesis, Pointwise, Side, Sum
from symconv.proofs._scope import context_problems, fresh, problems
from symconv.proofs._solver import Verdict

__all__ = ["MAX_MATRIX", "MAX_MINORS", "MAX_SYMBOLIC_MATRIX", "Condition", "RuleError", "determinant"]

#: The largest square matrix of integer coefficients whose determinant a rule computes (exact, quick).
MAX_MATRIX = 64
#: The largest one with symbolic entries (a stride ``s``, a channel count ``C``): the exact polynomial
#: determinant of a dense 12×12 takes about 2 s, of a 24×24 minutes; the library's reach 6 variables.
MAX_SYMBOLIC_MATRIX = 12
#: The most square minors an injectivity check tries before it asks the solver instead.
MAX_MINORS = 32


class RuleError(SymconvError):
    """A rule's side condition does not hold (``counterexample`` when the solver found one)."""

    def __init__(self, message: str, counterexample: Mapping[str, int] | None = None) -> None:
        if counterexample:
            message += "; counterexample: " + ", ".join(f"{k}={v}" for k, v in counterexample.items())
        super().__init__(message)
        self.counterexample = dict(counterexample) if counterexample else None


@dataclass(frozen=True)
class Condition:
    """One side condition as checked: what it says and the solver's verdict."""

    text: str
    status: str
    seconds: float = 0.0
    bounded: str | None = None


_Rule = Callable[..., tuple[Side, tuple[Condition, ...]]]


def _scoped(rule: _Rule) -> _Rule:
    """The rule, refusing a context, ``before``, argument or ``after`` that is not well scoped."""
    name = rule.__name__

    @functools.wraps(rule)
    def run(before: Side, ctx: Context, **args: Any) -> tuple[Side, tuple[Condition, ...]]:
        if not isinstance(ctx, Context):
            raise RuleError(f"{name}: the context must be a Context; got {type(ctx).__name__}")
        msg = context_problems(ctx) or problems(before, ctx)
        for key in ("claim", "hypothesis"):
            arg = args.get(key)
            if not msg and isinstance(arg, (Expr, Derivative, Pointwise, Hypothesis)):
                msg = problems(arg, ctx)
        if msg:
            raise RuleError(f"{name}: {msg}")
        after, conds = rule(before, ctx, **args)
        msg = problems(after, ctx)
        if msg:
            raise RuleError(f"{name}: the result is not well scoped: {msg}")
        return after, conds

    return run


def _names_in_use(ctx: Context, *variables: Sequence[str]) -> set[str]:
    """Every name a new variable must avoid: parameters, free indices and the given variables."""
    return {p.name for p in ctx.params} | set(ctx.free) | {v for vs in variables for v in vs}


def _apart(h: Hypothesis, used: set[str]) -> Hypothesis:
    """The hypothesis with its variables renamed apart from ``used`` (the same statement: they are bound)."""
    new: list[str] = []
    for v in h.variables:
        new.append(fresh(v, used | set(new) | (set(h.variables) - {v})))
    if new == list(h.variables):
        return h
    m = {o: Affine.var(n) for o, n in zip(h.variables, new)}
    return replace(
        h,
        variables=tuple(new),
        domain=tuple(c.substitute(m) for c in h.domain),
        lhs=tuple(a.substitute(m) for a in h.lhs),
        rhs=tuple(a.substitute(m) for a in h.rhs),
    )


def _condition(text: str, v: Verdict) -> Condition:
    if not v.ok:
        hint = "" if v.status == "refuted" else " (solver: unknown, bounded check failed)"
        raise RuleError(f"side condition fails: {text}{hint}", v.counterexample)
    return Condition(text, v.status, v.seconds, v.bounded)


def _expr(before: Side, rule: str) -> Expr:
    if not isinstance(before, Expr):
        raise RuleError(f"{rule}: applies to a sum, not to a {type(before).__name__}")
    return before


def _sum(e: Expr, i: int, rule: str) -> Sum:
    if not 0 <= i < len(e.sums):
        raise RuleError(f"{rule}: `sum` (={i}) must index one of the {len(e.sums)} sums")
    return e.sums[i]


def _unit(c: sympy.Expr) -> int | None:
    c = as_expr(c)
    if c.is_Integer and int(c) in (1, -1):
        return int(c)
    return None


def _solve_partial(
    pattern: Sequence[Affine], target: Sequence[Affine], unknowns: Sequence[str]
) -> dict[str, Affine] | None:
    """Solve ``pattern(u) = target`` axis by axis (one unknown with coefficient ±1 each); unknowns the pattern
    does not read stay unsolved. Every equation must hold after the substitution."""
    sol: dict[str, Affine] = {}
    for p, t in zip(pattern, target):
        p2 = p.substitute(sol)
        unk = [v for v in p2.variables if v in unknowns and v not in sol]
        if not unk:
            if p2 != t:
                return None
            continue
        if len(unk) != 1:
            return None
        u = _unit(p2.coeff(unk[0]))
        if u is None:
            return None
        sol[unk[0]] = (t - (p2 - Affine.var(unk[0]) * u)) * u
    if len(pattern) != len(target) or any(p.substitute(sol) != t for p, t in zip(pattern, target)):
        return None
    return sol


def determinant(rows: Sequence[Sequence[sympy.Expr]], what: str) -> sympy.Expr:
    """The exact determinant of integer-polynomial entries, expanded (a polynomial in the parameters).

    Computed over the polynomial ring ℤ[parameters, floor/Mod atoms] (sympy's ``DomainMatrix``), never by
    expression elimination, whose swell takes minutes at 8×8; a matrix beyond :data:`MAX_MATRIX` (integer) or
    :data:`MAX_SYMBOLIC_MATRIX` (symbolic entries) is refused,
    so a certificate cannot make a rule compute for hours.
    """
    n = len(rows)
    if n == 0:
        return sympy.Integer(1)
    if any(len(r) != n for r in rows):
        raise RuleError(f"{what}: a {n}×{len(rows[0])} matrix of coefficients is not square")
    m = sympy.Matrix([[as_expr(c) for c in r] for r in rows])
    numeric = all(c.is_Integer for c in m)
    top = MAX_MATRIX if numeric else MAX_SYMBOLIC_MATRIX
    if n > top:
        kind = "integer" if numeric else "symbolic"
        raise RuleError(f"{what}: a {n}×{n} matrix of {kind} coefficients; at most {top}×{top} (a bounded check)")
    if numeric:
        return sympy.Integer(m.det(method="bareiss"))
    from sympy.polys.matrices import DomainMatrix

    atoms = sorted(m.atoms(sympy.floor, sympy.Mod), key=str)
    opaque = {a: sympy.Dummy(f"a{i}") for i, a in enumerate(atoms)}
    dm = DomainMatrix.from_Matrix(m.xreplace(opaque))
    det = dm.domain.to_sympy(dm.det())
    return sympy.expand(det.xreplace({d: a for a, d in opaque.items()}))
