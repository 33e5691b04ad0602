"""The closing rules: ``equal``, ``compare_coefficients``, ``entails_hypothesis`` (and injectivity).

A part of a proof ends with one of these; each establishes exactly one
relation (``=`` or ``⇒``), which the replay checks against the statement's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Hypothesis, Pointwise, Side, Term
from symconv.proofs._rulebase import (
    MAX_MATRIX,
    MAX_MINORS,
    MAX_SYMBOLIC_MATRIX,
    Condition,
    RuleError,
    _apart,
    _condition,
    _expr,
    _names_in_use,
    _scoped,
    _solve_partial,
    determinant,
)
from symconv.proofs._scope import fresh
from symconv.proofs._solver import equivalent, implies

__all__ = ["compare_coefficients", "entails_hypothesis", "equal"]


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
    numeric = all(c.is_Integer for r in rows for c in r)
    top = MAX_MATRIX if numeric else MAX_SYMBOLIC_MATRIX
    if len(variables) > top or len(rows) > 4 * top:
        return None  # the solver decides (on the guard), within the replay's time budget
    if numeric:
        if sympy.Matrix(rows).rank() == len(variables):
            return Condition(f"integer coefficients of full column rank {len(variables)}", "checked")
        return None
    # at most MAX_MINORS minors (C(30, 15) of them would take days), then the solver
    for pick in itertools.islice(itertools.combinations(range(len(rows)), len(variables)), MAX_MINORS):
        det = determinant([rows[i] for i in pick], "injectivity")
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

    Side conditions: no hypothesis of the context is about ``a`` (its entries
    are independent); every sum has the same variables, one identical factor
    ``a[φ(v)]`` and equivalent guards (z3); ``φ`` is injective (integer
    coefficients of full column rank), so distinct ``v`` read distinct
    entries of ``a`` and each coefficient must vanish on its own.
    """
    e = _expr(before, "compare_coefficients")
    if not e.sums:
        raise RuleError("compare_coefficients: nothing to compare")
    bound = [h.name for h in ctx.hypotheses if h.operand == operand]
    if bound:
        # Σ a[k]·R(k) = 0 for every CENTRO-SYMMETRIC a says only R(k) + R(K−1−k) = 0, not R(k) = 0
        raise RuleError(
            f"compare_coefficients: `{operand}` is not an arbitrary array: the hypothesis {bound[0]!r} "
            "constrains its entries, so its coefficients need not vanish one by one"
        )
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
        if ca == 0:  # 0·a[lhs] + 0·a[rhs] = 0 holds for every array: it forces nothing
            raise RuleError("entails_hypothesis: the identity's coefficients are 0; it says nothing about the entries")
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
