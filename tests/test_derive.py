"""derive(): definitions from the one formula, hand-style expansions, matrix form.

Oracles are independent: numpy, plain loops, and the seed's own text.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy

import symconv
from symconv import SymconvError, derive, symbols

F = [2, 1, 3, 5, 4]


def _lines(d):
    return [s.rhs.text() for s in d.steps]


def test_seed_example_1_convolution_prints_the_hand_computation():
    d = derive("convolve", F, [1, -1], kernel_first=True)
    # the seed writes "(-1)*2 + 1*1, ..." with * for the product
    assert _lines(d)[2] == "[(-1)·2 + 1·1, (-1)·1 + 1·3, (-1)·3 + 1·5, (-1)·5 + 1·4]"
    assert _lines(d)[3] == "[-2 + 1, -1 + 3, -3 + 5, -5 + 4]"
    assert _lines(d)[4] == "[-1, 2, 2, -1]"
    assert d.text().endswith("= [-1, 2, 2, -1]")


def test_seed_example_1_correlation():
    d = derive(symconv.correlate, F, [1, -1], kernel_first=True)
    assert _lines(d)[2:] == [
        "[1·2 + (-1)·1, 1·1 + (-1)·3, 1·3 + (-1)·5, 1·5 + (-1)·4]",
        "[2 - 1, 1 - 3, 3 - 5, 5 - 4]",
        "[1, -2, -2, 1]",
    ]


def test_seed_example_2_with_the_corrected_factor_order():
    d = derive("convolve", F, [-1, 2, -1], kernel_first=True)
    assert _lines(d)[2] == "[(-1)·2 + 2·1 + (-1)·3, (-1)·1 + 2·3 + (-1)·5, (-1)·3 + 2·5 + (-1)·4]"
    assert _lines(d)[-1] == "[-3, 0, 3]"


def test_definition_comes_from_the_formula_with_symbolic_sizes():
    corr = derive("correlate", symbols("x", 5), symbols("w", 2))
    conv = derive("convolve", symbols("x", 5), symbols("w", 2))
    assert corr.steps[0].text() == "y[n] = Σ_{k=0}^{K - 1} x[n + k]·w[k],  0 ≤ n < N - K + 1"
    assert conv.steps[0].text() == "y[n] = Σ_{k=0}^{K - 1} x[n + k]·w[K - 1 - k],  0 ≤ n < N - K + 1"
    strided = derive("correlate", [1] * 7, [1, 1, 1], stride=2, dilation=2, padding=1)
    assert "x[2n + 2k - 1]" in strided.steps[0].text()
    assert r"\left\lfloor \frac{N - 2K + 3}{2} \right\rfloor + 1" in strided.latex()


def test_symbolic_expansion_has_no_number_lines():
    d = derive("correlate", symbols("x", 4), symbols("w", 2))
    assert len(d.steps) == 2
    assert d.steps[1].rhs.text() == "[x[0]·w[0] + x[1]·w[1], x[1]·w[0] + x[2]·w[1], x[2]·w[0] + x[3]·w[1]]"
    assert d.steps[1].rhs.latex("subscript").startswith(r"[x_{0} \cdot w_{0} + x_{1} \cdot w_{1}")


def test_renderings_are_katex_safe_environments():
    d = derive("convolve", F, [1, -1])
    assert d.latex().startswith("\\begin{align*}\n") and d.latex().endswith("\\end{align*}")
    md = d.markdown()
    assert md.startswith("$$\n\\begin{aligned}") and md.endswith("\\end{aligned}\n$$")
    for bad in (r"\coloneqq", r"\DeclareMathOperator", "{x}_{"):
        assert bad not in md
    assert d._repr_latex_().startswith("$$")


def _np_op(op, x, w, mode):
    return np.correlate(x, w, mode) if op == "correlate" else np.convolve(x, w, mode)


@pytest.mark.parametrize("op", ["correlate", "convolve"])
@pytest.mark.parametrize("mode", ["valid", "full"])
def test_result_and_matrix_agree_with_numpy(op, mode):
    x = np.array([3, -1, 4, 1, -5, 9])
    w = np.array([2, 7, -1])
    d = derive(op, x.tolist(), w.tolist(), mode=mode)
    expected = _np_op(op, x, w, mode)
    assert [int(v) for v in d.result.tolist()] == expected.tolist()
    T = np.array(d.matrix().tolist(), dtype=np.int64)
    assert T.shape == (len(expected), len(x))
    assert (T @ x).tolist() == expected.tolist()


def test_matrix_is_toeplitz_and_its_transpose_is_the_adjoint():
    w = symbols("w", 3)
    d = derive("correlate", symbols("x", 6), w)
    T = d.matrix()
    assert T.shape == (4, 6)
    for r, c in itertools.product(range(3), range(5)):
        assert T[r, c] == T[r + 1, c + 1]  # constant diagonals
    y = sympy.Matrix(sympy.symbols("g0:4"))
    x = sympy.Matrix(sympy.symbols("x0:6"))
    assert sympy.expand((T * x).dot(y) - x.dot(T.T * y)) == 0


def _corr2d_loops(x, w):
    (H, W), (kh, kw) = x.shape, w.shape
    out = np.zeros((H - kh + 1, W - kw + 1), dtype=np.int64)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = sum(x[i + a, j + b] * w[a, b] for a in range(kh) for b in range(kw))
    return out


def test_2d_doubly_block_toeplitz_against_loops():
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 6, size=(4, 5))
    w = rng.integers(-5, 6, size=(2, 3))
    d = derive("correlate", x.tolist(), w.tolist())
    expected = _corr2d_loops(x, w)
    assert np.array(d.result.tolist(), dtype=np.int64).tolist() == expected.tolist()
    T = np.array(d.matrix().tolist(), dtype=np.int64)
    assert (T @ x.reshape(-1)).tolist() == expected.reshape(-1).tolist()
    # doubly block Toeplitz: blocks (output row i, input row r) depend on r - i only
    blk = {}
    for i in range(expected.shape[0]):
        for r in range(x.shape[0]):
            b = T[i * 3 : (i + 1) * 3, r * 5 : (r + 1) * 5]
            blk.setdefault(r - i, b)
            assert (blk[r - i] == b).all()
    flipped = derive("convolve", x.tolist(), w.tolist())
    assert np.array(flipped.result.tolist(), dtype=np.int64).tolist() == _corr2d_loops(x, w[::-1, ::-1]).tolist()


def test_same_mode_even_kernel_extra_zero_at_the_end():
    d = derive("correlate", [1, 2, 3, 4, 5], [1, 10], mode="same")
    assert d.steps[-1].rhs.text() == "[21, 32, 43, 54, 5]"
    assert "outside its range" in d.steps[0].text()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"op": "conv"}, "`op` must be one of 'correlate', 'convolve'"),
        ({"notation": "dots"}, "`notation`"),
        ({"names": ("x", "w")}, "`names`"),
        ({"mode": "middle"}, "`mode`"),
        ({"x": [[[1]]], "w": [[[1]]]}, "1-D or 2-D"),
        ({"w": [1, 2, 3, 4, 5, 6]}, "must fit"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    args = {"op": "correlate", "x": [1, 2, 3], "w": [1, 1]}
    args.update(kwargs)
    op, x, w = args.pop("op"), args.pop("x"), args.pop("w")
    with pytest.raises(SymconvError, match=match):
        derive(op, x, w, **args)


def test_matrix_latex_and_backward_table():
    d = derive("correlate", [1, 2, 3, 4], [1, -1])
    tex = d.matrix_latex()
    assert tex.startswith("\\begin{align*}") and "\\begin{bmatrix} 1 & -1 & 0 & 0" in tex
    assert d.matrix_latex("aligned").startswith("$$\n\\begin{aligned}")
    rule = d.backward()
    ops = [r.operation for r in rule.rows]
    assert ops[0].startswith("full convolution") and ops[1].startswith("valid correlation")
    assert "| dL/dx |" in rule.markdown()


def test_body_without_definition():
    d = derive("convolve", [2, 1, 3, 5, 4], [1, -1], label=(r"f \ast h", "f ∗ h"))
    assert d.body(definition=False).startswith(r"f \ast h &= [x[0] \cdot w[1]")
    assert d.text().splitlines()[1].startswith("f ∗ h = [x[0]·w[1]")


def test_long_expansions_break_but_short_result_lines_do_not():
    d = derive("correlate", [1, 2, 0, -1, 3, 4, 5, 6], [1, 2, 3])
    symbolic, result = d.steps[1].rhs, d.steps[-1].rhs
    assert r"\\ &\qquad" in symbolic.latex()
    assert r"\\" not in result.latex() and result.text() == str(
        np.correlate([1, 2, 0, -1, 3, 4, 5, 6], [1, 2, 3]).tolist()
    )
    # the text rendering is never broken
    assert "\n" not in symbolic.text()


def test_padded_definition_puts_the_zero_convention_on_its_own_line():
    d = derive("correlate", [1, 2, 3], [1, 10], mode="full")
    first = d.steps[0].latex()
    assert first.count(r"\\") == 1 and r"\text{entries of } x \text{ outside its range are } 0" in first


def test_backward_cells_use_loop_order_and_name_the_bias():
    from symconv.writing.derive import backward_cells

    rule = symconv.backward_rule("conv1d", input_size=4, kernel_size=2, channels=(2, 2), bias=True, batch=2)
    cells = backward_cells(rule)
    formulas = [c[1] for c in cells]
    assert formulas[0] == r"$\partial L/\partial x[b, c, n + k] \mathrel{+}= g[b, o, n] \cdot w[o, c, k]$"
    assert cells[2][0] == r"$\partial L/\partial\,\mathrm{bias}$"
    for f in formulas:
        assert "k + n" not in f and "grp" not in f and "_{0}" not in f
    strided = backward_cells(symconv.backward_rule("correlate", input_size=6, kernel_size=3, stride=2))
    assert strided[0][1] == r"$\partial L/\partial x[2n + k] \mathrel{+}= g[n] \cdot w[k]$"
    assert strided[0][4].startswith("exact instance check, input sizes 6, 7, 8")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: derive("conv1d", [1, 2, 3], [1]), "compat.torch.conv1d"),
        (lambda: derive("correlate", [1, 2, 3], [1], padding_mode="circular"), "`padding_mode`.*circular"),
        (lambda: derive("correlate", [1, 2, 3], [1], groups=2), "`groups`"),
        (lambda: derive("correlate", [1, 2, 3], [1], foo=1), "parameter `foo` is not supported"),
        (lambda: derive("correlate", [1, 2, 3], [1], per_line=0), "`per_line`.*got per_line=0"),
        (lambda: derive("correlate", symbols("x", (2, 2, 2)), symbols("w", (1, 1, 1))), "x.ndim=3"),
    ],
)
def test_unsupported_parameters_are_named_in_the_error(call, match):
    with pytest.raises(SymconvError, match=match):
        call()


def test_same_mode_definition_prints_the_floor_by_hand():
    d = derive("correlate", [3, 1, 4, 1, 5], [2, 7, 1], mode="same")
    assert d.steps[0].text().startswith("y[n] = Σ_{k=0}^{K - 1} x[n + k - ⌊(K - 1)/2⌋]·w[k],  0 ≤ n < N")
    assert r"x[n + k - \left\lfloor \frac{K - 1}{2} \right\rfloor]" in d.steps[0].latex()
    assert d.result.tolist() == [int(v) for v in np.correlate([3, 1, 4, 1, 5], [2, 7, 1], "same")]


@pytest.mark.parametrize(
    ("x", "w", "params", "needle"),
    [
        (["a"], [1], {}, "derive: `x`: entries must be numbers"),
        ([1, 2], [[1]], {}, "`x` and `w` must have the same number of axes"),
        ([], [1], {}, "derive: `x` must not be empty"),
        ([1, 2], [], {}, "derive: `w` must not be empty"),
        ([1, 2], [1], {"padding": 10**7}, "derive: about 20,000,002 entries in the closed form"),
    ],
)
def test_bad_operands_are_refused_naming_the_argument(x, w, params, needle):
    with pytest.raises(SymconvError) as info:
        derive("correlate", x, w, **params)
    assert needle in str(info.value)
