"""Lazy arrays of symbolic size against independent oracles: ``at()`` against plain loops, and
``iverson()`` (evaluated by proofs/_evaluate.py with guarded arrays) and ``contractions()`` (expanded by
the term engine) against ``at()`` at small sizes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from oracles.guarded import table
from oracles.reference_conv import conv_layer, linear_grad

import symconv as sc
from symconv.claims import context
from symconv.engines.terms import expand
from symconv.proofs._evaluate import values

N, K, M = sc.sizes("N K M")
RNG = np.random.default_rng(7)


def _data(shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty(shape, dtype=object)
    out[...] = rng.integers(-5, 6, size=shape).tolist() if shape else int(rng.integers(-5, 6))
    return out


def _arrays(node: Any, sizes: dict[Any, int]) -> dict[str, np.ndarray]:
    """Integer data for every named array of ``node`` at ``sizes`` (structured arrays made symmetric)."""
    out = {}
    for i, leaf in enumerate(node.leaves()):
        shape = tuple(int(sympy.sympify(e).subs(sizes)) for e in leaf.shape)
        a = _data(shape, 100 + i)
        if leaf.structure == "centrosymmetric":
            a = a + np.flip(a)
        elif leaf.structure == "anticentrosymmetric":
            a = a - np.flip(a)
        out[leaf.name] = a
    return out


def _numeric(value: Any, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """``at()``'s symbolic entries ``x_0``, ``x_{1,2}`` … replaced by the data (names read, not computed by symconv)."""
    env = {}
    for name, a in arrays.items():
        for idx in np.ndindex(*a.shape):
            label = f"{name}_{idx[0]}" if len(idx) == 1 else f"{name}_{{{','.join(map(str, idx))}}}"
            env[label] = a[idx]
    out = np.empty(value.shape, dtype=object)
    for idx, e in np.ndenumerate(value.numpy()):
        e = sympy.sympify(e)
        out[idx] = int(e.subs({s: env[s.name] for s in e.free_symbols}))
    return out


def _check_iverson(node: Any, sizes: dict[Any, int], arrays: dict[str, np.ndarray], expect: np.ndarray) -> None:
    ctx = context(node)
    want = {idx: int(v) for idx, v in np.ndenumerate(expect)}
    for derivative in (True, False):
        side = node.iverson(ctx, derivative=derivative)
        got = values(side, ctx, sizes, seed=0, arrays={k: table(v) for k, v in arrays.items()})
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in want.items() if v}


def _check_engine(node: Any, sizes: dict[Any, int], arrays: dict[str, np.ndarray], expect: np.ndarray) -> None:
    side = node.contractions(sizes)
    if side is None:
        return
    total = np.zeros(expect.shape, dtype=object)
    for coef, c in side:
        total = total + coef * expand([c], arrays)
    total = np.asarray(total, dtype=object).reshape(expect.shape)
    assert all(sympy.Integer(a) == b for a, b in zip(total.flat, expect.flat))


def _layer(x: np.ndarray, w: np.ndarray, *, flip: bool = False, stride=None, dilation=None, pad=None) -> np.ndarray:
    nd = x.ndim
    y = conv_layer(
        x[None, None],
        w[None, None],
        stride=stride or (1,) * nd,
        dilation=dilation or (1,) * nd,
        pad=pad or ((0, 0),) * nd,
        flip=flip,
    )
    return y[0, 0]


x, w, g, v = sc.symbols("x", N), sc.symbols("w", K), sc.symbols("g", N - K + 1), sc.symbols("v", N)
X, W = sc.symbols("X", (N, M)), sc.symbols("W", (K, 2))

# (name, node, sizes, oracle(arrays) -> expected value)
CASES: list[tuple[str, Any, dict[Any, int], Callable[[dict[str, np.ndarray]], np.ndarray]]] = [
    ("correlate", sc.correlate(x, w), {N: 6, K: 3}, lambda a: _layer(a["x"], a["w"])),
    ("convolve", sc.convolve(x, w), {N: 6, K: 3}, lambda a: _layer(a["x"], a["w"], flip=True)),
    (
        "convolve full",
        sc.convolve(x, w, mode="full"),
        {N: 5, K: 3},
        lambda a: _layer(a["x"], a["w"], flip=True, pad=((2, 2),)),
    ),
    ("correlate same", sc.correlate(x, w, mode="same"), {N: 5, K: 4}, lambda a: _layer(a["x"], a["w"], pad=((1, 2),))),
    (
        "strided dilated padded",
        sc.correlate(x, w, stride=2, dilation=2, padding=1),
        {N: 9, K: 3},
        lambda a: _layer(a["x"], a["w"], stride=(2,), dilation=(2,), pad=((1, 1),)),
    ),
    (
        "padding pairs",
        sc.convolve(x, w, padding=((1, 2),)),
        {N: 4, K: 2},
        lambda a: _layer(a["x"], a["w"], flip=True, pad=((1, 2),)),
    ),
    ("2-D", sc.correlate(X, W), {N: 4, M: 5, K: 2}, lambda a: _layer(a["X"], a["W"])),
    (
        "2-D full stride",
        sc.convolve(X, W, mode="full", stride=(1, 2)),
        {N: 3, M: 4, K: 2},
        lambda a: _layer(a["X"], a["W"], flip=True, stride=(1, 2), pad=((1, 1), (1, 1))),
    ),
    (
        "grad input",
        sc.grad(sc.correlate(x, w), x, g),
        {N: 6, K: 3},
        lambda a: linear_grad(lambda z: _layer(z, a["w"]), a["x"].shape, a["g"]),
    ),
    (
        "grad weight",
        sc.grad(sc.convolve(x, w), w, g),
        {N: 6, K: 3},
        lambda a: linear_grad(lambda z: _layer(a["x"], z, flip=True), a["w"].shape, a["g"]),
    ),
    (
        "grad strided",
        sc.grad(
            sc.correlate(x, w, stride=2, dilation=2, padding=1),
            x,
            sc.symbols("h", sympy.floor((N + 2 - 2 * K + 1) / 2) + 1),
        ),
        {N: 8, K: 2},
        lambda a: linear_grad(
            lambda z: _layer(z, a["w"], stride=(2,), dilation=(2,), pad=((1, 1),)), a["x"].shape, a["h"]
        ),
    ),
    ("flip", sc.flip(x), {N: 4}, lambda a: a["x"][::-1]),
    ("flip 2-D", sc.flip(X), {N: 2, M: 3}, lambda a: a["X"][::-1, ::-1]),
    ("flip one axis", sc.flip(X, axis=1), {N: 2, M: 3}, lambda a: a["X"][:, ::-1]),
    (
        "flip first axis",
        sc.flip(sc.correlate(X, W), axis=-2),
        {N: 4, M: 3, K: 2},
        lambda a: _layer(a["X"], a["W"])[::-1],
    ),
    ("linear", 2 * x - 3 * sc.flip(v) + v, {N: 4}, lambda a: 2 * a["x"] - 3 * a["v"][::-1] + a["v"]),
    ("negation", -x, {N: 3}, lambda a: -a["x"]),
    ("elementwise", x * v, {N: 4}, lambda a: a["x"] * a["v"]),
    ("inner", sc.inner(x, v), {N: 4}, lambda a: np.array(int(np.sum(a["x"] * a["v"])), dtype=object)),
    ("sum", sc.sum(X), {N: 2, M: 3}, lambda a: np.array(int(np.sum(a["X"])), dtype=object)),
    (
        "adjoint side",
        sc.inner(sc.correlate(x, w), g),
        {N: 5, K: 2},
        lambda a: np.array(int(np.sum(_layer(a["x"], a["w"]) * a["g"])), dtype=object),
    ),
    ("crop", x[1 : N - 1], {N: 5}, lambda a: a["x"][1:4]),
    ("crop negative", x[:-1], {N: 5}, lambda a: a["x"][:4]),
    ("crop symbolic start", x[K:], {N: 5, K: 2}, lambda a: a["x"][2:]),
    ("index", X[0, 1:], {N: 3, M: 4}, lambda a: a["X"][0, 1:]),
    (
        "nested",
        sc.correlate(sc.correlate(x, w), sc.symbols("u", M)),
        {N: 7, K: 2, M: 3},
        lambda a: _layer(_layer(a["x"], a["w"]), a["u"]),
    ),
    (
        "constant kernel",
        sc.correlate(x, [1, -2, 1]),
        {N: 5},
        lambda a: _layer(a["x"], np.array([1, -2, 1], dtype=object)),
    ),
    (
        "centrosymmetric kernel",
        sc.convolve(x, sc.symbols("c", K, structure="centrosymmetric")),
        {N: 6, K: 3},
        lambda a: _layer(a["x"], a["c"], flip=True),
    ),
    (
        "anticentrosymmetric kernel",
        sc.correlate(x, sc.symbols("c", K, structure="anticentrosymmetric")),
        {N: 6, K: 3},
        lambda a: _layer(a["x"], a["c"]),
    ),
    (
        "torch conv1d channels",
        sc.compat.torch.conv1d(sc.symbols("xc", (M, N)), sc.symbols("wc", (3, M, K)), padding=1),
        {N: 5, M: 2, K: 2},
        lambda a: conv_layer(a["xc"][None], a["wc"], stride=(1,), dilation=(1,), pad=((1, 1),))[0],
    ),
    (
        "torch conv1d groups batch bias stride",
        sc.compat.torch.conv1d(
            sc.symbols("xb", (2, 4, N)), sc.symbols("wb", (2, 2, K)), sc.symbols("b", 2), 2, 1, 1, 2
        ),
        {N: 7, K: 3},
        lambda a: conv_layer(a["xb"], a["wb"], a["b"], stride=(2,), dilation=(1,), pad=((1, 1),), groups=2),
    ),
    (
        "torch conv2d same",
        sc.compat.torch.conv2d(sc.symbols("x2", (2, N, M)), sc.symbols("w2", (1, 2, K, 2)), padding="same"),
        {N: 3, M: 4, K: 3},
        lambda a: conv_layer(a["x2"][None], a["w2"], stride=(1, 1), dilation=(1, 1), pad=((1, 1), (0, 1)))[0],
    ),
    (
        "torch input gradient through a transposed, flipped weight",
        sc.compat.torch.conv1d(
            sc.symbols("gc", (3, N - K + 1)),
            sc.flip(sc.symbols("wc", (3, M, K)).transpose(1, 0, 2), axis=2),
            padding=K - 1,
        ),
        {N: 5, M: 2, K: 2},
        lambda a: linear_grad(
            lambda z: conv_layer(z[None], a["wc"], stride=(1,), dilation=(1,), pad=((0, 0),))[0], (2, 5), a["gc"]
        ),
    ),
    (
        "transpose",
        sc.symbols("T", (M, N, K)).transpose(2, 0, 1),
        {N: 2, M: 3, K: 2},
        lambda a: a["T"].transpose(2, 0, 1),
    ),
    ("transpose reversed", sc.symbols("T", (M, N)).transpose(), {N: 2, M: 3}, lambda a: a["T"].T),
    (
        "grad of a sum",
        sc.grad(sc.correlate(x, w) + sc.convolve(x, w), x, g),
        {N: 5, K: 2},
        lambda a: linear_grad(lambda z: _layer(z, a["w"]) + _layer(z, a["w"], flip=True), a["x"].shape, a["g"]),
    ),
]


@pytest.mark.parametrize(("name", "node", "sizes", "oracle"), CASES, ids=[c[0] for c in CASES])
def test_at_iverson_and_contractions_agree_with_plain_loops(name, node, sizes, oracle):
    arrays = _arrays(node, sizes)
    expect = np.asarray(oracle(arrays), dtype=object)
    got = _numeric(node.at(sizes), arrays)
    assert got.shape == expect.shape and (got == expect).all(), name
    _check_iverson(node, sizes, arrays, expect)
    _check_engine(node, sizes, arrays, expect)


def test_the_engine_route_covers_the_library_shapes():
    sizes = {N: 6, K: 3}
    for node in (
        sc.correlate(x, w),
        sc.grad(sc.correlate(x, w), x, g),
        sc.grad(sc.correlate(x, w), w, g),
        sc.convolve(g, w, mode="full"),
        sc.flip(sc.correlate(x, w)),
        sc.inner(sc.correlate(x, w), g),
        sc.correlate(x, w) - sc.convolve(x, w),
    ):
        assert node.contractions(sizes) is not None, str(node)
    assert sc.correlate(x, sc.flip(w)).contractions(sizes) is not None  # a flip of a named array is a re-indexing
    assert sc.correlate(x, sc.flip(w) + w).contractions(sizes) is None
    assert sc.correlate(x, w[1:]).contractions(sizes) is None
    assert sc.correlate(x, x[0:K]).contractions(sizes) is None
    assert sc.correlate(sc.correlate(x, w), sc.symbols("u", M)).contractions({N: 6, K: 2, M: 2}) is None


def test_a_derivative_at_the_top_reads_like_the_library():
    lhs = sc.grad(sc.correlate(x, w), x, g)
    ctx = context(lhs, sc.convolve(g, w, mode="full"))
    d = lhs.iverson(ctx)
    assert d.operand == "x" and [str(a) for a in d.index] == ["i0"]
    (s,) = d.expr.sums
    assert [t.operand for t in s.factors] == ["x", "w", "g"] and set(s.variables) == {"n0", "k0"}
    flat = lhs.iverson(ctx, derivative=False)
    sizes = {N: 5, K: 2}
    arrays = {k: table(a) for k, a in _arrays(lhs, sizes).items()}
    assert values(d, ctx, sizes, 0, arrays=arrays) == values(flat, ctx, sizes, 0, arrays=arrays)


@given(
    n=st.integers(1, 9),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
    d=st.integers(1, 3),
    lo=st.integers(0, 2),
    hi=st.integers(0, 2),
    flip=st.booleans(),
    wrt=st.sampled_from([None, "x", "w"]),
)
def test_any_hyper_parameters_at_random_sizes(n, k, s, d, lo, hi, flip, wrt):
    if n + lo + hi < d * (k - 1) + 1:
        return
    op = sc.convolve if flip else sc.correlate
    y = op(x, w, stride=s, dilation=d, padding=((lo, hi),))
    sizes = {N: n, K: k}
    arrays = _arrays(y, sizes)
    expect = _layer(arrays["x"], arrays["w"], flip=flip, stride=(s,), dilation=(d,), pad=((lo, hi),))
    node: Any = y
    if wrt is not None:
        h = sc.symbols("h", y.shape[0])
        node = sc.grad(y, x if wrt == "x" else w, h)
        arrays = _arrays(node, sizes)
        other = arrays["w"] if wrt == "x" else arrays["x"]

        def f(z: np.ndarray) -> np.ndarray:
            a, b = (z, other) if wrt == "x" else (other, z)
            return _layer(a, b, flip=flip, stride=(s,), dilation=(d,), pad=((lo, hi),))

        expect = linear_grad(f, arrays[wrt].shape, arrays["h"])
    got = _numeric(node.at(sizes), arrays)
    assert (got == expect).all()
    _check_iverson(node, sizes, arrays, expect)
    _check_engine(node, sizes, arrays, expect)
