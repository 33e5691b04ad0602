"""Standing adversarial suite, part 1 (issue 8): generated FALSE claims, each rejected by EVERY method.

Two families, both decided FALSE by an independent oracle before they count:

* the library's false variants (``theorem(name, **params).variant(v)``) over
  parameter grids — ndim 1–3, stride, dilation, padding, channels, groups,
  output_padding;
* systematic perturbations of every theorem part whose sides are contractions
  of the one definition (:mod:`claim_mutants`): one index map shifted
  (off-by-one, padding side), scaled (stride, dilation) or negated, one operand
  flipped or conjugated, two operands exchanged, two axes transposed (channel
  transposes), a loop extent or the claimed result size changed (modes,
  output_padding), the result read one off or flipped, the claim doubled or
  negated, a symmetry hypothesis or a size assumption dropped.

The oracle (:mod:`claim_oracle`) evaluates both sides with its own numpy loops
on random Gaussian-integer arrays at GENERIC sizes (every size ≥ 2, unequal
along axes, drawn from the statement's own assumptions); a perturbation that
coincides with the theorem there is not counted. Then ``prove("general")``,
``prove("instance")`` and ``prove("randomized")`` — the library's own paths,
default sizes and seeds, as a user calls them — must each reject the claim.
A case some method ACCEPTS is a real bug: it stays here, marked
``xfail(strict=True)`` with what happened (see ``KNOWN``).
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

import adversarial_counts
import numpy as np
import pytest
from claim_mutants import Mutant, Mutation, candidates, mutated_sides
from oracles import claim_oracle as oracle

from symconv import SymconvError, theorems
from symconv.proofs._theorem import Theorem

METHODS = ("general", "instance", "randomized")

CGI = "correlate_grad_input_is_full_convolution"
VGI = "convolve_grad_input_is_full_correlation"
TGI = "conv_grad_input_is_transposed_conv"
CGW = "correlate_grad_weight_is_valid_correlation"
VGW = "convolve_grad_weight_is_flipped_valid_correlation"
SGW = "conv_grad_weight_swaps_stride_and_dilation"
FLIP = "convolve_is_correlate_with_flipped_kernel"
CENTRO = "convolve_equals_correlate_iff_centrosymmetric"
ANTI = "convolve_equals_minus_correlate_iff_anticentrosymmetric"
ADJ = "correlate_adjoint_is_full_convolution"
COMM = "full_convolution_commutes"
ASSOC = "full_convolution_associates"
SWAP = "full_correlation_swap_is_flip"
TOEP = "correlation_matrix_is_toeplitz"
CIRC = "circular_convolution_theorem"
CIRC_CORR = "circular_correlation_theorem"

# -- parameter grids for the library's variants ----------------------------------------------------

#: Full-convolution gradients, the adjoint and the valid weight gradients (padding, channels, groups).
GRID_PAD = [
    {},
    {"padding": 2},
    {"ndim": 2, "padding": 1},
    {"in_channels": 2, "out_channels": 3, "padding": 1},
    {"in_channels": 4, "out_channels": 6, "groups": 2},
]
GRID_PAD_3D = [*GRID_PAD, {"ndim": 3}]
#: Stride, dilation, padding, channels, groups.
GRID_CONV = [
    {},
    {"stride": 2, "dilation": 3, "padding": 1},
    {"stride": 3, "dilation": 2, "padding": 2},
    {"ndim": 2, "stride": 2, "dilation": 2},
    {"ndim": 3, "padding": 1},
    {"in_channels": 4, "out_channels": 6, "groups": 2, "stride": 2},
    {"in_channels": 2, "out_channels": 2, "dilation": 2, "padding": 1},
]
#: The transposed-convolution theorem: output_padding < stride.
GRID_TRANSPOSED = [
    {"stride": 2, "output_padding": 1},
    {"stride": 3, "dilation": 2, "padding": 1, "output_padding": 2},
    {"dilation": 2, "padding": 1},
    {"ndim": 2, "stride": 2, "dilation": 2},
    {"in_channels": 4, "out_channels": 2, "groups": 2, "stride": 2, "output_padding": 1},
    {"in_channels": 2, "out_channels": 3, "stride": 3, "dilation": 2},
]
GRID_ND = [{}, {"ndim": 2}, {"ndim": 3}]
#: The same without 3-D where a 3-D proof takes seconds (the circular theorems at their default sizes: minutes).
GRID_CONV_2D = [p for p in GRID_CONV if p.get("ndim", 1) < 3]
#: ... and for the centro-symmetry theorems (their "only if" rank grows fast with channels) without 4 → 6 channels.
GRID_SYM = [p for p in GRID_CONV_2D if p.get("in_channels") != 4]
GRID_ND_2D = [{}, {"ndim": 2}]

GRIDS = {
    CGI: GRID_PAD_3D,
    VGI: GRID_PAD,
    ADJ: GRID_PAD,
    CGW: GRID_PAD_3D,
    VGW: GRID_PAD,
    TGI: GRID_TRANSPOSED,
    SGW: GRID_CONV,
    FLIP: GRID_CONV,
    CENTRO: GRID_SYM,
    ANTI: GRID_SYM,
    TOEP: GRID_CONV_2D,
    COMM: GRID_ND,
    SWAP: GRID_ND,
    ASSOC: GRID_ND,
    CIRC: GRID_ND_2D,
    CIRC_CORR: GRID_ND_2D,
}

# -- the bases whose claims are perturbed ------------------------------------------------------------------------

#: (theorem, parameters, how many false perturbations to keep): many of the cheap 1-D claims, fewer of the
#: multi-channel and 2-D ones (a 2-D proof costs about three 1-D ones; the suite must stay fast).
BASES = [
    (CGI, {}, 14),
    (CGI, {"padding": 2}, 14),
    (CGI, {"in_channels": 4, "out_channels": 6, "groups": 2, "padding": 1}, 12),
    (CGI, {"ndim": 2, "padding": 1}, 7),
    (VGI, {"padding": 1}, 14),
    (VGI, {"padding": 2, "in_channels": 2, "out_channels": 2}, 12),
    (VGI, {"in_channels": 2, "out_channels": 3}, 12),
    (TGI, {"stride": 2, "output_padding": 1}, 14),
    (TGI, {"stride": 3, "dilation": 2, "padding": 1, "output_padding": 2}, 14),
    (TGI, {"dilation": 3, "padding": 2}, 10),
    (TGI, {"in_channels": 4, "out_channels": 2, "groups": 2, "stride": 2, "dilation": 2}, 7),
    (TGI, {"ndim": 2, "stride": 2, "padding": 1}, 6),
    (CGW, {"padding": 1}, 14),
    (CGW, {"in_channels": 4, "out_channels": 6, "groups": 2}, 7),
    (VGW, {}, 14),
    (VGW, {"padding": 2}, 14),
    (VGW, {"ndim": 2, "padding": 1}, 6),
    (SGW, {"stride": 2, "dilation": 3}, 14),
    (SGW, {"stride": 3, "padding": 1}, 14),
    (SGW, {"stride": 3, "dilation": 2, "padding": 2, "in_channels": 2, "out_channels": 4, "groups": 2}, 7),
    (FLIP, {"stride": 2, "dilation": 2, "padding": 1}, 14),
    (FLIP, {"in_channels": 2, "out_channels": 2, "stride": 2}, 7),
    (CENTRO, {}, 8),
    (CENTRO, {"stride": 2, "dilation": 2, "padding": 1}, 7),
    (ANTI, {"padding": 1}, 8),
    (ADJ, {"padding": 1}, 14),
    (ADJ, {"in_channels": 4, "out_channels": 6, "groups": 2}, 7),
    (COMM, {}, 14),
    (COMM, {"ndim": 2}, 6),
    (SWAP, {}, 14),
    (SWAP, {"ndim": 2}, 6),
    (TOEP, {"stride": 2, "dilation": 2}, 8),
    (TOEP, {"padding": 1, "in_channels": 2, "out_channels": 2}, 6),
]


def _short(params: dict[str, Any]) -> str:
    keys = {"ndim": "nd", "stride": "s", "dilation": "d", "padding": "p", "output_padding": "op", "groups": "g"}
    out = [f"{keys[k]}{v}" for k, v in params.items() if k in keys]
    if "in_channels" in params:
        out.append(f"c{params['in_channels']}.{params['out_channels']}")
    return ",".join(out) or "-"


@dataclass(frozen=True)
class Case:
    """One false claim: a library variant or a perturbation, with the oracle's witness that it is false."""

    family: str  # "variant" or "perturbation"
    name: str
    params: dict[str, Any]
    variant: str | None
    mutation: Mutation | None
    witness: str

    @property
    def id(self) -> str:
        what = self.variant if self.mutation is None else f"{self.mutation.op}{self.mutation.args}".replace(" ", "")
        part = "" if self.mutation is None or self.mutation.part == 0 else f"part{self.mutation.part}:"
        return f"{self.name}[{_short(self.params)}]:{part}{what}"

    def why_false(self) -> str:
        """The oracle's witness (computed once per case)."""
        return self.witness or _variant_witness_cached(self.name, tuple(sorted(self.params.items())), self.variant)

    @property
    def claim(self) -> str:
        if self.mutation is None:
            return f"{self.name}({self.params}) variant {self.variant!r}"
        return f"{self.name}({self.params}) with {self.mutation.label}"

    def theorem(self) -> Theorem:
        if self.mutation is None:
            return Theorem(self.name, dict(self.params), self.variant)
        return Mutant(self.name, dict(self.params), None, self.mutation)


# -- the oracle's verdict on a library variant --------------------------------------------------------------------


@functools.cache
def _variant_witness_cached(name: str, params: tuple[tuple[str, Any], ...], variant: str) -> str:
    w = _variant_witness(name, dict(params), variant)
    assert w, f"the oracle finds {name}({dict(params)}) variant {variant!r} TRUE at generic sizes: not a false claim"
    return w


def _variant_witness(name: str, params: dict[str, Any], variant: str, seed: int = 0) -> str | None:
    """Where the variant is false at generic sizes (independently of symconv's provers), or None."""
    plan = Theorem(name, dict(params), variant).plan()
    nd = int(params.get("ndim", 1))
    if name in (CIRC, CIRC_CORR):
        for n in ([3], [4], [5]) if nd == 1 else ([3, 4], [4, 3]) if nd == 2 else ([3, 4, 5],):
            if oracle.circular_differs(name == CIRC_CORR, n, seed):
                return f"circular sums differ at N={n}"
        return None
    if name == ASSOC:
        for sizes in ([[3] * nd, [2] * nd, [4] * nd], [[2] * nd, [4] * nd, [3] * nd]):
            if oracle.associativity_differs(variant, sizes, seed):
                return f"((a∗b)∗c) ≠ (a∗(b∗c)) at A, B, C = {sizes}"
        return None
    for part, _ in plan.parts:
        recipe = plan.recipes.get(part.title)
        if part.relation == "⇒":
            sign = 1 if name == CENTRO else -1
            for sizes in oracle.generic_sizes(part.ctx, seed):
                ks = [sizes[k] for k in plan.size_params["kernel"]]
                if oracle.forced_symmetry_fails(part.rhs, sign, ks, sizes, seed):
                    return f"{part.title}: a w symmetric on its kernel violates the claimed symmetry at {sizes}"
        elif recipe is not None:
            d = oracle.differs(part.ctx, recipe.lhs, recipe.rhs, seed)
            if d:
                return f"{part.title}: {d}"
        elif name == ADJ and variant == "off_by_one":
            for sizes in oracle.generic_sizes(part.ctx, seed):
                n = [sizes[s] for s in plan.size_params["input"]]
                k = [sizes[s] for s in plan.size_params["kernel"]]
                if oracle.adjoint_pairing_off_by_one_differs(params, n, k, seed):
                    return f"{part.title}: the pairings differ at N={n}, K={k} (reference layers)"
        else:
            raise AssertionError(f"no oracle for {name}[{variant}] part {part.title!r}")
    return None


def coincides(name: str, params: dict[str, Any], variant: str) -> bool:
    """Where a library variant is, by construction, the theorem itself (so not a false claim to count)."""
    s, d = params.get("stride", 1), params.get("dilation", 1)
    return (
        (variant == "one_axis" and params.get("ndim", 1) == 1)
        or (variant == "wrong_channel_transpose" and "in_channels" not in params)
        or (variant == "no_stride" and s == 1)
        or (variant == "not_dilated" and d == 1)
        or (variant == "not_swapped" and s == d)
        or (variant == "output_padding_first" and params.get("output_padding", 0) == 0)
    )


def _library_cases() -> tuple[list[Case], int]:
    """Every variant × its theorem's grid, except where it coincides with the theorem; the oracle's verdict that
    each is false is taken (and asserted) when the case runs."""
    cases: list[Case] = []
    coincide = 0
    for name, _ in theorems():
        for variant in Theorem(name, {}).variants:
            for params in GRIDS[name]:
                if coincides(name, params, variant):
                    coincide += 1
                    continue
                cases.append(Case("variant", name, dict(params), variant, None, ""))
    return cases, coincide


def _round_robin(cands: list[Mutation], seed: int) -> list[Mutation]:
    rnd = random.Random(seed)
    groups: dict[str, list[Mutation]] = {}
    for m in cands:
        groups.setdefault(m.op, []).append(m)
    for g in groups.values():
        rnd.shuffle(g)
    order = sorted(groups)
    rnd.shuffle(order)
    out: list[Mutation] = []
    while any(groups.values()):
        for op in order:
            if groups[op]:
                out.append(groups[op].pop())
    return out


def _generated_cases() -> tuple[list[Case], int]:
    cases: list[Case] = []
    coincide = 0
    for b, (name, params, keep) in enumerate(BASES):
        plan = Theorem(name, dict(params)).plan()
        kept = 0
        for m in _round_robin(candidates(plan), seed=1000 + b):
            ctx, lhs, rhs = mutated_sides(plan, m)
            d = oracle.differs(ctx, lhs, rhs, seed=b)
            if d is None:
                coincide += 1
                continue
            cases.append(Case("perturbation", name, dict(params), None, m, f"{plan.parts[m.part][0].title}: {d}"))
            kept += 1
            if kept == keep:
                break
    return cases, coincide


LIBRARY, LIBRARY_COINCIDE = _library_cases()
GENERATED, GENERATED_COINCIDE = _generated_cases()
CASES = LIBRARY + GENERATED

#: (case id, method) -> what happened: a false claim ACCEPTED by that method (a real bug, issue 8).
KNOWN: dict[tuple[str, str], str] = {}
#: (case id, method) -> why the method raises instead of giving a verdict (the methods then disagree).
KNOWN_RAISES: dict[tuple[str, str], str] = {}

#: What each case did this run: (family, theorem, method, outcome), outcome "rejected", "ACCEPTED" or "raised".
RESULTS: list[tuple[str, str, str, str]] = []


def _summary() -> list[str]:
    if not RESULTS:
        return []
    per = {m: Counter(o for _, _, meth, o in RESULTS if meth == m) for m in METHODS}
    most = max(METHODS, key=lambda m: sum(per[m].values()))  # the method that ran most (all three, normally)
    fams = Counter(f for f, _, m, _ in RESULTS if m == most)
    names = {n for _, n, _, _ in RESULTS}
    verdicts = "; ".join(
        f"{m} {c['rejected']}/{sum(c.values())} rejected"
        + "".join(f", {c[o]} {o}" for o in ("ACCEPTED", "raised") if c[o])
        for m, c in per.items()
        if c
    )
    bad = sum(c["ACCEPTED"] + c["raised"] for c in per.values())
    return [
        f"{len(CASES)} false claims generated and decided false by the independent oracle "
        f"({len(LIBRARY)} library variants × parameter sets, {len(GENERATED)} perturbations of {len(BASES)} claims); "
        f"{LIBRARY_COINCIDE + GENERATED_COINCIDE} coincide with their theorem and are not counted",
        f"checked this run: {sum(fams.values())} claims over {len(names)} theorems ({dict(fams)}); "
        f"verdicts: {verdicts}",
        f"known bugs (xfail strict, listed in KNOWN / KNOWN_RAISES): {bad} verdicts" if bad else "known bugs: none",
    ]


@pytest.fixture(scope="session", autouse=True)
def _counts(request):
    yield
    adversarial_counts.report(request.config, "adversarial suite: false claims", _summary())


def _params() -> list[Any]:
    out = []
    for case in CASES:
        for method in METHODS:
            marks = []
            if (case.id, method) in KNOWN:
                marks = [pytest.mark.xfail(strict=True, reason=KNOWN[case.id, method])]
            if (case.id, method) in KNOWN_RAISES:
                reason = KNOWN_RAISES[case.id, method]
                marks = [pytest.mark.xfail(strict=True, raises=SymconvError, reason=reason)]
            out.append(pytest.param(case, method, id=f"{case.id}-{method}", marks=marks))
    return out


@pytest.mark.parametrize(("case", "method"), _params())
def test_false_claim_is_rejected(case: Case, method: str) -> None:
    witness = case.why_false()  # the independent oracle: false at generic sizes
    try:
        proof = case.theorem().prove(method)
    except Exception:
        RESULTS.append((case.family, case.name, method, "raised"))
        raise
    rejected = not proof.holds
    RESULTS.append((case.family, case.name, method, "rejected" if rejected else "ACCEPTED"))
    assert rejected, (
        f"{method} ACCEPTED a false claim: {case.claim}; oracle: {witness}; "
        f"status {proof.status}; checks {proof.instance_checks}"
    )


# -- the suite itself: large enough, covering, and able to fail ---------------------------------------------------


def test_the_suite_has_500_false_claims_over_every_theorem_and_every_kind_of_perturbation():
    assert len(CASES) >= 500, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES), "case ids are unique"
    assert {c.name for c in CASES} == {n for n, _ in theorems()}
    kinds = {c.mutation.op for c in GENERATED if c.mutation}
    assert kinds >= {
        "shift",
        "scale",
        "negate",
        "flip",
        "conj",
        "transpose",
        "exchange",
        "extent",
        "rshape",
        "at",
        "atflip",
        "coef",
        "drop_hypothesis",
    }, kinds
    for name, _ in theorems():
        assert {v for c in LIBRARY if c.name == name for v in [c.variant]} == set(Theorem(name, {}).variants), name
    assert {int(c.params.get("ndim", 1)) for c in CASES} == {1, 2, 3}
    for key in ("stride", "dilation", "padding", "groups", "output_padding", "in_channels"):
        assert any(key in c.params for c in CASES), key


def test_unperturbed_claims_agree_with_the_oracle():
    """The control of the oracle: every claim rebuilt from its recipe WITHOUT a perturbation equals its definition
    side at generic sizes (so a difference found above is the perturbation's)."""
    for name, params, _ in BASES:
        plan = Theorem(name, dict(params)).plan()
        for part, _ in plan.parts:
            recipe = plan.recipes.get(part.title)
            if recipe is not None and part.relation == "=":
                assert oracle.differs(part.ctx, recipe.lhs, recipe.rhs, seed=3) is None, (name, params, part.title)


#: The first base of every theorem, and its first with channels: the unperturbed claims the methods must prove.
CONTROLS = list({(name, "in_channels" in params): (name, params) for name, params, _ in reversed(BASES)}.values())[::-1]


@pytest.mark.parametrize(("name", "params"), CONTROLS, ids=[f"{n}[{_short(p)}]" for n, p in CONTROLS])
def test_unperturbed_claims_are_proved_by_every_method(name, params):
    """The control of the rebuilding: without a perturbation the rebuilt claim is proved by all three methods — so
    a rejection above is about the perturbation, not about how the claim is rebuilt."""
    for method in METHODS:
        p = Mutant(name, dict(params), None, None).prove(method)
        assert p.holds, (method, p.status, p.message)


def test_the_oracle_evaluates_the_definition_like_the_reference_layers():
    """Anchor: the oracle's value of the input and weight gradients (the definition sides, read from the index data)
    equals the plain-loop reference layer of tests/reference_conv.py differentiated exactly (∂/∂z of Σ g·layer)."""
    from oracles.reference_conv import conv_layer, linear_grad

    anchors = [
        (TGI, {"stride": 2, "dilation": 2, "padding": 1, "output_padding": 1}),
        (TGI, {"in_channels": 4, "out_channels": 2, "groups": 2, "stride": 3, "padding": 1}),
        (SGW, {"stride": 3, "dilation": 2, "padding": 2, "in_channels": 2, "out_channels": 4, "groups": 2}),
        (CGW, {"ndim": 2, "padding": 1}),
    ]
    for name, params in anchors:
        plan = Theorem(name, dict(params)).plan()
        part = plan.parts[0][0]
        recipe = plan.recipes[part.title]
        (sizes,) = oracle.generic_sizes(part.ctx, 5, count=1)
        n = [sizes[v] for v in plan.size_params["input"]]
        k = [sizes[v] for v in plan.size_params["kernel"]]
        nd, groups = len(n), int(params.get("groups", 1))
        cin, cout = int(params.get("in_channels", 1)), int(params.get("out_channels", 1))
        s, d, p = (int(params.get(a, b)) for a, b in (("stride", 1), ("dilation", 1), ("padding", 0)))

        def layer(x_, w_, s=s, d=d, p=p, nd=nd, groups=groups):
            return conv_layer(x_, w_, stride=(s,) * nd, dilation=(d,) * nd, pad=[(p, p)] * nd, groups=groups)

        x = oracle.dense("x", 1, (1, cin, *n))
        w = oracle.dense("w", 1, (cout, cin // groups, *k))
        g = oracle.dense("g", 1, layer(x, w).shape)
        if name == TGI:
            want = linear_grad(lambda z, w=w, g=g, layer=layer: layer(z, w), x.shape, g)[0]
        else:
            want = linear_grad(lambda z, x=x, g=g, layer=layer: layer(x, z), w.shape, g)
        channels = "in_channels" in params
        lead = (0,) if channels else (0, 0)  # no channel axes: the statement's arrays are the spatial slices
        arrays = {
            "x": oracle.from_dense(x[lead]),
            "g": oracle.from_dense(g[lead]),
            "w": oracle.from_dense(w if channels else w[0, 0]),
        }
        got = oracle.side_values(recipe.lhs, part.ctx.free, oracle.free_box(part.ctx, sizes), sizes, arrays)
        want = want if channels else want[0] if name == TGI else want[0, 0]
        assert np.array_equal(got, want.astype(complex)), (name, params)
