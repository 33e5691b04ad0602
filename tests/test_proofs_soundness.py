"""The checker's soundness holes of issue 8, each closed as a class, each with the forgery that used it.

1. variable capture (a bound variable named like a parameter or a free index),
2. what a certificate leaves out (stored conditions, `status`, instance checks),
3. "ok" with a bounded step, and the solver time of a whole replay,
4. a chain that proves something other than the statement (relation, no parts, the library's words),
5. certificate loading: every bad input a one-line SymconvError or a failed report.
"""

from __future__ import annotations

import copy
import json

import forgeries
import pytest
import sympy

from symconv import Certificate, SymconvError, limits, theorem
from symconv.core.affine import Affine
from symconv.proofs import CheckReport, _solver
from symconv.proofs._iverson import Constraint, Context, Expr, Hypothesis, Pointwise, Sum, Term
from symconv.proofs._replay import replay
from symconv.proofs._rules import RuleError, collapse_kronecker_delta, definition, entails_hypothesis, reindex
from symconv.proofs._serial import param_symbol

N, K = param_symbol("N"), param_symbol("K")
n, k, m, u = (Affine.var(v) for v in ("n", "k", "m", "u"))


def _check(data) -> CheckReport:
    return Certificate(data).check()


@pytest.fixture(scope="module")
def commutes() -> dict:
    return forgeries.library()


@pytest.fixture(scope="module")
def iff() -> dict:
    return forgeries.library("convolve_equals_correlate_iff_centrosymmetric")


# -- 1. variable capture -----------------------------------------------------------------


def test_the_solver_never_identifies_an_index_variable_with_a_parameter_of_the_same_name():
    """z3 knows constants by name: an index `N` and the size `N` must still be two quantities."""
    v = _solver.implies(Context((N,), ("N",), ()), [], [Constraint.le(Affine.var("N"), N)])
    assert v.status == "refuted" and v.counterexample is not None and "N (index)" in v.counterexample
    w = _solver.equivalent(Context((N,), ("N",), ()), [Constraint.le(0, Affine.var("N"))], [])
    assert w.status == "refuted"


def test_an_existential_never_captures_a_parameter():
    """∃K (a new variable): u ≤ K − 1 (the size K) must not become ∃K: u ≤ K − 1 (any K)."""
    ctx = Context((K,), ("u",), (Constraint.le(0, u), Constraint.le(u, K)))
    goal = [Constraint.le(u, K - 1), Constraint.le(0, Affine.var("K"))]
    v = _solver.implies(ctx, [], goal, exists=["K"])
    assert v.status == "refuted" and v.counterexample["u"] == v.counterexample["K"]
    # nor a free index, nor a variable of the premises
    ctx2 = Context((K,), ("u", "m"), (Constraint.le(0, u), Constraint.le(u, K), Constraint.eq(m, 0)))
    v2 = _solver.implies(ctx2, [], [Constraint.le(u, K - 1), Constraint.le(0, m)], exists=["m"])
    assert v2.status == "refuted"


def test_rules_refuse_a_bound_variable_named_like_a_parameter_or_a_free_index():
    ctx = Context((N, K), ("m",), (Constraint.le(0, m), Constraint.lt(m, N)))
    s = Sum(("n",), (Constraint.le(0, n), Constraint.le(n, N)), (Term("x", (n,)),))
    for name in ("N", "K", "m"):
        with pytest.raises(RuleError, match=r"clash(es)? with (the size parameter|the free index|free indices)"):
            reindex(Expr.of(s), ctx, sum=0, mapping={"n": Affine.var(name)}, variables=[name])
    captured = Sum(("N",), (Constraint.eq(Affine.var("N"), m),), (Term("x", (Affine.var("N"),)),))
    with pytest.raises(RuleError, match="bound variable `N` clashes with the size parameter N"):
        collapse_kronecker_delta(Expr.of(captured), ctx, sum=0, var="N")
    loose = Sum(("n",), (Constraint.le(0, n),), (Term("x", (n + k,)),))  # k is bound nowhere
    with pytest.raises(RuleError, match="`k`, neither bound there nor a free index"):
        collapse_kronecker_delta(Expr.of(loose), ctx, sum=0, var="n")
    for bad in ("k~", "k + 1", ""):
        odd = Sum((bad,), (), (Term("x", (Affine.var(bad),)),))
        with pytest.raises(RuleError, match="is not a name"):
            collapse_kronecker_delta(Expr.of(odd), ctx, sum=0, var=bad)


def test_a_definition_is_closed_and_its_indices_are_not_its_variables():
    ctx = Context((K,), ("m",), ())
    outer = Expr.of(Sum(("n",), (Constraint.eq(n, m),), (Term("f", (n,)),)))
    body = Sum(("k",), (Constraint.eq(k, Affine.var("i")),), (Term("w", (k,)),))  # f[i] = Σ_k [k = i] w[k]
    after, _ = definition(outer, ctx, sum=0, factor=0, body=body, at=["i"])
    assert [str(t) for t in after.sums[0].factors] == ["w[k]"]
    with pytest.raises(RuleError, match="not well scoped"):  # `at` names the body's own variable: capture
        definition(outer, ctx, sum=0, factor=0, body=body, at=["k"])
    reads_m = Sum(("k",), (Constraint.eq(k, m),), (Term("w", (k,)),))  # reads the outer free index m
    with pytest.raises(RuleError, match="not well scoped"):
        definition(outer, ctx, sum=0, factor=0, body=reads_m, at=["i"])


def test_a_hypothesis_is_renamed_apart_from_the_identity_it_closes():
    """The hypothesis' variable named like the identity's: the same statement (bound names), still decided."""
    ctx = Context((K,), (), ())
    for var in ("u", "k"):
        hv = Affine.var(var)
        hyp = Hypothesis("sym", (var,), (Constraint.le(0, hv), Constraint.lt(hv, K)), "w", (hv,), (K - 1 - hv,), 1)
        pw = Pointwise(
            ("k",),
            (Constraint.le(0, k), Constraint.lt(k, K)),
            ((1, (Term("w", (k,)),)), (-1, (Term("w", (K - 1 - k,)),))),
        )
        after, conds = entails_hypothesis(pw, ctx, claim="sym", hypothesis=hyp)
        assert after == pw and conds[0].status == "proved"


def test_the_captured_false_variant_fails_replay():
    """A library false variant, refuted by instance checks, "proved" through two variables named K_0, N_0."""
    th = theorem("convolve_equals_correlate_iff_centrosymmetric", ndim=2).variant("domain_off_by_one")
    assert th.prove(method="instance").status == "refuted"
    data = forgeries.captured_variant()
    r = replay(Certificate(data).parts())
    assert r.status == "failed" and not r.ok
    assert "bound variable `K_0` clashes with the size parameter K_0" in r.message, r.message
    assert not _check(data).ok
    assert not _check({**data, "status": "proved"}).ok


def test_the_captured_tail_sum_fails_replay():
    """Σ_{v=0}^{N} x[v] = Σ_{v=N−4}^{N} x[v]: false at N = 5, once "proved" by reindexing v to `N`."""
    r = _check(forgeries.captured_sum())
    assert not r.ok and r.status == "failed" and not r.library
    assert "bound variable `N` clashes with the size parameter N" in r.message, r.message


# -- 2. what the certificate leaves out ----------------------------------------------------


def test_deleted_side_conditions_are_a_failure_not_a_skipped_comparison(commutes):
    data = copy.deepcopy(commutes)
    del data["parts"][0]["steps"][0]["conditions"]
    r = _check(data)
    assert not r.ok and "has no `conditions`" in r.message
    data = copy.deepcopy(commutes)
    data["parts"][0]["steps"][-1]["conditions"] = []
    r = _check(data)
    assert not r.ok and "stored side conditions are not the ones the rule checks" in r.message


@pytest.mark.parametrize("status", ["proved", None])
@pytest.mark.parametrize("method", ["general", None])
def test_exact_instance_checks_are_demanded_for_every_part_whatever_status_and_method_say(iff, status, method):
    data = copy.deepcopy(iff)
    assert {c["part"] for c in data["instance_checks"]} == {p["title"] for p in data["parts"]}
    data["instance_checks"] = [c for c in data["instance_checks"] if c["part"] == data["parts"][0]["title"]]
    for key, value in (("status", status), ("method", method)):
        if value is None:
            del data[key]
    r = _check(data)
    assert not r.ok, (status, method)
    want = "no exact instance check for part(s)" if status and method else "is missing"
    assert want in r.message, r.message


@pytest.mark.parametrize(
    "field", ["theorem", "statement", "params", "method", "status", "instance_checks", "not_covered"]
)
def test_every_field_is_required(commutes, field):
    r = _check(forgeries.without(commutes, field))
    assert not r.ok and f"the field `{field}` is missing" in r.message


def test_a_part_must_word_its_assumptions_as_the_library_does(commutes):
    data = copy.deepcopy(commutes)
    data["parts"][0]["assumptions"] = []
    r = _check(data)
    assert not r.ok and "words its assumptions unlike" in r.message


# -- 3. bounded is not ok; the solver time of a replay is capped ------------------------------


def test_a_replay_resting_on_a_bounded_check_is_bounded_never_ok(monkeypatch):
    """The Pell forgery: false only at a = 1766319049, b = 226153980; z3 says unknown, the bounded search passes.

    z3's answer to the unbounded question is fixed to "unknown" (what it answers when it gives up), so the
    test does not depend on z3 giving up within a timeout on a loaded machine; the bounded search is real.
    """
    import z3

    real_check = _solver._check
    asked: list[bool] = []

    def unbounded_unknown(ctx, premises, neg, names, bound):
        asked.append(bound)
        if not bound:
            return z3.unknown, (None, None)
        return real_check(ctx, premises, neg, names, bound)

    monkeypatch.setattr(_solver, "_check", unbounded_unknown)
    data = forgeries.pell()
    data["status"] = "bounded"
    r = _check(data)
    assert r.status == "bounded" and not r.ok and not r and r.bounded == 1
    assert "NOT verified" in r.message
    r = _check(forgeries.pell())  # it claims "proved"
    assert r.status == "failed" and "status 'proved', but the replay gives 'bounded'" in r.message
    assert False in asked and True in asked  # the unknown came from the mock, the bounded check ran


def test_the_solver_time_of_a_whole_replay_is_capped():
    with limits(solver_seconds=1):
        r = _check({**forgeries.pell(), "status": "bounded"})
    assert r.status == "failed" and not r.ok
    assert "time budget of 1 s is spent" in r.message and "solver_seconds" in r.message


def test_a_report_cannot_be_ok_unless_verified():
    assert CheckReport(True, 1, 1).status == "verified" and CheckReport(False, 1, 1).status == "failed"
    for status in ("bounded", "failed", "proved"):
        with pytest.raises(ValueError):
            CheckReport(True, 1, 1, status=status)


# -- 4. the statement the chain proves --------------------------------------------------------


def test_the_relation_must_be_the_one_the_closing_rule_establishes(commutes):
    r = _check(forgeries.wrong_relation())
    assert not r.ok and "the relation '≠' is not one a closing rule establishes" in r.message
    data = copy.deepcopy(commutes)
    data["theorem"] = "hand_made"
    data["parts"][0]["relation"] = "⇒"  # an equality chain labelled as an implication
    r = _check(data)
    assert not r.ok and "an implication '⇒' goes from a sum" in r.message


def test_a_closing_step_on_the_right_side_closes_nothing():
    """`equal` applied to the right side compares the claim with itself: found by the tampering suite."""
    data = forgeries.closed_on_the_right()
    r = replay(Certificate(data).parts())
    assert r.status == "failed" and "closes the part from the left side" in r.message, r.message
    assert not _check(data).ok


def test_a_certificate_without_parts_proves_nothing():
    r = _check(forgeries.no_parts())
    assert not r.ok and "no parts" in r.message
    data = {**forgeries.no_parts(), "method": None, "status": None}
    assert not _check(data).ok


def test_a_library_certificate_must_state_the_librarys_words(commutes):
    r = _check(forgeries.wrong_statement_text())
    assert not r.ok and "the statement text is not the theorem's" in r.message


def test_the_report_says_in_a_field_whether_the_theorem_is_the_librarys(commutes):
    r = _check(commutes)
    assert r.ok and r.library is True and r.theorem == "full_convolution_commutes"
    own = {**commutes, "theorem": "my_commutation"}
    r = _check(own)
    assert r.ok and r.library is False and r.theorem is None and "not a library theorem" in r.message
    variant = theorem("convolve_is_correlate_with_flipped_kernel").variant("one_axis").prove()
    r = variant.check()  # a 1-D variant that coincides with its theorem: a library statement all the same
    assert r.library is True and r.theorem == "convolve_is_correlate_with_flipped_kernel [variant one_axis]"
    assert not r.ok and "coincides" in r.message  # it claims nothing, so there is nothing to confirm


def test_part_titles_are_distinct(iff):
    data = copy.deepcopy(iff)
    data["parts"][1]["title"] = data["parts"][0]["title"]
    data["theorem"] = "hand_made"
    r = _check(data)
    assert not r.ok and "are not distinct" in r.message


# -- 5. loading: every bad input a one-line error ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (None, "expected JSON text"),
        (42, "expected JSON text"),
        (["{}"], "expected JSON text"),
        (b"\xff\xfe", "not UTF-8"),
        ("", "not valid JSON"),
        ("{nope", "not valid JSON"),
        ("[" * 100_000, "nested too deeply"),
        ('{"parts": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
        ('{"parts": [' + "1" * 5000 + "]}", "a number is too large"),
        ('{"parts": [NaN]}', "not a JSON number"),
        ('{"parts": [Infinity]}', "not a JSON number"),
        ("[1, 2]", "`parts`"),
    ],
)
def test_from_json_refuses_with_one_line(text, match):
    with pytest.raises(SymconvError, match=match) as exc:
        Certificate.from_json(text)
    assert "\n" not in str(exc.value) and len(str(exc.value)) < 400


def test_bytes_are_text_too(commutes):
    assert Certificate.from_json(json.dumps(commutes).encode()).check().ok


def _deep(depth: int) -> list:
    out: list = []
    for _ in range(depth):
        out = [out]
    return out


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "text",
        {"parts": None},
        {"parts": _deep(50_000)},
        {**forgeries.no_parts(), "parts": [{"title": "t"}]},
        {**forgeries.no_parts(), "parts": [None]},
        {**forgeries.no_parts(), "parts": [{"title": 1, "relation": "=", "ctx": {}, "lhs": {}, "rhs": {}}]},
    ],
    ids=["none", "list", "str", "parts-none", "deep", "no-fields", "part-none", "bad-types"],
)
def test_check_of_malformed_data_is_a_failed_report(data):
    r = Certificate(data).check()
    assert not r.ok and r.status == "failed" and r.message and "\n" not in r.message


def test_huge_and_odd_numbers_inside_a_certificate_are_a_failed_report(commutes):
    steps = commutes["parts"][0]["steps"]
    for value in (10**4000, 2**41, -(2**41), 1.5, True, "7"):
        data = copy.deepcopy(commutes)
        data["parts"][0]["steps"] = copy.deepcopy(steps)
        data["parts"][0]["steps"][0]["args"]["map"]["sum"]["value"] = value
        data["parts"][0]["lhs"]["expr"][0]["c"] = value
        r = _check(data)
        assert not r.ok and "\n" not in r.message, value


def test_check_arguments_are_validated(commutes):
    for bad in ({"trials": 0}, {"trials": "2"}, {"trials": 10**9}, {"seed": -1}, {"seed": 1.0}):
        with pytest.raises(SymconvError, match=r"`(trials|seed)`"):
            Certificate(commutes).check(**bad)


def test_a_size_symbol_of_the_wrong_kind_is_not_a_parameter():
    """A sympy symbol that is not one of the statement's parameters (here: not a positive integer) is refused."""
    other = sympy.Symbol("N", integer=True)
    ctx = Context((N,), (), ())
    s = Sum(("n",), (Constraint.le(0, n), Constraint.le(n, other)), (Term("x", (n,)),))
    with pytest.raises(RuleError, match="not a size parameter"):
        reindex(Expr.of(s), ctx, sum=0, mapping={"n": Affine.var("j")}, variables=["j"])


@pytest.mark.parametrize(
    "name",
    ["full_convolution_commutes ", "Full_Convolution_Commutes", "full_convolution_commutes [variant correlation] "],
)
def test_a_library_name_spelled_otherwise_is_not_a_hand_made_certificate(commutes, name):
    """A trailing space made a library certificate 'hand-made', so its (false) statement text went unchecked."""
    forged = {**commutes, "theorem": name, "statement": "(a ⋆ b)[m] = (b ⋆ a)[m]: correlation commutes"}
    r = _check(forged)
    assert not r.ok and "spelled unlike the library" in r.message


def test_a_symbolic_padding_says_that_padding_0_is_not_covered():
    """A symbolic parameter stands for every integer ≥ 1: 'not covered: —' overstated what was proved."""
    proof = theorem("correlate_grad_input_is_full_convolution", padding="p").prove()
    assert proof.holds and "padding 0" in proof.not_covered
    assert proof.check().ok  # the checker demands the same wording
    data = {**proof.certificate.data, "not_covered": "—"}
    assert not _check(data).ok
