"""symconv.symbols / asarray / Array: construction, access, display, conversion."""

from __future__ import annotations

import re
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
    with pytest.raises(SymconvError, match=r"^subs: `old`: .*got the string 'x_0' \(symconv never parses strings"):
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
    with pytest.raises(ValueError, match="read-only"):
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


# -- the audit of issue 2: every entry point refuses junk with a SymconvError --------------


def test_two_dimensional_names_are_unambiguous_for_sizes_of_ten_and_more():
    x = symbols("x", (12, 12))
    assert str(x[1, 11]) == "x_{1,11}" and str(x[11, 1]) == "x_{11,1}"
    assert len({str(e) for e in x.numpy().flat}) == 144
    assert sympy.latex(x[1, 11]) == "x_{1,11}"
    assert str(symbols("x", 12)[10]) == "x_10" and sympy.latex(symbols("x", 12)[10]) == "x_{10}"


def test_structured_kernels_in_2d_odd_and_even():
    w = symbols("w", (3, 3), structure="anticentrosymmetric")
    assert w[1, 1] == 0  # the centre of an odd anti-centrosymmetric kernel
    assert w[2, 2] == -w[0, 0] and w[1, 2] == -w[1, 0]
    e = symbols("w", (2, 4), structure="anticentrosymmetric")
    assert 0 not in e.tolist()[0] and e[1, 3] == -e[0, 0]
    c = symbols("w", (2, 3), structure="centrosymmetric")
    assert c[1, 2] == c[0, 0] and c[1, 1] == c[0, 1]
    assert symbols("w", 1, structure="anticentrosymmetric").tolist() == [0]


@pytest.mark.parametrize(
    ("values", "want"),
    [
        (np.array([1, 2], dtype=np.int8), [1, 2]),
        (np.array([True, False]), [1, 0]),
        (np.array([2**64 - 1], dtype=np.uint64), [2**64 - 1]),
        (range(3), [0, 1, 2]),
        ((1, 2), [1, 2]),
    ],
)
def test_asarray_numpy_integer_kinds_stay_exact(values, want):
    a = asarray(values)
    assert a.tolist() == want and all(isinstance(e, sympy.Integer) for e in a.numpy().flat)


def test_asarray_exact_applies_to_every_float():
    assert asarray(np.array([0.1], dtype=np.float16), exact=True).tolist() == [sympy.Rational(819, 8192)]
    assert asarray([0.5 + 0.25j], exact=True).tolist() == [sympy.Rational(1, 2) + sympy.I / 4]
    x = sympy.Symbol("x")
    assert asarray([sympy.Float(0.5) * x], exact=True).tolist() == [x / 2]
    floats = asarray([0.5, 0.25])
    assert asarray(floats, exact=True).tolist() == [sympy.Rational(1, 2), sympy.Rational(1, 4)]
    assert isinstance(asarray(np.array([1.5 + 2j])).tolist()[0].as_real_imag()[0], sympy.Float)


@pytest.mark.parametrize("flag", [1, "yes", None])
def test_asarray_exact_must_be_a_bool(flag):
    with pytest.raises(SymconvError, match=r"asarray: `exact` must be True or False; got"):
        asarray([0.5], exact=flag)


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ([[1, 2], [3]], r"`values` must be rectangular .* at index \(0,\)"),
        ([[1, [2]], [3, 4]], r"`values` must be rectangular .* at index \(0, 1\)"),
        ([symbols("x", 2), symbols("y", 3)], r"rectangular .* found a nested Array at index \(0,\)"),
        ([symbols("x", 2), 1], r"rectangular .* found a nested Array"),
        ("abc", r"`values` must be numbers .* got the string 'abc'"),
        ([b"ab"], "got the string b'ab'"),
        (None, "`values`: entries must be numbers or sympy expressions; got None"),
        ([None, 1], "got None"),
        ({1: 2}, "`values` must be array-like .* got a dict"),
        ({1, 2}, "got a set"),
        ((i for i in [1, 2]), "got a generator"),
        ([], r"must not be empty; got shape \(0,\)"),
        ([[]], r"must not be empty; got shape \(1, 0\)"),
        (np.zeros((0, 3)), r"must not be empty; got shape \(0, 3\)"),
        (sympy.Matrix([]), "must not be empty"),
        ([float("inf")], "finite"),
        ([sympy.true], "BooleanTrue"),
    ],
)
def test_asarray_junk_names_the_argument(values, needle):
    with pytest.raises(SymconvError, match=r"^asarray: `values`") as info:
        asarray(values)
    assert re.search(needle, str(info.value)), str(info.value)


def test_array_constructor_is_asarray():
    assert Array([[1, 2], [3, 4]]) == asarray([[1, 2], [3, 4]])
    assert Array(np.array([1, 2], dtype=object)).tolist() == [1, 2]
    assert isinstance(Array(np.array([1, 2], dtype=object)).tolist()[0], sympy.Integer)
    with pytest.raises(SymconvError, match="Array: `data`"):
        Array("x")


@pytest.mark.parametrize(
    ("key", "needle"),
    [
        (5, "index 5 is out of bounds for axis 0 with size 3"),
        ((0, 9), "index 9 is out of bounds for axis 1 with size 4"),
        ((1, 2, 3), "too many indices"),
        ("a", "only integers"),
        (1.5, "only integers"),
    ],
)
def test_indexing_out_of_range_is_a_clear_error(key, needle):
    x = symbols("x", (3, 4))
    with pytest.raises(SymconvError) as info:
        x[key]
    assert isinstance(info.value, IndexError)  # the sequence protocol still sees an IndexError
    assert str(info.value).startswith(f"Array[{key!r}]") and "shape (3, 4)" in str(info.value)
    assert needle in str(info.value)


def test_indexing_like_numpy():
    x = symbols("x", (3, 4))
    assert x[-1, -1] == x[2, 3]
    assert x[..., 1].tolist() == [x[0, 1], x[1, 1], x[2, 1]]
    assert x[[0, 2]].shape == (2, 4) and x[None].shape == (1, 3, 4)
    assert x[::-1][0, 0] == x[2, 0] and x[np.int64(1), 2] == x[1, 2]
    assert list(symbols("x", 2)) == symbols("x", 2).tolist()


def test_subs_forms():
    x = symbols("x", 3)
    y = x * 2
    assert y.subs([(x[0], 1), (x[1], 2)]).tolist() == [2, 4, 2 * x[2]]
    assert y.subs(x[0], 5).tolist() == [10, 2 * x[1], 2 * x[2]]
    assert y.subs(x, [1, 2, 3]).tolist() == [2, 4, 6]
    assert y.subs([(x, np.array([1, 2, 3]))]).tolist() == [2, 4, 6]
    assert y.subs(zip(x.tolist(), [4, 5, 6])).tolist() == [8, 10, 12]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ((None,), "`mapping` must be a dict"),
        ((3,), "`mapping` must be a dict"),
        (([1, 2],), "must be an (old, new) pair; got 1"),
        (({"x_0": 1},), "string 'x_0'"),
        (({sympy.Symbol("x_0"): "1"},), "string '1'"),
        ((symbols("x", 3), [1, 2]), "same shape; got shape (2,)"),
        (({sympy.Symbol("x_0"): symbols("y", 2)},), "single number or expression"),
    ],
)
def test_subs_junk(args, needle):
    with pytest.raises(SymconvError, match=r"^subs") as info:
        symbols("x", 3).subs(*args)
    assert needle in str(info.value)


def test_to_numpy_never_rounds_silently():
    with pytest.raises(SymconvError, match=r"entry \(0,\) \(=1/2\) cannot be stored as int64: an integer dtype"):
        asarray([sympy.Rational(1, 2)]).to_numpy(int)
    with pytest.raises(SymconvError, match="cannot be stored as int64"):
        asarray([2.7]).to_numpy(int)
    with pytest.raises(SymconvError, match=r"cannot be stored as int8: it is outside \[-128, 127\]"):
        asarray([300]).to_numpy(np.int8)
    with pytest.raises(SymconvError, match="a real dtype needs real entries"):
        asarray([sympy.I]).to_numpy(float)
    with pytest.raises(SymconvError, match="entries must be finite"):  # refused on the way in (issue 8)
        asarray([sympy.zoo]).to_numpy()
    assert asarray([(1 + sympy.I) * (1 - sympy.I)]).to_numpy(float).tolist() == [2.0]


def test_to_numpy_object_is_exact():
    out = asarray([[sympy.Rational(1, 3), 2**80], [0.5, sympy.I]]).to_numpy(object)
    assert out.dtype == object
    assert out.tolist() == [[Fraction(1, 3), 2**80], [0.5, 1j]]
    assert type(out[0, 1]) is int


@pytest.mark.parametrize("dtype", ["wat", 3, "U3", (1, 2)])
def test_to_numpy_refuses_non_numeric_dtypes(dtype):
    with pytest.raises(SymconvError, match="to_numpy: `dtype` must be"):
        asarray([1]).to_numpy(dtype)


def test_arithmetic_and_reshape_errors_name_the_shapes():
    with pytest.raises(SymconvError, match=r"Array \+: the shapes must be equal or broadcast .* \(2,\) and \(3,\)"):
        symbols("x", 2) + symbols("y", 3)
    with pytest.raises(SymconvError, match=r"Array \*"):
        symbols("x", (2, 3)) * [1, 2]
    with pytest.raises(SymconvError, match=r"reshape: `shape` must be integers whose product is the size 4"):
        symbols("x", 4).reshape(3)
    with pytest.raises(SymconvError, match="reshape"):
        symbols("x", 4).reshape("2")
    assert symbols("x", 4).reshape((2, -1)).shape == (2, 2)
    assert (1 - symbols("x", 2)).tolist() == [1 - symbols("x", 2)[0], 1 - symbols("x", 2)[1]]


def test_equals_takes_array_likes():
    assert asarray([1, 2]).equals([1, 2])
    assert not asarray([1, 2]).equals([[1, 2]])
    with pytest.raises(SymconvError, match="equals: `other`"):
        asarray([1, 2]).equals("12")


def test_structural_equality_never_confuses_shapes_or_types():
    assert symbols("x", 2) != symbols("x", (2, 1))
    assert (asarray([1, 2]) == np.array([1, 2])) is True  # array-likes compare by value (issue 10)
    assert (asarray([1, 2]) == np.array([[1, 2]])) is False
    assert asarray([1]) != asarray([1.0])  # Integer 1 and Float 1.0 differ structurally


def test_symbols_validates_structure_and_assumptions():
    with pytest.raises(SymconvError, match="`structure`"):
        symbols("w", 3, structure=np.array([1, 2]))
    with pytest.raises(SymconvError, match="unknown sympy assumption `foo`"):
        symbols("x", 2, foo=True)
    with pytest.raises(SymconvError, match="the assumption `real` must be True, False or None; got 'yes'"):
        symbols("x", 2, real="yes")
    with pytest.raises(SymconvError, match="exceeds the limit"):
        symbols("x", (2**20, 2**20))
    assert symbols("x", sympy.Integer(2)).shape == (2,)
    assert symbols("x", np.array([2, 3])).shape == (2, 3)


def test_repr_has_no_trailing_spaces():
    for line in repr(symbols("x", (2, 2, 2))).splitlines():
        assert line == line.rstrip()


def test_an_array_equals_the_list_of_its_values():
    """Issue 10: ``Array == [3, 5]`` was False for equal values."""
    a = asarray([3, 5])
    reflected = [3, 5]
    assert a == [3, 5] and reflected == a and a == (3, 5) and a == np.array([3, 5])
    assert (a != [3, 5]) is False and a != [3, 6] and a != [[3, 5]] and a != [3, 5, 0]
    assert (a == "3, 5") is False and (a == ["x", 5]) is False and (a == 35) is False
    assert symbols("x", 2) == [sympy.Symbol("x_0"), sympy.Symbol("x_1")]


def test_complex_inputs_stay_exact():
    """Issue 10: ``correlate([1+1j, 2], [1j])`` printed ``1.0*I*(1.0 + 1.0*I)``."""
    from symconv import correlate
    from symconv.compat import numpy as cnp

    assert correlate([1 + 1j, 2], [1j]).tolist() == [-1 + sympy.I, 2 * sympy.I]
    assert str(correlate([1 + 1j, 2], [1j])) == "Array([-1 + I, 2*I])"
    assert cnp.correlate([1 + 1j, 2], [1j, 2]).tolist() == [5 - sympy.I]  # numpy conjugates the kernel
    assert asarray(np.array([2 - 3j])).tolist() == [2 - 3 * sympy.I]
    assert asarray([0.5 + 1j]).tolist() == [sympy.Float(0.5) + sympy.I]  # non-integral parts follow the float rule
    assert asarray([0.5 + 1j], exact=True).tolist() == [sympy.Rational(1, 2) + sympy.I]


def test_to_json_is_exact_and_serialisable():
    import json

    from symconv import correlate

    y = correlate([1 + 1j, sympy.Rational(1, 2), 3], [1, 2])
    data = json.loads(json.dumps(y.to_json()))
    assert data == ["2 + I", "13/2"]
    assert [sympy.S(v) if isinstance(v, str) else v for v in data] == y.tolist()  # test code may parse
    assert json.loads(json.dumps(asarray([[1, 2], [3, 4]]).to_json())) == [[1, 2], [3, 4]]
    assert symbols("x", 2).to_json() == ["x_0", "x_1"]
