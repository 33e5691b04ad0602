"""symconv.compat.scipy against scipy.signal itself (exact: small integers)."""

from __future__ import annotations

import itertools

import numpy as np
import peers
import pytest
import sympy
from exactcheck import assert_same, bind, integers

from symconv import SymconvError, symbols
from symconv.compat import scipy as ssp

RNG = np.random.default_rng(7)


@pytest.fixture(scope="module")
def signal():
    return peers.module("scipy.signal", "scipy")


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_1d_every_small_size(signal, op, mode):
    for n, k in itertools.product(range(1, 6), repeat=2):
        x, w = symbols("x", n), symbols("w", k)
        xv, wv = integers(RNG, n, complex_=True), integers(RNG, k, complex_=True)
        want = getattr(signal, op)(xv, wv, mode, method="direct")
        assert_same(getattr(ssp, op)(x, w, mode), want, {**bind(x, xv), **bind(w, wv)})


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_nd_shapes(signal, op, mode):
    shapes = [((3, 4), (2, 3)), ((2, 2), (3, 4)), ((4, 1, 3), (2, 1, 2)), ((2, 3, 2), (2, 3, 2)), ((3, 2), (1, 2))]
    for ns, ks in shapes:
        x, w = symbols("x", ns), symbols("w", ks)
        xv, wv = integers(RNG, ns, complex_=True), integers(RNG, ks, complex_=True)
        want = getattr(signal, op)(xv, wv, mode)
        assert_same(getattr(ssp, op)(x, w, mode), want, {**bind(x, xv), **bind(w, wv)})


@pytest.mark.parametrize("op", ["convolve2d", "correlate2d"])
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm"])
def test_2d_boundaries(signal, op, mode, boundary):
    shapes = [((3, 4), (2, 3)), ((2, 2), (3, 4)), ((1, 3), (4, 2)), ((4, 3), (1, 1)), ((2, 3), (2, 3))]
    for ns, ks in shapes:
        if mode == "valid" and not (all(a >= b for a, b in zip(ns, ks)) or all(b >= a for a, b in zip(ns, ks))):
            continue
        x, w = symbols("x", ns), symbols("w", ks)
        xv, wv = integers(RNG, ns, complex_=True), integers(RNG, ks, complex_=True)
        fill = 3 - 2j
        want = getattr(signal, op)(xv, wv, mode, boundary=boundary, fillvalue=fill)
        assert_same(getattr(ssp, op)(x, w, mode, boundary, fill), want, {**bind(x, xv), **bind(w, wv)})


def test_symbolic_fillvalue(signal):
    x, w, c = symbols("x", (2, 3)), symbols("w", (2, 2)), sympy.Symbol("c")
    out = ssp.correlate2d(x, w, "same", fillvalue=c)
    xv, wv = integers(RNG, (2, 3)), integers(RNG, (2, 2))
    for cv in (0, 5, -4):
        want = signal.correlate2d(xv, wv, "same", fillvalue=cv)
        assert_same(out, want, {**bind(x, xv), **bind(w, wv), c: sympy.Integer(cv)})


def test_boundary_aliases_agree():
    x, w = symbols("x", (2, 3)), symbols("w", (2, 2))
    assert ssp.convolve2d(x, w, boundary="wrap") == ssp.convolve2d(x, w, boundary="circular")
    assert ssp.convolve2d(x, w, boundary="symm") == ssp.convolve2d(x, w, boundary="symmetric")
    assert ssp.convolve2d(x, w, boundary="fill") == ssp.convolve2d(x, w, boundary="pad")


def test_same_centring_of_correlate_vs_correlate2d_for_even_kernels(signal):
    """correlate pads K//2 before; correlate2d pads (K-1)//2 before: one sample apart for even K."""
    xv, wv = np.array([[1, 2, 3, 4]]), np.array([[1, 10]])
    a = signal.correlate(xv, wv, "same")
    b = signal.correlate2d(xv, wv, "same")
    assert a.tolist() != b.tolist()  # scipy really differs here
    assert ssp.correlate(xv, wv, "same").tolist() == a.tolist()
    assert ssp.correlate2d(xv, wv, "same").tolist() == b.tolist()
    x, w = symbols("x", (1, 4)), symbols("w", (1, 2), real=True)
    first = ssp.correlate(x, w, "same")[0, 0]
    assert first == w[0, 1] * x[0, 0]
    assert ssp.correlate2d(x, w, "same")[0, 0] == w[0, 0] * x[0, 0] + w[0, 1] * x[0, 1]


def test_correlate2d_valid_swap_moves_the_conjugate(signal):
    x, w = symbols("x", (1, 1)), symbols("w", (1, 2))
    out = ssp.correlate2d(x, w, "valid")
    assert out.tolist() == [[sympy.conjugate(x[0, 0]) * w[0, 1], sympy.conjugate(x[0, 0]) * w[0, 0]]]
    xv, wv = np.array([[2 + 1j]]), np.array([[1 + 3j, 4 - 1j]])
    assert_same(out, signal.correlate2d(xv, wv, "valid"), {**bind(x, xv), **bind(w, wv)})
    # the N-D correlate keeps the conjugate on in2
    assert_same(ssp.correlate(x, w, "valid"), signal.correlate(xv, wv, "valid"), {**bind(x, xv), **bind(w, wv)})


def test_zero_dimensional_inputs(signal):
    assert ssp.correlate(sympy.Integer(2), sympy.I).tolist() == -2 * sympy.I
    assert complex(signal.correlate(np.array(2), np.array(1j))) == -2j


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: ssp.convolve([1, 2], [1], mode="middle"), "`mode`"),
        (lambda: ssp.convolve([1, 2], [1], method="magic"), "`method`"),
        (lambda: ssp.convolve2d([[1]], [[1]], boundary="reflect"), "`boundary`"),
        (lambda: ssp.convolve2d([[1]], [[1]], fillvalue=[1, 2]), "`fillvalue`"),
        (lambda: ssp.convolve2d([1, 2], [1]), "2-D"),
        (lambda: ssp.correlate([[1, 2]], [1]), "same number of axes"),
        (lambda: ssp.correlate([[1, 2]], [[1], [2]], "valid"), "at least as large"),
        (lambda: ssp.correlate([1], []), "`in2` must not be empty"),
    ],
)
def test_bad_arguments(call, needle):
    with pytest.raises(SymconvError, match=r"scipy\.signal") as info:
        call()
    assert needle in str(info.value)
