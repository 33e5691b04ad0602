"""The checker's second round of hardening: each test here FAILED on the code before its fix.

1. the checker re-runs every part's claim at sizes IT derives (generic sizes from the assumptions), not only at
   the certificate's (a forger picks K = 1, where a false claim happens to hold);
2. the exact instance check unfolds definitions itself (never through the ``definition`` rule the proof uses);
3. the exact instance check reduces modulo EVERY hypothesis (orbits of the group the mirrors generate);
4. ``swap_sums`` accepts a finite sum whose bounds are implied, not written (``0 ≤ i ≤ j < N``).

5. attacks of this round: a library theorem's name written with look-alike characters passed as a hand-made
   certificate (its statement text unchecked); a hypothesis used outside its domain (the replay's random arrays
   and the old reduction were symmetric everywhere); a hypothesis sign other than ±1 (mis-reduced).

A broken rule is simulated by monkeypatching: the defence under test must catch it on its own.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest
import sympy

from symconv import Certificate
from symconv.core.affine import Affine, as_expr
from symconv.proofs import CheckReport, Proof
from symconv.proofs._instances import _instance_part
from symconv.proofs._iverson import Constraint, Context, Expr, Hypothesis, Side, Sum, Term
from symconv.proofs._parts import Part, Step
from symconv.proofs._rules import RULES, Condition, RuleError, definition, equal, swap_sums
from symconv.proofs._serial import param_symbol

N, K = param_symbol("N"), param_symbol("K")
k, i, j, u, a, b = (Affine.var(x) for x in ("k", "i", "j", "u", "a", "b"))


def _range(x: Affine, lo: Any, hi: Any) -> tuple[Constraint, Constraint]:
    return Constraint.le(lo, x), Constraint.lt(x, hi)


def _by_rule(name: str, before: Side, ctx: Context, **args: Any) -> Step:
    after, conds = RULES[name](before, ctx, **args)
    return Step(name, args, before, after, "lhs", conds)


def _certificate(parts: Sequence[Part], sizes: Sequence[Mapping[str, int]]) -> dict[str, Any]:
    proof = Proof("hand-made", "a hand-made claim", {}, "general", "proved", parts=list(parts))
    data = json.loads(proof.certificate.to_json())
    data["instance_checks"] = [
        {"part": p.title, "sizes": dict(sz), "method": "instance", "holds": True} for p in parts for sz in sizes
    ]
    return data


def _check(data: dict[str, Any]) -> CheckReport:
    return Certificate.from_json(json.dumps(data, ensure_ascii=False)).check()


# == 1. the checker's own sizes =====================================================================


def _flip_claim(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Σ_k w[k]·x[k] = Σ_k w[K−1−k]·x[k]: FALSE for K ≥ 2, true at K = 1 (the forger's instance size).

    "Proved" through a broken closing rule whose step the replay's random sizes miss (both simulated)."""
    ctx = Context((K,), (), ())
    lhs = Expr.of(Sum(("k",), _range(k, 0, K), (Term("w", (k,)), Term("x", (k,)))))
    rhs = Expr.of(Sum(("k",), _range(k, 0, K), (Term("w", (K - 1 - k,)), Term("x", (k,)))))

    def broken_equal(before: Side, ctx: Context, *, claim: Side) -> tuple[Side, tuple[Condition, ...]]:
        return claim, (Condition("guards of sum 0 equivalent", "proved"),)

    monkeypatch.setitem(RULES, "equal", broken_equal)
    monkeypatch.setattr("symconv.proofs._replay._numeric", lambda *args, **kw: "")
    part = Part("flip", ctx, lhs, rhs, "=", [_by_rule("equal", lhs, ctx, claim=rhs)])
    return _certificate([part], [{"K": 1}])


def test_a_claim_false_at_the_checkers_own_sizes_is_refused(monkeypatch):
    data = _flip_claim(monkeypatch)
    r = _check(data)
    assert not r.ok and r.status == "failed", r
    assert "at the checker's own sizes (K=2)" in r.message and "the claim FAILS there" in r.message, r.message


def test_the_checkers_own_sizes_pass_a_true_claim_and_are_counted():
    ctx = Context((K,), (), ())
    lhs = Expr.of(Sum(("k",), _range(k, 0, K), (Term("w", (k,)), Term("x", (k,)))))
    part = Part("same", ctx, lhs, lhs, "=", [_by_rule("equal", lhs, ctx, claim=lhs)])
    r = _check(_certificate([part], [{"K": 1}]))
    assert r.ok, r.message
    assert "2 exact instance check(s) re-run" in r.message  # K = 1 (stored) and K = 2 (the checker's)
    r = _check(_certificate([part], [{"K": 2}]))  # stored at the checker's sizes: not run twice
    assert r.ok and "1 exact instance check(s) re-run" in r.message, r.message


# == 2. an unfolding of its own ===================================================================


def _conjugated_read(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Σ_k conj(f[k])·x[k] with f := w, "=" Σ_k w[k]·x[k]: FALSE for complex w; integer test arrays cannot tell.

    The ``definition`` rule is broken (monkeypatched: it drops the conjugation, the bug of the first round):
    the replay re-runs the same broken rule, and its random integer arrays cannot see a conjugation."""
    real = definition

    def broken(before: Side, ctx: Context, **args: Any) -> tuple[Side, tuple[Condition, ...]]:
        after, conds = real(before, ctx, **args)
        assert isinstance(after, Expr)
        plain = [
            Sum(s.variables, s.guard, tuple(Term(t.operand, t.index) for t in s.factors), s.coeff) for s in after.sums
        ]
        return Expr(tuple(plain)), conds

    monkeypatch.setitem(RULES, "definition", broken)
    ctx = Context((N,), (), ())
    body = Sum((), (), (Term("w", (i,)),))
    lhs = Expr.of(Sum(("k",), _range(k, 0, N), (Term("f", (k,), True), Term("x", (k,)))))
    first = _by_rule("definition", lhs, ctx, sum=0, factor=0, body=body, at=["i"])
    rhs = first.after
    part = Part("conjugated", ctx, lhs, rhs, "=", [first, _by_rule("equal", rhs, ctx, claim=rhs)])
    part.definitions = (("f", body, ("i",)),)
    return _certificate([part], [{"N": 2}, {"N": 3}])


def test_a_broken_definition_rule_is_caught_by_the_instance_check(monkeypatch):
    data = _conjugated_read(monkeypatch)
    r = _check(data)
    assert not r.ok and r.status == "failed", r
    assert "instance check 1" in r.message and "holds=False" in r.message, r.message
    assert "x*" not in r.message or "w*" in r.message  # the conjugated entry is what differs


def test_the_independent_unfolding_agrees_with_the_rule_on_a_shifted_conjugating_body():
    """f[i] := Σ_q [0 ≤ q < 2] conj(a[q])·b[i + q]: the check's unfolding and the rule's give one polynomial."""
    from symconv.proofs._evaluate import monomials
    from symconv.proofs._instances import _unfold
    from symconv.proofs._unfold import unfolded_monomials

    q = Affine.var("q")
    body = Sum(("q",), _range(q, 0, 2), (Term("a", (q,), True), Term("b", (i + q,))))
    ctx = Context((N,), (), ())
    lhs = Expr.of(
        Sum(("k",), _range(k, 0, N), (Term("f", (k,), True), Term("x", (k,)))),
        Sum(("k",), _range(k, 0, N), (Term("f", (N - 1 - k,)), Term("x", (k,))), -2),
    )
    part = Part("p", ctx, lhs, lhs, "=", [], (), (("f", body, ("i",)),))
    for n in (1, 2, 3):
        sizes = {N: n}
        by_rule = monomials(_unfold(lhs, part), ctx, sizes)
        assert unfolded_monomials(lhs, ctx, sizes, part.definitions) == by_rule


# == 3. every hypothesis ==============================================================================


def _invariant(shape: tuple[int, ...], hyps: Sequence[tuple[Any, int]], rng: np.random.Generator) -> np.ndarray:
    """A random integer array satisfying every ``(map, sign)``: w[p] = sign·w[map(p)] (plain null space)."""
    points = list(itertools.product(*map(range, shape)))
    col = {p: n for n, p in enumerate(points)}
    rows = []
    for fn, sign in hyps:
        for p in points:
            r = [0] * len(points)
            r[col[p]] += 1
            r[col[fn(p)]] -= sign
            rows.append(r)
    basis = sympy.Matrix(rows).nullspace() if rows else [sympy.eye(len(points))[:, n] for n in range(len(points))]
    out = sympy.zeros(len(points), 1)
    for v in basis:
        out += int(rng.integers(-50, 51)) * v * sympy.ilcm(1, *[sympy.fraction(x)[1] for x in v])
    return np.array([int(out[col[p]]) for p in points], dtype=object).reshape(shape)


def _oracle(claim: Any, shapes: Mapping[str, tuple[int, ...]], hyps: Mapping[str, Sequence[tuple[Any, int]]]) -> bool:
    rng = np.random.default_rng(7)
    for _ in range(4):
        arrs = {op: _invariant(s, hyps.get(op, ()), rng) for op, s in shapes.items()}
        lhs, rhs = claim(arrs)
        if lhs != rhs:
            return False
    return True


K3 = 3
_T = Hypothesis("transpose", ("a", "b"), (*_range(a, 0, K), *_range(b, 0, K)), "w", (a, b), (b, a), 1)
_F = Hypothesis("flip", ("a", "b"), (*_range(a, 0, K), *_range(b, 0, K)), "w", (a, b), (K - 1 - a, b), 1)
_T_MAP = (lambda p: (p[1], p[0]), 1)
_F_MAP = (lambda p: (K3 - 1 - p[0], p[1]), 1)
_BOX = (*_range(a, 0, K), *_range(b, 0, K))
_RHS2: dict[str, tuple[Any, Any]] = {  # Σ_{a,b} w[·]·x[a,b] against Σ w[a,b]·x[a,b]
    "transposed": ((b, a), lambda w, p, q: w[q, p]),
    "turned": ((K - 1 - b, a), lambda w, p, q: w[K3 - 1 - q, p]),
    "flipped columns": ((a, K - 1 - b), lambda w, p, q: w[p, K3 - 1 - q]),
    "turned twice": ((K - 1 - a, K - 1 - b), lambda w, p, q: w[K3 - 1 - p, K3 - 1 - q]),
}


@pytest.mark.parametrize("which", list(_RHS2))
@pytest.mark.parametrize("hyps", [("T",), ("F",), ("T", "F"), ("F", "T")])
def test_two_hypotheses_on_one_operand_against_a_plain_oracle(which, hyps):
    index, read = _RHS2[which]
    table = {"T": (_T, _T_MAP), "F": (_F, _F_MAP)}
    ctx = Context((K,), (), (), tuple(table[h][0] for h in hyps))
    lhs = Expr.of(Sum(("a", "b"), _BOX, (Term("w", (a, b)), Term("x", (a, b)))))
    rhs = Expr.of(Sum(("a", "b"), _BOX, (Term("w", index), Term("x", (a, b)))))
    ok, msg, _ = _instance_part(Part("p", ctx, lhs, rhs, "="), {K: K3}, "instance", 1, 0)

    def claim(arr: Mapping[str, np.ndarray]) -> tuple[int, int]:
        w, x = arr["w"], arr["x"]
        pts = list(itertools.product(range(K3), repeat=2))
        return sum(w[p, q] * x[p, q] for p, q in pts), sum(read(w, p, q) * x[p, q] for p, q in pts)

    want = _oracle(claim, {"w": (K3, K3), "x": (K3, K3)}, {"w": [table[h][1] for h in hyps]})
    assert ok == want, (which, hyps, msg)


_CENTRO_W = Hypothesis("w centro", ("u",), _range(u, 0, K), "w", (u,), (K - 1 - u,), 1)
_ANTI_X = Hypothesis("x anti", ("u",), _range(u, 0, K), "x", (u,), (K - 1 - u,), -1)
_ANTI_W = Hypothesis("w anti", ("u",), _range(u, 0, K), "w", (u,), (K - 1 - u,), -1)
_MAPS = {"w centro": ("w", 1), "x anti": ("x", -1), "w anti": ("w", -1)}


@pytest.mark.parametrize(
    "hyps", [(), (_CENTRO_W,), (_ANTI_X,), (_CENTRO_W, _ANTI_X), (_ANTI_X, _CENTRO_W), (_CENTRO_W, _ANTI_W)]
)
@pytest.mark.parametrize("coeff", [-1, 0, 2])
def test_hypotheses_on_two_operands_and_sign_conflicts_against_a_plain_oracle(hyps, coeff):
    """Σ w[k]·x[k] = coeff·Σ w[k]·x[k]: with w centro-symmetric AND x anti-centro-symmetric both sides are 0; with
    w both centro- and anti-centro-symmetric (a sign conflict in every orbit) w is 0."""
    for size in (3, 4):
        ctx = Context((K,), (), (), hyps)
        s = Sum(("k",), _range(k, 0, K), (Term("w", (k,)), Term("x", (k,))))
        rhs = Expr.of(Sum(s.variables, s.guard, s.factors, coeff)) if coeff else Expr(())
        ok, msg, _ = _instance_part(Part("p", ctx, Expr.of(s), rhs, "="), {K: size}, "instance", 1, 0)
        maps: dict[str, list[tuple[Any, int]]] = {}
        for h in hyps:
            op, sign = _MAPS[h.name]
            maps.setdefault(op, []).append((lambda p, n=size: (n - 1 - p[0],), sign))

        def claim(arr: Mapping[str, np.ndarray], n: int = size) -> tuple[int, int]:
            t = sum(arr["w"][p] * arr["x"][p] for p in range(n))
            return t, coeff * t

        assert ok == _oracle(claim, {"w": (size,), "x": (size,)}, maps), (hyps, coeff, size, msg)


# == 4. swap_sums with implied bounds =================================================================


def test_swap_sums_derives_bounds_the_constraints_imply():
    ctx = Context((N,), (), ())
    tri = Sum(("i", "j"), (Constraint.le(0, i), Constraint.le(i, j), Constraint.lt(j, N)), (Term("x", (i, j)),))
    after, conds = swap_sums(Expr.of(tri), ctx, sum=0, order=["j", "i"])
    assert after.sums[0].variables == ("j", "i") and [c.text for c in conds] == [
        "finite sum: the guard bounds every variable"
    ]
    # through an equality and a chain of three
    chain = (
        Constraint.le(0, i),
        Constraint.eq(j, i + k),
        Constraint.le(k, 2),
        Constraint.le(0, k),
        Constraint.lt(j, N),
    )
    swap_sums(Expr.of(Sum(("i", "j", "k"), chain, (Term("x", (i, j)),))), ctx, sum=0, order=["k", "j", "i"])


@pytest.mark.parametrize(
    "guard",
    [
        (Constraint.le(0, i), Constraint.le(i, j)),  # j unbounded above (and so i)
        (Constraint.le(i, j), Constraint.lt(j, N)),  # i unbounded below (and so j)
        (Constraint.le(0, i), Constraint.le(0, j), Constraint.lt(i + j * 0, N)),  # j unbounded
        (Constraint.le(0, i), Constraint.lt(i, N), Constraint.le(0, j - i), Constraint.le(0, i - j + N)),  # bounded
    ],
)
def test_swap_sums_still_refuses_bounds_that_are_not_implied(guard):
    ctx = Context((N,), (), ())
    s = Expr.of(Sum(("i", "j"), guard, (Term("x", (i, j)),)))
    if len(guard) == 4:  # i ≤ j ≤ i + N with 0 ≤ i < N: finite, accepted
        swap_sums(s, ctx, sum=0, order=["j", "i"])
        return
    with pytest.raises(RuleError, match="must bound every variable"):
        swap_sums(s, ctx, sum=0, order=["j", "i"])
    # and the sum is really infinite: at N = 3 the guard admits points arbitrarily far out
    far = [(p, q) for p in (-(10**6), 0, 10**6) for q in (-(10**6), 0, 10**6)]
    assert any(all(_holds(c, {"i": p, "j": q}, 3) for c in s.sums[0].guard) for p, q in far if (p, q) != (0, 0))


def _holds(c: Constraint, env: Mapping[str, int], n: int) -> bool:
    val = int(as_expr(c.expr.const).subs(N, n)) + sum(int(as_expr(co).subs(N, n)) * env[v] for v, co in c.expr.coeffs)
    return val == 0 if c.op == "==" else val >= 0


def test_the_equal_rule_is_unchanged_by_the_patches():  # the monkeypatches above are undone
    assert RULES["equal"] is equal and RULES["definition"] is definition


# == 5. attacks of this round =======================================================================


@pytest.fixture(scope="module")
def commutes() -> dict[str, Any]:
    from symconv.proofs import theorem

    return json.loads(theorem("full_convolution_commutes").prove().certificate.to_json())


@pytest.mark.parametrize(
    "name",
    [
        "full_convolution_commutes\u200b",  # a zero-width space
        "full_\u0441onvolution_commutes",  # a Cyrillic с
        "full_convolution_c\u03bfmmutes",  # a Greek ο
        "ｆｕｌｌ_convolution_commutes",  # fullwidth letters
        "full_convolution_commute\u0301s",  # a combining accent
        "full_convolution_commutes\u200b [variant correlation]",
    ],
)
def test_a_look_alike_library_name_is_not_a_hand_made_certificate(commutes, name):
    """A hand-made certificate's statement text is its own: under a name that LOOKS like the library's it read as
    the library's theorem with a false statement text ("correlation commutes"), and replayed verified."""
    forged = {**commutes, "theorem": name, "statement": "(a ⋆ b)[m] = (b ⋆ a)[m]: correlation commutes"}
    r = _check(forged)
    assert not r.ok and "spelled unlike the library's theorem (a look-alike name)" in r.message, r.message
    assert "\\u" in r.message or name.isascii() or "ｆ" in name  # the escapes show what the eye does not


def test_an_honest_hand_made_name_is_still_hand_made(commutes):
    r = _check({**commutes, "theorem": "my commuting convolution", "statement": "a * b = b * a"})
    assert r.ok and not r.library, r.message


def test_a_hypothesis_is_used_only_on_its_domain_by_the_instance_check():
    """w[0] = w[3] (centro-symmetry assumed at u = 0 only, K = 4) says nothing of w[1] and w[2]: the old reduction
    mirrored every entry (w[2] → w[1]) and found the FALSE w[2]·x[0] = w[1]·x[0] to hold."""
    h = Hypothesis("centro at 0", ("u",), (Constraint.eq(u, 0),), "w", (u,), (K - 1 - u,), 1)
    ctx = Context((K,), (), (), (h,))
    read = {
        n: Expr.of(Sum((), (), (Term("w", (Affine.constant(n),)), Term("x", (Affine.constant(0),))))) for n in range(4)
    }
    for lhs, rhs, want in ((2, 1, False), (0, 3, True), (3, 0, True), (1, 2, False)):
        ok, msg, _ = _instance_part(Part("p", ctx, read[lhs], read[rhs], "="), {K: 4}, "instance", 1, 0)
        assert ok == want, (lhs, rhs, msg)


@pytest.mark.parametrize("sign", [0, 2, -3])
def test_a_hypothesis_sign_other_than_plus_or_minus_one_is_refused(sign):
    """w[u] = 2·w[K−1−u] is no symmetry: the checks reduce entries by ±1 only (it is refused, never mis-reduced)."""
    h = Hypothesis("scaled", ("u",), _range(u, 0, K), "w", (u,), (K - 1 - u,), sign)
    ctx = Context((K,), (), (), (h,))
    lhs = Expr.of(Sum(("k",), _range(k, 0, K), (Term("w", (k,)), Term("x", (k,)))))
    part = Part("scaled", ctx, lhs, lhs, "=", [_by_rule("equal", lhs, ctx, claim=lhs)])
    r = _check(_certificate([part], [{"K": 2}]))
    assert not r.ok and "its sign must be 1 or -1" in r.message, r.message


def test_a_symmetry_used_outside_its_domain_shows_in_the_replay(monkeypatch):
    """centro-symmetry assumed on 5 ≤ u < K (EMPTY at every size the replay draws) and used at every k by a broken
    apply_hypothesis that skips its domain condition: Σ w[k]·x[k] "=" Σ w[K−1−k]·x[k], FALSE. The replay's random
    arrays were symmetric EVERYWHERE (r(i) + r(K−1−i)), so its values agreed; and the old instance check mirrored
    every entry too. Now the arrays satisfy a hypothesis only on its domain."""
    from symconv.proofs._replay import replay

    h = Hypothesis("centro beyond 5", ("u",), (Constraint.le(5, u), Constraint.lt(u, K)), "w", (u,), (K - 1 - u,), 1)
    ctx = Context((K,), (), (), (h,))
    lhs = Expr.of(Sum(("k",), _range(k, 0, K), (Term("w", (k,)), Term("x", (k,)))))
    rhs = Expr.of(Sum(("k",), _range(k, 0, K), (Term("w", (K - 1 - k,)), Term("x", (k,)))))

    def broken(before: Side, ctx: Context, **args: Any) -> tuple[Side, tuple[Condition, ...]]:
        return rhs, (Condition("guard ⇒ domain of centro beyond 5 at w[k]", "proved"),)

    monkeypatch.setitem(RULES, "apply_hypothesis", broken)
    first = _by_rule("apply_hypothesis", lhs, ctx, sum=0, factor=0, hypothesis=h.name)
    part = Part("beyond", ctx, lhs, rhs, "=", [first, _by_rule("equal", rhs, ctx, claim=rhs)])
    r = replay([part], trials=4, seed=0)
    assert not r.ok and "step 1 (apply_hypothesis)" in r.message and "values differ" in r.message, r.message
    r = _check(_certificate([part], [{"K": 1}]))
    assert not r.ok, r.message


def test_a_statement_vacuous_at_every_size_is_refused():
    """(Refused before this round too: kept so the defence stays.)

    K ≥ N + 1 and 0 ≤ m ≤ N − K: no m at any size, so "Σ_{k<N} x[k] = Σ_{k<K} x[k] for every such m" holds
    vacuously — and `equal` proves it (any two guards are equivalent under unsatisfiable assumptions). The stored
    check at N = 1, K = 2 met the parameter-only assumption and compared two empty tables."""
    m = Affine.var("m")
    ctx = Context(
        (N, K), ("m",), (Constraint.le(N + 1, Affine.constant(K)), Constraint.le(0, m), Constraint.le(m, N - K))
    )
    lhs = Expr.of(Sum(("k",), _range(k, 0, N), (Term("x", (k,)),)))
    rhs = Expr.of(Sum(("k",), _range(k, 0, K), (Term("x", (k,)),)))
    part = Part("vacuous", ctx, lhs, rhs, "=", [_by_rule("equal", lhs, ctx, claim=rhs)])
    r = _check(_certificate([part], [{"N": 1, "K": 2}]))
    assert not r.ok and "non-empty domain" in r.message, r.message  # refused all along (the replay's sizes)


@pytest.mark.parametrize("hyps", [("T",), ("F",), ("T", "F")])
def test_the_replays_arrays_satisfy_every_hypothesis_on_its_domain_and_nothing_more(hyps):
    """Plain loops: every entry of the domain obeys every hypothesis; entries outside (here: the 3×3 box is the
    domain, so a read at (3, 0) or (−1, 2)) are the independent pseudo-random values."""
    from symconv.proofs._evaluate import array_values
    from symconv.proofs._unfold import orbit_arrays

    table = {"T": (_T, _T_MAP), "F": (_F, _F_MAP)}
    w = orbit_arrays([table[h][0] for h in hyps], {K: K3}, seed=5)["w"]
    pts = list(itertools.product(range(K3), repeat=2))
    val = {p: int(w([np.array([p[0]]), np.array([p[1]])])[0]) for p in pts}
    for h in hyps:
        fn, sign = table[h][1]
        assert all(val[p] == sign * val[fn(p)] for p in pts), h
    # as many free values as the quotient has orbits: not a constant array
    assert len(set(val.values())) > 1
    for p in ((3, 0), (-1, 2), (0, 7)):
        got = int(w([np.array([p[0]]), np.array([p[1]])])[0])
        assert got == int(array_values("w", 5, [np.array([p[0]]), np.array([p[1]])])[0])
