"""The instance engines never wrap around, never overflow, and refuse what would not fit — before allocating it.

Exact means exact at any size of coefficient and of shape: every verdict (and
every coefficient a counterexample names) is compared with the independent
dict-of-monomials oracle of ``test_instance_adversarial`` (Python integers,
plain loops). Coefficients near 2^53, 2^62, 2^63, 2^64 and beyond, negative,
summing across terms; keys wider than 64 bits; structure labels that int64
would wrap; loop boxes whose size int64 would wrap; and the cost guard
(limits ``engine_terms`` and ``memory_bytes``) with its message.
"""

from __future__ import annotations

import random
import re
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from test_instance_adversarial import _dense, _offset, contractions, mutate, oracle, worlds
from test_instance_fast import reordered, self_product

import symconv.engines.keys as keys_mod
import symconv.engines.randomized as randomized
import symconv.engines.space as space_module
from symconv import SymconvError, check_exact, check_randomized, limits
from symconv.core.affine import Affine
from symconv.core.formula import Contraction, ConvSpec, Factor, Operand, Var, forward
from symconv.engines.bounds import rank
from symconv.engines.exact import _sorted_equal
from symconv.engines.instance import DEFAULT_PRIME
from symconv.engines.keys import Keys
from symconv.engines.progress import Progress
from symconv.engines.randomized import _strided_evaluate
from symconv.engines.space import _validate
from symconv.engines.terms import term_count

QUIET = Progress("test", 1, enabled=False)
n_ = sympy.Integer

BIG = [1, -1, 2, 3, -7, 2**31 - 1, 2**52 + 1, 2**53, 2**53 + 1, 2**62, 2**62 + 1, 2**63 - 1, 2**63, -(2**63)]
BIG += [2**64, 2**64 + 1, -(2**64) - 3, 3**45, 10**30, -(10**40) + 1]


def _corr(n=5, k=2, **kw):
    return forward(ConvSpec(input_size=(n,), kernel_size=(k,), **kw))[0]


_MESSAGE = re.compile(r"at result index \((.*)\): coefficient of (.*) is (-?\d+) on the left, (-?\d+) on the right")


def _named(message: str):
    """(oracle key, left, right) of a counterexample message."""
    m = _MESSAGE.fullmatch(message)
    assert m, message
    r = tuple(int(x) for x in m.group(1).split(",") if x.strip())
    mono = []
    if m.group(2) != "1":
        for var in m.group(2).split("*"):
            name, idx = re.fullmatch(r"(.+)\[([\d,]*)\]", var).groups()
            mono.append((name, tuple(int(x) for x in idx.split(",") if x)))
    return (r, tuple(sorted(mono))), int(m.group(3)), int(m.group(4))


def _exact_agrees(lhs, rhs, structure=None):
    """check_exact's verdict is the oracle's; a counterexample names a monomial and both coefficients exactly."""
    left, right = oracle(lhs, structure), oracle(rhs, structure)
    truth = left == right
    e = check_exact(lhs, rhs, structure=structure)
    assert e.holds is truth, (truth, e)
    if not truth and "result shape" not in (e.counterexample or ""):
        key, a, b = _named(e.counterexample)
        if structure is None:
            assert (left.get(key, 0), right.get(key, 0)) == (a, b), (key, a, b)
        assert a != b
    return truth


# -- coefficients of any size, against the oracle ------------------------------------------------


@st.composite
def big_pairs(draw):
    world = draw(worlds())
    n = draw(st.integers(1, 3))
    lhs = [(draw(st.sampled_from(BIG)), draw(contractions(world))) for _ in range(n)]
    rnd = random.Random(draw(st.integers(0, 2**32)))
    kind = draw(st.sampled_from(["split", "wrap", "mutate", "twice", "offset"]))
    rhs = list(lhs)
    i = rnd.randrange(n)
    k, c = rhs[i]
    if kind == "split":  # true: k = a + (k - a), the parts on either side of 2^63
        a = draw(st.sampled_from(BIG))
        rhs[i : i + 1] = [(a, c), (k - a, c)]
    elif kind == "wrap":  # false, but equal modulo 2^64 (or 2^63): what a wrapping sum cannot see
        rhs[i] = (k + draw(st.sampled_from([2**64, -(2**64), 2**65, 2**63, -(2**63)])), c)
    elif kind == "mutate":
        rhs, _ = mutate(lhs, world, rnd)
    elif kind == "twice":  # coefficients that add on one side (the sort-based form), once doubled on the other
        lhs, rhs = lhs + lhs, [(2 * k, c) for k, c in lhs]
        if draw(st.booleans()):
            rhs[0] = (rhs[0][0] + 2**64, rhs[0][1])
    else:
        rhs[i] = (k, _offset(c, rnd))
    return lhs, rhs


@settings(max_examples=300, deadline=None)
@given(big_pairs())
def test_coefficients_of_any_size_agree_with_the_oracle(case):
    lhs, rhs = case
    truth = _exact_agrees(lhs, rhs)
    d = _dense(lhs, rhs)
    assert d is None or d is truth
    try:
        r = check_randomized(lhs, rhs, trials=2)
    except SymconvError as exc:  # a coefficient of the difference may reach p (after the common factor)
        assert "larger `prime`" in str(exc)
    else:
        assert r.holds is truth


def test_the_reported_wrap_arounds():
    """Regression (issue 8, hole 5): int64 sums made 4·2^62·C = 0 and 2^62·C + 2^62·C = -2^63·C "hold",
    and 2^64 + 1 raised OverflowError."""
    c = _corr()
    assert not check_exact([(2**62, c)] * 4, []).holds
    assert not check_exact([(4 * 2**62, c)], []).holds
    assert not check_exact([(2**62, c), (2**62, c)], [(-(2**63), c)]).holds
    r = check_exact([(2**64 + 1, c)], [(1, c)])
    assert not r.holds
    assert r.counterexample.endswith(f"is {2**64 + 1} on the left, 1 on the right")
    assert check_exact([(2**63 - 1, c), (2**63 - 1, c)], [(2**64 - 2, c)]).holds
    assert check_exact([(2**63 - 1, c), (1, c)], [(2**63, c)]).holds
    assert check_exact([(2**62, c)] * 4, [(2**64, c)]).holds
    assert check_exact([(10**40, c), (-(10**40), c)], []).holds
    # a count of equal keys times one huge coefficient (the uniform path of the sorted form)
    dup = replace(c, variables=(*c.variables, Var("z", n_(4))))
    assert check_exact([(2**62, dup)], [(2**64, c)]).holds
    assert not check_exact([(2**62, dup)], [(0, c)]).holds


def test_numpy_integer_coefficients_are_exact_and_rationals_are_refused():
    """Coefficients are integers of any size: numpy integers at their extremes are taken exactly; a Fraction
    (even an integral one) or a float is refused with a SymconvError, never rounded."""
    from fractions import Fraction

    c = _corr()
    for engine in (check_exact, check_randomized):
        assert engine([(np.uint64(2**64 - 1), c)], [(2**64 - 1, c)]).holds
        assert engine([(np.int64(-(2**63)), c)], [(-(2**63), c)]).holds
        for bad in (Fraction(1, 2), Fraction(4, 2), 2.0):
            with pytest.raises(SymconvError, match="coefficients in `lhs` must be integers"):
                engine([(bad, c)], [(2, c)])
    assert not check_exact([(np.uint64(2**64 - 1), c)], [(-1, c)]).holds
    with pytest.raises(SymconvError, match="larger `prime`"):  # 2^64 - 1 and -1 differ by 2^64: not below p
        check_randomized([(np.uint64(2**64 - 1), c)], [(-1, c)])


def test_big_coefficients_with_structure_signs():
    """Structure signs multiply huge coefficients: an antisymmetric kernel makes 2^64·corr = -2^64·conv."""
    corr, conv = _corr(), _corr(flip=True)
    anti = {"w": np.array([1, -1])}
    for k in (2**64, 2**63, 3**45):
        _exact_agrees([(k, corr)], [(-k, conv)], anti)
        _exact_agrees([(k, corr)], [(k, conv)], anti)
        _exact_agrees([(k, corr), (k, corr)], [(-2 * k, conv)], anti)


def test_randomized_divides_out_the_common_factor():
    """A common factor of every coefficient cannot hide a difference: 2^64·A = 2^64·B iff A = B. Before, such
    checks were refused (or, for a factor divisible by p, would vanish modulo p at every point)."""
    corr, conv = _corr(), _corr(flip=True)
    for g in (2**64, 3 * 2**64, DEFAULT_PRIME * 5):
        assert check_randomized([(g, corr)], [(g, corr)]).holds
        assert not check_randomized([(g, corr)], [(g, conv)]).holds
        assert check_randomized([(2 * g, corr)], [(g, corr), (g, corr)]).holds
    r = check_randomized([(DEFAULT_PRIME * 5, corr)], [(DEFAULT_PRIME * 5, conv)])
    assert "every coefficient divided by" in r.counterexample
    with pytest.raises(SymconvError, match="larger `prime`"):
        check_randomized([(DEFAULT_PRIME + 1, corr)], [(1, corr)])


# -- keys wider than 64 bits ---------------------------------------------------------------------


def _wide(shift=0, twice=False):
    """a[i]·b[2^20 + i]·c[3i] (or a[i]·a[2^20 + i]) into y[i] over i < 4, with 2^21-entry arrays: a key needs
    about 84 bits."""
    i = Affine.var("i")
    big = (n_(2**21),)
    reads = [("a", i), ("a" if twice else "b", i + 2**20 + shift), ("c", i * 3)]
    factors = tuple(Factor(name, (ix,)) for name, ix in (reads[:2] if twice else reads))
    names = sorted({f.operand for f in factors})
    return Contraction(
        "t", Operand("y", big), (i,), (Var("i", n_(4)),), factors, tuple(Operand(nm, big) for nm in names)
    )


@pytest.mark.parametrize("twice", [False, True])
def test_keys_wider_than_64_bits(twice):
    """Regression: the sort-based form refused ("too large for 64-bit keys") once result size × monomials
    reached 2^63. Keys now take as many int64 words as they need."""
    c, shifted = _wide(twice=twice), _wide(1, twice=twice)
    space = _validate("t", [(1, c)], [(1, c)], None)[1]
    assert Keys(2**21, space, len(c.factors), not twice).width >= 2
    _exact_agrees([(1, c), (1, c)], [(2, c)])  # keys repeat: the sorted form decides
    _exact_agrees([(1, c), (1, c)], [(3, c)])
    _exact_agrees([(1, c), (1, c)], [(2, shifted)])
    _exact_agrees([(2**64, c), (1, c)], [(2**64 + 1, c)])


@settings(max_examples=150, deadline=None)
@given(big_pairs(), st.sampled_from([2, 7, 2**10]))
def test_multi_word_keys_decide_like_one_word(case, word_limit):
    """Every key split into many small words (a tiny word limit): the sorted form's verdict and the coefficients
    it names are the oracle's."""
    lhs, rhs = case
    old = keys_mod.WORD_LIMIT
    keys_mod.WORD_LIMIT = word_limit
    try:
        rshape, space = _validate("t", lhs, rhs, None)
    except space_module._ShapeMismatchError:
        return
    try:
        holds, _, message = _sorted_equal(lhs, rhs, rshape, space, 1 << 24, QUIET)
    finally:
        keys_mod.WORD_LIMIT = old
    left, right = oracle(lhs), oracle(rhs)
    assert holds is (left == right)
    if not holds:
        key, a, b = _named(message)
        assert (left.get(key, 0), right.get(key, 0)) == (a, b) and a != b


# -- shapes and loop boxes too large for int64 ----------------------------------------------------


def _box(extents):
    """Σ over the loop box of a[0]: only the size of the box matters."""
    vs = tuple(Var(f"v{j}", n_(e)) for j, e in enumerate(extents))
    return Contraction("t", Operand("y", ()), (), vs, (Factor("a", (Affine.constant(0),)),), (Operand("a", (n_(2),)),))


def test_term_counts_never_wrap_and_are_refused_before_enumerating():
    """Regression: term counts were int64 products, so a box of 2^96 points counted 0 terms."""
    c = _box((2**32, 2**32, 2**32))
    assert term_count(c) == 2**96
    with pytest.raises(SymconvError, match=r"about 158,456,325,028,528,675,187,087,900,672 terms"):
        check_exact([(1, c)], [(1, c)])
    for engine in (check_exact, check_randomized):
        with pytest.raises(SymconvError, match="engine_terms") as e:
            engine([(1, c)], [(1, c)])
        assert "method='general'" in str(e.value)


def test_huge_operands_read_at_a_few_entries_cost_nothing():
    """Regression: the exact engine numbered every operand entry in an array (8 bytes each), so an operand of
    10^12 entries read at four of them needed 8 TB. The randomized engine needs a value per entry: refused."""
    i = Affine.var("i")
    ops = (Operand("a", (n_(10**12),)), Operand("b", (n_(4),)))
    c = Contraction("t", Operand("y", (n_(4),)), (i,), (Var("i", n_(4)),), (Factor("a", (i,)), Factor("b", (i,))), ops)
    tracemalloc.start()
    try:
        assert check_exact([(1, c), (1, c)], [(2, c)]).holds
        assert not check_exact([(1, c)], [(1, replace(c, factors=(Factor("a", (i + 1,)), c.factors[1])))]).holds
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20
    with pytest.raises(SymconvError, match="memory_bytes") as e:
        check_randomized([(1, c)], [(1, c)])
    assert "random values of every operand entry" in str(e.value) and "check_exact" in str(e.value)


def test_shapes_and_indices_beyond_62_bits_are_refused_clearly():
    """Flat positions and indices are int64: an array of 2^62 entries or an index reaching 2^70 is refused
    with a SymconvError naming it (never an OverflowError, never a wrapped position)."""
    i = Affine.var("i")
    huge = Contraction(
        "t",
        Operand("y", (n_(2),)),
        (i,),
        (Var("i", n_(2)),),
        (Factor("a", (i, i)),),
        (Operand("a", (n_(2**31), n_(2**31))),),
    )
    with pytest.raises(SymconvError, match=r"have 4,611,686,018,427,387,904 entries"):
        check_exact([(1, huge)], [(1, huge)])
    wide = replace(
        huge,
        result=Operand("y", (n_(2**31), n_(2**31))),
        result_index=(i, i),
        factors=(Factor("a", (i,)),),
        operands=(Operand("a", (n_(2),)),),
    )
    with pytest.raises(SymconvError, match=r"the result 'y' has 4,611,686,018,427,387,904 entries"):
        check_exact([(1, wide)], [(1, wide)])
    far = Contraction(
        "t", Operand("y", (n_(2),)), (i,), (Var("i", n_(2)),), (Factor("a", (i * 2**70,)),), (Operand("a", (n_(3),)),)
    )
    for engine in (check_exact, check_randomized):
        with pytest.raises(SymconvError, match=r"reaches 1,180,591,620,717,411,303,424 over the loop box"):
            engine([(1, far)], [(1, far)])


def test_a_huge_coefficient_of_a_unit_variable_multiplies_zero():
    """A variable of extent 1 only takes the value 0: its coefficient may be any size (it used to overflow)."""
    c = _corr(pad_lo=(1,), padding_mode="circular")  # a boundary fold: the term enumerator decides
    unit = Var("u", n_(1))
    u = Affine.var("u")
    big = replace(
        c,
        variables=(*c.variables, unit),
        factors=tuple(replace(f, index=(f.index[0] + u * 2**80,)) for f in c.factors),
    )
    for engine in (check_exact, check_randomized):
        assert engine([(1, big)], [(1, c)]).holds
        assert not engine([(1, big)], [(1, _corr(flip=True, pad_lo=(1,), padding_mode="circular"))]).holds


def test_flat_steps_beyond_int64_in_the_dense_tables():
    """An operand (3, 2^59) read at axis-0 index 2^10·k: the flat step 2^69 exceeds int64 though only k = 0
    is in range. The dense tables' steps are exact modulo 2^64 (they used to raise OverflowError)."""
    i, k = Affine.var("i"), Affine.var("k")
    ops = (Operand("a", (n_(3), n_(2**59))), Operand("b", (n_(4),)))
    box = (Var("i", n_(4)), Var("k", n_(2)))

    def c(shift=0):
        reads = (Factor("a", (k * 2**10, i + shift)), Factor("b", (i,)))
        return Contraction("t", Operand("y", (n_(4),)), (i,), box, reads, ops)

    _exact_agrees([(1, c())], [(1, c())])
    _exact_agrees([(1, c())], [(1, c(1))])
    _exact_agrees([(2**70, c())], [(2**70, c(1))])


# -- structure labels ----------------------------------------------------------------------------


def test_structure_labels_are_never_wrapped_or_sized_by_their_magnitude():
    """Regression: labels were cast to int64 (uint64 2^64 - 1 became -1: a sign flip that made a false
    antisymmetry claim hold) and sized arrays by their magnitude (a label 10^18 asked for 10^18 values)."""
    corr, conv = _corr(), _corr(flip=True)
    two = np.array([2**64 - 1, 1], dtype=np.uint64)  # two free variables, not w1 = -w0
    for engine in (check_exact, check_randomized):
        assert not engine([(1, corr)], [(-1, conv)], structure={"w": two}).holds
        assert engine([(1, corr)], [(-1, conv)], structure={"w": np.array([10**18, -(10**18)])}).holds
        assert engine([(1, corr)], [(1, conv)], structure={"w": np.array([-(2**63), -(2**63)])}).holds
        assert not engine([(1, corr)], [(1, conv)], structure={"w": np.array([-(2**63), 2**63 - 1])}).holds
    _exact_agrees([(1, corr)], [(-1, conv)], {"w": np.array([10**18, -(10**18)])})


# -- the randomized engine's evaluators ------------------------------------------------------------


def test_a_contraction_without_factors():
    """Regression: the randomized engine indexed the first factor of a factorless contraction (IndexError)."""
    i = Affine.var("i")
    c = Contraction("t", Operand("y", (n_(3),)), (i,), (Var("i", n_(3)), Var("j", n_(2))), (), ())
    for engine in (check_exact, check_randomized):
        assert engine([(2, c)], [(1, c), (1, c)]).holds
        assert not engine([(2, c)], [(1, c)]).holds


def _cube(n):
    """y[i] = Σ_j a[i]·b[j]·c[j] over an n × n box: degree 3 (the strided evaluator), an n × n inner box."""
    i, j = Affine.var("i"), Affine.var("j")
    ops = (Operand("a", (n_(n),)), Operand("b", (n_(n),)), Operand("c", (n_(n),)))
    factors = (Factor("a", (i,)), Factor("b", (j,)), Factor("c", (j,)))
    return Contraction("t", Operand("y", (n_(n),)), (i,), (Var("i", n_(n)), Var("j", n_(n))), factors, ops)


def _cube_values(n, seed):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, DEFAULT_PRIME, size=n, dtype=np.int64) for _ in range(3)]


def _cube_expected(vals):
    a, b, c = (v.tolist() for v in vals)
    inner = sum(x * y for x, y in zip(b, c))
    return [x * inner % DEFAULT_PRIME for x in a]


@pytest.mark.parametrize("chunk", [1, 5, 64, 1 << 22])
def test_strided_evaluation_in_chunks_is_exact(monkeypatch, chunk):
    """The strided evaluator cut into sub-boxes of any size: the same sums modulo p as Python integers."""
    monkeypatch.setattr(randomized, "CHUNK_ELEMENTS", chunk)
    vals = _cube_values(32, chunk)
    got = _strided_evaluate(_cube(32), vals, 32, DEFAULT_PRIME)
    assert got is not None
    assert got[0].tolist() == _cube_expected(vals) and got[1] == 32 * 32


def test_strided_evaluation_memory_does_not_grow_with_the_inner_box(monkeypatch):
    """Regression: the strided evaluator multiplied whole inner boxes (a 1024 × 1024 box: 8 MiB per
    temporary). In chunks of 2^12 values its peak stays small."""
    monkeypatch.setattr(randomized, "CHUNK_ELEMENTS", 1 << 12)
    vals = _cube_values(1024, 1)
    tracemalloc.start()
    try:
        got = _strided_evaluate(_cube(1024), vals, 1024, DEFAULT_PRIME)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got is not None and got[1] == 1024 * 1024
    assert got[0].tolist() == _cube_expected(vals)
    assert peak < 1 << 20


# -- the cost guard --------------------------------------------------------------------------------


def _backprop(side, channels=2, kernel=3):
    from test_instance_fast import backprop_identity

    return backprop_identity(side, channels, kernel)


def test_terms_are_refused_with_estimate_limit_how_to_raise_and_the_alternative():
    dx, full = _backprop(32)
    terms = term_count(dx) + term_count(full)
    with limits(engine_terms=10_000):
        with pytest.raises(SymconvError) as e:
            check_exact([(1, dx)], [(1, full)])
        msg = str(e.value)
        assert msg.startswith(f"check_exact: about {terms:,} terms exceeds the limit of 10,000")
        assert "symconv.limits(engine_terms=...)" in msg and "SYMCONV_LIMIT_ENGINE_TERMS" in msg
        assert "prove(method='general')" in msg
        with pytest.raises(SymconvError, match=rf"check_randomized: about {8 * terms:,} terms \(8 trials\)"):
            check_randomized([(1, dx)], [(1, full)])
    with limits(engine_terms=terms):
        assert check_exact([(1, dx)], [(1, full)]).holds


def test_the_sorted_form_is_refused_beyond_the_memory_limit():
    """The sort-based form sorts a block and holds keys up to its spill budget: its memory is estimated first
    and refused with the randomized engine as the alternative (it used to grow without bound)."""
    dx, full = _backprop(64, channels=3, kernel=5)
    rev = replace(dx, variables=dx.variables[::-1])  # the same terms, another layout
    sq = self_product(forward(ConvSpec(input_size=(64, 64), kernel_size=(5, 5), batch=1, channels=(3, 3)))[0])
    lhs, rhs = [(1, sq), (1, reordered(sq))], [(2, sq)]  # x·x, a repeated operand: the sorted form
    with limits(memory_bytes=1 << 25):
        with pytest.raises(SymconvError, match="memory_bytes") as e:
            check_exact(lhs, rhs)
        assert "the sort-based canonical form sorts a block" in str(e.value)
        assert "check_randomized" in str(e.value)
        assert check_exact([(1, dx)], [(1, full)]).holds  # the dense path: bounded blocks, accepted
        assert check_exact([(1, dx), (1, dx)], [(2, full)]).holds  # A + A: one coefficient table, dense
        assert check_exact([(1, dx), (1, rev)], [(2, full)]).holds  # A + A': one layout (symmetry), dense
        assert check_randomized(lhs, rhs, trials=1).holds
    assert check_exact(lhs, rhs).holds  # under the default limits


def test_the_outer_loop_points_are_refused_beyond_the_memory_limit():
    """A loop whose outer points alone need more than the limit (one row of integers each) is refused before
    they are allocated."""
    v = [Affine.var(f"v{j}") for j in range(4)]
    index = v[0] + v[1] + v[2] + v[3]
    c = Contraction(
        "t",
        Operand("y", ()),
        (),
        tuple(Var(f"v{j}", n_(56)) for j in range(4)),
        (Factor("a", (index,)), Factor("b", (v[0],))),
        (Operand("a", (n_(224),)), Operand("b", (n_(56),))),
    )
    with limits(memory_bytes=(1 << 24) + 1), pytest.raises(SymconvError, match=r"outer point.*memory_bytes"):
        check_exact([(1, c)], [(1, c)])


def test_legitimate_workloads_are_accepted_under_the_default_limits():
    """The benchmark's identity at 10^7 terms per side, both engines, and the sort-based form at 10^6 terms."""
    from benchmarks.bench_backprop import identity

    dx, full, _ = identity(215)
    assert check_exact([(1, dx)], [(1, full)]).holds
    assert check_randomized([(1, dx)], [(1, full)], trials=1).holds
    dx, full, _ = identity(64)
    assert check_exact([(1, dx), (-1, full)], [(1, full), (-1, dx)]).holds  # a cancelling pair: sorted form


# -- exact integer rank ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda r: st.lists(
            st.lists(st.sampled_from([0, 0, 1, -1, 2, 3, 2**60, 2**60 + 1, -(2**61), 10**30]), min_size=4, max_size=4),
            min_size=r,
            max_size=r,
        )
    )
)
def test_rank_is_exact(rows):
    """The multiplicity bound's rank, against sympy's exact rank (float64 rounds entries above 2^53)."""
    assert rank(rows) == sympy.Matrix(rows).rank()


def test_the_cache_of_loop_boxes_is_bounded_in_bytes(monkeypatch):
    """Cached loop boxes stay within CACHE_BYTES (an lru_cache of 256 entries could hold gigabytes)."""
    from collections import OrderedDict

    import symconv.engines.plan as plan

    monkeypatch.setattr(plan, "CACHE_BYTES", 1 << 14)
    monkeypatch.setattr(plan, "_cache", OrderedDict())
    monkeypatch.setattr(plan, "_cached", 0)
    for n in range(10, 60):
        lay = plan.layout(_corr(n, 3))
        plan.boxes(lay, plan.choose_inner(lay, lambda j: j != 0))  # the output position outer: n rows
        with plan._cache_lock:
            held = sum(plan._nbytes(v) for v in plan._cache.values())
        assert held == plan._cached <= 1 << 14
