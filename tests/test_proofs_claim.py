"""Deciding a claim (symconv.proofs._claim.decide): proved for all sizes by the generic strategy, refuted with an
exact counterexample at derived generic sizes, or unknown with the reason; certificates replay, forgeries fail."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from test_proofs_auto import REACH
from test_theorems import FALSE

from symconv import SymconvError
from symconv.proofs import Certificate
from symconv.proofs._claim import decide, difference
from symconv.proofs._registry import build_plan


def _parts(name: str, params: dict, variant: str | None = None) -> list:
    return [replace(p, steps=[]) for p, _ in build_plan(name, params, variant).parts if p.relation == "="]


def test_a_true_claim_is_proved_for_all_sizes_and_its_certificate_replays() -> None:
    p = decide("(a ∗ b) ∗ c = a ∗ (b ∗ c)", _parts("full_convolution_associates", {}))
    assert p.status == "proved" and p.verdict is True and p.method == "general"
    assert p.counterexample is None
    r = p.check()
    assert r.ok and not r.library, r.message
    assert json.loads(p.to_json())["holds"] is True


# (the "only if" variants, domain_off_by_one, change no equality: the rank check of the library decides them)
@pytest.mark.parametrize(
    ("name", "params", "variant"), [f for f in FALSE if f[0] in REACH and f[2] != "domain_off_by_one"]
)
def test_every_false_variant_is_refuted_at_generic_sizes(name: str, params: dict, variant: str) -> None:
    ref = _parts(name, params)
    parts = [
        p
        for p, q in zip(_parts(name, params, variant), ref)
        if (p.lhs, p.rhs, p.ctx, p.definitions) != (q.lhs, q.rhs, q.ctx, q.definitions)
    ]
    p = decide(f"{name} [{variant}]", parts)
    assert p.status == "refuted" and p.verdict is False, p.message
    cex = p.counterexample
    assert cex is not None and cex["lhs"] != cex["rhs"]
    assert all(v >= 1 for v in cex["sizes"].values())
    assert "refuted at" in p.message
    with pytest.raises(SymconvError, match="no proof to replay"):
        p.check()


def test_rules_only_leave_a_false_claim_unknown_and_instances_never_prove() -> None:
    bad = _parts("full_convolution_commutes", {}, "correlation")
    p = decide("a ⋆ b = b ⋆ a", bad, method="general")
    assert p.status == "unknown" and p.verdict is None and "generic strategy" in p.message
    good = _parts("full_convolution_commutes", {})
    p = decide("a ∗ b = b ∗ a", good, method="instance")
    assert p.status == "unknown" and p.verdict is None
    assert p.checked and all(c["holds"] for c in p.checked)
    with pytest.raises(SymconvError, match="method"):
        decide("x", good, method="sympy")


def test_difference_names_the_first_entry_and_both_exact_values() -> None:
    (part,) = _parts("correlate_grad_input_is_full_convolution", {}, "no_flip")
    N, K = part.ctx.params
    d = difference(part, {N: 3, K: 2})
    assert d is not None
    assert {k: d[k] for k in ("sizes", "at", "lhs", "rhs", "differing_entries")} == {
        "sizes": {"N": 3, "K": 2},
        "at": {"m0": 0},
        "lhs": "g[0]*w[0]",
        "rhs": "g[0]*w[1]",
        "differing_entries": 3,
    }
    assert d["lhs_value"] == ["g[0]*w[0]", "g[0]*w[1] + g[1]*w[0]", "g[1]*w[1]"]
    assert d["rhs_value"][0] == "g[0]*w[1]"


def test_a_tampered_claim_certificate_is_rejected() -> None:
    p = decide("a ∗ b = b ∗ a", _parts("full_convolution_commutes", {}))
    data = p.certificate.data
    # claim something else: the correlation's swapped form as the statement's right side
    (other,) = _parts("full_convolution_commutes", {}, "correlation")
    from symconv.proofs import _serial

    forged = json.loads(json.dumps(data))
    forged["parts"][0]["rhs"] = _serial.encode(other.rhs)
    assert not Certificate(forged).check().ok
    forged = json.loads(json.dumps(data))
    forged["parts"][0]["steps"][-1]["args"] = _serial.encode({"claim": other.rhs})
    assert not Certificate(forged).check().ok
    forged = json.loads(json.dumps(data))
    forged["instance_checks"] = []
    assert not Certificate(forged).check().ok
    assert Certificate(data).check().ok
