"""A symbolic output padding ``a`` for the strided input gradient (issue 13: the transposed convolution proved
for every N, not only for the N whose output padding is 0).

``output_padding="a"`` stands for every ``1 ≤ a < s`` (a symbolic parameter is ≥ 1), tied to N by
``(N + 2p − d(K−1) − 1) mod s = a``; with the ``output_padding=0`` proof it covers every N. The oracle
here is a plain loop over the forward's windows, independent of symconv's formula.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles.guarded import table

from symconv import Certificate, SymconvError, theorem
from symconv.proofs._evaluate import values
from symconv.proofs._serial import param_symbol

NAME = "conv_grad_input_is_transposed_conv"
SYMBOLIC = {"stride": "s", "dilation": "d", "output_padding": "a"}
PADDED = {"stride": "s", "dilation": "d", "padding": "p", "output_padding": "a"}


def _grad_x(x_len: int, w: np.ndarray, g: np.ndarray, s: int, d: int, p: int) -> list[int]:
    """∂L/∂x of L = Σ g·y, y[n] = Σ_k x[s n + d k − p] w[k] (zero padding): a loop over the windows."""
    out = [0] * x_len
    for n in range(len(g)):
        for k in range(len(w)):
            i = s * n + d * k - p
            if 0 <= i < x_len:
                out[i] += int(g[n]) * int(w[k])
    return out


@pytest.mark.parametrize("params", [SYMBOLIC, PADDED, {"stride": 3, "dilation": 2, "output_padding": "a"}])
def test_a_symbolic_output_padding_is_proved_and_replays(params):
    proof = theorem(NAME, **params).prove()
    assert proof.status == "proved" and proof.method == "general"
    assert proof.check().ok
    stride = params["stride"]
    pad = " + 2p" if params.get("padding") else ""  # the remainder names p only when the proof has a padding
    dil = {"d": "d", 2: "2"}[params["dilation"]] if "dilation" in params else ""
    rem = f"N{pad} − {dil}(K−1) − 1"
    assert proof.not_covered.startswith(f"N with ({rem}) mod {stride} = 0 (a symbolic output_padding a"), rem


def test_a_symbolic_output_padding_in_2d_is_proved():
    proof = theorem(NAME, ndim=2, stride="s", output_padding="a").prove()
    assert proof.holds and proof.check().ok


_PLANS = {op: theorem(NAME, stride="s", dilation="d", padding="p", output_padding=op).plan() for op in (0, "a")}


@settings(max_examples=30, deadline=None)
@given(
    s=st.integers(1, 4),
    d=st.integers(1, 3),
    p=st.integers(1, 2),
    k=st.integers(1, 3),
    extra=st.integers(0, 7),
    seed=st.integers(0, 2**16),
)
def test_output_padding_0_and_symbolic_a_together_cover_every_N(s, d, p, k, extra, seed):
    """Every N meets the assumptions of exactly one of the two statements, and both of its sides are the gradient."""
    rng = np.random.default_rng(seed)
    n = max(1, d * (k - 1) + 1 - 2 * p) + extra
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    op = (n + 2 * p - d * (k - 1) - 1) % s
    x_len = n
    w, g = rng.integers(-3, 4, k), rng.integers(-3, 4, out)
    want = _grad_x(x_len, w, g, s, d, p)
    sizes = {param_symbol(a): v for a, v in {"N": n, "K": k, "s": s, "d": d, "p": p}.items()}
    if op:
        sizes[param_symbol("a")] = op
    part = _PLANS["a" if op else 0].parts[0][0]
    arrays = {"x": table(np.zeros(n, dtype=np.int64)), "w": table(w), "g": table(g)}
    for side in (part.lhs, part.rhs):
        got = values(side, part.ctx, sizes, 0, arrays)
        assert [got[(m,)] for m in range(n)] == want


@pytest.mark.parametrize(
    "params", [SYMBOLIC, PADDED, {"stride": 2, "output_padding": "a"}, {"stride": 2, "output_padding": 1}]
)
def test_padding_put_at_the_start_is_refused(params):
    """A claim wrong only when the output padding is not 0: the padding before the first position."""
    bad = theorem(NAME, **params).variant("output_padding_first").prove()
    assert not bad.holds and bad.status == "refuted"


def test_padding_put_at_the_start_coincides_at_output_padding_0():
    assert theorem(NAME, stride="s", dilation="d").variant("output_padding_first").prove().status == "coincides"


def test_a_symbolic_output_padding_needs_a_stride_above_1():
    with pytest.raises(SymconvError, match=r"symbolic `output_padding` .* smaller than `stride`.*got stride=1"):
        theorem(NAME, output_padding="a").prove()


def test_a_symbolic_output_padding_must_be_a_name():
    with pytest.raises(SymconvError, match="symbolic `output_padding` must be a letter"):
        theorem(NAME, stride="s", output_padding="k")


# -- forgeries: a certificate of the symbolic-a proof, edited --------------------------------------------


@pytest.fixture(scope="module")
def cert() -> dict:
    return theorem(NAME, **SYMBOLIC).prove().certificate.data


def _check(data: dict):
    return Certificate(copy.deepcopy(data)).check()


def test_the_certificate_replays(cert):
    assert _check(cert).ok


def test_a_forged_not_covered_is_refused(cert):
    assert not _check({**cert, "not_covered": "—"}).ok


def test_the_steps_of_a_symbolic_a_under_output_padding_0_are_refused(cert):
    """The same steps claimed for output_padding 0 (or another name): the rebuilt statement differs."""
    for op in (0, 1, "b"):
        assert not _check({**cert, "params": {**cert["params"], "output_padding": op}}).ok


def test_dropping_the_range_of_a_is_refused(cert):
    """Without ``a < s`` (or without the tie of a to N) the context is not the library's."""
    for drop in (-1, -2):
        data = copy.deepcopy(cert)
        del data["parts"][0]["ctx"]["context"]["assumptions"][drop]
        assert not _check(data).ok


def test_a_wider_range_of_a_is_refused(cert):
    """``a ≤ s`` in place of ``a < s``: a statement about another range."""
    data = copy.deepcopy(cert)
    rng = data["parts"][0]["ctx"]["context"]["assumptions"][-1]
    rng["e"]["k"]["add"] = [a for a in rng["e"]["k"]["add"] if a != {"i": -1}]
    assert not _check(data).ok


@pytest.mark.parametrize("op", [1, "a"])
def test_in_2d_the_gap_names_remainders_that_differ_between_axes(op):
    """One output_padding serves every axis: N = (7, 8) at stride 2, K = 3 (remainders 0 and 1) fits no proof."""
    proof = theorem(NAME, ndim=2, stride=2, output_padding=op).prove()
    assert proof.holds and "remainders differ between axes" in proof.not_covered
    assert "differ between axes" not in theorem(NAME, stride=2, output_padding=op).prove().not_covered
