"""The centrosymmetric theorem's fast paths (issue 11) against independent oracles, with forgeries.

* the exact rank of the "only if" check (fraction-free elimination in Python integers) against Gaussian
  elimination over ``fractions.Fraction`` written here;
* the "only if" check itself against the forms written out here by plain loops (the coefficient of
  ``x[k]`` in ``conv(x, w)[0] − s·corr(x, w)[0]`` is ``w[K−1−k] − s·w[k]``), for true and false hypotheses
  (wrong sign, wrong mirror, one axis only, a domain one too large), at several sizes;
* the engine rule that drops pairs of pieces equal under a structure's mirror symmetry before any table is
  written (``symconv.engines.cancel.cancel_mirrored``): forgeries that must still be refuted, and a property test
  against the plain-Python interpreter with the structure substituted (``test_engines_structure``);
* the Python enumeration of small Iverson sums against the numpy one it stands in for, and the compiled size
  expressions against sympy.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engines_structure import centro_labels, substituted

import symconv.engines.dense as dense
import symconv.proofs._compiled as compiled
from symconv import SymconvError, check_exact
from symconv.core.affine import Affine
from symconv.core.formula import ConvSpec, forward
from symconv.engines.cancel import cancel_mirrored
from symconv.proofs import theorem
from symconv.proofs._compiled import size_int
from symconv.proofs._evaluate import monomials
from symconv.proofs._instances import _instance_only_if, _instance_sizes, _rank
from symconv.proofs._iverson import Constraint

CENTRO = "convolve_equals_correlate_iff_centrosymmetric"
ANTI = "convolve_equals_minus_correlate_iff_anticentrosymmetric"


# -- the exact rank -------------------------------------------------------------------------------------------


def fraction_rank(rows: list[list[int]], ncols: int) -> int:
    """Gauss–Jordan elimination over the rationals (exact), the oracle."""
    m = [[Fraction(v) for v in r] for r in rows]
    rank = 0
    for c in range(ncols):
        piv = next((i for i in range(rank, len(m)) if m[i][c] != 0), None)
        if piv is None:
            continue
        m[rank], m[piv] = m[piv], m[rank]
        for i in range(len(m)):
            if i != rank and m[i][c] != 0:
                f = m[i][c] / m[rank][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[rank])]
        rank += 1
    return rank


@st.composite
def matrices(draw):
    """Random integer matrices: dense, sparse, huge entries, and rank-deficient products (r×k)(k×c)."""
    nrows, ncols = draw(st.integers(0, 7)), draw(st.integers(1, 7))
    kind = draw(st.sampled_from(["dense", "sparse", "huge", "product", "zero"]))
    if kind == "zero":
        return [[0] * ncols for _ in range(nrows)], ncols
    if kind == "product":
        k = draw(st.integers(1, 3))
        a = [[draw(st.integers(-3, 3)) for _ in range(k)] for _ in range(nrows)]
        b = [[draw(st.integers(-3, 3)) for _ in range(ncols)] for _ in range(k)]
        return [[sum(a[i][t] * b[t][j] for t in range(k)) for j in range(ncols)] for i in range(nrows)], ncols
    ent = {
        "dense": st.integers(-5, 5),
        "sparse": st.sampled_from([0, 0, 0, 1, -1, 2]),
        "huge": st.integers(-(10**30), 10**30),
    }
    return [[draw(ent[kind]) for _ in range(ncols)] for _ in range(nrows)], ncols


@settings(max_examples=200, deadline=None)
@given(matrices())
def test_the_exact_rank_agrees_with_fraction_elimination(m):
    rows, ncols = m
    assert _rank(rows, ncols) == fraction_rank(rows, ncols)


def test_the_exact_rank_on_fixed_cases():
    assert _rank([], 4) == 0
    assert _rank([[0, 0, 0], [0, 0, 0]], 3) == 0
    assert _rank([[1, 2, 3], [2, 4, 6], [3, 6, 9]], 3) == 1
    assert _rank([[1, 1], [1, -1]], 2) == 2
    assert _rank([[10**40, 1], [10**40 + 1, 1], [1, 0]], 2) == 2
    assert _rank(np.eye(6, dtype=np.int64).tolist(), 6) == 6
    small = np.array([[2, 1, 0], [1, 3, 1], [0, 1, 4]])  # well conditioned: numpy agrees
    assert _rank(small.tolist(), 3) == np.linalg.matrix_rank(small) == 3


# -- the "only if" check ----------------------------------------------------------------------------------------


def only_if_part(name: str, ndim: int):
    plan = theorem(name, ndim=ndim)._shared_plan()
    return plan, next(p for p, _ in plan.parts if p.relation == "⇒")


def oracle_only_if(n_k: tuple[int, ...], sign: int, mirror, hsign: int, domain) -> bool:
    """Plain loops: the forms conv[0] − sign·corr[0] (per x[k]: w[K−1−k] − sign·w[k]) span the claimed forms
    w[u] − hsign·w[mirror(u)] for every u of ``domain`` (ranks over the rationals)."""
    cols: dict[tuple[int, ...], int] = {}

    def row(f: dict) -> list:
        return [(cols.setdefault(w, len(cols)), v) for w, v in f.items()]

    a = []
    for k in itertools.product(*(range(n) for n in n_k)):
        flip = tuple(n - 1 - i for n, i in zip(n_k, k))
        f: dict = {}
        f[flip] = f.get(flip, 0) + 1
        f[k] = f.get(k, 0) - sign
        a.append(row(f))
    h = []
    for u in itertools.product(*domain):
        f = {u: 1}
        f[mirror(u)] = f.get(mirror(u), 0) - hsign
        h.append(row(f))
    dense_rows = [[dict(r).get(j, 0) for j in range(len(cols))] for r in a + h]
    na = len(a)
    return fraction_rank(dense_rows[:na], len(cols)) == fraction_rank(dense_rows, len(cols))


CLAIMS = ["true", "wrong_sign", "off_by_one", "one_axis", "domain_one_too_large"]


@pytest.mark.parametrize("name,sign", [(CENTRO, 1), (ANTI, -1)])
@pytest.mark.parametrize("claim", CLAIMS)
@pytest.mark.parametrize("sizes", [((5,), (1,)), ((7,), (2,)), ((9,), (4,)), ((6, 7), (3, 2)), ((8, 8), (3, 3))])
def test_the_only_if_check_agrees_with_plain_loops(name, sign, claim, sizes):
    input_size, kernel_size = sizes
    ndim = len(kernel_size)
    plan, part = only_if_part(name, ndim)
    sz = _instance_sizes(name, plan, input_size, kernel_size)[0]
    hyp = part.rhs
    ks = [k for k in part.ctx.params if k.name.startswith("K")]
    u = [Affine.var(v) for v in hyp.variables]
    hsign, mirror_rhs, shift, axes = sign, list(hyp.rhs), 0, range(ndim)
    domain = [range(n) for n in kernel_size]
    if claim == "wrong_sign":
        hsign = -sign
    elif claim == "off_by_one":
        mirror_rhs = [(-a) + (k - 2) for k, a in zip(ks, u)]  # w[u] = ±w[K−2−u]: the mirror one too far
        shift = -1
    elif claim == "one_axis":
        axes = range(1)
        mirror_rhs = [(-u[0]) + (ks[0] - 1), *u[1:]]
    elif claim == "domain_one_too_large":  # 0 ≤ u0 ≤ K0 (reads w[K0] and w[−1])
        hyp = replace(hyp, domain=(hyp.domain[0], Constraint(hyp.domain[1].expr + 1), *hyp.domain[2:]))
        domain = [range(kernel_size[0] + 1), *(range(n) for n in kernel_size[1:])]
    hyp = replace(hyp, rhs=tuple(mirror_rhs), sign=hsign)
    ok, msg, _ = _instance_only_if(replace(part, rhs=hyp), sz)

    def mirror(p):
        return tuple(n - 1 + shift - i if a in axes else i for a, (n, i) in enumerate(zip(kernel_size, p)))

    assert ok == oracle_only_if(tuple(kernel_size), sign, mirror, hsign, domain)
    assert (msg == "") == ok
    if claim == "true":
        assert ok
    elif min(kernel_size) >= 2 and (claim != "one_axis" or ndim > 1):
        assert not ok  # a false claim is refuted


@pytest.mark.parametrize("name", [CENTRO, ANTI])
@pytest.mark.parametrize("sizes", [((6,), (3,)), ((9, 7), (3, 2)), ((1024, 1024), (3, 3))])
def test_the_theorem_holds_and_its_library_variants_are_refuted(name, sizes):
    kw = {"input_size": sizes[0], "kernel_size": sizes[1]}
    ndim = len(sizes[1])
    assert theorem(name, ndim=ndim).prove("instance", **kw).status == "proved"
    p = theorem(name, ndim=ndim).variant("domain_off_by_one").prove("instance", **kw)
    assert p.status == "refuted" and "does not force" in p.message
    if sizes[0][0] < 100:  # (a refutation by the engines at 1024² is the refutation benchmark's)
        assert theorem(name, ndim=ndim).variant("hypothesis_dropped").prove("instance", **kw).status == "refuted"


def test_the_only_if_check_refuses_a_hypothesis_on_another_operand():
    plan, part = only_if_part(CENTRO, 1)
    sz = _instance_sizes(CENTRO, plan, (7,), (3,))[0]
    on_x = replace(part.rhs, operand="x")
    ctx = replace(part.ctx, hypotheses=(on_x,))
    with pytest.raises(SymconvError, match="independent"):
        _instance_only_if(replace(part, ctx=ctx), sz)


@pytest.mark.parametrize("name", [CENTRO, ANTI])
@pytest.mark.parametrize("sizes", [((5,), (2,)), ((8, 6), (3, 2)), ((9, 9), (4, 3))])
def test_small_sums_enumerate_as_the_numpy_path_does(name, sizes, monkeypatch):
    plan, part = only_if_part(name, len(sizes[1]))
    sz = _instance_sizes(name, plan, *sizes)[0]
    small = monomials(part.lhs, part.ctx, sz)
    monkeypatch.setattr(compiled, "SMALL_POINTS", 0)
    compiled._PLANS.clear()
    assert monomials(part.lhs, part.ctx, sz) == small
    compiled._PLANS.clear()


def test_compiled_size_expressions_agree_with_sympy():
    n, k, s = sympy.symbols("N K s", integer=True, positive=True)
    sizes = {n: 11, k: 3, s: 2}
    for e in (n - k + 1, (n - k) * s + 1, n**2 - 3 * k * s, sympy.Integer(-4), (n + 1) / 2, sympy.floor((n - k) / s)):
        assert size_int(e, sizes) == int(e.subs(sizes))
    with pytest.raises(SymconvError, match="not an integer"):
        size_int(n / 2, sizes)
    with pytest.raises(SymconvError, match="not an integer"):
        size_int(n - k, {n: 4})


# -- the engine rule: pieces equal under the structure's mirror -----------------------------------------------


def conv_corr(input_size, kernel_size):
    corr = forward(ConvSpec(input_size=input_size, kernel_size=kernel_size))[0]
    conv = forward(ConvSpec(input_size=input_size, kernel_size=kernel_size, flip=True))[0]
    return conv, corr


def labels(kernel_size, kind):
    return centro_labels(tuple(kernel_size), 0, kind, np.random.default_rng(0))


def oracle_equal(lhs, rhs, structure) -> bool:
    return substituted(lhs, structure) == substituted(rhs, structure)


def test_the_centrosymmetric_identity_writes_no_table(monkeypatch):
    def no_pins(*_a, **_k):
        raise AssertionError("pinned: a table would be written")

    monkeypatch.setattr(dense, "pin_all", no_pins)
    for ins, ks in (((1024, 1024), (3, 3)), ((40,), (5,)), ((9, 8, 7), (2, 3, 2))):
        conv, corr = conv_corr(ins, ks)
        r = check_exact([(1, conv)], [(1, corr)], structure={"w": labels(ks, "centro")})
        assert r.holds
        r = check_exact([(1, conv)], [(-1, corr)], structure={"w": labels(ks, "anti")})
        assert r.holds
        terms = 2 * int(np.prod([n - k + 1 for n, k in zip(ins, ks)])) * int(np.prod(ks))
        assert r.terms == terms


def test_forgery_antisymmetric_kernel_with_the_wrong_sign():
    conv, corr = conv_corr((9, 8), (3, 3))
    anti = {"w": labels((3, 3), "anti")}
    assert not check_exact([(1, conv)], [(1, corr)], structure=anti).holds  # conv = −corr, not corr
    assert check_exact([(1, conv)], [(-1, corr)], structure=anti).holds
    centro = {"w": labels((3, 3), "centro")}
    assert not check_exact([(1, conv)], [(-1, corr)], structure=centro).holds  # and the converse
    assert cancel_mirrored([(1, conv)], [(1, corr)], anti) is None  # the rule declines: c ≠ s·d


def with_w_index(c, index):
    """``c`` with its factor ``w`` read at ``index`` (a forged contraction)."""
    return replace(c, factors=tuple(replace(f, index=index) if f.operand == "w" else f for f in c.factors))


def test_forgery_a_mirror_one_off():
    conv, corr = conv_corr((10,), (3,))
    k = Affine.var(corr.variables[1].name)
    for shifted in (with_w_index(corr, (1 - k,)), with_w_index(corr, (3 - k,)), with_w_index(corr, (k + 1,))):
        st_ = {"w": labels((3,), "centro")}
        assert cancel_mirrored([(1, conv)], [(1, shifted)], st_) is None
        r = check_exact([(1, conv)], [(1, shifted)], structure=st_)
        assert r.holds == oracle_equal([(1, conv)], [(1, shifted)], st_) is False


def test_forgery_a_symmetry_on_part_of_the_kernel_only():
    # w[1] = w[2] only (labels 1, 2, 2, 3): pieces that read w[1 + k] and w[2 − k] ARE equal, but the
    # structure is not symmetric under the whole mirror: the rule must not fire; the pinned tables decide
    corr = forward(ConvSpec(input_size=(9,), kernel_size=(4,)))[0]
    k = Affine.var(corr.variables[1].name)
    inner = replace(with_w_index(corr, (k + 1,)), variables=(corr.variables[0], replace(corr.variables[1], extent=2)))
    mirrored = with_w_index(inner, (2 - k,))
    part = {"w": np.array([1, 2, 2, 3])}
    assert cancel_mirrored([(1, inner)], [(1, mirrored)], part) is None
    assert check_exact([(1, inner)], [(1, mirrored)], structure=part).holds
    assert oracle_equal([(1, inner)], [(1, mirrored)], part)
    # a read that leaves the kernel at the boundary: w[k] for k < 5 against w[3 − k] (w[4], w[−1] are zero)
    wide = replace(corr, variables=(corr.variables[0], replace(corr.variables[1], extent=5)))
    wide_m = with_w_index(wide, (3 - k,))
    centro = {"w": np.array([1, 2, 2, 1])}
    r = check_exact([(1, wide)], [(1, wide_m)], structure=centro)
    assert r.holds == oracle_equal([(1, wide)], [(1, wide_m)], centro) is True
    off = with_w_index(wide, (4 - k,))  # one off: w[4 − k] reads w[0..3] at k = 1..4 and w[4] at k = 0
    assert cancel_mirrored([(1, wide)], [(1, off)], centro) is None
    assert check_exact([(1, wide)], [(1, off)], structure=centro).holds is oracle_equal([(1, wide)], [(1, off)], centro)


def test_forgery_the_symmetry_on_another_operand():
    conv, corr = conv_corr((6, 5), (3, 2))
    x_centro = {"x": centro_labels((6, 5), 0, "centro", np.random.default_rng(1))}
    assert cancel_mirrored([(1, conv)], [(1, corr)], x_centro) is None
    assert not check_exact([(1, conv)], [(1, corr)], structure=x_centro).holds
    assert not oracle_equal([(1, conv)], [(1, corr)], x_centro)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=2),
    st.lists(st.integers(0, 4), min_size=2, max_size=2),
    st.sampled_from(["centro", "anti", "random"]),
    st.integers(0, 2**32 - 1),
    st.sampled_from([1, -1]),
    st.booleans(),
)
def test_centro_engine_agrees_with_plain_loops(ks, extra, kind, seed, d, swap):
    ks = tuple(ks)
    ins = tuple(k + e for k, e in zip(ks, extra))
    conv, corr = conv_corr(ins, ks)
    structure = {"w": centro_labels(ks, 0, kind, np.random.default_rng(seed))}
    lhs, rhs = [(1, conv)], [(d, corr)]
    if swap:
        lhs, rhs = rhs, lhs
    r = check_exact(lhs, rhs, structure=structure)
    assert r.holds == oracle_equal(lhs, rhs, structure)


def test_the_only_if_rank_needs_no_sympy_matrix(monkeypatch):
    from sympy.polys.matrices import DomainMatrix

    def refuse(*_a, **_k):
        raise AssertionError("a sympy matrix: the exact rank is computed in Python integers")

    monkeypatch.setattr(DomainMatrix, "rank", refuse)
    plan, part = only_if_part(CENTRO, 2)
    ok, _, extra = _instance_only_if(part, _instance_sizes(CENTRO, plan, (64, 64), (3, 3))[0])
    assert ok and extra == {"forms": 8}


def test_hashes_are_cached_and_not_pickled():
    import pickle

    from symconv.engines.plan import layout

    conv, _ = conv_corr((7, 6), (3, 2))
    lay = layout(conv)
    for obj in (conv, lay):
        h = hash(obj)
        assert obj.__dict__["_hash"] == h  # computed once, then read
        state = pickle.dumps(obj)
        assert b"_hash" not in state  # string hashes differ between processes: never carried over
        again = pickle.loads(state)
        assert again == obj and hash(again) == h


@pytest.mark.parametrize("name", [CENTRO, ANTI])
@pytest.mark.parametrize("sizes", [((5,), (2,)), ((8, 6), (3, 2)), ((30, 30), (5, 4))])
def test_kept_reads_give_the_forms_evaluated_afresh(name, sizes, monkeypatch):
    from symconv.proofs._evaluate import linear_forms
    from symconv.proofs._instances import _hypothesis_forms

    plan, part = only_if_part(name, len(sizes[1]))
    sz = _instance_sizes(name, plan, *sizes)[0]
    kept = linear_forms(part.lhs, part.ctx, sz, "w"), _hypothesis_forms(part.rhs, part.ctx, sz)
    assert kept[0] is not None and len(kept[1]) == int(np.prod(sizes[1]))
    monkeypatch.setattr(compiled, "READS_KEPT", 0)
    compiled._PLANS.clear()
    assert (linear_forms(part.lhs, part.ctx, sz, "w"), _hypothesis_forms(part.rhs, part.ctx, sz)) == kept
    compiled._PLANS.clear()
