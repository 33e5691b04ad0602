"""symconv.output_shape and the size helpers, checked against the libraries' own output shapes."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import peers
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symconv
from symconv import SymconvError, conv_output_size, conv_transpose_output_size, output_padding_choices, output_shape


@pytest.fixture(scope="module")
def torch():
    return peers.module("torch")


def test_numpy_shapes():
    for n, k, mode, op in itertools.product(
        range(1, 6), range(1, 6), ("full", "valid", "same"), ("convolve", "correlate")
    ):
        want = getattr(np, op)(np.ones(n), np.ones(k), mode).shape
        assert output_shape(f"numpy.{op}", (n,), (k,), mode=mode) == want


def test_scipy_shapes():
    signal = peers.module("scipy.signal", "scipy")
    for ns, ks in [((3, 4), (2, 3)), ((2, 2), (3, 4)), ((5, 1), (2, 1))]:
        for mode, op in itertools.product(
            ("full", "valid", "same"), ("convolve", "correlate", "convolve2d", "correlate2d")
        ):
            want = getattr(signal, op)(np.ones(ns), np.ones(ks), mode).shape
            assert output_shape(f"scipy.{op}", ns, ks, mode=mode) == want


def test_core_shapes_match_the_operations():
    x, w = symconv.symbols("x", (6, 5)), symconv.symbols("w", (3, 2))
    for kw in [{}, {"mode": "full"}, {"mode": "same"}, {"stride": 2}, {"dilation": (2, 1), "padding": 1}]:
        for name in ("correlate", "convolve"):
            assert output_shape(name, x.shape, w.shape, **kw) == getattr(symconv, name)(x, w, **kw).shape


def test_torch_shapes(torch):
    F = torch.nn.functional
    cases = [
        ("conv1d", (2, 4, 9), (6, 2, 3), {"stride": 2, "padding": 1, "groups": 2}),
        ("conv1d", (4, 9), (6, 4, 4), {"padding": "same", "dilation": 3}),
        ("conv2d", (1, 3, 8, 7), (5, 3, 3, 2), {"stride": (2, 3), "padding": (1, 0), "dilation": (1, 2)}),
        ("conv3d", (1, 2, 5, 6, 7), (2, 1, 2, 3, 2), {"groups": 2, "padding": "valid"}),
        ("conv_transpose1d", (2, 4, 5), (4, 3, 3), {"stride": 3, "padding": 1, "output_padding": 2}),
        ("conv_transpose2d", (1, 2, 3, 4), (2, 1, 2, 3), {"stride": 2, "dilation": (1, 3), "output_padding": (1, 2)}),
        ("conv_transpose3d", (1, 2, 2, 2, 2), (2, 2, 1, 2, 3), {"groups": 2, "stride": (1, 2, 1)}),
    ]
    for op, xs, ws, kw in cases:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
            want = getattr(F, op)(
                torch.zeros(xs, dtype=torch.float64), torch.zeros(ws, dtype=torch.float64), **kw
            ).shape
        assert output_shape(f"torch.{op}", xs, ws, **kw) == tuple(want), op


def test_torch_floor_formula_exhaustively(torch):
    F = torch.nn.functional
    for n, k, s, p, d in itertools.product(range(1, 8), range(1, 4), range(1, 4), range(3), range(1, 3)):
        if d * (k - 1) + 1 > n + 2 * p:
            with pytest.raises(SymconvError, match="must fit"):
                conv_output_size(n, k, s, p, d)
            continue
        want = F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d).shape[-1]
        assert conv_output_size(n, k, s, p, d) == want


def test_symbolic_size_formula_agrees_with_torch(torch):
    N, K, s, p, d = sympy.symbols("N K s p d", integer=True, positive=True)
    formula = conv_output_size(N, K, s, p, d)
    assert formula == sympy.floor((N + 2 * p - d * (K - 1) - 1) / s) + 1
    t_formula = conv_transpose_output_size(N, K, s, p, d, 0)
    assert sympy.expand(t_formula - ((N - 1) * s - 2 * p + d * (K - 1) + 1)) == 0
    F = torch.nn.functional
    for n, k, sv, pv, dv in [(9, 3, 2, 1, 1), (10, 2, 3, 2, 2), (7, 3, 1, 1, 3)]:
        m = F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=sv, padding=pv, dilation=dv).shape[-1]
        assert formula.subs({N: n, K: k, s: sv, p: pv, d: dv}) == m


def test_output_padding_choices_recover_every_input_size(torch):
    """Each listed input size really gives the output size, and conv_transpose with its output_padding returns it."""
    F = torch.nn.functional
    for m, k, s, p, d in itertools.product(range(1, 5), range(1, 4), range(1, 4), range(2), range(1, 3)):
        choices = output_padding_choices(m, k, s, p, d)
        for n, q in choices:
            assert F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d).shape[-1] == m
            assert q < s  # always allowed by torch's rule
            t = F.conv_transpose1d(
                torch.zeros(1, 1, m), torch.zeros(1, 1, k), stride=s, padding=p, output_padding=q, dilation=d
            )
            assert t.shape[-1] == n
        # and nothing is missing: every n in a wide range with output m is listed
        listed = {c.input_size for c in choices}
        for n in range(1, 30):
            if d * (k - 1) + 1 <= n + 2 * p:
                got = F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d).shape[-1]
                assert (got == m) == (n in listed), (m, k, s, p, d, n)


def test_output_padding_choices_stride_two():
    assert [tuple(c) for c in output_padding_choices(4, 3, stride=2, padding=1)] == [(7, 0), (8, 1)]


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: output_shape("torch.conv4d", (1,), (1,)), "`op`"),
        (lambda: output_shape("torch.conv1d", (1, 2, 0), (1, 2, 1)), "`input_shape`"),
        (lambda: output_shape("torch.conv1d", (1, 3, 5), (2, 1, 2), groups=2), "`in_channels` (=3)"),
        (lambda: output_shape("numpy.convolve", (3, 2), (2,)), "one-dimensional"),
        (lambda: output_shape("scipy.correlate", (3, 1), (1, 3), mode="valid"), "at least as large"),
        (lambda: conv_output_size(2, 5), "must fit"),
        (lambda: conv_output_size(5, 2, stride=0), "`stride`"),
        (lambda: conv_transpose_output_size(3, 2, stride=2, output_padding=2), "`output_padding` (=2)"),
        (lambda: output_padding_choices(0, 3), "`output_size`"),
    ],
)
def test_bad_arguments(call, needle):
    with pytest.raises(SymconvError) as info:
        call()
    assert needle in str(info.value)


def test_parameters_are_checked_per_operation():
    assert output_shape("scipy.correlate2d", (3, 3), (2, 2), boundary="wrap", fillvalue=1) == (4, 4)
    with pytest.raises(SymconvError, match="takes no parameter 'stride'"):
        output_shape("numpy.convolve", (3,), (2,), stride=2)
    with pytest.raises(SymconvError, match="takes no parameter 'output_padding'"):
        output_shape("torch.conv1d", (1, 2, 3), (2, 2, 2), output_padding=0)
    with pytest.raises(SymconvError, match="`boundary`"):
        output_shape("scipy.convolve2d", (3, 3), (2, 2), boundary="reflect")
    with pytest.raises(SymconvError, match="`method`"):
        output_shape("scipy.convolve", (3,), (2,), method="fast")


@st.composite
def torch_shape_cases(draw):
    nd = draw(st.integers(1, 3))
    transposed = draw(st.booleans())
    groups = draw(st.integers(1, 3))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    batch = draw(st.sampled_from([None, 1, 3]))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    spatial = tuple(draw(st.integers(1, 9)) for _ in range(nd))
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(*[st.integers(1, 3)] * nd)))
    dilation = draw(st.one_of(st.integers(1, 3), st.tuples(*[st.integers(1, 3)] * nd)))
    x_shape = ((batch,) if batch else ()) + (cin, *spatial)
    if transposed:
        w_shape = (cin, cout // groups, *kernel)
        kw = {
            "stride": stride,
            "padding": draw(st.one_of(st.integers(0, 3), st.tuples(*[st.integers(0, 3)] * nd))),
            "output_padding": draw(st.one_of(st.integers(0, 2), st.tuples(*[st.integers(0, 2)] * nd))),
            "dilation": dilation,
            "groups": groups,
        }
    else:
        w_shape = (cout, cin // groups, *kernel)
        kw = {
            "stride": stride,
            "padding": draw(
                st.one_of(st.integers(0, 3), st.tuples(*[st.integers(0, 3)] * nd), st.sampled_from(["valid", "same"]))
            ),
            "dilation": dilation,
            "groups": groups,
        }
    return f"conv_transpose{nd}d" if transposed else f"conv{nd}d", x_shape, w_shape, kw


@given(torch_shape_cases())
def test_output_shape_is_torchs_for_random_parameters(case):
    torch = peers.module("torch")
    op, xs, ws, kw = case
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
            want = tuple(
                getattr(torch.nn.functional, op)(
                    torch.zeros(xs, dtype=torch.float64), torch.zeros(ws, dtype=torch.float64), **kw
                ).shape
            )
    except (RuntimeError, ValueError):
        with pytest.raises(SymconvError):
            output_shape(f"torch.{op}", xs, ws, **kw)
        return
    assert output_shape(f"torch.{op}", xs, ws, **kw) == want
    c_out = want[-len(ws) + 1]
    assert output_shape(f"torch.{op}", xs, ws, bias=(c_out,), **kw) == want


def test_output_shape_checks_the_bias_shape():
    with pytest.raises(SymconvError, match=r"`bias` must have shape \(3,\)"):
        output_shape("torch.conv1d", (1, 2, 5), (3, 2, 2), bias=(2,))
    with pytest.raises(SymconvError, match="`bias`"):
        output_shape("torch.conv1d", (1, 2, 5), (3, 2, 2), bias="b")


@given(
    st.sampled_from(["numpy.convolve", "numpy.correlate", "scipy.convolve", "scipy.correlate"]),
    st.sampled_from(["full", "valid", "same"]),
    st.lists(st.integers(1, 6), min_size=1, max_size=3),
    st.lists(st.integers(1, 6), min_size=1, max_size=3),
)
def test_output_shape_is_numpys_and_scipys(op, mode, ns, ks):
    lib, name = op.split(".")
    if lib == "numpy":
        ns, ks = ns[:1], ks[:1]
        fn = getattr(np, name)
    else:
        ks = (ks * 3)[: len(ns)]
        fn = getattr(peers.module("scipy.signal", "scipy"), name)
    try:
        want = fn(np.ones(ns), np.ones(ks), mode).shape
    except ValueError:
        with pytest.raises(SymconvError):
            output_shape(op, tuple(ns), tuple(ks), mode=mode)
        return
    assert output_shape(op, tuple(ns), tuple(ks), mode=mode) == want
