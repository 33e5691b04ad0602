"""Building lazy arrays of symbolic size, their display, the claim context, and the concrete API unchanged."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import sympy

import symconv as sc
from symconv.arrays import array as concrete_array
from symconv.arrays import ops as concrete_ops
from symconv.claims import Node, context, structure
from symconv.engines.instance import check_exact
from symconv.gradients import grad as concrete_grad
from symconv.proofs._iverson import Derivative, Expr
from symconv.proofs._parts import Deriver, Part
from symconv.proofs.library._common import _standard

N, K, M = sc.sizes("N K M")
x, w, g = sc.symbols("x", N), sc.symbols("w", K), sc.symbols("g", N - K + 1)


def test_concrete_sizes_behave_exactly_as_before():
    assert isinstance(sc.symbols("x", 3), sc.Array) and sc.symbols("x", (2, 2)) == concrete_array.symbols("x", (2, 2))
    assert sc.correlate([2, 1, 3], [1, -1]) == concrete_ops.correlate([2, 1, 3], [1, -1])
    assert sc.convolve([1, 2], [1, 10], mode="full").tolist() == [1, 12, 20]
    xs, ws = sc.symbols("x", 4), sc.symbols("w", 2)
    assert sc.grad(sc.correlate(xs, ws), xs) == concrete_grad.grad(concrete_ops.correlate(xs, ws), xs)
    for public, original in ((sc.correlate, concrete_ops.correlate), (sc.convolve, concrete_ops.convolve)):
        assert inspect.signature(public) == inspect.signature(original) and public.__doc__ == original.__doc__
    with pytest.raises(sc.SymconvError, match="`shape`"):
        sc.symbols("x", 0)


@pytest.mark.parametrize(
    ("node", "shape", "text"),
    [
        (x, (N,), "x"),
        (sc.correlate(x, w), (N - K + 1,), "correlate(x, w)"),
        (sc.convolve(x, w, mode="full"), (N + K - 1,), "convolve(x, w, mode='full')"),
        (sc.correlate(x, w, mode="same"), (N,), "correlate(x, w, mode='same')"),
        (sc.correlate(x, w, stride=2), (sympy.floor((N - K) / 2) + 1,), "correlate(x, w, stride=2)"),
        (sc.correlate(x, w, padding=K), (N + K + 1,), "correlate(x, w, padding=K)"),
        (sc.correlate(x, w, dilation=M), (N - M * (K - 1),), "correlate(x, w, dilation=M)"),
        (sc.grad(sc.correlate(x, w), w, g), (K,), "grad(correlate(x, w), w, g)"),
        (sc.grad(sc.correlate(x, w), x), (N,), "grad(correlate(x, w), x, g)"),
        (sc.flip(x), (N,), "flip(x)"),
        (x.flip(), (N,), "flip(x)"),
        (sc.flip(sc.symbols("X", (M, N)), axis=1), (M, N), "flip(X, axis=1)"),
        (x + sc.flip(x), (N,), "x + flip(x)"),
        (x - 2 * sc.flip(x), (N,), "x - 2*flip(x)"),
        (-x, (N,), "-x"),
        (x * x, (N,), "(x) * (x)"),
        (sc.inner(x, x), (), "inner(x, x)"),
        (sc.sum(sc.correlate(x, w)), (), "sum(correlate(x, w))"),
        (x[1:N], (N - 1,), "x[1:N]"),
        (sc.symbols("X", (M, N))[1, :], (N,), "X[1, 0:N]"),
        (sc.symbols("C", (M, N, N)), (M, N, N), "C"),
        (sc.correlate(x, [1, 2]), (N - 1,), "correlate(x, [1, 2])"),
        (sc.correlate(x, sc.symbols("v", 3)), (N - 2,), "correlate(x, v)"),
        (sc.symbols("T", (M, N)).transpose(), (N, M), "T.transpose(1, 0)"),
        (
            sc.compat.torch.conv2d(sc.symbols("B", (2, M, N, N)), sc.symbols("V", (4, M, K, K)), stride=2),
            (2, 4, sympy.floor((N - K) / 2) + 1, sympy.floor((N - K) / 2) + 1),
            "conv2d(B, V, stride=2)",
        ),
    ],
)
def test_every_node_builds_at_symbolic_size(node, shape, text):
    assert isinstance(node, Node)
    assert len(node.shape) == len(shape) and all(sympy.simplify(a - b) == 0 for a, b in zip(node.shape, shape))
    assert str(node) == text and text in repr(node)
    tex = node.latex()
    assert r"\left[" in tex or not node.shape


def test_display_is_an_iverson_sum_with_its_guards():
    tex = sc.convolve(g, w, mode="full").latex()
    assert tex.startswith(r"\sum_{n, k}") and r"\wedge" in tex and "g[" in tex and "w[K - 1 - k]" in tex
    assert sc.inner(x, sc.flip(x)).latex().startswith(r"\sum_{u}")
    assert sc.correlate(x, w)._repr_latex_().startswith("$")


def test_arrays_and_numpy_arrays_defer_to_lazy_arrays():
    y = sc.correlate(x, [1, 1])
    assert isinstance(sc.asarray([1, 2]) * sc.correlate(sc.symbols("z", 3), [1, 1]), sc.Array)  # concrete stays
    z = sc.symbols("z", N - 1)
    for node in (sc.Array([1]) + sc.symbols("q", 1) * 0 + 0 * sc.symbols("q", 1), y + z, z + y):
        assert node is not None
    assert isinstance(np.int64(2) * y, Node) and isinstance(y * 3, Node)
    assert isinstance(sc.symbols("a", 2) + sc.correlate(sc.symbols("x", N), [1, 1])[0:2], Node)


def test_sizes_carry_their_relations_into_the_claim():
    A, B = sc.sizes("A B", assume="A >= 2*B")
    a, b = sc.symbols("a", A), sc.symbols("b", B)
    ctx = context(sc.correlate(a, b), sc.correlate(a, b))
    assert "A - 2*B >= 0" in [str(c) for c in ctx.assumptions]
    assert ctx.params == (A, B) and ctx.free == ("i0",)
    sc.sizes("A B")  # declared again: the old relation is forgotten for new arrays …
    fresh = context(sc.correlate(sc.symbols("a", A), sc.symbols("b", B)))
    assert "A - 2*B >= 0" not in [str(c) for c in fresh.assumptions]
    assert "A - 2*B >= 0" in [str(c) for c in context(a).assumptions]  # … and kept by the old ones
    more = context(a, assuming=[A > B, "B >= 3"])
    assert {"A - B - 1 >= 0", "B - 3 >= 0"} <= {str(c) for c in more.assumptions}


def test_the_context_states_sizes_windows_free_ranges_and_hypotheses():
    c = sc.symbols("c", K, structure="centrosymmetric")
    lhs, rhs = sc.correlate(x, c), sc.convolve(x, c)
    ctx = context(lhs, rhs)
    text = {str(a) for a in ctx.assumptions}
    assert {"N - 1 >= 0", "K - 1 >= 0", "-K + N >= 0", "i0 >= 0", "-K + N - i0 >= 0"} <= text
    (h,) = ctx.hypotheses
    assert (h.name, h.operand, h.sign, [str(a) for a in h.rhs]) == ("centrosymmetric", "c", 1, ["K - u0 - 1"])
    two = context(sc.correlate(x, c) + sc.correlate(x, sc.symbols("d", K, structure="centrosymmetric")))
    assert [h.name for h in two.hypotheses] == ["centrosymmetric c", "centrosymmetric d"]
    anti = context(sc.symbols("a", (K, M), structure="anticentrosymmetric"))
    assert anti.hypotheses[0].sign == -1 and anti.hypotheses[0].variables == ("u0", "u1")


def test_structure_for_the_exact_engine():
    c = sc.symbols("c", K, structure="anticentrosymmetric")
    st = structure([sc.correlate(x, c)], {N: 5, K: 3})
    assert st is not None and st["c"].tolist() == [1, 0, -1]
    lhs, rhs = sc.correlate(x, c), -sc.convolve(x, c)
    sizes = {N: 6, K: 4}
    assert check_exact(lhs.contractions(sizes), rhs.contractions(sizes), structure=structure([lhs], sizes)).holds
    assert not check_exact(lhs.contractions(sizes), rhs.contractions(sizes)).holds
    assert structure([sc.correlate(x, w)], sizes) is None


def test_iverson_needs_one_free_index_per_axis():
    with pytest.raises(sc.SymconvError, match="one free index per axis"):
        x.iverson(context(sc.inner(x, x)))
    assert isinstance(sc.grad(sc.correlate(x, w), x, g).iverson(context(x)), Derivative)
    assert isinstance(sc.grad(sc.correlate(x, w), x, g).iverson(context(x), derivative=False), Expr)


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (sc.grad(sc.correlate(x, w), x, g), sc.convolve(g, w, mode="full")),
        (sc.grad(sc.convolve(x, w), x, g), sc.correlate(g, w, mode="full")),
        (sc.grad(sc.correlate(x, w), w, g), sc.correlate(x, g)),
    ],
)
def test_the_library_strategy_proves_user_stated_gradients_as_they_come(lhs, rhs):
    ctx = context(lhs, rhs)
    part = Part("claim", ctx, lhs.iverson(ctx), rhs.iverson(ctx))
    _standard(Deriver(part))
    assert part.steps


def test_a_false_gradient_claim_is_not_closed():
    lhs, rhs = sc.grad(sc.correlate(x, w), x, g), sc.correlate(g, w, mode="full")
    ctx = context(lhs, rhs)
    with pytest.raises(Exception, match="no reindexing"):
        _standard(Deriver(Part("claim", ctx, lhs.iverson(ctx), rhs.iverson(ctx))))
