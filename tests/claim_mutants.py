"""Generated false claims: a library theorem with ONE perturbation of its claim, proved by the library's own methods.

A theorem part whose two sides are contractions of the one definition (its
:class:`~symconv.proofs._contract.Recipe`) is perturbed on its claim side —
one index map shifted, scaled, negated or flipped, one factor conjugated, two
operands exchanged, two axes transposed, one loop extent or result size
changed, the result read one off or flipped, the coefficient doubled or
negated — or in its statement (a symmetry hypothesis dropped, a size
assumption dropped). The perturbed claim is then the part's right-hand side
for EVERY method: the Iverson sum the general prover rewrites is rebuilt from
the perturbed contraction (exactly as the library builds claims,
``contraction_sum``), and the instance engines read the perturbed recipe.

:class:`Mutant` is a :class:`~symconv.proofs._theorem.Theorem` whose plan is
the library's plan with that one change, so ``prove("general")``,
``prove("instance")`` and ``prove("randomized")`` take the library's own
paths. Whether a mutant is FALSE is decided elsewhere, by the independent
oracle (:mod:`claim_oracle`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from symconv.core.affine import Affine
from symconv.core.formula import Operand, Var
from symconv.gradients.grad import rename_operands
from symconv.proofs._contract import Read, Recipe
from symconv.proofs._iverson import Constraint, Expr, Sum, Term, contraction_sum
from symconv.proofs._registry import Plan
from symconv.proofs._theorem import Theorem
from symconv.proofs.library._common import _standard


def rebuild(read: Read) -> Sum:
    """The Iverson sum of one read ``coef · C.result[at]`` (with ``pair``: ``Σ_f pair[f] · C.result[at(f)]``)."""
    c = read.c
    inner = contraction_sum(c, read.at, rename={v.name: v.name + "'" for v in c.variables})
    if read.pair is not None:
        ranges: list[Constraint] = []
        for f, n in zip(read.over, read.pair.shape):
            a = Affine.var(f)
            ranges += [Constraint.le(0, a), Constraint.lt(a, Affine.constant(n))]
        pair = Term(read.pair.name, tuple(Affine.var(f) for f in read.over))
        inner = Sum((*read.over, *inner.variables), inner.guard + tuple(ranges), (pair, *inner.factors))
    return inner.scaled(read.coef) if read.coef != 1 else inner


@dataclass(frozen=True)
class Mutation:
    """One perturbation of part ``part`` of a theorem's plan: ``op`` with ``args``; ``label`` says it in words."""

    part: int
    op: str
    args: tuple[Any, ...]
    label: str


def _factor_label(c: Any, fi: int) -> str:
    return c.factors[fi].operand


def candidates(plan: Plan) -> list[Mutation]:
    """Every perturbation of every part with a recipe (one change each), in a fixed order."""
    out: list[Mutation] = []
    for pi, (part, _) in enumerate(plan.parts):
        recipe = plan.recipes.get(part.title)
        if recipe is None or part.relation != "=" or len(recipe.rhs) != 1:
            continue
        read = recipe.rhs[0]
        c = read.c
        for fi, f in enumerate(c.factors):
            name = _factor_label(c, fi)
            shape = c.operand(f.operand).shape
            for ax, a in enumerate(f.index):
                for d in (1, -1):
                    out.append(Mutation(pi, "shift", (fi, ax, d), f"{name} read {d:+d} on axis {ax}"))
                for v, _k in a.coeffs:
                    out.append(Mutation(pi, "scale", (fi, ax, v), f"{name}: coefficient of {v} on axis {ax} grown"))
                    out.append(Mutation(pi, "negate", (fi, ax, v), f"{name}: coefficient of {v} on axis {ax} negated"))
                out.append(Mutation(pi, "flip", (fi, ax), f"{name} flipped on axis {ax} (size {shape[ax]})"))
            out.append(Mutation(pi, "conj", (fi,), f"{name} conjugated"))
            if len(f.index) >= 2:
                out.append(Mutation(pi, "transpose", (fi,), f"{name}: axes 0 and 1 transposed"))
        names = [f.operand for f in c.factors]
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                if names[i] != names[j] and len(c.factors[i].index) == len(c.factors[j].index):
                    out.append(
                        Mutation(pi, "exchange", (names[i], names[j]), f"operands {names[i]} and {names[j]} exchanged")
                    )
        for v in c.variables:
            for d in (1, -1):
                out.append(Mutation(pi, "extent", (v.name, d), f"loop {v.name} over {d:+d} positions"))
        for ax in range(len(c.result_index)):
            for d in (1, -1):
                out.append(Mutation(pi, "rshape", (ax, d), f"claimed result size {d:+d} on axis {ax}"))
                out.append(Mutation(pi, "at", (ax, d), f"claim read {d:+d} on result axis {ax}"))
            out.append(Mutation(pi, "atflip", (ax,), f"claim read flipped on result axis {ax}"))
        out.append(Mutation(pi, "coef", (2,), "claim doubled"))
        out.append(Mutation(pi, "coef", (-1,), "claim negated"))
        if part.ctx.hypotheses:
            out.append(Mutation(pi, "drop_hypothesis", (), f"hypothesis {part.ctx.hypotheses[0].name} dropped"))
        for ai, a in enumerate(part.ctx.assumptions):
            if not a.expr.coeffs:
                out.append(Mutation(pi, "drop_assumption", (ai,), f"assumption {a} dropped"))
    return out


def _with_factor(c: Any, fi: int, **changes: Any) -> Any:
    fs = list(c.factors)
    fs[fi] = replace(fs[fi], **changes)
    return replace(c, factors=tuple(fs))


def _mutate_read(read: Read, m: Mutation) -> Read:
    c, op, args = read.c, m.op, m.args
    if op in ("shift", "scale", "negate", "flip"):
        fi, ax = args[0], args[1]
        f = c.factors[fi]
        idx = list(f.index)
        a = idx[ax]
        if op == "shift":
            idx[ax] = a + args[2]
        elif op == "flip":
            idx[ax] = Affine.constant(c.operand(f.operand).shape[ax] - 1) - a
        else:
            k = a.coeff(args[2])
            new = k + (1 if k > 0 else -1) if op == "scale" else -k
            idx[ax] = a + Affine.var(args[2]) * (new - k)
        return replace(read, c=_with_factor(c, fi, index=tuple(idx)))
    if op == "conj":
        return replace(read, c=_with_factor(c, args[0], conjugate=not c.factors[args[0]].conjugate))
    if op == "transpose":
        f = c.factors[args[0]]
        idx = (f.index[1], f.index[0], *f.index[2:])
        sh = c.operand(f.operand).shape
        decl = Operand(f.operand, (sh[1], sh[0], *sh[2:]))
        c = _with_factor(c, args[0], index=idx)
        return replace(read, c=replace(c, operands=tuple(decl if o.name == f.operand else o for o in c.operands)))
    if op == "exchange":
        a, b = args
        return replace(read, c=rename_operands(c, {a: b, b: a}))
    if op == "extent":
        vs = tuple(Var(v.name, v.extent + args[1]) if v.name == args[0] else v for v in c.variables)
        return replace(read, c=replace(c, variables=vs))
    if op == "rshape":
        sh = list(c.result.shape)
        sh[args[0]] = sh[args[0]] + args[1]
        return replace(read, c=replace(c, result=Operand(c.result.name, tuple(sh))))
    if op in ("at", "atflip"):
        at = list(read.at)
        ax = args[0]
        at[ax] = at[ax] + args[1] if op == "at" else Affine.constant(c.result.shape[ax] - 1) - at[ax]
        return replace(read, at=tuple(at))
    if op == "coef":
        return replace(read, coef=read.coef * args[0])
    return read


def mutated_sides(plan: Plan, m: Mutation) -> tuple[Any, tuple[Read, ...], tuple[Read, ...]]:
    """The perturbed part's context and its two sides as reads (the oracle's view; no Iverson sum is built)."""
    part = plan.parts[m.part][0]
    recipe = plan.recipes[part.title]
    ctx = part.ctx
    read = recipe.rhs[0]
    if m.op == "drop_hypothesis":
        ctx = replace(ctx, hypotheses=())
    elif m.op == "drop_assumption":
        ctx = replace(ctx, assumptions=tuple(a for i, a in enumerate(ctx.assumptions) if i != m.args[0]))
    else:
        read = _mutate_read(read, m)
    return ctx, recipe.lhs, (read,)


def apply(plan: Plan, m: Mutation) -> Plan:
    """``plan`` with part ``m.part``'s claim perturbed: its Iverson right side and its recipe, together."""
    parts = list(plan.parts)
    part, strategy = parts[m.part]
    recipe = plan.recipes[part.title]
    ctx, _, (read,) = mutated_sides(plan, m)
    new = replace(part, ctx=ctx, rhs=Expr.of(rebuild(read)), steps=[], definitions=())
    parts[m.part] = (new, strategy if ctx.hypotheses else _standard)
    recipes = dict(plan.recipes)
    recipes[part.title] = Recipe(recipe.lhs, (read,), hypothesis=recipe.hypothesis and bool(ctx.hypotheses))
    return replace(plan, parts=parts, recipes=recipes)


@dataclass
class Mutant(Theorem):
    """A library theorem whose plan carries one :class:`Mutation` (``None``: the claim rebuilt, unchanged)."""

    mutation: Mutation | None = None

    def plan(self) -> Plan:
        plan = super().plan()
        if self.mutation is None:
            return identity(plan)
        return apply(plan, self.mutation)


def identity(plan: Plan) -> Plan:
    """Every recipe part's claim rebuilt from its recipe, unchanged (the control: it must still be proved)."""
    parts = list(plan.parts)
    for pi, (part, strategy) in enumerate(parts):
        recipe = plan.recipes.get(part.title)
        if recipe is None or part.relation != "=" or len(recipe.rhs) != 1:
            continue
        new = replace(part, rhs=Expr.of(rebuild(recipe.rhs[0])), steps=[], definitions=())
        parts[pi] = (new, strategy if part.ctx.hypotheses else _standard)
    return replace(plan, parts=parts)
