"""The exact engine's fast refutation and fast paths against an independent oracle (issue 11).

Oracle: the plain-Python interpreter ``polynomial`` of ``test_instance`` (itertools over the loop box, a
Counter of monomials). From it, :func:`first_difference` here computes the smallest differing monomial in
the sorted form's order (result position, then one position per operand name, absent first) and the message
the engine must print — never symconv's own canonical forms. True and false claims; small blocks force a
refutation to stop early, after the first differing block, and it must still name the true first difference
and count every term of both sides.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_engines_structure import substituted
from test_instance import polynomial
from test_instance_fast import (
    backprop_identity,
    contractions,
    dense,
    reordered,
    self_product,
    variant,
    with_duplicate_terms,
)

import symconv.engines.dense as dm
import symconv.engines.differences as differences
import symconv.engines.exact as exact_module
import symconv.engines.keys as keys_module
from symconv import check_exact
from symconv.core.formula import ConvSpec, Var, forward


def first_difference(lhs, rhs):
    """The engine's message for the smallest monomial whose coefficients differ (None: the sides are equal)."""
    pl, pr = polynomial(lhs), polynomial(rhs)
    names = sorted({o.name for _, c in (*lhs, *rhs) for o in c.operands})

    def order(key):
        r, mono = key
        at = dict(mono)
        return (r, *(((1, at[n]) if n in at else (0,)) for n in names))

    differ = [k for k in set(pl) | set(pr) if pl.get(k, 0) != pr.get(k, 0)]
    if not differ:
        return None
    key = min(differ, key=order)
    r, mono = key
    text = "*".join(f"{n}[{','.join(map(str, idx))}]" for n, idx in mono) or "1"
    return f"at result index {r}: coefficient of {text} is {pl.get(key, 0)} on the left, {pr.get(key, 0)} on the right"


def term_total(side):
    """Every term of a side (each term counted once, whatever it adds up to)."""
    return sum(sum(map(abs, polynomial([(1, c)]).values())) for _, c in side)


@settings(max_examples=80, deadline=None)
@given(
    contractions(),
    st.sampled_from(["same", "flip", "shift"]),
    st.sampled_from([(1, 1), (2, 2), (3, -3)]),
    st.sampled_from([1, 5, 64, 1 << 22]),
)
def test_refutations_stop_early_and_name_the_oracles_first_difference(item, how, coefs, cells):
    assume(item is not None)
    spec, kind, op, a = item
    b = a if how == "same" else variant(spec, kind, op, how)
    assume(b is not None and b.result.shape == a.result.shape)
    assume([o.shape for o in b.operands] == [o.shape for o in a.operands])
    lhs, rhs = [(coefs[0], a)], [(coefs[1], b)]
    want = first_difference(lhs, rhs)
    with mock.patch.object(dm, "BLOCK_CELLS", cells):
        res = check_exact(lhs, rhs)
    assert res.holds == (want is None)
    assert res.counterexample == want
    assert res.terms == term_total(lhs) + term_total(rhs)


def _fills(monkeypatch):
    calls = []
    original = dm._fill

    def counting(*args, **kw):
        calls.append(1)
        return original(*args, **kw)

    monkeypatch.setattr(dm, "_fill", counting)
    return calls


def test_a_refutation_stops_after_the_block_of_the_first_difference(monkeypatch):
    # many blocks; the sides differ at result position 0 (no flip): one block per side is built
    corr = forward(ConvSpec(input_size=(40, 40), kernel_size=(3, 3)))[0]
    conv = forward(ConvSpec(input_size=(40, 40), kernel_size=(3, 3), flip=True))[0]
    monkeypatch.setattr(dm, "BLOCK_CELLS", 64)
    monkeypatch.setattr(differences, "CHUNK_CELLS", 64)
    calls = _fills(monkeypatch)
    res = check_exact([(1, corr)], [(1, conv)])
    assert res.terms == 2 * 38 * 38 * 9
    assert not res.holds
    assert res.counterexample == first_difference([(1, corr)], [(1, conv)])
    assert len(calls) <= 4  # one block per side (a second if the first row's bound ties)
    # a proof builds every block (the same tables: nothing is skipped when the sides agree)
    dx, full = backprop_identity(12, channels=1)
    calls.clear()
    assert check_exact([(1, dx)], [(1, full)]).holds
    assert len(calls) >= 20


def test_a_later_signature_is_read_only_below_the_first_difference(monkeypatch):
    # two signatures (bias alone; x·w): the difference in the first one bounds the second
    spec = ConvSpec(input_size=(30,), kernel_size=(3,), batch=1, channels=(1, 1), bias=True)
    corr, bias = forward(spec)
    conv = forward(ConvSpec(input_size=(30,), kernel_size=(3,), batch=1, channels=(1, 1), bias=True, flip=True))[0]
    lhs, rhs = [(1, corr), (1, bias)], [(1, conv), (2, bias)]
    want = first_difference(lhs, rhs)
    monkeypatch.setattr(dm, "BLOCK_CELLS", 4)
    calls = _fills(monkeypatch)
    res = check_exact(lhs, rhs)
    assert (res.holds, res.counterexample) == (False, want)
    assert res.terms == term_total(lhs) + term_total(rhs)
    assert len(calls) <= 6  # the bias tables, and the first x·w block per side


# -- pieces common to both sides (symconv.engines.cancel) ----------------------------------------------------


def _pool(n):
    """1-D contractions with one result shape and one operand shape: correlation and convolution, padded by
    one on each side with zeros or a fold (pieces), and one with every term twice (keys written twice)."""
    out = []
    for mode in ("zeros", "reflect", "circular"):
        for flip in (False, True):
            spec = ConvSpec(input_size=(n,), kernel_size=(3,), pad_lo=(1,), pad_hi=(1,), padding_mode=mode, flip=flip)
            out.append(forward(spec)[0])
    return [*out, with_duplicate_terms(out[0])]


@settings(max_examples=100, deadline=None)
@given(
    st.integers(3, 7),
    st.lists(st.tuples(st.integers(0, 6), st.sampled_from([-2, -1, 1, 2])), min_size=1, max_size=3),
    st.lists(st.tuples(st.integers(0, 6), st.sampled_from([-2, -1, 1, 2])), max_size=2),
    st.sampled_from([None, "centro", "anti"]),
    st.booleans(),
)
def test_shared_pieces_decide_as_the_oracle(n, left, extra, labels, drop):
    pool = _pool(n)
    lhs = [(k, pool[i]) for i, k in left]
    rhs = (lhs[1:] if drop else list(lhs)) + [(k, pool[i]) for i, k in extra]  # mostly the same pieces
    structure = None
    if labels is not None:
        structure = {"w": np.array([1, 2, 1]) if labels == "centro" else np.array([1, 0, -1])}
    res = check_exact(lhs, rhs, structure=structure)
    if structure is None:
        want = first_difference(lhs, rhs)
        assert (res.holds, res.counterexample) == (want is None, want)
    else:
        assert res.holds == (substituted(lhs, structure) == substituted(rhs, structure))
    assert res.terms == term_total(lhs) + term_total(rhs)


def test_the_centrosymmetry_theorem_writes_no_table(monkeypatch):
    # with w pinned, every piece of the correlation is a piece of the convolution: nothing is left to write
    corr = forward(ConvSpec(input_size=(50, 50), kernel_size=(3, 3)))[0]
    conv = forward(ConvSpec(input_size=(50, 50), kernel_size=(3, 3), flip=True))[0]
    centro = np.array([[1, 2, 3], [4, 5, 4], [3, 2, 1]])
    calls = _fills(monkeypatch)
    res = check_exact([(1, corr)], [(1, conv)], structure={"w": centro})
    assert res.holds and res.terms == 2 * 48 * 48 * 9 and not calls
    # not centrosymmetric: the pieces differ, and the tables find the first difference
    bad = centro.copy()
    bad[0, 0] = 6
    res = check_exact([(1, corr)], [(1, conv)], structure={"w": bad})
    assert not res.holds and calls
    assert res.counterexample is not None and res.counterexample.startswith("at result index (0, 0):")


# -- loop variables that no index reads (symconv.engines.cancel.collapse_free) --------------------------------


@settings(max_examples=60, deadline=None)
@given(
    contractions(),
    st.lists(st.integers(1, 3), min_size=1, max_size=2),
    st.sampled_from([(1, None), (2, None), (1, 1), (3, 2)]),
    st.booleans(),
)
def test_a_variable_no_index_reads_is_a_coefficient(item, extents, coefs, flip):
    assume(item is not None)
    spec, kind, op, a = item
    b = variant(spec, kind, op, "flip") if flip else a
    assume(b is not None and b.result.shape == a.result.shape)
    dup = replace(a, variables=(*a.variables, *(Var(f"z{i}", e) for i, e in enumerate(extents))))
    times = math.prod(extents)
    lhs = [(coefs[0], dup)]
    rhs = [(coefs[0] * times if coefs[1] is None else coefs[1], b)]
    want = first_difference(lhs, rhs)
    fast = dense(lhs, rhs)
    assert fast is not None and fast[0] == (want is None)  # the dense tables decide: a coefficient, not a sort
    res = check_exact(lhs, rhs)
    assert (res.holds, res.counterexample) == (want is None, want)
    assert res.terms == fast[1] == term_total(lhs) + term_total(rhs)


# -- the sorted form's sort: runs merged, or quicksort ------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(-50, 50), max_size=30), min_size=1, max_size=4),
    st.sampled_from([1, 64, 10**9]),
    st.booleans(),
)
def test_canonical_form_is_the_counter_of_keys_whichever_sort(runs, ratio, uniform):
    # pieces of sorted runs (as terms come in loop order) or in no order; the sum per key, zeros dropped
    rng = np.random.default_rng(len(runs))
    pieces = []
    want: Counter = Counter()
    for i, run in enumerate(runs):
        keys = np.array(sorted(run) if i % 2 else run, dtype=np.int64)
        coefs = 1 if uniform else rng.integers(-2, 3, size=keys.size)
        pieces.append((keys, coefs))
        for k, c in zip(keys.tolist(), np.broadcast_to(coefs, keys.shape).tolist()):
            want[k] += c
    want = Counter({k: v for k, v in want.items() if v})
    with mock.patch.object(keys_module, "RUN_RATIO", ratio):
        k, c = keys_module.canonical(pieces, np.int64)
    got = dict(zip(k.tolist(), np.broadcast_to(c, k.shape).tolist()))
    assert k.tolist() == sorted(want) and got == dict(want)


@pytest.mark.parametrize("masked", [0, 8, 1 << 20])
@pytest.mark.parametrize("block", [7, 60, 1 << 24])
def test_the_sorted_form_splits_blocks_either_way_as_the_oracle(monkeypatch, masked, block):
    # a repeated operand (x·x: the sorted form decides); blocks split by masks or by a radix sort
    corr = self_product(forward(ConvSpec(input_size=(6, 5), kernel_size=(2, 3), batch=1, channels=(2, 2)))[0])
    conv = self_product(
        forward(ConvSpec(input_size=(6, 5), kernel_size=(2, 3), batch=1, channels=(2, 2), flip=True))[0]
    )
    twice = [(3, corr), (3, reordered(corr))]
    monkeypatch.setattr(exact_module, "_MASKED_BLOCKS", masked)
    for lhs, rhs in ((twice, [(6, corr)]), (twice, [(3, corr)]), (twice, [(3, corr), (3, conv)])):
        assert dense(lhs, rhs) is None
        res = check_exact(lhs, rhs, block=block)
        want = first_difference(lhs, rhs)
        assert (res.holds, res.counterexample) == (want is None, want)
        assert res.terms == term_total(lhs) + term_total(rhs)
