"""Cases the dense tables took over from the sort path (issue 11): one set of terms in several layouts.

Oracle: the plain-Python interpreter ``polynomial`` of ``test_instance`` (itertools over the loop box, a
Counter of monomials) and the message built from it by ``test_engines_exactfast.first_difference`` — never
symconv's own canonical forms. Every case asserts which path decided (the dense tables: ``dense`` is not
None) and that ``check_exact`` gives the oracle's verdict, message and term count.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_engines_exactfast import first_difference, term_total
from test_engines_structure import substituted
from test_instance import polynomial
from test_instance_fast import QUIET, contractions, dense, variant

import symconv.engines.coefficients as coefficients
import symconv.engines.exact as exact_module
from symconv import check_exact
from symconv.core.affine import Affine
from symconv.core.formula import ConvSpec, Factor, Operand, forward
from symconv.engines.exact import _sorted_equal
from symconv.engines.space import _validate


def rewritten(c, order, reflect):
    """``c`` with its loop variables in the order ``order`` and those in ``reflect`` read backwards
    (``v -> E - 1 - v``): the same terms, another layout."""
    flips = {v.name: Affine.constant(int(v.extent) - 1) - Affine.var(v.name) for v in c.variables if v.name in reflect}

    def sub(index):
        return tuple(a.substitute(flips) for a in index)

    return replace(
        c,
        variables=tuple(c.variables[i] for i in order),
        result_index=sub(c.result_index),
        factors=tuple(replace(f, index=sub(f.index)) for f in c.factors),
    )


def check(lhs, rhs):
    want = first_difference(lhs, rhs)
    fast = dense(lhs, rhs)
    assert fast is not None  # the dense tables decide (before: keys written twice, the sort path)
    terms = sum(term_total([(k, c) for k, c in side if k]) for side in (lhs, rhs))  # coefficient 0: not read
    assert fast == (want is None, terms)
    res = check_exact(lhs, rhs)
    assert (res.holds, res.counterexample, res.terms) == (want is None, want, fast[1])


def test_the_same_terms_in_another_variable_order_are_one_layout():
    corr = forward(ConvSpec(input_size=(6, 5), kernel_size=(2, 3), batch=1, channels=(2, 3)))[0]
    n = len(corr.variables)
    names = [v.name for v in corr.variables]
    rev = rewritten(corr, list(reversed(range(n))), set())
    refl = rewritten(corr, list(range(n)), set(names[-2:]))  # the taps read backwards
    both = rewritten(corr, [*range(1, n), 0], {names[0], names[-1]})
    for other in (rev, refl, both):
        assert polynomial([(1, other)]) == polynomial([(1, corr)])
        check([(1, corr), (1, other)], [(2, corr)])
        check([(1, corr), (1, other)], [(1, corr)])  # refuted: coefficient 2 against 1
        check([(3, other), (-3, corr)], [])  # they cancel
        check([(1, other)], [(1, corr), (1, other), (-1, rev)])


@settings(max_examples=60, deadline=None)
@given(
    contractions(),
    st.randoms(use_true_random=False),
    st.sampled_from(["same", "flip"]),
    st.tuples(st.integers(-3, 3), st.integers(-3, 3), st.integers(-3, 3)),
)
def test_a_layout_under_renamed_and_reflected_variables_is_merged(item, rng, how, coefs):
    assume(item is not None)
    spec, kind, op, a = item
    b = a if how == "same" else variant(spec, kind, op, how)
    assume(b is not None and b.result.shape == a.result.shape)
    assume([o.shape for o in b.operands] == [o.shape for o in a.operands])
    order = list(range(len(a.variables)))
    rng.shuffle(order)
    reflect = {v.name for v in a.variables if rng.random() < 0.5}
    other = rewritten(a, order, reflect)
    c1, c2, c3 = coefs
    assume(c1 or c2)
    check([(c1, a), (c2, other)], [(c3, b)])
    check([(c1, a), (c2, other)], [(c1 + c2, a)])


# -- keys written by several layouts with different monomials: coefficient tables --------------------------------


def test_overlapping_layouts_are_coefficient_tables():
    # corr and conv at kernel size 2 write every key (result, w) with x at n + k and at n + 1 - k: no slot is
    # determined by the others, so no one-value table; the coefficient table (residual × key) decides
    for nd, channels in ((1, None), (2, (2, 3))):
        spec = ConvSpec(input_size=(6, 5)[:nd], kernel_size=(2,) * nd, batch=1 if channels else None, channels=channels)
        corr = forward(spec)[0]
        conv = forward(replace(spec, flip=True))[0]
        for lhs, rhs in (
            ([(5, corr), (-7, conv)], [(5, corr), (-6, conv)]),
            ([(5, corr), (-7, conv)], [(5, conv), (-7, corr)]),
            ([(5, corr), (-7, conv)], [(-7, conv), (5, corr), (1, corr)]),
            ([(5, corr), (-7, conv)], [(2, corr), (-7, conv), (3, corr)]),  # equal: 2 + 3 = 5
            ([(1, corr), (1, conv), (-1, corr)], [(1, conv)]),
            ([(1, corr), (1, conv)], [(1, corr)]),
            ([(2**40, corr), (-(2**40), conv)], [(2**40, conv), (-(2**40), corr)]),  # int64 entries
            ([(100, corr), (27, conv)], [(100, conv), (28, corr)]),  # 127: int8 entries
            ([(100, corr), (28, conv)], [(100, conv), (28, corr)]),  # 128: int16 entries
        ):
            check(lhs, rhs)
            check(rhs, lhs)


@settings(max_examples=80, deadline=None)
@given(
    contractions(),
    st.sampled_from(["flip", "shift"]),
    st.lists(st.integers(-3, 3), min_size=4, max_size=4),
    st.booleans(),
)
def test_sums_of_overlapping_layouts_agree_with_the_oracle(item, how, coefs, same):
    assume(item is not None)
    spec, kind, op, a = item
    b = variant(spec, kind, op, how)
    assume(b is not None and b.result.shape == a.result.shape)
    assume([o.shape for o in b.operands] == [o.shape for o in a.operands])
    c1, c2, c3, c4 = coefs
    lhs = [(c1, a), (c2, b)]
    rhs = [(c1, b), (c2, a)] if same else [(c3, a), (c4, b)]  # equal only when the sums are
    want = first_difference(lhs, rhs)
    fast = dense(lhs, rhs)
    terms = sum(term_total([(k, c) for k, c in side if k]) for side in (lhs, rhs))
    assert fast == (want is None, terms)  # the dense tables decide (before: a fifth of these went to sorting)
    res = check_exact(lhs, rhs)
    assert (res.holds, res.counterexample, res.terms) == (want is None, want, terms)


@pytest.mark.parametrize("nbytes", [1, 7, 60, 1 << 20])
def test_coefficient_tables_in_small_blocks_name_the_first_difference(monkeypatch, nbytes):
    # blocks of a few rows: the first difference may lie in any block, and every term is still counted
    monkeypatch.setattr(coefficients, "TABLE_BYTES", nbytes)
    spec = ConvSpec(input_size=(7, 5), kernel_size=(2, 2), batch=1, channels=(2, 2))
    corr, conv = forward(spec)[0], forward(replace(spec, flip=True))[0]
    for lhs, rhs in (
        ([(5, corr), (-7, conv)], [(5, corr), (-7, conv), (1, conv)]),
        ([(5, corr), (-7, conv)], [(5, conv), (-7, corr)]),
        ([(5, corr), (-7, conv)], [(-7, conv), (5, corr)]),
    ):
        check(lhs, rhs)


def test_coefficient_tables_refuse_sums_that_might_not_fit_int64_and_structure_is_sheared():
    corr = forward(ConvSpec(input_size=(6,), kernel_size=(2,)))[0]
    conv = forward(ConvSpec(input_size=(6,), kernel_size=(2,), flip=True))[0]
    lhs, rhs = [(2**62, corr), (2**62, conv)], [(2**62, conv), (2**62 - 1, corr)]
    assert dense(lhs, rhs) is None  # |c|·terms ≥ 2^63: the sorted form (Python integers) decides
    res = check_exact(lhs, rhs)
    assert (res.holds, res.counterexample) == (False, first_difference(lhs, rhs))
    # a structured kernel (pinned layouts, sheared keys) with overlapping layouts
    corr3 = forward(ConvSpec(input_size=(7,), kernel_size=(3,)))[0]
    conv3 = forward(ConvSpec(input_size=(7,), kernel_size=(3,), flip=True))[0]
    for labels in (np.array([1, 2, 3]), np.array([1, 2, 1]), np.array([1, 0, -1])):
        for lhs, rhs in (
            ([(2, corr3), (1, conv3)], [(1, corr3), (2, conv3)]),
            ([(2, corr3), (1, conv3)], [(3, corr3)]),
        ):
            st_ = {"w": labels}
            res = check_exact(lhs, rhs, structure=st_)
            truth = substituted(lhs, st_) == substituted(rhs, st_)  # the oracle's verdict
            rshape, space = _validate("t", lhs, rhs, st_)
            sorted_ = _sorted_equal(lhs, rhs, rshape, space, 1 << 20, QUIET)  # the sort path's message
            assert dense(lhs, rhs, st_) is not None
            assert (res.holds, res.counterexample) == (truth, sorted_[2]) and sorted_[0] is truth


def conj_operands(side):
    """The oracle's reading of ``conj(w)``: a variable of its own, an operand named ``conj(w)``."""
    out = []
    for k, c in side:
        factors = tuple(
            Factor(f"conj({f.operand})", f.index, boundary=f.boundary) if f.conjugate else f for f in c.factors
        )
        extra = tuple(Operand(f.operand, c.operand(f.operand[5:-1]).shape) for f in factors if f.operand[:5] == "conj(")
        out.append((k, replace(c, factors=factors, operands=(*c.operands, *extra))))
    return out


def test_conjugates_and_folds_take_the_dense_tables(monkeypatch):
    # conj(w) is an operand of its own (symconv.engines.space._conjugates_as_variables) before the dense
    # tables are tried: no conjugate reaches the sorted form, folded or not, true or false
    def no_sort(*args, **kw):
        raise AssertionError("the sorted form was used")

    monkeypatch.setattr(exact_module, "_sorted_equal", no_sort)
    for mode in ("zeros", "reflect", "circular"):
        pad = {} if mode == "zeros" else {"pad_lo": (1,), "pad_hi": (1,), "padding_mode": mode}
        spec = ConvSpec(input_size=(6,), kernel_size=(3,), conjugate_kernel=True, **pad)
        conj, plain = forward(spec)[0], forward(replace(spec, conjugate_kernel=False))[0]
        rev = rewritten(conj, [1, 0], {conj.variables[1].name})
        for lhs, rhs in (
            ([(1, conj)], [(1, conj)]),
            ([(1, conj)], [(1, plain)]),  # x·conj(w) is not x·w
            ([(1, conj), (1, rev)], [(2, conj)]),
            ([(2, conj), (1, plain)], [(1, conj), (1, plain), (1, rev)]),
        ):
            want = first_difference(conj_operands(lhs), conj_operands(rhs))
            res = check_exact(lhs, rhs)
            assert (res.holds, res.counterexample) == (want is None, want)
