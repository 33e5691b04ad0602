"""symconv.testing: strategies draw what they promise; assertions pass on right code and fail, readably,
on wrong code. The oracles (tests/oracles: plain loops, numpy) are independent of symconv's definition."""

from __future__ import annotations

import re

import numpy as np
import peers
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles.reference_conv import conv_layer, linear_grad, out_size

import symconv
from symconv import SymconvError
from symconv.testing import (
    assert_backward_rule,
    assert_identity,
    centrosymmetric_kernels,
    conv_params,
    kernels,
    signals,
    symmetric_kernels,
)

# -- assert_identity ----------------------------------------------------------------


def test_assert_identity_passes_on_equal_values_of_any_array_kind():
    x, w = symconv.symbols("x", 5), symconv.symbols("w", 3)
    assert assert_identity(symconv.correlate(x, w), symconv.convolve(x, w.flip())) is None
    assert_identity(np.convolve([1, 2, 3], [1, -1]), [1, 1, 1, -3])
    assert_identity(symconv.asarray([sympy.Rational(1, 2)]), [sympy.Rational(2, 4)])
    assert_identity(2 * (x + 1), 2 * x + 2)  # equal after expansion, not structurally


def test_assert_identity_names_the_first_differing_entry_and_counts():
    with pytest.raises(AssertionError, match=r"differ at 1 of 4 entries; the first is index \(2,\): left 3, right 4"):
        assert_identity([1, 2, 3, 4], [1, 2, 4, 4])
    with pytest.raises(AssertionError, match=r"^mine: the two sides have different shapes: left \(2,\), right \(3,\)"):
        assert_identity([1, 2], [1, 2, 3], msg="mine")
    with pytest.raises(AssertionError, match=r"index \(1, 0\)"):
        assert_identity([[1, 2], [3, 4]], [[1, 2], [0, 4]])


def test_assert_identity_is_exact_no_tolerance():
    with pytest.raises(AssertionError):
        assert_identity([sympy.Rational(1, 3)], [sympy.Rational(1, 3) + sympy.Rational(1, 10**30)])


def test_the_seeds_kernel_is_not_symmetric():
    """The seed's numpy snippet uses h2 = [-1, 2, 1]: correlation and convolution differ."""
    x = [3, 1, 4, 1, 5]
    with pytest.raises(AssertionError, match="differ at 6 of 7 entries"):
        assert_identity(np.correlate(x, [-1, 2, 1], "full"), np.convolve(x, [-1, 2, 1]))
    assert_identity(np.correlate(x, [-1, 2, -1], "full"), np.convolve(x, [-1, 2, -1]))


@settings(max_examples=50, deadline=None)
@given(signals(ndim=2, max_size=5), st.data())
def test_assert_identity_finds_any_single_change(a, data):
    assert_identity(a, a.copy())
    index = tuple(data.draw(st.integers(0, n - 1)) for n in a.shape)
    b = a.copy()
    b[index] += data.draw(st.sampled_from([-2, -1, 1, 2]))
    where = re.escape(str(index))
    with pytest.raises(AssertionError, match=rf"differ at 1 of {a.size} entries; the first is index {where}"):
        assert_identity(a, b)


# -- strategies ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(signals(ndim=3, min_size=2, max_size=4))
def test_signals_have_the_requested_shapes(a):
    assert a.ndim == 3 and all(2 <= n <= 4 for n in a.shape) and a.dtype.kind == "i"


@settings(max_examples=60, deadline=None)
@given(kernels(ndim=2, elements=st.integers(0, 1)))
def test_kernels_use_the_given_elements(w):
    assert set(np.unique(w)) <= {0, 1} and all(1 <= n <= 5 for n in w.shape)


@settings(max_examples=60, deadline=None)
@given(centrosymmetric_kernels(ndim=2), signals(ndim=2, min_size=5, max_size=7))
def test_centrosymmetric_kernels_make_correlation_and_convolution_agree(w, x):
    assert (w == w[::-1, ::-1]).all()
    xs, ws = symconv.asarray(x), symconv.asarray(w)
    assert symconv.correlate(xs, ws) == symconv.convolve(xs, ws)


@settings(max_examples=60, deadline=None)
@given(centrosymmetric_kernels(ndim=1, anti=True), signals(ndim=1, min_size=5))
def test_anticentrosymmetric_kernels_negate(w, x):
    assert (w == -w[::-1]).all()
    assert_identity(np.correlate(x, w, "full"), -np.convolve(x, w))  # numpy, not symconv


@settings(max_examples=60, deadline=None)
@given(symmetric_kernels(ndim=2, min_size=2, max_size=3))
def test_symmetric_kernels_equal_their_transpose(w):
    assert (w == w.T).all()


def test_a_symmetric_2d_kernel_need_not_make_the_operations_agree():
    """The N-D point of the seed: symmetric (w = wᵀ) is not centrosymmetric."""
    from hypothesis import find

    x = np.arange(16).reshape(4, 4)

    def differ(w):
        return symconv.correlate(x, w) != symconv.convolve(x, w)

    w = find(symmetric_kernels(ndim=2, min_size=2, max_size=2), differ)
    assert (w == w.T).all() and not (w == w[::-1, ::-1]).all()


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_conv_params_are_valid_for_the_independent_layer(data):
    n = data.draw(st.tuples(st.integers(1, 6), st.integers(1, 6)))
    k = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    if any(nn + 4 < kk for nn, kk in zip(n, k)):
        return
    p = data.draw(conv_params(n, k, in_channels=4, out_channels=6))
    assert 6 % p["groups"] == 0 and 4 % p["groups"] == 0
    outs = [out_size(n[i], k[i], p["stride"][i], p["dilation"][i], p["padding"][i], p["padding"][i]) for i in range(2)]
    assert min(outs) >= 1


def test_strategies_refuse_bad_arguments():
    for call, match in [
        (lambda: signals(ndim=0), "`ndim`"),
        (lambda: signals(min_size=3, max_size=2), "`max_size`"),
        (lambda: signals(ndim=3, max_size=1000), "10\\^6"),
        (lambda: kernels(elements=[1, 2]), "`elements` must be a Hypothesis strategy"),
        (lambda: centrosymmetric_kernels(anti="yes"), "`anti`"),
        (lambda: conv_params((3, 3), (2,)), "one entry per axis"),
        (lambda: conv_params(2, 9, max_padding=0), "no stride/dilation/padding"),
    ]:
        with pytest.raises(SymconvError, match=match):
            st_ = call()
            st_.example()


# -- assert_backward_rule -------------------------------------------------------------


def _oracle_layer(stride, dilation, padding, groups):
    pad = [(p, p) for p in padding]

    def forward(x, w):
        return conv_layer(x, w, stride=stride, dilation=dilation, pad=pad, groups=groups).astype(float)

    def backward(x, w, g):
        dx = linear_grad(
            lambda z: conv_layer(z, w, stride=stride, dilation=dilation, pad=pad, groups=groups), x.shape, g
        )
        dw = linear_grad(
            lambda z: conv_layer(x, z, stride=stride, dilation=dilation, pad=pad, groups=groups), w.shape, g
        )
        return {"input": dx.astype(float), "weight": dw.astype(float)}

    return forward, backward


@settings(max_examples=15, deadline=None)
@given(conv_params((5, 4), (2, 3), in_channels=2, out_channels=4, max_padding=1))
def test_a_correct_layer_passes(p):
    forward, backward = _oracle_layer(p["stride"], p["dilation"], p["padding"], p["groups"])
    rule = assert_backward_rule(
        forward,
        backward,
        "conv2d",
        input_shape=(1, 2, 5, 4),
        weight_shape=(4, 2 // p["groups"], 2, 3),
        stride=p["stride"],
        dilation=p["dilation"],
        padding=p["padding"],
        groups=p["groups"],
        trials=1,
    )
    assert [r.gradient for r in rule.rows][:2] == ["dL/dx", "dL/dw"]


def test_convolution_backward_for_the_weight_is_caught():
    """The seed's 'correlation forward, convolution backward' holds for dL/dx only."""

    def forward(x, w):
        return np.correlate(x, w, "valid")

    def backward(x, w, g):
        return np.convolve(g, w, "full"), np.convolve(x, g, "valid")

    with pytest.raises(AssertionError, match=r"weight gradient is not the derived rule \(dL/dw = valid correl"):
        assert_backward_rule(forward, backward, "correlate", input_shape=7, weight_shape=3)
    assert_backward_rule(forward, backward, "correlate", input_shape=7, weight_shape=3, wrt=("input",))


def test_a_forward_that_is_not_the_layer_is_named():
    def forward(x, w):
        return np.convolve(x, w, "valid")

    with pytest.raises(AssertionError, match="forward is not correlate with these options"):
        assert_backward_rule(forward, lambda x, w, g: (x, w), "correlate", input_shape=6, weight_shape=3)


def test_stride_forgotten_in_the_input_gradient_is_caught():
    forward, backward = _oracle_layer((2, 1), (1, 1), (0, 0), 1)
    _, wrong = _oracle_layer((1, 1), (1, 1), (0, 0), 1)

    def mixed(x, w, g):
        right = backward(x, w, g)
        return {"input": right["input"][..., ::-1], "weight": right["weight"]}

    with pytest.raises(AssertionError, match="input gradient is not the derived rule"):
        assert_backward_rule(
            forward, mixed, "conv2d", input_shape=(1, 1, 6, 5), weight_shape=(1, 1, 2, 2), stride=(2, 1)
        )
    assert wrong is not None


def test_assert_backward_rule_refuses_bad_arguments():
    f = lambda x, w: x  # noqa: E731
    for kwargs, match in [
        ({"op": "conv4d"}, "`op`"),
        ({"input_shape": "7"}, "`input_shape`"),
        ({"wrt": "input"}, "`wrt`"),
        ({"wrt": ("bias",)}, "`bias` is False"),
        ({"op": "conv2d", "input_shape": (1, 2, 5)}, "conv2d takes input"),
        ({"op": "conv2d", "input_shape": (1, 3, 5, 5), "weight_shape": (2, 2, 2, 2)}, "weight_shape\\[1\\] \\* groups"),
        ({"trials": 0}, "`trials`"),
    ]:
        args = {"op": "correlate", "input_shape": 7, "weight_shape": 3} | kwargs
        with pytest.raises(SymconvError, match=match):
            assert_backward_rule(f, f, **args)


def test_torch_autograd_satisfies_the_derived_rule():
    torch = peers.module("torch")
    F = torch.nn.functional

    def forward(x, w, b):
        return F.conv2d(
            torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=(2, 1), padding=1, dilation=(1, 2), groups=2
        ).numpy()

    def backward(x, w, b, g):
        xt, wt, bt = (torch.tensor(v, requires_grad=True) for v in (x, w, b))
        y = F.conv2d(xt, wt, bt, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)
        y.backward(torch.tensor(g))
        return {"input": xt.grad.numpy(), "weight": wt.grad.numpy(), "bias": bt.grad.numpy()}

    assert_backward_rule(
        forward,
        backward,
        "conv2d",
        input_shape=(2, 4, 7, 6),
        weight_shape=(6, 2, 3, 2),
        stride=(2, 1),
        padding=1,
        dilation=(1, 2),
        groups=2,
        bias=True,
        wrt=("input", "weight", "bias"),
    )


def test_assert_identity_proves_a_claim_at_symbolic_size():
    N, K = symconv.sizes("N K", assume="N >= K")
    x, w, g = symconv.symbols("x", N), symconv.symbols("w", K), symconv.symbols("g", N - K + 1)
    proof = assert_identity(symconv.grad(symconv.correlate(x, w), x, g), symconv.convolve(g, w, mode="full"))
    assert proof.status == "proved" and proof.check().ok
    with pytest.raises(AssertionError, match=r"is refuted: refuted at K=2, N=3; first differing entry at i0=0"):
        assert_identity(symconv.grad(symconv.correlate(x, w), w, g), symconv.convolve(x, g))


def test_size_relations_do_not_leak_between_tests():
    """The root conftest restores the relations that symconv.sizes(assume=...) records for the process."""
    from symconv.claims.sizes import assumed

    n, k = (sympy.Symbol(v, integer=True, positive=True) for v in "NK")
    assert assumed([n, k]) == ()  # the test above declared N >= K
