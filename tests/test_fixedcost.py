"""Fixed costs around the engines (issues 10 and 11): what an instance check does once, and what per size.

Structural, never timed: a plan is built once per theorem and parameters;
at a new size no sympy substitution runs (size parameters are fixed by the
cached integer evaluators of ``symconv.core.fastsubs``), and those evaluators
agree with sympy's own substitution (the independent oracle).
"""

from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symconv.core.fastsubs as fastsubs
from symconv.core.fastsubs import subs, value
from symconv.proofs import _registry as registry
from symconv.proofs import theorem, theorems
from symconv.proofs._registry import build_plan, shared_plan
from symconv.proofs._theorem import _derived

N, K, S, D = sympy.symbols("N K s d", integer=True, positive=True)
SYMS = (N, K, S, D)


# -- the evaluators against sympy's substitution ----------------------------------------


def _exprs() -> st.SearchStrategy[sympy.Expr]:
    leaves = st.one_of(st.sampled_from(SYMS), st.integers(-7, 7).map(sympy.Integer))

    def extend(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
        pair = st.tuples(children, children)
        return st.one_of(
            pair.map(lambda p: p[0] + p[1]),
            pair.map(lambda p: p[0] * p[1]),
            pair.map(lambda p: p[0] - 2 * p[1]),
            st.tuples(children, st.sampled_from(SYMS)).map(lambda p: sympy.floor(p[0] / p[1])),
            st.tuples(children, st.sampled_from(SYMS)).map(lambda p: sympy.Mod(p[0], p[1])),
            st.tuples(children, st.sampled_from(SYMS)).map(lambda p: sympy.ceiling(p[0] / (p[1] + 1))),
            pair.map(lambda p: sympy.Max(p[0], p[1])),
            pair.map(lambda p: sympy.Min(p[0], p[1])),
            children.map(lambda c: sympy.Abs(c - 3)),
            children.map(lambda c: c**2),
            children.map(lambda c: c / 2),
        )

    return st.recursive(leaves, extend, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(_exprs(), st.lists(st.integers(1, 40), min_size=4, max_size=4), st.integers(0, 4))
def test_evaluators_agree_with_sympy_substitution(e, vals, drop):
    sizes = dict(zip(SYMS, vals))
    if drop < 4:  # sometimes a parameter has no value: a partial substitution, done by sympy
        sizes.pop(SYMS[drop])
    want = e.subs(sizes)
    assert subs(e, sizes) == want
    assert value(e, sizes) == (int(want) if want.is_Integer else None)


def test_evaluators_are_exact_at_any_size():
    e = sympy.floor((N + 2 * S - D * (K - 1) - 1) / S) + 1
    big = {N: 10**40 + 7, K: 3, S: 10**20, D: 10**19}
    assert value(e, big) == int(e.subs(big))
    assert value(N / 2, {N: 3}) is None and subs(N / 2, {N: 3}) == sympy.Rational(3, 2)


# -- plans once per parameter set, no sympy per size -----------------------------------------


def test_a_plan_is_built_once_per_parameter_set(monkeypatch):
    built: list[str] = []
    real = registry.build_plan

    def counting(name, params, variant):
        built.append(name)
        return real(name, params, variant)

    monkeypatch.setattr(registry, "_SHARED", type(registry._SHARED)())
    monkeypatch.setattr(registry, "build_plan", counting)
    th = theorem("correlate_grad_input_is_full_convolution", ndim=2, in_channels=2, out_channels=3)
    for n in (7, 8, 9):
        p = th.prove("instance", input_size=[n, n + 1], kernel_size=[3, 2])
        assert p.holds
    th.prove("randomized", input_size=[9, 9], kernel_size=[2, 2])
    th.variant("no_flip").prove("instance", input_size=[6, 7], kernel_size=[3, 2])
    th.variant("no_flip").prove("instance", input_size=[7, 6], kernel_size=[2, 3])
    # one plan for the theorem, one for the variant (its comparison with the theorem reuses the first)
    assert built == ["correlate_grad_input_is_full_convolution"] * 2


def test_no_sympy_substitution_at_a_new_size(monkeypatch):
    th = theorem("conv_grad_input_is_transposed_conv", ndim=2, in_channels=3, out_channels=3, stride=2)
    first = th.prove("instance", input_size=[13, 15], kernel_size=[3, 3])
    assert first.holds

    def forbidden(self, *args, **kwargs):
        raise AssertionError(f"sympy substitution on the per-size path: {self!r}")

    monkeypatch.setattr(sympy.Basic, "subs", forbidden)
    for size in ([63, 65], [33, 41], [9, 11]):
        p = th.prove("instance", input_size=size, kernel_size=[5, 5])
        assert p.holds and p.engine == "coefficient engine (check_exact)"
    bad = th.variant("no_stride").prove("instance", input_size=[21, 23], kernel_size=[3, 3])
    assert bad.status == "refuted"


def test_shared_plans_give_the_same_certificates():
    """The instance results through the shared plan equal those of a plan built afresh (the old route)."""
    for name, _ in theorems():
        fresh = build_plan(name, {}, None)
        shared = shared_plan(name, {}, None)
        assert fresh.statement == shared.statement and fresh.not_covered == shared.not_covered
        assert [p.title for p, _ in fresh.parts] == [p.title for p, _ in shared.parts]
    th = theorem("convolve_equals_correlate_iff_centrosymmetric", ndim=2)
    a, b = th.prove("instance").to_dict(), th.prove("instance").to_dict()
    a.pop("seconds", None), b.pop("seconds", None)
    assert a == b and a["status"] == "proved"


def test_concrete_contractions_equal_sympys(monkeypatch):
    """Every library recipe, fixed at its derived generic sizes: the evaluators' contraction is sympy's."""
    fast = []
    for name, _ in theorems():
        plan = shared_plan(name, {"ndim": 2} if "ndim" in registry.parameters(name) else {}, None)
        for part, _ in plan.parts:
            recipe = plan.recipes.get(part.title)
            if recipe is None:
                continue
            for sz in _derived(plan, part, 2):
                for r in (*recipe.lhs, *recipe.rhs):
                    fast.append((r, sz, r.c.subs(sz), tuple(a.subs(sz) for a in r.at)))
    assert len(fast) > 20
    monkeypatch.setattr(fastsubs, "evaluator", lambda e: None)  # every value through sympy's subs
    for r, sz, got, at in fast:
        assert got == r.c.subs(sz) and got.is_concrete()
        assert at == tuple(a.subs(sz) for a in r.at)


def test_a_subclass_that_builds_its_own_plan_is_heard():
    """Sharing plans must not bypass an overridden ``plan()`` (the adversarial suite's mutants are such)."""
    from dataclasses import replace

    from symconv.proofs._theorem import Theorem

    class Doubled(Theorem):
        def plan(self):
            plan = super().plan()
            title = plan.parts[0][0].title
            recipe = plan.recipes[title]
            wrong = replace(recipe, rhs=tuple(replace(r, coef=2 * r.coef) for r in recipe.rhs))
            return replace(plan, recipes={**plan.recipes, title: wrong})

    name = "correlate_grad_input_is_full_convolution"
    assert Theorem(name, {}).prove("instance", input_size=[7], kernel_size=[3]).holds
    assert not Doubled(name, {}).prove("instance", input_size=[7], kernel_size=[3]).holds
    assert not Doubled(name, {}).prove("instance").holds
