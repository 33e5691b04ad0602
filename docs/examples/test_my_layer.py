"""An example test file for YOUR convolution layer: copy it next to your code and adapt `MyConv1d`.

It checks, with symconv.testing:
1. the forward pass is PyTorch's "convolution" (a cross-correlation) — `assert_computes`;
2. the backward pass is the gradient derived from that forward formula — `assert_backward_rule`,
   on shapes and valid parameters drawn by Hypothesis (`signals`, `kernels`, `conv_params`);
3. an identity your code relies on holds exactly — `assert_identity`.

Run it with `pytest docs/examples/test_my_layer.py`.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.testing import (
    assert_backward_rule,
    assert_computes,
    assert_identity,
    centrosymmetric_kernels,
    conv_params,
    signals,
)


class MyConv1d:
    """A plain numpy layer: y[n] = sum_k x[s*n + d*k] w[k] (no padding), with its hand-written backward."""

    def __init__(self, stride=1, dilation=1):
        self.s, self.d = stride, dilation

    def forward(self, x, w):
        n_out = (len(x) - self.d * (len(w) - 1) - 1) // self.s + 1
        return np.array([sum(x[self.s * n + self.d * k] * w[k] for k in range(len(w))) for n in range(n_out)])

    def backward(self, x, w, g):
        dx, dw = np.zeros(len(x)), np.zeros(len(w))
        for n in range(len(g)):
            for k in range(len(w)):
                dx[self.s * n + self.d * k] += g[n] * w[k]
                dw[k] += g[n] * x[self.s * n + self.d * k]
        return {"input": dx, "weight": dw}


def test_forward_is_a_cross_correlation():
    assert_computes(MyConv1d().forward, "correlation", mode="valid", stride=1)
    # identify probes with random inputs; a strided, dilated layer needs longer ones
    strided = MyConv1d(stride=2, dilation=3).forward
    assert_computes(strided, "correlation", stride=2, dilation=3, sizes=[(30, 3), (31, 4), (33, 5)])


@settings(max_examples=25, deadline=None)
@given(st.integers(4, 9), st.integers(1, 3), st.data())
def test_backward_is_the_derived_rule(n, k, data):
    p = data.draw(conv_params(n, k))
    layer = MyConv1d(stride=p["stride"][0], dilation=p["dilation"][0])
    if p["padding"][0]:  # this layer has no padding
        return
    assert_backward_rule(
        layer.forward,
        layer.backward,
        "correlate",
        input_shape=n,
        weight_shape=k,
        stride=p["stride"],
        dilation=p["dilation"],
    )


@settings(max_examples=25, deadline=None)
@given(signals(min_size=5), centrosymmetric_kernels(max_size=4))
def test_a_centrosymmetric_kernel_needs_no_flip(x, w):
    # the identity our code relies on when it skips the kernel flip
    assert_identity(np.correlate(x, w, "full"), np.convolve(x, w, "full"))
