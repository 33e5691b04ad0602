"""The sort-based form in bounded memory: pieces beyond the budget go to temporary files, verdicts unchanged.

Oracle: the plain-Python interpreter ``polynomial`` of ``test_instance`` (a Counter of monomials), and the
same check with everything held in memory. The budget is forced to 0 (every piece spilled) and to a few
pieces; int64 and Python-integer coefficients; true and false claims; the files are removed afterwards.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_instance import polynomial
from test_instance_fast import dense, reordered, self_product

import symconv.engines.exact as exact_module
from symconv import check_exact
from symconv.core.formula import ConvSpec, forward
from symconv.engines.spill import Buckets


def _leftovers():
    return {n for n in os.listdir(tempfile.gettempdir()) if n.startswith("symconv-sort-")}


@pytest.mark.parametrize("budget", [0, 64, 1 << 40])
@pytest.mark.parametrize("big", [False, True])
def test_spilled_sorted_form_decides_as_in_memory(monkeypatch, budget, big):
    before = _leftovers()
    spec = ConvSpec(input_size=(7, 6), kernel_size=(2, 3), batch=1, channels=(2, 2))
    corr = self_product(forward(spec)[0])  # x·x: a repeated operand, which the sorted form decides
    conv = self_product(forward(replace(spec, flip=True))[0])
    k = 2**70 if big else 3  # beyond int64: Python-integer coefficients
    twice = [(k, corr), (k, reordered(corr))]  # the same terms by two layouts
    cases = [(twice, [(2 * k, corr)]), (twice, [(k, corr)]), (twice, [(k, corr), (k, conv)])]
    assert all(dense(lhs, rhs) is None for lhs, rhs in cases)
    want = [check_exact(lhs, rhs, block=50) for lhs, rhs in cases]
    monkeypatch.setattr(exact_module, "SPILL_BYTES", budget)
    for (lhs, rhs), w in zip(cases, want):
        assert w.holds == (polynomial(lhs) == polynomial(rhs))
        got = check_exact(lhs, rhs, block=50)
        assert (got.holds, got.terms, got.counterexample) == (w.holds, w.terms, w.counterexample)
    assert _leftovers() <= before


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=5),
            st.booleans(),
            st.sampled_from([3, -1, 2**65]),
        ),
        max_size=12,
    ),
    st.integers(0, 200),
)
def test_buckets_give_back_every_piece_in_order(pieces, budget):
    b = Buckets(4, budget=budget)
    want: list[list] = [[] for _ in range(4)]
    for i, keys, as_array, coef in pieces:
        k = np.array(keys, dtype=np.int64)
        c = np.full(k.size, coef, dtype=object if abs(coef) >= 2**63 else np.int64) if as_array else coef
        b.add(i, k, c)
        want[i].append((keys, [int(x) for x in c] if as_array else coef))
    for i in range(4):
        got = [(k.tolist(), [int(x) for x in c] if isinstance(c, np.ndarray) else c) for k, c in b.take(i)]
        assert got == want[i]
        assert b.take(i) == []
    b.close()
    assert b.dir is None
