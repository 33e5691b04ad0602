"""symconv.compat.numpy against numpy.convolve / numpy.correlate themselves."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from exactcheck import assert_same, bind, integers

from symconv import SymconvError, symbols
from symconv.compat import numpy as snp

RNG = np.random.default_rng(20261123)


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_every_small_size_matches_numpy_exactly(op, mode):
    """All lengths 1..6 x 1..6 (both orders: numpy swaps when v is longer), complex entries."""
    for n, k in itertools.product(range(1, 7), repeat=2):
        a, v = symbols("a", n), symbols("v", k)
        out = getattr(snp, op)(a, v, mode)
        av, vv = integers(RNG, n, complex_=True), integers(RNG, k, complex_=True)
        assert_same(out, getattr(np, op)(av, vv, mode), {**bind(a, av), **bind(v, vv)})


def test_defaults_are_numpys():
    a, v = [2, 1, 3, 5, 4], [1, -1, 2]
    assert snp.convolve(a, v).tolist() == np.convolve(a, v).tolist()  # full
    assert snp.correlate(a, v).tolist() == np.correlate(a, v).tolist()  # valid
    assert len(snp.convolve(a, v)) == 7 and len(snp.correlate(a, v)) == 3


def test_correlate_conjugates_the_second_argument_only():
    a, v = symbols("a", 2), symbols("v", 1)
    assert snp.correlate(a, v).tolist() == [a[0] * sympy.conjugate(v[0]), a[1] * sympy.conjugate(v[0])]
    assert snp.convolve(a, v).tolist() == [a[0] * v[0], a[1] * v[0]]
    real = symbols("r", 1, real=True)
    assert snp.correlate(a, real).tolist() == [a[0] * real[0], a[1] * real[0]]


def test_same_window_when_the_second_argument_is_longer():
    """numpy's quirk: the 'same' window of correlate and convolve differ when len(v) > len(a)."""
    a, v = [1, 2], [1, 10, 100, 1000]
    assert snp.convolve(a, v, "same").tolist() == np.convolve(a, v, "same").tolist() == [1, 12, 120, 1200]
    assert snp.correlate(a, v, "same").tolist() == np.correlate(a, v, "same").astype(int).tolist()
    # numpy's correlate window starts one lag later than convolve's (N // 2 vs (N - 1) // 2)
    assert np.correlate(a, v, "same").tolist() == np.correlate(a, v, "full")[1:5].tolist()
    assert np.convolve(a, v, "same").tolist() == np.convolve(a, v, "full")[0:4].tolist()


def test_valid_when_the_second_argument_is_longer():
    a, v = [1, 2], [1, 10, 100]
    assert snp.correlate(a, v).tolist() == np.correlate(a, v).tolist()
    assert snp.convolve(a, v, "valid").tolist() == np.convolve(a, v, "valid").tolist()


def test_scalar_counts_as_one_sample():
    assert snp.convolve(3, [1, 2]).tolist() == np.convolve(3, [1, 2]).tolist() == [3, 6]


def test_floats_stay_floats_and_match():
    a, v = [0.5, 1.25, -2.0], [1.5, 0.25]
    got = snp.convolve(a, v).to_numpy(float)
    np.testing.assert_allclose(got, np.convolve(a, v), rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: snp.convolve([1, 2], [1], mode="middle"), "`mode`"),
        (lambda: snp.correlate([[1, 2]], [1]), "`a` must be one-dimensional"),
        (lambda: snp.correlate([1, 2], []), "`v` must not be empty"),
        (lambda: snp.convolve([], [1]), "`a` must not be empty"),
        (lambda: snp.convolve("12", [1]), "`a`"),
    ],
)
def test_bad_arguments_name_the_argument(call, needle):
    with pytest.raises(SymconvError, match="numpy\\.") as info:
        call()
    assert needle in str(info.value)
