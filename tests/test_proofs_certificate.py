"""Certificates: JSON round trip, replay, and every kind of tampering detected by Proof.check()."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import Certificate, SymconvError, theorem
from symconv.proofs import Proof


@pytest.fixture(scope="module")
def proof() -> Proof:
    p = theorem("conv_grad_input_is_transposed_conv", stride=2, output_padding=1).prove()
    assert p.holds
    return p


def _data(p: Proof) -> dict:
    return json.loads(p.certificate.to_json())


def _check(data: dict) -> tuple[bool, str]:
    r = Certificate(data).check()
    return r.ok, r.message


def test_round_trip_and_replay(proof):
    text = proof.certificate.to_json(indent=1)
    cert = Certificate.from_json(text)
    parts = cert.parts()
    assert [s.rule for s in parts[0].steps] == [s.rule for s in proof.steps]
    assert parts[0].lhs == proof.parts[0].lhs and parts[0].rhs == proof.parts[0].rhs
    assert [s.after for s in parts[0].steps] == [s.after for s in proof.steps]
    r = cert.check(trials=3, seed=7)
    assert r.ok and r.steps == len(proof.steps) and r.trials == 3


def test_proof_json_has_the_summary_fields(proof):
    d = json.loads(proof.to_json())
    for key in ("theorem", "holds", "method", "steps", "certificate", "not_covered", "seconds"):
        assert key in d
    assert d["holds"] is True and d["certificate"]["parts"][0]["steps"]


def test_tampered_after_is_detected(proof):
    data = _data(proof)
    step = data["parts"][0]["steps"][1]
    step["after"] = step["before"]  # claim the rule changed nothing
    ok, msg = _check(data)
    assert not ok and "stored `after` is not what the rule gives" in msg


def test_tampered_index_inside_a_step_is_detected(proof):
    data = _data(proof)
    text = json.dumps(data["parts"][0]["steps"][2]["after"])
    assert '{"i": -1}' in text or '{"i": 1}' in text
    bad = text.replace('{"i": -1}', '{"i": -2}', 1) if '{"i": -1}' in text else text.replace('{"i": 1}', '{"i": 2}', 1)
    data["parts"][0]["steps"][2]["after"] = json.loads(bad)
    ok, msg = _check(data)
    assert not ok and msg


def test_removed_step_is_detected(proof):
    data = _data(proof)
    del data["parts"][0]["steps"][1]
    ok, msg = _check(data)
    assert not ok and "is not where the" in msg


def test_missing_closing_step_is_detected(proof):
    data = _data(proof)
    data["parts"][0]["steps"].pop()
    ok, msg = _check(data)
    assert not ok and "no closing step" in msg


def test_renamed_rule_is_detected(proof):
    data = _data(proof)
    data["parts"][0]["steps"][1]["rule"] = "swap_sums"
    ok, msg = _check(data)
    assert not ok and msg
    data["parts"][0]["steps"][1]["rule"] = "magic"
    ok, msg = _check(data)
    assert not ok and "unknown rule" in msg


def test_tampered_reindex_argument_is_detected(proof):
    data = _data(proof)
    steps = data["parts"][0]["steps"]
    i = next(i for i, s in enumerate(steps) if s["rule"] == "reindex")
    mapping = steps[i]["args"]["map"]["mapping"]["map"]
    var = next(iter(mapping))
    mapping[var]["affine"]["k"] = {"add": [mapping[var]["affine"]["k"], {"i": 1}]}
    ok, msg = _check(data)
    assert not ok and msg


def test_changed_statement_is_detected(proof):
    """A certificate whose claim is swapped for a FALSE one (and steps adjusted) no longer matches the library."""
    false = theorem("conv_grad_input_is_transposed_conv", stride=2, output_padding=1).variant("flipped_kernel").prove()
    data = _data(proof)
    data["parts"][0]["rhs"] = json.loads(false.certificate.to_json())["parts"][0]["rhs"]
    ok, msg = _check(data)
    assert not ok and "does not state what" in msg


def test_a_sound_looking_but_wrong_rule_application_fails_numerically():
    """A hand-made 'reindex' whose stored result is self-consistent but whose rule result differs is rejected."""
    p = theorem("full_convolution_commutes").prove()
    data = _data(p)
    data2 = copy.deepcopy(data)
    for s in data2["parts"][0]["steps"]:
        if s["rule"] == "equal":
            s["args"]["map"]["claim"] = s["before"]
    ok, msg = _check(data2)
    assert not ok and msg


def test_malformed_certificates_are_errors_not_crashes():
    with pytest.raises(SymconvError, match="not valid JSON"):
        Certificate.from_json("{nope")
    with pytest.raises(SymconvError, match="`parts`"):
        Certificate.from_json("[1, 2]")
    data = {
        "theorem": "x",
        "parts": [
            {
                "title": "t",
                "relation": "=",
                "ctx": {"context": {"params": ["N; import os"], "free": [], "assumptions": [], "hypotheses": []}},
                "lhs": {"expr": []},
                "rhs": {"expr": []},
                "steps": [],
            }
        ],
    }
    with pytest.raises(SymconvError, match="malformed symbol name"):
        Certificate(data).parts()


def test_instance_results_have_nothing_to_replay():
    """Restating a stored verdict would confirm nothing: a tampered status once came back 'verified'."""
    p = theorem("full_convolution_commutes").variant("correlation").prove("instance", input_size=[3], kernel_size=[2])
    assert p.status == "refuted"
    p.status = "proved"
    with pytest.raises(SymconvError, match="no proof to replay"):
        p.check()


def test_the_cli_says_an_instance_result_has_nothing_to_replay(capsys):
    from symconv.cli import main

    assert main(["prove", "full_convolution_commutes", "--method", "instance", "--check", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["check"]["status"] == "skipped" and out["check"]["ok"] is False


# -- tampering beyond the steps: statement, definitions, parameters, instance checks -------------


@pytest.mark.parametrize(
    ("name", "params", "variant"),
    [
        ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2}, "one_axis"),
        ("convolve_is_correlate_with_flipped_kernel", {}, "no_flip"),
        ("full_convolution_associates", {}, "off_by_one"),
        ("convolve_equals_correlate_iff_centrosymmetric", {}, "domain_off_by_one"),
        ("conv_grad_weight_swaps_stride_and_dilation", {"stride": 2, "dilation": 3}, "not_swapped"),
    ],
)
def test_a_true_proof_relabelled_as_a_false_variant_is_rejected(name, params, variant):
    """The variant states something else (for the flip: a different definition of flip(w))."""
    data = _data(theorem(name, **params).prove())
    data["theorem"] += f" [variant {variant}]"
    ok, msg = _check(data)
    assert not ok and ("does not state what" in msg or "does not define its arrays" in msg), msg


def test_an_unknown_variant_label_is_rejected():
    data = _data(theorem("full_convolution_commutes").prove())
    data["theorem"] += " [variant nonsense]"
    ok, msg = _check(data)
    assert not ok and "no variant 'nonsense'" in msg


def test_a_definition_step_must_unfold_the_declared_definition():
    """Hand-made certificate (not a library name): its definitions are part of its statement."""
    p = theorem("convolve_is_correlate_with_flipped_kernel", ndim=2).prove()
    other = theorem("convolve_is_correlate_with_flipped_kernel", ndim=2).variant("one_axis").plan()
    one_axis_body = json.loads(json.dumps(_data_of_defs(other)))
    data = _data(p)
    data["theorem"] = "hand_made"
    assert _check(data)[0]  # as made: fine, and said to be the certificate's own statement
    assert "not a library theorem" in Certificate(data).check().message
    bad = copy.deepcopy(data)
    bad["parts"][0]["definitions"][0]["body"] = one_axis_body  # declare the one-axis flip
    ok, msg = _check(bad)
    assert not ok and "not one the statement declares" in msg
    bad = copy.deepcopy(data)
    bad["parts"][0]["definitions"] = []
    ok, msg = _check(bad)
    assert not ok and "not one the statement declares" in msg


def _data_of_defs(plan) -> dict:
    from symconv.proofs import _serial

    ((_, body, _),) = plan.parts[0][0].definitions
    return _serial.encode(body)


@pytest.mark.parametrize(
    "params",
    [{"stride": 3, "dilation": 2}, {"stride": 2}, {"stride": 2, "dilation": 3, "padding": 1}, {"stride": "s"}],
)
def test_a_certificate_for_other_parameters_is_rejected(params):
    data = _data(theorem("conv_grad_weight_swaps_stride_and_dilation", stride=2, dilation=3).prove())
    data["params"] = params
    ok, msg = _check(data)
    assert not ok and "does not state what" in msg


def test_an_equivalent_spelling_of_the_parameters_is_accepted():
    data = _data(theorem("conv_grad_weight_swaps_stride_and_dilation", stride=2, dilation=3).prove())
    data["params"] = {"stride": 2, "dilation": 3, "padding": 0, "ndim": 1}
    assert _check(data)[0]


def test_tampered_guard_assumption_or_hypothesis_is_rejected():
    data = _data(theorem("convolve_equals_correlate_iff_centrosymmetric").prove())
    for edit in (
        lambda d: d["parts"][0]["ctx"]["context"]["hypotheses"][0].__setitem__("sign", -1),
        lambda d: d["parts"][0]["ctx"]["context"]["hypotheses"][0]["domain"].pop(),
        lambda d: d["parts"][0]["ctx"]["context"]["assumptions"].pop(),
        lambda d: d["parts"][1]["rhs"]["hypothesis"]["domain"].pop(),
    ):
        bad = copy.deepcopy(data)
        edit(bad)
        ok, msg = _check(bad)
        assert not ok and "does not state what" in msg, msg


def test_a_tampered_guard_inside_a_step_is_rejected(proof):
    data = _data(proof)
    steps = data["parts"][0]["steps"]
    i = next(i for i, s in enumerate(steps) if s["after"].get("expr") and s["after"]["expr"][0]["g"])
    steps[i]["after"]["expr"][0]["g"].pop()  # drop one range constraint of the guard
    ok, msg = _check(data)
    assert not ok and msg


def test_swapped_operand_names_are_rejected():
    text = theorem("correlate_grad_input_is_full_convolution").prove().certificate.to_json()
    swapped = text.replace('"a": "w"', '"a": "@"').replace('"a": "g"', '"a": "w"').replace('"a": "@"', '"a": "g"')
    ok, msg = _check(json.loads(swapped))
    assert not ok and "does not state what" in msg
    # swapped only inside the steps (the statement untouched): the chain breaks
    data = json.loads(text)
    steps = json.loads(json.dumps(data["parts"][0]["steps"]).replace('"a": "w"', '"a": "g"'))
    data["parts"][0]["steps"] = steps
    ok, msg = _check(data)
    assert not ok and msg


def test_instance_checks_are_re_run_not_trusted(proof):
    data = _data(proof)
    bad = copy.deepcopy(data)
    bad["instance_checks"][0]["holds"] = False
    ok, msg = _check(bad)
    assert not ok and "stored holds=False" in msg
    bad = copy.deepcopy(data)
    bad["instance_checks"] = []
    ok, msg = _check(bad)
    assert not ok and "no exact instance check" in msg
    bad = copy.deepcopy(data)
    bad["instance_checks"][0]["sizes"] = {"N": 10**12, "K": 3}  # costed before it is re-run, not run
    ok, msg = _check(bad)
    assert not ok and "exceeds the limit" in msg and "N=1000000000000" in msg
    bad["instance_checks"][0]["sizes"] = {"N": 0, "K": 3}
    ok, msg = _check(bad)
    assert not ok and "must be a positive integer" in msg
    bad = copy.deepcopy(data)
    bad["instance_checks"][0]["sizes"] = {"N": 1, "K": 3}  # violates N ≥ K
    ok, msg = _check(bad)
    assert not ok and "within its assumptions" in msg
    r = Certificate(data).check()
    assert r.ok and f"{len(data['instance_checks'])} exact instance check(s) re-run" in r.message


def test_a_half_integer_index_is_a_failed_check_not_a_crash(proof):
    data = _data(proof)
    steps = data["parts"][0]["steps"]
    i = next(i for i, s in enumerate(steps) if s["rule"] == "reindex")
    mapping = steps[i]["args"]["map"]["mapping"]["map"]
    var = next(iter(mapping))
    mapping[var]["affine"]["k"] = {"q": [1, 2]}
    ok, msg = _check(data)
    assert not ok and "must be an integer" in msg


# -- any single tampered value: rejected, never a crash --------------------------------------------

_POOL = [None, [], {}, "w", "x", "k0", "==", ">=", 0, 1, -1, 2, 10**30, 0.5, True, {"i": 2}, {"s": "N"}, {"q": [1, 0]}]


def _leaves(d, path=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from _leaves(v, (*path, i))
    yield path, d


def _display_only(path) -> bool:
    """Leaves kept for the reader only: a stored side condition's status and bound (the replay recomputes them)."""
    return len(path) >= 2 and path[-3:-1][0:1] == ("conditions",) and path[-1] in ("status", "bounded")


@pytest.fixture(scope="module")
def small_certificates():
    return [
        _data(theorem("full_convolution_commutes").prove()),
        _data(theorem("convolve_equals_correlate_iff_centrosymmetric").prove()),
    ]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_single_tampered_value_is_rejected_without_a_crash(small_certificates, data):
    cert = copy.deepcopy(data.draw(st.sampled_from(small_certificates)))
    spots = [(p, v) for p, v in _leaves(cert) if p and p[0] in ("parts", "instance_checks", "params", "theorem")]
    path, old = data.draw(st.sampled_from(spots))
    new = data.draw(st.sampled_from(_POOL))
    node = cert
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    report = Certificate(cert).check()  # a report, whatever the input
    if path == ("theorem",) and report.ok:
        # renamed away from the library: at most a hand-made certificate of its own (true) parts, never the library's
        assert not report.library and report.theorem is None, (old, new)
    elif new != old and type(new) is type(old) and not _display_only(path):
        assert not report.ok, (path, old, new)


def test_a_library_certificate_renamed_away_is_at_most_a_hand_made_one(small_certificates):
    """Renamed to a name the library lacks, a true certificate may verify — as its own parts, never as the library's."""
    cert = copy.deepcopy(small_certificates[0])
    cert["theorem"] = "w"
    report = Certificate(cert).check()
    assert not report.library and report.theorem is None
