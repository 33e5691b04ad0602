"""Structured operands on the dense path (``symconv.engines.pinned``) against independent oracles.

Oracle: the plain-Python interpreter ``polynomial`` of ``test_instance`` with the structure substitution
``w[p] -> sign(p) * v[label(p)]`` applied here, term by term (a Counter); and the sorted form
(``_sorted_equal``), whose first difference the dense path must name. True and false claims: the structure
makes corr = ±conv hold or not, on random sizes, strides, dilations, channels and labellings.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_instance import polynomial
from test_instance_fast import QUIET, contractions, dense, variant

from symconv import check_exact
from symconv.core.formula import ConvSpec, forward
from symconv.engines.exact import _sorted_equal
from symconv.engines.pinned import pinned_axes
from symconv.engines.space import _validate


def substituted(side, structure):
    """The interpreter's polynomial with every structured entry replaced by its signed label."""
    out: Counter = Counter()
    for (r, mono), coef in polynomial(side).items():
        sign, new = 1, []
        for name, idx in mono:
            if name in structure:
                label = int(structure[name][idx])
                sign *= int(np.sign(label))
                new.append((name, ("label", abs(label))))
            else:
                new.append((name, idx))
        if sign:
            out[(r, tuple(sorted(new)))] += coef * sign
    return Counter({k: v for k, v in out.items() if v})


def sorted_form(lhs, rhs, structure):
    rshape, space = _validate("test", lhs, rhs, structure)
    return _sorted_equal(lhs, rhs, rshape, space, 1 << 24, QUIET)


def centro_labels(shape, lead, kind, rng):
    """A labelling of a kernel of ``shape`` (``lead`` channel axes first): centro- or anti-centrosymmetric over
    the other axes, or random (signs and zeros included)."""
    if kind == "random":
        return rng.integers(-3, 4, size=shape)
    flat = np.arange(int(np.prod(shape))).reshape(shape)
    mirror = flat[(slice(None),) * lead + (slice(None, None, -1),) * (len(shape) - lead)]
    lab = np.minimum(flat, mirror) + 1
    return lab * np.where(flat < mirror, 1, np.where(flat == mirror, 0, -1)) if kind == "anti" else lab


@settings(max_examples=80, deadline=None)
@given(contractions(), st.sampled_from(["centro", "anti", "random"]), st.integers(0, 2**32 - 1), st.booleans())
def test_structured_dense_path_agrees_with_the_substituted_oracle(item, kind, seed, negate):
    assume(item is not None)
    spec, what, op, a = item
    assume(what != "bias")
    b = variant(spec, what, op, "flip")
    assume(b is not None and b.result.shape == a.result.shape)
    names = sorted(o.name for o in a.operands)
    target = "w" if "w" in names else names[0]  # (∂/∂w reads x and g: structure one of those)
    shape = tuple(int(s) for s in a.operand(target).shape)
    rng = np.random.default_rng(seed)
    structure = {target: centro_labels(shape, 2 if spec.channels else 0, kind, rng)}
    lhs, rhs = [(1, a)], [(-1 if negate else 1, b)]
    truth = substituted(lhs, structure) == substituted(rhs, structure)
    holds, terms, first = sorted_form(lhs, rhs, structure)
    assert holds == truth
    res = check_exact(lhs, rhs, structure=structure)
    assert (res.holds, res.terms, res.counterexample) == (truth, terms, first)
    fast = dense(lhs, rhs, structure)
    assert fast is None or fast == (truth, terms)


def test_the_centrosymmetric_theorem_takes_the_dense_path():
    corr = forward(ConvSpec(input_size=(40, 40), kernel_size=(3, 3), batch=1, channels=(3, 2)))[0]
    conv = forward(ConvSpec(input_size=(40, 40), kernel_size=(3, 3), batch=1, channels=(3, 2), flip=True))[0]
    k = np.arange(9).reshape(3, 3)
    mirror = k[::-1, ::-1]
    chan = np.arange(6).reshape(2, 3, 1, 1) * 9
    centro = chan + np.minimum(k, mirror) + 1
    anti = (chan + np.minimum(k, mirror) + 1) * np.where(k < mirror, 1, np.where(k == mirror, 0, -1))
    assert pinned_axes(centro) == (2, 3)  # the channel axes stay loop variables
    terms = 2 * 38 * 38 * 9 * 3 * 2
    for structure, sign in (({"w": centro}, 1), ({"w": anti}, -1)):
        lhs, rhs = [(1, corr)], [(sign, conv)]
        assert dense(lhs, rhs, structure) == (True, terms)
        assert dense(lhs, [(-sign, conv)], structure) == (False, terms)
        want = sorted_form(lhs, [(-sign, conv)], structure)
        assert check_exact(lhs, [(-sign, conv)], structure=structure).counterexample == want[2]
    # a symmetry along one axis only is not centrosymmetry: refuted on the dense path too
    one_axis = np.minimum(k, k[::-1, :]) + 1
    small_c = forward(ConvSpec(input_size=(9, 9), kernel_size=(3, 3)))[0]
    small_v = forward(ConvSpec(input_size=(9, 9), kernel_size=(3, 3), flip=True))[0]
    assert dense([(1, small_c)], [(1, small_v)], {"w": one_axis}) == (False, 2 * 49 * 9)
    assert not check_exact([(1, small_c)], [(1, small_v)], structure={"w": one_axis}).holds


def test_pinning_declines_what_it_cannot_pin_and_the_sorted_form_decides():
    # w read twice (w·w): a repeated operand; and labels whose slices are not affine with one sign everywhere
    corr = forward(ConvSpec(input_size=(7,), kernel_size=(3,)))[0]
    conv = forward(ConvSpec(input_size=(7,), kernel_size=(3,), flip=True))[0]
    mixed = np.array([1, -1, 1])
    assert pinned_axes(mixed) == (0,)
    assert check_exact([(1, corr)], [(1, conv)], structure={"w": mixed}).holds
    assert not check_exact([(1, corr)], [(-1, conv)], structure={"w": mixed}).holds
