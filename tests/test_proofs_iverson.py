"""Iverson sums read from the one definition, their exact evaluation, and the z3 guard solver.

Oracles are plain Python loops written here, never symconv code."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
import z3
from oracles.guarded import table

from symconv.core.affine import Affine
from symconv.core.formula import ConvSpec, forward, transpose
from symconv.proofs import _solver
from symconv.proofs._evaluate import monomials, values
from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Sum, Term, contraction_sum, inner_sum
from symconv.proofs._serial import decode, encode, param_symbol
from symconv.proofs._solver import equivalent, implies

N, K = param_symbol("N"), param_symbol("K")
m = Affine.var("m")


def _loop_correlate(x, w, s, d, p):
    n, k = len(x), len(w)
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    y = []
    for i in range(out):
        acc = 0
        for j in range(k):
            pos = s * i + d * j - p
            if 0 <= pos < n:
                acc += int(x[pos]) * int(w[j])
        y.append(acc)
    return y


@pytest.mark.parametrize(
    ("s", "d", "p", "flip"), [(1, 1, 0, False), (2, 1, 1, False), (1, 2, 2, True), (3, 2, 1, True)]
)
def test_contraction_sum_is_the_operation(s, d, p, flip):
    rng = np.random.default_rng(s * 10 + d)
    n, k = 9, 3
    x, w = rng.integers(-5, 6, n), rng.integers(-5, 6, k)
    spec = ConvSpec(input_size=(N,), kernel_size=(K,), stride=(s,), dilation=(d,), pad_lo=(p,), pad_hi=(p,), flip=flip)
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    sm = contraction_sum(forward(spec)[0], (m,))
    ctx = Context((N, K), ("m",), (Constraint.le(0, m), Constraint.lt(m, out)))
    got = values(Expr.of(sm), ctx, {N: n, K: k}, 0, {"x": table(x), "w": table(w)})
    want = _loop_correlate(x, w[::-1] if flip else w, s, d, p)
    assert [got[(i,)] for i in range(out)] == want


def test_transpose_sum_is_the_scatter_loop():
    rng = np.random.default_rng(3)
    n_in, k, s = 4, 3, 2
    g, w = rng.integers(-5, 6, n_in), rng.integers(-5, 6, k)
    n_out = (n_in - 1) * s + k
    want = [0] * n_out
    for i in range(n_in):
        for j in range(k):
            want[s * i + j] += int(g[i]) * int(w[j])
    sm = contraction_sum(
        transpose(ConvSpec(input_size=(N,), kernel_size=(K,), stride=(s,)))[0], (m,), operands={"x": "g"}
    )
    ctx = Context((N, K), ("m",), (Constraint.le(0, m), Constraint.lt(m, n_out)))
    got = values(Expr.of(sm), ctx, {N: n_in, K: k}, 0, {"g": table(g), "w": table(w)})
    assert [got[(i,)] for i in range(n_out)] == want


def test_multichannel_grouped_sum_matches_loops():
    rng = np.random.default_rng(4)
    cin, cout, grp, n, k = 4, 2, 2, 6, 2
    x, w = rng.integers(-3, 4, (cin, n)), rng.integers(-3, 4, (cout, cin // grp, k))
    spec = ConvSpec(input_size=(N,), kernel_size=(K,), channels=(cin, cout), groups=grp)
    o = Affine.var("o_")
    sm = contraction_sum(forward(spec)[0], (o, m))
    ctx = Context(
        (N, K),
        ("o_", "m"),
        (Constraint.le(0, o), Constraint.lt(o, cout), Constraint.le(0, m), Constraint.lt(m, n - k + 1)),
    )
    got = values(Expr.of(sm), ctx, {N: n, K: k}, 0, {"x": table(x), "w": table(w)})
    for oo in range(cout):
        gi = oo // (cout // grp)
        for i in range(n - k + 1):
            want = sum(
                int(x[gi * (cin // grp) + c, i + j]) * int(w[oo, c, j]) for c in range(cin // grp) for j in range(k)
            )
            assert got[(oo, i)] == want


def test_derivative_value_is_the_gradient_by_loops():
    rng = np.random.default_rng(5)
    n, k = 7, 3
    w, g = rng.integers(-5, 6, k), rng.integers(-5, 6, n - k + 1)
    loss = inner_sum(forward(ConvSpec(input_size=(N,), kernel_size=(K,)))[0], "g")
    ctx = Context((N, K), ("m",), (Constraint.le(0, m), Constraint.lt(m, N)))
    got = values(Derivative(Expr.of(loss), "x", (m,)), ctx, {N: n, K: k}, 0, {"w": table(w), "g": table(g)})
    want = [sum(int(g[i]) * int(w[j]) for i in range(n - k + 1) for j in range(k) if i + j == mm) for mm in range(n)]
    assert [got[(i,)] for i in range(n)] == want


def test_monomials_are_exact_polynomials():
    n0 = Affine.var("n")
    s = Sum(("n",), (Constraint.le(0, n0), Constraint.lt(n0, 3)), (Term("x", (n0,)), Term("x", (2 - n0,))))
    mono = monomials(Expr.of(s), Context((), (), ()), {})
    assert mono == {((), (("x", (0,)), ("x", (2,)))): 2, ((), (("x", (1,)), ("x", (1,)))): 1}


def test_guards_bound_every_read():
    n0 = Affine.var("n")
    unbounded = Sum(("n",), (Constraint.le(0, n0),), (Term("x", (n0,)),))
    with pytest.raises(Exception, match="does not bound"):
        values(Expr.of(unbounded), Context((), (), ()), {}, 0)


def test_serial_round_trip_of_sides():
    sm = contraction_sum(forward(ConvSpec(input_size=(N,), kernel_size=(K,), stride=(2,)))[0], (m,))
    e = Derivative(Expr.of(sm), "x", (m + 1,))
    assert decode(encode(e)) == e
    assert decode(encode({"a": [1, "b", None]})) == {"a": [1, "b", None]}


# -- the solver ---------------------------------------------------------------------


def test_implication_and_counterexample():
    ctx = Context((N, K), ("m",), (Constraint.le(0, m), Constraint.lt(m, N), Constraint.le(K, N)))
    assert implies(ctx, [], [Constraint.lt(m - K, N)]).status == "proved"
    v = implies(ctx, [], [Constraint.lt(m + K, N)])
    assert v.status == "refuted"
    cex = v.counterexample
    assert cex is not None and not (cex["m"] + cex["K"] < cex["N"])
    assert 0 <= cex["m"] < cex["N"] and cex["K"] <= cex["N"]


def test_equivalence_reports_which_side_holds():
    k = Affine.var("k")
    ctx = Context((K,), (), ())
    a = (Constraint.le(0, k), Constraint.lt(k, K))
    b = (Constraint.le(0, k), Constraint.le(k, K))
    assert equivalent(ctx, a, a).status == "proved"
    v = equivalent(ctx, a, b)
    assert v.status == "refuted" and v.detail["side"] == 2 and v.counterexample["k"] == v.counterexample["K"]


def test_floor_and_mod_sizes_translate():
    s = 2
    out = sympy.floor((N - K) / s) + 1
    n0 = Affine.var("n")
    ctx = Context((N, K), (), (Constraint.le(K, N), Constraint.eq(Affine.constant(sympy.Mod(N - K, s)), 1)))
    # with (N - K) odd, the last window ends exactly at N - 2
    v = implies(ctx, [Constraint.le(0, n0), Constraint.lt(n0, out)], [Constraint.le(s * n0 + K, N - 1)])
    assert v.status == "proved"


def test_unknown_is_reported_honestly_with_its_bounded_fallback(monkeypatch):
    real = _solver._check

    def fake(ctx, premises, neg, names, bound):
        res, rest = real(ctx, premises, neg, names, bound)
        return (z3.unknown, rest) if not bound else (res, rest)

    monkeypatch.setattr(_solver, "_check", fake)
    ctx = Context((N,), ("m",), (Constraint.le(0, m), Constraint.lt(m, N)))
    v = implies(ctx, [], [Constraint.le(m, N)])
    assert v.status == "unknown" and v.ok and v.bounded == "parameters ≤ 8, |indices| ≤ 40"
    w = implies(ctx, [], [Constraint.le(m, N - 2)])
    assert w.status == "refuted" and w.counterexample is not None


def test_division_by_a_possibly_negative_divisor_is_refused():
    """z3's div/mod are Euclidean; they match floor/Mod only for a positive divisor, so others are refused."""
    a = sympy.Symbol("a", integer=True)  # not known to be positive
    with pytest.raises(Exception, match="must be positive"):
        _solver.to_z3(sympy.floor(N / a), {"N": z3.Int("N"), "a": z3.Int("a")})
    with pytest.raises(Exception, match="must be positive"):
        _solver.to_z3(sympy.Mod(N, a), {"N": z3.Int("N"), "a": z3.Int("a")})
    s = param_symbol("s")
    x = _solver.to_z3(sympy.floor((N - K) / s), {"N": z3.Int("N"), "K": z3.Int("K"), "s": z3.Int("s")})
    solver = z3.Solver()
    solver.add(z3.Int("N") == -7, z3.Int("K") == 0, z3.Int("s") == 2, x != -4)  # ⌊−7/2⌋ = −4
    assert solver.check() == z3.unsat
