"""Derived gradients, evaluated at random integers, equal the libraries' own autodiff.

Oracles: torch autograd, ``torch.nn.grad.conv{1,2,3}d_input/_weight`` and
``jax.vjp`` of ``lax.conv_general_dilated`` — over random stride, padding,
dilation, groups, channels, batch and padding modes. Small integers make the
floating-point results exact, so the comparison is equality.
"""

from __future__ import annotations

import numpy as np
import peers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import Array, grad, symbols
from symconv._engine import evaluate, expand
from symconv._formula import ConvSpec, forward
from symconv._grad import grad_contraction

TORCH_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
NUMPY_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@st.composite
def layers(draw, max_nd=3, modes=("zeros", "reflect", "replicate", "circular"), symmetric=False):
    nd = draw(st.integers(1, max_nd))
    small = nd == 3
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    batch = draw(st.integers(1, 2))
    mode = draw(st.sampled_from(modes))
    n, k, s, d, lo, hi = [], [], [], [], [], []
    for _ in range(nd):
        ni = draw(st.integers(2, 4 if small else 7))
        ki = draw(st.integers(1, 3))
        di = draw(st.integers(1, 2))
        si = draw(st.integers(1, 3))
        cap = ni - 1 if mode == "reflect" else ni
        a = draw(st.integers(0, min(2, cap)))
        b = a if symmetric else draw(st.integers(0, min(2, cap)))
        if di * (ki - 1) + 1 > ni + a + b:
            ki = 1
        n.append(ni), k.append(ki), s.append(si), d.append(di), lo.append(a), hi.append(b)
    return ConvSpec(
        input_size=tuple(n),
        kernel_size=tuple(k),
        stride=tuple(s),
        dilation=tuple(d),
        pad_lo=tuple(lo),
        pad_hi=tuple(hi),
        batch=batch,
        channels=(cin, cout),
        groups=groups,
        padding_mode=mode,
        bias=True,
    )


def _ints(spec):
    return tuple(int(v) for v in spec)


def _shapes(spec):
    cin, cout = (int(c) for c in spec.channels)
    B, g = int(spec.batch), int(spec.groups)
    return (B, cin, *_ints(spec.input_size)), (cout, cin // g, *_ints(spec.kernel_size)), (cout,)


def _derived(spec, arrays):
    """symconv's gradients: relabelled contractions of the one forward formula, evaluated exactly."""
    terms = forward(spec)
    out = {}
    for name in ("x", "w", "bias"):
        gc = [grad_contraction(c, name) for c in terms if any(f.operand == name for f in c.factors)]
        out[name] = evaluate(gc, arrays, dtype=object).astype(np.int64)
    return out


def _values(spec, seed):
    rng = np.random.default_rng(seed)
    xs, ws, bs = _shapes(spec)
    out_sp = [
        (
            int(spec.input_size[i])
            + int(spec.pad_lo[i])
            + int(spec.pad_hi[i])
            - int(spec.dilation[i]) * (int(spec.kernel_size[i]) - 1)
            - 1
        )
        // int(spec.stride[i])
        + 1
        for i in range(spec.ndim)
    ]
    gs = (xs[0], ws[0], *out_sp)
    return {name: rng.integers(-3, 4, size=sh) for name, sh in (("x", xs), ("w", ws), ("bias", bs), ("g", gs))}


def _torch_pad(spec):
    pads = []
    for i in reversed(range(spec.ndim)):
        pads += [int(spec.pad_lo[i]), int(spec.pad_hi[i])]
    return pads


@settings(max_examples=40)
@given(layers(), st.integers(0, 2**31))
def test_derived_gradients_equal_torch_autograd(spec, seed):
    torch = peers.module("torch")
    F = torch.nn.functional
    v = _values(spec, seed)
    x = torch.tensor(v["x"], dtype=torch.float64, requires_grad=True)
    w = torch.tensor(v["w"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(v["bias"], dtype=torch.float64, requires_grad=True)
    xp = F.pad(x, _torch_pad(spec), mode=TORCH_MODES[spec.padding_mode])
    conv = getattr(F, f"conv{spec.ndim}d")
    y = conv(xp, w, b, stride=_ints(spec.stride), dilation=_ints(spec.dilation), groups=int(spec.groups))
    assert tuple(y.shape) == v["g"].shape
    (y * torch.tensor(v["g"], dtype=torch.float64)).sum().backward()
    got = _derived(spec, v)
    np.testing.assert_array_equal(got["x"], x.grad.numpy())
    np.testing.assert_array_equal(got["w"], w.grad.numpy())
    np.testing.assert_array_equal(got["bias"], b.grad.numpy())


@settings(max_examples=40)
@given(layers(modes=("zeros",), symmetric=True), st.integers(0, 2**31))
def test_derived_gradients_equal_torch_nn_grad(spec, seed):
    torch = peers.module("torch")
    v = _values(spec, seed)
    nd = spec.ndim
    kw = {
        "stride": _ints(spec.stride),
        "padding": _ints(spec.pad_lo),
        "dilation": _ints(spec.dilation),
        "groups": int(spec.groups),
    }
    w = torch.tensor(v["w"], dtype=torch.float64)
    x = torch.tensor(v["x"], dtype=torch.float64)
    g = torch.tensor(v["g"], dtype=torch.float64)
    gx = getattr(torch.nn.grad, f"conv{nd}d_input")(x.shape, w, g, **kw)
    gw = getattr(torch.nn.grad, f"conv{nd}d_weight")(x, w.shape, g, **kw)
    got = _derived(spec, v)
    np.testing.assert_array_equal(got["x"], gx.numpy())
    np.testing.assert_array_equal(got["w"], gw.numpy())


@settings(max_examples=20)
@given(layers(max_nd=2), st.integers(0, 2**31))
def test_derived_gradients_equal_jax_vjp(spec, seed):
    jax = peers.module("jax")
    jnp, lax = jax.numpy, jax.lax
    v = _values(spec, seed)
    nd = spec.ndim
    pads = [(0, 0), (0, 0)] + [(int(spec.pad_lo[i]), int(spec.pad_hi[i])) for i in range(nd)]

    def f(x, w, b):
        xp = jnp.pad(x, pads, mode=NUMPY_MODES[spec.padding_mode])
        y = lax.conv_general_dilated(
            xp,
            w,
            window_strides=_ints(spec.stride),
            padding=[(0, 0)] * nd,
            rhs_dilation=_ints(spec.dilation),
            feature_group_count=int(spec.groups),
        )
        return y + b.reshape((1, -1) + (1,) * nd)

    args = [jnp.asarray(v[k], dtype=jnp.float32) for k in ("x", "w", "bias")]
    y, pullback = jax.vjp(f, *args)
    assert tuple(y.shape) == v["g"].shape
    gx, gw, gb = pullback(jnp.asarray(v["g"], dtype=jnp.float32))
    got = _derived(spec, v)
    np.testing.assert_array_equal(got["x"], np.asarray(gx))
    np.testing.assert_array_equal(got["w"], np.asarray(gw))
    np.testing.assert_array_equal(got["bias"], np.asarray(gb))


@settings(max_examples=15)
@given(layers(max_nd=1), st.integers(0, 2**31))
def test_symbolic_grad_equals_torch_autograd(spec, seed):
    """The sympy route (symconv.grad on the symbolic layer output), with integers substituted."""
    torch = peers.module("torch")
    F = torch.nn.functional
    v = _values(spec, seed)
    xs, ws, bs = _shapes(spec)
    x, w, b = symbols("x", xs), symbols("w", ws), symbols("b", bs)
    y = Array(expand(forward(spec), {"x": x.numpy(), "w": w.numpy(), "bias": b.numpy()}))
    sub = dict(zip(x.numpy().flat, v["x"].flat)) | dict(zip(w.numpy().flat, v["w"].flat))
    sub |= dict(zip(b.numpy().flat, v["bias"].flat))
    tx = torch.tensor(v["x"], dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(v["w"], dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(v["bias"], dtype=torch.float64, requires_grad=True)
    xp = F.pad(tx, _torch_pad(spec), mode=TORCH_MODES[spec.padding_mode])
    ty = F.conv1d(xp, tw, tb, stride=_ints(spec.stride), dilation=_ints(spec.dilation), groups=int(spec.groups))
    (ty * torch.tensor(v["g"], dtype=torch.float64)).sum().backward()
    for sym, tgrad in ((x, tx.grad), (w, tw.grad), (b, tb.grad)):
        got = grad(y, sym, upstream=v["g"]).subs({k: int(val) for k, val in sub.items()}).to_numpy(int)
        np.testing.assert_array_equal(got, tgrad.numpy())


@pytest.mark.parametrize(
    ("op", "dx", "dw"), [("correlate", [1, 4, 7, 6, 0], [4, 7, 13]), ("convolve", [3, 8, 5, 2, 0], [13, 7, 4])]
)
def test_seed_example_against_torch(op, dx, dw):
    torch = peers.module("torch")
    x = torch.tensor([[[2.0, 1, 3, 5, 4]]], dtype=torch.float64, requires_grad=True)
    w = torch.tensor([[[1.0, 2, 3]]], dtype=torch.float64, requires_grad=True)
    wk = w if op == "correlate" else torch.flip(w, dims=[-1])
    y = torch.nn.functional.conv1d(x, wk)
    (y * torch.tensor([[[1.0, 2, 0]]], dtype=torch.float64)).sum().backward()
    assert x.grad.flatten().tolist() == dx
    assert w.grad.flatten().tolist() == dw
