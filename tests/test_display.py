"""The display layer prints arithmetic exactly as a person writes it."""

from __future__ import annotations

import pytest
import sympy

from symconv import SymconvError
from symconv.core.affine import Affine
from symconv.display import Chain, Indexed, Leaf, Matrix, Product, Step, Sum, Vector, format_index


def test_product_parenthesises_negative_factors_only():
    assert Product([-1, 2]).text() == "(-1)·2"
    assert Product([1, -1]).latex() == r"1 \cdot (-1)"
    assert Product([3, 4]).latex() == r"3 \cdot 4"


def test_product_of_fraction_and_sum():
    assert Product([sympy.Rational(1, 2), 3]).text() == "(1/2)·3"
    assert Product([sympy.Rational(1, 2), 3]).latex() == r"\frac{1}{2} \cdot 3"
    a = sympy.Symbol("a")
    assert Product([a + 1, 2]).text() == "(a + 1)·2"


def test_sum_merges_signs_of_numbers_but_keeps_products():
    assert Sum([-2, 1]).text() == "-2 + 1"
    assert Sum([2, -1]).text() == "2 - 1"
    assert Sum([-2, 2, -3]).latex() == "-2 + 2 - 3"
    assert Sum([Product([1, 2]), Product([-1, 1])]).text() == "1·2 + (-1)·1"
    assert Sum([]).text() == "0"


def test_vector_and_matrix():
    v = Vector([Sum([Product([-1, 2]), Product([1, 1])]), Sum([Product([-1, 1]), Product([1, 3])])])
    assert v.text() == "[(-1)·2 + 1·1, (-1)·1 + 1·3]"
    assert v.latex() == r"[(-1) \cdot 2 + 1 \cdot 1,\ (-1) \cdot 1 + 1 \cdot 3]"
    assert Vector([1, 2, 3], per_line=2).latex() == r"[1,\ 2,\\ &\qquad 3]"
    assert Matrix([[1, 2], [3, 4]]).latex() == r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"
    assert Matrix([[1, 2], [3, 4]]).text() == "[[1, 2], [3, 4]]"
    with pytest.raises(SymconvError, match="equal length"):
        Matrix([[1], [2, 3]])


def test_chain_with_rules():
    c = Chain([Step("y", Vector([1, 2])), Step(None, Vector([3]), "flip_flip")])
    assert c.text() == "y = [1, 2]\n  = [3]    [flip_flip]"
    assert c.latex() == "y &= [1,\\ 2] \\\\\n&= [3]\\qquad\\text{[flip\\_flip]}"


@pytest.mark.parametrize(
    ("index", "text", "latex"),
    [
        (Affine.var("n") + Affine.var("k"), "n + k", "n + k"),
        (Affine.var("n") * 2 + Affine.var("k") * 3 - 1, "2n + 3k - 1", "2n + 3k - 1"),
        (Affine.constant(sympy.Symbol("K") - 1) - Affine.var("k"), "K - 1 - k", "K - 1 - k"),
        (Affine.var("n") * sympy.Symbol("s") + Affine.var("k") * sympy.Symbol("d"), "s·n + d·k", r"s\,n + d\,k"),
        (Affine.var("m") - Affine.var("k"), "m - k", "m - k"),
        (Affine.constant(0), "0", "0"),
    ],
)
def test_affine_index_printer_orders_variables_then_constant(index, text, latex):
    assert format_index(index, order=["n", "m", "k"]) == text
    assert format_index(index, order=["n", "m", "k"], fmt="latex") == latex


def test_indexed_notation_setting_never_sympy_style():
    idx = Indexed("x", (Affine.var("n0") - Affine.var("k0"),), names={"n0": "n", "k0": "k"})
    assert idx.text() == "x[n - k]"
    assert idx.latex("subscript") == "x_{n - k}"
    assert "{x}_{" not in idx.latex("subscript")
    assert Indexed("w", (1, 2)).latex() == "w[1, 2]"
    with pytest.raises(SymconvError, match="notation"):
        idx.latex("dots")


def test_leaf_rejects_strings():
    with pytest.raises(SymconvError, match="not a string"):
        Leaf("1+1")


def test_array_entries_print_in_the_index_notation():
    x0, w12, big = sympy.Symbol("x_0"), sympy.Symbol("w_{1,2}"), sympy.Symbol("N_0")
    assert Leaf(x0 * w12).latex() == "w[1, 2] x[0]"
    assert Leaf(x0 * w12).latex("subscript") == "w_{1,2} x_{0}"
    assert Leaf(x0 * w12).text() == "w[1, 2]*x[0]"
    assert Leaf(-x0).latex() == "- x[0]"
    assert Leaf(sympy.Symbol("bias_1")).latex() == r"\mathrm{bias}[1]"
    # size symbols (upper case) and other names keep sympy's printing
    assert Leaf(big - 1).latex() == "N_{0} - 1"
    assert Product([Leaf(x0), Leaf(-w12)]).latex() == r"x[0] \cdot (- w[1, 2])"
    with pytest.raises(SymconvError, match="notation"):
        Leaf(x0).latex("dots")
