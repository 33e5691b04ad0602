"""Named rewrite rules: each a small function ``rule(before, ctx, **args) -> (after, conditions)``.

A rule checks its own side conditions (with the solver where they are about
guards) and raises :class:`RuleError` when one fails, with the solver's
counterexample where there is one. Rules never trust their caller: the replay
(:meth:`symconv.Proof.check`) calls them again on each step's ``before``.
Every rule refuses a ``before``, an argument or an ``after`` that is not well
scoped (:mod:`symconv.proofs._scope`: a bound variable named like a size
parameter or a free index, a variable used outside its sum), and renames the
variables it brings in (a hypothesis', a twin for injectivity) apart from
every name in use, so no rule can capture a name.

>>> import sympy
>>> from symconv.core.affine import Affine
>>> from symconv.proofs._iverson import Constraint, Context, Expr, Sum, Term
>>> n, k, m = Affine.var("n"), Affine.var("k"), Affine.var("m")
>>> s = Sum(("n", "k"), (Constraint.eq(n + k, m),), (Term("g", (n,)), Term("w", (k,))))
>>> after, _ = collapse_kronecker_delta(Expr.of(s), Context((), ("m",), ()), sum=0, var="k")
>>> [str(t) for t in after.sums[0].factors]
['g[n]', 'w[m - n]']
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.proofs._iverson import EQ, Constraint, Context, Derivative, Expr, Hypothesis, Pointwise, Side, Sum, Term
from symconv.proofs._scope import context_problems, fresh, problems
from symconv.proofs._solver import Verdict, equivalent, implies

__all__ = [
    "RULES",
    "Condition",
    "RuleError",
    "apply_hypothesis",
    "collapse_kronecker_delta",
    "compare_coefficients",
    "definition",
    "differentiate_under_sum",
    "entails_hypothesis",
    "equal",
    "reindex",
    "swap_sums",
    "unify",
]


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


@_scoped
def differentiate_under_sum(before: Side, ctx: Context) -> tuple[Side, tuple[Condition, ...]]:
    r"""Chain rule under the sum, then :math:`\partial a[\phi(v)] / \partial a[m] = \delta_{\phi(v), m}`.

    Side condition: the expression is linear in the array (it occurs exactly
    once, unconjugated, in every term).
    """
    if not isinstance(before, Derivative):
        raise RuleError("differentiate_under_sum: applies to a derivative")
    out = []
    for s in before.expr.sums:
        hits = [i for i, t in enumerate(s.factors) if t.operand == before.operand]
        if len(hits) != 1 or s.factors[hits[0]].conjugate:
            raise RuleError(
                f"differentiate_under_sum: `{before.operand}` must occur exactly once, unconjugated, in every term; "
                f"got {len(hits)} occurrence(s)"
            )
        t = s.factors[hits[0]]
        clash = set(s.variables) & set(ctx.free)
        if clash:
            raise RuleError(f"differentiate_under_sum: bound variables {sorted(clash)} clash with free indices")
        guard = s.guard + tuple(Constraint.eq(a, b) for a, b in zip(t.index, before.index))
        out.append(Sum(s.variables, guard, s.factors[: hits[0]] + s.factors[hits[0] + 1 :], s.coeff))
    cond = Condition(f"linear in {before.operand}: one unconjugated factor per term", "checked")
    return Expr(tuple(out)), (cond,)


@_scoped
def collapse_kronecker_delta(before: Side, ctx: Context, *, sum: int, var: str) -> tuple[Side, tuple[Condition, ...]]:
    r"""Sift a delta: :math:`\sum_v [v = a]\, f(v) = f(a)` for a variable with coefficient ±1.

    Side condition: some equality of the guard has ``var`` with coefficient
    ±1, so its solution is an integer for every value of the others.
    """
    e = _expr(before, "collapse_kronecker_delta")
    s = _sum(e, sum, "collapse_kronecker_delta")
    if var not in s.variables:
        raise RuleError(
            f"collapse_kronecker_delta: `var` (={var!r}) must be a bound variable of the sum; got {s.variables}"
        )
    for c in s.guard:
        if c.op != EQ:
            continue
        u = _unit(c.expr.coeff(var))
        if u is None:
            continue
        # u·var + rest = 0  ⇒  var = -u·rest
        rest = c.expr - Affine.var(var) * u
        value = rest * (-u)
        guard = tuple(g for g in s.guard if g is not c)
        new = Sum(
            tuple(v for v in s.variables if v != var),
            tuple(g.substitute({var: value}) for g in guard),
            tuple(t.substitute({var: value}) for t in s.factors),
            s.coeff,
        )
        cond = Condition(f"{var} has coefficient {u} in {c.expr} = 0", "checked")
        return e.replace_sum(sum, new), (cond,)
    raise RuleError(f"collapse_kronecker_delta: no equality in the guard has `{var}` with coefficient ±1")


def _jacobian_det(mapping: Mapping[str, Affine], old: Sequence[str], new: Sequence[str]) -> sympy.Expr:
    rows = [[mapping[o].coeff(n) for n in new] for o in old]
    return sympy.Matrix(rows).det() if rows else sympy.Integer(1)


@_scoped
def reindex(
    before: Side, ctx: Context, *, sum: int, mapping: Mapping[str, Affine], variables: Sequence[str]
) -> tuple[Side, tuple[Condition, ...]]:
    r"""Substitute every bound variable by an affine map of new variables: a bijection of :math:`\mathbb{Z}^V`.

    Side condition: the map is unimodular (a Jacobian of integers — numbers,
    or integer expressions in the parameters such as a channel count ``C`` —
    whose determinant is identically ±1), and the new variables are fresh.
    """
    e = _expr(before, "reindex")
    s = _sum(e, sum, "reindex")
    if set(mapping) != set(s.variables) or len(variables) != len(s.variables):
        raise RuleError(f"reindex: `mapping` must give every bound variable {s.variables}; got {sorted(mapping)}")
    if set(variables) & set(ctx.free):
        raise RuleError(f"reindex: new variables {list(variables)} clash with free indices {ctx.free}")
    for o in s.variables:
        extra = set(mapping[o].variables) - set(variables) - set(ctx.free)
        if extra:
            raise RuleError(f"reindex: the image of `{o}` uses unknown variables {sorted(extra)}")
        for n in variables:
            # an integer for every parameter value: a number, or a polynomial / floor in the (integer) parameters
            if as_expr(mapping[o].coeff(n)).is_integer is not True:
                raise RuleError(f"reindex: coefficient of `{n}` in the image of `{o}` must be an integer")
        if as_expr(mapping[o].const).is_integer is not True:
            raise RuleError(f"reindex: the offset {mapping[o].const} in the image of `{o}` must be an integer")
    det = sympy.expand(_jacobian_det(mapping, s.variables, variables))
    if _unit(det) is None:
        raise RuleError(f"reindex: the map must be a bijection of ℤ^{len(variables)} (det ±1); got det = {det}")
    new = s.substitute(mapping, variables)
    return e.replace_sum(sum, new), (Condition(f"unimodular substitution, det = {det}", "checked"),)


def _sign(c: sympy.Expr) -> int:
    """+1 / −1 when the coefficient is positive / negative for every parameter value (parameters ≥ 1), else 0."""
    c = as_expr(c)
    if c.is_positive:
        return 1
    if c.is_negative:
        return -1
    return 0


def _unbounded(s: Sum, ctx: Context) -> list[str]:
    """Bound variables the guard does not confine to a finite range (for every parameter value).

    A variable is bounded once some constraint bounds it from below (``a·v + rest ≥ 0``, ``a > 0``) and
    some constraint from above (``a < 0``), ``rest`` reading only free indices and variables already
    bounded; an equality bounds it both ways. Free indices are fixed.
    """
    done: set[str] = set(ctx.free)
    todo = [v for v in s.variables if v not in done]
    progress = True
    while todo and progress:
        progress = False
        for v in list(todo):
            lower = upper = False
            for c in s.guard:
                a = _sign(c.expr.coeff(v))
                if not a or not set(c.expr.variables) - {v} <= done:
                    continue
                if c.op == EQ:
                    lower = upper = True
                elif a > 0:
                    lower = True
                else:
                    upper = True
            if lower and upper:
                done.add(v)
                todo.remove(v)
                progress = True
    return todo


@_scoped
def swap_sums(before: Side, ctx: Context, *, sum: int, order: Sequence[str]) -> tuple[Side, tuple[Condition, ...]]:
    """Change the order of summation of a FINITE sum.

    Side condition: the guard bounds every bound variable (for every
    parameter value), so the sum is finite and any order gives the same value.
    """
    e = _expr(before, "swap_sums")
    s = _sum(e, sum, "swap_sums")
    if sorted(order) != sorted(s.variables):
        raise RuleError(f"swap_sums: `order` must be a permutation of {s.variables}; got {list(order)}")
    loose = _unbounded(s, ctx)
    if loose:
        raise RuleError(f"swap_sums: the guard must bound every variable (a finite sum); {loose} unbounded")
    return e.replace_sum(sum, Sum(tuple(order), s.guard, s.factors, s.coeff)), (
        Condition("finite sum: the guard bounds every variable", "checked"),
    )


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


def _solve_index(
    pattern: Sequence[Affine], target: Sequence[Affine], unknowns: Sequence[str]
) -> dict[str, Affine] | None:
    """Solve ``pattern(u) = target`` for ``u`` when each axis has one unknown with coefficient ±1."""
    sol: dict[str, Affine] = {}
    for p, t in zip(pattern, target):
        p2 = p.substitute(sol)
        unk = [v for v in p2.variables if v in unknowns and v not in sol]
        if len(unk) != 1:
            if not unk and p2 == t:
                continue
            return None
        u = _unit(p2.coeff(unk[0]))
        if u is None:
            return None
        sol[unk[0]] = (t - (p2 - Affine.var(unk[0]) * u)) * u
    if set(sol) != set(unknowns):
        return None
    if any(p.substitute(sol) != t for p, t in zip(pattern, target)):
        return None
    return sol


@_scoped
def apply_hypothesis(
    before: Side, ctx: Context, *, sum: int, factor: int, hypothesis: str
) -> tuple[Side, tuple[Condition, ...]]:
    r"""Rewrite ``a[lhs(u)]`` to ``sign · a[rhs(u)]`` using a named hypothesis.

    Side condition (z3): the sum's guard implies the hypothesis' domain at the
    point read, so the hypothesis is used only where it was assumed.
    """
    e = _expr(before, "apply_hypothesis")
    s = _sum(e, sum, "apply_hypothesis")
    h = _apart(ctx.hypothesis(hypothesis), _names_in_use(ctx, s.variables))
    if not 0 <= factor < len(s.factors) or s.factors[factor].operand != h.operand:
        raise RuleError(f"apply_hypothesis: factor {factor} must read `{h.operand}`")
    t = s.factors[factor]
    sol = _solve_index(h.lhs, t.index, h.variables)
    if sol is None:
        raise RuleError(
            f"apply_hypothesis: {t} does not match the hypothesis' left side {h.operand}{list(map(str, h.lhs))}"
        )
    domain = [c.substitute(sol) for c in h.domain]
    sub_ctx = Context(ctx.params, ctx.free + s.variables, ctx.assumptions, ctx.hypotheses)
    v = implies(sub_ctx, s.guard, domain)
    cond = _condition(f"guard ⇒ domain of {hypothesis} at {t}", v)
    new_t = Term(t.operand, tuple(a.substitute(sol) for a in h.rhs), t.conjugate)
    new = Sum(s.variables, s.guard, s.factors[:factor] + (new_t,) + s.factors[factor + 1 :], s.coeff * h.sign)
    return e.replace_sum(sum, new), (cond,)


@_scoped
def definition(
    before: Side, ctx: Context, *, sum: int, factor: int, body: Sum, at: Sequence[str]
) -> tuple[Side, tuple[Condition, ...]]:
    r"""Unfold a factor by its definition: :math:`t[\phi] = \sum_u [H(u, \phi)]\, T(u)` (``at`` are its index names).

    Side condition: the definition's bound variables are fresh.
    """
    e = _expr(before, "definition")
    s = _sum(e, sum, "definition")
    if not 0 <= factor < len(s.factors):
        raise RuleError(f"definition: `factor` (={factor}) out of range")
    t = s.factors[factor]
    if len(at) != len(t.index):
        raise RuleError(f"definition: `at` must name {len(t.index)} indices; got {list(at)}")
    if not isinstance(body, Sum) or not all(isinstance(a, str) for a in at):
        raise RuleError("definition: `body` must be a sum and `at` a list of index names")
    clash = set(body.variables) & (set(s.variables) | set(ctx.free))
    if clash:
        raise RuleError(f"definition: bound variables {sorted(clash)} of the definition are not fresh")
    # the definition is closed: its own variables and the indices `at` it is read at, nothing else
    msg = problems(Expr.of(body), Context(ctx.params, tuple(at), ()))
    if msg:
        raise RuleError(f"definition: the definition's body is not well scoped (its free indices are `at`): {msg}")
    sub = dict(zip(at, t.index))
    unfolded = body.substitute(sub, body.variables)
    new = Sum(
        s.variables + body.variables,
        s.guard + unfolded.guard,
        s.factors[:factor] + unfolded.factors + s.factors[factor + 1 :],
        s.coeff * body.coeff,
    )
    return e.replace_sum(sum, new), (Condition(f"definition of {t.operand}; fresh variables", "checked"),)


def _key(t: Term) -> str:
    return str(t)


@_scoped
def equal(before: Side, ctx: Context, *, claim: Side) -> tuple[Side, tuple[Condition, ...]]:
    """Final equality: the same sums term by term, identical summands and equivalent guards (z3)."""
    if isinstance(before, Derivative) or isinstance(claim, Derivative):
        raise RuleError("equal: differentiate first")
    if isinstance(before, Pointwise) or not isinstance(claim, Expr):
        raise RuleError("equal: compares sums, not pointwise identities")
    if len(before.sums) != len(claim.sums):
        raise RuleError(f"equal: {len(before.sums)} sum(s) against {len(claim.sums)}")
    conds = []
    for i, (a, b) in enumerate(zip(before.sums, claim.sums)):
        if set(a.variables) != set(b.variables):
            raise RuleError(f"equal: sum {i} is over {a.variables}, the claim over {b.variables}")
        if a.coeff != b.coeff:
            raise RuleError(f"equal: sum {i} has coefficient {a.coeff}, the claim {b.coeff}")
        if Counter(a.factors) != Counter(b.factors):  # the same factors, compared as data (never as text)
            raise RuleError(
                f"equal: summands differ in sum {i}: {sorted(map(_key, a.factors))} vs {sorted(map(_key, b.factors))}"
            )
        sub_ctx = Context(ctx.params, ctx.free + a.variables, ctx.assumptions, ctx.hypotheses)
        v = equivalent(sub_ctx, a.guard, b.guard)
        if not v.ok:
            where = {1: "only the derivation's guard holds", 2: "only the claim's guard holds"}.get(
                v.detail.get("side", 0), ""
            )
            raise RuleError(f"equal: guards of sum {i} are not equivalent ({where})", v.counterexample)
        conds.append(_condition(f"guards of sum {i} equivalent", v))
    return claim, tuple(conds)


def _injective_on(
    index: Sequence[Affine], variables: Sequence[str], ctx: Context, guard: Sequence[Constraint]
) -> Condition | None:
    """Injective on the guard (z3): ``G(v) ∧ G(v') ∧ index(v) = index(v') ⇒ v = v'``."""
    used = _names_in_use(ctx, variables, [v for c in guard for v in c.variables])
    twin: dict[str, Affine] = {}
    for name in variables:
        twin[name] = Affine.var(fresh(name + "~", used | {a.variables[0] for a in twin.values()}))
    premises = [*guard, *(c.substitute(twin) for c in guard)]
    premises += [Constraint.eq(a, a.substitute(twin)) for a in index]
    sub_ctx = Context(ctx.params, ctx.free, ctx.assumptions, ctx.hypotheses)
    v = implies(sub_ctx, premises, [Constraint.eq(Affine.var(x), twin[x]) for x in variables])
    if not v.ok:
        return None
    return Condition("injective on the guard: equal reads imply equal variables", v.status, v.seconds, v.bounded)


def _injective(
    index: Sequence[Affine], variables: Sequence[str], ctx: Context, guard: Sequence[Constraint] | None = None
) -> Condition | None:
    """Is ``v ↦ index(v)`` injective (on ℤ^V, or on the ``guard``) for every parameter value? The condition, or None.

    Integer coefficients: full column rank. Symbolic ones (a stride ``s``,
    a dilation ``d``): some square minor whose determinant the solver proves
    non-zero (``det ≥ 1`` or ``det ≤ −1``) for every parameter value. Failing
    both, with a ``guard``: the solver proves the map injective on the guard
    (a group index fixed by the channel it reads, say).
    """
    out = _injective_ring(index, variables, ctx)
    if out is None and guard is not None:
        out = _injective_on(index, variables, ctx, guard)
    return out


def _injective_ring(index: Sequence[Affine], variables: Sequence[str], ctx: Context) -> Condition | None:
    import itertools

    rows = [[as_expr(a.coeff(v)) for v in variables] for a in index]
    if not variables:
        return Condition("no bound variables", "checked")
    if all(c.is_Integer for r in rows for c in r):
        if sympy.Matrix(rows).rank() == len(variables):
            return Condition(f"integer coefficients of full column rank {len(variables)}", "checked")
        return None
    for pick in itertools.combinations(range(len(rows)), len(variables)):
        det = sympy.expand(sympy.Matrix([rows[i] for i in pick]).det())
        if det == 0:
            continue
        for sign, text in ((1, "≥ 1"), (-1, "≤ −1")):
            v = implies(ctx, [], [Constraint(Affine.constant(sign * det - 1), ">=")])
            if v.ok:
                return Condition(
                    f"minor determinant {det} {text} for every parameter value", v.status, v.seconds, v.bounded
                )
    return None


@_scoped
def compare_coefficients(before: Side, ctx: Context, *, operand: str) -> tuple[Side, tuple[Condition, ...]]:
    r"""From ``Σ_i c_i Σ_v [G] a[φ(v)] R_i(v) = 0`` for EVERY array ``a``, conclude ``Σ_i c_i R_i(v) = 0`` on ``G``.

    Side conditions: every sum has the same variables, one identical factor
    ``a[φ(v)]`` and equivalent guards (z3); ``φ`` is injective (integer
    coefficients of full column rank), so distinct ``v`` read distinct
    entries of ``a`` and each coefficient must vanish on its own.
    """
    e = _expr(before, "compare_coefficients")
    if not e.sums:
        raise RuleError("compare_coefficients: nothing to compare")
    first = e.sums[0]
    terms = []
    conds = []
    the_factor: Term | None = None
    for i, s in enumerate(e.sums):
        if set(s.variables) != set(first.variables):
            raise RuleError(f"compare_coefficients: sum {i} is over {s.variables}, sum 0 over {first.variables}")
        hits = [t for t in s.factors if t.operand == operand]
        if len(hits) != 1:
            raise RuleError(f"compare_coefficients: `{operand}` must occur once in every term; sum {i} has {len(hits)}")
        if the_factor is None:
            the_factor = hits[0]
        elif hits[0] != the_factor:
            raise RuleError(f"compare_coefficients: sum {i} reads {hits[0]}, sum 0 reads {the_factor}")
        rest = tuple(t for t in s.factors if t.operand != operand)
        terms.append((s.coeff, rest))
        if i:
            sub_ctx = Context(ctx.params, ctx.free + first.variables, ctx.assumptions, ctx.hypotheses)
            conds.append(
                _condition(f"guard of sum {i} equivalent to guard of sum 0", equivalent(sub_ctx, s.guard, first.guard))
            )
    assert the_factor is not None
    inj = _injective(the_factor.index, first.variables, ctx, first.guard)
    if inj is None:
        raise RuleError(f"compare_coefficients: the index of {the_factor} must be injective in {first.variables}")
    conds.append(replace(inj, text=f"{the_factor} injective in {', '.join(first.variables)}: {inj.text}"))
    return Pointwise(first.variables, first.guard, tuple(terms)), tuple(conds)


@_scoped
def entails_hypothesis(
    before: Side, ctx: Context, *, claim: str, hypothesis: Any = None
) -> tuple[Side, tuple[Condition, ...]]:
    r"""Close an "only if": the pointwise identity is the hypothesis ``claim`` on a domain covering it.

    The identity's two terms must be ``a[lhs(u)]`` and ``-sign·a[rhs(u)]``
    (up to an overall sign) under a substitution ``v = v(u)``; z3 proves that
    the hypothesis' domain implies the identity's guard at ``v(u)``.
    ``hypothesis`` is the :class:`~symconv.proofs._iverson.Hypothesis` itself
    (the claim of an "only if" is not among the assumptions).
    """
    if not isinstance(before, Pointwise):
        raise RuleError("entails_hypothesis: applies to a pointwise identity")
    h = hypothesis
    if not isinstance(h, Hypothesis) or h.name != claim:
        raise RuleError(f"entails_hypothesis: the claim must be the hypothesis {claim!r}")
    if len(before.terms) != 2 or any(len(f) != 1 for _, f in before.terms):
        raise RuleError("entails_hypothesis: the identity must have two single-factor terms")
    (c1, (t1,)), (c2, (t2,)) = before.terms
    # the identity holds for every free index (within the assumptions) and every variable (within the guard)
    unknowns = (*ctx.free, *before.variables)
    h = _apart(h, _names_in_use(ctx, before.variables))
    on_free = [c for c in ctx.assumptions if c.expr.variables]
    on_params = tuple(c for c in ctx.assumptions if not c.expr.variables)
    for (ca, ta), (cb, tb) in (((c1, t1), (c2, t2)), ((c2, t2), (c1, t1))):
        if ta.operand != h.operand or tb.operand != h.operand:
            continue
        sol = _solve_partial(ta.index, h.lhs, unknowns)
        if sol is None:
            continue
        # ta(v(u)) = lhs(u); tb(v(u)) must be rhs(u) and cb = -sign·ca
        if tuple(a.substitute(sol) for a in tb.index) != tuple(h.rhs) or cb != -h.sign * ca:
            continue
        # unknowns the terms do not read (a group index, say) need only SOME value where the guard holds
        witness = [u for u in unknowns if u not in sol]
        goal = [g.substitute(sol) for g in (*before.guard, *on_free)]
        sub_ctx = Context(ctx.params, h.variables, on_params, ())
        v = implies(sub_ctx, h.domain, goal, exists=witness)
        text = f"domain of {claim} ⇒ {'∃ ' + ', '.join(witness) + ': ' if witness else ''}guard of the identity"
        cond = _condition(text, v)
        return before, (cond,)
    raise RuleError(
        f"entails_hypothesis: the identity {[(c, str(f[0])) for c, f in before.terms]} is not "
        f"{h.operand}{[str(a) for a in h.lhs]} = {h.sign}·{h.operand}{[str(a) for a in h.rhs]}"
    )


def _divide(a: Affine, c: sympy.Expr) -> Affine | None:
    """``a / c`` when every coefficient and the constant divide exactly (an integer affine map)."""
    c = as_expr(c)
    if c == 0:
        return None
    parts = [*(k for _, k in a.coeffs), a.const]
    quot = [sympy.cancel(k / c) for k in parts]
    if not all(sympy.fraction(q)[1] == 1 for q in quot):
        return None
    return Affine._make({v: q for (v, _), q in zip(a.coeffs, quot)}, quot[-1])


def _pairings(srcf: Sequence[Term], dstf: Sequence[Term]) -> list[list[tuple[Term, Term]]]:
    """Every way to pair the factors by operand (same name, conjugation and rank)."""
    import itertools

    groups: dict[tuple[str, bool, int], tuple[list[Term], list[Term]]] = {}
    for t in srcf:
        groups.setdefault((t.operand, t.conjugate, len(t.index)), ([], []))[0].append(t)
    for t in dstf:
        key = (t.operand, t.conjugate, len(t.index))
        if key not in groups:
            return []
        groups[key][1].append(t)
    if any(len(a) != len(b) for a, b in groups.values()):
        return []
    out: list[list[tuple[Term, Term]]] = [[]]
    for a, b in groups.values():
        out = [acc + list(zip(a, perm)) for acc in out for perm in itertools.permutations(b)]
        if len(out) > 720:
            break
    return out


def _match_coefficient(eqs: Sequence[tuple[Affine, Affine]], m: dict[str, Affine], unknowns: set[str]) -> bool:
    """Map one unknown of a stalled equation to the unique target variable with the same coefficient."""
    used = {v for a in m.values() for v in a.variables}
    for a, b in eqs:
        a2 = a.substitute(m)
        unk = [v for v in a2.variables if v in unknowns and v not in m]
        if len(unk) < 2:
            continue
        for u in sorted(unk, key=lambda v: -abs(as_expr(a2.coeff(v))) if a2.coeff(v).is_Integer else 0):
            cands = [v for v, c in b.coeffs if c == a2.coeff(u) and v not in used]
            if len(cands) == 1:
                m[u] = Affine.var(cands[0])
                return True
    return False


def unify(src: Sum, dst: Sum, only: Sequence[str] | None = None) -> dict[str, Affine] | None:
    """A substitution of ``src``'s bound variables making its factors those of ``dst`` (or ``None``).

    Factors are paired by operand (every pairing is tried); the index
    equations are solved one unknown at a time (an equation is used once it
    has a single unknown whose coefficient divides the rest exactly); when
    none has, an unknown whose coefficient only one variable of the other
    side carries is matched to it (``c' + 2·grp' = c + 2·grp``: ``grp' ↦ grp``).
    The solution must satisfy every equation.
    """
    srcf = [t for t in src.factors if only is None or t.operand in only]
    dstf = [t for t in dst.factors if only is None or t.operand in only]
    if len(srcf) != len(dstf):
        return None
    unknowns = set(src.variables)
    for pairing in _pairings(srcf, dstf):
        eqs = [(a, b) for t, u in pairing for a, b in zip(t.index, u.index)]
        m: dict[str, Affine] = {}
        progress = True
        while progress:
            progress = False
            for a, b in eqs:
                a2 = a.substitute(m)
                unk = [v for v in a2.variables if v in unknowns and v not in m]
                if len(unk) != 1:
                    continue
                sol = _divide(b - (a2 - Affine.var(unk[0]) * a2.coeff(unk[0])), a2.coeff(unk[0]))
                if sol is None:
                    continue
                m[unk[0]] = sol
                progress = True
            if not progress:
                progress = _match_coefficient(eqs, m, unknowns)
        if set(m) != unknowns:
            continue
        if all(a.substitute(m) == b for a, b in eqs):
            return m
    return None


RULES: dict[str, Callable[..., tuple[Side, tuple[Condition, ...]]]] = {
    "differentiate_under_sum": differentiate_under_sum,
    "collapse_kronecker_delta": collapse_kronecker_delta,
    "reindex": reindex,
    "swap_sums": swap_sums,
    "apply_hypothesis": apply_hypothesis,
    "definition": definition,
    "compare_coefficients": compare_coefficients,
    "equal": equal,
    "entails_hypothesis": entails_hypothesis,
}
