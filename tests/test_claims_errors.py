"""Bad input to the claims API: a SymconvError naming the argument, what must hold and what it got."""

from __future__ import annotations

import pytest
import sympy

import symconv as sc
from symconv.claims import context, relation

N, K = sc.sizes("N K")
x, w = sc.symbols("x", N), sc.symbols("w", K)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sc.sizes(""), "at least one size"),
        (lambda: sc.sizes("1N"), "identifier"),
        (lambda: sc.sizes("N N"), "distinct"),
        (lambda: sc.sizes(3), "`names`"),
        (lambda: sc.sizes("A B", assume="A >= "), "cannot read"),
        (lambda: sc.sizes("A B", assume="A >= Q"), "`Q`.*not a size"),
        (lambda: sc.sizes("A B", assume="A*B >= 3"), "linear"),
        (lambda: sc.sizes("A B", assume="__import__('os') >= 1"), "cannot read|not a size"),
        (lambda: sc.sizes("A B", assume="A >= B >= 1"), "exactly one"),
        (lambda: sc.sizes("A B", assume="A" + "+A" * 300 + " >= B"), "at most"),
        (lambda: sc.sizes("A B", assume="(" * 50 + "A" + ")" * 50 + " >= B"), "cannot read"),
        (lambda: sc.sizes("A B", assume=3.5), "`assume`"),
        (lambda: sc.sizes("A B", assume=sympy.Symbol("t") > 1), "not a size"),
        (lambda: relation("5 >= 3"), "mentions no size"),
    ],
)
def test_bad_sizes_and_relations(call, match):
    with pytest.raises(sc.SymconvError, match=match):
        call()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sc.symbols("x", sympy.Symbol("n")), "`n` in `shape` is not a size"),
        (lambda: sc.symbols("x", (N, -1)), "integer ≥ 1 or a size"),
        (lambda: sc.symbols("x", (N, 0)), "integer ≥ 1 or a size"),
        (lambda: sc.symbols("x", (N, sympy.Rational(1, 2))), "integer ≥ 1 or a size"),
        (lambda: sc.symbols("x", N * K), "linear"),
        (lambda: sc.symbols("x", N, structure="symmetric"), "`structure`"),
        (lambda: sc.symbols("x", N, real=True), "assumptions"),
        (lambda: sc.symbols("1x", N), "`name`"),
        (lambda: sc.symbols("x", -1), "`shape`"),  # concrete sizes: the ordinary error
    ],
)
def test_bad_symbolic_symbols(call, match):
    with pytest.raises(sc.SymconvError, match=match):
        call()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sc.correlate(x, sc.symbols("W", (K, K))), "same number of axes"),
        (lambda: sc.correlate(x, w, mode="wide"), "`mode`"),
        (lambda: sc.correlate(x, w, stride=0), "`stride`"),
        (lambda: sc.correlate(x, w, dilation=sympy.Symbol("d")), "`dilation`"),
        (lambda: sc.correlate(x, w, stride=(1, 2)), "`stride`"),
        (lambda: sc.correlate(x, w, stride=True), "`stride`"),
        (lambda: sc.correlate(x, w, mode="same", stride=2), "stride"),
        (lambda: sc.correlate(x, w, mode="full", padding=1), "not both"),
        (lambda: sc.correlate(x, w, padding=-1), "`padding`"),
        (lambda: sc.correlate(x, w, padding=((1, 2, 3),)), "`padding`"),
        (lambda: x + w, "shapes must be equal"),
        (lambda: x - sc.symbols("y", N + 1), "shapes must be equal"),
        (lambda: x * w, "shapes must be equal"),
        (lambda: 1.5 * x, "integer only"),
        (lambda: x * sympy.Symbol("a"), "integer only"),
        (lambda: sc.inner(x, w), "same shape"),
        (lambda: sc.flip(sc.inner(x, x)), "at least one axis"),
        (lambda: x[::2], "step 1"),
        (lambda: sc.flip(x, axis=1), "`axis`"),
        (lambda: sc.flip(x, axis=(0, -1)), "repeat"),
        (lambda: sc.flip([1, 2], axis="0"), "`axis`"),
        (lambda: x[0, 1], "2 indices"),
        (lambda: x[sympy.Symbol("a") :], "bound"),
        (lambda: x[1.5:], "bound"),
        (lambda: list(x), "cannot be iterated"),
        (lambda: len(x), "no len"),
        (lambda: sc.asarray(x), "entries must be numbers"),
    ],
)
def test_bad_operations(call, match):
    with pytest.raises(sc.SymconvError, match=match):
        call()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sc.grad(sc.correlate(x, w), sc.flip(x)), "`wrt`"),
        (lambda: sc.grad(sc.correlate(x, w), sc.symbols("z", N)), r"`wrt` \(z\) must occur in `y`"),
        (lambda: sc.grad(sc.correlate(x, w), sc.symbols("c", K, structure="centrosymmetric")), "`wrt`"),
        (lambda: sc.grad(sc.correlate(x, w), x, sc.symbols("g", N)), "`upstream` must have the shape"),
        (lambda: sc.grad(sc.correlate(x, w), x, sc.correlate(x, w)), "must not contain `wrt`"),
        (lambda: sc.grad(sc.correlate(x, sc.symbols("g", K)), x), "default upstream"),
    ],
)
def test_bad_gradients(call, match):
    with pytest.raises(sc.SymconvError, match=match):
        call()


C = sc.sizes("C")[0]
xc, wc = sc.symbols("xc", (C, N)), sc.symbols("wc", (2, C, K))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sc.compat.torch.conv1d(xc, sc.symbols("v", (2, K))), "`weight` must have 3 axes"),
        (lambda: sc.compat.torch.conv1d(x, wc), "`input` must have 3 axes"),
        (lambda: sc.compat.torch.conv1d(xc, wc, groups=2), "need `groups`"),
        (lambda: sc.compat.torch.conv1d(xc, sc.symbols("v", (2, C + 1, K))), "in_channels/groups"),
        (lambda: sc.compat.torch.conv1d(sc.symbols("y", (4, N)), sc.symbols("v", (3, 2, K)), groups=2), "divisible"),
        (lambda: sc.compat.torch.conv1d(xc, wc, sc.symbols("b", 3)), "`bias`"),
        (lambda: sc.compat.torch.conv1d(xc, wc, padding="full"), "`padding`"),
        (lambda: sc.compat.torch.conv1d(xc, wc, padding="same", stride=2), "stride"),
        (lambda: sc.compat.torch.conv1d(xc, wc, groups=0), "`groups`"),
        (lambda: sc.compat.torch.conv1d(xc, wc, padding_mode="circular"), "padding_mode"),
        (lambda: xc.transpose(0, 0), "permutation"),
        (lambda: xc.transpose(0, 1, 2), "permutation"),
        (lambda: xc.transpose("a", 0), "permutation"),
    ],
)
def test_bad_layers_and_transposes(call, match):
    with pytest.raises(sc.SymconvError, match=match):
        call()


def test_a_gradient_of_a_non_multilinear_expression_is_refused_where_it_is_read():
    y = sc.grad(x * x, x, sc.symbols("g", N))
    with pytest.raises(sc.SymconvError, match="multilinear"):
        y.iverson(context(y), derivative=False)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: context(x, w), "same shape"),
        (lambda: context(sc.sum(x), sc.sum(sc.symbols("x", K))), "two shapes"),
        (lambda: context(x, sc.flip(sc.symbols("x", N, structure="centrosymmetric"))), "two shapes or structures"),
        (lambda: context(x, x, assuming="N >= Z"), "not a size"),
        (lambda: context(x, x, assuming=object()), "`assuming`"),
        (lambda: context(), "at least one side"),
    ],
)
def test_bad_claims(call, match):
    with pytest.raises(sc.SymconvError, match=match):
        call()


@pytest.mark.parametrize(
    ("sizes", "match"),
    [
        ({N: 5}, r"missing \['K'\]"),
        ({N: 5, K: 0}, "integer ≥ 1"),
        ({N: 5, K: -2}, "integer ≥ 1"),
        ({N: 5, K: True}, "integer ≥ 1"),
        ({N: 5, K: 2.0}, "integer ≥ 1"),
        ({N: 2, K: 4}, "shape"),
        ({"N": 5, 3: 2}, "key"),
        ([5, 2], "`sizes` must be a dict"),
    ],
)
def test_bad_sizes_for_at(sizes, match):
    y = sc.correlate(x, w)
    with pytest.raises(sc.SymconvError, match=match):
        y.at(sizes)


def test_a_crop_out_of_range_at_concrete_sizes_is_refused():
    with pytest.raises(sc.SymconvError, match="out of range"):
        x[K : K + 1].at({N: 2, K: 3})


def test_sizes_accept_names_for_at_and_the_error_names_the_concrete_sizes():
    assert sc.correlate(x, w).at({"N": 3, "K": 2}).shape == (2,)


def test_expressions_that_multiply_out_too_far_are_refused_in_bounded_time():
    s = x
    for i in range(14):
        s = s + sc.symbols(f"a{i}", N)
    p = s * s * s * s  # 15**4 > 10**4 sums
    with pytest.raises(sc.SymconvError, match="multiplies out"):
        p.iverson(context(p))
    big = sc.correlate(x, list(range(1, 10_002)))
    with pytest.raises(sc.SymconvError, match="at most"):
        big.iverson(context(big))
