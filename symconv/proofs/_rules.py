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

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.proofs._closing import compare_coefficients, entails_hypothesis, equal
from symconv.proofs._iverson import EQ, Constraint, Context, Derivative, Expr, Side, Sum, Term
from symconv.proofs._rulebase import (
    Condition,
    RuleError,
    _apart,
    _condition,
    _expr,
    _names_in_use,
    _scoped,
    _sum,
    _unit,
    determinant,
)
from symconv.proofs._scope import integral, problems
from symconv.proofs._solver import implies
from symconv.proofs._unify import unify

__all__ = [
    "RULES",
    "Condition",
    "RuleError",
    "apply_hypothesis",
    "collapse_kronecker_delta",
    "combine_sums",
    "compare_coefficients",
    "definition",
    "differentiate_under_sum",
    "entails_hypothesis",
    "equal",
    "pin_variable",
    "reindex",
    "reorder_sums",
    "swap_sums",
    "unify",
]


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
        if len(t.index) != len(before.index):
            raise RuleError(
                f"differentiate_under_sum: {t} has {len(t.index)} indices, the derivative by "
                f"{before.operand} names {len(before.index)}"
            )
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
    return determinant([[mapping[o].coeff(n) for n in new] for o in old], "reindex")


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
        # an integer for every parameter value: a number, or a polynomial / floor in the (integer) parameters;
        # a free index's coefficient too (v ↦ v' + m/2 is no bijection of ℤ for an odd m)
        for n, c in mapping[o].coeffs:
            if not integral(c):
                raise RuleError(f"reindex: coefficient of `{n}` in the image of `{o}` must be an integer; got {c}")
        if not integral(mapping[o].const):
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

    Interval reasoning, lower and upper bounds apart: ``a·v + Σ b_u·u + rest ≥ 0`` (``rest`` reading free
    indices and parameters only) bounds ``v`` from below when ``a > 0`` and every other ``u`` is bounded on the
    side that makes ``−b_u·u`` largest (above for ``b_u > 0``, below for ``b_u < 0``), for every parameter
    value; from above when ``a < 0`` likewise; an equality is both inequalities. So ``0 ≤ i ≤ j < N`` bounds
    ``i`` above and ``j`` below through each other (the implied ``i ≤ N − 1`` and ``j ≥ 0`` need not be
    written). Free indices are fixed.
    """
    lower: set[str] = set(ctx.free)
    upper: set[str] = set(ctx.free)
    rows: list[Affine] = []
    for c in s.guard:
        rows.append(c.expr)
        if c.op == EQ:
            rows.append(-c.expr)
    progress = True
    while progress:
        progress = False
        for e in rows:
            signs = {v: _sign(e.coeff(v)) for v in e.variables}
            for v, a in signs.items():
                have = lower if a > 0 else upper
                if not a or v in have:
                    continue
                # −b_u·u is largest at u's upper bound for b_u > 0, at its lower bound for b_u < 0 (a coefficient
                # of no fixed sign needs both)
                if all(_side_bounded(u, b, lower, upper) for u, b in signs.items() if u != v):
                    have.add(v)
                    progress = True
    return [v for v in s.variables if not (v in lower and v in upper)]


def _side_bounded(u: str, b: int, lower: set[str], upper: set[str]) -> bool:
    both = u in lower and u in upper
    return both or (b > 0 and u in upper) or (b < 0 and u in lower)


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


@_scoped
def pin_variable(
    before: Side, ctx: Context, *, sum: int, var: str, value: Affine
) -> tuple[Side, tuple[Condition, ...]]:
    r"""A bound variable the guard confines to one value: :math:`\sum_v [G(v)] f(v) = [G(e)] f(e)` when
    :math:`G(v) \Rightarrow v = e` (a group index of a single group, ``0 ≤ grp ≤ 0``).

    Side condition (z3): the guard implies ``var = value``, and ``value`` does not read ``var``.
    """
    e = _expr(before, "pin_variable")
    s = _sum(e, sum, "pin_variable")
    if var not in s.variables:
        raise RuleError(f"pin_variable: `var` (={var!r}) must be a bound variable of the sum; got {s.variables}")
    if not isinstance(value, Affine) or var in value.variables:
        raise RuleError(f"pin_variable: `value` must be an affine map not reading {var!r}")
    if not all(integral(c) for c in (value.const, *(c for _, c in value.coeffs))):
        raise RuleError(f"pin_variable: `value` {value} must be an integer for every parameter value")
    sub_ctx = Context(ctx.params, ctx.free + s.variables, ctx.assumptions, ctx.hypotheses)
    v = implies(sub_ctx, s.guard, [Constraint.eq(Affine.var(var), value)])
    cond = _condition(f"the guard forces {var} = {value}", v)
    rest = tuple(x for x in s.variables if x != var)
    new = Sum(
        rest,
        tuple(g.substitute({var: value}) for g in s.guard),
        tuple(t.substitute({var: value}) for t in s.factors),
        s.coeff,
    )
    return e.replace_sum(sum, new), (cond,)


@_scoped
def reorder_sums(before: Side, ctx: Context, *, order: Sequence[int]) -> tuple[Side, tuple[Condition, ...]]:
    """Reorder the terms of a finite sum of sums (addition commutes): sum ``i`` of the result is ``order[i]``.

    Side condition: ``order`` is a permutation of the sums' positions.
    """
    e = _expr(before, "reorder_sums")
    if not isinstance(order, (list, tuple)) or sorted(order) != list(range(len(e.sums))):
        raise RuleError(f"reorder_sums: `order` must be a permutation of 0..{len(e.sums) - 1}; got {order!r}")
    return Expr(tuple(e.sums[int(i)] for i in order)), (Condition("a permutation of the terms", "checked"),)


@_scoped
def combine_sums(before: Side, ctx: Context, *, first: int, second: int) -> tuple[Side, tuple[Condition, ...]]:
    r"""Collect like terms: :math:`c_1 \sum [G] F + c_2 \sum [G] F = (c_1 + c_2) \sum [G] F` (dropped when 0).

    Side condition: the two sums have the same bound variables, the same
    guard constraints and the same factors (compared as data).
    """
    e = _expr(before, "combine_sums")
    if not isinstance(first, int) or not isinstance(second, int) or not 0 <= first < second < len(e.sums):
        raise RuleError(f"combine_sums: need 0 ≤ `first` < `second` < {len(e.sums)}; got {first!r}, {second!r}")
    a, b = e.sums[first], e.sums[second]
    if a.variables != b.variables or set(a.guard) != set(b.guard) or Counter(a.factors) != Counter(b.factors):
        raise RuleError(f"combine_sums: sums {first} and {second} are not like terms (variables, guard, factors)")
    merged = Sum(a.variables, a.guard, a.factors, a.coeff + b.coeff)
    rest = [s for i, s in enumerate(e.sums) if i != second]
    rest[first] = merged
    if merged.coeff == 0:
        del rest[first]
    return Expr(tuple(rest)), (Condition("like terms: the same variables, guard and factors", "checked"),)


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
    if len(t.index) != len(h.lhs) or len(h.rhs) != len(h.lhs):
        raise RuleError(f"apply_hypothesis: {t} has {len(t.index)} indices, the hypothesis {len(h.lhs)}")
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

    Side condition: the definition's bound variables are fresh. A conjugated read unfolds to the
    conjugated body (every factor of it conjugated).
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
    if t.conjugate:  # conj(Σ_u [H] Π T) = Σ_u [H] Π conj(T): the coefficient is an integer
        unfolded = replace(unfolded, factors=tuple(replace(f, conjugate=not f.conjugate) for f in unfolded.factors))
    new = Sum(
        s.variables + body.variables,
        s.guard + unfolded.guard,
        s.factors[:factor] + unfolded.factors + s.factors[factor + 1 :],
        s.coeff * body.coeff,
    )
    return e.replace_sum(sum, new), (Condition(f"definition of {t.operand}; fresh variables", "checked"),)


RULES: dict[str, Callable[..., tuple[Side, tuple[Condition, ...]]]] = {
    "differentiate_under_sum": differentiate_under_sum,
    "collapse_kronecker_delta": collapse_kronecker_delta,
    "reindex": reindex,
    "swap_sums": swap_sums,
    "reorder_sums": reorder_sums,
    "pin_variable": pin_variable,
    "combine_sums": combine_sums,
    "apply_hypothesis": apply_hypothesis,
    "definition": definition,
    "compare_coefficients": compare_coefficients,
    "equal": equal,
    "entails_hypothesis": entails_hypothesis,
}
