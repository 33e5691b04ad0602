"""Structured symbolic kernels: centrosymmetric and anti-centrosymmetric."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symconv import SymconvError, convolve, correlate, symbols

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


@given(shapes)
def test_centrosymmetric_equals_its_full_flip(shape):
    w = symbols("w", shape, structure="centrosymmetric")
    assert w.flip() == w
    plain = symbols("w", shape)
    # one free symbol per pair {i, flip(i)}: ceil(size / 2)
    assert len(w.free_symbols) == (plain.size + 1) // 2


@given(shapes)
def test_anticentrosymmetric_is_minus_its_full_flip(shape):
    w = symbols("w", shape, structure="anticentrosymmetric")
    assert w.flip() == -w
    assert len(w.free_symbols) == symbols("w", shape).size // 2


def test_the_examples_of_the_product_description():
    assert symbols("w", 3, structure="centrosymmetric").tolist() == symbols("w", 2).tolist() + [symbols("w", 1)[0]]
    w0 = symbols("w", 1)[0]
    assert symbols("w", 3, structure="anticentrosymmetric").tolist() == [w0, 0, -w0]


@pytest.mark.parametrize("shape", [(3,), (4,), (3, 3), (2, 3), (2, 2, 2)])
def test_convolution_and_correlation_agree_or_negate_symbolically(shape):
    x = symbols("x", tuple(s + 2 for s in shape))
    centro = symbols("w", shape, structure="centrosymmetric")
    anti = symbols("w", shape, structure="anticentrosymmetric")
    assert convolve(x, centro).equals(correlate(x, centro))
    assert convolve(x, anti).equals(-correlate(x, anti))
    # and a general kernel does not agree: the structure is what makes it hold
    general = symbols("w", shape)
    if general.size > 1:
        assert not convolve(x, general).equals(correlate(x, general))


def test_assumptions_pass_through():
    w = symbols("w", 3, structure="centrosymmetric", real=True)
    assert all(e.is_real for e in w.numpy().flat)


def test_unknown_structure_is_refused_with_its_name():
    with pytest.raises(SymconvError, match=r"`structure`.*'symmetric'"):
        symbols("w", 3, structure="symmetric")
