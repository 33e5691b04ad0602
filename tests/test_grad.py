"""symconv.grad and grad_contraction against the seed's numbers and an independent loop reference."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from oracles.reference_conv import conv_layer, conv_transpose_layer, linear_grad

import symconv
from symconv import Array, SymconvError, grad, grad_contraction, symbols
from symconv.core.formula import ConvSpec, forward, transpose
from symconv.engines.terms import evaluate, expand

RNG = np.random.default_rng(3)


def _subs(a: Array, arrays: dict[str, tuple[Array, np.ndarray]]) -> np.ndarray:
    mapping = {}
    for sym_arr, values in arrays.values():
        mapping.update({s: int(v) for s, v in zip(sym_arr.numpy().flat, np.asarray(values).flat)})
    return np.array([sympy.sympify(e).xreplace(mapping) for e in a.numpy().flat], dtype=object).reshape(a.shape)


# -- the seed's worked example ------------------------------------------------------

X, W, G = [2, 1, 3, 5, 4], [1, 2, 3], [1, 2, 0]


@pytest.mark.parametrize(
    ("op", "dx", "dw"),
    [
        (symconv.correlate, [1, 4, 7, 6, 0], [4, 7, 13]),
        (symconv.convolve, [3, 8, 5, 2, 0], [13, 7, 4]),
    ],
)
def test_seed_example(op, dx, dw):
    x, w = symbols("x", 5), symbols("w", 3)
    y = op(x, w)
    values = {x[i]: X[i] for i in range(5)} | {w[i]: W[i] for i in range(3)}
    assert grad(y, x, upstream=G).subs(values).tolist() == dx
    assert grad(y, w, upstream=G).subs(values).tolist() == dw


def test_default_upstream_is_g_symbols():
    x, w = symbols("x", 4), symbols("w", 2)
    gx = grad(symconv.correlate(x, w), x)
    g = symbols("g", 3)
    assert gx[0] == g[0] * w[0]
    assert sympy.expand(gx[1] - (g[0] * w[1] + g[1] * w[0])) == 0


# -- every layer option, against the loop reference ------------------------------------

LAYERS = [
    # (ndim, N, K, stride, dilation, pad, groups, cin, cout, batch, mode, flip)
    (1, (7,), (3,), (2,), (1,), ((1, 2),), 1, 2, 3, 2, "zeros", False),
    (1, (8,), (3,), (1,), (2,), ((0, 0),), 1, 1, 1, 1, "zeros", True),
    (1, (6,), (2,), (3,), (1,), ((2, 1),), 2, 2, 4, 1, "zeros", False),
    (1, (6,), (3,), (2,), (1,), ((2, 2),), 1, 2, 2, 1, "reflect", False),
    (1, (5,), (3,), (1,), (2,), ((3, 1),), 1, 1, 2, 1, "replicate", False),
    (1, (5,), (2,), (2,), (1,), ((2, 3),), 1, 2, 1, 2, "circular", False),
    (2, (5, 4), (2, 3), (2, 1), (1, 2), ((1, 0), (1, 1)), 2, 2, 2, 1, "zeros", False),
    (2, (4, 4), (3, 2), (1, 2), (1, 1), ((1, 1), (0, 1)), 1, 1, 2, 1, "circular", False),
    (3, (3, 4, 3), (2, 2, 2), (1, 2, 1), (1, 1, 2), ((0, 0), (1, 0), (0, 1)), 1, 1, 1, 1, "zeros", False),
]


@pytest.mark.parametrize("case", LAYERS, ids=[f"{c[0]}d-{c[10]}-{i}" for i, c in enumerate(LAYERS)])
def test_layer_gradients_match_loop_reference(case):
    _nd, N, K, s, d, pad, groups, cin, cout, B, mode, flip = case
    spec = ConvSpec(
        input_size=N,
        kernel_size=K,
        stride=s,
        dilation=d,
        pad_lo=tuple(p[0] for p in pad),
        pad_hi=tuple(p[1] for p in pad),
        flip=flip,
        batch=B,
        channels=(cin, cout),
        groups=groups,
        padding_mode=mode,
        bias=True,
    )
    xs, ws, bs = (B, cin, *N), (cout, cin // groups, *K), (cout,)
    x, w, b = symbols("x", xs), symbols("w", ws), symbols("b", bs)
    y = Array(expand(forward(spec), {"x": x.numpy(), "w": w.numpy(), "bias": b.numpy()}))
    xv, wv, bv = (RNG.integers(-4, 5, size=sh) for sh in (xs, ws, bs))
    gv = RNG.integers(-4, 5, size=y.shape)
    kw = {"stride": s, "dilation": d, "pad": pad, "groups": groups, "mode": mode, "flip": flip}
    want_x = linear_grad(lambda e: conv_layer(e, wv, **kw), xs, gv)
    want_w = linear_grad(lambda e: conv_layer(xv, e, **kw), ws, gv)
    want_b = linear_grad(lambda e: conv_layer(np.zeros(xs, dtype=object), wv, e, **kw), bs, gv)
    vals = {"x": (x, xv), "w": (w, wv), "b": (b, bv)}
    assert (_subs(grad(y, x, upstream=gv), vals) == want_x).all()
    assert (_subs(grad(y, w, upstream=gv), vals) == want_w).all()
    assert (_subs(grad(y, b, upstream=gv), vals) == want_b).all()
    # the relabelled-structure route gives the same numbers
    arrays = {"x": xv, "w": wv, "bias": bv, "g": gv}
    for name, want in (("x", want_x), ("w", want_w), ("bias", want_b)):
        terms = [grad_contraction(c, name) for c in forward(spec) if any(f.operand == name for f in c.factors)]
        got = evaluate(terms, arrays, dtype=object)
        assert (got == want).all(), name


@pytest.mark.parametrize(
    ("N", "K", "s", "d", "p", "op", "groups"),
    [((4,), (3,), (2,), (1,), (1,), (1,), 1), ((3, 2), (2, 2), (1, 2), (2, 1), (0, 1), (0, 1), 2)],
)
def test_transposed_convolution_gradients(N, K, s, d, p, op, groups):
    cin, cout, B = 2, 2, 1  # forward channels of the spec; the transposed op maps cout -> cin
    spec = ConvSpec(
        input_size=N, kernel_size=K, stride=s, dilation=d, pad_lo=p, batch=B, channels=(cin, cout), groups=groups
    )
    xs, ws = (B, cout, *N), (cout, cin // groups, *K)
    x, w = symbols("x", xs), symbols("w", ws)
    y = Array(expand(transpose(spec, output_padding=op), {"x": x.numpy(), "w": w.numpy()}))
    xv, wv = RNG.integers(-4, 5, size=xs), RNG.integers(-4, 5, size=ws)
    gv = RNG.integers(-4, 5, size=y.shape)
    kw = {"stride": s, "dilation": d, "pad": p, "output_padding": op, "groups": groups}
    want_x = linear_grad(lambda e: conv_transpose_layer(e, wv, **kw), xs, gv)
    want_w = linear_grad(lambda e: conv_transpose_layer(xv, e, **kw), ws, gv)
    vals = {"x": (x, xv), "w": (w, wv)}
    assert (_subs(grad(y, x, upstream=gv), vals) == want_x).all()
    assert (_subs(grad(y, w, upstream=gv), vals) == want_w).all()


# -- grad_contraction: the structure ------------------------------------------------------


def test_grad_contraction_swaps_roles():
    c = forward(ConvSpec(input_size=(6,), kernel_size=(3,), stride=(2,)))[0]
    gx = grad_contraction(c, "x")
    assert gx.result.shape == c.operand("x").shape
    assert gx.result_index == c.factors[0].index
    assert [f.operand for f in gx.factors] == ["g", "w"]
    assert gx.factors[0].index == c.result_index
    assert gx.variables == c.variables
    assert gx.operand("g").shape == c.result.shape
    gw = grad_contraction(c, "w", upstream="u", result="dw")
    assert gw.result.name == "dw"
    assert [f.operand for f in gw.factors] == ["u", "x"]


def test_grad_contraction_moves_the_boundary_fold_to_the_result():
    c = forward(ConvSpec(input_size=(5,), kernel_size=(3,), pad_lo=(2,), padding_mode="reflect"))[0]
    gx = grad_contraction(c, "x")
    assert gx.result_boundary == c.factors[0].boundary
    assert all(f.boundary is None for f in gx.factors)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_differentiating_a_folded_gradient_reads_through_the_fold(mode):
    """dL/dx of a padded layer scatters into the fold; differentiating IT again (w.r.t. g, or w) must read the
    upstream through that fold: the forward layer, resp. its weight gradient, on the padded upstream ``u``.
    Oracle: the plain-loop layer of reference_conv (independent of symconv)."""
    pad, s = ((2, 1), (1, 1)), (2, 1)
    spec = ConvSpec(
        input_size=(5, 4),
        kernel_size=(3, 2),
        stride=s,
        pad_lo=tuple(p[0] for p in pad),
        pad_hi=tuple(p[1] for p in pad),
        batch=1,
        channels=(2, 2),
        padding_mode=mode,
    )
    gx = grad_contraction(forward(spec)[0], "x")
    assert gx.result_boundary is not None and gx.result_boundary[-1] is not None
    uv, wv = RNG.integers(-4, 5, (1, 2, 5, 4)), RNG.integers(-4, 5, (2, 2, 3, 2))
    kw = {"stride": s, "dilation": (1, 1), "pad": pad, "mode": mode}
    again_g = grad_contraction(gx, "g", upstream="u")
    assert (evaluate([again_g], {"u": uv, "w": wv}, dtype=object) == conv_layer(uv, wv, **kw)).all()
    gv = RNG.integers(-4, 5, conv_layer(uv, wv, **kw).shape)
    again_w = grad_contraction(gx, "w", upstream="u")
    want_w = linear_grad(lambda e: conv_layer(uv, e, **kw), wv.shape, gv)
    assert (evaluate([again_w], {"u": uv, "g": gv}, dtype=object) == want_w).all()


def test_grad_contraction_errors():
    c = forward(ConvSpec(input_size=(5,), kernel_size=(3,)))[0]
    with pytest.raises(SymconvError, match=r"`wrt` \(='z'\) must be an operand"):
        grad_contraction(c, "z")
    with pytest.raises(SymconvError, match="upstream"):
        grad_contraction(c, "x", upstream="w")
    from dataclasses import replace

    square = replace(c, factors=(c.factors[0], replace(c.factors[1], operand="x")))
    with pytest.raises(SymconvError, match="multilinear"):
        grad_contraction(square, "x")
    conj = replace(c, factors=(c.factors[0], replace(c.factors[1], conjugate=True)))
    with pytest.raises(SymconvError, match="conjugated"):
        grad_contraction(conj, "w")


def test_grad_errors():
    x, w = symbols("x", 4), symbols("w", 2)
    y = symconv.correlate(x, w)
    with pytest.raises(SymconvError, match="`wrt` must be a symconv Array"):
        grad(y, [1, 2])
    with pytest.raises(SymconvError, match="must be a sympy Symbol"):
        grad(y, symconv.asarray([1, 2]))
    with pytest.raises(SymconvError, match="distinct"):
        grad(y, Array(np.array([x[0], x[0]], dtype=object)))
    with pytest.raises(SymconvError, match=r"`upstream` must have the shape of `y` \(=\(3,\)\)"):
        grad(y, x, upstream=[1, 2])


def test_grad_of_variable_not_in_y_is_zero():
    x, w, z = symbols("x", 4), symbols("w", 2), symbols("z", 2)
    assert grad(symconv.correlate(x, w), z).tolist() == [0, 0]


def test_grad_refuses_a_non_holomorphic_output():
    """numpy's correlate conjugates v: d/dv of conj(v) does not exist; real symbols are fine."""
    from symconv.compat import numpy as snp

    a, v = symbols("a", 3), symbols("v", 2)
    with pytest.raises(SymconvError, match=r"not holomorphic in `wrt`: it contains conjugate\(v_0\)"):
        grad(snp.correlate(a, v), v)
    vr = symbols("v", 2, real=True)
    got = grad(snp.correlate(a, vr), vr, upstream=[1, 2])
    assert got.tolist() == [a[0] + 2 * a[1], a[1] + 2 * a[2]]
    assert grad(snp.correlate(a, v), a, upstream=[1, 0])[0] == sympy.conjugate(v[0])  # a is not conjugated


def test_grad_default_upstream_must_not_clash_with_the_inputs():
    x, w = symbols("g", 5), symbols("w", 2)
    with pytest.raises(SymconvError, match="default upstream gradient symbols g_… already occur"):
        grad(symconv.correlate(x, w), w)
    assert grad(symconv.correlate(x, w), w, upstream=[1, 0, 0, 0]).tolist() == [x[0], x[1]]


def test_grad_errors_name_the_argument():
    x, w = symbols("x", 4), symbols("w", 2)
    with pytest.raises(SymconvError, match=r"^grad: `upstream` must be numbers"):
        grad(symconv.correlate(x, w), w, "g")
    with pytest.raises(SymconvError, match=r"^grad: `y` must be numbers"):
        grad("y", w)


# -- grad against sympy.diff itself on arbitrary expressions ---------------------------------

_S = sympy.symbols("a b c d")


@st.composite
def expressions(draw):
    """Polynomials (powers, unexpanded products, rationals, floats) and a few non-polynomial terms."""

    def atom():
        return draw(st.sampled_from([*_S, sympy.Integer(2), sympy.Rational(-1, 3), sympy.Float(0.5), sympy.I]))

    def term():
        kind = draw(st.integers(0, 5))
        if kind == 0:
            return atom() ** draw(st.integers(1, 3))
        if kind == 1:
            return atom() * atom() * atom()
        if kind == 2:
            return (atom() + atom()) * atom()
        if kind == 3:
            return sympy.sin(atom()) * atom()
        if kind == 4:
            return sympy.sqrt(atom() + 1)
        return atom()

    return sympy.Add(*(term() for _ in range(draw(st.integers(1, 4)))))


@given(st.lists(expressions(), min_size=1, max_size=4), st.lists(st.integers(-3, 3), min_size=4, max_size=4))
def test_grad_equals_the_sum_of_sympy_diffs(ys, gs):
    y = symconv.asarray(ys)
    g = gs[: len(ys)]
    wrt = Array(np.array(_S[:3], dtype=object))
    got = grad(y, wrt, upstream=g)
    for s, e in zip(_S[:3], got.numpy().flat):
        want = sum((gj * sympy.diff(yj, s) for yj, gj in zip(ys, g)), sympy.Integer(0))
        assert sympy.simplify(sympy.expand(e - want)) == 0
        assert e == sympy.expand(e)  # always returned expanded
