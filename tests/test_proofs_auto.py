"""The generic strategy (symconv.proofs._auto): it closes the library's theorems WITHOUT their hand-written
strategies, its certificates replay through the unchanged checker, and it never closes a false variant."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_theorems import FALSE, GENERAL

from symconv.proofs import Certificate
from symconv.proofs._auto import AutoError, auto
from symconv.proofs._parts import Deriver, Part
from symconv.proofs._registry import _LIBRARY, build_plan
from symconv.proofs._replay import replay

#: Reach: the theorems whose every part the generic strategy closes (at every parameter set of GENERAL).
REACH = {
    "correlate_grad_input_is_full_convolution",
    "correlate_grad_weight_is_valid_correlation",
    "convolve_grad_input_is_full_correlation",
    "convolve_grad_weight_is_flipped_valid_correlation",
    "conv_grad_input_is_transposed_conv",
    "conv_grad_weight_swaps_stride_and_dilation",
    "convolve_is_correlate_with_flipped_kernel",
    "convolve_equals_correlate_iff_centrosymmetric",
    "convolve_equals_minus_correlate_iff_anticentrosymmetric",
    "full_convolution_commutes",
    "full_convolution_associates",
    "full_correlation_swap_is_flip",
    "correlate_adjoint_is_full_convolution",
    "correlation_matrix_is_toeplitz",
}
#: Out of reach, and why: the DFT theorems have no general proof at all (reindexing modulo N is not a rule).
OUT_OF_REACH = {
    "circular_convolution_theorem": "instance-only: no rule reindexes modulo N",
    "circular_correlation_theorem": "instance-only: no rule reindexes modulo N",
}


def _fresh(part: Part) -> Part:
    return replace(part, steps=[])


def test_reach_lists_every_theorem() -> None:
    assert REACH | set(OUT_OF_REACH) == set(_LIBRARY)
    assert not REACH & set(OUT_OF_REACH)
    for name in OUT_OF_REACH:
        assert build_plan(name, {}, None).instance_only


@pytest.mark.parametrize(("name", "params"), [(n, p) for n, p in GENERAL if n in REACH] + [(n, {}) for n in REACH])
def test_generic_strategy_closes_library_theorem(name: str, params: dict) -> None:
    plan = build_plan(name, params, None)
    parts = [_fresh(p) for p, _ in plan.parts]
    for part in parts:
        auto(Deriver(part))
        assert part.steps[-1].rule in ("equal", "entails_hypothesis")
    r = replay(parts)
    assert r.ok, r.message


@pytest.mark.parametrize(("name", "params", "variant"), [f for f in FALSE if f[0] in REACH])
def test_generic_strategy_never_closes_a_false_variant(name: str, params: dict, variant: str) -> None:
    plan = build_plan(name, params, variant)
    ref = build_plan(name, params, None)
    wrong = [
        _fresh(p)
        for (p, _), (q, _) in zip(plan.parts, ref.parts)
        if (p.lhs, p.rhs, p.ctx, p.definitions) != (q.lhs, q.rhs, q.ctx, q.definitions)
    ]
    assert wrong
    for part in wrong:
        with pytest.raises(AutoError) as info:
            auto(Deriver(part))
        assert info.value.tried
        assert part.steps == []  # a failed search leaves no step behind


def test_generic_certificate_checks_as_hand_made_and_rejects_tampering() -> None:
    from symconv.proofs._proof import Proof

    plan = build_plan("convolve_is_correlate_with_flipped_kernel", {"ndim": 2}, None)
    part = _fresh(plan.parts[0][0])
    auto(Deriver(part))
    proof = Proof("my flip", "mine", {}, "general", "proved", [part])
    from symconv.proofs._theorem import _derived

    sizes = _derived(plan, part, 1)[0]
    proof.instance_checks.append(
        {"part": part.title, "sizes": {k.name: v for k, v in sizes.items()}, "holds": True, "method": "instance"}
    )
    data = proof.certificate.data
    r = Certificate(data).check()
    assert r.ok and not r.library, r.message
    # drop the unfolding of flip(w): the replay refuses the chain
    bad = dict(data, parts=[dict(data["parts"][0], steps=data["parts"][0]["steps"][1:])])
    assert not Certificate(bad).check().ok


# -- the two rules the generic strategy added: reorder_sums, combine_sums ---------------------------------


def _terms_part(lhs: list[tuple[int, int]], rhs: list[tuple[int, int]]) -> Part:
    """``Σ c·x[i + s]`` on both sides (pairs (c, s)), i free in 0 ≤ i < N."""
    import sympy

    from symconv.core.affine import Affine
    from symconv.proofs._iverson import Constraint, Context, Expr, Sum, Term

    N = sympy.Symbol("N", integer=True, positive=True)
    i = Affine.var("i")
    ctx = Context((N,), ("i",), (Constraint.le(0, i), Constraint.lt(i, Affine.constant(N))))

    def side(terms: list[tuple[int, int]]) -> Expr:
        return Expr(tuple(Sum((), (), (Term("x", (i + s,)),), c) for c, s in terms))

    return Part("terms", ctx, side(lhs), side(rhs))


def test_like_terms_are_collected_and_terms_reordered_and_both_replay() -> None:
    part = _terms_part([(1, 0), (2, 1), (1, 0)], [(2, 1), (2, 0)])
    auto(Deriver(part))
    rules = [s.rule for s in part.steps]
    assert "combine_sums" in rules and "reorder_sums" in rules and rules[-1] == "equal"
    assert replay([part]).ok
    cancel = _terms_part([(1, 0), (-1, 0)], [])
    auto(Deriver(cancel))
    assert [s.rule for s in cancel.steps] == ["combine_sums", "equal"]
    assert replay([cancel]).ok
    with pytest.raises(AutoError):
        auto(Deriver(_terms_part([(1, 0), (2, 1)], [(2, 0), (1, 1)])))


def test_forged_combine_and_reorder_steps_are_rejected() -> None:
    from symconv.proofs._rules import RULES, RuleError

    part = _terms_part([(1, 0), (2, 1)], [(2, 1), (1, 0)])
    with pytest.raises(RuleError, match="not like terms"):
        RULES["combine_sums"](part.lhs, part.ctx, first=0, second=1)
    with pytest.raises(RuleError, match="permutation"):
        RULES["reorder_sums"](part.lhs, part.ctx, order=[0, 0])
    auto(Deriver(part))
    assert replay([part]).ok
    step = next(s for s in part.steps if s.rule == "reorder_sums")
    forged = replace(step, after=part.rhs)  # the order undone: not what the rule gives
    bad = replace(part, steps=[forged if s is step else s for s in part.steps])
    assert not replay([bad]).ok
    like = _terms_part([(1, 0), (1, 0)], [(3, 0)])
    d = Deriver(like)
    d.apply("combine_sums", "lhs", first=0, second=1)
    with pytest.raises(RuleError):
        d.close()
    forged_step = replace(like.steps[0], after=like.rhs)  # 1 + 1 claimed to be 3
    assert not replay([replace(like, steps=[forged_step, *like.steps[1:]])]).ok


def test_pin_variable_needs_the_guard_to_force_the_value() -> None:
    import sympy

    from symconv.core.affine import Affine
    from symconv.proofs._iverson import Constraint, Context, Expr, Sum, Term
    from symconv.proofs._rules import RULES, RuleError

    N = sympy.Symbol("N", integer=True, positive=True)
    i, grp = Affine.var("i"), Affine.var("grp")
    ctx = Context((N,), ("i",), (Constraint.le(0, i), Constraint.lt(i, Affine.constant(N))))
    one = Expr.of(Sum(("grp",), (Constraint.le(0, grp), Constraint.le(grp, 0)), (Term("x", (i + grp,)),)))
    after, _ = RULES["pin_variable"](one, ctx, sum=0, var="grp", value=Affine.constant(0))
    assert after == Expr.of(Sum((), (), (Term("x", (i,)),)))
    with pytest.raises(RuleError, match="forces"):  # the guard forces 0, not 1
        RULES["pin_variable"](one, ctx, sum=0, var="grp", value=Affine.constant(1))
    two = Expr.of(Sum(("grp",), (Constraint.le(0, grp), Constraint.le(grp, 1)), (Term("x", (i + grp,)),)))
    with pytest.raises(RuleError, match="forces"):  # two groups: no single value
        RULES["pin_variable"](two, ctx, sum=0, var="grp", value=Affine.constant(0))
    part = Part("pin", ctx, one, Expr.of(Sum((), (), (Term("x", (i,)),))))
    auto(Deriver(part))
    assert [s.rule for s in part.steps] == ["pin_variable", "equal"]
    assert replay([part]).ok
    forged = replace(part.steps[0], after=Expr.of(Sum((), (), (Term("x", (i + 1,)),))))
    assert not replay([replace(part, steps=[forged, part.steps[1]])]).ok
