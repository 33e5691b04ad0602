"""Derived gradients, evaluated at random integers, equal the libraries' own autodiff.

Oracles: torch autograd, ``torch.nn.grad.conv{1,2,3}d_input/_weight`` and
``jax.vjp`` of ``lax.conv_general_dilated`` — over random stride, padding,
dilation, groups, channels, batch and padding modes. Small integers make the
floating-point results exact, so the comparison is equality.
"""

from __future__ import annotations

import warnings

import numpy as np
import peers
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from symconv import Array, SymconvError, grad, symbols
from symconv.compat import numpy as snp
from symconv.compat import scipy as ssp
from symconv.compat import torch as storch
from symconv.core.formula import ConvSpec, forward
from symconv.engines.terms import evaluate, expand
from symconv.gradients.grad import grad_contraction

TORCH_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
NUMPY_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@st.composite
def layers(draw, max_nd=3, modes=("zeros", "reflect", "replicate", "circular"), symmetric=False):
    """Random layers: ndim, channels, groups, batch, padding mode, per-axis sizes/stride/dilation/padding, flip."""
    nd = draw(st.integers(1, max_nd))
    flip = draw(st.booleans())  # convolve (kernel flipped) as well as correlate
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
        flip=flip,
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


def _spatial(spec):
    return list(range(2, 2 + spec.ndim))


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
    wk = torch.flip(w, dims=_spatial(spec)) if spec.flip else w
    y = conv(xp, wk, b, stride=_ints(spec.stride), dilation=_ints(spec.dilation), groups=int(spec.groups))
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
    wk = torch.flip(w, dims=_spatial(spec)) if spec.flip else w
    gx = getattr(torch.nn.grad, f"conv{nd}d_input")(x.shape, wk, g, **kw)
    gw = getattr(torch.nn.grad, f"conv{nd}d_weight")(x, w.shape, g, **kw)
    if spec.flip:  # the gradient with respect to the kernel before its flip
        gw = torch.flip(gw, dims=_spatial(spec))
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
            jnp.flip(w, axis=tuple(_spatial(spec))) if spec.flip else w,
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
    twk = torch.flip(tw, dims=[2]) if spec.flip else tw
    ty = F.conv1d(xp, twk, tb, stride=_ints(spec.stride), dilation=_ints(spec.dilation), groups=int(spec.groups))
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


# -- the public route: symconv.grad on the adapters' own outputs -------------------------------


def _public_grads(y, arrays, g):
    """symconv.grad of y w.r.t. each (symbols, values) pair in ``arrays``, with every value substituted."""
    binding = {}
    for sym, val in arrays.values():
        binding.update({s: int(v) for s, v in zip(sym.numpy().flat, np.asarray(val).flat)})
    return {name: grad(y, sym, upstream=g).subs(binding).to_numpy(int) for name, (sym, val) in arrays.items()}


@st.composite
def torch_layer_calls(draw, transposed=False):
    """Random public torch-adapter calls: conv{1,2}d or conv_transpose{1,2}d, every parameter varied."""
    nd = draw(st.integers(1, 2))
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    batch = draw(st.sampled_from([None, 1, 2]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    spatial = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    if transposed:
        legal = [max(s, d) - 1 for s, d in zip(stride, dilation)]  # torch: output_padding < stride or dilation
        kw = {
            "stride": stride,
            "padding": tuple(draw(st.integers(0, 1)) for _ in range(nd)),
            "output_padding": tuple(draw(st.integers(0, q)) for q in legal),
            "groups": groups,
            "dilation": dilation,
        }
        w_shape = (cin, cout // groups, *kernel)
    else:
        padding = draw(st.one_of(st.integers(0, 2), st.sampled_from(["valid", "same"])))
        kw = {
            "stride": (1,) * nd if padding == "same" else stride,
            "padding": padding,
            "dilation": dilation,
            "groups": groups,
            "padding_mode": draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"])),
        }
        w_shape = (cout, cin // groups, *kernel)
    x_shape = ((batch,) if batch else ()) + (cin, *spatial)
    return nd, x_shape, w_shape, draw(st.booleans()), kw


@settings(max_examples=40)  # about a third are refusals (checked against torch), not comparisons
@given(torch_layer_calls(), st.integers(0, 2**31))
def test_public_grad_of_torch_conv_equals_autograd(call, seed):
    torch = peers.module("torch")
    nd, x_shape, w_shape, has_bias, kw = call
    x, w, b = symbols("x", x_shape), symbols("w", w_shape), symbols("b", w_shape[0])

    def module():
        return getattr(torch.nn, f"Conv{nd}d")(
            w_shape[1] * kw["groups"], w_shape[0], w_shape[2:], bias=has_bias, dtype=torch.float64, **kw
        )

    try:
        y = getattr(storch, f"conv{nd}d")(x, w, b if has_bias else None, **kw)
    except SymconvError:
        # symconv refuses only what torch refuses (a silent assume(False) would hide a wrong refusal)
        event("symconv refuses these arguments, and so does torch")
        with pytest.raises((RuntimeError, ValueError)), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
            module()(torch.zeros(x_shape, dtype=torch.float64))
        return
    rng = np.random.default_rng(seed)
    xv, wv, bv = (rng.integers(-3, 4, size=s) for s in (x_shape, w_shape, (w_shape[0],)))
    gv = rng.integers(-3, 4, size=y.shape)
    m = module()
    with torch.no_grad():
        m.weight.copy_(torch.tensor(wv, dtype=torch.float64))
        if has_bias:
            m.bias.copy_(torch.tensor(bv, dtype=torch.float64))
    tx = torch.tensor(xv, dtype=torch.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
        (m(tx) * torch.tensor(gv, dtype=torch.float64)).sum().backward()
    arrays = {"x": (x, xv), "w": (w, wv)} | ({"b": (b, bv)} if has_bias else {})
    got = _public_grads(y, arrays, gv)
    np.testing.assert_array_equal(got["x"], tx.grad.numpy())
    np.testing.assert_array_equal(got["w"], m.weight.grad.numpy())
    if has_bias:
        np.testing.assert_array_equal(got["b"], m.bias.grad.numpy())


@settings(max_examples=30)
@given(torch_layer_calls(transposed=True), st.integers(0, 2**31))
def test_public_grad_of_torch_conv_transpose_equals_autograd(call, seed):
    torch = peers.module("torch")
    nd, x_shape, w_shape, has_bias, kw = call
    c_out = w_shape[1] * kw["groups"]
    x, w, b = symbols("x", x_shape), symbols("w", w_shape), symbols("b", c_out)
    try:
        y = getattr(storch, f"conv_transpose{nd}d")(x, w, b if has_bias else None, **kw)
    except SymconvError:
        # symconv refuses only what torch refuses (a silent assume(False) would hide a wrong refusal)
        event("symconv refuses these arguments, and so does torch")
        with pytest.raises((RuntimeError, ValueError)):
            getattr(torch.nn.functional, f"conv_transpose{nd}d")(
                torch.zeros(x_shape, dtype=torch.float64), torch.zeros(w_shape, dtype=torch.float64), **kw
            )
        return
    rng = np.random.default_rng(seed)
    xv, wv, bv = (rng.integers(-3, 4, size=s) for s in (x_shape, w_shape, (c_out,)))
    gv = rng.integers(-3, 4, size=y.shape)
    tx, tw, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (xv, wv, bv))
    ty = getattr(torch.nn.functional, f"conv_transpose{nd}d")(tx, tw, tb if has_bias else None, **kw)
    (ty * torch.tensor(gv, dtype=torch.float64)).sum().backward()
    arrays = {"x": (x, xv), "w": (w, wv)} | ({"b": (b, bv)} if has_bias else {})
    got = _public_grads(y, arrays, gv)
    np.testing.assert_array_equal(got["x"], tx.grad.numpy())
    np.testing.assert_array_equal(got["w"], tw.grad.numpy())
    if has_bias:
        np.testing.assert_array_equal(got["b"], tb.grad.numpy())


def _library_grad(f, shape, g):
    """∂/∂z Σ g·f(z) for f linear in z, from the library itself: f at every basis vector."""
    out = np.zeros(shape, dtype=np.int64)
    for m in np.ndindex(*shape):
        e = np.zeros(shape, dtype=np.int64)
        e[m] = 1
        out[m] = round(float(np.sum(g * f(e))))
    return out


@settings(max_examples=30)
@given(
    st.sampled_from(["convolve", "correlate"]),
    st.sampled_from(["full", "valid", "same"]),
    st.integers(1, 6),
    st.integers(1, 6),
    st.integers(0, 2**31),
)
def test_public_grad_of_numpy_adapters_equals_numpy(op, mode, n, k, seed):
    """Real symbols (numpy's correlate conjugates v: with real entries that is the identity)."""
    rng = np.random.default_rng(seed)
    a, v = symbols("a", n, real=True), symbols("v", k, real=True)
    av, vv = rng.integers(-4, 5, n), rng.integers(-4, 5, k)
    y = getattr(snp, op)(a, v, mode)
    gv = rng.integers(-4, 5, y.shape)
    got = _public_grads(y, {"a": (a, av), "v": (v, vv)}, gv)
    fn = getattr(np, op)
    np.testing.assert_array_equal(got["a"], _library_grad(lambda e: fn(e, vv, mode), (n,), gv))
    np.testing.assert_array_equal(got["v"], _library_grad(lambda e: fn(av, e, mode), (k,), gv))


@settings(max_examples=30)
@given(
    st.sampled_from(["convolve2d", "correlate2d"]),
    st.sampled_from(["full", "valid", "same"]),
    st.sampled_from(["fill", "wrap", "symm"]),
    st.tuples(st.integers(1, 4), st.integers(1, 4)),
    st.tuples(st.integers(1, 3), st.integers(1, 3)),
    st.integers(0, 2**31),
)
def test_public_grad_of_scipy_2d_adapters_equals_scipy(op, mode, boundary, ns, ks, seed):
    signal = peers.module("scipy.signal", "scipy")
    assume(mode != "valid" or all(a >= b for a, b in zip(ns, ks)) or all(a <= b for a, b in zip(ns, ks)))
    rng = np.random.default_rng(seed)
    x, w = symbols("x", ns, real=True), symbols("w", ks, real=True)
    xv, wv = rng.integers(-4, 5, ns), rng.integers(-4, 5, ks)
    y = getattr(ssp, op)(x, w, mode, boundary)
    gv = rng.integers(-4, 5, y.shape)
    got = _public_grads(y, {"x": (x, xv), "w": (w, wv)}, gv)
    fn = getattr(signal, op)
    np.testing.assert_array_equal(got["x"], _library_grad(lambda e: fn(e, wv, mode, boundary), ns, gv))
    np.testing.assert_array_equal(got["w"], _library_grad(lambda e: fn(xv, e, mode, boundary), ks, gv))


@st.composite
def core_calls(draw):
    """symconv.correlate/convolve calls: N-D, per-axis stride and dilation, per-side padding or a mode."""
    nd = draw(st.integers(1, 3))
    top = {1: 6, 2: 4, 3: 3}[nd]
    ks = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    ns = tuple(max(d * (k - 1) + 1, draw(st.integers(1, top))) for d, k in zip(dilation, ks))
    how = draw(st.sampled_from(["valid", "same", "full", "padding"]))
    stride = (1,) * nd if how == "same" else tuple(draw(st.integers(1, 3)) for _ in range(nd))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(nd))
    return draw(st.booleans()), ns, ks, stride, dilation, how, pads


@settings(max_examples=30)
@given(core_calls(), st.integers(0, 2**31))
def test_public_grad_of_core_operations_equals_torch_autograd(call, seed):
    torch = peers.module("torch")
    F = torch.nn.functional
    from symconv import convolve, correlate

    flip, ns, ks, stride, dilation, how, pads = call
    nd = len(ns)
    x, w = symbols("x", ns), symbols("w", ks)
    kw = {"stride": stride, "dilation": dilation}
    if how == "padding":
        kw["padding"] = pads
        lohi = pads
    elif how == "full":
        lohi = tuple((d * (k - 1), d * (k - 1)) for d, k in zip(dilation, ks))
    else:  # valid, or same (torch pads)
        lohi = ((0, 0),) * nd
    y = (convolve if flip else correlate)(x, w, *(() if how == "padding" else (how,)), **kw)
    rng = np.random.default_rng(seed)
    xv, wv = rng.integers(-3, 4, ns), rng.integers(-3, 4, ks)
    gv = rng.integers(-3, 4, y.shape)
    tx = torch.tensor(xv, dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(wv, dtype=torch.float64, requires_grad=True)
    twk = torch.flip(tw, dims=list(range(nd))) if flip else tw
    spans = [p for pair in reversed(lohi) for p in pair]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
        ty = getattr(F, f"conv{nd}d")(
            F.pad(tx[None, None], spans),
            twk[None, None],
            stride=stride,
            dilation=dilation,
            padding="same" if how == "same" else 0,  # torch's own 'same' (stride 1)
        )
    assert tuple(ty.shape[2:]) == y.shape
    (ty[0, 0] * torch.tensor(gv, dtype=torch.float64)).sum().backward()
    got = _public_grads(y, {"x": (x, xv), "w": (w, wv)}, gv)
    np.testing.assert_array_equal(got["x"], tx.grad.numpy())
    np.testing.assert_array_equal(got["w"], tw.grad.numpy())
