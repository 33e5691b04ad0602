"""The randomized engine's plans (issue 11): ``direct`` (strided views per outer point, float64), ``blas``
(im2col and matmul, float64), ``strided`` (int64 views), ``terms`` (int64 term blocks).

Each plan is forced in turn: it evaluates exactly modulo p (against the plain-loop oracle), refutes false
claims at every seed with the same message, proves true ones with the same error bound; the cost model
picks the direct plan for one channel and the BLAS plan for many.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_instance import CLAIMS
from test_instance_adversarial import PRIMES, contractions, oracle, oracle_value, pairs, worlds
from test_instance_fast import backprop_identity

import symconv.engines.direct as direct_mod
from symconv import SymconvError, check_randomized
from symconv.core.formula import ConvSpec, forward
from symconv.engines.direct import Accumulator, direct_evaluate, direct_plan
from symconv.engines.randomized import PLANS, choose_plan, forced_plan
from symconv.engines.space import DEFAULT_PRIME

# -- the direct evaluator at a point, against the oracle ------------------------------------------


def _direct(c, values, rsize, p):
    plan = direct_plan(c, p)
    if plan is None:
        return None
    acc = Accumulator(rsize, p)
    n = direct_evaluate(plan, [values[f.operand].reshape(-1).astype(np.float64) for f in c.factors], acc)
    return acc.residues().tolist(), n


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_direct_evaluator_agrees_with_the_oracle_modulo_p(data):
    world = data.draw(worlds())
    c = data.draw(contractions(world))
    p = data.draw(st.sampled_from(PRIMES))
    shapes, rshape = world
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32)))
    values = {
        n: rng.integers(max(0, p - 4), p, size=s) if rng.random() < 0.5 else rng.integers(0, p, size=s)
        for n, s in shapes.items()
    }
    want = oracle_value([(1, c)], values, p)
    rsize = max(1, int(np.prod(rshape, dtype=np.int64)))
    expect = [want.get(i, 0) for i in range(rsize)]
    terms = sum(oracle([(1, c)]).values())  # every in-range term is one monomial with coefficient 1
    for tile, merge in ((direct_mod.TILE_ELEMENTS, True), (1, True), (direct_mod.TILE_ELEMENTS, False)):
        got = _direct_with(c, values, rsize, p, tile=tile, merge=merge)
        if got is not None:
            assert got == (expect, terms), (p, tile, merge)
        else:  # it declines only what float64 cannot hold (or folds and conjugates, not drawn here)
            assert (p - 1) ** len(c.factors) + 2 * p >= 2**53


def _direct_with(c, values, rsize, p, *, tile, merge):
    """The direct evaluator with cache tiles of ``tile`` elements and row merging on or off."""
    old = direct_mod.TILE_ELEMENTS, direct_mod.MERGE_ROWS
    direct_mod.TILE_ELEMENTS, direct_mod.MERGE_ROWS = tile, merge
    direct_plan.cache_clear()
    try:
        return _direct(c, values, rsize, p)
    finally:
        direct_mod.TILE_ELEMENTS, direct_mod.MERGE_ROWS = old
        direct_plan.cache_clear()


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("kernel", [1, 3])
def test_merged_rows_agree_with_the_oracle(channels, kernel):
    """One channel: each tap's box is ONE run of (R−1)·P + W positions over rows copied to the result's
    pitch; the positions between the rows read zeros. Against the oracle, with tiles of 1, 2 and all rows."""
    dx, full = backprop_identity(9, channels=channels, kernel=kernel)
    p = 94_906_249
    rng = np.random.default_rng(channels)
    out = 9 - kernel + 1
    values = {
        "g": rng.integers(p - 50, p, size=(1, channels, out, out)),
        "w": rng.integers(0, p, size=(channels, channels, kernel, kernel)),
    }
    for c in (dx, full):
        want = oracle_value([(1, c)], values, p)
        expect = ([want.get(i, 0) for i in range(channels * 81)], channels**2 * out * out * kernel * kernel)
        for tile in (1, 9 * 2, 10**6):
            direct_mod.TILE_ELEMENTS, old = tile, direct_mod.TILE_ELEMENTS
            direct_plan.cache_clear()
            try:
                plan = direct_plan(c, p)
                assert plan is not None and plan.repitch is not None
                if tile == 10**6:  # runs of several rows (a tile of one row is one row anyway)
                    assert any(len(shape) == 2 - (channels == 1) for shape, _ in plan.geometry)
            finally:
                direct_mod.TILE_ELEMENTS = old
                direct_plan.cache_clear()
            assert _direct_with(c, values, channels * 81, p, tile=tile, merge=True) == expect, (c.name, tile)


def test_direct_accumulator_reduces_before_float64_could_round():
    """Values near p with (p−1)² just below 2^53: without the reduction between boxes the sums round."""
    p = 94_906_249
    rng = np.random.default_rng(1)
    corr = forward(ConvSpec(input_size=(40,), kernel_size=(30,)))[0]
    for c in (corr,):
        values = {"x": rng.integers(p - 1000, p, size=40), "w": rng.integers(p - 1000, p, size=30)}
        want = oracle_value([(1, c)], values, p)
        got = _direct(c, values, 11, p)
        assert got is not None and got[0] == [want.get(i, 0) for i in range(11)]
    dx, full = backprop_identity(12, channels=1, kernel=5)
    for c in (dx, full):
        values = {"g": rng.integers(p - 1000, p, size=(1, 1, 8, 8)), "w": rng.integers(p - 1000, p, size=(1, 1, 5, 5))}
        want = oracle_value([(1, c)], values, p)
        got = _direct(c, values, 144, p)
        assert got is not None and got[0] == [want.get(i, 0) for i in range(144)]
    assert direct_plan(corr, 94_906_297) is None  # (p−1)² + p ≥ 2^53: one product may round
    assert check_randomized([(1, corr)], [(1, corr)], prime=94_906_297).holds


# -- every plan forced: verdicts, messages, bounds -------------------------------------------------


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("kind", sorted(CLAIMS))
def test_every_plan_refutes_the_false_claims_at_every_seed(plan, kind):
    lhs, rhs = CLAIMS[kind]
    for seed in range(4):
        with forced_plan("terms"):
            reference = check_randomized([(1, lhs)], [(1, rhs)], trials=1, seed=seed)
        with forced_plan(plan):
            r = check_randomized([(1, lhs)], [(1, rhs)], trials=1, seed=seed)
        assert not r.holds and r.error_bound == 0 and r.counterexample
        assert f"(seed {seed})" in r.counterexample or "result shape" in r.counterexample
        assert r.counterexample == reference.counterexample  # the same point, position and values


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("channels", [1, 3])
def test_every_plan_proves_the_backprop_identity_with_the_bound(plan, channels):
    dx, full = backprop_identity(9, channels=channels)
    with forced_plan(plan):
        assert {choose_plan(c, DEFAULT_PRIME) for c in (dx, full)} == {plan}
        r = check_randomized([(1, dx)], [(1, full)], trials=3, seed=5)
        assert r.holds and r.error_bound == Fraction(2, DEFAULT_PRIME) ** 3
        # a wrong coefficient on one side, and the two sides swapped in a sum
        assert not check_randomized([(2, dx)], [(1, full)], trials=1).holds
        assert check_randomized([(3, dx), (-1, full)], [(2, full)], trials=2).holds
        assert not check_randomized([(3, dx), (-1, full)], [(3, full)], trials=1, seed=1).holds


@settings(max_examples=40, deadline=None)
@given(pairs(), st.sampled_from(PLANS))
def test_near_misses_under_every_plan(case, plan):
    _, lhs, rhs = case
    truth = oracle(lhs) == oracle(rhs)
    with forced_plan(plan):
        r = check_randomized(lhs, rhs, trials=2)
    assert r.holds is truth, (plan, r)  # a false identity passes w.p. ≤ (3/p)^2


@settings(max_examples=40, deadline=None)
@given(pairs(boundaries=True))
def test_near_misses_with_folds_mix_the_plans_in_one_sum(case):
    """Folds and conjugates take the term path, the other contractions the direct one: one difference."""
    _, lhs, rhs = case
    truth = oracle(lhs) == oracle(rhs)
    assert check_randomized(lhs, rhs, trials=2).holds is truth


def test_the_message_names_both_sides_at_the_random_point():
    """The message's two values are the sides' values at the point (seed, trial): recomputed here."""
    corr = forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0]
    conv = forward(ConvSpec(input_size=(5,), kernel_size=(2,), flip=True))[0]
    p = 1_000_003
    for plan in PLANS:
        with forced_plan(plan):
            r = check_randomized([(3, corr)], [(1, conv), (1, corr)], prime=p, seed=11)
        assert not r.holds
        rng = np.random.default_rng([11, 0])  # the engine's recipe: operands in name order, entry i is id i + 1
        values = {name: rng.integers(0, p, size=n + 1, dtype=np.int64)[1:] for name, n in (("w", 2), ("x", 5))}
        left = oracle_value([(3, corr)], values, p)
        right = oracle_value([(1, conv), (1, corr)], values, p)
        i = next(i for i in range(4) if left.get(i, 0) != right.get(i, 0))
        want = f"at result index ({i},): the left side is {left.get(i, 0)} and the right side {right.get(i, 0)}"
        assert (r.counterexample or "").startswith(want), (plan, r.counterexample, want)


def test_forced_plan_names_a_plan():
    with (
        pytest.raises(SymconvError, match="`kind` must be one of direct, blas, strided, terms; got 'fast'"),
        forced_plan("fast"),
    ):
        pass


# -- the cost model ----------------------------------------------------------------------------------


def test_the_cost_model_picks_direct_for_one_channel_and_blas_for_many():
    """One channel: the matmul would contract over one value (an outer product that only moves memory)."""
    for side in (64, 256):
        dx, full = backprop_identity(side, channels=1)
        assert [choose_plan(c, DEFAULT_PRIME) for c in (dx, full)] == ["direct", "direct"]
    dx, full = backprop_identity(64, channels=16)
    assert [choose_plan(c, DEFAULT_PRIME) for c in (dx, full)] == ["blas", "blas"]
    # a prime whose products float64 cannot hold: neither float64 plan
    assert [choose_plan(c, 2**31 - 1) for c in (dx, full)] == ["strided", "strided"]


def test_blas_plan_reduces_the_result_between_raw_products_when_that_is_cheaper():
    """A product per tap whose sums would pass 2^53 after a few adds: the result is reduced between adds
    (not every product first) — and every value is still exact (values near p, against the oracle)."""
    from symconv.engines.blas import EXACT_LIMIT, _plan, blas_evaluate
    from symconv.gradients.grad import grad_contraction

    p = 33_554_393  # (p−1)² ≈ 2^50: eight raw products reach 2^53
    c = grad_contraction(forward(ConvSpec(input_size=(40,), kernel_size=(30,)))[0], "x")
    plan = _plan(c, p)
    assert plan is not None and not plan.reduce_each and plan.add_bound * 30 >= EXACT_LIMIT
    rng = np.random.default_rng(3)
    values = {"g": rng.integers(p - 1000, p, size=11), "w": rng.integers(p - 1000, p, size=30)}
    want = oracle_value([(1, c)], values, p)
    got = blas_evaluate(c, [values[f.operand] for f in c.factors], 40, p)
    assert got is not None and got[0].tolist() == [want.get(i, 0) for i in range(40)]


@pytest.mark.parametrize("pad", [(1, 1), (2, 0), (0, 2), (2, 2)])
def test_merged_rows_only_where_the_rows_are_read_whole(pad):
    """Padding clips each tap's box: a box that starts past column 0 or ends before the row's last entry
    would read real entries between the rows — such a box stays two-dimensional (against the oracle)."""
    lo, hi = pad
    c = forward(ConvSpec(input_size=(9, 8), kernel_size=(3, 3), pad_lo=(lo, lo), pad_hi=(hi, hi)))[0]
    p = 1_048_573
    rng = np.random.default_rng(lo * 3 + hi)
    values = {"x": rng.integers(0, p, size=(9, 8)), "w": rng.integers(0, p, size=(3, 3))}
    rsize = int(np.prod([int(s) for s in c.result.shape]))
    want = oracle_value([(1, c)], values, p)
    terms = sum(oracle([(1, c)]).values())
    plan = direct_plan(c, p)
    assert plan is not None and plan.repitch is not None
    assert _direct_with(c, values, rsize, p, tile=10**6, merge=True) == ([want.get(i, 0) for i in range(rsize)], terms)


@pytest.mark.parametrize("p", [131, 65_521, 1_048_573, 8_388_593, 33_554_393, 94_906_249])
def test_accumulator_residues_are_exact_up_to_the_bound(p):
    """The division-free reduction near its bound 2^53 − p, where x·fl(1/p) rounds across an integer:
    multiples of p and their neighbours, against Python integers."""
    top = (2**53 - p) // p - 1
    ks = [*range(1, 1000), *range(top - 3000, top + 1)]
    xs = [k * p + d for k in ks for d in (-2, -1, 0, 1, 2) if 0 <= k * p + d < 2**53 - p]
    xs += [int(v) for v in np.random.default_rng(p).integers(0, 2**53 - p, size=5000)]
    acc = Accumulator(len(xs), p)
    acc.values[:] = np.array(xs, dtype=np.float64)
    assert all(float(x) == x for x in xs)
    assert [int(v) for v in acc.residues()] == [x % p for x in xs]
