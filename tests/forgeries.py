"""Hand-built forged certificates: each claims something false (or proves less than it says).

Every builder writes the steps by hand (never through the rules, which refuse them now), so the same
certificate can be replayed against any version of the checker. Each forgery exploits one class of
hole that a certificate checker must close (issue 8):

* :func:`captured_variant`: a library FALSE variant (``prove(method="instance")`` refutes it) whose
  "only if" half closes because two bound variables are named like the size parameters ``K_0`` and
  ``N_0``: an existential over them captured the parameters in the solver.
* :func:`captured_sum`: the hand-made claim Σ_{v=0}^{N} x[v] = Σ_{v=N−4}^{N} x[v] (N ≥ 4), false for
  N ≥ 5, "proved" by reindexing v to a variable named ``N`` so that the guard check ran at v = N.
* :func:`wrong_relation`, :func:`no_parts`, :func:`wrong_statement_text`: a chain that proves one
  thing under a label that says another.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sympy

from symconv.core.affine import Affine
from symconv.proofs import Proof, theorem
from symconv.proofs._iverson import Constraint, Context, Expr, Pointwise, Side, Sum, Term
from symconv.proofs._parts import Part, Step
from symconv.proofs._rules import Condition
from symconv.proofs._serial import param_symbol


def _reindexed(e: Expr, i: int, mapping: Mapping[str, Affine], variables: Sequence[str]) -> Expr:
    return e.replace_sum(i, e.sums[i].substitute(mapping, variables))


def _pointwise(e: Expr, operand: str) -> Pointwise:
    first = e.sums[0]
    terms = tuple((s.coeff, tuple(t for t in s.factors if t.operand != operand)) for s in e.sums)
    return Pointwise(first.variables, first.guard, terms)


def _step(rule: str, args: dict[str, Any], before: Side, after: Side, side: str = "lhs", *conds: str) -> Step:
    """A step as stored, with the side conditions the rules stated before issue 8 (they accepted these steps)."""
    return Step(rule, args, before, after, side, tuple(Condition(c, "proved") for c in conds))


UNIMODULAR = "unimodular substitution, det = 1"
EQUIVALENT = "guards of sum 0 equivalent"


def _data(proof: Proof) -> dict[str, Any]:
    return json.loads(proof.certificate.to_json())


def captured_variant() -> dict[str, Any]:
    """``convolve_equals_correlate_iff_centrosymmetric`` (2-D), variant ``domain_off_by_one``: false, yet
    "proved" by naming the only-if part's output variables ``K_0`` and ``N_0`` (images ``K_0 − K_0``, ``N_0 − N_0``:
    zero, so every guard is kept) and deleting ``status`` so that no exact instance check is asked for.
    """
    th = theorem("convolve_equals_correlate_iff_centrosymmetric", ndim=2).variant("domain_off_by_one")
    honest = th.prove()  # the "if" half proves; the "only if" half fails at its last step
    assert honest.status == "unproved", honest.message
    plan = th.plan()
    part1 = honest.parts[0]
    stated = plan.parts[1][0]
    part2 = Part(
        stated.title,
        stated.ctx,
        stated.lhs,
        stated.rhs,
        stated.relation,
        [],
        stated.assumptions_text,
        stated.definitions,
    )
    k0, n0 = param_symbol("K_0"), param_symbol("N_0")
    mapping = {
        "n0": Affine.var("K_0") - Affine.constant(k0),
        "n1": Affine.var("N_0") - Affine.constant(n0),
        "k0": Affine.var("k0"),
        "k1": Affine.var("k1"),
    }
    new = ["K_0", "N_0", "k0", "k1"]
    e0 = stated.lhs
    assert isinstance(e0, Expr)
    e1 = _reindexed(e0, 0, mapping, new)
    e2 = _reindexed(e1, 1, mapping, new)
    pw = _pointwise(e2, "x")
    x_read = next(t for t in e2.sums[0].factors if t.operand == "x")  # prints like x[-K_0 + K_0 + k0, …]
    injective = f"{x_read} injective in K_0, N_0, k0, k1: injective on the guard: equal reads imply equal variables"
    part2.steps = [
        _step("reindex", {"sum": 0, "mapping": mapping, "variables": new}, e0, e1, "lhs", UNIMODULAR),
        _step("reindex", {"sum": 1, "mapping": mapping, "variables": new}, e1, e2, "lhs", UNIMODULAR),
        _step(
            "compare_coefficients",
            {"operand": "x"},
            e2,
            pw,
            "lhs",
            "guard of sum 1 equivalent to guard of sum 0",
            injective,
        ),
        _step(
            "entails_hypothesis",
            {"claim": stated.rhs.name, "hypothesis": stated.rhs},
            pw,
            pw,
            "lhs",
            "domain of centrosymmetric ⇒ ∃ K_0, N_0: guard of the identity",
        ),
    ]
    proof = Proof(honest.theorem, honest.statement, honest.params, "general", "proved", [part1, part2])
    proof.not_covered = plan.not_covered
    data = _data(proof)
    del data["status"]
    return data


def captured_sum() -> dict[str, Any]:
    """Σ_{v=0}^{N} x[v] = Σ_{v=N−4}^{N} x[v] for N ≥ 4 (false at N = 5), "proved" by renaming v to ``N``."""
    big_n = param_symbol("N")
    v = Affine.var("v")
    ctx = Context((big_n,), (), (Constraint.le(4, Affine.constant(big_n)),))
    lhs = Expr.of(Sum(("v",), (Constraint.le(0, v), Constraint.le(v, big_n)), (Term("x", (v,)),)))
    rhs = Expr.of(Sum(("v",), (Constraint.le(big_n - 4, v), Constraint.le(v, big_n)), (Term("x", (v,)),)))
    to_n = {"v": Affine.var("N")}
    lhs2 = _reindexed(lhs, 0, to_n, ["N"])
    rhs2 = _reindexed(rhs, 0, to_n, ["N"])
    part = Part("tail", ctx, lhs, rhs, "=")
    part.steps = [
        _step("reindex", {"sum": 0, "mapping": to_n, "variables": ["N"]}, lhs, lhs2, "lhs", UNIMODULAR),
        _step("reindex", {"sum": 0, "mapping": to_n, "variables": ["N"]}, rhs, rhs2, "rhs", UNIMODULAR),
        _step("equal", {"claim": rhs2}, lhs2, rhs2, "lhs", EQUIVALENT),
    ]
    proof = Proof("hand_made_tail_sum", "Σ_{v=0}^{N} x[v] = Σ_{v=N−4}^{N} x[v]", {}, "general", "proved", [part])
    data = _data(proof)
    # the instance check a forger would store: N = 4, where both sides do agree
    data["instance_checks"] = [{"part": "tail", "sizes": {"N": 4}, "holds": True, "method": "instance"}]
    return data


def closed_on_the_right() -> dict[str, Any]:
    """Σ_{v=0}^{N} x[v] = Σ_{v=0}^{N+1} x[v], "proved" by one `equal` step on the RIGHT side: the claim
    compared with itself, the left side never looked at."""
    big_n = param_symbol("N")
    v = Affine.var("v")
    ctx = Context((big_n,), (), ())
    lhs = Expr.of(Sum(("v",), (Constraint.le(0, v), Constraint.le(v, big_n)), (Term("x", (v,)),)))
    rhs = Expr.of(Sum(("v",), (Constraint.le(0, v), Constraint.le(v, big_n + 1)), (Term("x", (v,)),)))
    part = Part("one more", ctx, lhs, rhs, "=")
    part.steps = [_step("equal", {"claim": rhs}, rhs, rhs, "rhs", EQUIVALENT)]
    proof = Proof("hand_made_one_more", "Σ_{v=0}^{N} x[v] = Σ_{v=0}^{N+1} x[v]", {}, "general", "proved", [part])
    data = _data(proof)
    data["instance_checks"] = []
    return data


def library(name: str = "full_convolution_commutes", **params: Any) -> dict[str, Any]:
    """A real certificate of a library theorem, as JSON data."""
    return _data(theorem(name, **params).prove())


def wrong_relation() -> dict[str, Any]:
    """A real equality proof relabelled as proving ``≠``."""
    data = library()
    data["theorem"] = "hand_made_commutes"
    data["parts"][0]["relation"] = "≠"
    return data


def no_parts() -> dict[str, Any]:
    """The statement "0 = 1" with nothing to replay."""
    return {
        "theorem": "zero_is_one",
        "statement": "0 = 1",
        "params": {},
        "method": "general",
        "status": "proved",
        "parts": [],
        "instance_checks": [],
        "not_covered": "—",
    }


def wrong_statement_text() -> dict[str, Any]:
    """A real proof of a library theorem whose statement text says something else."""
    data = library()
    data["statement"] = "0 = 1"
    return data


def without(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """A deep copy of ``data`` without the top-level ``keys``."""
    out = copy.deepcopy(dict(data))
    for k in keys:
        out.pop(k, None)
    return out


def symbol(name: str) -> sympy.Symbol:
    """A size parameter."""
    return param_symbol(name)


def pell() -> dict[str, Any]:
    """Σ_v [v = 0][(a² − 61b² − 1)² ≥ 1] x[v] = x[0] for all a, b ≥ 1: false at the Pell solution
    a = 1766319049, b = 226153980 (and only at such), where z3 answers "unknown" and a bounded search
    (every parameter ≤ 8) finds nothing."""
    a, b = param_symbol("a"), param_symbol("b")
    v = Affine.var("v")
    ctx = Context((a, b), (), ())
    not_pell = Constraint(Affine.constant((a**2 - 61 * b**2 - 1) ** 2 - 1))
    lhs = Expr.of(Sum(("v",), (Constraint.eq(v, 0), not_pell), (Term("x", (v,)),)))
    rhs = Expr.of(Sum(("v",), (Constraint.eq(v, 0),), (Term("x", (v,)),)))
    part = Part("pell", ctx, lhs, rhs, "=")
    part.steps = [_step("equal", {"claim": rhs}, lhs, rhs, "lhs", EQUIVALENT)]
    proof = Proof("hand_made_pell", "x[0] unless a² − 61b² = 1", {}, "general", "proved", [part])
    data = _data(proof)
    data["instance_checks"] = [{"part": "pell", "sizes": {"a": 1, "b": 1}, "holds": True, "method": "instance"}]
    return data
