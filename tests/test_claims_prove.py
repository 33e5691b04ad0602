"""symconv.prove on users' own claims: every library theorem restated in its natural form is proved for ALL sizes
(its certificate replays), every false variant restated is refuted with an exact counterexample at generic sizes,
and the seed's claims check as one-liners. The table fails when a theorem or a variant is added without a row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import symconv as sc
from symconv import SymconvError
from symconv.proofs import Certificate, theorem, theorems

Claim = tuple[Any, Any, tuple[str, ...]]


@contextmanager
def _sizes_restored() -> Iterator[None]:
    """Sizes and their relations are registered for the whole process: leave them as they were."""
    import importlib

    registry: Any = importlib.import_module("symconv.claims.sizes")  # the module (the package exports the function)

    saved = (list(registry._DECLARED), dict(registry._NAMES))
    try:
        yield
    finally:
        registry._DECLARED[:] = saved[0]
        registry._NAMES.clear()
        registry._NAMES.update(saved[1])


@pytest.fixture(autouse=True)
def _own_sizes() -> Iterator[None]:
    with _sizes_restored():
        yield


#: Theorems the claim language cannot state, and why (listed, so a new op that can must move them to the table).
NOT_RESTATABLE = {
    "circular_convolution_theorem": "the claim language has no DFT or circular convolution",
    "circular_correlation_theorem": "the claim language has no DFT or circular correlation",
}
#: Variants a user cannot restate through the claim language, and why.
VARIANT_NOT_RESTATABLE = {
    ("conv_grad_input_is_transposed_conv", "no_stride"): "a strided layer's upstream has a floor size (the "
    "claim language takes linear sizes): the row is stated at stride 1, where this variant coincides",
    ("conv_grad_input_is_transposed_conv", "output_padding_first"): "a non-zero output padding needs a stride "
    "above 1 (a floor size, as for no_stride): at the row's stride 1 the output padding is 0 and the variant coincides",
    **{
        (name, v): why
        for name in (
            "convolve_equals_correlate_iff_centrosymmetric",
            "convolve_equals_minus_correlate_iff_anticentrosymmetric",
        )
        for v, why in (
            ("one_axis", "there is no one-axis symmetry structure"),
            ("domain_off_by_one", "an 'only if' is no equality: the rows state the 'if' direction"),
        )
    },
}


def table() -> dict[str, tuple[Claim, dict[str, Claim]]]:
    """theorem -> (its natural restatement, {variant: its restatement}); every claim (lhs, rhs, assuming)."""
    N, K = sc.sizes("N K", assume="N >= K")
    x, w, g = sc.symbols("x", N), sc.symbols("w", K), sc.symbols("g", N - K + 1)
    cv, cr, grad, flip, inner = sc.convolve, sc.correlate, sc.grad, sc.flip, sc.inner
    gx, gxv = grad(cr(x, w), x, g), grad(cv(x, w), x, g)
    gw, gwv = grad(cr(x, w), w, g), grad(cv(x, w), w, g)
    shifted = ((K - 2, K),)  # padding that reads the full operation one position off (K >= 2)
    valid_left = ((0, 2 * K - 2),)  # the valid operation's alignment, padded on the right to the full size
    # channels (PyTorch's layout): D input and D output channels, so a forgotten channel transpose type-checks
    (D,) = sc.sizes("D")
    conv1d = sc.compat.torch.conv1d
    xs, ws, gs = sc.symbols("xs", (D, N)), sc.symbols("ws", (D, D, K)), sc.symbols("gs", (D, N - K + 1))
    layer, untransposed = conv1d(xs, ws), conv1d(gs, sc.flip(ws, axis=2), padding=K - 1)
    t: dict[str, tuple[Claim, dict[str, Claim]]] = {}
    t["correlate_grad_input_is_full_convolution"] = (
        (gx, cv(g, w, mode="full"), ()),
        {
            "no_flip": (gx, cr(g, w, mode="full"), ()),
            "wrong_mode": (gx, cv(g, w, padding=valid_left), ()),
            "off_by_one": (gx, cv(g, w, padding=shifted), ("K >= 2",)),
            "wrong_channel_transpose": (grad(layer, xs, gs), untransposed, ()),
        },
    )
    t["convolve_grad_input_is_full_correlation"] = (
        (gxv, cr(g, w, mode="full"), ()),
        {
            "no_flip": (gxv, cv(g, w, mode="full"), ()),
            "wrong_mode": (gxv, cr(g, w, padding=valid_left), ()),
            "off_by_one": (gxv, cr(g, w, padding=shifted), ("K >= 2",)),
            "wrong_channel_transpose": (
                grad(conv1d(xs, sc.flip(ws, axis=2)), xs, gs),  # a convolution layer: correlation with flip(w)
                conv1d(gs, ws, padding=K - 1),
                (),
            ),
        },
    )
    g2 = sc.symbols("g", N - 2 * K + 2)  # the upstream of a dilation-2 correlation
    fits = ("N >= 2*K - 1",)
    gd = grad(cr(x, w, dilation=2), x, g2)
    t["conv_grad_input_is_transposed_conv"] = (
        (gd, cv(g2, w, mode="full", dilation=2), fits),
        {
            "not_dilated": (gd, cv(g2, w, padding=((2 * K - 2, K - 1),)), fits),
            "flipped_kernel": (gd, cr(g2, w, mode="full", dilation=2), fits),
            "wrong_channel_transpose": (
                grad(conv1d(xs, ws, dilation=2), xs, sc.symbols("gs", (D, N - 2 * K + 2))),
                conv1d(sc.symbols("gs", (D, N - 2 * K + 2)), sc.flip(ws, axis=2), padding=2 * K - 2, dilation=2),
                fits,
            ),
        },
    )
    t["correlate_grad_weight_is_valid_correlation"] = (
        (gw, cr(x, g), ()),
        {
            "flipped": (gw, flip(cr(x, g)), ()),
            "off_by_one": (gw, cr(x[1:], g, padding=((0, 1),)), ()),
            "wrong_mode": (gw, cr(x, g, mode="full")[:K], ()),
        },
    )
    t["convolve_grad_weight_is_flipped_valid_correlation"] = (
        (gwv, flip(cr(x, g)), ()),
        {
            "no_flip": (gwv, cr(x, g), ()),
            "off_by_one": (gwv, flip(cr(x[1:], g, padding=((0, 1),))), ()),
            "wrong_mode": (gwv, flip(cr(x, g, mode="full")[:K]), ()),
        },
    )
    gsw = grad(cr(x, w, dilation=2), w, g2)
    t["conv_grad_weight_swaps_stride_and_dilation"] = (
        (gsw, cr(x, g2, stride=2), fits),
        {
            "not_swapped": (gsw, cr(x, g2)[:K], fits),
            "off_by_one": (gsw, cr(x[1:], g2, stride=2, padding=((0, 2),)), fits),
            "wrong_mode": (gsw, cr(x, g2, mode="full", stride=2)[:K], fits),
        },
    )
    # (sizes are registered by name for the whole process: names other tests do not use)
    Hx, Wx, Kh, Kw = sc.sizes("Hx Wx Kh Kw", assume=["Hx >= Kh", "Wx >= Kw"])
    X, Wk = sc.symbols("X", (Hx, Wx)), sc.symbols("Wk", (Kh, Kw))
    t["convolve_is_correlate_with_flipped_kernel"] = (
        (cv(x, w), cr(x, flip(w)), ()),
        {"no_flip": (cv(x, w), cr(x, w), ()), "one_axis": (cv(X, Wk), cr(X, sc.flip(Wk, axis=0)), ())},
    )
    wc = sc.symbols("w", K, structure="centrosymmetric")
    wa = sc.symbols("w", K, structure="anticentrosymmetric")
    t["convolve_equals_correlate_iff_centrosymmetric"] = (
        (cv(x, wc), cr(x, wc), ()),
        {"hypothesis_dropped": (cv(x, w), cr(x, w), ())},
    )
    t["convolve_equals_minus_correlate_iff_anticentrosymmetric"] = (
        (cv(x, wa), -cr(x, wa), ()),
        {"hypothesis_dropped": (cv(x, w), -cr(x, w), ())},
    )
    fwd = inner(cr(x, w), g)
    t["correlate_adjoint_is_full_convolution"] = (
        (fwd, inner(x, cv(g, w, mode="full")), ()),
        {
            "no_flip": (fwd, inner(x, cr(g, w, mode="full")), ()),
            "off_by_one": (fwd, inner(x, cv(g, w, padding=shifted)), ("K >= 2",)),
            "wrong_mode": (fwd, inner(x, cv(g, w, padding=valid_left)), ()),
            "wrong_channel_transpose": (inner(layer, gs), inner(xs, untransposed), ()),
        },
    )
    A, B, C = sc.sizes("A B C")
    a, b, c = sc.symbols("a", A), sc.symbols("b", B), sc.symbols("c", C)
    t["full_convolution_commutes"] = (
        (cv(a, b, mode="full"), cv(b, a, mode="full"), ()),
        {"correlation": (cr(a, b, mode="full"), cr(b, a, mode="full"), ())},
    )
    t["full_correlation_swap_is_flip"] = (
        (cr(a, b, mode="full"), flip(cr(b, a, mode="full")), ()),
        {"no_flip": (cr(a, b, mode="full"), cr(b, a, mode="full"), ())},
    )
    right = cv(a, cv(b, c, mode="full"), mode="full")
    t["full_convolution_associates"] = (
        (cv(cv(a, b, mode="full"), c, mode="full"), right, ()),
        {
            "correlation": (cr(cr(a, b, mode="full"), c, mode="full"), cr(a, cr(b, c, mode="full"), mode="full"), ()),
            "off_by_one": (cv(cv(a, b, padding=((B - 2, B),)), c, mode="full"), right, ("B >= 2",)),
        },
    )
    # Toeplitz ⟺ the map commutes with the shift: y of x shifted by one is y shifted by one
    longer = ("N >= K + 1",)
    t["correlation_matrix_is_toeplitz"] = (
        (cr(x[1:], w), cr(x, w)[1:], longer),
        {
            "off_by_one": (cr(x, w)[1:], cr(x[: N - 1], w), longer),
            "anti_diagonal": (cr(x[1:], w), cr(x, w)[: N - K], longer),
        },
    )
    return t


with _sizes_restored():
    TABLE = table()
THEOREM_ROWS = sorted(TABLE)
VARIANT_ROWS = sorted((name, v) for name, (_, vs) in TABLE.items() for v in vs)


def test_the_table_has_a_row_for_every_theorem_and_every_variant() -> None:
    names = {n for n, _ in theorems()}
    assert set(TABLE) | set(NOT_RESTATABLE) == names
    assert not set(TABLE) & set(NOT_RESTATABLE)
    for name, (_, variants) in TABLE.items():
        known = set(theorem(name).variants)
        assert set(variants) <= known, name
        missing = {(name, v) for v in known - set(variants)}
        assert missing <= set(VARIANT_NOT_RESTATABLE), f"no row for {sorted(missing)}"


@pytest.mark.parametrize("name", THEOREM_ROWS)
def test_each_theorem_restated_is_proved_for_all_sizes(name: str) -> None:
    (lhs, rhs, assuming), _ = TABLE[name]
    p = sc.prove(lhs, rhs, assuming=assuming)
    assert p.status == "proved", p.message
    assert p.holds and p.method == "general" and p.verdict is True
    assert all(c["holds"] for c in p.instance_checks) and p.instance_checks
    r = p.check()
    assert r.ok and r.status == "verified" and not r.library, r.message


@pytest.mark.parametrize(("name", "variant"), VARIANT_ROWS)
def test_each_false_variant_restated_is_refuted_with_a_counterexample(name: str, variant: str) -> None:
    lhs, rhs, assuming = TABLE[name][1][variant]
    p = sc.prove(lhs, rhs, assuming=assuming)
    assert p.status == "refuted", p.message
    assert p.verdict is False and not p.holds
    cex = p.counterexample
    assert cex is not None and cex["lhs"] != cex["rhs"]
    assert all(v >= 2 for v in cex["sizes"].values())  # generic sizes: none degenerate
    assert "refuted at" in p.message
    json.dumps(p.to_dict())  # JSON-serialisable, counterexample included


def test_a_layer_with_channels_is_proved_for_all_sizes() -> None:
    N, K = sc.sizes("N K", assume="N >= K")
    (C,) = sc.sizes("C")
    conv1d = sc.compat.torch.conv1d
    xc, wc, gc = sc.symbols("xc", (C, N)), sc.symbols("wc", (3, C, K)), sc.symbols("gc", (3, N - K + 1))
    back = conv1d(gc, sc.flip(wc.transpose(1, 0, 2), axis=2), padding=K - 1)
    p = sc.prove(sc.grad(conv1d(xc, wc), xc, gc), back)
    assert p.status == "proved", p.message
    assert "pin_variable" in [s.rule for s in p.steps]  # the single group's index, pinned
    assert p.check().ok
    q = sc.prove(sc.inner(conv1d(xc, wc), gc), sc.inner(xc, back))
    assert q.status == "proved", q.message


def test_the_seed_claims_as_one_liners() -> None:
    f = [2, 1, 3, 5, 4]
    p = sc.prove(sc.convolve(f, [-1, 2, 1]), sc.correlate(f, [-1, 2, 1]))
    assert p.status == "refuted"
    assert p.counterexample["lhs_value"] == ["1", "2", "9"]
    assert p.counterexample["rhs_value"] == ["3", "10", "11"]
    assert sc.prove(sc.convolve(f, [-1, 2, -1]), sc.correlate(f, [-1, 2, -1])).status == "proved"
    (M,) = sc.sizes("M", assume="M >= 3")
    x = sc.symbols("x", M)
    assert sc.prove(sc.convolve(x, [-1, 2, -1]), sc.correlate(x, [-1, 2, -1])).status == "proved"
    q = sc.prove(sc.convolve(x, [-1, 2, 1]), sc.correlate(x, [-1, 2, 1]))
    assert q.status == "refuted" and q.counterexample["lhs"] != q.counterexample["rhs"]
    # "correlation forward, convolution backward": true for ∂L/∂x, false for ∂L/∂w
    N, K = sc.sizes("N K", assume="N >= K")
    x, w, g = sc.symbols("x", N), sc.symbols("w", K), sc.symbols("g", N - K + 1)
    assert sc.prove(sc.grad(sc.correlate(x, w), x, g), sc.convolve(g, w, mode="full")).status == "proved"
    bad = sc.prove(sc.grad(sc.correlate(x, w), w, g), sc.convolve(x, g))
    assert bad.status == "refuted" and bad.counterexample["sizes"] == {"K": 2, "N": 3}


def test_methods_never_prove_from_instances_and_refuse_unknown_ones() -> None:
    N, K = sc.sizes("N K", assume="N >= K")
    x, w = sc.symbols("x", N), sc.symbols("w", K)
    p = sc.prove(sc.convolve(x, w), sc.correlate(x, sc.flip(w)), method="instance")
    assert p.status == "unknown" and p.verdict is None and p.checked
    assert json.loads(p.to_json())["holds"] is None
    with pytest.raises(SymconvError, match="no proof to replay"):
        p.check()
    q = sc.prove(sc.convolve(x, w), sc.correlate(x, w), method="general")
    assert q.status == "unknown" and "generic strategy" in q.message
    with pytest.raises(SymconvError, match="method"):
        sc.prove(x, x, method="sympy")


def test_a_claim_the_rules_cannot_close_but_that_holds_is_unknown_not_proved() -> None:
    (N,) = sc.sizes("N")
    x = sc.symbols("x", N)
    assert sc.prove(sc.sum(x), sc.sum(sc.flip(x))).status == "proved"  # a reindexing closes this one
    # Σ x = x[0] + Σ x[1:] holds, yet no rule splits a sum's range: unknown, never "proved" from the instances
    p = sc.prove(sc.sum(x), sc.sum(x[:1]) + sc.sum(x[1:]))
    assert p.status == "unknown", p.message
    assert p.checked and all(c["holds"] for c in p.checked)
    assert "generic strategy" in p.message and "every size checked" in p.message


def test_a_forged_user_certificate_is_rejected() -> None:
    N, K = sc.sizes("N K", assume="N >= K")
    x, w, g = sc.symbols("x", N), sc.symbols("w", K), sc.symbols("g", N - K + 1)
    p = sc.prove(sc.grad(sc.correlate(x, w), x, g), sc.convolve(g, w, mode="full"))
    data = p.certificate.data
    assert Certificate(data).check().ok
    wrong = sc.prove(sc.grad(sc.correlate(x, w), x, g), sc.correlate(g, w, mode="full"))
    forged = json.loads(json.dumps(data))
    forged["parts"][0]["rhs"] = wrong.certificate.data["parts"][0]["rhs"]  # the claim swapped for a false one
    assert not Certificate(forged).check().ok
    forged = json.loads(json.dumps(data))
    forged["parts"][0]["ctx"]["context"]["assumptions"] = forged["parts"][0]["ctx"]["context"]["assumptions"][
        :1
    ]  # assumptions dropped
    assert not Certificate(forged).check().ok
    forged = json.loads(json.dumps(data))
    forged["parts"][0]["steps"] = forged["parts"][0]["steps"][:-1]  # no closing step
    assert not Certificate(forged).check().ok
    forged = json.loads(json.dumps(data))
    forged["theorem"] = "correlate_grad_input_is_full_convolution"  # passed off as the library's theorem
    assert not Certificate(forged).check().ok


def test_concrete_claims_are_decided_by_the_exact_engine() -> None:
    from symconv.claims.node import Leaf
    from symconv.claims.ops import Flip, conv

    x, w = Leaf("x", (7,)), Leaf("w", (3,))
    p = sc.prove(conv("convolve", x, w), conv("correlate", x, Flip(w)))
    assert p.status == "proved" and p.method == "instance" and "check_exact" in p.engine
    q = sc.prove(conv("convolve", x, w), conv("correlate", x, w))
    assert q.status == "refuted" and "check_exact" in q.engine
    assert q.counterexample["at"] == {"i0": 0}
    assert q.counterexample["lhs"] == "w[0]*x[2] + w[1]*x[1] + w[2]*x[0]"
    assert q.counterexample["rhs"] == "w[0]*x[0] + w[1]*x[1] + w[2]*x[2]"
    with pytest.raises(SymconvError, match="no proof to replay"):
        q.check()


def test_tampered_user_certificates_with_the_new_rules_are_rejected() -> None:
    """The automated tamperings of the library's certificates, on users' certificates whose steps use the
    generic strategy's rules (reorder_sums, combine_sums, pin_variable): every change of the proof rejected."""
    import random

    from test_adversarial_certificates import DIFFERENT, mutants

    (M,) = sc.sizes("M", assume="M >= 3")
    x = sc.symbols("x", M)
    (C,) = sc.sizes("C")
    N, K = sc.sizes("N K", assume="N >= K")
    xc, wc, gc = sc.symbols("xc", (C, N)), sc.symbols("wc", (2, C, K)), sc.symbols("gc", (2, N - K + 1))
    conv1d = sc.compat.torch.conv1d
    claims = [
        (sc.convolve(x, [-1, 2, -1]), sc.correlate(x, [-1, 2, -1]), "reorder_sums"),
        (sc.correlate(x, [1, 1]) + sc.correlate(x, [1, -1]), 2 * x[: M - 1], "combine_sums"),
        (sc.grad(conv1d(xc, wc), xc, gc), conv1d(gc, sc.flip(wc.transpose(1, 0, 2), axis=2), padding=K - 1), "pin"),
    ]
    rng = random.Random(10)
    tried = 0
    for lhs, rhs, rule in claims:
        p = sc.prove(lhs, rhs)
        assert p.status == "proved" and any(s.rule.startswith(rule) for s in p.steps), p.message
        data = json.loads(p.certificate.to_json())
        assert Certificate(data).check().ok
        # (the statement text, params and an instance check's engine name of a certificate that is not the
        # library's are labels — the check says "the statement is the certificate's own parts" — so they are left out)
        ms = [
            m
            for m in mutants(data, rng)
            if m.verdict == DIFFERENT and m.kind not in ("params", "statement") and "engine" not in m.where
        ]
        for m in rng.sample(ms, min(12, len(ms))):
            r = Certificate(m.data).check()
            assert not r.ok, (m.kind, m.where)
            tried += 1
    assert tried >= 30


def test_terms_of_one_side_are_reindexed_and_collected() -> None:
    N, K = sc.sizes("N K", assume="N >= K")
    x, w = sc.symbols("x", N), sc.symbols("w", K)
    c = sc.symbols("c", K, structure="centrosymmetric")
    p = sc.prove(sc.convolve(x, c) + sc.correlate(x, c), 2 * sc.correlate(x, c))
    assert p.status == "proved", p.message
    assert {"apply_hypothesis", "reindex", "combine_sums"} <= {s.rule for s in p.steps}
    assert p.check().ok
    q = sc.prove(sc.convolve(x, w) + sc.correlate(x, sc.flip(w)), 2 * sc.convolve(x, w))
    assert q.status == "proved", q.message
    r = sc.prove(sc.convolve(x, w) + sc.correlate(x, w), 2 * sc.convolve(x, w))
    assert r.status == "refuted"
