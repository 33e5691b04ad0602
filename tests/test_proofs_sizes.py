"""Instance sizes are DERIVED, not sampled; a variant that coincides is never "proved"; costs are guarded.

Issue 8, holes 6 and 7 and the prover's cost guards:

* default instance sizes are generic (every size ≥ 2, unequal along axes and
  between operands, several sets), solved from the statement's assumptions —
  so every false variant is rejected at them, and no valid statement fails for
  want of a search;
* a false variant that says what its theorem says (at its parameters, or at
  degenerate sizes a user gives) is reported as ``coincides`` (exit 3);
* work beyond the limits of :mod:`symconv.core.limits` is refused before it starts
  (exit 2, one line, the estimate, the limit, how to raise it, the faster route).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import sympy

from symconv import SymconvError, cli, theorem, theorems
from symconv.core.affine import Affine
from symconv.proofs._evaluate import random_sizes, values
from symconv.proofs._iverson import Constraint, Context, Expr, Sum, Term
from symconv.proofs._registry import parameters, variants
from symconv.proofs._sizes import _derive, derive_sizes


def _run(argv, capsys):
    status = cli.main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


def _rich(name: str, variant: str | None = None) -> dict:
    """The richest GENERIC parameters a theorem takes: 2-D, stride 2, dilation 3, padding 1, channels 2 → 3."""
    want = {"ndim": 2, "stride": 2, "dilation": 3, "padding": 1, "in_channels": 2, "out_channels": 3}
    if name == "conv_grad_input_is_transposed_conv":
        want["output_padding"] = 1
    params = {k: v for k, v in want.items() if k in parameters(name)}
    if variant is not None and "channel" not in variant and "in_channels" in params:
        del params["in_channels"], params["out_channels"]  # channels only where the variant is about them: faster
    return params


def _assumptions_hold(part, sizes) -> bool:
    """Every parameter-only assumption, evaluated by sympy at ``sizes`` (independent of the derivation)."""
    for c in part.ctx.assumptions:
        if c.expr.variables:
            continue
        v = sympy.sympify(c.expr.const).subs(sizes)
        if not v.is_Integer or (v != 0 if c.op == "==" else v < 0):
            return False
    return True


# -- derived sizes are generic and satisfy the assumptions --------------------------------------


GENERIC_THEOREMS = [n for n, _ in theorems() if not n.startswith("circular")]


@pytest.mark.parametrize("name", GENERIC_THEOREMS)
def test_derived_sizes_are_generic_and_satisfy_the_assumptions(name):
    plan = theorem(name, **_rich(name)).plan()
    for part, _ in plan.parts:
        sets = derive_sizes(part.ctx, 3)
        assert len(sets) == 3 and len({tuple(s.items()) for s in sets}) == 3
        for sizes in sets:
            assert set(sizes) == set(part.ctx.params)
            assert _assumptions_hold(part, sizes), (part.title, sizes)
            assert all(v >= 2 for v in sizes.values()), sizes  # no axis of size 1
            by = {p.name: v for p, v in sizes.items()}
            for p in by:
                role, _, axis = p.partition("_")
                for q in by:
                    r2, _, a2 = q.partition("_")
                    if p < q and axis and a2 and (role == r2 or axis == a2):
                        assert by[p] != by[q], (p, q, sizes)  # unequal along axes and between operands


def test_derived_sizes_are_the_smallest_generic_ones_and_deterministic():
    N, K = sympy.Symbol("N", integer=True, positive=True), sympy.Symbol("K", integer=True, positive=True)
    ctx = Context((N, K), (), (Constraint.le(Affine.constant(K), Affine.constant(N)),))
    first = derive_sizes(ctx, 2)
    assert first == [{N: 3, K: 2}, {N: 4, K: 3}]  # N ≠ K, both ≥ 2, the second set differs in every size
    _derive.cache_clear()
    assert derive_sizes(ctx, 2) == first
    # assumptions no positive sizes satisfy: a clear error, not a search that gives up
    bad = Context((N, K), (), (Constraint.lt(Affine.constant(N), Affine.constant(K)), Constraint.le(K, 1)))
    with pytest.raises(SymconvError, match="no positive integer sizes satisfy"):
        derive_sizes(bad, 2)


def test_derived_sizes_keep_every_extent_at_least_two():
    """The weight gradient at stride 2, dilation 3: an output of size 1 hides a wrong mode (it did before)."""
    p = theorem("conv_grad_weight_swaps_stride_and_dilation", stride=2, dilation=3, padding=1).prove("instance")
    for c in p.instance_checks:
        n, k = c["sizes"]["N"], c["sizes"]["K"]
        assert (n + 2 - 3 * (k - 1) - 1) // 2 + 1 >= 2  # the forward output, independently
    bad = theorem("conv_grad_weight_swaps_stride_and_dilation", stride=2, dilation=3, padding=1).variant("wrong_mode")
    assert bad.prove("instance").status == "refuted"


def test_random_sizes_fall_back_to_derived_sizes():
    """The replay's random small sizes: where none exist (stride 11 needs N ≥ 12) the derived ones, not an error."""
    part = theorem("correlation_matrix_is_toeplitz", ndim=2, stride=11, dilation=7, padding=64).plan().parts[0][0]
    sizes = random_sizes(part.ctx, np.random.default_rng(0))
    assert _assumptions_hold(part, sizes) and max(sizes.values()) >= 12


# -- hole 6: every false variant is rejected at the default sizes ------------------------------


VARIANTS = [(n, _rich(n, v), v) for n, _ in theorems() for v in variants(n)] + [
    # parameters at which the sizes drawn before hid the variant (a kernel axis of size 1): "proved"
    ("conv_grad_input_is_transposed_conv", {"ndim": 2, "stride": 2, "dilation": 3, "padding": 1}, "flipped_kernel"),
    ("conv_grad_input_is_transposed_conv", {"ndim": 2, "stride": 2, "dilation": 3, "padding": 1}, "not_dilated"),
    ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2, "stride": 2, "dilation": 3, "padding": 1}, "one_axis"),
    (
        "convolve_equals_correlate_iff_centrosymmetric",
        {"ndim": 2, "stride": 2, "dilation": 3, "padding": 1},
        "one_axis",
    ),
]


@pytest.mark.parametrize("method", ["instance", "randomized"])
@pytest.mark.parametrize(("name", "params", "variant"), VARIANTS, ids=[f"{n}-{p}-{v}" for n, p, v in VARIANTS])
def test_every_false_variant_is_rejected_at_the_default_sizes(name, params, variant, method):
    p = theorem(name, **params).variant(variant).prove(method)
    assert p.status == "refuted" and not p.holds, (p.status, p.message, p.instance_checks)
    assert any(not c["holds"] for c in p.instance_checks)


COINCIDING = [
    ("conv_grad_input_is_transposed_conv", {}, "no_stride"),  # stride 1
    ("conv_grad_input_is_transposed_conv", {"stride": 2}, "not_dilated"),  # dilation 1
    ("correlate_grad_input_is_full_convolution", {}, "wrong_channel_transpose"),  # no channels to swap
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": 2, "dilation": 2}, "not_swapped"),  # s = d
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": "s", "dilation": "s"}, "not_swapped"),
    ("convolve_is_correlate_with_flipped_kernel", {}, "one_axis"),  # 1-D: the only axis is every axis
]


@pytest.mark.parametrize("method", ["general", "instance", "randomized"])
@pytest.mark.parametrize(("name", "params", "variant"), COINCIDING, ids=[f"{n}-{v}" for n, _, v in COINCIDING])
def test_a_variant_that_states_the_theorem_coincides(name, params, variant, method):
    p = theorem(name, **params).variant(variant).prove(method)
    assert p.status == "coincides" and not p.holds
    assert "states exactly what the theorem states" in p.message and variant in p.message


@pytest.mark.parametrize(
    ("name", "params", "variant", "sizes"),
    [
        (
            "conv_grad_input_is_transposed_conv",
            {"stride": 2, "dilation": 2, "padding": 1},
            "flipped_kernel",
            ([5], [1]),
        ),
        ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2}, "one_axis", ([6, 5], [3, 1])),
        (
            "correlate_grad_input_is_full_convolution",
            {"in_channels": 1, "out_channels": 1},
            "wrong_channel_transpose",
            None,
        ),
        ("circular_convolution_theorem", {}, "conjugated", ([2], None)),  # ω = −1 is real: conj changes nothing
    ],
)
@pytest.mark.parametrize("method", ["instance", "randomized"])
def test_a_variant_that_holds_at_degenerate_sizes_coincides(name, params, variant, sizes, method):
    kw = {} if sizes is None else {"input_size": sizes[0], "kernel_size": sizes[1]}
    p = theorem(name, **params).variant(variant).prove(method, **kw)
    assert p.status == "coincides" and not p.holds, (p.status, p.message)
    assert "coincides with the theorem" in p.message


def test_coinciding_variant_exits_3_on_the_command_line(capsys):
    argv = ["prove", "conv_grad_input_is_transposed_conv", "--stride", "2", "--dilation", "2", "--padding", "1"]
    argv += ["--variant", "flipped_kernel", "--method", "instance", "--input-size", "5", "--kernel-size", "1"]
    status, out, err = _run(argv, capsys)
    assert status == 3 and not err and "Status: **coincides** (instance)" in out
    status, out, _ = _run(["prove", "conv_grad_input_is_transposed_conv", "--variant", "no_stride", "--json"], capsys)
    d = json.loads(out)
    assert status == 3 and d["status"] == "coincides" and d["holds"] is False
    status, out, _ = _run(["prove", "conv_grad_input_is_transposed_conv", "--variant", "no_stride", "--check"], capsys)
    assert status == 3 and "Replay: skipped" in out
    # the same variant where it differs: refuted, exit 1
    status, out, _ = _run(
        ["prove", "conv_grad_input_is_transposed_conv", "--stride", "2", "--variant", "no_stride"], capsys
    )
    assert status == 1 and "Status: **refuted**" in out


# -- hole 7: valid requests that failed for want of a search -----------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["conv_grad_input_is_transposed_conv", "--ndim", "3", "--stride", "3", "--output-padding", "2"],
        ["conv_grad_input_is_transposed_conv", "--stride", "4", "--output-padding", "3"],
        ["convolve_equals_correlate_iff_centrosymmetric", "--stride", "9", "--dilation", "13", "--padding", "50"],
        ["correlation_matrix_is_toeplitz", "--ndim", "2", "--stride", "11", "--dilation", "7", "--padding", "64"],
    ],
)
def test_valid_requests_with_large_hyper_parameters_are_proved_and_replay(argv, capsys):
    status, out, err = _run(["prove", *argv, "--json", "--check"], capsys)
    assert status == 0, err
    d = json.loads(out)
    assert d["status"] == "proved" and d["check"]["ok"], d["check"]
    name, plan_params = argv[0], {}
    for flag, val in zip(argv[1::2], argv[2::2]):
        plan_params[flag[2:].replace("-", "_")] = int(val)
    parts = {p.title: p for p, _ in theorem(name, **plan_params).plan().parts}
    for c in d["instance_checks"]:  # the completing checks: at sizes that satisfy the assumptions, all ≥ 2
        sizes = {sympy.Symbol(k, integer=True, positive=True): v for k, v in c["sizes"].items()}
        assert c["holds"] and _assumptions_hold(parts[c["part"]], sizes) and min(c["sizes"].values()) >= 2


def test_three_dimensional_associativity_proves_and_replays(capsys):
    status, out, err = _run(["prove", "full_convolution_associates", "--ndim", "3", "--check"], capsys)
    assert status == 0, err
    assert "Status: **proved** (general)" in out and "Replay: ok" in out


@pytest.mark.parametrize("method", ["instance", "randomized"])
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("full_convolution_associates", {"ndim": 2}),
        ("full_convolution_associates", {"ndim": 3}),
        ("conv_grad_weight_swaps_stride_and_dilation", {"ndim": 2, "stride": "s", "dilation": "d", "padding": "p"}),
        ("conv_grad_weight_swaps_stride_and_dilation", {"ndim": 3, "stride": "s", "dilation": "d", "padding": "p"}),
    ],
)
def test_instance_proofs_that_exceeded_the_evaluation_box_hold(name, params, method):
    p = theorem(name, **params).prove(method)
    assert p.status == "proved", p.message
    assert len(p.instance_checks) == 3


def test_exact_evaluation_enumerates_points_not_a_bounding_box():
    """Σ_{i,j} [0 ≤ i, j < 3000] [i = j] x[i]: a box of 9·10⁶ points (refused before), 3000 points once j = i."""
    i, j = Affine.var("i"), Affine.var("j")
    guard = tuple(c for v in (i, j) for c in (Constraint.le(0, v), Constraint.lt(v, 3000)))
    s = Sum(("i", "j"), (*guard, Constraint.eq(i, j)), (Term("x", (i,)), Term("y", (j,))))
    got = values(
        Expr.of(s),
        Context((), (), ()),
        {},
        seed=0,
        arrays={"x": lambda idx: np.ones_like(idx[0]), "y": lambda idx: idx[0]},
    )
    assert got == {(): sum(range(3000))}  # Σ_i 1 · i, independently


# -- cost guards: refused before any work, exit 2, one line --------------------------------------


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (
            ["correlate_grad_input_is_full_convolution", "--method", "instance"]
            + ["--input-size", "1000000000", "--kernel-size", "3"],
            ["at N=1000000000, K=3", "exceeds the limit", "SYMCONV_LIMIT_MEMORY_BYTES", "general method"],
        ),
        (
            ["correlate_grad_input_is_full_convolution", "--method", "randomized"]
            + ["--input-size", "1000000000", "--kernel-size", "3"],
            ["exceeds the limit", "symconv.limits(memory_bytes=...)", "general method"],
        ),
        (
            ["correlate_grad_input_is_full_convolution", "--padding", str(10**20)],
            ["completing the general proof", "exceeds the limit", "ENGINE_TERMS", "`--padding p`"],
        ),
        (
            ["full_convolution_commutes", "--method", "randomized", "--trials", str(10**8)],
            ["100,000,000 random trials exceeds the limit of 10,000", "SYMCONV_LIMIT_TRIALS", "method='instance'"],
        ),
        (
            ["circular_convolution_theorem", "--method", "instance", "--input-size", "1000"],
            ["input size [1000]", "exceeds the limit", "smaller sizes"],
        ),
        (
            ["circular_correlation_theorem", "--ndim", "2", "--input-size", "30,30", "--method", "randomized"],
            ["input size [30, 30]", "exceeds the limit"],
        ),
        (
            ["circular_convolution_theorem", "--method", "instance", "--input-size", "8", "--kernel-size", "3"],
            ["the kernel of a circular theorem has the input's size", "kernel_size=[3]"],
        ),
        (["circular_convolution_theorem", "--variant", ""], ["`variant` must be one of ['conjugated']; got ''"]),
        (["full_convolution_commutes", "--variant", ""], ["`variant` must be one of ['correlation']; got ''"]),
    ],
)
def test_costly_or_malformed_prove_requests_exit_2_with_one_line(argv, needles, capsys):
    status, out, err = _run(["prove", *argv], capsys)
    assert status == 2 and not out
    assert err.startswith("symconv: error: ") and err.count("\n") == 1 and "Traceback" not in err
    for needle in needles:
        assert needle in err, err


def test_cost_guards_follow_the_limits():
    """The same request passes under a raised limit and is refused under a lowered one (nothing hard-wired)."""
    from symconv.core.limits import limits

    t = theorem("full_convolution_commutes")
    with limits(trials=2), pytest.raises(SymconvError, match="3 random trials exceeds the limit of 2"):
        t.prove("randomized")
    with limits(engine_terms=10), pytest.raises(SymconvError, match="terms exceeds the limit of 10"):
        t.prove("instance", input_size=[6], kernel_size=[3])
    # the Iverson expansion guards each enumeration before allocating it
    with limits(memory_bytes=1000), pytest.raises(SymconvError, match="exact evaluation of an Iverson sum"):
        theorem("full_convolution_associates", ndim=2).prove("instance")
    assert t.prove("instance", input_size=[6], kernel_size=[3]).holds


def test_guards_refuse_in_a_real_process_without_traceback():
    argv = ["prove", "correlation_matrix_is_toeplitz", "--padding", str(10**20), "--check"]
    res = subprocess.run(
        [sys.executable, "-m", "symconv", *argv], capture_output=True, text=True, check=False, timeout=300
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr and "exceeds the limit" in res.stderr
