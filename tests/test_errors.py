"""Every invalid combination raises SymconvError naming the operation, the argument and the value."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from symconv import SymconvError, backward_rule, convolve, correlate, output_padding_choices, output_shape, symbols
from symconv.compat import torch as st


def _message(call) -> str:
    with pytest.raises(SymconvError) as info:
        call()
    return str(info.value)


def test_is_a_value_error():
    assert issubclass(SymconvError, ValueError)


def test_kernel_longer_than_input_in_valid_mode():
    msg = _message(lambda: correlate([1, 2], [1, 2, 3]))
    assert msg.startswith("correlate:") and "K=3" in msg and "N=2" in msg and "mode='full'" in msg
    assert "convolve:" in _message(lambda: convolve(symbols("x", (2, 4)), symbols("w", (3, 1))))


@pytest.mark.parametrize("stride", [0, -2])
def test_stride_below_one(stride):
    msg = _message(lambda: correlate([1, 2, 3], [1], stride=stride))
    assert "`stride`" in msg and str(stride) in msg
    msg = _message(lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 1)), stride=stride))
    assert msg.startswith("conv1d:") and "`stride`" in msg


def test_dilation_below_one():
    assert "`dilation`" in _message(lambda: correlate([1, 2, 3], [1], dilation=0))


def test_channels_not_divisible_by_groups():
    msg = _message(lambda: st.conv2d(symbols("x", (1, 3, 4, 4)), symbols("w", (2, 1, 2, 2)), groups=2))
    assert msg == "conv2d: `in_channels` (=3) must be divisible by `groups` (=2)"
    msg = _message(lambda: st.conv_transpose1d(symbols("x", (1, 3, 4)), symbols("w", (3, 1, 2)), groups=2))
    assert "`in_channels` (=3)" in msg and "`groups` (=2)" in msg


def test_same_padding_with_stride():
    msg = _message(lambda: correlate([1, 2, 3, 4], [1, 1], "same", stride=2))
    assert "mode='same'" in msg and "stride=(2,)" in msg
    msg = _message(lambda: st.conv1d(symbols("x", (1, 1, 5)), symbols("w", (1, 1, 2)), stride=(2,), padding="same"))
    assert "padding='same'" in msg and "stride=(2,)" in msg


def test_reflect_padding_not_below_input_length():
    msg = _message(
        lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 2)), padding=3, padding_mode="reflect")
    )
    assert "padding_mode='reflect'" in msg and "(=3) < input size (=3)" in msg


def test_mismatched_ndim():
    msg = _message(lambda: correlate(symbols("x", (3, 3)), symbols("w", 2)))
    assert "x.ndim=2" in msg and "w.ndim=1" in msg
    assert "in1.ndim=2, in2.ndim=1" in _message(
        lambda: __import__("symconv.compat.scipy", fromlist=["correlate"]).correlate([[1, 2]], [1])
    )


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (
            lambda: correlate([1, 2, 3], [1], stride=1.5),
            "`stride` must be an integer or a sequence of 1 integers; got 1.5",
        ),
        (lambda: correlate([1, 2, 3], [1], dilation="2"), "`dilation`"),
        (lambda: correlate([1, 2, 3], [1], padding=0.5), "`padding` must be an integer"),
        (lambda: symbols("x", 2.5), "`shape`"),
        (
            lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 1)), groups=1.0),
            "`groups` must be an integer",
        ),
    ],
)
def test_non_integer_sizes(call, needle):
    assert needle in _message(call)


def test_empty_arrays():
    assert "empty" in _message(lambda: correlate([], [1]))
    msg = _message(lambda: st.conv1d([[[]]], symbols("w", (1, 1, 1))))
    assert "`input` must not be empty" in msg


def test_output_padding_too_large():
    msg = _message(
        lambda: st.conv_transpose2d(
            symbols("x", (1, 1, 2, 2)), symbols("w", (1, 1, 2, 2)), stride=2, output_padding=(0, 2)
        )
    )
    assert "`output_padding` (=2)" in msg and "`stride` (=2)" in msg and "`dilation` (=1)" in msg


@pytest.mark.parametrize("mode", ["middle", "VALID", 1, None])
def test_bad_mode_strings(mode):
    msg = _message(lambda: correlate([1, 2, 3], [1], mode))
    assert "`mode` must be one of 'valid', 'same', 'full'" in msg and repr(mode) in msg


def test_mode_and_explicit_padding_together():
    assert "not both" in _message(lambda: correlate([1, 2, 3], [1], "full", padding=1))


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: st.conv2d(symbols("x", (1, 1, 3, 3)), symbols("w", (1, 1, 2))), "`weight` must have 4 axes"),
        (lambda: st.conv1d(symbols("x", (1, 2, 3)), symbols("w", (1, 3, 2))), "in_channels/groups = 2/1 = 2"),
        (lambda: st.conv_transpose1d(symbols("x", (1, 2, 3)), symbols("w", (3, 1, 2))), "in_channels = 2 at axis 0"),
        (
            lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (2, 1, 2)), bias=[1, 2, 3]),
            "`bias` must have shape (2,)",
        ),
    ],
)
def test_bad_weight_shapes(call, needle):
    msg = _message(call)
    assert needle in msg and "got" in msg


def test_numpy_and_sympy_integers_are_integers_but_bools_and_floats_are_not():
    x, w = symbols("x", (6, 6)), symbols("w", (2, 2))
    want = correlate(x, w, stride=(2, 1), padding=((1, 0), (0, 1)))
    assert correlate(x, w, stride=np.array([2, 1]), padding=((1, 0), np.array([0, 1]))) == want
    assert correlate(x, w, stride=(sympy.Integer(2), np.int64(1)), padding=((1, 0), (0, 1))) == want
    for bad in (np.array([2.0, 1.0]), (True, 1), np.array([True, False])):
        assert "`stride`" in _message(lambda bad=bad: correlate(x, w, stride=bad))


@pytest.mark.parametrize("shape", [None, 2.5, "5", {"a": 1}, (), (2, 0), (True,)])
def test_output_shape_refuses_junk_shapes(shape):
    msg = _message(lambda: output_shape("correlate", shape, (2,)))
    assert msg.startswith("output_shape(correlate): ") and "`input_shape`" in msg
    assert "`weight_shape`" in _message(lambda: output_shape("torch.conv1d", (1, 2, 5), shape))


def test_operation_errors_name_the_argument():
    assert _message(lambda: correlate("abc", [1])).startswith("correlate: `x` must be numbers")
    assert _message(lambda: convolve([1, 2], None)).startswith("convolve: `w`: entries must be numbers")
    assert _message(lambda: correlate([[1, 2], [3]], [[1]])).startswith("correlate: `x` must be rectangular")
    assert _message(lambda: correlate(symbols("x", (3, 4))[0:0], symbols("w", (1, 1)))) == (
        "correlate: `x` must not be empty; got shape (0, 4)"
    )


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: correlate([1, 2, 3], [1], stride=10**20), "below 2**62"),
        (lambda: correlate([1, 2, 3], [1], padding=10**20), "about 200,000,000,000,000,000,003 entries in"),
        (lambda: correlate([1, 2], [1], padding=10**7), "limit of 10,000,000 (raise it with symconv.limits(entries="),
        (lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 1)), stride=2**63), "below 2**62"),
        (lambda: symbols("x", 10**20), "symbols: about 100,000,000,000,000,000,000 entries exceeds"),
        (lambda: output_padding_choices(4, 3, stride=10**20), "input sizes to list"),
        (lambda: backward_rule("correlate", input_size=10**20), "below 2**62"),
        (lambda: backward_rule("correlate", input_size=10**5, kernel_size=2000), "terms (> 100,000,000)"),
    ],
)
def test_sizes_too_large_to_expand_are_refused_at_once(call, needle):
    assert needle in _message(call)


def test_the_error_classes_are_public_by_name_and_pickle():
    import pickle

    import symconv

    assert symconv.SymconvError.__module__ == "symconv" and symconv.SymconvIndexError.__module__ == "symconv"
    assert issubclass(symconv.SymconvIndexError, symconv.SymconvError)
    assert issubclass(symconv.SymconvIndexError, IndexError)
    err = pickle.loads(pickle.dumps(symconv.SymconvError("correlate: `x` must not be empty")))
    assert type(err) is symconv.SymconvError and str(err) == "correlate: `x` must not be empty"
