"""Symbolic stride, dilation and padding: proofs for every value at once, the solver's honest "unknown"
with its bounded fallback, and the statements read at concrete values against torch autograd."""

from __future__ import annotations

import numpy as np
import peers
import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles.guarded import table

from symconv import SymconvError, theorem
from symconv.core.affine import Affine
from symconv.proofs import _solver
from symconv.proofs._evaluate import values
from symconv.proofs._iverson import EQ, Constraint, Context
from symconv.proofs._serial import param_symbol

SYMBOLIC = [
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": "s", "dilation": "d"}),
    ("conv_grad_weight_swaps_stride_and_dilation", {"ndim": 2, "stride": "s", "dilation": "d", "padding": "p"}),
    ("conv_grad_input_is_transposed_conv", {"stride": "s", "dilation": "d", "padding": "p"}),
    ("conv_grad_input_is_transposed_conv", {"stride": "s", "output_padding": 1}),
    ("correlate_grad_input_is_full_convolution", {"padding": "p"}),
    ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2, "stride": "s", "dilation": "d"}),
    ("convolve_equals_correlate_iff_centrosymmetric", {"stride": "s", "dilation": "d", "padding": "p"}),
    ("convolve_equals_minus_correlate_iff_anticentrosymmetric", {"stride": "s", "dilation": "s"}),
    ("correlation_matrix_is_toeplitz", {"stride": "s", "dilation": "d"}),
    # symbolic channel counts (groups 1): C input channels, O output channels
    ("correlate_grad_input_is_full_convolution", {"in_channels": "C", "out_channels": "O"}),
    ("conv_grad_input_is_transposed_conv", {"ndim": 2, "stride": "s", "in_channels": "C", "out_channels": "O"}),
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": 2, "in_channels": "C", "out_channels": 3}),
    ("convolve_is_correlate_with_flipped_kernel", {"in_channels": "C", "out_channels": "O"}),
    ("convolve_equals_correlate_iff_centrosymmetric", {"in_channels": "C", "out_channels": "O", "padding": "p"}),
    ("correlate_adjoint_is_full_convolution", {"ndim": 2, "in_channels": "C", "out_channels": "O"}),
    ("correlation_matrix_is_toeplitz", {"in_channels": "C", "out_channels": "O"}),
]


@pytest.mark.parametrize(("name", "params"), SYMBOLIC, ids=[f"{n}-{p}" for n, p in SYMBOLIC])
def test_symbolic_hyper_parameters_are_proved_for_every_value(name, params):
    p = theorem(name, **params).prove()
    assert p.holds, p.message
    symbols = {v for v in params.values() if isinstance(v, str)}
    assert symbols <= {s.name for part in p.parts for s in part.ctx.params}
    # every solver question was decided outright (z3 did not need the bounded fallback here)
    assert {c.status for s in p.steps for c in s.conditions} <= {"proved", "checked"}
    assert any(c.status == "proved" for s in p.steps for c in s.conditions)
    assert p.params == params  # JSON-ready: a symbol is kept by its name
    report = p.check()
    assert report.ok and report.bounded == 0, report.message


@pytest.mark.parametrize(
    ("name", "params", "variant"),
    [
        ("conv_grad_weight_swaps_stride_and_dilation", {"stride": "s", "dilation": "d"}, "not_swapped"),
        ("conv_grad_input_is_transposed_conv", {"stride": "s"}, "no_stride"),
        ("conv_grad_input_is_transposed_conv", {"dilation": "d"}, "not_dilated"),
        ("convolve_equals_correlate_iff_centrosymmetric", {"stride": "s"}, "domain_off_by_one"),
        ("correlation_matrix_is_toeplitz", {"stride": "s"}, "off_by_one"),
        ("conv_grad_weight_swaps_stride_and_dilation", {"stride": "s", "dilation": "d"}, "wrong_mode"),
    ],
)
def test_false_variants_with_symbolic_hyper_parameters_are_rejected(name, params, variant):
    p = theorem(name, **params).variant(variant).prove()
    assert not p.holds and p.status in ("refuted", "unproved") and p.message


def test_the_same_symbol_for_stride_and_dilation_makes_not_swapped_true():
    """With stride = dilation = s, "not swapped" is the same claim: not refuted (no bias to reject), and
    reported as coinciding with the theorem, not as a proved false claim."""
    p = theorem("conv_grad_weight_swaps_stride_and_dilation", stride="s", dilation="s").variant("not_swapped").prove()
    assert p.status == "coincides" and not p.holds


@pytest.mark.parametrize("bad", ["n", "N", "k1", "2s", "s+1", "s_x", "__import__('os')", "", "K"])
def test_a_symbolic_name_is_a_plain_letter_never_evaluated(bad):
    with pytest.raises(SymconvError, match="a symbolic `stride` must be a letter"):
        theorem("conv_grad_weight_swaps_stride_and_dilation", stride=bad)


def test_symbolic_channels_need_groups_1_and_a_free_letter():
    with pytest.raises(SymconvError, match=r"symbolic `in_channels` need `groups` \(=2\) to be 1"):
        theorem("convolve_is_correlate_with_flipped_kernel", in_channels="C", out_channels=4, groups=2)
    with pytest.raises(SymconvError, match="a symbolic `out_channels` must be a letter"):
        theorem("convolve_is_correlate_with_flipped_kernel", in_channels="C", out_channels="o")
    with pytest.raises(SymconvError, match="give both"):
        theorem("convolve_is_correlate_with_flipped_kernel", in_channels="C")


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("correlate_grad_input_is_full_convolution", "wrong_channel_transpose"),
        ("correlate_adjoint_is_full_convolution", "wrong_channel_transpose"),
        ("convolve_equals_correlate_iff_centrosymmetric", "hypothesis_dropped"),
    ],
)
def test_false_variants_with_symbolic_channels_are_rejected(name, variant):
    p = theorem(name, in_channels="C", out_channels="O").variant(variant).prove()
    assert not p.holds and p.status == "refuted" and "refuted: at " in p.message


def test_symbolic_weight_gradient_read_at_concrete_values_is_torch_autograd():
    torch = peers.module("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(11)
    part = theorem("conv_grad_weight_swaps_stride_and_dilation", stride="s", dilation="d", padding="p").plan()
    part = part.parts[0][0]
    for s, d, p, n, k in [(2, 3, 1, 13, 3), (3, 1, 2, 11, 2), (1, 2, 1, 9, 4)]:
        x = rng.integers(-3, 4, (1, 1, n))
        w = torch.tensor(rng.integers(-3, 4, (1, 1, k)), dtype=torch.float64, requires_grad=True)
        y = F.conv1d(torch.tensor(x, dtype=torch.float64), w, stride=s, padding=p, dilation=d)
        gy = rng.integers(-3, 4, tuple(y.shape))
        (y * torch.tensor(gy, dtype=torch.float64)).sum().backward()
        want = w.grad.numpy()[0, 0].astype(np.int64)
        sizes = {param_symbol(a): v for a, v in {"N": n, "K": k, "s": s, "d": d, "p": p}.items()}

        got = values(part.rhs, part.ctx, sizes, 0, {"g": table(gy[0, 0]), "x": table(x[0, 0])})
        assert [got[(j,)] for j in range(k)] == want.tolist()


# -- "unknown" is reported as such, with the bounded check that stood in -------------------


def test_a_real_solver_unknown_falls_back_to_a_stated_bounded_check(monkeypatch):
    """Cubes: a³ + b³ = c³ has no positive solution (Fermat, n = 3); z3 cannot prove it and says unknown."""
    monkeypatch.setattr(_solver, "TIMEOUT_MS", 300)
    a, b, c = (param_symbol(v) for v in "abc")
    ctx = Context((a, b, c), (), (Constraint(Affine.constant(a**3 + b**3 - c**3), EQ),))
    v = _solver.implies(ctx, [], [Constraint(Affine.constant(-1))])  # "false": holds iff no solution
    assert v.status == "unknown" and v.counterexample is None
    assert v.bounded == f"parameters ≤ {_solver.BOUND_PARAMS}, |indices| ≤ {_solver.BOUND_INDEX}" and v.ok
    # the same question for squares has a solution: refuted with z3's own counterexample
    ctx2 = Context((a, b, c), (), (Constraint(Affine.constant(a**2 + b**2 - c**2), EQ),))
    w = _solver.implies(ctx2, [], [Constraint(Affine.constant(-1))])
    assert (
        w.status == "refuted" and w.counterexample["a"] ** 2 + w.counterexample["b"] ** 2 == w.counterexample["c"] ** 2
    )


def _unknown_outright(monkeypatch):
    real = _solver._check

    def fake(ctx, premises, neg, names, bound):
        res, rest = real(ctx, premises, neg, names, bound)
        return (z3.unknown, rest) if not bound and res == z3.unsat else (res, rest)

    monkeypatch.setattr(_solver, "_check", fake)


def test_a_proof_resting_on_bounded_checks_says_so_and_does_not_claim_to_hold(monkeypatch):
    _unknown_outright(monkeypatch)
    p = theorem("conv_grad_weight_swaps_stride_and_dilation", stride="s", dilation="d").prove()
    assert p.status == "bounded" and not p.holds
    bound = f"parameters ≤ {_solver.BOUND_PARAMS}, |indices| ≤ {_solver.BOUND_INDEX}"
    assert "answered 'unknown'" in p.message and bound in p.message and bound in p.not_covered
    assert any(c.status == "unknown" and c.bounded == bound for s in p.steps for c in s.conditions)
    report = p.certificate.check()  # every step re-derived, yet some condition only bounded: "bounded", never ok
    assert report.status == "bounded" and not report.ok and not report
    assert report.bounded >= 1 and "bounded check" in report.message and "NOT verified" in report.message
    assert "unknown" in p.markdown() or "bounded" in p.markdown()


def test_a_refutation_inside_the_bound_is_still_a_refutation(monkeypatch):
    _unknown_outright(monkeypatch)
    p = theorem("conv_grad_weight_swaps_stride_and_dilation", stride="s", dilation="d").variant("not_swapped").prove()
    assert not p.holds and p.status == "refuted"


# -- one symbolic statement, many concrete values: both sides against torch autograd --------------

_WEIGHT = theorem("conv_grad_weight_swaps_stride_and_dilation", stride="s", dilation="d", padding="p").plan()
_INPUT = {
    op: theorem("conv_grad_input_is_transposed_conv", stride="s", dilation="d", padding="p", output_padding=op).plan()
    for op in range(3)
}


@settings(max_examples=25)
@given(
    s=st.integers(1, 3),
    d=st.integers(1, 3),
    p=st.integers(1, 2),
    k=st.integers(1, 3),
    extra=st.integers(0, 6),
    seed=st.integers(0, 2**16),
)
def test_symbolic_gradient_statements_at_random_values_are_torch_autograd(s, d, p, k, extra, seed):
    torch = peers.module("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(seed)
    n = max(1, d * (k - 1) + 1 - 2 * p) + extra  # a non-empty output
    op = (n + 2 * p - d * (k - 1) - 1) % s
    x = rng.integers(-3, 4, (1, 1, n))
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    wt = torch.tensor(rng.integers(-3, 4, (1, 1, k)), dtype=torch.float64, requires_grad=True)
    y = F.conv1d(xt, wt, stride=s, padding=p, dilation=d)
    gy = rng.integers(-3, 4, tuple(y.shape))
    (y * torch.tensor(gy, dtype=torch.float64)).sum().backward()
    sizes = {param_symbol(a): v for a, v in {"N": n, "K": k, "s": s, "d": d, "p": p}.items()}
    arrays = {"x": table(x[0, 0]), "w": table(wt.detach().numpy()[0, 0].astype(np.int64)), "g": table(gy[0, 0])}
    want_w = wt.grad.numpy()[0, 0].astype(np.int64).tolist()
    part = _WEIGHT.parts[0][0]
    for side in (part.lhs, part.rhs):
        got = values(side, part.ctx, sizes, 0, arrays)
        assert [got[(j,)] for j in range(k)] == want_w
    want_x = xt.grad.numpy()[0, 0].astype(np.int64).tolist()
    part = _INPUT[op].parts[0][0]  # the statement whose output_padding assumption these sizes meet
    for side in (part.lhs, part.rhs):
        got = values(side, part.ctx, sizes, 0, arrays)
        assert [got[(m,)] for m in range(n)] == want_x
