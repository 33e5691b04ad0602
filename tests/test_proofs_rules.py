"""Each named rewrite rule: what it does (checked against plain loops) and the side conditions it refuses."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from symconv.core.affine import Affine
from symconv.proofs._evaluate import values
from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Hypothesis, Pointwise, Sum, Term
from symconv.proofs._rules import (
    RuleError,
    apply_hypothesis,
    collapse_kronecker_delta,
    compare_coefficients,
    definition,
    differentiate_under_sum,
    entails_hypothesis,
    equal,
    reindex,
    swap_sums,
    unify,
)
from symconv.proofs._serial import param_symbol

N, K = param_symbol("N"), param_symbol("K")
n, k, m, j = (Affine.var(v) for v in ("n", "k", "m", "j"))


def rng_arrays(seed):
    rng = np.random.default_rng(seed)
    return {name: rng.integers(-5, 6, 12) for name in ("x", "w", "g")}


def _fn(arr):
    return lambda idx: arr[np.asarray(idx[0]) % len(arr)]


def _ev(side, ctx, sizes, arrs):
    return values(side, ctx, sizes, 0, {k_: _fn(v) for k_, v in arrs.items()})


def box(v, lo, hi):
    return [Constraint.le(lo, v), Constraint.lt(v, hi)]


LOSS = Sum(
    ("n", "k"),
    (*box(n, 0, N - K + 1), *box(k, 0, K), *box(n + k, 0, N)),
    (Term("x", (n + k,)), Term("w", (k,)), Term("g", (n,))),
)
CTX = Context((N, K), ("m",), (*box(m, 0, N), Constraint.le(K, N)))


def test_differentiate_gives_a_delta_and_matches_loops():
    d = Derivative(Expr.of(LOSS), "x", (m,))
    after, conds = differentiate_under_sum(d, CTX)
    assert [c.status for c in conds] == ["checked"] and "linear in x" in conds[0].text
    s = after.sums[0]
    assert Constraint.eq(n + k, m) in s.guard and [t.operand for t in s.factors] == ["w", "g"]
    arrs = rng_arrays(0)
    got = _ev(after, CTX, {N: 7, K: 3}, arrs)
    w, g = arrs["w"], arrs["g"]
    for mm in range(7):
        want = sum(int(w[kk]) * int(g[nn]) for nn in range(5) for kk in range(3) if nn + kk == mm)
        assert got[(mm,)] == want


def test_differentiate_refuses_a_nonlinear_term():
    sq = Sum(("n",), tuple(box(n, 0, N)), (Term("x", (n,)), Term("x", (n,))))
    with pytest.raises(RuleError, match="exactly once"):
        differentiate_under_sum(Derivative(Expr.of(sq), "x", (m,)), CTX)


def test_collapse_needs_a_unit_coefficient():
    s = Sum(("n", "k"), (*box(n, 0, N), *box(k, 0, K), Constraint.eq(2 * n + k, m)), (Term("g", (n,)), Term("w", (k,))))
    with pytest.raises(RuleError, match="coefficient ±1"):
        collapse_kronecker_delta(Expr.of(s), CTX, sum=0, var="n")
    after, _ = collapse_kronecker_delta(Expr.of(s), CTX, sum=0, var="k")
    assert str(after.sums[0].factors[1]) == "w[m - 2*n]"
    arrs = rng_arrays(1)
    assert _ev(Expr.of(s), CTX, {N: 6, K: 3}, arrs) == _ev(after, CTX, {N: 6, K: 3}, arrs)


def test_reindex_accepts_bijections_only():
    s = Sum(("k",), tuple(box(k, 0, K)), (Term("w", (k,)),))
    after, _ = reindex(Expr.of(s), CTX, sum=0, mapping={"k": K - 1 - j}, variables=["j"])
    assert str(after.sums[0].factors[0]) == "w[K - j - 1]"
    arrs = rng_arrays(2)
    assert _ev(Expr.of(s), CTX, {N: 5, K: 4}, arrs) == _ev(after, CTX, {N: 5, K: 4}, arrs)
    with pytest.raises(RuleError, match="det ±1"):
        reindex(Expr.of(s), CTX, sum=0, mapping={"k": 2 * j}, variables=["j"])
    with pytest.raises(RuleError, match="det ±1"):  # K·j: integral, but not onto for K ≥ 2
        reindex(Expr.of(s), CTX, sum=0, mapping={"k": K * j}, variables=["j"])
    with pytest.raises(RuleError, match="must be an integer"):
        reindex(Expr.of(s), CTX, sum=0, mapping={"k": j * (K / 2)}, variables=["j"])
    with pytest.raises(RuleError, match="clash"):
        reindex(Expr.of(s), CTX, sum=0, mapping={"k": m}, variables=["m"])
    with pytest.raises(RuleError, match=r"offset 1/2 .* must be an integer"):  # ℤ → ℤ + 1/2 is no bijection of ℤ
        reindex(Expr.of(s), CTX, sum=0, mapping={"k": j + sympy.Rational(1, 2)}, variables=["j"])


def test_reindex_accepts_a_symbolic_shear():
    """(a, b) ↦ (a + K·b, b): integer coefficients for every K and det 1, a bijection of ℤ² (a channel shear)."""
    a, b = Affine.var("a"), Affine.var("b")
    s = Sum(("a", "b"), (*box(a, 0, K), *box(b, 0, 2)), (Term("x", (a + K * b,)),))
    after, conds = reindex(Expr.of(s), CTX, sum=0, mapping={"a": a - K * b, "b": b}, variables=["a", "b"])
    assert conds[0].text == "unimodular substitution, det = 1"
    assert str(after.sums[0].factors[0]) == "x[a]"
    arrs = rng_arrays(4)
    assert _ev(Expr.of(s), CTX, {N: 5, K: 3}, arrs) == _ev(after, CTX, {N: 5, K: 3}, arrs)


def test_swap_sums_is_a_permutation():
    after, _ = swap_sums(Expr.of(LOSS), CTX, sum=0, order=["k", "n"])
    assert after.sums[0].variables == ("k", "n")
    with pytest.raises(RuleError, match="permutation"):
        swap_sums(Expr.of(LOSS), CTX, sum=0, order=["k"])
    arrs = rng_arrays(3)
    after, conds = swap_sums(Expr.of(LOSS), CTX, sum=0, order=["k", "n"])
    assert conds[0].text == "finite sum: the guard bounds every variable"
    assert _ev(Expr.of(LOSS), CTX, {N: 7, K: 3}, arrs) == _ev(after, CTX, {N: 7, K: 3}, arrs)


def test_swap_sums_refuses_an_infinite_sum():
    # n ≥ 0 only (no upper bound): Σ_n Σ_k is not a finite sum, reordering is not justified
    half = Sum(("n", "k"), (Constraint.le(0, n), *box(k, 0, K)), (Term("x", (n + k,)), Term("w", (k,))))
    with pytest.raises(RuleError, match=r"\['n'\] unbounded"):
        swap_sums(Expr.of(half), CTX, sum=0, order=["k", "n"])
    # bounded only through the other variable: n + k ≤ N − 1 with k bounded, and n ≥ 0
    chained = Sum(("n", "k"), (Constraint.le(0, n), Constraint.le(n + k, N - 1), *box(k, 0, K)), (Term("w", (k,)),))
    assert swap_sums(Expr.of(chained), CTX, sum=0, order=["k", "n"])[0].sums[0].variables == ("k", "n")
    # a symbolic positive coefficient (a stride s) bounds as well: 0 ≤ s·n ≤ N − 1
    s = param_symbol("s")
    strided = Sum(("n",), (Constraint.le(0, n * s), Constraint.le(n * s, N - 1)), (Term("x", (n * s,)),))
    ctx = Context((N, K, s), ("m",), CTX.assumptions)
    assert swap_sums(Expr.of(strided), ctx, sum=0, order=["n"])[1][0].status == "checked"


SYM = Hypothesis(
    "centrosymmetric", ("u",), tuple(box(Affine.var("u"), 0, K)), "w", (Affine.var("u"),), (K - 1 - Affine.var("u"),)
)


def test_apply_hypothesis_only_inside_its_domain():
    ctx = Context((K,), (), (), (SYM,))
    inside = Sum(("k",), tuple(box(k, 0, K)), (Term("w", (K - 1 - k,)),))
    after, conds = apply_hypothesis(Expr.of(inside), ctx, sum=0, factor=0, hypothesis="centrosymmetric")
    assert str(after.sums[0].factors[0]) == "w[k]" and conds[0].status == "proved"
    outside = Sum(("k",), tuple(box(k, 0, K + 1)), (Term("w", (K - 1 - k,)),))
    with pytest.raises(RuleError, match="counterexample: K=") as exc:
        apply_hypothesis(Expr.of(outside), ctx, sum=0, factor=0, hypothesis="centrosymmetric")
    assert exc.value.counterexample["k"] == exc.value.counterexample["K"]


def test_equal_needs_equivalent_guards_and_identical_summands():
    a = Sum(("k",), tuple(box(k, 0, K)), (Term("w", (k,)),))
    b = Sum(("k",), tuple(box(k, 0, K + 1)), (Term("w", (k,)),))
    c = Sum(("k",), tuple(box(k, 0, K)), (Term("w", (k + 1,)),))
    ctx = Context((K,), (), ())
    assert equal(Expr.of(a), ctx, claim=Expr.of(a))[0] == Expr.of(a)
    with pytest.raises(RuleError, match=r"only the claim's guard holds\); counterexample: K="):
        equal(Expr.of(a), ctx, claim=Expr.of(b))
    with pytest.raises(RuleError, match="summands differ"):
        equal(Expr.of(a), ctx, claim=Expr.of(c))


def test_definition_unfolds_a_named_array():
    body = Sum(
        ("i",),
        (*box(Affine.var("i"), 0, K), Constraint.eq(Affine.var("q"), K - 1 - Affine.var("i"))),
        (Term("w", (Affine.var("i"),)),),
    )
    s = Sum(("k",), tuple(box(k, 0, K)), (Term("v", (k,)),))
    after, _ = definition(Expr.of(s), Context((K,), (), ()), sum=0, factor=0, body=body, at=["q"])
    assert after.sums[0].variables == ("k", "i") and after.sums[0].factors == (Term("w", (Affine.var("i"),)),)
    with pytest.raises(RuleError, match="not fresh"):
        definition(Expr.of(s), Context((K,), (), ()), sum=0, factor=0, body=Sum(("k",), (), ()), at=["q"])


def test_compare_coefficients_and_entails():
    g = tuple(box(k, 0, K))
    conv = Sum(("k",), g, (Term("x", (k,)), Term("w", (K - 1 - k,))))
    corr = Sum(("k",), g, (Term("x", (k,)), Term("w", (k,))), -1)
    ctx = Context((K,), (), ())
    pw, conds = compare_coefficients(Expr.of(conv, corr), ctx, operand="x")
    assert isinstance(pw, Pointwise) and [c for c, _ in pw.terms] == [1, -1]
    done, conds = entails_hypothesis(pw, ctx, claim="centrosymmetric", hypothesis=SYM)
    assert done is not None and conds[0].status == "proved"
    anti = Hypothesis("centrosymmetric", SYM.variables, SYM.domain, "w", SYM.lhs, SYM.rhs, -1)
    with pytest.raises(RuleError, match="is not"):
        entails_hypothesis(pw, ctx, claim="centrosymmetric", hypothesis=anti)
    # a non-injective read of x cannot separate the coefficients
    dup = Sum(("k", "n"), (*g, *box(n, 0, 2)), (Term("x", (k + n,)), Term("w", (k,))))
    with pytest.raises(RuleError, match="injective"):
        compare_coefficients(Expr.of(dup), ctx, operand="x")


def test_unify_finds_the_reindexing_or_none():
    src = Sum(("a",), (), (Term("g", (m + 1 - K + Affine.var("a"),)), Term("w", (K - 1 - Affine.var("a"),))))
    dst = Sum(("n",), (), (Term("g", (n,)), Term("w", (m - n,))))
    sol = unify(src, dst)
    assert sol == {"a": n - m + K - 1}
    assert unify(src, Sum(("n",), (), (Term("g", (n,)), Term("w", (n,))))) is None


def test_compare_coefficients_accepts_a_read_injective_on_its_guard_only():
    """x[c + 2·g, k]: not injective on ℤ³, injective where 0 ≤ c < 2 (the group g is fixed by the channel)."""
    c, g = Affine.var("c"), Affine.var("g")
    guard = (*box(c, 0, 2), *box(g, 0, 2), *box(k, 0, K))
    conv = Sum(("g", "c", "k"), guard, (Term("x", (c + 2 * g, k)), Term("w", (g, c, K - 1 - k))))
    corr = Sum(("g", "c", "k"), guard, (Term("x", (c + 2 * g, k)), Term("w", (g, c, k))), -1)
    ctx = Context((K,), (), ())
    pw, conds = compare_coefficients(Expr.of(conv, corr), ctx, operand="x")
    assert isinstance(pw, Pointwise) and "injective on the guard" in conds[-1].text and conds[-1].status == "proved"
    loose = tuple(c_ for c_ in guard if c_ != Constraint.lt(c, 2))  # c unbounded above: x[2, k] read twice
    bad = Sum(("g", "c", "k"), loose, conv.factors)
    with pytest.raises(RuleError, match="injective"):
        compare_coefficients(Expr.of(bad, replace_guard(corr, loose)), ctx, operand="x")


def replace_guard(s: Sum, guard) -> Sum:
    return Sum(s.variables, tuple(guard), s.factors, s.coeff)


def test_entails_needs_only_some_group_index_where_the_terms_do_not_read_it():
    """∀ co, g, k in the guard: w[co, k] − w[co, K−1−k] = 0, g = ⌊co/3⌋ read by neither term: a witness suffices."""
    co, g = Affine.var("co"), Affine.var("g")
    ctx = Context((K,), ("co",), tuple(box(co, 0, 6)))
    guard = (*box(g, 0, 2), Constraint.le(3 * g, co), Constraint.lt(co, 3 * g + 3), *box(k, 0, K))
    pw = Pointwise(("g", "k"), guard, ((1, (Term("w", (co, k)),)), (-1, (Term("w", (co, K - 1 - k)),))))
    uo, u = Affine.var("uo"), Affine.var("u")
    hyp = Hypothesis("centrosymmetric", ("uo", "u"), (*box(uo, 0, 6), *box(u, 0, K)), "w", (uo, u), (uo, K - 1 - u))
    _, conds = entails_hypothesis(pw, ctx, claim="centrosymmetric", hypothesis=hyp)
    assert conds[0].text.startswith("domain of centrosymmetric ⇒ ∃ g:") and conds[0].status == "proved"
    # a hypothesis about more output channels than the identity covers (0 ≤ uo < 7) is refused, with z3's witness
    wide = Hypothesis("centrosymmetric", ("uo", "u"), (*box(uo, 0, 7), *box(u, 0, K)), "w", (uo, u), (uo, K - 1 - u))
    with pytest.raises(RuleError, match=r"counterexample: .*uo=6"):
        entails_hypothesis(pw, ctx, claim="centrosymmetric", hypothesis=wide)


def test_unify_matches_a_multi_unknown_index_by_coefficients():
    c, g, c2, g2 = (Affine.var(v) for v in ("c", "g", "c'", "g'"))
    src = Sum(("c'", "g'"), (), (Term("x", (c2 + 2 * g2,)), Term("w", (g2, c2))))
    dst = Sum(("c", "g"), (), (Term("x", (c + 2 * g,)), Term("w", (g, c))))
    assert unify(src, dst) == {"g'": g, "c'": c}
    assert unify(src, Sum(("c", "g"), (), (Term("x", (c + 2 * g,)), Term("w", (c, g))))) is None
