"""TensorFlow computes what the notes say it computes: the oracle is TensorFlow itself.

The notes (chapters 2 and 6) state TensorFlow's conventions: ``tf.nn.conv1d``/``conv2d`` and Keras
``Conv2D`` CORRELATE (the seed's own snippet), 'SAME' puts an even kernel's extra zero at the END and,
for any stride, gives ⌈n/s⌉ outputs with the total padding split smaller-half-first, filters are
HWIO, and ``conv2d_transpose`` (filters ``[H, W, out, in]``) is the adjoint of ``conv2d``. Each is
checked here against symconv with small integers (float64 results are then exact, so the comparison
is equality). The TF 'SAME' padding rule below is written from TensorFlow's documentation, not from
symconv.
"""

from __future__ import annotations

import os

import numpy as np
import peers
import pytest
from hypothesis import given
from hypothesis import strategies as st

import symconv as sc
from symconv.compat import torch as storch

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="module")
def tf():
    return peers.module("tensorflow")


def _ints(a: sc.Array) -> np.ndarray:
    return np.array(a.tolist(), dtype=np.int64)


def _same_padding(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow's 'SAME': ⌈n/s⌉ outputs; total padding max((o−1)s + d(k−1) + 1 − n, 0), smaller half first."""
    o = -(-n // s)
    total = max((o - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def test_the_seed_snippet_tf_nn_conv1d_correlates(tf):
    f = tf.reshape(tf.constant([2.0, 1.0, 3.0, 5.0, 4.0], dtype=tf.float64), [1, 5, 1])
    h = tf.reshape(tf.constant([1.0, -1.0], dtype=tf.float64), [2, 1, 1])
    got = [int(v) for v in tf.nn.conv1d(f, h, stride=1, padding="VALID").numpy().ravel()]
    assert got == [1, -2, -2, 1] == sc.correlate([2, 1, 3, 5, 4], [1, -1]).tolist()
    assert got != sc.convolve([2, 1, 3, 5, 4], [1, -1]).tolist()


def test_same_with_an_even_kernel_puts_the_extra_zero_at_the_end(tf):
    x = tf.reshape(tf.constant([1.0, 2, 3, 4, 5], dtype=tf.float64), [1, 5, 1])
    w = tf.reshape(tf.constant([1.0, 10], dtype=tf.float64), [2, 1, 1])
    got = [int(v) for v in tf.nn.conv1d(x, w, stride=1, padding="SAME").numpy().ravel()]
    assert got == [21, 32, 43, 54, 5]
    assert got == sc.correlate([1, 2, 3, 4, 5], [1, 10], "same").tolist()
    assert got == storch.conv1d(sc.asarray([[[1, 2, 3, 4, 5]]]), sc.asarray([[[1, 10]]]), padding="same").tolist()[0][0]


@st.composite
def conv2d_cases(draw):
    padding = draw(st.sampled_from(["VALID", "SAME"]))
    n = [draw(st.integers(2, 7)) for _ in range(2)]
    k = [draw(st.integers(1, 3)) for _ in range(2)]
    # TensorFlow refuses stride > 1 together with dilation > 1: draw which of the two varies (half the cases
    # dilate; drawing the stride first left dilation > 1 in about one case in twenty)
    if draw(st.booleans()):
        s, d = [1, 1], [draw(st.integers(1, 2)) for _ in range(2)]
    else:
        s, d = [draw(st.integers(1, 3)) for _ in range(2)], [1, 1]
    if padding == "VALID":
        k = [min(ki, (ni - 1) // di + 1) for ki, ni, di in zip(k, n, d)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-4, 5, size=n)
    w = rng.integers(-4, 5, size=k)
    return padding, x, w, s, d


@given(conv2d_cases())
def test_tf_nn_conv2d_is_correlation_with_tf_same_padding(tf, case):
    padding, x, w, s, d = case
    got = tf.nn.conv2d(
        x[None, :, :, None].astype(np.float64),
        w[:, :, None, None].astype(np.float64),
        strides=s,
        padding=padding,
        dilations=d,
    ).numpy()[0, :, :, 0]
    if padding == "SAME":
        pads = tuple(_same_padding(x.shape[i], w.shape[i], s[i], d[i]) for i in range(2))
        assert got.shape == tuple(-(-x.shape[i] // s[i]) for i in range(2))
    else:
        pads = ((0, 0), (0, 0))
    want = _ints(sc.correlate(x.tolist(), w.tolist(), stride=tuple(s), dilation=tuple(d), padding=pads))
    np.testing.assert_array_equal(got, want)


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(0, 2**32 - 1))
def test_hwio_filters_match_torch_layout(tf, cin, cout, stride, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(2, 6, 5, cin))  # NHWC
    w = rng.integers(-3, 4, size=(3, 2, cin, cout))  # HWIO
    got = tf.nn.conv2d(x.astype(np.float64), w.astype(np.float64), strides=stride, padding="VALID").numpy()
    want = storch.conv2d(sc.asarray(x.transpose(0, 3, 1, 2)), sc.asarray(w.transpose(3, 2, 0, 1)), stride=stride)
    np.testing.assert_array_equal(got, _ints(want).transpose(0, 2, 3, 1))


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(0, 2**32 - 1))
def test_conv2d_transpose_is_the_adjoint_with_swapped_filter_channels(tf, cin, cout, stride, extra, seed):
    """``tf.nn.conv2d_transpose`` = torch's ``conv_transpose2d`` = ∂L/∂x of ``conv2d``; filters ``[H, W, out, in]``."""
    rng = np.random.default_rng(seed)
    k = (3, 2)
    i = (3, 4)
    op = extra % stride
    out = tuple((i[a] - 1) * stride + k[a] + op for a in range(2))
    g = rng.integers(-3, 4, size=(1, *i, cin))  # the transposed op's input, NHWC
    w = rng.integers(-3, 4, size=(*k, cout, cin))  # [H, W, out_channels, in_channels]
    got = tf.nn.conv2d_transpose(
        g.astype(np.float64), w.astype(np.float64), output_shape=(1, *out, cout), strides=stride, padding="VALID"
    ).numpy()
    want = storch.conv_transpose2d(
        sc.asarray(g.transpose(0, 3, 1, 2)), sc.asarray(w.transpose(3, 2, 0, 1)), stride=stride, output_padding=op
    )
    np.testing.assert_array_equal(got, _ints(want).transpose(0, 2, 3, 1))
    # and it is the input gradient of the forward conv2d (differentiated by symconv)
    xs = sc.symbols("x", (1, cout, *out))
    ws = sc.asarray(w.transpose(3, 2, 0, 1))  # OIHW of the forward conv2d: cout channels in, cin out
    y = storch.conv2d(xs, ws, stride=stride)
    dx = sc.grad(y, xs, upstream=sc.asarray(g.transpose(0, 3, 1, 2)))
    np.testing.assert_array_equal(got, _ints(dx).transpose(0, 2, 3, 1))


def test_keras_conv2d_layer_correlates(tf):
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, size=(1, 5, 6, 2)).astype(np.float64)
    w = rng.integers(-3, 4, size=(3, 3, 2, 1)).astype(np.float64)
    layer = tf.keras.layers.Conv2D(1, (3, 3), use_bias=False, dtype="float64")
    layer.build(x.shape)
    layer.set_weights([w])
    got = layer(x).numpy()[0, :, :, 0]
    want = sum(
        _ints(sc.correlate(x[0, :, :, c].astype(int).tolist(), w[:, :, c, 0].astype(int).tolist())) for c in range(2)
    )
    np.testing.assert_array_equal(got, want)
    flipped = sum(
        _ints(sc.convolve(x[0, :, :, c].astype(int).tolist(), w[:, :, c, 0].astype(int).tolist())) for c in range(2)
    )
    assert not np.array_equal(got, flipped)
