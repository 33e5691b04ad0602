"""The exact and the randomized instance engines.

The oracle for verdicts is a plain-Python interpreter of a contraction
(itertools over the loop box, a dict of monomials) written here, not symconv's
term enumerator. False claims of every kind must be rejected by BOTH engines.
"""

from __future__ import annotations

import io
import itertools
from collections import Counter
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles.reference_conv import fold

from symconv import SymconvError, check_exact, check_randomized
from symconv.core.formula import ConvSpec, forward, transpose
from symconv.engines.instance import DEFAULT_PRIME
from symconv.engines.progress import Progress
from symconv.engines.randomized import _strided_evaluate
from symconv.engines.terms import iter_terms, iter_terms_separable
from symconv.gradients.grad import grad_contraction, permute_operand, rename_operands

ENGINES = [check_exact, check_randomized]


# -- an independent interpreter: {(result position, monomial): coefficient} ----------------


def _val(e):
    return int(sympy.Integer(e))


def _aff(a, env):
    return _val(a.const) + sum(_val(c) * env[v] for v, c in a.coeffs)


def polynomial(side):
    """Σ coef · contraction as a Counter over (result position, sorted monomial)."""
    out: Counter = Counter()
    for coef, c in side:
        ranges = [range(_val(v.extent)) for v in c.variables]
        names = [v.name for v in c.variables]
        rshape = [_val(s) for s in c.result.shape]
        rb = c.result_boundary or (None,) * len(rshape)
        for point in itertools.product(*ranges):
            env = dict(zip(names, point))
            r = []
            for a, n, b in zip(c.result_index, rshape, rb):
                i = _aff(a, env)
                if b is None:
                    r.append(i if 0 <= i < n else None)
                else:
                    lo, hi = _val(b.lo), _val(b.hi)
                    r.append(fold(i, n, b.mode) if -lo <= i < n + hi else None)
            if None in r:
                continue
            mono = []
            for f in c.factors:
                shape = [_val(s) for s in c.operand(f.operand).shape]
                bnd = f.boundary or (None,) * len(shape)
                idx = []
                for a, n, b in zip(f.index, shape, bnd):
                    i = _aff(a, env)
                    if b is None:
                        idx.append(i if 0 <= i < n else None)
                    else:
                        lo, hi = _val(b.lo), _val(b.hi)
                        idx.append(fold(i, n, b.mode) if -lo <= i < n + hi else None)
                if None in idx:
                    break
                mono.append((f.operand, tuple(idx)))
            else:
                out[(tuple(r), tuple(sorted(mono)))] += coef
    return Counter({k: v for k, v in out.items() if v})


def both(lhs, rhs, **kw):
    e = check_exact(lhs, rhs, **kw)
    r = check_randomized(lhs, rhs, trials=3, **kw)
    return e, r


def spec1(**kw):
    base = {"input_size": (7,), "kernel_size": (3,)}
    base.update(kw)
    return ConvSpec(**base)


# -- true identities ---------------------------------------------------------------------


def test_correlation_input_gradient_is_full_convolution():
    gx = grad_contraction(forward(spec1())[0], "x")
    full = rename_operands(forward(ConvSpec(input_size=(5,), kernel_size=(3,), pad_lo=(2,), flip=True))[0], {"x": "g"})
    assert polynomial([(1, gx)]) == polynomial([(1, full)])  # the oracle agrees it is true
    e, r = both([(1, gx)], [(1, full)])
    assert e.holds and e.method == "instance" and e.error_bound is None and e.counterexample is None
    assert e.terms == 2 * 15
    assert r.holds and r.method == "randomized" and r.error_bound == Fraction(2, DEFAULT_PRIME) ** 3


def test_strided_dilated_padded_two_d_with_channels():
    spec = ConvSpec(
        input_size=(7, 6),
        kernel_size=(3, 2),
        stride=(2, 1),
        dilation=(1, 2),
        pad_lo=(1, 0),
        pad_hi=(2, 1),
        batch=2,
        channels=(4, 2),
        groups=2,
    )
    gx = grad_contraction(forward(spec)[0], "x")
    out = tuple(int(c.extent) for c in gx.variables if c.name.startswith("n"))
    op = ((7 + 1 + 2 - 1 * (3 - 1) - 1) % 2, (6 + 0 + 1 - 2 * (2 - 1) - 1) % 1)  # (L + p - d(K-1) - 1) mod s
    assert op == (1, 0)
    tc = rename_operands(transpose(replace(spec, input_size=out), output_padding=op)[0], {"x": "g"})
    e, r = both([(1, gx)], [(1, tc)])
    assert e.holds and r.holds


def test_linear_combinations_and_coefficients():
    corr = forward(spec1())[0]
    conv = forward(spec1(flip=True))[0]
    # 2·corr − corr − corr = 0 (an empty right side is zero)
    e, r = both([(2, corr), (-1, corr)], [(1, corr)])
    assert e.holds and r.holds
    e, r = both([(2, corr)], [(1, corr), (1, conv)])
    assert not e.holds and not r.holds


# -- false claims: every kind rejected by both engines -----------------------------------


def _claims():
    s = spec1()
    gx = grad_contraction(forward(s)[0], "x")
    gw = grad_contraction(forward(s)[0], "w")
    claims = {}
    # unflipped kernel: dL/dx "is the full correlation of g with w"
    claims["unflipped kernel"] = (gx, forward(ConvSpec(input_size=(5,), kernel_size=(3,), pad_lo=(2,)))[0])
    # off by one: the full convolution shifted by one position
    claims["off by one"] = (
        gx,
        forward(ConvSpec(input_size=(5,), kernel_size=(3,), pad_lo=(1,), pad_hi=(3,), flip=True))[0],
    )
    # wrong mode: 'same' padding instead of 'full'
    claims["wrong mode"] = (
        gx,
        forward(ConvSpec(input_size=(5,), kernel_size=(3,), pad_lo=(1,), pad_hi=(1,), flip=True, output_size=(7,)))[0],
    )
    # stride and dilation not swapped: dL/dw of a stride-2, dilation-3 layer
    sd = spec1(input_size=(12,), stride=(2,), dilation=(3,))
    gw_sd = grad_contraction(forward(sd)[0], "w")
    nout = 3
    not_swapped = forward(
        ConvSpec(input_size=(12,), kernel_size=(nout,), stride=(2,), dilation=(3,), output_size=(3,))
    )[0]
    claims["stride and dilation not swapped"] = (gw_sd, not_swapped)
    # missing channel transpose: the transposed convolution reading w[c, o] instead of w[o, c]
    ch = ConvSpec(input_size=(6,), kernel_size=(2,), batch=1, channels=(2, 2))
    gx_ch = grad_contraction(forward(ch)[0], "x")
    tc = transpose(replace(ch, input_size=(5,)))[0]
    claims["missing channel transpose"] = (gx_ch, permute_operand(tc, "w", (1, 0, 2)))
    # wrong output_padding: stride 2 loses one input row unless output_padding = 1
    st_ = spec1(input_size=(8,), stride=(2,))
    gx_st = grad_contraction(forward(st_)[0], "x")
    claims["wrong output_padding"] = (gx_st, transpose(replace(st_, input_size=(3,)), output_padding=(0,))[0])
    del gw
    return {
        k: (lhs, rename_operands(rhs, {"x": "g"} if k != "stride and dilation not swapped" else {"w": "g"}))
        for k, (lhs, rhs) in claims.items()
    }


CLAIMS = _claims()


@pytest.mark.parametrize("engine", ENGINES, ids=["exact", "randomized"])
@pytest.mark.parametrize("kind", sorted(CLAIMS))
def test_false_claims_are_rejected(engine, kind):
    lhs, rhs = CLAIMS[kind]
    res = engine([(1, lhs)], [(1, rhs)])
    assert not res.holds
    assert res.counterexample
    if res.method == "randomized":
        assert res.error_bound == 0


def test_true_versions_of_the_false_claims_hold():
    # the corrected claims (to show the false ones fail for the stated reason only)
    sd = spec1(input_size=(12,), stride=(2,), dilation=(3,))
    gw_sd = grad_contraction(forward(sd)[0], "w")
    swapped = forward(ConvSpec(input_size=(12,), kernel_size=(3,), stride=(3,), dilation=(2,), output_size=(3,)))[0]
    assert all(r.holds for r in both([(1, gw_sd)], [(1, rename_operands(swapped, {"w": "g"}))]))
    st_ = spec1(input_size=(8,), stride=(2,))
    gx_st = grad_contraction(forward(st_)[0], "x")
    good = rename_operands(transpose(replace(st_, input_size=(3,)), output_padding=(1,))[0], {"x": "g"})
    assert all(r.holds for r in both([(1, gx_st)], [(1, good)]))


def test_counterexample_names_position_and_monomial():
    corr, conv = (
        forward(spec1(input_size=(5,), kernel_size=(2,)))[0],
        forward(spec1(input_size=(5,), kernel_size=(2,), flip=True))[0],
    )
    res = check_exact([(1, corr)], [(1, conv)])
    assert res.counterexample == "at result index (0,): coefficient of w[0]*x[0] is 1 on the left, 0 on the right"
    res = check_exact([(1, conv)], [(1, corr)])
    assert res.counterexample == "at result index (0,): coefficient of w[0]*x[0] is 0 on the left, 1 on the right"
    rr = check_randomized([(1, corr)], [(1, conv)])
    assert rr.counterexample.startswith("at result index (") and f"mod {DEFAULT_PRIME}" in rr.counterexample


def test_shape_mismatch_is_a_rejection():
    a = forward(spec1())[0]
    b = forward(spec1(output_size=(4,)))[0]
    for res in both([(1, a)], [(1, b)]):
        assert not res.holds and "result shape (5,)" in res.counterexample


# -- structure hypotheses ---------------------------------------------------------------------


def test_centrosymmetric_kernel_makes_convolution_equal_correlation():
    s = ConvSpec(input_size=(4, 5), kernel_size=(2, 3))
    corr, conv = forward(s)[0], forward(replace(s, flip=True))[0]
    centro = np.array([[1, 2, 3], [3, 2, 1]])
    anti = np.array([[1, 2, 3], [-3, -2, -1]])  # rot180(w) = -w
    sym_not_centro = np.array([[1, 2, 3], [1, 2, 3]])  # symmetric along axis 0 only
    for engine in ENGINES:
        assert engine([(1, corr)], [(1, conv)], structure={"w": centro}).holds
        assert engine([(1, corr)], [(-1, conv)], structure={"w": anti}).holds
        assert not engine([(1, corr)], [(1, conv)], structure={"w": anti}).holds
        assert not engine([(1, corr)], [(1, conv)], structure={"w": sym_not_centro}).holds
        assert not engine([(1, corr)], [(1, conv)]).holds


def test_structural_zeros():
    corr = forward(spec1(kernel_size=(3,)))[0]
    conv = forward(spec1(kernel_size=(3,), flip=True))[0]
    # w = [a, 0, a]: symmetric with a zero centre
    assert check_exact([(1, corr)], [(1, conv)], structure={"w": np.array([1, 0, 1])}).holds
    assert check_randomized([(1, corr)], [(1, conv)], structure={"w": np.array([1, 0, 1])}).holds


# -- the exact engine agrees with the independent interpreter ------------------------------

specs = st.builds(
    lambda n, k, s, d, lo, hi, flip, mode: (n, k, s, d, lo, hi, flip, mode),
    st.integers(3, 7),
    st.integers(1, 3),
    st.integers(1, 2),
    st.integers(1, 2),
    st.integers(0, 2),
    st.integers(0, 2),
    st.booleans(),
    st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
)


def _contraction(p, wrt):
    n, k, s, d, lo, hi, flip, mode = p
    if d * (k - 1) + 1 > n + lo + hi or (mode == "reflect" and max(lo, hi) >= n):
        return None
    c = forward(
        ConvSpec(
            input_size=(n,),
            kernel_size=(k,),
            stride=(s,),
            dilation=(d,),
            pad_lo=(lo,),
            pad_hi=(hi,),
            flip=flip,
            padding_mode=mode,
        )
    )[0]
    return grad_contraction(c, wrt) if wrt else c


variants = st.tuples(st.booleans(), st.integers(-1, 1), st.sampled_from(["zeros", "reflect", "replicate", "circular"]))


@settings(max_examples=40)
@given(specs, variants, st.sampled_from([None, "x", "w"]), st.integers(1, 1 << 30))
def test_verdicts_match_independent_interpreter(p, change, wrt, block):
    # q: the same sizes (so the operands and the result agree in shape), possibly another flip/shift/boundary
    flip, shift, mode = change
    q = (*p[:4], p[4] + shift, p[5] - shift, flip, mode)
    a, b = _contraction(p, wrt), _contraction(q, wrt) if min(q[4], q[5]) >= 0 else None
    if a is None or b is None:
        return
    truth = polynomial([(1, a)]) == polynomial([(1, b)])
    assert check_exact([(1, a)], [(1, b)], block=1 + block % 7).holds == truth
    assert check_randomized([(1, a)], [(1, b)], trials=2).holds == truth


def test_blocks_do_not_change_the_verdict():
    spec = ConvSpec(input_size=(9, 8), kernel_size=(3, 3), batch=1, channels=(2, 2))
    gx = grad_contraction(forward(spec)[0], "x")
    tc = rename_operands(transpose(replace(spec, input_size=(7, 6)))[0], {"x": "g"})
    bad = permute_operand(tc, "w", (1, 0, 2, 3))
    for block in (1, 37, 1000, 1 << 24):
        assert check_exact([(1, gx)], [(1, tc)], block=block).holds
        r = check_exact([(1, gx)], [(1, bad)], block=block)
        assert not r.holds and r.counterexample.startswith("at result index (0, 0, 0, 0)")


# -- randomized engine details --------------------------------------------------------------


def test_randomized_is_reproducible_and_reports_its_bound():
    corr = forward(spec1())[0]
    a = check_randomized([(1, corr)], [(1, corr)], trials=4, prime=1_000_003, seed=7)
    assert a.holds and a.error_bound == Fraction(2, 1_000_003) ** 4
    assert a.terms == 2 * 4 * 15


def test_argument_errors():
    corr = forward(spec1())[0]
    side = [(1, corr)]
    with pytest.raises(SymconvError, match="`trials` must be an integer ≥ 1"):
        check_randomized(side, side, trials=0)
    with pytest.raises(SymconvError, match="must be prime; got 1000000"):
        check_randomized(side, side, prime=1_000_000)
    with pytest.raises(SymconvError, match="2\\^7 < p < 2\\^31"):
        check_randomized(side, side, prime=2**61 - 1)
    with pytest.raises(SymconvError, match="`block` must be an integer ≥ 1"):
        check_exact(side, side, block=0)
    with pytest.raises(SymconvError, match="concrete sizes"):
        N = sympy.Symbol("N", integer=True, positive=True)
        check_exact([(1, forward(ConvSpec(input_size=(N,), kernel_size=(2,)))[0])], side)
    with pytest.raises(SymconvError, match="coefficients in `lhs` must be integers"):
        check_exact([(0.5, corr)], side)
    with pytest.raises(SymconvError, match="operand 'x' must have one shape"):
        check_exact(side, [(1, forward(spec1(input_size=(8,), kernel_size=(4,)))[0])])
    with pytest.raises(SymconvError, match="same result shape"):
        check_exact([(1, corr), (1, forward(spec1(input_size=(8,)))[0])], side)
    with pytest.raises(SymconvError, match=r"`structure\['w'\]` must be an integer array of shape \(3,\)"):
        check_exact(side, side, structure={"w": np.array([1, 1])})
    with pytest.raises(SymconvError, match="not an operand"):
        check_exact(side, side, structure={"q": np.array([1])})
    with pytest.raises(SymconvError, match="must not both be empty"):
        check_exact([], [])


def test_progress_meter_writes_only_when_enabled():
    buf = io.StringIO()
    p = Progress("check_exact", 100, enabled=True, delay=0.0, interval=0.0, stream=buf)
    p.update(50)
    p.close()
    assert "check_exact:  50.0% (50/100 terms" in buf.getvalue() and "done" in buf.getvalue()
    quiet = io.StringIO()
    q = Progress("x", 100, stream=quiet)  # StringIO is not a terminal
    q.update(100)
    q.close()
    assert quiet.getvalue() == ""


# -- the strided evaluator of the randomized engine agrees with the interpreter ---------------

STRIDED = [
    (
        "grad x, stride/dilation/padding, channels",
        "x",
        ConvSpec(
            input_size=(9, 7),
            kernel_size=(3, 2),
            stride=(2, 3),
            dilation=(2, 1),
            pad_lo=(1, 2),
            pad_hi=(2, 0),
            batch=2,
            channels=(4, 2),
            groups=2,
        ),
    ),
    (
        "grad w (a reduction over n and the batch)",
        "w",
        ConvSpec(input_size=(8,), kernel_size=(3,), stride=(2,), dilation=(2,), pad_lo=(1,), batch=3, channels=(2, 3)),
    ),
    (
        "forward convolution (negative kernel coefficients)",
        None,
        ConvSpec(input_size=(6, 5), kernel_size=(3, 2), flip=True, pad_lo=(2, 0), pad_hi=(0, 1)),
    ),
    (
        "transposed",
        "T",
        ConvSpec(input_size=(4,), kernel_size=(3,), stride=(3,), dilation=(2,), pad_lo=(1,), batch=1, channels=(2, 2)),
    ),
]


@pytest.mark.parametrize("prime", [DEFAULT_PRIME, 2**31 - 1, 131])
@pytest.mark.parametrize(("label", "wrt", "spec"), STRIDED, ids=[s[0] for s in STRIDED])
def test_strided_evaluation_matches_the_interpreter(label, wrt, spec, prime):
    if wrt == "T":
        c = transpose(spec, output_padding=(1,))[0]
    else:
        c = forward(spec)[0]
        if wrt:
            c = grad_contraction(c, wrt)
    rng = np.random.default_rng(len(label))
    shapes = {o.name: tuple(int(v) for v in o.shape) for o in c.operands}
    vals = {n: rng.integers(0, prime, size=int(np.prod(sh))) for n, sh in shapes.items()}
    rshape = tuple(int(v) for v in c.result.shape)
    got = _strided_evaluate(c, [vals[f.operand] for f in c.factors], int(np.prod(rshape)), prime)
    assert got is not None
    want = np.zeros(int(np.prod(rshape)), dtype=object)
    n_terms = 0
    for (r, mono), coef in polynomial([(1, c)]).items():
        term = coef
        for name, idx in mono:
            term *= int(vals[name][np.ravel_multi_index(idx, shapes[name])])
        want[np.ravel_multi_index(r, rshape)] += term
        n_terms += coef
    assert [int(v) for v in got[0]] == [int(v) % prime for v in want]
    assert got[1] == n_terms


@settings(max_examples=40)
@given(specs, st.sampled_from([None, "x", "w"]), st.integers(1, 40), st.integers(1, 2), st.booleans())
def test_separable_enumeration_equals_iter_terms(p, wrt, block, batch, channels):
    n, k, s, d, lo, hi, flip, mode = p
    if d * (k - 1) + 1 > n + lo + hi or (mode == "reflect" and max(lo, hi) >= n):
        return
    spec = ConvSpec(
        input_size=(n,),
        kernel_size=(k,),
        stride=(s,),
        dilation=(d,),
        pad_lo=(lo,),
        pad_hi=(hi,),
        flip=flip,
        padding_mode=mode,
        batch=batch if channels else None,
        channels=(2, 2) if channels else None,
    )
    c = forward(spec)[0]
    c = grad_contraction(c, wrt) if wrt else c

    def flat(ts):
        cols = list(zip(*[(t.result, *t.factors) for t in ts]))
        return [np.concatenate(col).tolist() for col in cols]

    assert flat(iter_terms_separable(c, block=block)) == flat(iter_terms(c, block=block))


def test_an_empty_loop_box_has_no_terms_in_both_engines():
    """A kernel longer than the input: the valid output is empty; both sides are the zero polynomial."""
    corr = forward(ConvSpec(input_size=(2,), kernel_size=(4,)))[0]
    conv = forward(ConvSpec(input_size=(2,), kernel_size=(4,), flip=True))[0]
    for check in (check_exact, check_randomized):
        result = check([(1, corr)], [(1, conv)])
        assert result.holds and result.terms == 0, check.__name__
