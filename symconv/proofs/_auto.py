r"""The generic strategy: search for a sequence of named rules that closes a part, with no hand-written script.

The library's theorems each carry a strategy written for them; :func:`auto`
closes a :class:`~symconv.proofs._parts.Part` it was not written for. It
only applies the ordinary rules of :mod:`symconv.proofs._rules` through a
:class:`~symconv.proofs._parts.Deriver`, so the certificate it leaves
replays through the unchanged checker. For an equality ``lhs = rhs``:

1. differentiate under the sum (each side that is a derivative);
2. unfold every array the statement defines (``definition``, e.g. ``flip(w)``
   or an inner convolution), repeatedly;
3. collapse every Kronecker delta with a unit coefficient (``Deriver.sift``),
   pin every variable its guard confines to one value (``pin_variable``: the
   group index of a single group) and collect like terms (``combine_sums``,
   after reindexing a term to read like another where unification allows);
4. try the hypotheses (``apply_hypothesis``: centro-symmetry, …) on no
   factor, then on each factor that reads the hypothesis' array;
5. reindex one side to read its factors like the other (unification), in
   both directions, and close with ``equal`` (z3 decides the guards); with
   several terms, also in the orders of the claim's terms (``reorder_sums``)
   that pair each with a derivation term of its coefficient and summand.

For an "only if" (``lhs = 0`` for every input ⇒ a hypothesis): sift, align
every sum on each operand in turn, ``compare_coefficients`` and
``entails_hypothesis``. The search backtracks: a failed attempt leaves no
step behind. When nothing closes, :class:`AutoError` says what was tried.

>>> from symconv.proofs._registry import build_plan
>>> import symconv.proofs  # the library registers its theorems
>>> part, _ = build_plan("correlate_grad_input_is_full_convolution", {}, None).parts[0]
>>> auto(Deriver(part))
>>> [s.rule for s in part.steps][-1]
'equal'
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from symconv.core.affine import Affine
from symconv.proofs._iverson import GE, Derivative, Expr, Hypothesis, Sum
from symconv.proofs._parts import Deriver
from symconv.proofs._rules import RuleError, unify

__all__ = ["AutoError", "auto"]

_COUNTEREXAMPLES: list[dict[str, int]] = []

#: The most hypothesis applications tried together in one attempt.
MAX_HYPOTHESIS_USES = 2
#: The most orders of the claim's terms tried.
MAX_MATCHINGS = 24
#: Sides with more terms than this are not searched for like terms or term orders (bounded time: both are
#: quadratic in the terms); the plain alignment is still tried.
MAX_TERMS = 128


class AutoError(RuleError):
    """The generic strategy found no rule sequence that closes the part (``tried`` says what it attempted)."""

    def __init__(self, message: str, tried: list[str], counterexample: Any = None) -> None:
        super().__init__(message, counterexample)
        self.tried = list(tried)


def _snapshot(dv: Deriver) -> tuple[int, dict[str, Any]]:
    return len(dv.part.steps), dict(dv.cur)


def _restore(dv: Deriver, snap: tuple[int, dict[str, Any]]) -> None:
    del dv.part.steps[snap[0] :]
    dv.cur = dict(snap[1])


def _attempt(dv: Deriver, fn: Callable[[], None], tried: list[str], label: str) -> bool:
    """Run ``fn``; on a rule failure undo its steps and record why."""
    snap = _snapshot(dv)
    try:
        fn()
        return True
    except RuleError as exc:
        _restore(dv, snap)
        tried.append(f"{label}: {exc}")
        if exc.counterexample:
            _COUNTEREXAMPLES.append(dict(exc.counterexample))
        return False


def _unfold(dv: Deriver, side: str) -> None:
    """Unfold every factor that reads an array the statement defines (nested definitions included)."""
    defs = {name: (body, at) for name, body, at in dv.part.definitions}
    if not defs:
        return
    for _ in range(64):  # definitions are not recursive: each round removes one defined read
        e = dv.cur[side]
        if not isinstance(e, Expr):
            return
        hit = next(((i, j) for i, s in enumerate(e.sums) for j, t in enumerate(s.factors) if t.operand in defs), None)
        if hit is None:
            return
        body, at = defs[e.sums[hit[0]].factors[hit[1]].operand]
        dv.apply("definition", side, sum=hit[0], factor=hit[1], body=body, at=list(at))


def _pin(dv: Deriver, side: str) -> None:
    """Pin every bound variable whose guard bounds it by the same value from below and above (``pin_variable``)."""
    for _ in range(64):
        e = dv.cur[side]
        if not isinstance(e, Expr):
            return
        hit = next(((i, v, val) for i, s in enumerate(e.sums) for v, val in _pinned(s)), None)
        if hit is None:
            return
        dv.apply("pin_variable", side, sum=hit[0], var=hit[1], value=hit[2])


def _pinned(s: Sum) -> Iterator[tuple[str, Affine]]:
    for v in s.variables:
        lows, highs = [], []
        for c in s.guard:
            if c.op != GE:
                continue
            a = c.expr.coeff(v)
            rest = c.expr - Affine.var(v) * a
            if a == 1:
                lows.append(-rest)
            elif a == -1:
                highs.append(rest)
        for lo in lows:
            if lo in highs:
                yield v, lo
                break


def _hypothesis_uses(dv: Deriver) -> Iterator[tuple[tuple[str, int, int, str], ...]]:
    """Sets of hypothesis applications to try: none, then each single one, then pairs."""
    ctx = dv.part.ctx
    sites: list[tuple[str, int, int, str]] = []
    for side in ("lhs", "rhs"):
        e = dv.cur[side]
        if not isinstance(e, Expr):
            continue
        for h in ctx.hypotheses:
            for i, s in enumerate(e.sums):
                sites += [(side, i, j, h.name) for j, t in enumerate(s.factors) if t.operand == h.operand]
    for k in range(min(MAX_HYPOTHESIS_USES, len(sites)) + 1):
        yield from itertools.combinations(sites, k)


def _collect(dv: Deriver, side: str) -> None:
    """Collect like terms of ``side`` (``combine_sums``) until none are left."""
    while True:
        e = dv.cur[side]
        if not isinstance(e, Expr) or len(e.sums) > MAX_TERMS:
            return
        pair = next(
            ((i, j) for i, j in itertools.combinations(range(len(e.sums)), 2) if _like(e.sums[i], e.sums[j])),
            None,
        )
        if pair is None:
            return
        dv.apply("combine_sums", side, first=pair[0], second=pair[1])


def _merge_within(dv: Deriver, side: str) -> None:
    """Reindex a term of ``side`` to read like an earlier one, where unification allows, and collect the two."""
    for _ in range(MAX_TERMS):
        e = dv.cur[side]
        if not isinstance(e, Expr) or not 2 <= len(e.sums) <= MAX_TERMS:
            return
        done = False
        for i, j in itertools.combinations(range(len(e.sums)), 2):
            a, b = e.sums[i], e.sums[j]
            if _like(a, b) or len(a.variables) != len(b.variables) or Counter(a.factors) == Counter(b.factors):
                continue
            m = unify(b, a)
            if m is None:
                continue
            snap = _snapshot(dv)
            try:
                dv.apply("reindex", side, sum=j, mapping=m, variables=list(a.variables))
                if not _like(dv.cur[side].sums[i], dv.cur[side].sums[j]):
                    raise RuleError("not like terms after reindexing")
                dv.apply("combine_sums", side, first=i, second=j)
                done = True
                break
            except RuleError:
                _restore(dv, snap)
        if not done:
            return


def _like(a: Sum, b: Sum) -> bool:
    return a.variables == b.variables and set(a.guard) == set(b.guard) and Counter(a.factors) == Counter(b.factors)


def _matchings(lhs: Expr, rhs: Expr) -> Iterator[tuple[int, ...]]:
    """Orders of the claim's sums that pair each with a derivation sum of its coefficient and shape of summand."""
    cands = [[j for j, t in enumerate(rhs.sums) if t.coeff == s.coeff and unify(t, s) is not None] for s in lhs.sums]
    count = 0

    def walk(i: int, used: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        nonlocal count
        if count > MAX_MATCHINGS:
            return
        if i == len(cands):
            count += 1
            yield used
            return
        for j in cands[i]:
            if j not in used:
                yield from walk(i + 1, (*used, j))

    yield from walk(0, ())


def _close_equal(dv: Deriver, tried: list[str]) -> bool:
    lhs, rhs = dv.cur["lhs"], dv.cur["rhs"]
    if not isinstance(lhs, Expr) or not isinstance(rhs, Expr):
        return False
    if len(lhs.sums) != len(rhs.sums):
        tried.append(f"equal: {len(lhs.sums)} sum(s) against {len(rhs.sums)}")
        return False

    def rhs_to_lhs() -> None:
        dv.align("rhs")
        dv.close()

    def lhs_to_rhs() -> None:
        dv.align("lhs")
        dv.close()

    if _attempt(dv, rhs_to_lhs, tried, "align the claim, equal") or _attempt(
        dv, lhs_to_rhs, tried, "align the derivation, equal"
    ):
        return True
    if not 2 <= len(lhs.sums) <= MAX_TERMS:
        return False
    for order in _matchings(lhs, rhs):
        if list(order) == list(range(len(order))):
            continue

        def reordered(order: tuple[int, ...] = order) -> None:
            dv.apply("reorder_sums", "rhs", order=list(order))
            dv.align("rhs")
            dv.close()

        if _attempt(dv, reordered, tried, f"reorder the claim's terms as {list(order)}, align, equal"):
            return True
    return False


def _equality(dv: Deriver, tried: list[str]) -> bool:
    for side in ("lhs", "rhs"):
        if isinstance(dv.cur[side], Derivative):
            dv.apply("differentiate_under_sum", side)
    for side in ("lhs", "rhs"):
        _unfold(dv, side)
        dv.sift(side)
        _pin(dv, side)
        dv.sift(side)
        _collect(dv, side)
        _merge_within(dv, side)
    for uses in list(_hypothesis_uses(dv)):

        def run(uses: tuple[tuple[str, int, int, str], ...] = uses) -> None:
            for side, i, j, name in uses:
                dv.apply("apply_hypothesis", side, sum=i, factor=j, hypothesis=name)
            if uses:
                for side in ("lhs", "rhs"):
                    dv.sift(side)
                    _collect(dv, side)
                    _merge_within(dv, side)
            if not _close_equal(dv, tried):
                raise RuleError("no alignment closes")

        label = "hypotheses " + (", ".join(f"{n} on {s} sum {i} factor {j}" for s, i, j, n in uses) or "none")
        if _attempt(dv, run, tried, label):
            return True
    return False


def _only_if(dv: Deriver, tried: list[str]) -> bool:
    hyp = dv.part.rhs
    assert isinstance(hyp, Hypothesis)
    _unfold(dv, "lhs")
    dv.sift("lhs")
    e = dv.cur["lhs"]
    if not isinstance(e, Expr) or not e.sums:
        return False
    operands = sorted({t.operand for s in e.sums for t in s.factors} - {hyp.operand})
    for op in operands:

        def run(op: str = op) -> None:
            cur = dv.cur["lhs"]
            first = cur.sums[0]
            if any(s.factors != first.factors or set(s.variables) != set(first.variables) for s in cur.sums[1:]):
                dv.align("lhs", only=[op], target=Expr(tuple(first for _ in cur.sums)))
            dv.apply("compare_coefficients", "lhs", operand=op)
            dv.apply("entails_hypothesis", "lhs", claim=hyp.name, hypothesis=hyp)

        if _attempt(dv, run, tried, f"compare the coefficients of {op}"):
            return True
    return False


def auto(dv: Deriver) -> None:
    """Close ``dv.part`` by a search over the named rules; :class:`AutoError` when no sequence closes it."""
    tried: list[str] = []
    del _COUNTEREXAMPLES[:]
    snap = _snapshot(dv)
    try:
        ok = _only_if(dv, tried) if dv.part.relation == "⇒" else _equality(dv, tried)
    except RuleError as exc:
        tried.append(str(exc))
        ok = False
    if ok:
        return
    _restore(dv, snap)
    cex = _COUNTEREXAMPLES[0] if _COUNTEREXAMPLES else None
    shown = "; ".join(t for t in tried[-4:])
    raise AutoError(
        f"the generic strategy found no closing rule sequence ({len(tried)} attempt(s); last: {shown})", tried, cex
    )
