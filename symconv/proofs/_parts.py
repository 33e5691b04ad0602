"""The parts of a proof: :class:`Step`, :class:`Part` (a statement with its steps) and :class:`Deriver`.

A part states ``lhs = rhs`` (or, for an "only if", that ``lhs = 0`` for every
input forces a hypothesis) under a :class:`~symconv.proofs._iverson.Context`;
a :class:`Deriver` applies named rules to it step by step. The proof object,
its certificate and its replay build on these (:mod:`symconv.proofs._proof`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from symconv.core.errors import SymconvError
from symconv.proofs._iverson import EQ, Context, Derivative, Expr, Hypothesis, Side, Sum
from symconv.proofs._rules import RULES, Condition, RuleError, unify

__all__ = ["Deriver", "Part", "Step", "first_sum", "sum_part"]


@dataclass(frozen=True)
class Step:
    """One rewrite: ``before`` --rule(args)--> ``after`` on side ``lhs`` or ``rhs``."""

    rule: str
    args: Mapping[str, Any]
    before: Side
    after: Side
    side: str
    conditions: tuple[Condition, ...] = ()


@dataclass
class Part:
    """One proved statement: ``lhs = rhs`` (``relation='='``) or ``lhs = 0 ∀ input ⇒ hypothesis``."""

    title: str
    ctx: Context
    lhs: Side
    rhs: Side | Hypothesis
    relation: str = "="
    steps: list[Step] = field(default_factory=list)
    assumptions_text: tuple[str, ...] = ()
    #: Defined arrays of the statement, ``(operand, body, index names)`` (e.g. ``flip(w)``).
    definitions: tuple[tuple[str, Sum, tuple[str, ...]], ...] = ()


class Deriver:
    """Builds a part step by step, running each rule as it goes (the prover's notebook)."""

    def __init__(self, part: Part) -> None:
        self.part = part
        self.cur: dict[str, Any] = {"lhs": part.lhs, "rhs": part.rhs}

    def apply(self, rule: str, side: str = "lhs", **args: Any) -> Side:
        """Run ``rule`` on the current ``side`` and record the step."""
        before = self.cur[side]
        after, conds = RULES[rule](before, self.part.ctx, **args)
        self.part.steps.append(Step(rule, dict(args), before, after, side, conds))
        self.cur[side] = after
        return after

    def sift(self, side: str = "lhs") -> None:
        """Collapse every Kronecker delta that has a bound variable with coefficient ±1."""
        while True:
            e = self.cur[side]
            if not isinstance(e, Expr):
                return
            done = True
            for i, s in enumerate(e.sums):
                for c in s.guard:
                    if c.op != EQ:
                        continue
                    cands = [v for v in reversed(s.variables) if c.expr.coeff(v) in (1, -1)]
                    if cands:
                        self.apply("collapse_kronecker_delta", side, sum=i, var=cands[0])
                        done = False
                        break
                if not done:
                    break
            if done:
                return

    def align(self, side: str = "lhs", only: Sequence[str] | None = None, target: Side | None = None) -> None:
        """Reindex every sum of ``side`` to read its factors like the other side (unification)."""
        other = target if target is not None else self.cur["rhs" if side == "lhs" else "lhs"]
        e = self.cur[side]
        if not isinstance(e, Expr) or not isinstance(other, Expr):
            return
        for i, s in enumerate(e.sums):
            t = other.sums[min(i, len(other.sums) - 1)]
            m = unify(s, t, only)
            if m is None:
                raise RuleError(
                    f"no reindexing matches the summands of sum {i}: "
                    f"{' · '.join(map(str, s.factors))} vs {' · '.join(map(str, t.factors))}"
                )
            if all(m[v] == _var(v) for v in s.variables) and set(s.variables) == set(t.variables):
                continue
            self.apply("reindex", side, sum=i, mapping=m, variables=list(t.variables))

    def close(self) -> None:
        """The final ``equal`` step."""
        self.apply("equal", "lhs", claim=self.cur["rhs"])


def _var(name: str) -> Any:
    from symconv.core.affine import Affine

    return Affine.var(name)


# -- the proof object -----------------------------------------------------------


def sum_part(title: str, ctx: Context, lhs: Side, rhs: Side, assumptions: Sequence[str] = ()) -> Part:
    """A part stating ``lhs = rhs``."""
    return Part(title, ctx, lhs, rhs, "=", [], tuple(assumptions))


def first_sum(e: Side) -> Sum:
    """The first sum of an expression (or of a derivative's expression)."""
    if isinstance(e, Derivative):
        return e.expr.sums[0]
    if isinstance(e, Expr):
        return e.sums[0]
    raise SymconvError("proof: expected a sum")
