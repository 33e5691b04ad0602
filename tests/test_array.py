"""symconv.symbols / asarray / Array: construction, access, display, conversion."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from symconv import Array, SymconvError, asarray, symbols


def test_symbols_1d_names_and_shape():
    x = symbols("x", 5)
    assert x.shape == (5,) and x.ndim == 1 and x.size == 5 and len(x) == 5
    assert [str(e) for e in x.tolist()] == ["x_0", "x_1", "x_2", "x_3", "x_4"]
    assert len(set(x.tolist())) == 5  # distinct


def test_symbols_nd_names():
    w = symbols("w", (2, 3))
    assert w.shape == (2, 3) and w.ndim == 2
    assert str(w[1, 2]) == "w_{1,2}"
    assert str(symbols("t", (1, 1, 2))[0, 0, 1]) == "t_{0,0,1}"


def test_symbols_assumptions_pass_through():
    x = symbols("x", 2, real=True)
    assert x[0].is_real
    assert sympy.conjugate(x[0]) == x[0]
    assert symbols("y", 2)[0].is_real is None


def test_indexing_and_slicing():
    x = symbols("x", (3, 4))
    assert isinstance(x[1], Array) and x[1].shape == (4,)
    assert x[1, 2] == sympy.Symbol("x_{1,2}")
    assert x[:, 1:3].shape == (3, 2)
    assert [str(r[0]) for r in x] == ["x_{0,0}", "x_{1,0}", "x_{2,0}"]


def test_asarray_keeps_integers_exact():
    a = asarray([[1, 2], [3, 4]])
    assert a.shape == (2, 2)
    assert all(isinstance(e, sympy.Integer) for e in a.numpy().flat)
    assert a.tolist() == [[1, 2], [3, 4]]


def test_asarray_floats_and_exact_rationals():
    assert isinstance(asarray([0.5]).tolist()[0], sympy.Float)
    exact = asarray([0.5, 0.1], exact=True).tolist()
    assert exact[0] == sympy.Rational(1, 2)
    assert exact[1] == sympy.Rational(Fraction(0.1).numerator, Fraction(0.1).denominator)  # the binary value of 0.1
    assert asarray([Fraction(1, 3)]).tolist() == [sympy.Rational(1, 3)]


def test_asarray_complex():
    z = asarray([1 + 2j], exact=True).tolist()[0]
    assert z == 1 + 2 * sympy.I


def test_asarray_from_numpy_and_sympy():
    assert asarray(np.arange(6).reshape(2, 3)).tolist() == [[0, 1, 2], [3, 4, 5]]
    assert asarray(np.array([1.5], dtype=np.float32), exact=True).tolist() == [sympy.Rational(3, 2)]
    assert asarray(sympy.Matrix([[1, 2], [3, 4]])).shape == (2, 2)
    assert asarray(sympy.Array([[1], [2]])).tolist() == [[1], [2]]
    x = sympy.Symbol("x")
    assert asarray(sympy.Matrix([[x, 1]])).tolist() == [[x, 1]]


def test_mixed_symbolic_and_numeric_entries():
    x = sympy.Symbol("x")
    a = asarray([x, 2, sympy.Rational(1, 3)])
    assert a.tolist() == [x, 2, sympy.Rational(1, 3)]
    assert a.free_symbols == {x}


def test_asarray_refuses_strings_and_ragged_and_empty():
    with pytest.raises(SymconvError, match="string"):
        asarray(["x_0", 1])
    with pytest.raises(SymconvError, match="rectangular"):
        asarray([[1, 2], [3]])
    with pytest.raises(SymconvError, match="empty"):
        asarray([])
    with pytest.raises(SymconvError, match="finite"):
        asarray([float("nan")])


def test_subs():
    x = symbols("x", 3)
    y = x.subs({x[0]: 3, x[2]: sympy.Rational(1, 2)})
    assert y.tolist() == [3, x[1], sympy.Rational(1, 2)]
    assert x.tolist()[0] == x[0]  # the original is unchanged
    with pytest.raises(SymconvError):
        x.subs({"x_0": 1})


def test_to_numpy():
    a = asarray([[1, 2], [3, 4]])
    out = a.to_numpy(int)
    assert out.dtype == np.int64 or out.dtype.kind == "i"
    np.testing.assert_array_equal(out, [[1, 2], [3, 4]])
    np.testing.assert_allclose(asarray([sympy.Rational(1, 4)]).to_numpy(), [0.25])
    assert asarray([sympy.I]).to_numpy(complex)[0] == 1j
    with pytest.raises(SymconvError, match="symbols"):
        symbols("x", 2).to_numpy()


def test_structural_equality():
    x = symbols("x", 2)
    assert x == symbols("x", 2)
    assert x != symbols("y", 2)
    assert x != symbols("x", 3)
    a, b = (
        asarray([sympy.Symbol("a") * (1 + sympy.Symbol("b"))]),
        asarray([sympy.Symbol("a") + sympy.Symbol("a") * sympy.Symbol("b")]),
    )
    assert a != b  # structurally different...
    assert a.equals(b)  # ...but equal after expand
    assert (x == [1, 2]) is False


def test_arrays_are_immutable():
    x = symbols("x", 2)
    with pytest.raises(ValueError):
        x.numpy()[0] = 1


def test_latex():
    assert symbols("x", 2).latex() == r"\left[ x_{0}, \ x_{1} \right]"
    m = asarray([[1, 2], [3, 4]]).latex()
    assert m == r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"
    assert symbols("w", (2, 2))._repr_latex_() == "$" + symbols("w", (2, 2)).latex() + "$"
    assert r"\left[" in symbols("t", (2, 1, 1)).latex()


def test_repr_is_readable():
    assert repr(symbols("x", 3)) == "Array([x_0, x_1, x_2])"
    r = repr(asarray([[1, 2], [3, 4]]))
    assert r.startswith("Array([[1, 2],") and "[3, 4]]" in r


def test_arithmetic_and_flip():
    x = symbols("x", 3)
    assert (x + 1).tolist() == [x[0] + 1, x[1] + 1, x[2] + 1]
    assert (2 * x).tolist() == [2 * x[0], 2 * x[1], 2 * x[2]]
    assert x.flip().tolist() == [x[2], x[1], x[0]]
    w = symbols("w", (2, 2))
    assert w.flip()[0, 0] == w[1, 1]  # 180° rotation, both axes


@pytest.mark.parametrize("bad", [0, -1, (2, 0), 1.5, True])
def test_symbols_refuses_bad_shapes(bad):
    with pytest.raises(SymconvError, match="shape"):
        symbols("x", bad)


def test_symbols_refuses_bad_names():
    with pytest.raises(SymconvError, match="`name`"):
        symbols("x y", 2)


def test_to_numpy_of_exact_complex_expressions_has_no_rounding_noise():
    """complex() of this unexpanded sum gives -24 + 2e-19j; to_numpy must give exactly -24."""
    pairs = [((6, 4), (1, 4)), ((4, -2), (7, 0)), ((7, -7), (-2, -4))]
    e = sympy.Add(*(sympy.Mul(a + b * sympy.I, c + d * sympy.I, evaluate=False) for (a, b), (c, d) in pairs))
    want = sum(complex(a, b) * complex(c, d) for (a, b), (c, d) in pairs)
    assert asarray([e]).to_numpy(complex)[0] == want == -24
