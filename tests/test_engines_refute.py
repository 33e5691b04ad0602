"""A refutation costs little beyond the proof: the dense path decodes only the smallest differing monomials.

Oracle: the sorted form (``_sorted_equal``: every term's key sorted, an independent canonical form) and the
plain-Python interpreter ``polynomial`` of ``test_instance`` — the dense path must name the same first
difference however its rows are chunked, and must not decode every differing cell to find it.
"""

from __future__ import annotations

import pytest
from test_instance import CLAIMS, polynomial
from test_instance_fast import backprop_identity, dense, sorted_form

import symconv.engines.dense as dm
import symconv.engines.differences as differences
from symconv import check_exact
from symconv.core.formula import ConvSpec, forward


@pytest.mark.parametrize("chunk", [1, 3, 64, 1 << 16])
@pytest.mark.parametrize("cells", [7, 1 << 22])
def test_chunked_search_names_the_sorted_forms_first_difference(monkeypatch, chunk, cells):
    dx, full = backprop_identity(7)
    cases = [([(1, dx)], [(1, full)]), *(([(1, a)], [(1, b)]) for a, b in CLAIMS.values())]
    cases = [(lhs, rhs) for lhs, rhs in cases if lhs[0][1].result.shape == rhs[0][1].result.shape]
    want = [sorted_form(lhs, rhs) for lhs, rhs in cases]
    monkeypatch.setattr(differences, "CHUNK_CELLS", chunk)
    monkeypatch.setattr(dm, "BLOCK_CELLS", cells)
    for (lhs, rhs), w in zip(cases, want):
        assert w[0] == (polynomial(lhs) == polynomial(rhs))
        res = check_exact(lhs, rhs)
        assert (res.holds, res.terms, res.counterexample) == w


def test_a_refutation_decodes_only_the_cells_the_message_can_show(monkeypatch):
    # every cell of the tables differs (no flip), yet only a bounded number of cells is decoded
    corr = forward(ConvSpec(input_size=(300, 300), kernel_size=(3, 3)))[0]
    conv = forward(ConvSpec(input_size=(300, 300), kernel_size=(3, 3), flip=True))[0]
    decoded = []
    original = differences.Differences._position

    def counting(self, slot, cells, stored):
        decoded.append(cells.size)
        return original(self, slot, cells, stored)

    monkeypatch.setattr(differences.Differences, "_position", counting)
    monkeypatch.setattr(differences, "CHUNK_CELLS", 1 << 10)
    res = check_exact([(1, corr)], [(1, conv)])
    assert not res.holds
    assert res.counterexample == "at result index (0, 0): coefficient of w[0,0]*x[0,0] is 1 on the left, 0 on the right"
    terms = 2 * 298 * 298 * 9
    assert res.terms == terms
    assert sum(decoded) < terms // 100
    assert dense([(1, corr)], [(1, conv)]) == (False, terms)
