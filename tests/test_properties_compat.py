"""Hypothesis: the adapters' exact symbolic outputs, with random integers substituted,
equal what numpy, scipy.signal and torch.nn.functional compute — and they refuse
exactly the arguments the libraries refuse."""

from __future__ import annotations

import warnings

import numpy as np
import peers
import pytest
from exactcheck import assert_same, bind
from hypothesis import event, given
from hypothesis import strategies as st

from symconv import SymconvError, symbols
from symconv import convolve as symconv_convolve
from symconv import correlate as symconv_correlate
from symconv.compat import numpy as snp
from symconv.compat import scipy as ssp
from symconv.compat import torch as storch

ints = st.integers(-6, 6)


def _values(draw, shape, complex_):
    size = int(np.prod(shape))
    re = np.array(draw(st.lists(ints, min_size=size, max_size=size)), dtype=np.int64).reshape(shape)
    if not complex_:
        return re
    im = np.array(draw(st.lists(ints, min_size=size, max_size=size)), dtype=np.int64).reshape(shape)
    return re + 1j * im


@st.composite
def numpy_cases(draw):
    n, k = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    complex_ = draw(st.booleans())
    return (
        draw(st.sampled_from(["convolve", "correlate"])),
        draw(st.sampled_from([None, "full", "valid", "same"])),  # None: the library's default mode
        (
            _values(draw, (n,), complex_),
            _values(draw, (k,), complex_),
        ),
    )


@given(numpy_cases())
def test_numpy(case):
    op, mode, (av, vv) = case
    a, v = symbols("a", av.shape), symbols("v", vv.shape)
    args = () if mode is None else (mode,)
    assert_same(getattr(snp, op)(a, v, *args), getattr(np, op)(av, vv, *args), {**bind(a, av), **bind(v, vv)})


@st.composite
def scipy_cases(draw):
    nd = draw(st.integers(1, 3))
    top = {1: 6, 2: 4, 3: 3}[nd]
    ns = tuple(draw(st.integers(1, top)) for _ in range(nd))
    ks = tuple(draw(st.integers(1, top)) for _ in range(nd))
    complex_ = draw(st.booleans())
    return (
        draw(st.sampled_from(["convolve", "correlate"])),
        draw(st.sampled_from(["full", "valid", "same"])),
        draw(st.sampled_from(["auto", "direct", "fft"])),
        _values(draw, ns, complex_),
        _values(draw, ks, complex_),
    )


@given(scipy_cases())
def test_scipy_nd(case):
    signal = peers.module("scipy.signal", "scipy")
    op, mode, method, xv, wv = case
    x, w = symbols("x", xv.shape), symbols("w", wv.shape)
    try:
        want = getattr(signal, op)(xv, wv, mode, method=method)
    except ValueError:
        event("the library refuses these arguments, and so does symconv")
        with pytest.raises(SymconvError, match=rf"^scipy\.signal\.{op}: "):
            getattr(ssp, op)(x, w, mode, method)
        return
    assert_same(getattr(ssp, op)(x, w, mode, method), want, {**bind(x, xv), **bind(w, wv)})


@st.composite
def scipy_2d_cases(draw):
    ns = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    ks = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    complex_ = draw(st.booleans())
    return (
        draw(st.sampled_from(["convolve2d", "correlate2d"])),
        draw(st.sampled_from(["full", "valid", "same"])),
        draw(st.sampled_from(["fill", "wrap", "symm", "pad", "circular", "symmetric"])),
        draw(ints) + (1j * draw(ints) if complex_ else 0),
        _values(draw, ns, complex_),
        _values(draw, ks, complex_),
    )


@given(scipy_2d_cases())
def test_scipy_2d_boundaries(case):
    signal = peers.module("scipy.signal", "scipy")
    op, mode, boundary, fill, xv, wv = case
    x, w = symbols("x", xv.shape), symbols("w", wv.shape)
    try:
        want = getattr(signal, op)(xv, wv, mode, boundary=boundary, fillvalue=fill)
    except ValueError:
        event("the library refuses these arguments, and so does symconv")
        with pytest.raises(SymconvError, match=rf"^scipy\.signal\.{op}: "):
            getattr(ssp, op)(x, w, mode, boundary, fill)
        return
    assert_same(getattr(ssp, op)(x, w, mode, boundary, fill), want, {**bind(x, xv), **bind(w, wv)})


@st.composite
def torch_conv_cases(draw):
    nd = draw(st.integers(1, 3))
    top = {1: 4, 2: 3, 3: 2}[nd]
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    batch = draw(st.sampled_from([None, 1, 2]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    # mostly inputs at least as large as the kernel; sometimes smaller (torch refuses unless padded)
    spatial = tuple(k + draw(st.integers(-1, top)) for k in kernel)
    spatial = tuple(max(1, n) for n in spatial)
    x_shape = ((batch,) if batch else ()) + (cin, *spatial)
    w_shape = (cout, cin // groups, *kernel)
    padding = draw(
        st.one_of(st.integers(0, 2), st.tuples(*[st.integers(0, 2)] * nd), st.sampled_from(["valid", "same"]))
    )
    strides = st.integers(1, 3) if padding != "same" else st.sampled_from([1, 1, 1, 2])
    kw = {
        "stride": draw(st.one_of(strides, st.tuples(*[strides] * nd))),
        "dilation": draw(st.one_of(st.integers(1, 2), st.tuples(*[st.integers(1, 2)] * nd))),
        "padding": padding,
        "groups": groups,
        "padding_mode": draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"])),
    }
    return nd, x_shape, w_shape, draw(st.booleans()), kw


def _gaussian_integers(rng, shape, complex_):
    """Small integers, or Gaussian integers: torch convolves complex tensors WITHOUT conjugating, which
    integer-valued real tests cannot tell from conjugating (conj(w) = w there)."""
    re = rng.integers(-6, 7, size=shape)
    return re + 1j * rng.integers(-6, 7, size=shape) if complex_ else re


def _torch_dtype(torch, *arrays):
    return torch.complex128 if any(np.iscomplexobj(a) for a in arrays if a is not None) else torch.float64


def _torch_module_conv(torch, nd, xv, wv, bv, kw):
    """torch's own result: nn.ConvNd (which applies padding_mode), or the exception it raises."""
    dtype = _torch_dtype(torch, xv, wv, bv)
    cls = getattr(torch.nn, f"Conv{nd}d")
    m = cls(
        wv.shape[1] * kw["groups"],
        wv.shape[0],
        tuple(wv.shape[2:]),
        stride=kw["stride"],
        padding=kw["padding"],
        dilation=kw["dilation"],
        groups=kw["groups"],
        bias=bv is not None,
        padding_mode=kw["padding_mode"],
        dtype=dtype,
    )
    with torch.no_grad():
        m.weight.copy_(torch.tensor(wv, dtype=dtype))
        if bv is not None:
            m.bias.copy_(torch.tensor(bv, dtype=dtype))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
            return m(torch.tensor(xv, dtype=dtype)).numpy()


@given(torch_conv_cases(), st.randoms(use_true_random=False), st.booleans())
def test_torch_conv(case, rnd, complex_):
    torch = peers.module("torch")
    nd, x_shape, w_shape, has_bias, kw = case
    rng = np.random.default_rng(rnd.getrandbits(32))
    xv, wv = _gaussian_integers(rng, x_shape, complex_), _gaussian_integers(rng, w_shape, complex_)
    bv = _gaussian_integers(rng, w_shape[0], complex_) if has_bias else None
    x, w = symbols("x", x_shape), symbols("w", w_shape)
    b = symbols("b", w_shape[0]) if has_bias else None
    fn = getattr(storch, f"conv{nd}d")
    try:
        want = _torch_module_conv(torch, nd, xv, wv, bv, kw)
    except (RuntimeError, ValueError, NotImplementedError):
        event("the library refuses these arguments, and so does symconv")
        with pytest.raises(SymconvError, match=rf"^conv{nd}d: "):  # refused at the public boundary, named
            fn(x, w, b, **kw)
        return
    binding = {**bind(x, xv), **bind(w, wv), **(bind(b, bv) if has_bias else {})}
    assert_same(fn(x, w, b, **kw), want, binding)


@st.composite
def torch_transpose_cases(draw):
    nd = draw(st.integers(1, 3))
    top = {1: 5, 2: 3, 3: 2}[nd]
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    batch = draw(st.sampled_from([None, 1, 2]))
    spatial = tuple(draw(st.integers(1, top)) for _ in range(nd))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    x_shape = ((batch,) if batch else ()) + (cin, *spatial)
    w_shape = (cin, cout // groups, *kernel)
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    # usually a legal output_padding (< stride or < dilation), sometimes anything up to 2
    legal = draw(st.integers(0, 4)) > 0
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1 if legal else 2)) for s, d in zip(stride, dilation))
    as_int = draw(st.booleans())  # torch also takes a single int for every axis
    kw = {
        "stride": stride[0] if as_int else stride,
        "padding": draw(st.one_of(st.integers(0, 2), st.tuples(*[st.integers(0, 2)] * nd))),
        "output_padding": output_padding[0] if as_int else output_padding,
        "groups": groups,
        "dilation": dilation[0] if as_int else dilation,
    }
    return nd, x_shape, w_shape, draw(st.booleans()), kw


@given(torch_transpose_cases(), st.randoms(use_true_random=False), st.booleans())
def test_torch_conv_transpose(case, rnd, complex_):
    torch = peers.module("torch")
    nd, x_shape, w_shape, has_bias, kw = case
    rng = np.random.default_rng(rnd.getrandbits(32))
    c_out = w_shape[1] * kw["groups"]
    xv, wv = _gaussian_integers(rng, x_shape, complex_), _gaussian_integers(rng, w_shape, complex_)
    bv = _gaussian_integers(rng, c_out, complex_) if has_bias else None
    x, w = symbols("x", x_shape), symbols("w", w_shape)
    b = symbols("b", c_out) if has_bias else None
    fn = getattr(storch, f"conv_transpose{nd}d")
    dtype = _torch_dtype(torch, xv, wv)
    tb = None if bv is None else torch.tensor(bv, dtype=dtype)
    try:
        want = getattr(torch.nn.functional, f"conv_transpose{nd}d")(
            torch.tensor(xv, dtype=dtype), torch.tensor(wv, dtype=dtype), tb, **kw
        ).numpy()
    except (RuntimeError, ValueError):
        event("the library refuses these arguments, and so does symconv")
        with pytest.raises(SymconvError, match=rf"^conv_transpose{nd}d: "):
            fn(x, w, b, **kw)
        return
    binding = {**bind(x, xv), **bind(w, wv), **(bind(b, bv) if has_bias else {})}
    assert_same(fn(x, w, b, **kw), want, binding)


@st.composite
def core_cases(draw):
    """symconv's own correlate/convolve: N-D, per-axis stride/dilation, per-side padding or a mode."""
    nd = draw(st.integers(1, 3))
    top = {1: 7, 2: 5, 3: 3}[nd]
    ks = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    ns = tuple(draw(st.integers(1, top)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    how = draw(st.sampled_from(["valid", "same", "full", "padding"]))
    stride = (1,) * nd if how == "same" else tuple(draw(st.integers(1, 3)) for _ in range(nd))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(nd))
    return draw(st.booleans()), ns, ks, stride, dilation, how, pads


@given(core_cases(), st.randoms(use_true_random=False), st.booleans())
def test_core_operations_equal_torch(case, rnd, complex_):
    """correlate is torch's conv (no flip, no conjugation), convolve flips every spatial axis; torch pads, strides."""
    torch = peers.module("torch")
    F = torch.nn.functional
    flip, ns, ks, stride, dilation, how, pads = case
    nd = len(ns)
    rng = np.random.default_rng(rnd.getrandbits(32))
    xv, wv = _gaussian_integers(rng, ns, complex_), _gaussian_integers(rng, ks, complex_)
    x, w = symbols("x", ns), symbols("w", ks)
    fn = symconv_convolve if flip else symconv_correlate
    kw = {"stride": stride, "dilation": dilation}
    dtype = _torch_dtype(torch, xv, wv)
    tx = torch.tensor(xv, dtype=dtype)[None, None]
    tw = torch.tensor(wv, dtype=dtype)[None, None]
    if flip:
        tw = torch.flip(tw, dims=list(range(2, 2 + nd)))
    conv = getattr(F, f"conv{nd}d")
    if how == "padding":
        kw["padding"] = pads
        spans = [p for lo_hi in reversed(pads) for p in lo_hi]  # F.pad lists the last axis first
    elif how == "full":
        spans = [d * (k - 1) for d, k in zip(reversed(dilation), reversed(ks)) for _ in (0, 1)]
    else:
        spans = [0] * (2 * nd)
    args = () if how == "padding" else (how,)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
            want = conv(F.pad(tx, spans), tw, stride=stride, dilation=dilation, padding="same" if how == "same" else 0)[
                0, 0
            ].numpy()
    except RuntimeError:
        event("torch refuses (kernel larger than the padded input), and so does symconv")
        with pytest.raises(SymconvError, match=rf"^{fn.__name__}: the dilated kernel .* must fit in the padded input"):
            fn(x, w, *args, **kw)
        return
    assert_same(fn(x, w, *args, **kw), want, {**bind(x, xv), **bind(w, wv)})
