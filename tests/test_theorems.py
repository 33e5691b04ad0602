"""The theorem library: every theorem proved for all sizes, every false variant rejected,
and the statements checked against independent oracles (torch autograd, numpy)."""

from __future__ import annotations

import numpy as np
import peers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles.guarded import table

import symconv
from symconv import SymconvError, theorem, theorems
from symconv.proofs._evaluate import values
from symconv.proofs._serial import param_symbol

NAMES = {
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
    "circular_convolution_theorem",
    "circular_correlation_theorem",
}

CH = {"in_channels": 4, "out_channels": 6, "groups": 2}

GENERAL = [
    ("correlate_grad_input_is_full_convolution", {}),
    ("correlate_grad_input_is_full_convolution", {"ndim": 2, "padding": 1, **CH}),
    ("convolve_grad_input_is_full_correlation", {"ndim": 2, "padding": 2}),
    ("convolve_grad_input_is_full_correlation", {"in_channels": 2, "out_channels": 3}),
    ("conv_grad_input_is_transposed_conv", {"stride": 2, "dilation": 2, "padding": 1, "output_padding": 1}),
    ("conv_grad_input_is_transposed_conv", {"ndim": 2, "stride": 2, "dilation": 3, **CH}),
    ("correlate_grad_weight_is_valid_correlation", {"ndim": 2, "padding": 1}),
    ("correlate_grad_weight_is_valid_correlation", CH),
    ("convolve_grad_weight_is_flipped_valid_correlation", {"ndim": 2}),
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": 2, "dilation": 3}),
    ("conv_grad_weight_swaps_stride_and_dilation", {"ndim": 2, "stride": 3, "dilation": 2, "padding": 1, **CH}),
    ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2, "stride": 2, "dilation": 2, "padding": 1}),
    ("convolve_is_correlate_with_flipped_kernel", {"ndim": 3, **CH}),
    ("convolve_equals_correlate_iff_centrosymmetric", {}),
    ("convolve_equals_correlate_iff_centrosymmetric", {"ndim": 2, "stride": 2, "dilation": 2, "padding": 1}),
    ("convolve_equals_correlate_iff_centrosymmetric", {"ndim": 3}),
    ("convolve_equals_minus_correlate_iff_anticentrosymmetric", {"ndim": 2}),
    ("convolve_equals_correlate_iff_centrosymmetric", {"ndim": 2, "stride": 2, "padding": 1, **CH}),
    ("convolve_equals_minus_correlate_iff_anticentrosymmetric", {"in_channels": 2, "out_channels": 3}),
    ("correlate_adjoint_is_full_convolution", {"ndim": 2}),
    ("correlate_adjoint_is_full_convolution", {"ndim": 2, "padding": 2, **CH}),
    ("full_convolution_commutes", {"ndim": 2}),
    ("full_convolution_associates", {}),
    ("full_correlation_swap_is_flip", {"ndim": 2}),
    ("correlation_matrix_is_toeplitz", {"ndim": 2}),
    ("correlation_matrix_is_toeplitz", {"stride": 2, "dilation": 2}),
    ("correlation_matrix_is_toeplitz", {"ndim": 2, "stride": 2, "padding": 1, **CH}),
]

# (theorem, params, variant): every one is FALSE and must be rejected.
FALSE = [
    ("correlate_grad_input_is_full_convolution", {}, "no_flip"),
    ("correlate_grad_input_is_full_convolution", {"ndim": 2}, "wrong_mode"),
    ("correlate_grad_input_is_full_convolution", {"padding": 1}, "off_by_one"),
    ("correlate_grad_input_is_full_convolution", CH, "wrong_channel_transpose"),
    ("convolve_grad_input_is_full_correlation", {}, "no_flip"),
    ("convolve_grad_input_is_full_correlation", {}, "wrong_mode"),
    ("convolve_grad_input_is_full_correlation", {"ndim": 2}, "off_by_one"),
    ("convolve_grad_input_is_full_correlation", {"ndim": 2, "padding": 1, **CH}, "wrong_channel_transpose"),
    ("conv_grad_input_is_transposed_conv", {"stride": 2}, "no_stride"),
    ("conv_grad_input_is_transposed_conv", {"dilation": 2}, "not_dilated"),
    ("conv_grad_input_is_transposed_conv", {"stride": 3, "output_padding": 2}, "output_padding_first"),
    ("conv_grad_input_is_transposed_conv", {"stride": 2, "dilation": 2, "padding": 1}, "flipped_kernel"),
    ("conv_grad_input_is_transposed_conv", {"stride": 2, **CH}, "wrong_channel_transpose"),
    ("correlate_grad_weight_is_valid_correlation", {}, "flipped"),
    ("correlate_grad_weight_is_valid_correlation", {"ndim": 2, "padding": 1}, "off_by_one"),
    ("correlate_grad_weight_is_valid_correlation", {"ndim": 2, "padding": 1, **CH}, "wrong_mode"),
    ("convolve_grad_weight_is_flipped_valid_correlation", {"padding": 2}, "wrong_mode"),
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": 2, "dilation": 3}, "wrong_mode"),
    ("correlation_matrix_is_toeplitz", {"ndim": 2, "stride": 2}, "anti_diagonal"),
    ("correlation_matrix_is_toeplitz", CH, "off_by_one"),
    ("convolve_grad_weight_is_flipped_valid_correlation", {}, "no_flip"),
    ("convolve_grad_weight_is_flipped_valid_correlation", {"ndim": 2}, "off_by_one"),
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": 2, "dilation": 3}, "not_swapped"),
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": 2, "dilation": 3, **CH}, "not_swapped"),
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": 2}, "off_by_one"),
    ("convolve_is_correlate_with_flipped_kernel", {}, "no_flip"),
    ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2}, "one_axis"),
    ("convolve_equals_correlate_iff_centrosymmetric", {}, "hypothesis_dropped"),
    ("convolve_equals_correlate_iff_centrosymmetric", {"ndim": 2}, "one_axis"),
    ("convolve_equals_correlate_iff_centrosymmetric", {"ndim": 2}, "domain_off_by_one"),
    ("convolve_equals_minus_correlate_iff_anticentrosymmetric", {}, "hypothesis_dropped"),
    ("convolve_equals_minus_correlate_iff_anticentrosymmetric", {"ndim": 2}, "one_axis"),
    ("convolve_equals_minus_correlate_iff_anticentrosymmetric", {}, "domain_off_by_one"),
    ("convolve_equals_correlate_iff_centrosymmetric", CH, "hypothesis_dropped"),
    ("convolve_equals_correlate_iff_centrosymmetric", {"ndim": 2, **CH}, "one_axis"),
    ("convolve_equals_minus_correlate_iff_anticentrosymmetric", CH, "domain_off_by_one"),
    ("correlate_adjoint_is_full_convolution", {}, "no_flip"),
    ("correlate_adjoint_is_full_convolution", {"ndim": 2}, "off_by_one"),
    ("correlate_adjoint_is_full_convolution", {"padding": 1}, "wrong_mode"),
    ("correlate_adjoint_is_full_convolution", {"ndim": 2, "padding": 1, **CH}, "wrong_channel_transpose"),
    ("full_convolution_commutes", {}, "correlation"),
    ("full_convolution_associates", {}, "correlation"),
    ("full_convolution_associates", {}, "off_by_one"),
    ("full_correlation_swap_is_flip", {}, "no_flip"),
    ("correlation_matrix_is_toeplitz", {}, "off_by_one"),
    ("correlation_matrix_is_toeplitz", {"ndim": 2}, "off_by_one"),
    ("circular_convolution_theorem", {}, "conjugated"),
    ("circular_correlation_theorem", {}, "not_conjugated"),
]


def test_the_library_has_every_theorem_with_a_statement():
    listed = dict(theorems())
    assert set(listed) == NAMES
    assert all(len(s) > 20 for s in listed.values())
    assert symconv.theorems() == theorems()


@pytest.mark.parametrize(("name", "params"), GENERAL, ids=[f"{n}-{p}" for n, p in GENERAL])
def test_general_proof_holds_and_replays(name, params):
    p = theorem(name, **params).prove()
    assert p.holds, p.message
    assert p.method == "general" and p.status == "proved"
    assert p.steps and p.steps[-1].rule in ("equal", "entails_hypothesis")
    assert all(c.status in ("proved", "checked") for s in p.steps for c in s.conditions)
    assert p.instance_checks and all(c["holds"] for c in p.instance_checks)
    report = p.check()
    assert report.ok, report.message


#: Theorems the rules do not reach: checked exactly at concrete sizes only (and they say so).
INSTANCE_ONLY = {"circular_convolution_theorem", "circular_correlation_theorem"}


def test_every_theorem_has_a_general_proof_in_the_table_or_is_instance_only():
    """Adding a theorem without a general-proof row (or an instance-only declaration) fails here."""
    assert {n for n, _ in GENERAL} | INSTANCE_ONLY == {n for n, _ in theorems()}
    for name in INSTANCE_ONLY:
        assert theorem(name).plan().instance_only


def test_every_theorem_has_false_variants_and_every_variant_is_in_the_soundness_table():
    """Adding a theorem without false variants, or a variant without a row below, fails here."""
    rows = {(n, v) for n, _, v in FALSE}
    for name, _ in theorems():
        vs = theorem(name).variants
        assert vs, f"{name} has no false variant"
        for v in vs:
            assert (name, v) in rows, f"false variant {name}[{v}] is not in the soundness table"


@pytest.mark.parametrize(("name", "params", "variant"), FALSE, ids=[f"{n}-{v}" for n, _, v in FALSE])
def test_false_variant_is_rejected(name, params, variant):
    p = theorem(name, **params).variant(variant).prove()
    assert not p.holds
    assert p.status in ("refuted", "unproved")
    if name in INSTANCE_ONLY:
        assert p.method == "instance" and "differ" in p.message
        return
    assert p.method == "general"
    # a concrete witness: z3's counterexample to a side condition, or exact integer inputs where the sides differ
    assert "counterexample: " in p.message or "refuted: at " in p.message, p.message


@pytest.mark.parametrize(
    ("name", "params", "variant", "needle"),
    [
        # the solver's own counterexample to a guard equivalence / domain implication
        (
            "conv_grad_input_is_transposed_conv",
            {"stride": 2, "dilation": 2, "padding": 1},
            "flipped_kernel",
            "counterexample: K=",
        ),
        ("convolve_equals_correlate_iff_centrosymmetric", {}, "domain_off_by_one", "counterexample: K=1, N=1, u0=1"),
        # a concrete refutation with exact integers where the summands cannot even be matched
        ("correlate_grad_input_is_full_convolution", {}, "no_flip", "refuted: at N="),
        ("conv_grad_weight_swaps_stride_and_dilation", {"stride": 2, "dilation": 3}, "not_swapped", "refuted: at N="),
    ],
)
def test_rejection_message_carries_a_counterexample(name, params, variant, needle):
    p = theorem(name, **params).variant(variant).prove()
    assert needle in p.message, p.message


def test_variants_only_where_they_make_a_difference():
    # with stride 1 "no_stride" is the same claim: it is not refuted (the prover is not biased to reject), and
    # not reported as a proved false claim either: it coincides with the theorem there
    p = theorem("conv_grad_input_is_transposed_conv").variant("no_stride").prove()
    assert p.status == "coincides" and not p.holds and "stride 1" in p.message
    with pytest.raises(SymconvError, match="`variant` must be one of"):
        theorem("full_convolution_commutes").variant("nonsense")


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("nope", {}, "must be one of the library's theorems"),
        ("correlate_grad_input_is_full_convolution", {"stride": 2}, "unknown parameter"),
        (
            "conv_grad_input_is_transposed_conv",
            {"in_channels": 3, "out_channels": 4, "groups": 2},
            r"`in_channels` \(=3\) must be divisible by `groups` \(=2\)",
        ),
        ("conv_grad_input_is_transposed_conv", {"stride": 2, "output_padding": 2}, "must be smaller than `stride`"),
        ("conv_grad_input_is_transposed_conv", {"stride": 0}, r"`stride` must be ≥ 1; got stride=0"),
        ("conv_grad_input_is_transposed_conv", {"ndim": "2"}, "must be an integer"),
        ("convolve_is_correlate_with_flipped_kernel", {"groups": 2}, "needs `in_channels`"),
        ("full_convolution_commutes", {"ndim": 4}, "must be 1, 2 or 3"),
    ],
)
def test_bad_parameters_are_reported(name, params, match):
    with pytest.raises(SymconvError, match=match):
        theorem(name, **params)


def test_bad_method_and_sizes_are_reported():
    t = theorem("full_convolution_commutes")
    with pytest.raises(SymconvError, match="`method` must be"):
        t.prove("magic")
    with pytest.raises(SymconvError, match="give both"):
        t.prove("instance", input_size=[3])
    with pytest.raises(SymconvError, match="must have 1 entries"):
        t.prove("instance", input_size=[3, 3], kernel_size=[2])


# -- instance and randomized methods ------------------------------------------------------


def test_instance_method_is_exact_at_given_sizes():
    p = theorem("conv_grad_input_is_transposed_conv", ndim=2, stride=2, output_padding=1).prove(
        "instance", input_size=[12, 10], kernel_size=[3, 3]
    )
    assert p.holds and p.method == "instance"
    assert p.instance_checks[0]["sizes"] == {"N_0": 12, "N_1": 10, "K_0": 3, "K_1": 3}
    bad = theorem("conv_grad_input_is_transposed_conv", ndim=2, stride=2, output_padding=1).variant("no_stride")
    q = bad.prove("instance", input_size=[12, 10], kernel_size=[3, 3])
    assert not q.holds and "differs" in q.message


def test_randomized_method_states_its_error_bound():
    p = theorem("correlate_grad_weight_is_valid_correlation", ndim=2).prove(
        "randomized", input_size=[20, 20], kernel_size=[3, 3], trials=2
    )
    assert p.holds and "(deg/p)^2" in p.not_covered and "deg = 2" in p.not_covered
    # bilinear in (x, g): degree 2; the engine's prime 1048573 (the largest prime below 2^20)
    assert p.instance_checks[0]["error_bound"] == "(2/1048573)^2"
    assert p.instance_checks[0]["engine"] == "coefficient engine (check_randomized)"
    q = (
        theorem("correlate_grad_weight_is_valid_correlation", ndim=2)
        .variant("flipped")
        .prove("randomized", input_size=[20, 20], kernel_size=[3, 3], trials=2)
    )
    assert not q.holds


def test_iff_instances_check_both_directions_exactly():
    t = theorem("convolve_equals_correlate_iff_centrosymmetric", ndim=2)
    p = t.prove("instance", input_size=[5, 4], kernel_size=[3, 2])
    assert p.holds and {c["part"] for c in p.instance_checks} == {
        "if w is centrosymmetric",
        "only if: equality for every x forces w centrosymmetric",
    }
    assert not t.variant("one_axis").prove("instance", input_size=[5, 4], kernel_size=[3, 2]).holds


def test_circular_theorems_are_instance_checks_and_say_so():
    for name in ("circular_convolution_theorem", "circular_correlation_theorem"):
        p = theorem(name).prove()
        assert p.holds and p.method == "instance"
        assert "NOT covered" in p.not_covered
        # generic sizes: ≥ 3 (at N ≤ 2 the root of unity is real and a conjugate invisible), unequal along axes
        assert [c["sizes"]["N"] for c in p.instance_checks] == [[3], [4], [5]]
        assert [c["sizes"]["N"] for c in theorem(name, ndim=2).prove().instance_checks] == [[3, 4], [4, 5], [5, 3]]
        assert theorem(name, ndim=2).prove("instance", input_size=[3, 2]).holds


def test_complex_kernel_note_is_attached():
    p = theorem("convolve_equals_minus_correlate_iff_anticentrosymmetric").prove()
    assert any("conj" in n for n in p.notes)


# -- the statements mean what their names say: independent oracles ----------------------


def _side_values(side, ctx, sizes, arrays):
    named = {param_symbol(k): v for k, v in sizes.items()}
    return values(side, ctx, named, 0, {k: table(v) for k, v in arrays.items()})


def _grid(out: dict, shape) -> np.ndarray:
    a = np.zeros(shape, dtype=np.int64)
    for k, v in out.items():
        a[k] = v
    return a


def test_transposed_conv_claim_is_torch_conv_transpose_and_start_is_autograd():
    torch = peers.module("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    cin, cout, g_, s, d, p, op = 4, 2, 2, 2, 2, 1, 1
    n, k = 10, 3  # (10 + 2 - 4 - 1) mod 2 = 1 = output_padding
    x = rng.integers(-3, 4, (1, cin, n))
    w = rng.integers(-3, 4, (cout, cin // g_, k))
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = F.conv1d(xt, torch.tensor(w, dtype=torch.float64), stride=s, padding=p, dilation=d, groups=g_)
    gy = rng.integers(-3, 4, tuple(y.shape))
    (y * torch.tensor(gy, dtype=torch.float64)).sum().backward()
    want_grad = xt.grad.numpy()[0].astype(np.int64)
    want_tconv = (
        F.conv_transpose1d(
            torch.tensor(gy, dtype=torch.float64),
            torch.tensor(w, dtype=torch.float64),
            stride=s,
            padding=p,
            output_padding=op,
            groups=g_,
            dilation=d,
        )
        .numpy()[0]
        .astype(np.int64)
    )
    assert (want_grad == want_tconv).all()
    t = theorem(
        "conv_grad_input_is_transposed_conv",
        stride=s,
        dilation=d,
        padding=p,
        output_padding=op,
        in_channels=cin,
        out_channels=cout,
        groups=g_,
    )
    part = t.plan().parts[0][0]
    sizes = {"N": n, "K": k}
    claim = _side_values(part.rhs, part.ctx, sizes, {"g": gy[0], "w": w})
    start = _side_values(part.lhs, part.ctx, sizes, {"g": gy[0], "w": w, "x": x[0]})
    assert (_grid(claim, (cin, n)) == want_tconv).all()
    assert (_grid(start, (cin, n)) == want_grad).all()


def test_weight_gradient_claim_is_torch_autograd_with_stride_and_dilation():
    torch = peers.module("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(1)
    s, d, p, n, k = 2, 3, 1, 13, 3
    x = rng.integers(-3, 4, (1, 1, n))
    w = torch.tensor(rng.integers(-3, 4, (1, 1, k)), dtype=torch.float64, requires_grad=True)
    y = F.conv1d(torch.tensor(x, dtype=torch.float64), w, stride=s, padding=p, dilation=d)
    gy = rng.integers(-3, 4, tuple(y.shape))
    (y * torch.tensor(gy, dtype=torch.float64)).sum().backward()
    want = w.grad.numpy()[0, 0].astype(np.int64)
    part = theorem("conv_grad_weight_swaps_stride_and_dilation", stride=s, dilation=d, padding=p).plan().parts[0][0]
    got = _side_values(part.rhs, part.ctx, {"N": n, "K": k}, {"g": gy[0, 0], "x": x[0, 0]})
    assert (_grid(got, (k,)) == want).all()


def test_full_convolution_claims_are_numpy_convolve():
    rng = np.random.default_rng(2)
    a, b = rng.integers(-5, 6, 6), rng.integers(-5, 6, 3)
    part = theorem("full_convolution_commutes").plan().parts[0][0]
    lhs = _side_values(part.lhs, part.ctx, {"A": 6, "B": 3}, {"a": a, "b": b})
    rhs = _side_values(part.rhs, part.ctx, {"A": 6, "B": 3}, {"a": a, "b": b})
    assert (_grid(lhs, (8,)) == np.convolve(a, b, "full")).all()
    assert lhs == rhs
    part = theorem("full_correlation_swap_is_flip").plan().parts[0][0]
    lhs = _side_values(part.lhs, part.ctx, {"A": 6, "B": 3}, {"a": a, "b": b})
    assert (_grid(lhs, (8,)) == np.correlate(a, b, "full")).all()


def test_flip_and_adjoint_statements_against_numpy():
    rng = np.random.default_rng(3)
    x, w, n, k = rng.integers(-5, 6, 7), rng.integers(-5, 6, 3), 7, 3
    part = theorem("convolve_is_correlate_with_flipped_kernel").plan().parts[0][0]
    conv = _side_values(part.lhs, part.ctx, {"N": n, "K": k}, {"x": x, "w": w})
    assert (_grid(conv, (n - k + 1,)) == np.convolve(x, w, "valid")).all()
    g = rng.integers(-5, 6, n - k + 1)
    part = theorem("correlate_adjoint_is_full_convolution").plan().parts[0][0]
    lhs = _side_values(part.lhs, part.ctx, {"N": n, "K": k}, {"x": x, "w": w, "g": g})
    rhs = _side_values(part.rhs, part.ctx, {"N": n, "K": k}, {"x": x, "w": w, "g": g})
    assert (
        lhs[()] == int(np.dot(np.correlate(x, w, "valid"), g)) == rhs[()] == int(np.dot(x, np.convolve(g, w, "full")))
    )


def test_toeplitz_statement_reads_the_jacobian():
    torch = peers.module("torch")
    rng = np.random.default_rng(4)
    n, k = 7, 3
    w = rng.integers(-5, 6, k)
    jac = (
        torch.autograd.functional.jacobian(
            lambda v: torch.nn.functional.conv1d(
                v.view(1, 1, n), torch.tensor(w, dtype=torch.float64).view(1, 1, k)
            ).view(-1),
            torch.zeros(n, dtype=torch.float64),
        )
        .numpy()
        .astype(np.int64)
    )
    part = theorem("correlation_matrix_is_toeplitz").plan().parts[0][0]
    m = _side_values(part.rhs, part.ctx, {"N": n, "K": k}, {"w": w})
    for (i, j), v in m.items():
        assert jac[i, j] == v
    assert len(m) == (n - k) * (n - 1)


def test_circular_theorem_against_numpy_fft():
    rng = np.random.default_rng(5)
    n = 6
    x, w = rng.integers(-5, 6, n), rng.integers(-5, 6, n)
    conv = np.array([sum(x[(i - j) % n] * w[j] for j in range(n)) for i in range(n)])
    corr = np.array([sum(x[(i + j) % n] * w[j] for j in range(n)) for i in range(n)])
    assert np.allclose(np.fft.fft(conv), np.fft.fft(x) * np.fft.fft(w))
    assert np.allclose(np.fft.fft(corr), np.fft.fft(x) * np.conj(np.fft.fft(w)))
    assert theorem("circular_convolution_theorem").prove("instance", input_size=[n]).holds
    assert theorem("circular_correlation_theorem").prove("instance", input_size=[n]).holds


@settings(max_examples=8)
@given(
    s=st.integers(1, 3),
    d=st.integers(1, 3),
    p=st.integers(0, 2),
    op=st.integers(0, 2),
    nd=st.integers(1, 2),
)
def test_gradient_theorems_hold_for_any_hyper_parameters(s, d, p, op, nd):
    op = op % s
    assert (
        theorem("conv_grad_input_is_transposed_conv", ndim=nd, stride=s, dilation=d, padding=p, output_padding=op)
        .prove()
        .holds
    )
    assert theorem("conv_grad_weight_swaps_stride_and_dilation", ndim=nd, stride=s, dilation=d, padding=p).prove().holds
    if s != d:
        assert (
            not theorem("conv_grad_weight_swaps_stride_and_dilation", ndim=nd, stride=s, dilation=d, padding=p)
            .variant("not_swapped")
            .prove()
            .holds
        )


def test_complex_kernel_note_holds_for_numpy():
    """The note: numpy's correlate conjugates w, so convolve = correlate iff w = conj(flip(w)) (and = −… iff −…)."""
    rng = np.random.default_rng(6)
    k = 5
    half = rng.integers(-4, 5, k) + 1j * rng.integers(-4, 5, k)
    herm = half + np.conj(half[::-1])  # w = conj(flip(w))
    anti = half - np.conj(half[::-1])  # w = −conj(flip(w))
    x = rng.integers(-4, 5, 11) + 1j * rng.integers(-4, 5, 11)
    assert np.array_equal(np.convolve(x, herm, "valid"), np.correlate(x, herm, "valid"))
    assert np.array_equal(np.convolve(x, anti, "valid"), -np.correlate(x, anti, "valid"))
    # a centrosymmetric complex kernel (w = flip(w), not conjugated) does NOT give equality under numpy
    centro = half + half[::-1]
    assert not np.array_equal(np.convolve(x, centro, "valid"), np.correlate(x, centro, "valid"))
    notes = theorem("convolve_equals_correlate_iff_centrosymmetric").prove().notes
    assert any("conj(flip(w))" in n for n in notes)


def test_doubly_block_toeplitz_statement_reads_the_2d_jacobian():
    """2-D with stride 2: both parts (blocks along axis 0, Toeplitz within along axis 1) on torch's Jacobian."""
    torch = peers.module("torch")
    rng = np.random.default_rng(7)
    n, k, s = (7, 6), (3, 2), 2
    w = rng.integers(-5, 6, k)
    out = tuple((a - b) // s + 1 for a, b in zip(n, k))
    jac = (
        torch.autograd.functional.jacobian(
            lambda v: torch.nn.functional.conv2d(
                v.view(1, 1, *n), torch.tensor(w, dtype=torch.float64).view(1, 1, *k), stride=s
            ).view(-1),
            torch.zeros(n, dtype=torch.float64).view(-1),
        )
        .numpy()
        .astype(np.int64)
        .reshape(*out, *n)
    )
    plan = theorem("correlation_matrix_is_toeplitz", ndim=2, stride=s).plan()
    assert len(plan.parts) == 2
    sizes = {"N_0": n[0], "N_1": n[1], "K_0": k[0], "K_1": k[1]}
    for axis, (part, _) in enumerate(plan.parts):
        e = [1 if a == axis else 0 for a in range(2)]
        lhs = _side_values(part.lhs, part.ctx, sizes, {"w": w})
        rhs = _side_values(part.rhs, part.ctx, sizes, {"w": w})
        assert lhs == rhs and lhs
        for (i0, i1, m0, m1), v in rhs.items():
            assert jac[i0, i1, m0, m1] == v  # the right side is the Jacobian entry
            assert jac[i0 + e[0], i1 + e[1], m0 + s * e[0], m1 + s * e[1]] == v  # and it repeats down the diagonal


def test_adjoint_with_padding_and_groups_against_numpy_and_torch():
    """⟨conv1d(x, w; padding, groups), g⟩ (torch) = Σ_c Σ_m x[c, m] Σ_o np.convolve(g[o], w[o, c], 'full')[m + p]."""
    torch = peers.module("torch")
    rng = np.random.default_rng(8)
    cin, cout, grp, n, k, p = 4, 6, 2, 7, 3, 1
    x, w = rng.integers(-4, 5, (cin, n)), rng.integers(-4, 5, (cout, cin // grp, k))
    y = torch.nn.functional.conv1d(
        torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64), padding=p, groups=grp
    )
    g = rng.integers(-4, 5, tuple(y.shape[1:]))
    want_lhs = int((y[0].numpy() * g).sum())
    want_rhs = 0
    for o in range(cout):
        base = (o // (cout // grp)) * (cin // grp)
        for c in range(cin // grp):
            full = np.convolve(g[o], w[o, c], "full")
            want_rhs += int(sum(int(x[base + c, m]) * int(full[m + p]) for m in range(n)))
    assert want_lhs == want_rhs
    part = theorem("correlate_adjoint_is_full_convolution", padding=p, **CH).plan().parts[0][0]
    arrays = {"x": x, "w": w, "g": g}
    assert _side_values(part.lhs, part.ctx, {"N": n, "K": k}, arrays)[()] == want_lhs
    assert _side_values(part.rhs, part.ctx, {"N": n, "K": k}, arrays)[()] == want_rhs


@pytest.mark.parametrize(
    ("name", "params", "kwargs", "match"),
    [
        ("full_convolution_commutes", {}, {"method": "randomized", "trials": 0}, r"`trials` must be ≥ 1; got trials=0"),
        ("full_convolution_commutes", {}, {"method": "instance", "seed": -1}, r"`seed` must be ≥ 0; got seed=-1"),
        ("full_convolution_commutes", {}, {"input_size": [4], "kernel_size": [2]}, "a general proof has no sizes"),
        (
            "correlate_grad_input_is_full_convolution",
            {},
            {"method": "instance", "input_size": [2], "kernel_size": [3]},
            r"`input_size` \(=\[2\]\) and `kernel_size` \(=\[3\]\) must satisfy the theorem's assumptions",
        ),
        (
            "conv_grad_weight_swaps_stride_and_dilation",
            {"stride": "s"},
            {"method": "instance", "input_size": [9], "kernel_size": [2]},
            "needs numeric `stride`; got stride='s'",
        ),
    ],
)
def test_bad_prove_arguments_are_reported(name, params, kwargs, match):
    """A randomized check with no trial would 'prove' a false variant: refused, like every other bad argument."""
    with pytest.raises(SymconvError, match=match):
        theorem(name, **params).variant(next(iter(theorem(name).variants))).prove(**kwargs)


def test_multichannel_symmetry_statement_against_torch():
    """With channels the two sides are torch's conv1d with the kernel flipped and not: every slice w[o, c]."""
    torch = peers.module("torch")
    rng = np.random.default_rng(9)
    cin, cout, grp, n, k, s, p = 4, 6, 2, 9, 3, 2, 1
    x, w = rng.integers(-4, 5, (cin, n)), rng.integers(-4, 5, (cout, cin // grp, k))
    th = theorem("convolve_equals_correlate_iff_centrosymmetric", stride=s, padding=p, **CH)
    part = th.plan().parts[0][0]

    def conv1d(kernel):
        t = torch.nn.functional.conv1d(
            torch.tensor(x[None], dtype=torch.float64),
            torch.tensor(kernel.copy(), dtype=torch.float64),
            stride=s,
            padding=p,
            groups=grp,
        )
        return t.numpy()[0].astype(np.int64)

    sizes = {"N": n, "K": k}
    conv = _side_values(part.lhs, part.ctx, sizes, {"x": x, "w": w})
    corr = _side_values(part.rhs, part.ctx, sizes, {"x": x, "w": w})
    assert (_grid(conv, conv1d(w).shape) == conv1d(w[:, :, ::-1])).all()
    assert (_grid(corr, conv1d(w).shape) == conv1d(w)).all()
    hyp = part.ctx.hypotheses[0]
    assert hyp.variables == ("uo", "uc", "u0")  # the hypothesis is about every kernel slice w[o, c]


def test_toeplitz_with_channels_reads_every_block_of_the_jacobian():
    torch = peers.module("torch")
    rng = np.random.default_rng(10)
    cin, cout, grp, n, k, s = 4, 6, 2, 8, 3, 2
    w = rng.integers(-5, 6, (cout, cin // grp, k))
    out = (n - k) // s + 1
    jac = (
        torch.autograd.functional.jacobian(
            lambda v: torch.nn.functional.conv1d(
                v.view(1, cin, n), torch.tensor(w, dtype=torch.float64), stride=s, groups=grp
            ).view(-1),
            torch.zeros(cin * n, dtype=torch.float64),
        )
        .numpy()
        .astype(np.int64)
        .reshape(cout, out, cin, n)
    )
    part = theorem("correlation_matrix_is_toeplitz", stride=s, **CH).plan().parts[0][0]
    lhs = _side_values(part.lhs, part.ctx, {"N": n, "K": k}, {"w": w})
    rhs = _side_values(part.rhs, part.ctx, {"N": n, "K": k}, {"w": w})
    assert lhs == rhs and any(rhs.values())
    for (co, ci, i, m), v in rhs.items():
        assert jac[co, i, ci, m] == v == jac[co, i + 1, ci, m + s]


# -- instance and randomized methods: the coefficient engines on the one definition ---------------------------

#: Parts whose statement is not a contraction of the one definition at every size: the engine each uses instead.
NOT_CONTRACTIONS = {
    "full_convolution_associates": "Iverson-sum",  # a composition of two contractions
    "circular_convolution_theorem": "group-ring",
    "circular_correlation_theorem": "group-ring",
}


def _engines_used(p):
    return {c["engine"] for c in p.instance_checks}


@pytest.mark.parametrize("method", ["instance", "randomized"])
@pytest.mark.parametrize(("name", "params", "variant"), FALSE, ids=[f"{n}-{v}" for n, _, v in FALSE])
def test_false_variant_is_rejected_by_the_instance_engines(name, params, variant, method):
    p = theorem(name, **params).variant(variant).prove(method, seed=1)
    assert not p.holds and p.status == "refuted", (p.status, p.message)
    assert p.engine and p.message
    bad = [c for c in p.instance_checks if not c["holds"]]
    assert bad, p.instance_checks


@pytest.mark.parametrize("method", ["instance", "randomized"])
@pytest.mark.parametrize(("name", "params"), GENERAL, ids=[f"{n}-{p}" for n, p in GENERAL])
def test_true_theorem_holds_under_the_instance_engines(name, params, method):
    p = theorem(name, **params).prove(method, seed=1)
    assert p.holds, p.message
    used = _engines_used(p)
    if name in NOT_CONTRACTIONS:
        assert all(NOT_CONTRACTIONS[name] in e for e in used), used
        return
    want = "coefficient engine (check_exact)" if method == "instance" else "coefficient engine (check_randomized)"
    iff = name.startswith("convolve_equals")
    for c in p.instance_checks:
        if iff and c["part"].startswith("only if"):
            assert c["engine"].startswith("exact rank")  # a statement about every x, not an identity
        else:
            assert c["engine"] == want, c
    assert want in p.engine


def test_at_scale_instance_goes_through_the_coefficient_engine_fast():
    """Issue 3's workload shape (64×64 input, 5×5 kernel): far below a second, exact; 10^6 terms feasible."""
    import time

    t0 = time.perf_counter()
    p = theorem("conv_grad_input_is_transposed_conv", ndim=2).prove("instance", input_size=[64, 64], kernel_size=[5, 5])
    assert p.holds and time.perf_counter() - t0 < 5
    assert p.instance_checks[0]["engine"] == "coefficient engine (check_exact)"
    assert p.instance_checks[0]["terms"] == 2 * 60 * 60 * 25  # both sides: every (output, tap) product once
    big = theorem("conv_grad_input_is_transposed_conv", ndim=2, in_channels=3, out_channels=3).prove(
        "instance", input_size=[64, 64], kernel_size=[5, 5]
    )
    assert big.holds and big.instance_checks[0]["terms"] == 2 * 810_000
    bad = (
        theorem("conv_grad_input_is_transposed_conv", ndim=2, stride=2, output_padding=1, in_channels=3, out_channels=3)
        .variant("wrong_channel_transpose")
        .prove("randomized", input_size=[64, 64], kernel_size=[5, 5])
    )
    assert not bad.holds and "coefficient engine" in bad.engine


@pytest.mark.parametrize(
    ("name", "params", "want"),
    [
        ("correlate_grad_input_is_full_convolution", {}, ["N ≥ K on every axis (non-empty output)"]),
        (
            "correlate_grad_input_is_full_convolution",
            {"padding": 2},
            ["N ≥ K − 4 on every axis (non-empty output); padding 2"],
        ),
        (
            "conv_grad_input_is_transposed_conv",
            {"stride": 2, "dilation": 2, "padding": 1, "output_padding": 1},
            [
                "N ≥ 2K − 3 on every axis (non-empty output); stride 2, dilation 2, padding 1",
                "stride 2 with output_padding 1: only N with (N − 2K + 3) mod 2 = 1 on every axis "
                "(the other N need output_padding = (N − 2K + 3) mod 2)",
            ],
        ),
        (
            "conv_grad_input_is_transposed_conv",
            {"dilation": 3},
            ["N ≥ 3K − 2 on every axis (non-empty output); dilation 3"],
        ),
        (
            "conv_grad_weight_swaps_stride_and_dilation",
            {"stride": "s", "padding": "p"},
            [
                "N ≥ K − 2p on every axis (non-empty output); stride s, padding p",
                "symbolic s, p: every integer ≥ 1",
            ],
        ),
    ],
)
def test_assumptions_read_with_the_actual_hyper_parameters(name, params, want):
    p = theorem(name, **params).prove()
    assert p.holds and list(p.parts[0].assumptions_text) == want
    assert "stride 1" not in "".join(p.parts[0].assumptions_text)


def test_the_stated_size_restriction_is_the_true_one():
    """Where the text says which N fit stride 2 (N − K even at output_padding 0), exactly those N are accepted."""
    t = theorem("conv_grad_input_is_transposed_conv", stride=2)
    for n in range(3, 11):
        if (n - 3) % 2 == 0:
            assert t.prove("instance", input_size=[n], kernel_size=[3]).holds
        else:
            with pytest.raises(SymconvError, match=r"only N with \(N − K\) mod 2 = 0"):
                t.prove("instance", input_size=[n], kernel_size=[3])


def test_notation_is_derives_keyword():
    p = theorem("full_correlation_swap_is_flip").prove(notation="subscript")
    assert p.notation == "subscript" and "_{" in p.markdown() and "a[" not in p.latex()
    assert "a[" in p.latex(notation="bracket")
    with pytest.raises(SymconvError, match=r"prove: `notation` must be 'bracket' or 'subscript'; got 'brackets'"):
        theorem("full_correlation_swap_is_flip").prove(notation="brackets")
    with pytest.raises(SymconvError, match=r"`notation` must be 'bracket' or 'subscript'; got 'tex'"):
        p.latex(notation="tex")
    with pytest.raises(TypeError):
        theorem("full_correlation_swap_is_flip").prove(index_style="brackets")  # the old spelling is gone


def test_parameters_and_variants_are_listed_from_python():
    from symconv.proofs import parameters, variants

    t = theorem("conv_grad_weight_swaps_stride_and_dilation", stride=2, dilation=3)
    assert t.parameters == parameters(t.name)
    assert t.parameters == ["ndim", "stride", "dilation", "padding", "in_channels", "out_channels", "groups"]
    assert set(t.variants) == {"not_swapped", "off_by_one", "wrong_mode"} == set(variants(t.name))
    for v in t.variants:
        assert not t.variant(v).prove().holds


def test_strided_input_gradient_says_which_N_its_output_padding_leaves_out():
    """A stride s > 1 proof holds only for N with (N + 2p − d(K−1) − 1) mod s = output_padding (review of ch4)."""
    from symconv.proofs._registry import build_plan

    name = "conv_grad_input_is_transposed_conv"
    assert build_plan(name, {}, None).not_covered == "—"  # stride 1: every N
    for params in ({"stride": "s", "dilation": "d"}, {"stride": 2}, {"stride": 3, "output_padding": 1}):
        gap = build_plan(name, params, None).not_covered
        op = params.get("output_padding", 0)
        assert gap.startswith("N with output_padding a = (N − ") and f"≠ {op}" in gap, gap  # no padding: no p
        assert "2p" not in gap
