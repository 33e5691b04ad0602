"""Adversarial soundness tests of the instance engines' fast paths.

Random contractions (arbitrary affine index maps, not only convolutions),
paired with near misses — one index offset, one coefficient changed, a term
duplicated, operands of one shape swapped — and with true re-writings (a loop
variable reversed, loops permuted, a coefficient split into two terms, a
cancelling pair added). The verdict of every engine and fast path is compared
with an INDEPENDENT oracle written here: plain Python loops over the index
formula data, a dict of monomials (no symconv enumerator, layout or engine).
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symconv.engines.blas as blas_mod
import symconv.engines.dense as dense_mod
from symconv import check_exact, check_randomized
from symconv.core.affine import Affine
from symconv.core.formula import Boundary, Contraction, ConvSpec, Factor, Operand, Var, forward
from symconv.engines.blas import blas_evaluate
from symconv.engines.dense import dense_equal
from symconv.engines.progress import Progress
from symconv.engines.randomized import _strided_evaluate
from symconv.engines.space import _ShapeMismatchError, _validate

QUIET = Progress("test", 1, enabled=False)

# -- the oracle: {(result position, monomial): coefficient} by plain loops -----------------


def _i(e) -> int:
    return int(sympy.Integer(e))


def _at(a: Affine, env: dict[str, int]) -> int:
    return _i(a.const) + sum(_i(c) * env[v] for v, c in a.coeffs)


def _fold(i: int, n: int, mode: str) -> int:
    if mode == "circular":
        return i % n
    if mode == "replicate":
        return min(max(i, 0), n - 1)
    if mode == "reflect":
        if n == 1:
            return 0
        while not 0 <= i < n:
            i = -i if i < 0 else 2 * (n - 1) - i
        return i
    if mode == "symmetric":
        while not 0 <= i < n:
            i = -1 - i if i < 0 else 2 * n - 1 - i
        return i
    raise AssertionError(mode)


def _read(index, shape, bnd, env):
    out = []
    for a, n, b in zip(index, shape, bnd or (None,) * len(shape)):
        i = _at(a, env)
        if b is None:
            if not 0 <= i < n:
                return None
            out.append(i)
        else:
            if not -_i(b.lo) <= i < n + _i(b.hi):
                return None
            out.append(_fold(i, n, b.mode))
    return tuple(out)


def oracle(side, structure=None):
    """Σ coef·contraction as a Counter over (result index, sorted monomial); conjugates are their own variables."""
    structure = structure or {}
    out: Counter = Counter()
    for coef, c in side:
        shapes = {o.name: tuple(_i(s) for s in o.shape) for o in c.operands}
        rshape = tuple(_i(s) for s in c.result.shape)
        names = [v.name for v in c.variables]
        for point in itertools.product(*[range(max(0, _i(v.extent))) for v in c.variables]):
            env = dict(zip(names, point))
            r = _read(c.result_index, rshape, c.result_boundary, env)
            if r is None:
                continue
            mono, sign = [], 1
            for f in c.factors:
                idx = _read(f.index, shapes[f.operand], f.boundary, env)
                if idx is None:
                    break
                if f.operand in structure:
                    lab = int(structure[f.operand][idx])
                    if lab == 0:
                        break
                    sign *= 1 if lab > 0 else -1
                    idx = (abs(lab),)
                mono.append((f.operand + ("*" if f.conjugate else ""), idx))
            else:
                out[(r, tuple(sorted(mono)))] += coef * sign
    return Counter({k: v for k, v in out.items() if v})


def oracle_value(side, values, p):
    """The oracle polynomial at ``values`` (name -> int array), modulo p, per flat result position."""
    out: dict[int, int] = {}
    for coef, c in side:
        rshape = tuple(_i(s) for s in c.result.shape)
        for (r, mono), k in oracle([(coef, c)]).items():
            flat = int(np.ravel_multi_index(r, rshape)) if rshape else 0
            prod = k
            for name, idx in mono:
                prod *= int(values[name][idx])
            out[flat] = (out.get(flat, 0) + prod) % p
    return out


# -- random contractions ----------------------------------------------------------------------

SIZES = st.integers(1, 5)


@st.composite
def worlds(draw):
    """Operand shapes shared by every contraction of a test, and the result shape."""
    shapes = {}
    for name in ("a", "b", "c"):
        shapes[name] = tuple(draw(st.lists(SIZES, min_size=1, max_size=2)))
    if draw(st.booleans()):
        shapes["b"] = shapes["a"]  # operands of one shape: swapping them is a near miss
    rshape = tuple(draw(st.lists(SIZES, min_size=0, max_size=2)))
    return shapes, rshape


@st.composite
def contractions(draw, world, boundaries=False):
    shapes, rshape = world
    nv = draw(st.integers(1, 3))
    names = [f"v{j}" for j in range(nv)]
    extents = [draw(st.integers(1, 4)) for _ in names]

    def affine():
        a = Affine.constant(draw(st.sampled_from([0, 0, 0, 1, 1, -1, 2, -2, 3])))
        for v in names:
            k = draw(st.sampled_from([0, 0, 1, 1, 1, -1, 2]))
            if k:
                a = a + Affine.var(v) * k
        return a

    deg = draw(st.integers(1, 3))
    ops = draw(st.permutations(sorted(shapes)))[:deg]
    if deg >= 2 and draw(st.integers(0, 5)) == 0:
        ops = [ops[0], *ops[:-1]]  # an operand read twice
    factors = []
    for o in ops:
        index = tuple(affine() for _ in shapes[o])
        bnd = None
        if boundaries and draw(st.integers(0, 3)) == 0:
            mode = draw(st.sampled_from(["reflect", "replicate", "circular", "symmetric"]))
            bnd = tuple(
                Boundary(mode, sympy.Integer(draw(st.integers(0, 2))), sympy.Integer(draw(st.integers(0, 2))))
                if draw(st.booleans())
                else None
                for _ in shapes[o]
            )
        factors.append(Factor(o, index, conjugate=boundaries and draw(st.integers(0, 5)) == 0, boundary=bnd))
    used = sorted(set(ops))
    return Contraction(
        "t",
        Operand("y", tuple(sympy.Integer(s) for s in rshape)),
        tuple(affine() for _ in rshape),
        tuple(Var(v, sympy.Integer(e)) for v, e in zip(names, extents)),
        tuple(factors),
        tuple(Operand(o, tuple(sympy.Integer(s) for s in shapes[o])) for o in used),
    )


def _offset(c: Contraction, rnd: random.Random) -> Contraction:
    """One index of one factor (or of the result) moved by ±1."""
    delta = rnd.choice([-1, 1])
    if c.result_index and rnd.random() < 0.25:
        i = rnd.randrange(len(c.result_index))
        idx = list(c.result_index)
        idx[i] = idx[i] + delta
        return replace(c, result_index=tuple(idx))
    fi = rnd.randrange(len(c.factors))
    f = c.factors[fi]
    i = rnd.randrange(len(f.index))
    idx = list(f.index)
    idx[i] = idx[i] + delta
    fs = list(c.factors)
    fs[fi] = replace(f, index=tuple(idx))
    return replace(c, factors=tuple(fs))


def _swap(c: Contraction, shapes) -> Contraction | None:
    """Operands ``a`` and ``b`` exchanged (only meaningful when they have one shape)."""
    if shapes["a"] != shapes["b"]:
        return None
    ren = {"a": "b", "b": "a"}
    fs = tuple(replace(f, operand=ren.get(f.operand, f.operand)) for f in c.factors)
    ops = tuple(sorted((Operand(ren.get(o.name, o.name), o.shape) for o in c.operands), key=lambda o: o.name))
    return replace(c, factors=fs, operands=ops)


def _reverse(c: Contraction, j: int) -> Contraction:
    """The same polynomial with loop variable ``j`` running backwards: v -> E-1-v everywhere."""
    v = c.variables[j]
    sub = {v.name: Affine.constant(_i(v.extent) - 1) - Affine.var(v.name)}
    return replace(
        c,
        result_index=tuple(a.substitute(sub) for a in c.result_index),
        factors=tuple(replace(f, index=tuple(a.substitute(sub) for a in f.index)) for f in c.factors),
    )


def _split_box(c: Contraction, rnd: random.Random) -> list[Contraction]:
    """The same polynomial as two contractions: loop variable ``v`` over ``[0, a)`` and over ``[a, E)``."""
    big = [j for j, v in enumerate(c.variables) if _i(v.extent) >= 2]
    if not big:
        return [c]
    j = rnd.choice(big)
    v = c.variables[j]
    e = _i(v.extent)
    a = rnd.randrange(1, e)
    head = replace(c, variables=tuple(replace(u, extent=sympy.Integer(a)) if u is v else u for u in c.variables))
    sub = {v.name: Affine.var(v.name) + a}
    tail = replace(
        c,
        variables=tuple(replace(u, extent=sympy.Integer(e - a)) if u is v else u for u in c.variables),
        result_index=tuple(x.substitute(sub) for x in c.result_index),
        factors=tuple(replace(f, index=tuple(x.substitute(sub) for x in f.index)) for f in c.factors),
    )
    return [head, tail]


def _permute_loops(c: Contraction, rnd: random.Random) -> Contraction:
    vs = list(c.variables)
    rnd.shuffle(vs)
    return replace(c, variables=tuple(vs))


def mutate(side, world, rnd: random.Random):
    """A near miss or a true rewriting of ``side``: (new side, kind)."""
    shapes, _ = world
    kind = rnd.choice(
        ["offset"] * 3 + ["coef", "dup", "swap", "box"] * 2 + ["reverse", "permute", "split", "cancel", "drop"]
    )
    side = list(side)
    i = rnd.randrange(len(side))
    coef, c = side[i]
    if kind == "offset":
        side[i] = (coef, _offset(c, rnd))
    elif kind == "coef":
        side[i] = (coef + rnd.choice([-1, 1]), c)
    elif kind == "dup":
        side.append((coef, c))
    elif kind == "swap":
        s = _swap(c, shapes)
        if s is None:
            return side, "same"
        side[i] = (coef, s)
    elif kind == "reverse":
        side[i] = (coef, _reverse(c, rnd.randrange(len(c.variables))))
    elif kind == "box":
        parts = _split_box(c, rnd)
        side[i : i + 1] = [(coef, part) for part in parts]
    elif kind == "permute":
        side[i] = (coef, _permute_loops(c, rnd))
    elif kind == "split":
        side[i] = (coef - 1, c)
        side.insert(0, (1, _reverse(c, 0)))
    elif kind == "cancel":
        other = side[rnd.randrange(len(side))][1]
        side += [(2, other), (-2, _permute_loops(other, rnd))]
    elif kind == "drop" and len(side) > 1:
        side.pop(i)
    rnd.shuffle(side)
    return side, kind


@st.composite
def pairs(draw, boundaries=False):
    world = draw(worlds())
    n = draw(st.integers(1, 3))
    lhs = [(draw(st.sampled_from([1, 1, -1, 2, 3])), draw(contractions(world, boundaries))) for _ in range(n)]
    rnd = random.Random(draw(st.integers(0, 2**32)))
    rhs, _ = mutate(lhs, world, rnd)
    if draw(st.booleans()):
        rhs, _ = mutate(rhs, world, rnd)
    return world, lhs, rhs


def _dense(lhs, rhs):
    try:
        space = _validate("t", lhs, rhs, None)[1]
    except _ShapeMismatchError:
        return False
    res = dense_equal(lhs, rhs, space)
    return None if res is None else res[0]


def _verdicts(lhs, rhs, structure=None):
    truth = oracle(lhs, structure) == oracle(rhs, structure)
    e = check_exact(lhs, rhs, structure=structure)
    assert e.holds is truth, (truth, e)
    assert (e.counterexample is None) is truth
    r = check_randomized(lhs, rhs, trials=2, structure=structure)
    assert r.holds is truth, (truth, r)  # a true identity always passes; a false one fails w.p. ≥ 1 − (3/p)^2
    return truth


# -- random near misses against the oracle ------------------------------------------------------


@settings(max_examples=250, deadline=None)
@given(pairs())
def test_near_misses_dense_and_engines_agree_with_the_oracle(case):
    _, lhs, rhs = case
    truth = _verdicts(lhs, rhs)
    d = _dense(lhs, rhs)
    assert d is None or d is truth


@settings(max_examples=120, deadline=None)
@given(pairs(boundaries=True))
def test_near_misses_with_folds_and_conjugates(case):
    _, lhs, rhs = case
    _verdicts(lhs, rhs)


@settings(max_examples=80, deadline=None)
@given(pairs(), st.integers(1, 5))
def test_small_blocks_of_both_canonical_forms(case, cells):
    _, lhs, rhs = case
    truth = oracle(lhs) == oracle(rhs)
    old = dense_mod.BLOCK_CELLS
    dense_mod.BLOCK_CELLS = cells  # blocks of a few cells: every block boundary is crossed
    try:
        d = _dense(lhs, rhs)
    finally:
        dense_mod.BLOCK_CELLS = old
    assert d is None or d is truth
    assert check_exact(lhs, rhs, block=cells).holds is truth


@settings(max_examples=80, deadline=None)
@given(pairs(), st.integers(0, 2**32))
def test_structure_hypotheses_against_the_oracle(case, seed):
    world, lhs, rhs = case
    shapes, _ = world
    rng = np.random.default_rng(seed)
    used = sorted({o.name for _, c in (*lhs, *rhs) for o in c.operands})
    name = used[seed % len(used)]
    # a random labelling of one operand: shared labels (a symmetry), signs, structural zeros
    lab = rng.integers(-3, 4, size=shapes[name])
    _verdicts(lhs, rhs, structure={name: lab})


# -- the evaluators at a point, against the oracle ------------------------------------------------

# (p-1)^2 just above 2^52: one product per exact float64 sum; just below 2^53.5: BLAS declines
PRIMES = [131, 1_048_573, 67_108_879, 94_906_249, 94_906_297, 2_147_483_647]


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_evaluators_agree_with_the_oracle_modulo_p(data):
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
    expect = np.array([want.get(i, 0) for i in range(rsize)], dtype=np.int64)
    vals = [values[f.operand] for f in c.factors]
    old = blas_mod.CHUNK_ELEMENTS
    for chunk in (old, 2):
        blas_mod.CHUNK_ELEMENTS = chunk
        blas_mod._plan.cache_clear()
        try:
            got = blas_evaluate(c, vals, rsize, p)
        finally:
            blas_mod.CHUNK_ELEMENTS = old
            blas_mod._plan.cache_clear()
        if got is not None:
            assert got[0].tolist() == expect.tolist(), (p, chunk)
    got = _strided_evaluate(c, vals, rsize, p)
    if got is not None:
        assert got[0].tolist() == expect.tolist(), p


# -- hand-made cases ----------------------------------------------------------------------------


def _corr(n=6, k=3, **kw):
    return forward(ConvSpec(input_size=(n,), kernel_size=(k,), **kw))[0]


def _square_pair(n=3):
    """Contractions over i, j < n of two n×n operands ``a``, ``b`` to a scalar."""
    i, j = Affine.var("i"), Affine.var("j")
    ops = (Operand("a", (sympy.Integer(n),) * 2), Operand("b", (sympy.Integer(n),) * 2))
    box = (Var("i", sympy.Integer(n)), Var("j", sympy.Integer(n)))

    def c(fa, fb):
        return Contraction("t", Operand("y", ()), (), box, (fa, fb), ops)

    trace_ab = c(Factor("a", (i, j)), Factor("b", (j, i)))
    trace_ba = c(Factor("b", (i, j)), Factor("a", (j, i)))
    frobenius = c(Factor("a", (i, j)), Factor("b", (i, j)))
    return trace_ab, trace_ba, frobenius


def test_blas_pairs_the_contracted_variables_of_both_factors_in_one_order():
    """Regression: each factor's contracted axes were sorted by ITS OWN strides, so the matmul paired
    a[i,j] with b[i,j] where the formula says b[j,i]: tr(AB) = ⟨A, B⟩ "held" at random points."""
    trace_ab, trace_ba, frobenius = _square_pair()
    a, b = np.arange(9).reshape(3, 3), np.arange(9, 18).reshape(3, 3)
    got = blas_evaluate(trace_ab, [a, b], 1, 131)
    assert got is not None and int(got[0][0]) == int(np.trace(a @ b)) % 131
    assert oracle([(1, trace_ab)]) != oracle([(1, frobenius)])
    for engine in (check_exact, check_randomized):
        assert not engine([(1, trace_ab)], [(1, frobenius)]).holds
        assert engine([(1, trace_ab)], [(1, trace_ba)]).holds


def test_conjugated_factor_is_not_the_plain_one():
    """conj(w) is its own variable (complex inputs): correlate(x, conj w) ≠ correlate(x, w)."""
    plain, conj = _corr(), _corr(conjugate_kernel=True)
    assert oracle([(1, plain)]) != oracle([(1, conj)])
    for engine in (check_exact, check_randomized):
        assert not engine([(1, plain)], [(1, conj)]).holds
        assert engine([(1, conj)], [(1, conj)]).holds
        assert engine([(2, conj)], [(1, conj), (1, conj)]).holds
        assert not engine([(1, conj), (1, plain)], [(2, plain)]).holds
        # a real symmetric kernel under the structure hypothesis: still conj(w) ≠ w, and conj keeps the symmetry
        sym = {"w": np.array([1, 2, 1])}
        assert engine([(1, conj)], [(1, _corr(conjugate_kernel=True, flip=True))], structure=sym).holds
        assert not engine([(1, conj)], [(1, _corr(flip=True))], structure=sym).holds
    e = check_exact([(1, conj)], [(2, conj)])
    assert "conj(w)[0]*x[0] is 1 on the left, 2 on the right" in (e.counterexample or "")


# -- the theorem route: the engines' verdict is the Iverson expansion's verdict ---------------------


def _theorem_cases():
    from test_theorems import FALSE, GENERAL

    return [(n, p, None) for n, p in GENERAL] + list(FALSE)


def test_engine_route_verdict_is_the_iverson_expansion_verdict():
    """Every theorem and false variant: at small sizes, check_exact / check_randomized on the recipe's
    contractions say what the exact expansion of the statement's Iverson sums says (a recipe that dropped or
    simplified a side would make a false variant pass, or a true theorem fail)."""
    from symconv.proofs._contract import engine_sides
    from symconv.proofs._evaluate import random_sizes
    from symconv.proofs._instances import _instance_part
    from symconv.proofs._theorem import Theorem

    rng = np.random.default_rng(11)
    refuted = 0
    for name, params, variant in _theorem_cases():
        plan = Theorem(name, dict(params), variant).plan()
        for part, _ in plan.parts:
            recipe = plan.recipes.get(part.title)
            if recipe is None:
                continue
            for _ in range(2):
                sizes = random_sizes(part.ctx, rng, max_size=3)
                if engine_sides(recipe, part.ctx, sizes) is None:
                    continue
                want = _instance_part(part, sizes, "instance", 1, 0, None)[0]
                for method in ("instance", "randomized"):
                    got, _, extra = _instance_part(part, sizes, method, 2, 0, recipe)
                    assert "coefficient engine" in extra["engine"]
                    assert got is want, (name, params, variant, part.title, sizes, method)
                refuted += not want
    assert refuted >= 10  # the false variants really are refuted at small sizes


def test_malformed_reads_are_refused_not_misread():
    """A factor named like the result (shape looked up as the result's), an undeclared operand, or an index
    with too few axes (zipped away) would read another array: refused, by both engines."""
    from symconv import SymconvError

    i = Affine.var("i")
    one, three = (sympy.Integer(1),), (sympy.Integer(3),)

    def c(result="y", operand="a", index=(i,), declared=("a", three)):
        return Contraction(
            "t",
            Operand(result, one),
            (Affine.constant(0),),
            (Var("i", sympy.Integer(3)),),
            (Factor(operand, index),),
            (Operand(*declared),),
        )

    good = c()
    for bad, what in (
        (c(result="a"), "the name of its result"),
        (c(operand="b"), "not one of its operands"),
        (c(index=(i, i)), "with 2 indices"),
        (replace(good, result_index=()), "one entry per result axis"),
    ):
        for engine in (check_exact, check_randomized):
            with pytest.raises(SymconvError, match=what):
                engine([(1, bad)], [(1, good)])


def test_randomized_refuses_coefficients_that_may_be_multiples_of_the_prime():
    """Regression: a coefficient ≡ 0 (mod p) makes a false identity vanish at EVERY point mod p, yet "held"
    with error bound (2/p)^8. Now refused unless every coefficient of the difference is provably below p."""
    from symconv import SymconvError
    from symconv.engines.instance import DEFAULT_PRIME

    c = _corr(5, 2)
    assert oracle([(DEFAULT_PRIME + 1, c)]) != oracle([(1, c)])
    assert not check_exact([(DEFAULT_PRIME + 1, c)], [(1, c)]).holds
    with pytest.raises(SymconvError, match="larger `prime`"):
        check_randomized([(DEFAULT_PRIME + 1, c)], [(1, c)])
    assert not check_randomized([(DEFAULT_PRIME + 1, c)], [(1, c)], prime=2_147_483_647).holds
    # a multiplicity of p: a loop variable that no index reads, p = 131 values of it
    m = replace(c, variables=(*c.variables, Var("extra", sympy.Integer(131))))
    with pytest.raises(SymconvError, match="may reach 131"):
        check_randomized([(1, m)], [], prime=131)
    assert not check_randomized([(1, m)], [], prime=137).holds


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_multiplicity_bounds_every_coefficient(data):
    from symconv.engines.randomized import _multiplicity

    world = data.draw(worlds())
    c = data.draw(contractions(world, boundaries=True))
    shapes, _ = world
    structure = None
    if data.draw(st.booleans()):
        name = c.operands[0].name
        structure = {name: np.random.default_rng(data.draw(st.integers(0, 99))).integers(-2, 3, size=shapes[name])}
    space = _validate("t", [(1, c)], [], structure)[1]
    poly = oracle([(1, c)], structure)
    assert max((abs(v) for v in poly.values()), default=0) <= _multiplicity(c, space)


def test_zero_sized_operands():
    """Regression: a key axis of length 0 divided by zero in the dense path. No term is in range: both zero."""
    i, j = Affine.var("i"), Affine.var("j")
    n = sympy.Integer

    def c(na, ni=2):
        return Contraction(
            "t",
            Operand("y", (n(ni),)),
            (i,),
            (Var("i", n(2)), Var("j", n(3))),
            (Factor("a", (i + j,)), Factor("b", (j,))),
            (Operand("a", (n(na),)), Operand("b", (n(3),))),
        )

    for engine in (check_exact, check_randomized):
        assert engine([(1, c(0))], [(2, c(0))]).holds
        assert engine([(1, c(0, 0))], [(2, c(0, 0))]).holds
        assert not engine([(1, c(4))], [(2, c(4))]).holds


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 2),
    st.integers(0, 2**32),
    st.sampled_from(["true", "offset", "coef", "dup", "flip", "op", "channels"]),
)
def test_conv_backprop_near_misses(nd, seed, kind):
    """∂L/∂x of a strided, dilated, padded, grouped correlation = the transposed convolution with the
    right output_padding — and every near miss of it is refused (dense tables at realistic layouts)."""
    from symconv.core.formula import transpose
    from symconv.gradients.grad import grad_contraction, permute_operand, rename_operands

    rnd = random.Random(seed)
    k = tuple(rnd.randint(1, 3) for _ in range(nd))
    s = tuple(rnd.randint(1, 2) for _ in range(nd))
    d = tuple(rnd.randint(1, 2) for _ in range(nd))
    lo = tuple(rnd.randint(0, 1) for _ in range(nd))
    hi = tuple(rnd.randint(0, 1) for _ in range(nd))
    n = tuple(d[i] * (k[i] - 1) + 1 + rnd.randint(0, 3) for i in range(nd))
    groups = rnd.choice([1, 2])
    ch = (groups * rnd.randint(1, 2), groups * rnd.randint(1, 2))
    spec = ConvSpec(
        input_size=n, kernel_size=k, stride=s, dilation=d, pad_lo=lo, pad_hi=hi, batch=1, channels=ch, groups=groups
    )
    gx = grad_contraction(forward(spec)[0], "x")
    out = tuple((n[i] + lo[i] + hi[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(nd))
    op = [(n[i] + lo[i] + hi[i] - d[i] * (k[i] - 1) - 1) % s[i] for i in range(nd)]
    tspec = replace(spec, input_size=out)
    if kind == "flip":
        tspec = replace(tspec, flip=True)
    if kind == "op" and s[0] > 1:
        op[0] = (op[0] + 1) % s[0]
    tc = rename_operands(transpose(tspec, output_padding=op)[0], {"x": "g"})
    if kind == "channels" and ch[0] == ch[1] and groups == 1:
        tc = permute_operand(tc, "w", (1, 0, *range(2, 2 + nd)))
    rhs = [(1, tc)]
    if kind == "offset":
        rhs = [(1, _offset(tc, rnd))]
    elif kind == "coef":
        rhs = [(2, tc)]
    elif kind == "dup":
        rhs = [(1, tc), (1, _offset(tc, rnd))]
    # arrays of two shapes are different claims even where the extra entries are zero
    truth = gx.result.shape == tc.result.shape and oracle([(1, gx)]) == oracle(rhs)
    if kind == "true" or (kind == "coef" and oracle([(1, tc)])):  # the theorem holds; twice its right side not
        assert truth is (kind == "true"), spec
    assert check_exact([(1, gx)], rhs).holds is truth
    assert check_randomized([(1, gx)], rhs, trials=2).holds is truth
    for cells in (dense_mod.BLOCK_CELLS, 7):  # and in blocks of 7 cells: block boundaries inside every axis
        old = dense_mod.BLOCK_CELLS
        dense_mod.BLOCK_CELLS = cells
        try:
            d_ = _dense([(1, gx)], rhs)
        finally:
            dense_mod.BLOCK_CELLS = old
        assert d_ is None or d_ is truth
