"""Hand-made attacks on the rules: crafted sums through reindex, collapse, definition, pin_variable, swap_sums,
combine_sums, compare_coefficients and entails_hypothesis, each as a certificate built step by step.

Section 1 holds the attacks that SUCCEEDED before their fix (a false statement replayed ``verified``, its
exact instance check included); each test failed on the code before the fix. Section 2 holds the attacks
the checker refused all along: they stay, so the defence stays.

Every forged certificate states something FALSE; its steps are written by hand (the rule that is attacked is
never asked to build its own step), with the side-condition texts the rules gave, and its instance checks are
at sizes where the false statement happens to hold (the attacker chooses them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest
import sympy

from symconv import Certificate, SymconvError
from symconv.core.affine import Affine
from symconv.proofs import CheckReport, Proof, _solver
from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Hypothesis, Side, Sum, Term
from symconv.proofs._parts import Deriver, Part, Step
from symconv.proofs._rules import (
    Condition,
    RuleError,
    apply_hypothesis,
    collapse_kronecker_delta,
    combine_sums,
    compare_coefficients,
    definition,
    entails_hypothesis,
    equal,
    pin_variable,
    reindex,
    swap_sums,
)
from symconv.proofs._serial import param_symbol

N, K, S = param_symbol("N"), param_symbol("K"), param_symbol("s")
v, w, m, k, i, j, u, g = (Affine.var(x) for x in ("v", "w", "m", "k", "i", "j", "u", "g"))


# -- building forged certificates ------------------------------------------------------------------


def _step(rule: str, args: dict[str, Any], before: Side, after: Side, *texts: str, side: str = "lhs") -> Step:
    """A step as a forger stores it: the conditions' texts as the rule words them."""
    return Step(rule, args, before, after, side, tuple(Condition(t, "proved") for t in texts))


def _by_rule(rule: Any, before: Side, ctx: Context, name: str, side: str = "lhs", **args: Any) -> Step:
    """A step the (unattacked) rule builds itself."""
    after, conds = rule(before, ctx, **args)
    return Step(name, args, before, after, side, conds)


def _close(after: Side, ctx: Context) -> Step:
    return _by_rule(equal, after, ctx, "equal", claim=after)


def _certificate(parts: Sequence[Part], sizes: Sequence[Mapping[str, int]]) -> dict[str, Any]:
    proof = Proof("hand-made", "a hand-made claim", {}, "general", "proved", parts=list(parts))
    data = json.loads(proof.certificate.to_json())
    data["instance_checks"] = [
        {"part": p.title, "sizes": dict(sz), "method": "instance", "holds": True} for p in parts for sz in sizes
    ]
    return data


def _check(data: dict[str, Any]) -> CheckReport:
    return Certificate.from_json(json.dumps(data, ensure_ascii=False)).check()


def _refused(data: dict[str, Any], match: str) -> None:
    r = _check(data)
    assert not r.ok and r.status == "failed", r
    assert match in r.message, r.message


def _range(x: Affine, lo: Any, hi: Any) -> tuple[Constraint, Constraint]:
    """``lo ≤ x < hi``."""
    return Constraint.le(lo, x), Constraint.lt(x, hi)


#: Both sides vanish unless N ≥ 5: the replay's random sizes (≤ 4) and the forger's instance sizes see 0 = 0.
LARGE = Constraint(Affine.constant(N - 5), ">=")


# == 1. attacks that succeeded before their fix =====================================================


def _half_shift() -> tuple[Part, dict[str, Any]]:
    """Σ_{v,w} [w = 2v] x[w] (the even w < 2N) = Σ_{v2,w} [w = 2·v2 + m] x[w] (odd w for m = 1): FALSE for N ≥ 5.

    "Proved" by reindexing v ↦ v2 + m/2: unimodular in the new variable, but a free index with a coefficient
    1/2 is a shift by half an integer (no bijection of ℤ for odd m). Every sum stays integral: 2·(v2 + m/2).
    """
    ctx = Context((N,), ("m",), _range(m, 0, 2))
    lhs = Expr.of(Sum(("v", "w"), (Constraint.eq(w, 2 * v), *_range(w, 0, 2 * N), LARGE), (Term("x", (w,)),)))
    mapping = {"v": Affine.var("v2") + m * sympy.Rational(1, 2), "w": w}
    after = lhs.replace_sum(0, lhs.sums[0].substitute(mapping, ("v2", "w")))
    steps = [
        _step(
            "reindex",
            {"sum": 0, "mapping": mapping, "variables": ["v2", "w"]},
            lhs,
            after,
            "unimodular substitution, det = 1",
        ),
        _close(after, ctx),
    ]
    part = Part("half shift", ctx, lhs, after, "=", steps)
    return part, _certificate([part], [{"N": 1}])


def test_reindex_refuses_a_free_index_with_a_fractional_coefficient():
    part, data = _half_shift()
    assert str(part.rhs.sums[0].guard[0]) == "m + 2*v2 - w == 0"  # an integral sum, odd w at m = 1
    _refused(data, "coefficient of `m` in the image of `v` must be an integer")
    with pytest.raises(RuleError, match="must be an integer; got 1/2"):
        reindex(part.lhs, part.ctx, sum=0, mapping=part.steps[0].args["mapping"], variables=["v2", "w"])
    # an integer shift by a free index is a bijection and stays accepted
    ok, _ = reindex(part.lhs, part.ctx, sum=0, mapping={"v": Affine.var("v2") + m, "w": w}, variables=["v2", "w"])
    assert str(ok.sums[0].guard[0]) == "2*m + 2*v2 - w == 0"


def _half_delta() -> tuple[Part, dict[str, Any]]:
    """Σ_{v,w} [0 ≤ w ≤ 1] [2v = ⌊N/5⌋·w] x[2v] (x[0] at N = 5: w = 1 has no integer v) = Σ_w [0 ≤ w ≤ 1] x[⌊N/5⌋·w]
    (x[0] + x[1] at N = 5): FALSE for N ≥ 5. The delta is written v = (⌊N/5⌋/2)·w: a coefficient that is 0 at every
    size ≤ 4 (so every evaluation passes) and 1/2 at N = 5; collapsing it reads x at 2·(⌊N/5⌋/2)·w, an integer."""
    ctx = Context((N,), (), ())
    half = sympy.floor(N / 5) / 2
    delta = Constraint.eq(v, w * half)
    lhs = Expr.of(Sum(("v", "w"), (Constraint.le(0, w), Constraint.le(w, 1), delta), (Term("x", (2 * v,)),)))
    after = Expr.of(Sum(("w",), (Constraint.le(0, w), Constraint.le(w, 1)), (Term("x", (w * sympy.floor(N / 5),)),)))
    steps = [
        _step(
            "collapse_kronecker_delta", {"sum": 0, "var": "v"}, lhs, after, f"v has coefficient 1 in {delta.expr} = 0"
        ),
        _close(after, ctx),
    ]
    part = Part("half delta", ctx, lhs, after, "=", steps)
    return part, _certificate([part], [{"N": 1}])


def test_a_coefficient_that_is_not_an_integer_for_every_size_is_not_well_scoped():
    part, data = _half_delta()
    _refused(data, "not an integer for every parameter value")
    with pytest.raises(RuleError, match="not an integer for every parameter value"):
        collapse_kronecker_delta(part.lhs, part.ctx, sum=0, var="v")
    # in a hypothesis, an assumption or a factor's index too
    bad = Affine.constant(N) * sympy.Rational(1, 2)
    ctx = Context((N,), ("m",), (Constraint.le(bad, m),))
    with pytest.raises(RuleError, match="an assumption has the coefficient -N/2"):
        swap_sums(Expr.of(Sum(("k",), _range(k, 0, N), (Term("x", (k,)),))), ctx, sum=0, order=["k"])
    read = Expr.of(Sum(("k",), _range(k, 0, N), (Term("x", (k + bad,)),)))
    with pytest.raises(RuleError, match="coefficient N/2"):
        swap_sums(read, Context((N,), (), ()), sum=0, order=["k"])
    # floor, Mod and products of sizes are integers for every size: still accepted
    fine = Expr.of(Sum(("k",), _range(k, 0, sympy.floor(N / 2) + sympy.Mod(N, K) * K), (Term("x", (k,)),)))
    swap_sums(fine, Context((N, K), (), ()), sum=0, order=["k"])


def _conjugate_definition() -> tuple[Part, dict[str, Any]]:
    """Σ_k conj(f[k])·x[k] with f := w, "=" Σ_k w[k]·x[k]: FALSE for complex w (integer test arrays cannot tell)."""
    ctx = Context((N,), (), ())
    body = Sum((), (), (Term("w", (i,)),))
    lhs = Expr.of(Sum(("k",), _range(k, 0, N), (Term("f", (k,), True), Term("x", (k,)))))
    after = Expr.of(Sum(("k",), _range(k, 0, N), (Term("w", (k,)), Term("x", (k,)))))
    args = {"sum": 0, "factor": 0, "body": body, "at": ["i"]}
    steps = [_step("definition", args, lhs, after, "definition of f; fresh variables"), _close(after, ctx)]
    part = Part("conjugated definition", ctx, lhs, after, "=", steps, (), (("f", body, ("i",)),))
    return part, _certificate([part], [{"N": 2}])


def test_a_conjugated_read_of_a_defined_array_unfolds_to_the_conjugated_body():
    part, data = _conjugate_definition()
    _refused(data, "the stored `after` is not what the rule gives")
    out, _ = definition(part.lhs, part.ctx, sum=0, factor=0, body=part.definitions[0][1], at=["i"])
    assert [str(t) for t in out.sums[0].factors] == ["conj w[k]", "x[k]"]
    # conj of a body that conjugates: conj(conj(a)·b) = a·conj(b)
    body = Sum(("q",), (Constraint.eq(Affine.var("q"), i),), (Term("a", (Affine.var("q"),), True), Term("b", (i,))))
    out, _ = definition(part.lhs, part.ctx, sum=0, factor=0, body=body, at=["i"])
    assert [str(t) for t in out.sums[0].factors] == ["a[q]", "conj b[k]", "x[k]"]


def _zero_identity() -> tuple[Part, dict[str, Any]]:
    """0·Σ x[k]w[k] + 0·Σ x[k]w[K−1−k] = 0 for every x (always true) ⇒ w centro-symmetric: FALSE for K ≥ 2."""
    ctx = Context((K,), (), ())
    rng = _range(k, 0, K)
    lhs = Expr.of(
        Sum(("k",), rng, (Term("x", (k,)), Term("w", (k,))), 0),
        Sum(("k",), rng, (Term("x", (k,)), Term("w", (K - 1 - k,))), 0),
    )
    h = Hypothesis("centro", ("u",), _range(u, 0, K), "w", (u,), (K - 1 - u,), 1)
    first = _by_rule(compare_coefficients, lhs, ctx, "compare_coefficients", operand="x")
    last = _step(
        "entails_hypothesis", {"claim": "centro", "hypothesis": h}, first.after, first.after,
        "domain of centro ⇒ guard of the identity",
    )  # fmt: skip
    part = Part("only if", ctx, lhs, h, "⇒", [first, last])
    return part, _certificate([part], [{"K": 1}])  # at K = 1 every w is centro-symmetric


def test_an_identity_with_zero_coefficients_forces_no_hypothesis():
    part, data = _zero_identity()
    _refused(data, "the identity's coefficients are 0")
    with pytest.raises(RuleError, match="coefficients are 0"):
        entails_hypothesis(part.steps[0].after, part.ctx, claim="centro", hypothesis=part.rhs)


def _constrained_input() -> tuple[Part, dict[str, Any]]:
    """x centro-symmetric (a hypothesis) and Σ x[k]·w[k] − Σ x[k]·w[K−1−k] = 0 for every such x ⇒ w centro-symmetric:
    FALSE, the premise holds for EVERY w (Σ x[k]·w[K−1−k] = Σ x[k]·w[k] when x is centro-symmetric). Comparing
    the coefficients of x read them as independent entries; they are not."""
    rng = _range(k, 0, K)
    q = Affine.var("q")
    xsym = Hypothesis("xsym", ("q",), _range(q, 0, K), "x", (q,), (K - 1 - q,), 1)
    centro = Hypothesis("centro", ("u",), _range(u, 0, K), "w", (u,), (K - 1 - u,), 1)
    ctx = Context((K,), (), (), (xsym,))
    lhs = Expr.of(
        Sum(("k",), rng, (Term("x", (k,)), Term("w", (k,)))),
        Sum(("k",), rng, (Term("x", (k,)), Term("w", (K - 1 - k,))), -1),
    )
    # the step as the rule builds it for an x of arbitrary entries (a context without the hypothesis)
    first = _by_rule(compare_coefficients, lhs, Context((K,), (), ()), "compare_coefficients", operand="x")
    last = _by_rule(entails_hypothesis, first.after, ctx, "entails_hypothesis", claim="centro", hypothesis=centro)
    part = Part("only if", ctx, lhs, centro, "⇒", [first, last])
    return part, _certificate([part], [{"K": 2}, {"K": 3}])  # the exact instance checks pass too


def test_coefficients_of_an_array_a_hypothesis_constrains_are_not_compared():
    part, data = _constrained_input()
    _refused(data, "the hypothesis 'xsym' constrains its entries")
    with pytest.raises(RuleError, match="`x` is not an arbitrary array"):
        compare_coefficients(part.lhs, part.ctx, operand="x")


def _derivative_through_definition() -> tuple[Part, dict[str, Any]]:
    """∂(Σ_k w[k]·f[k])/∂w[m] with f := w (that is ∂ Σ w[k]² = 2·w[m]) "=" f[m] = w[m]: FALSE.

    differentiate_under_sum holds f fixed. The forger's instance sizes are empty (0 ≤ m < K − 1 at K = 1).
    """
    ctx = Context((K,), ("m",), _range(m, 0, K - 1))
    body = Sum((), (), (Term("w", (i,)),))
    lhs = Derivative(Expr.of(Sum(("k",), _range(k, 0, K), (Term("w", (k,)), Term("f", (k,))))), "w", (m,))
    rhs = Expr.of(Sum((), (), (Term("f", (m,)),)))
    part = Part("gradient", ctx, lhs, rhs, "=", [], (), (("f", body, ("i",)),))
    dv = Deriver(part)
    dv.apply("differentiate_under_sum")
    dv.sift()
    dv.close()
    return part, _certificate([part], [{"K": 1}])


def test_a_derivative_never_holds_a_defined_array_fixed():
    _, data = _derivative_through_definition()
    _refused(data, "whose definition reads w")
    # nor is a defined array an input to differentiate with respect to
    d = json.loads(json.dumps(data))
    d["parts"][0]["lhs"]["derivative"]["a"] = "f"
    _refused(d, "differentiates with respect to f, a defined array")


def _arities() -> tuple[dict[str, Any], dict[str, Any]]:
    """Two statements reading one array with two numbers of indices (entries of two different functions).

    1. w[u] = w[K−1−u] (a 1-D w) rewrites the 2-D read w[k, j]: Σ_{k<K, j=0} w[k, j] "=" Σ_k w[K−1−k].
    2. ∂(Σ_{k<K, 0≤j≤1} x[k, j]·c[k, j]) / ∂x[m]: the derivative by a 1-index x[m] pins k only, "=" Σ_j c[m, j].
    """
    h = Hypothesis("centro", ("u",), _range(u, 0, K), "w", (u,), (K - 1 - u,), 1)
    ctx = Context((K, N), (), (), (h,))
    lhs = Expr.of(Sum(("k", "j"), (*_range(k, 0, K), Constraint.eq(j, 0), LARGE), (Term("w", (k, j)),)))
    after = Expr.of(Sum(("k", "j"), (*_range(k, 0, K), Constraint.eq(j, 0), LARGE), (Term("w", (K - 1 - k,)),)))
    args = {"sum": 0, "factor": 0, "hypothesis": "centro"}
    first = _step("apply_hypothesis", args, lhs, after, "guard ⇒ domain of centro at w[k, j]")
    rewrite = Part("two arities", ctx, lhs, after, "=", [first, _close(after, ctx)])

    ctx = Context((K,), ("m",), _range(m, 0, K))
    rng = (*_range(k, 0, K), Constraint.le(0, j), Constraint.le(j, 1))
    lhs = Derivative(Expr.of(Sum(("k", "j"), rng, (Term("x", (k, j)), Term("c", (k, j))))), "x", (m,))
    pinned = Expr.of(Sum(("k", "j"), (*rng, Constraint.eq(k, m)), (Term("c", (k, j)),)))
    first = _step("differentiate_under_sum", {}, lhs, pinned, "linear in x: one unconjugated factor per term")
    sift = _by_rule(collapse_kronecker_delta, pinned, ctx, "collapse_kronecker_delta", sum=0, var="k")
    rhs = sift.after
    gradient = Part("derivative", ctx, lhs, rhs, "=", [first, sift, _close(rhs, ctx)])
    return _certificate([rewrite], [{"K": 2, "N": 1}]), _certificate([gradient], [{"K": 2}])


def test_an_array_is_read_with_one_number_of_indices():
    rewrite, gradient = _arities()
    _refused(rewrite, "the array w is read with 2 and with 1 indices")
    _refused(gradient, "the array x is read with 1 and with 2 indices")
    h = Hypothesis("centro", ("u",), _range(u, 0, K), "w", (u,), (K - 1 - u,), 1)
    two = Expr.of(Sum(("k", "j"), (*_range(k, 0, K), Constraint.eq(j, 0)), (Term("w", (k, j)),)))
    with pytest.raises(RuleError, match="w\\[k, j\\] has 2 indices, the hypothesis 1"):
        apply_hypothesis(two, Context((K,), (), (), (h,)), sum=0, factor=0, hypothesis="centro")
    from symconv.proofs._rules import differentiate_under_sum

    d = Derivative(two, "w", (m,))
    with pytest.raises(RuleError, match="has 2 indices, the derivative by w names 1"):
        differentiate_under_sum(d, Context((K,), ("m",), _range(m, 0, K)))


def _only_if(operand: str, h: Hypothesis, mirror: Affine) -> Part:
    """Σ a[k]·w[k] − Σ a[k]·w[mirror(k)] = 0 for every a ⇒ h (true when h says w[k] = w[mirror(k)])."""
    rng = _range(k, 0, K)
    lhs = Expr.of(
        Sum(("k",), rng, (Term(operand, (k,)), Term("w", (k,)))),
        Sum(("k",), rng, (Term(operand, (k,)), Term("w", (mirror,))), -1),
    )
    part = Part("only if", Context((K,), (), ()), lhs, h, "⇒")
    dv = Deriver(part)
    dv.apply("compare_coefficients", operand=operand)
    dv.apply("entails_hypothesis", claim=h.name, hypothesis=h)
    return part


def test_the_exact_check_of_an_only_if_reads_the_statement_not_the_librarys_names():
    """A valid "only if" whose input is called y (not x) crashed the check with StopIteration, never a report;
    a hypothesis whose left side is not the identity is checked at the entries it names."""
    centro = Hypothesis("centro", ("u",), _range(u, 0, K), "w", (u,), (K - 1 - u,), 1)
    r = _check(_certificate([_only_if("y", centro, K - 1 - k)], [{"K": 3}]))
    assert r.ok, r.message
    # w[u + 1] = w[K − 1 − u] on 0 ≤ u < K − 1: the reverse of w[1..K−1]; Σ y[k]·w[k] = Σ y[k]·w[K − k] on 1 ≤ k
    shifted = Hypothesis("shifted", ("u",), _range(u, 0, K - 1), "w", (u + 1,), (K - 1 - u,), 1)
    part = _only_if("y", shifted, K - k)
    part.lhs = Expr(tuple(replace(s, guard=(*s.guard, Constraint.le(1, k))) for s in part.lhs.sums))
    part.steps = []
    dv = Deriver(part)
    dv.apply("compare_coefficients", operand="y")
    dv.apply("entails_hypothesis", claim="shifted", hypothesis=shifted)
    for size in (2, 3, 4):
        r = _check(_certificate([part], [{"K": size}]))
        assert r.ok, r.message


# == 2. attacks the checker refused all along (the defence stays) ==================================


def _forged(ctx: Context, lhs: Expr, after: Expr, step: Step, sizes: Mapping[str, int]) -> dict[str, Any]:
    part = Part("forged", ctx, lhs, after, "=", [step, _close(after, ctx)])
    return _certificate([part], [sizes])


def test_reindex_onto_a_sublattice_is_refused():
    """Σ_{0≤v<N} x[v] "=" Σ_{v'} [0 ≤ 2v' < N] x[2v']: v ↦ 2v' is a bijection onto the even v only (det 2)."""
    ctx = Context((N,), (), ())
    lhs = Expr.of(Sum(("v",), _range(v, 0, N), (Term("x", (v,)),)))
    mapping = {"v": 2 * Affine.var("v2")}
    after = lhs.replace_sum(0, lhs.sums[0].substitute(mapping, ("v2",)))
    step = _step(
        "reindex", {"sum": 0, "mapping": mapping, "variables": ["v2"]}, lhs, after, "unimodular substitution, det = 2"
    )
    _refused(_forged(ctx, lhs, after, step, {"N": 1}), "det ±1); got det = 2")
    for bad, det in ((Affine.var("v2") * N, "N"), (Affine.var("v2") * (N - 1), "N - 1")):
        with pytest.raises(RuleError, match=f"got det = {det}$"):
            reindex(lhs, ctx, sum=0, mapping={"v": bad}, variables=["v2"])
    # a coefficient that is an integer only at some sizes, and the image of a bound variable reading itself
    with pytest.raises(RuleError, match="must be an integer"):
        reindex(lhs, ctx, sum=0, mapping={"v": Affine.var("v2") + Affine.constant(N / 2)}, variables=["v2"])
    with pytest.raises(RuleError, match="unknown variables"):
        reindex(lhs, ctx, sum=0, mapping={"v": Affine.var("v2") + v}, variables=["v2"])


def test_swap_sums_over_dependent_bounds_and_its_infinite_look_alikes():
    ctx = Context((N,), (), ())
    # a triangle: 0 ≤ j < N, then 0 ≤ i ≤ j (i bounded through j)
    tri = Expr.of(Sum(("i", "j"), (*_range(j, 0, N), Constraint.le(0, i), Constraint.le(i, j)), (Term("x", (i, j)),)))
    out, _ = swap_sums(tri, ctx, sum=0, order=["j", "i"])
    assert out.sums[0].variables == ("j", "i")
    # a strip along the diagonal: each variable bounded GIVEN the other, the sum infinite
    strip = Expr.of(
        Sum(("i", "j"), (Constraint.le(i, j), Constraint.le(j, i + 3), Constraint.le(0, i)), (Term("x", (i, j)),))
    )
    with pytest.raises(RuleError, match="unbounded"):
        swap_sums(strip, ctx, sum=0, order=["j", "i"])
    # a bound whose direction depends on the size: (N − 2)·v ≤ 5 bounds v above only for N ≥ 3
    tilt = Expr.of(
        Sum(("v",), (Constraint.le(0, v), Constraint(Affine.constant(5) - v * (N - 2), ">=")), (Term("x", (v,)),))
    )
    with pytest.raises(RuleError, match="unbounded"):
        swap_sums(tilt, ctx, sum=0, order=["v"])


def test_combine_sums_over_overlapping_ranges_is_refused():
    """Σ_{0≤k<N} x[k] + Σ_{1≤k≤N} x[k] "=" 2·Σ_{0≤k<N} x[k]: the ranges overlap, they are not like terms."""
    ctx = Context((N,), (), ())
    a = Sum(("k",), _range(k, 0, N), (Term("x", (k,)),))
    b = Sum(("k",), _range(k, 1, N + 1), (Term("x", (k,)),))
    lhs = Expr.of(a, b)
    after = Expr.of(a.scaled(2))
    step = _step(
        "combine_sums", {"first": 0, "second": 1}, lhs, after, "like terms: the same variables, guard and factors"
    )
    _refused(_forged(ctx, lhs, after, step, {"N": 1}), "not like terms")
    # the same guard written in another order, and with the same variables, are like terms
    c = Sum(("k",), tuple(reversed(a.guard)), a.factors, -1)
    out, _ = combine_sums(Expr.of(a, c), ctx, first=0, second=1)
    assert out.sums == ()
    renamed = Sum(("j",), _range(j, 0, N), (Term("x", (j,)),))
    with pytest.raises(RuleError, match="not like terms"):
        combine_sums(Expr.of(a, renamed), ctx, first=0, second=1)


def test_pin_variable_needs_a_guard_that_forces_one_value():
    """Σ_{0≤g≤1} x[g] "=" x[0]: the guard is a range, not an equality."""
    ctx = Context((N,), (), ())
    lhs = Expr.of(Sum(("g",), (Constraint.le(0, g), Constraint.le(g, 1)), (Term("x", (g,)),)))
    after = Expr.of(Sum((), (), (Term("x", (Affine.constant(0),)),)))
    step = _step(
        "pin_variable", {"sum": 0, "var": "g", "value": Affine.constant(0)}, lhs, after, "the guard forces g = 0"
    )
    _refused(_forged(ctx, lhs, after, step, {"N": 1}), "side condition fails: the guard forces g = 0")
    # 0 ≤ g ≤ N − 1 forces g = 0 only where N = 1: an assumption says so, or it is refused
    rng = Expr.of(Sum(("g",), _range(g, 0, N), (Term("x", (g,)),)))
    with pytest.raises(RuleError, match="counterexample: N=2"):
        pin_variable(rng, ctx, sum=0, var="g", value=Affine.constant(0))
    one = Context((N,), (), (Constraint.eq(Affine.constant(N), 1),))
    out, _ = pin_variable(rng, one, sum=0, var="g", value=Affine.constant(0))
    assert out.sums[0].variables == ()
    # 2g = N forces g = N/2: not an integer for odd N, never a read
    even = Expr.of(Sum(("g",), (Constraint.eq(2 * g, Affine.constant(N)),), (Term("x", (g,)),)))
    with pytest.raises(SymconvError, match="integer"):
        pin_variable(even, ctx, sum=0, var="g", value=Affine.constant(N / 2))
    with pytest.raises(RuleError, match="not reading 'g'"):
        pin_variable(rng, one, sum=0, var="g", value=g)


def test_a_solver_that_answers_unknown_proves_nothing(monkeypatch):
    """z3 'unknown' twice (unbounded and bounded) is a failed side condition, never a proved one."""
    ctx = Context((N,), (), (Constraint.eq(Affine.constant(N), 1),))
    rng = Expr.of(Sum(("g",), _range(g, 0, N), (Term("x", (g,)),)))
    monkeypatch.setattr(_solver, "_check", lambda *a, **kw: (_solver.z3.unknown, (None, None)))
    with pytest.raises(RuleError, match="solver: unknown, bounded check failed"):
        pin_variable(rng, ctx, sum=0, var="g", value=Affine.constant(0))


def test_compare_coefficients_needs_an_injective_read_at_every_symbolic_stride():
    """x[(s − 1)·k] is injective only for a stride s ≥ 2: at s = 1 every k reads x[0]."""
    ctx = Context((S, N), (), ())
    rng = _range(k, 0, N)
    e = Expr.of(Sum(("k",), rng, (Term("x", (k * (S - 1),)), Term("w", (k,)))))
    with pytest.raises(RuleError, match="must be injective"):
        compare_coefficients(e, ctx, operand="x")
    two = Context((S, N), (), (Constraint.le(2, Affine.constant(S)),))
    _, conds = compare_coefficients(e, two, operand="x")
    assert "injective" in conds[-1].text


def test_hypotheses_and_assumptions_are_the_statements_not_the_steps():
    """A hypothesis the statement never declares cannot be applied; a library statement with one more is refused."""
    ctx = Context((K,), (), ())
    e = Expr.of(Sum(("k",), _range(k, 0, K), (Term("w", (k,)),)))
    with pytest.raises(SymconvError, match="no hypothesis named 'centro'"):
        apply_hypothesis(e, ctx, sum=0, factor=0, hypothesis="centro")
    import forgeries

    data = forgeries.library("convolve_equals_correlate_iff_centrosymmetric")
    only_if = next(p for p in data["parts"] if p["relation"] == "⇒")
    # the "only if" part assuming its own conclusion: a circular statement the library never makes
    only_if["ctx"]["context"]["hypotheses"].append(only_if["rhs"]["hypothesis"])
    _refused(data, "does not state what")


@pytest.mark.parametrize("name", ["k\u200b", "\uff4b", "k ", " k", "k\n", "κ"])
def test_look_alike_and_whitespace_names_are_not_bound_variables(name):
    ctx = Context((N,), (), ())
    e = Expr.of(Sum(("k",), _range(k, 0, N), (Term("x", (k,)),)))
    with pytest.raises(RuleError, match="is not a name"):
        reindex(e, ctx, sum=0, mapping={"k": Affine.var(name)}, variables=[name])


def test_a_look_alike_size_or_operand_is_another_one():
    full = param_symbol("\uff2e")  # a fullwidth N: a size of its own, not N
    ctx = Context((N,), (), ())
    e = Expr.of(Sum(("k",), _range(k, 0, full), (Term("x", (k,)),)))
    with pytest.raises(RuleError, match="not a size parameter of the statement"):
        swap_sums(e, ctx, sum=0, order=["k"])
    a = Expr.of(Sum(("k",), _range(k, 0, N), (Term("x", (k,)),)))
    b = Expr.of(Sum(("k",), _range(k, 0, N), (Term("x\u200b", (k,)),)))
    with pytest.raises(RuleError, match="summands differ"):
        equal(a, ctx, claim=b)


def test_duplicated_keys_make_a_certificate_ambiguous():
    _, data = _half_shift()
    text = json.dumps(data, ensure_ascii=False)
    twice = text.replace('"status": "proved"', '"status": "bounded", "status": "proved"', 1)
    assert json.loads(twice)["status"] == "proved"  # what a parser keeping the last one reads
    with pytest.raises(SymconvError, match="`status` twice"):
        Certificate.from_json(twice)


def test_huge_coefficients_are_a_failed_report_not_a_crash():
    _, data = _conjugate_definition()
    lhs = data["parts"][0]["lhs"]["expr"][0]
    lhs["f"][1]["i"][0]["c"][0][1] = {"pow": [{"i": 2**40}, {"i": 16}]}  # x[2^640·k]
    r = _check(data)
    assert not r.ok and r.status == "failed"


def test_a_rule_never_computes_an_unbounded_determinant(monkeypatch):
    """Unbounded time: a dense symbolic Jacobian of 10×10 took minutes (24×24: hours) by expression elimination,
    and the injectivity check tried EVERY square minor (C(30, 15) ≈ 1.5·10⁸ of a 30-axis read). Now the
    determinant is a polynomial one, a symbolic matrix beyond 12×12 is refused and at most 32 minors are tried."""
    from symconv.proofs import _closing

    n = 13
    names = [f"v{a}" for a in range(n)]
    s = Sum(
        tuple(names),
        tuple(c for x in names for c in _range(Affine.var(x), 0, N)),
        (Term("x", tuple(map(Affine.var, names))),),
    )
    shear = {
        x: Affine.var(x + "p") + (Affine.var(names[1] + "p") * N if a == 0 else Affine.constant(0))
        for a, x in enumerate(names)
    }
    with pytest.raises(RuleError, match=f"at most {n - 1}×{n - 1}"):
        reindex(Expr.of(s), Context((N,), (), ()), sum=0, mapping=shear, variables=[x + "p" for x in names])
    # an integer Jacobian of that size is quick and stays accepted
    swap = {x: Affine.var(names[(a + 1) % n] + "p") for a, x in enumerate(names)}
    reindex(Expr.of(s), Context((N,), (), ()), sum=0, mapping=swap, variables=[x + "p" for x in names])
    from symconv.proofs._rulebase import MAX_MINORS, determinant

    # a dense symbolic 6×6: exact, by polynomial arithmetic
    rows = [[(N + a * b) if (a + b) % 2 else K * (a - b) for b in range(6)] for a in range(6)]
    assert determinant(rows, "test") == sympy.expand(sympy.Matrix(rows).det())

    calls = []
    monkeypatch.setattr(_closing, "determinant", lambda rows, what: calls.append(1) or sympy.Integer(0))
    vs = [f"k{a}" for a in range(7)]
    row = sum((Affine.var(x) * (N + a) for a, x in enumerate(vs)), Affine.constant(0))
    read = Term("x", tuple(row * (a + 1) for a in range(14)))  # rank 1: every one of C(14, 7) = 3432 minors is 0
    assert _closing._injective_ring(read.index, vs, Context((N,), (), ())) is None
    assert len(calls) == MAX_MINORS


def test_exact_evaluation_never_wraps_around_64_bits():
    """x[2^24·v] at v = 2^40 reads x[2^64]: int64 arithmetic wrapped it to x[0], so the "exact" expansion of an
    instance check said Σ_v [v = 2^40] x[2^24·v] = x[0]; and 2^40·x[v]^8 overflowed the numeric check."""
    from symconv.proofs._evaluate import monomials, values

    far = Expr.of(Sum(("v",), (Constraint.eq(v, 2**40),), (Term("x", (v * 2**24,)),)))
    with pytest.raises(SymconvError, match="beyond exact 64-bit evaluation"):
        monomials(far, Context((), (), ()), {})
    big = Expr.of(Sum(("v",), (*_range(v, 0, 4),), tuple(Term("x", (v,)) for _ in range(8)), 2**40))
    with pytest.raises(SymconvError, match="beyond exact 64-bit evaluation"):
        values(big, Context((), (), ()), {}, 0)
    # within 64 bits: the exact value, the same as plain Python integers
    small = Expr.of(Sum(("v",), (*_range(v, 0, 4),), tuple(Term("x", (v,)) for _ in range(3)), 2**20))
    from symconv.proofs._evaluate import array_values

    want = sum(2**20 * int(array_values("x", 0, [[a]])[0]) ** 3 for a in range(4))
    assert values(small, Context((), (), ()), {}, 0) == {(): want}
