"""Boundary folds on the dense path (``symconv.engines.folds``) against independent oracles.

Oracle: the plain-Python interpreter ``polynomial`` of ``test_instance`` (it folds each index itself) and
the sorted form (``_sorted_equal``), whose verdict, terms and first difference the dense path must match —
on true and false claims (another flip, shift or boundary mode), 1-D and 2-D, with channels.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_instance import polynomial
from test_instance_fast import QUIET, dense

from symconv import check_exact
from symconv.core.formula import ConvSpec, forward
from symconv.engines.exact import _sorted_equal
from symconv.engines.folds import fold_layouts
from symconv.engines.space import _validate
from symconv.gradients.grad import grad_contraction

MODES = ["zeros", "reflect", "replicate", "circular"]


def sorted_form(lhs, rhs, structure=None):
    rshape, space = _validate("test", lhs, rhs, structure)
    return _sorted_equal(lhs, rhs, rshape, space, 1 << 24, QUIET)


@st.composite
def padded(draw):
    nd = draw(st.integers(1, 2))
    n = tuple(draw(st.integers(2, 6)) for _ in range(nd))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    lo = tuple(draw(st.integers(0, 3)) for _ in range(nd))
    hi = tuple(draw(st.integers(0, 3)) for _ in range(nd))
    s = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    d = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    mode = draw(st.sampled_from(MODES))
    if any(di * (ki - 1) + 1 > ni + a + b for di, ki, ni, a, b in zip(d, k, n, lo, hi)):
        return None
    if mode == "reflect" and any(max(a, b) >= ni for a, b, ni in zip(lo, hi, n)):
        return None
    channels = draw(st.sampled_from([None, (2, 2)]))
    return ConvSpec(
        input_size=n,
        kernel_size=k,
        stride=s,
        dilation=d,
        pad_lo=lo,
        pad_hi=hi,
        flip=draw(st.booleans()),
        padding_mode=mode,
        batch=1 if channels else None,
        channels=channels,
    )


def build(spec, wrt):
    c = forward(spec)[0]
    return grad_contraction(c, wrt) if wrt else c


@settings(max_examples=120, deadline=None)
@given(padded(), st.sampled_from(["same", "flip", "mode", "shift"]), st.sampled_from([None, "x", "w"]), st.data())
def test_folded_dense_path_agrees_with_the_interpreter_and_the_sorted_form(spec, how, wrt, data):
    assume(spec is not None)
    if how == "flip":
        other = replace(spec, flip=not spec.flip)
    elif how == "mode":
        other = replace(spec, padding_mode=data.draw(st.sampled_from(MODES)))
    elif how == "shift":
        assume(all(h >= 1 for h in spec.pad_hi))
        other = replace(spec, pad_lo=tuple(x + 1 for x in spec.pad_lo), pad_hi=tuple(x - 1 for x in spec.pad_hi))
    else:
        other = spec
    if other.padding_mode == "reflect":
        assume(all(max(a, b) < n for a, b, n in zip(other.pad_lo, other.pad_hi, other.input_size)))
    a, b = build(spec, wrt), build(other, wrt)
    assume(a.result.shape == b.result.shape and [o.shape for o in a.operands] == [o.shape for o in b.operands])
    lhs, rhs = [(1, a)], [(1, b)]
    truth = polynomial(lhs) == polynomial(rhs)
    holds, terms, first = sorted_form(lhs, rhs)
    assert holds == truth
    res = check_exact(lhs, rhs)
    assert (res.holds, res.terms, res.counterexample) == (truth, terms, first)
    fast = dense(lhs, rhs)
    assert fast is None or fast == (truth, terms)


def test_a_reflect_padded_identity_takes_the_dense_path():
    spec = ConvSpec(input_size=(30, 20), kernel_size=(3, 3), pad_lo=(1, 2), pad_hi=(1, 2), padding_mode="reflect")
    c = forward(spec)[0]
    pieces = fold_layouts(c)
    assert pieces is not None and sum(p.terms_bound for p in pieces) == 30 * 22 * 9
    terms = 3 * 30 * 22 * 9
    assert dense([(1, c), (1, c)], [(2, c)]) == (True, terms)
    # reflect vs replicate differ at the border only: refuted on the dense path, named as the sorted form does
    rep = forward(replace(spec, padding_mode="replicate"))[0]
    assert dense([(1, c)], [(1, rep)]) == (False, 2 * 30 * 22 * 9)
    assert check_exact([(1, c)], [(1, rep)]).counterexample == sorted_form([(1, c)], [(1, rep)])[2]
