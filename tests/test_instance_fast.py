"""The fast paths of the instance engines: dense canonical tables (exact) and float64 BLAS (randomized).

Oracles: the plain-Python interpreter ``polynomial`` of ``test_instance``
(itertools over the loop box, a Counter of monomials) and Python integers —
never symconv's own enumerator. Each fast path must agree with the oracle, be
the path actually taken on the workloads it is meant for, reject false claims
on its own, and hand over to the general path where it cannot decide.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_instance import CLAIMS, polynomial

from symconv import check_exact, check_randomized
from symconv.core.formula import ConvSpec, Factor, Var, forward, transpose
from symconv.engines.blas import EXACT_LIMIT, _plan, blas_evaluate, reduction_limit
from symconv.engines.dense import dense_equal
from symconv.engines.exact import _sorted_equal
from symconv.engines.instance import DEFAULT_PRIME
from symconv.engines.progress import Progress
from symconv.engines.space import _validate
from symconv.gradients.grad import grad_contraction, permute_operand, rename_operands

QUIET = Progress("test", 1, enabled=False)


def dense(lhs, rhs, structure=None):
    """(equal, terms) of the dense path, or None when it hands over."""
    res = dense_equal(lhs, rhs, _validate("test", lhs, rhs, structure)[1])
    return None if res is None else res[:2]


def sorted_form(lhs, rhs):
    rshape, space = _validate("test", lhs, rhs, None)
    return _sorted_equal(lhs, rhs, rshape, space, 1 << 24, QUIET)


def backprop_identity(side, channels=2, kernel=3):
    """∂L/∂x of a 2-D multi-channel correlation and the full convolution of g with w (channel axes swapped)."""
    spec = ConvSpec(input_size=(side, side), kernel_size=(kernel,) * 2, batch=1, channels=(channels, channels))
    dx = grad_contraction(forward(spec)[0], "x")
    out = side - kernel + 1
    full = ConvSpec(
        input_size=(out, out),
        kernel_size=(kernel,) * 2,
        pad_lo=(kernel - 1,) * 2,
        flip=True,
        batch=1,
        channels=(channels, channels),
    )
    return dx, permute_operand(rename_operands(forward(full)[0], {"x": "g"}), "w", (1, 0, 2, 3))


def with_duplicate_terms(c, times=2):
    """The same contraction with an extra loop variable that no index reads: every term ``times`` times (the
    dense path reads it as the coefficient ``times``: symconv.engines.cancel.collapse_free)."""
    return replace(c, variables=(*c.variables, Var("z", times)))


def reordered(c):
    """The same contraction with its loop variables in reverse order: the same terms, another layout (so
    ``c + reordered(c)`` is ``2c``: symconv.engines.symmetry merges the two layouts)."""
    return replace(c, variables=tuple(reversed(c.variables)))


def self_product(c):
    """``c`` with its second factor read from the first factor's operand (``x[n + k]·x[k]``): a repeated
    operand, which only the sorted form decides."""
    first, second = c.factors[0], c.factors[1]
    twice = Factor(first.operand, second.index)
    return replace(c, factors=(first, twice), operands=(c.operand(first.operand),))


# -- the dense exact path ------------------------------------------------------------------------


def test_dense_path_decides_the_backprop_identity_in_linear_space():
    dx, full = backprop_identity(9)
    assert polynomial([(1, dx)]) == polynomial([(1, full)])
    res = dense([(1, dx)], [(1, full)])
    assert res == (True, 2 * 7 * 7 * 9 * 4)
    assert check_exact([(1, dx)], [(1, full)]).terms == res[1]


@pytest.mark.parametrize("kind", sorted(k for k in CLAIMS if k != "wrong output_padding"))
def test_dense_path_rejects_every_false_claim_on_its_own(kind):
    # (a wrong output_padding is a result-shape mismatch, rejected before any table is built)
    lhs, rhs = CLAIMS[kind]
    assert polynomial([(1, lhs)]) != polynomial([(1, rhs)])
    res = dense([(1, lhs)], [(1, rhs)])
    assert res is not None and res[0] is False
    first = sorted_form([(1, lhs)], [(1, rhs)])[2]
    assert first and check_exact([(1, lhs)], [(1, rhs)]).counterexample == first


def test_dense_path_sees_coefficients_on_equal_supports():
    # a product term (monomials x·w) and a bias term (monomials bias): one table per signature
    prod, bias = forward(ConvSpec(input_size=(5,), kernel_size=(2,), batch=1, channels=(1, 2), bias=True))
    n_prod, n_bias = 1 * 2 * 4 * 2, 1 * 2 * 4
    true = ([(5, prod), (-7, bias)], [(-7, bias), (5, prod)])
    # the same monomials on both sides (equal value tables): only the coefficients differ
    false = [
        ([(5, prod), (-7, bias)], [(-7, prod), (5, bias)]),
        ([(2, prod)], [(1, prod)]),
        ([(3, bias)], [(-3, bias)]),
    ]
    assert polynomial(true[0]) == polynomial(true[1])
    assert dense(*true) == (True, 2 * (n_prod + n_bias))
    assert check_exact(*true).holds
    for lhs, rhs in false:
        assert polynomial(lhs) != polynomial(rhs)
        res = dense(lhs, rhs)
        assert res is not None and res[0] is False
        r = check_exact(lhs, rhs)
        assert not r.holds and r.counterexample == sorted_form(lhs, rhs)[2]
    r = check_exact(*false[0])
    want = "at result index (0, 0, 0): coefficient of w[0,0,0]*x[0,0,0] is 5 on the left, -7 on the right"
    assert r.counterexample == want
    # corr + conv at K = 2 has no slot that the other two determine: a coefficient table (residual × key) decides
    corr = forward(ConvSpec(input_size=(6,), kernel_size=(2,)))[0]
    conv = forward(ConvSpec(input_size=(6,), kernel_size=(2,), flip=True))[0]
    assert dense([(5, corr), (-7, conv)], [(5, conv), (-7, corr)]) == (False, 40)
    r = check_exact([(5, corr), (-7, conv)], [(5, conv), (-7, corr)])
    assert not r.holds and r.counterexample == sorted_form([(5, corr), (-7, conv)], [(5, conv), (-7, corr)])[2]
    # ... unless every piece is on both sides with one coefficient (symconv.engines.cancel): nothing to write
    assert dense([(5, corr), (-7, conv)], [(-7, conv), (5, corr)]) == (True, 2 * 2 * 5 * 2)
    assert check_exact([(5, corr), (-7, conv)], [(-7, conv), (5, corr)]).holds


def test_duplicate_keys_are_coefficients_of_one_layout():
    corr = forward(ConvSpec(input_size=(6,), kernel_size=(3,)))[0]
    twice = [(1, corr), (1, reordered(corr))]  # every key written twice, by two layouts of the same terms
    assert polynomial(twice) == polynomial([(2, corr)])  # the oracle: coefficient 2
    for lhs, rhs, truth in (
        (twice, [(2, corr)], True),
        (twice, [(1, corr)], False),
    ):
        holds, terms, first = _sorted_equal(lhs, rhs, (4,), _validate("t", lhs, rhs, None)[1], 1 << 20, QUIET)
        assert holds is truth and dense(lhs, rhs) == (truth, terms)  # one layout, coefficient 2: dense tables
        assert (check_exact(lhs, rhs).holds, check_exact(lhs, rhs).counterexample) == (truth, first)
        assert check_randomized(lhs, rhs, trials=2).holds is truth
    # a repeated operand (x[n + k]·x[k]) is still the sorted form's
    sq = self_product(corr)
    assert dense([(1, sq)], [(1, sq)]) is None and check_exact([(1, sq)], [(1, sq)]).holds
    # a loop variable that no index reads: every term twice, read as the coefficient 2 (a coefficient table)
    dup = with_duplicate_terms(corr)
    assert polynomial([(1, dup)]) == polynomial([(2, corr)])
    for lhs, rhs, truth in (([(1, dup)], [(2, corr)], True), ([(1, dup)], [(1, corr)], False)):
        holds, terms, first = _sorted_equal(lhs, rhs, (4,), _validate("t", lhs, rhs, None)[1], 1 << 20, QUIET)
        assert holds is truth and dense(lhs, rhs) == (truth, terms)
        assert (check_exact(lhs, rhs).holds, check_exact(lhs, rhs).counterexample) == (truth, first)
    # one contraction twice on a side: its coefficients are added (a coefficient table), the dense path decides
    for lhs, rhs, truth in (
        ([(2, corr), (-1, corr)], [(1, corr)], True),  # coefficients add
        ([(1, corr), (-1, corr)], [], True),  # they cancel
        ([(1, corr), (1, corr)], [(1, corr)], False),
    ):
        holds, terms, first = _sorted_equal(lhs, rhs, (4,), _validate("t", lhs, rhs, None)[1], 1 << 20, QUIET)
        assert holds is truth and dense(lhs, rhs) == (truth, terms)
        assert (check_exact(lhs, rhs).holds, check_exact(lhs, rhs).counterexample) == (truth, first)
        assert check_randomized(lhs, rhs, trials=2).holds is truth


def test_what_the_dense_path_does_not_take():
    corr = forward(ConvSpec(input_size=(6,), kernel_size=(3,)))[0]
    conv = forward(ConvSpec(input_size=(6,), kernel_size=(3,), flip=True))[0]
    # a structure hypothesis is pinned (symconv.engines.pinned), no longer left to the sorted form
    assert dense([(1, corr)], [(1, conv)], structure={"w": np.array([1, 2, 1])}) == (True, 24)
    refl = forward(ConvSpec(input_size=(6,), kernel_size=(3,), pad_lo=(1,), padding_mode="reflect"))[0]
    # a boundary fold is cut into affine pieces (symconv.engines.folds), no longer left to the sorted form
    assert dense([(1, refl)], [(1, refl)]) == (True, 2 * 6 * 3)
    conj = forward(ConvSpec(input_size=(6,), kernel_size=(3,), conjugate_kernel=True))[0]
    assert dense([(1, conj)], [(1, conj)]) is None
    # and the engine still decides those through the sorted form
    assert check_exact([(1, corr)], [(1, conv)], structure={"w": np.array([1, 2, 1])}).holds


def test_dense_path_reports_progress():
    dx, full = backprop_identity(7)
    buf = io.StringIO()
    bar = Progress("check_exact", 2 * 5 * 5 * 9 * 4, enabled=True, delay=0.0, interval=0.0, stream=buf)
    res = dense_equal([(1, dx)], [(1, full)], _validate("t", [(1, dx)], [(1, full)], None)[1], bar)
    bar.close()
    assert res is not None and res[:2] == (True, bar.done)
    assert "100.0%" in buf.getvalue() and "done (1,800 terms" in buf.getvalue()


def test_progress_restart_counts_again_from_zero():
    bar = Progress("x", 10, enabled=False)
    bar.update(7)
    bar.restart()
    bar.update(3)
    assert bar.done == 3


# -- random contractions: the fast paths against the oracle and the general paths -------------------------


KINDS = ["forward", "x", "w", "bias", "transpose"]


def build(spec, kind, output_padding):
    """The contraction of ``kind`` for ``spec``, or None (e.g. no bias)."""
    if kind == "transpose":
        return transpose(spec, output_padding=output_padding)[0]
    ops = forward(spec)
    if kind == "forward":
        return ops[0]
    if kind == "bias":
        return grad_contraction(ops[1], "bias") if len(ops) > 1 else None
    return grad_contraction(ops[0], kind)


def positive(c):
    return all(int(x) > 0 for x in (*c.result.shape, *(v.extent for v in c.variables)))


@st.composite
def contractions(draw):
    """(spec, kind, output_padding, contraction): a random concrete contraction, or None."""
    nd = draw(st.integers(1, 2))
    n = tuple(draw(st.integers(3, 6)) for _ in range(nd))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    s = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    d = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    lo = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    hi = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    if any(di * (ki - 1) + 1 > ni + a + b for di, ki, ni, a, b in zip(d, k, n, lo, hi)):
        return None
    channels = draw(st.sampled_from([None, (2, 2), (2, 4), (4, 2)]))
    spec = ConvSpec(
        input_size=n,
        kernel_size=k,
        stride=s,
        dilation=d,
        pad_lo=lo,
        pad_hi=hi,
        flip=draw(st.booleans()),
        batch=draw(st.sampled_from([1, 2])) if channels else None,
        channels=channels,
        groups=draw(st.sampled_from([1, 2])) if channels else 1,
        bias=bool(channels),
    )
    kind = draw(st.sampled_from(KINDS))
    op = tuple(draw(st.integers(0, si - 1)) for si in s)
    c = build(spec, kind, op)
    return None if c is None or not positive(c) else (spec, kind, op, c)


def variant(spec, kind, op, how):
    """The same kind of contraction with the kernel flipped or the window shifted by one (same shapes)."""
    if how == "flip":
        other = replace(spec, flip=not spec.flip)
    elif all(h >= 1 for h in spec.pad_hi):  # shift: one more padding before, one less after
        other = replace(spec, pad_lo=tuple(x + 1 for x in spec.pad_lo), pad_hi=tuple(x - 1 for x in spec.pad_hi))
    else:
        return None
    c = build(other, kind, op)
    return c if c is not None and positive(c) else None


@settings(max_examples=60, deadline=None)
@given(contractions(), st.sampled_from(["same", "flip", "shift"]), st.sampled_from([(1, 1), (2, 2), (3, -3)]))
def test_dense_path_agrees_with_the_oracle_and_the_sorted_form(item, how, coefs):
    assume(item is not None)
    spec, kind, op, a = item
    b = a if how == "same" else variant(spec, kind, op, how)
    assume(b is not None and b.result.shape == a.result.shape)
    assume([o.shape for o in b.operands] == [o.shape for o in a.operands])
    lhs, rhs = [(coefs[0], a)], [(coefs[1], b)]
    truth = polynomial(lhs) == polynomial(rhs)
    fast = dense(lhs, rhs)
    holds, terms, first = sorted_form(lhs, rhs)
    assert holds == truth
    assert fast is not None  # no folds, no structure, no repeated keys: the dense path decides
    assert fast == (truth, terms)
    assert terms == sum(map(abs, polynomial([(1, a)]).values())) + sum(map(abs, polynomial([(1, b)]).values()))
    res = check_exact(lhs, rhs)
    # the dense path names the same first difference as the sorted form
    assert res.holds == truth and res.counterexample == first and res.terms == terms


# -- the float64 BLAS path ------------------------------------------------------------------------------


def oracle_values(c, vals, p):
    """Σ over terms of Π factors mod p, per flat result position, in Python integers (from ``polynomial``)."""
    shapes = {o.name: tuple(int(v) for v in o.shape) for o in c.operands}
    rshape = tuple(int(v) for v in c.result.shape)
    out = [0] * math.prod(rshape)
    count = 0
    for (r, mono), coef in polynomial([(1, c)]).items():
        term = coef
        for name, idx in mono:
            term *= int(vals[name][np.ravel_multi_index(idx, shapes[name])])
        out[int(np.ravel_multi_index(r, rshape)) if rshape else 0] += term
        count += coef
    return [v % p for v in out], count


# the largest prime with (p-1)^2 < 2^53: one product is exact, a sum of two is not
NEAR_LIMIT_PRIME = 94_906_249


def test_near_limit_prime_is_prime_and_at_the_limit():
    p = NEAR_LIMIT_PRIME
    assert all(p % q for q in range(2, math.isqrt(p) + 1))
    assert (p - 1) ** 2 < EXACT_LIMIT <= 2 * (p - 1) ** 2
    assert reduction_limit(p, 2) == 1
    for q in (DEFAULT_PRIME, 131, 1_000_003, NEAR_LIMIT_PRIME):
        lim = reduction_limit(q, 2)
        assert lim * (q - 1) ** 2 < 2**53 <= (lim + 1) * (q - 1) ** 2
    assert reduction_limit(2**31 - 1, 2) == 0


@settings(max_examples=60, deadline=None)
@given(
    contractions(),
    st.sampled_from([131, DEFAULT_PRIME, NEAR_LIMIT_PRIME]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_blas_path_agrees_with_python_integers(item, p, extreme, seed):
    assume(item is not None)
    c = item[3]
    rng = np.random.default_rng(seed)
    sizes = {o.name: math.prod(int(v) for v in o.shape) for o in c.operands}
    vals = {n: np.full(s, p - 1) if extreme else rng.integers(0, p, size=s) for n, s in sizes.items()}
    want, count = oracle_values(c, vals, p)
    got = blas_evaluate(c, [vals[f.operand] for f in c.factors], len(want), p)
    assert got is not None
    assert got[0].tolist() == want and got[1] == count


def test_long_reductions_stay_exact_where_plain_float64_does_not():
    # ∂L/∂w of a long 1-D correlation: each entry sums 30,000 products near (p-1)^2, far beyond 2^53
    n, k = 30_002, 3
    gw = grad_contraction(forward(ConvSpec(input_size=(n,), kernel_size=(k,)))[0], "w")
    p = DEFAULT_PRIME
    for v in (p - 1, p - 2):
        x = np.full(n, v)
        g = np.full(n - k + 1, v)
        vals = {"x": x, "g": g}
        got = blas_evaluate(gw, [vals[f.operand] for f in gw.factors], k, p)
        exact = (n - k + 1) * v**2 % p
        assert got is not None and got[0].tolist() == [exact] * k
    # the false variant: one float64 dot product over all terms rounds, and the residue comes out wrong
    naive = int(np.dot(x[: n - k + 1].astype(np.float64), g.astype(np.float64))) % p
    assert naive != exact


def test_near_limit_prime_forces_one_product_per_sum():
    dx, full = backprop_identity(6)
    p = NEAR_LIMIT_PRIME
    plan = _plan(dx, p)
    assert plan is not None and plan.reduce_each
    assert all(plan.chunks[j] == 1 for j in plan.contr)
    vals = {"g": np.full(2 * 1 * 4 * 4, p - 1), "w": np.full(2 * 2 * 9, p - 1)}
    for c in (dx, full):
        want, count = oracle_values(c, vals, p)
        got = blas_evaluate(c, [vals[f.operand] for f in c.factors], len(want), p)
        assert got is not None and got[0].tolist() == want and got[1] == count


def test_blas_path_declines_what_it_cannot_hold_and_the_engine_still_decides():
    dx, full = backprop_identity(6)
    assert _plan(dx, 2**31 - 1) is None  # (p-1)^2 ≥ 2^53
    assert check_randomized([(1, dx)], [(1, full)], prime=2**31 - 1, trials=2).holds
    refl = forward(ConvSpec(input_size=(6,), kernel_size=(3,), pad_lo=(1,), padding_mode="reflect"))[0]
    assert _plan(refl, DEFAULT_PRIME) is None


@pytest.mark.parametrize("kind", sorted(CLAIMS))
def test_the_false_claims_run_through_the_fast_paths(kind):
    lhs, rhs = CLAIMS[kind]
    for c in (lhs, rhs):
        assert _plan(c, DEFAULT_PRIME) is not None
    r = check_randomized([(1, lhs)], [(1, rhs)], trials=1)
    assert not r.holds and r.error_bound == 0


def test_the_benchmark_workload_takes_both_fast_paths():
    dx, full = backprop_identity(12, channels=3, kernel=5)
    assert dense([(1, dx)], [(1, full)]) == (True, 2 * 8 * 8 * 25 * 9)
    for c in (dx, full):
        plan = _plan(c, DEFAULT_PRIME)
        assert plan is not None and not plan.reduce_each
    vals = {"g": np.arange(3 * 8 * 8) % 97, "w": np.arange(3 * 3 * 25) % 89}
    for c in (dx, full):
        want, _ = oracle_values(c, vals, DEFAULT_PRIME)
        got = blas_evaluate(c, [vals[f.operand] for f in c.factors], len(want), DEFAULT_PRIME)
        assert got is not None and got[0].tolist() == want


def test_oracle_counter_is_what_it_claims():
    # the interpreter the tests lean on: corr y[n] = x[n]w[0] + x[n+1]w[1] at N=3, K=2
    corr = forward(ConvSpec(input_size=(3,), kernel_size=(2,)))[0]
    assert polynomial([(1, corr)]) == Counter(
        {
            ((0,), (("w", (0,)), ("x", (0,)))): 1,
            ((0,), (("w", (1,)), ("x", (1,)))): 1,
            ((1,), (("w", (0,)), ("x", (1,)))): 1,
            ((1,), (("w", (1,)), ("x", (2,)))): 1,
        }
    )


@pytest.mark.parametrize("cells", [1, 7, 64, 1 << 22])
def test_dense_blocks_do_not_change_verdict_terms_or_first_difference(monkeypatch, cells):
    import symconv.engines.dense as dense_module

    dx, full = backprop_identity(7)
    cases = [([(1, dx)], [(1, full)]), *(([(1, a)], [(1, b)]) for a, b in CLAIMS.values())]
    want = [sorted_form(lhs, rhs) if lhs[0][1].result.shape == rhs[0][1].result.shape else None for lhs, rhs in cases]
    monkeypatch.setattr(dense_module, "BLOCK_CELLS", cells)
    for (lhs, rhs), w in zip(cases, want):
        if w is None:
            continue
        assert dense(lhs, rhs) == (w[0], w[1])
        res = check_exact(lhs, rhs)
        assert (res.holds, res.terms, res.counterexample) == w


def test_encoding_fits_lambda_where_the_value_is_affine_in_the_key():
    import symconv.engines.dense as dm
    from symconv.engines.plan import layout

    c = forward(ConvSpec(input_size=(9,), kernel_size=(3,), stride=(2,), dilation=(3,)))[0]
    lay = dm._reorder(layout(c), ("w", "x"))
    # value x = 2n + 3k from the key (w: k, result: n): λ = (3, 2), every residual 0
    lam, lo, hi = dm._encoding([lay], "x", [("w", 0), ("", 0)])
    assert lam.tolist() == [3, 2] and (lo, hi) == (0, 0)
    # value w = k from the key (result: n, x: 2n + 3k): λ = (-2/3, 1/3) is not integral, so λ = 0
    lam, lo, hi = dm._encoding([lay], "w", [("", 0), ("x", 0)])
    assert lam.tolist() == [0, 0] and (lo, hi) == (0, 2)


def test_dense_path_with_unfitted_lambda_and_every_value_slot(monkeypatch):
    import symconv.engines.dense as dm

    spec = ConvSpec(input_size=(11,), kernel_size=(3,), stride=(2,), dilation=(3,), batch=1, channels=(2, 2))
    a = forward(spec)[0]
    cases = [
        ([(1, a)], [(1, a)]),
        ([(1, a)], [(1, forward(replace(spec, flip=True))[0])]),
        ([(1, a)], [(1, permute_operand(a, "w", (1, 0, 2)))]),
    ]
    want = [sorted_form(lhs, rhs) for lhs, rhs in cases]
    assert [w[0] for w in want] == [True, False, False]
    original = dm._candidates
    for shift in range(3):  # each value slot first in turn (x, w or the result)

        def rotated(lays, slots, shift=shift):
            found = original(lays, slots)
            return found[shift:] + found[:shift]

        monkeypatch.setattr(dm, "_candidates", rotated)
        for (lhs, rhs), w in zip(cases, want):
            got = dense(lhs, rhs)
            assert got is None or got == w[:2]
            res = check_exact(lhs, rhs)
            assert (res.holds, res.terms, res.counterexample) == w


def test_dense_path_is_thread_safe():
    from concurrent.futures import ThreadPoolExecutor

    dx, full = backprop_identity(9)
    cases = [([(1, dx)], [(1, full)]), *(([(1, a)], [(1, b)]) for a, b in CLAIMS.values())] * 4
    want = [check_exact(lhs, rhs) for lhs, rhs in cases]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda c: check_exact(*c), cases))
    assert [(g.holds, g.terms, g.counterexample) for g in got] == [(w.holds, w.terms, w.counterexample) for w in want]
