"""symconv.correlate / convolve: the seed's examples, and N-D/stride/dilation/padding/modes
against an independent plain-loop reference written here."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy

from symconv import convolve, correlate, symbols

F = [2, 1, 3, 5, 4]


# -- the seed's worked examples, exactly ---------------------------------------------------


def test_seed_two_tap_kernel():
    assert convolve(F, [1, -1]).tolist() == [-1, 2, 2, -1]
    assert correlate(F, [1, -1]).tolist() == [1, -2, -2, 1]


def test_seed_symmetric_three_tap_kernel_gives_the_same_result():
    h2 = [-1, 2, -1]
    assert convolve(F, h2).tolist() == [-3, 0, 3]
    assert correlate(F, h2).tolist() == [-3, 0, 3]


def test_seed_output_lengths():
    assert len(correlate(F, [7])) == 5
    assert len(convolve(F, [7])) == 5
    assert len(correlate(F, [1, 2, 3])) == 3


def test_seed_snippet_non_symmetric_kernel_differs():
    """The seed's own snippet uses h2 = [-1, 2, 1], which is NOT symmetric: the results differ."""
    h2 = [-1, 2, 1]
    conv, corr = convolve(F, h2).tolist(), correlate(F, h2).tolist()
    assert conv == [1, 2, 9]
    assert corr == [3, 10, 11]
    assert conv == np.convolve(F, h2, mode="valid").tolist()
    assert corr == np.correlate(F, h2, mode="valid").tolist()


def test_symbolic_first_entry():
    x, w = symbols("x", 5), symbols("w", 2)
    assert correlate(x, w)[0] == x[0] * w[0] + x[1] * w[1]
    assert convolve(x, w)[0] == x[0] * w[1] + x[1] * w[0]


# -- an independent reference: plain loops, nothing from symconv ----------------------------


def reference(x, w, stride, dilation, lo, hi, flip):
    x, w = np.asarray(x, dtype=object), np.asarray(w, dtype=object)
    if flip:
        w = w[(slice(None, None, -1),) * w.ndim]
    out_shape = tuple(
        (n + a + b - d * (k - 1) - 1) // s + 1 for n, k, s, d, a, b in zip(x.shape, w.shape, stride, dilation, lo, hi)
    )
    y = np.zeros(out_shape, dtype=object)
    for n in itertools.product(*(range(m) for m in out_shape)):
        total = sympy.Integer(0)
        for k in itertools.product(*(range(q) for q in w.shape)):
            m = tuple(s * i + d * j - a for i, j, s, d, a in zip(n, k, stride, dilation, lo))
            if all(0 <= mi < size for mi, size in zip(m, x.shape)):
                total += x[m] * w[k]
        y[n] = total
    return y


def _same(a, b):
    a, b = np.asarray(a.numpy() if hasattr(a, "numpy") else a, dtype=object), np.asarray(b, dtype=object)
    assert a.shape == b.shape
    assert all(sympy.expand(p - q) == 0 for p, q in zip(a.flat, b.flat))


@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize(
    ("xs", "ws", "kw", "lo", "hi"),
    [
        ((7,), (3,), {}, (0,), (0,)),
        ((7,), (3,), {"mode": "full"}, (2,), (2,)),
        ((7,), (3,), {"mode": "same"}, (1,), (1,)),
        ((7,), (4,), {"mode": "same"}, (1,), (2,)),  # even kernel: the extra zero at the end
        ((9,), (3,), {"stride": 2}, (0,), (0,)),
        ((9,), (3,), {"dilation": 3}, (0,), (0,)),
        ((9,), (2,), {"stride": 3, "dilation": 2, "mode": "full"}, (2,), (2,)),
        ((6,), (3,), {"padding": 2}, (2,), (2,)),
        ((6,), (3,), {"padding": ((1, 3),)}, (1,), (3,)),
        ((4, 5), (2, 3), {}, (0, 0), (0, 0)),
        ((4, 5), (2, 3), {"mode": "full"}, (1, 2), (1, 2)),
        ((4, 5), (2, 3), {"mode": "same"}, (0, 1), (1, 1)),
        ((5, 6), (2, 2), {"stride": (2, 1), "dilation": (1, 2)}, (0, 0), (0, 0)),
        ((3, 3, 4), (2, 1, 2), {"padding": (1, 0, (0, 1))}, (1, 0, 0), (1, 0, 1)),
    ],
)
def test_against_plain_loops(flip, xs, ws, kw, lo, hi):
    x, w = symbols("x", xs), symbols("w", ws)
    op = convolve if flip else correlate
    s = kw.get("stride", 1)
    d = kw.get("dilation", 1)
    s = (s,) * len(xs) if isinstance(s, int) else s
    d = (d,) * len(xs) if isinstance(d, int) else d
    _same(op(x, w, **kw), reference(x.numpy(), w.numpy(), s, d, lo, hi, flip))


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("shape", [(6,), (4, 5), (3, 3, 3)])
def test_convolve_is_correlate_with_the_kernel_flipped_on_every_axis(mode, shape):
    kshape = tuple(min(3, n) for n in shape)
    x, w = symbols("x", shape), symbols("w", kshape)
    assert convolve(x, w, mode) == correlate(x, w.flip(), mode)


def test_convolution_differs_from_correlation_for_a_generic_kernel():
    x, w = symbols("x", 4), symbols("w", 2)
    assert convolve(x, w) != correlate(x, w)


def test_full_mode_convolution_commutes():
    a, b = symbols("a", 4), symbols("b", 3)
    assert convolve(a, b, "full").equals(convolve(b, a, "full"))


def test_against_numpy_modes_for_odd_kernels():
    """For odd kernels numpy's 'same' centring agrees with symconv's (even kernels differ by design)."""
    rng = np.random.default_rng(3)
    for n, k in itertools.product(range(3, 8), (1, 3, 5)):
        if k > n:
            continue
        xv, wv = rng.integers(-9, 10, n), rng.integers(-9, 10, k)
        for mode in ("valid", "same", "full"):
            assert convolve(xv, wv, mode).tolist() == np.convolve(xv, wv, mode).tolist()
            assert correlate(xv, wv, mode).tolist() == np.correlate(xv, wv, mode).tolist()
