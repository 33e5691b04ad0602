"""symconv.compat.torch against torch.nn.functional / torch.nn.ConvNd themselves."""

from __future__ import annotations

import warnings

import numpy as np
import peers
import pytest
import sympy
from exactcheck import assert_same, bind, integers

from symconv import SymconvError, backward_rule, symbols
from symconv.compat import torch as st

RNG = np.random.default_rng(11)


@pytest.fixture(scope="module")
def torch():
    return peers.module("torch")


def _run_conv(torch, nd, x_shape, w_shape, *, bias=False, module=False, **kw):
    """symconv's conv{nd}d on symbols vs torch on random integers, compared exactly."""
    x, w = symbols("x", x_shape), symbols("w", w_shape)
    b = symbols("b", w_shape[0]) if bias else None
    got = getattr(st, f"conv{nd}d")(x, w, b, **kw)
    xv, wv = integers(RNG, x_shape), integers(RNG, w_shape)
    bv = integers(RNG, w_shape[0]) if bias else None
    tx, tw = torch.tensor(xv, dtype=torch.float64), torch.tensor(wv, dtype=torch.float64)
    tb = None if bv is None else torch.tensor(bv, dtype=torch.float64)
    if module:
        cls = getattr(torch.nn, f"Conv{nd}d")
        m = cls(
            w_shape[1] * kw.get("groups", 1),
            w_shape[0],
            tuple(w_shape[2:]),
            stride=kw.get("stride", 1),
            padding=kw.get("padding", 0),
            dilation=kw.get("dilation", 1),
            groups=kw.get("groups", 1),
            bias=bias,
            padding_mode=kw.get("padding_mode", "zeros"),
            dtype=torch.float64,
        )
        with torch.no_grad():
            m.weight.copy_(tw)
            if bias:
                m.bias.copy_(tb)
        call = m
    else:
        call = lambda t: getattr(torch.nn.functional, f"conv{nd}d")(t, tw, tb, **kw)  # noqa: E731
    with warnings.catch_warnings(), torch.no_grad():
        # torch warns (once per process) that an even kernel with padding='same' needs a padded copy
        warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
        want = call(tx)
    binding = {**bind(x, xv), **bind(w, wv)}
    if bias:
        binding.update(bind(b, bv))
    assert_same(got, want.numpy(), binding)
    return got


def _run_conv_t(torch, nd, x_shape, w_shape, *, bias=False, **kw):
    x, w = symbols("x", x_shape), symbols("w", w_shape)
    c_out = w_shape[1] * kw.get("groups", 1)
    b = symbols("b", c_out) if bias else None
    got = getattr(st, f"conv_transpose{nd}d")(x, w, b, **kw)
    xv, wv = integers(RNG, x_shape), integers(RNG, w_shape)
    bv = integers(RNG, c_out) if bias else None
    tb = None if bv is None else torch.tensor(bv, dtype=torch.float64)
    want = getattr(torch.nn.functional, f"conv_transpose{nd}d")(
        torch.tensor(xv, dtype=torch.float64), torch.tensor(wv, dtype=torch.float64), tb, **kw
    )
    binding = {**bind(x, xv), **bind(w, wv)}
    if bias:
        binding.update(bind(b, bv))
    assert_same(got, want.numpy(), binding)
    return got


def test_seed_example_is_cross_correlation(torch):
    f = [[[2, 1, 3, 5, 4]]]
    h = [[[1, -1]]]
    assert st.conv1d(f, h).tolist() == [[[1, -2, -2, 1]]]
    want = torch.nn.functional.conv1d(torch.tensor(f, dtype=torch.float64), torch.tensor(h, dtype=torch.float64))
    assert want.tolist() == [[[1.0, -2.0, -2.0, 1.0]]]


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"stride": 2},
        {"padding": 2},
        {"dilation": 2},
        {"stride": 3, "padding": 1, "dilation": 2},
        {"padding": "valid"},
        {"padding": "same"},
        {"padding": "same", "dilation": 2},
        {"groups": 2},
        {"groups": 2, "stride": 2, "padding": 1},
    ],
)
@pytest.mark.parametrize("k", [2, 3])
def test_conv1d(torch, kw, k):
    _run_conv(torch, 1, (2, 4, 7), (6, 4 // kw.get("groups", 1), k), bias=True, **kw)


def test_same_puts_the_extra_zero_at_the_end(torch):
    out = st.conv1d(symbols("x", (1, 3)), symbols("w", (1, 1, 2)), padding="same")
    x, w = symbols("x", (1, 3)), symbols("w", (1, 1, 2))
    assert out[0, 2] == x[0, 2] * w[0, 0, 0]  # the last window hangs over the end
    _run_conv(torch, 1, (1, 3), (1, 1, 2), padding="same")


def test_unbatched_input(torch):
    out = _run_conv(torch, 1, (3, 5), (2, 3, 2), bias=True)
    assert out.shape == (2, 4)
    assert _run_conv(torch, 2, (2, 3, 4), (1, 2, 2, 2)).shape == (1, 2, 3)
    assert _run_conv_t(torch, 1, (2, 3), (2, 1, 2), stride=2).shape == (1, 6)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"stride": (2, 1), "padding": (1, 0)},
        {"dilation": (1, 2), "padding": "same"},
        {"groups": 3, "stride": 2, "padding": 1},
        {"padding": (0, 2), "dilation": 2},
    ],
)
def test_conv2d(torch, kw):
    g = kw.get("groups", 1)
    _run_conv(torch, 2, (1, 3, 5, 6), (3, 3 // g, 2, 3), bias=True, **kw)


@pytest.mark.parametrize(
    "kw", [{}, {"stride": (1, 2, 1), "padding": 1}, {"groups": 2, "dilation": (2, 1, 1)}, {"padding": "same"}]
)
def test_conv3d(torch, kw):
    g = kw.get("groups", 1)
    _run_conv(torch, 3, (1, 2, 4, 3, 3), (2, 2 // g, 2, 2, 2), bias=True, **kw)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    ("nd", "x_shape", "w_shape", "kw"),
    [
        (1, (2, 2, 5), (3, 2, 3), {"padding": 2}),
        (1, (1, 2, 5), (2, 1, 2), {"padding": 3, "stride": 2, "groups": 2}),
        (1, (1, 1, 4), (1, 1, 4), {"padding": "same"}),
        (2, (1, 2, 4, 3), (2, 2, 3, 2), {"padding": (2, 1), "dilation": (1, 2)}),
        (2, (1, 1, 3, 4), (1, 1, 2, 2), {"padding": "same"}),
        (3, (1, 1, 3, 3, 2), (1, 1, 2, 2, 2), {"padding": 1}),
    ],
)
def test_padding_modes_as_nn_conv(torch, padding_mode, nd, x_shape, w_shape, kw):
    _run_conv(torch, nd, x_shape, w_shape, module=True, bias=True, padding_mode=padding_mode, **kw)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"stride": 2},
        {"stride": 2, "output_padding": 1},
        {"stride": 3, "padding": 1, "output_padding": 2},
        {"dilation": 3, "output_padding": 2},
        {"padding": 1, "dilation": 2},
        {"groups": 2, "stride": 2, "padding": 1, "output_padding": 1},
    ],
)
def test_conv_transpose1d(torch, kw):
    g = kw.get("groups", 1)
    _run_conv_t(torch, 1, (2, 4, 4), (4, 6 // g, 3), bias=True, **kw)


def test_conv_transpose2d_and_3d(torch):
    _run_conv_t(torch, 2, (1, 2, 3, 2), (2, 3, 2, 3), bias=True, stride=(2, 1), padding=(1, 0), output_padding=(1, 0))
    _run_conv_t(torch, 2, (1, 4, 2, 3), (4, 1, 3, 2), groups=2, dilation=(2, 1), output_padding=(1, 0))
    _run_conv_t(torch, 3, (1, 2, 2, 2, 2), (2, 1, 2, 1, 2), bias=True, stride=2, output_padding=(1, 0, 1))


def test_transpose_is_the_adjoint_of_the_forward_conv(torch):
    """<conv(x), g> == <x, conv_transpose(g)> exactly, with the same weight."""
    x, w, g = symbols("x", (1, 2, 7)), symbols("w", (3, 2, 3)), symbols("g", (1, 3, 4))
    y = st.conv1d(x, w, stride=2, padding=1)
    xt = st.conv_transpose1d(g, w, stride=2, padding=1, output_padding=0)
    assert xt.shape == x.shape
    lhs = sum((y * g).numpy().flat, sympy.Integer(0))
    rhs = sum((x * xt).numpy().flat, sympy.Integer(0))
    assert sympy.expand(lhs - rhs) == 0


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (
            lambda: st.conv1d(symbols("x", (1, 3, 5)), symbols("w", (2, 1, 2)), groups=2),
            "`in_channels` (=3) must be divisible by `groups` (=2)",
        ),
        (lambda: st.conv1d(symbols("x", (1, 4, 5)), symbols("w", (3, 2, 2)), groups=2), "`out_channels` (=3)"),
        (
            lambda: st.conv1d(symbols("x", (1, 2, 5)), symbols("w", (2, 2, 2)), stride=2, padding="same"),
            "padding='same'",
        ),
        (
            lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 2)), padding=3, padding_mode="reflect"),
            "padding_mode='reflect'",
        ),
        (
            lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 2)), padding=4, padding_mode="circular"),
            "padding_mode='circular'",
        ),
        (lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 2)), padding_mode="mirror"), "`padding_mode`"),
        (lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 5))), "must fit in the padded input"),
        (lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 2)), stride=0), "`stride`"),
        (lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 2)), padding=-1), "`padding`"),
        (lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 2)), padding="full"), "`padding`"),
        (lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (1, 2))), "`weight` must have 3 axes"),
        (lambda: st.conv2d(symbols("x", 3), symbols("w", (1, 1, 2, 2))), "`input` must have 4 axes"),
        (lambda: st.conv1d(symbols("x", (1, 2, 3)), symbols("w", (1, 1, 2))), "in_channels/groups"),
        (lambda: st.conv1d(symbols("x", (1, 1, 3)), symbols("w", (2, 1, 2)), bias=[1]), "`bias` must have shape (2,)"),
        (
            lambda: st.conv_transpose1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 2)), stride=2, output_padding=2),
            "`output_padding` (=2)",
        ),
        (lambda: st.conv_transpose1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 2)), padding=3), "output size"),
        (
            lambda: st.conv_transpose1d(symbols("x", (1, 2, 3)), symbols("w", (1, 1, 2))),
            "`weight` must have in_channels = 2",
        ),
        (lambda: st.conv_transpose1d(symbols("x", (1, 1, 3)), symbols("w", (1, 1, 2)), padding="same"), "`padding`"),
    ],
)
def test_bad_arguments(call, needle):
    with pytest.raises(SymconvError) as info:
        call()
    assert needle in str(info.value)


@pytest.mark.parametrize(("padding_mode", "pads"), [("circular", (4, 3)), ("reflect", (3, 2))])
def test_padding_at_the_largest_size_torch_accepts(torch, padding_mode, pads):
    """circular may pad by the whole input (it wraps around once), reflect by one less: torch accepts both, and
    so must symconv — with torch's values (one more is refused: see test_bad_arguments)."""
    _run_conv(torch, 1, (1, 2, 4), (2, 2, 3), module=True, bias=True, padding=pads[0], padding_mode=padding_mode)
    _run_conv(torch, 2, (1, 1, 4, 3), (2, 1, 2, 2), module=True, padding=pads, padding_mode=padding_mode)
    rule = backward_rule(
        "conv1d", input_size=4, kernel_size=3, padding=pads[0], channels=(1, 1), padding_mode=padding_mode
    )
    assert rule.holds, rule.text()
