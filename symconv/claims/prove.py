r"""``symconv.prove(lhs, rhs)``: a user's own identity, proved for all sizes, refuted, or left open with the reason.

.. math:: \text{claim: } \mathrm{lhs}[i] = \mathrm{rhs}[i] \quad \text{for every } i \text{ and every size}

At SYMBOLIC sizes the two sides become the prover's Iverson sums
(:meth:`Node.iverson`, under the claim's :func:`context`: sizes, assumptions,
structure hypotheses), and :func:`symconv.proofs._claim.decide` runs the
generic strategy (every step a named rule, the certificate replayable), then
searches for a counterexample at small generic sizes, each decided exactly by
the coefficient engine (:func:`symconv.check_exact` on the sides'
contractions, the structure of centro-symmetric arrays included) or, where a
side is not a contraction, by the exact expansion of its Iverson sums. At
CONCRETE sizes the claim is decided by the exact engine alone.

>>> import symconv as sc
>>> N, K = sc.sizes("N K", assume="N >= K")
>>> x, w, g = sc.symbols("x", N), sc.symbols("w", K), sc.symbols("g", N - K + 1)
>>> p = sc.prove(sc.grad(sc.correlate(x, w), x, g), sc.convolve(g, w, mode="full"))
>>> p.status, p.check().ok
('proved', True)
>>> q = sc.prove(sc.grad(sc.correlate(x, w), w, g), sc.convolve(x, g))
>>> q.status, q.counterexample["sizes"]
('refuted', {'K': 2, 'N': 3})
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import sympy

from symconv.claims.context import context, structure
from symconv.claims.node import Const, Leaf, Node, as_node, result_name
from symconv.claims.ops import Conv, Flip
from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, flip_index
from symconv.core.public import public
from symconv.engines.exact import check_exact
from symconv.gradients.grad import reindex_operand, rename_operands
from symconv.proofs._claim import METHODS, ClaimProof, _expansion, decide, difference
from symconv.proofs._instances import ENGINE_EXACT
from symconv.proofs._iverson import Derivative, Expr
from symconv.proofs._parts import Part

__all__ = ["prove"]

#: The engine of a concrete claim whose sides are arrays of polynomials: their entries compared exactly.
ENGINE_ENTRIES = "exact entry comparison (sympy expansion)"
#: Terms up to which a refuted concrete claim also shows both sides' values (beyond: the engine's first difference).
SHOWN_TERMS = 20_000


def _statement(lhs: Node, rhs: Node, ctx: Any) -> str:
    extra = [str(c) for c in ctx.assumptions if not c.expr.variables]
    text = f"{lhs.text()} = {rhs.text()}"
    return text + (f"  (for all sizes with {', '.join(extra)})" if extra else "")


def _contractions(node: Node, sizes: Mapping[sympy.Symbol, int]) -> list[tuple[int, Contraction]] | None:
    """``node.contractions(sizes)``, and also a correlation/convolution reading a FLIPPED array
    (``correlate(x, flip(w))``): the one definition's contraction with that operand's index flipped."""
    out = node.contractions(sizes)
    if out is not None or not isinstance(node, Conv):
        return out
    ops = {"x": node.x, "w": node.w}
    names: dict[str, str] = {}
    flips: list[str] = []
    for role, op in ops.items():
        if isinstance(op, Flip) and isinstance(op.a, Leaf):
            flips.append(role)
            op = op.a
        if not isinstance(op, Leaf):
            return None
        names[role] = op.name
    if names["x"] == names["w"]:
        return None
    c = node.contraction().subs(dict(sizes))
    if not c.is_concrete():
        return None
    for role in flips:
        c = reindex_operand(c, role, _flipper(c.operand(role).shape))
    return [(1, rename_operands(c, {**names, c.result.name: result_name(names.values())}))]


def _flipper(shape: tuple[Any, ...]) -> Callable[[tuple[Affine, ...]], tuple[Affine, ...]]:
    def flipped(ix: tuple[Affine, ...]) -> tuple[Affine, ...]:
        return tuple(flip_index(n, a) for n, a in zip(shape, ix))

    return flipped


def _engine(lhs: Node, rhs: Node) -> Any:
    """One part at concrete sizes, exactly: the coefficient engine on contractions, else the Iverson expansion."""

    def run(part: Part, sizes: Mapping[sympy.Symbol, int]) -> tuple[bool, str, dict[str, Any]]:
        lc, rc = _contractions(lhs, sizes), _contractions(rhs, sizes)
        if lc is None or rc is None:
            return _expansion(part, sizes)
        r = check_exact(lc, rc, structure=structure((lhs, rhs), sizes), progress=False)
        return r.holds, r.counterexample or "", {"engine": ENGINE_EXACT, "terms": r.terms}

    return run


@public
def prove(lhs: Any, rhs: Any, *, assuming: Any = (), method: str = "auto") -> ClaimProof:
    r"""Prove (or refute) the claim ``lhs == rhs`` entry by entry, for every size of its symbolic sizes.

    .. math:: \forall\, \text{sizes} \models \text{assuming}:\ \mathrm{lhs} = \mathrm{rhs}

    ``method``: ``"auto"`` (the generic prover, then a counterexample search
    at small generic sizes), ``"general"`` (the prover only) or
    ``"instance"`` (the search only — never ``proved`` when sizes are
    symbolic). Returns a :class:`~symconv.Proof` whose ``status`` is
    ``"proved"`` (all sizes; ``check()`` replays its certificate),
    ``"refuted"`` (``counterexample``: the sizes, the first differing entry
    and both sides' values there) or ``"unknown"`` (``message``: why, and what
    was checked). Concrete sizes: the exact engine decides.

    >>> import symconv as sc
    >>> N, K = sc.sizes("N K", assume="N >= K")
    >>> x, w = sc.symbols("x", N), sc.symbols("w", K, structure="centrosymmetric")
    >>> sc.prove(sc.convolve(x, w), sc.correlate(x, w)).status
    'proved'

    Parameters
    ----------
    lhs, rhs : lazy arrays (symbolic sizes) or arrays
        The two sides, of one shape.
    assuming : relation or list of relations
        Size relations such as ``"N >= 2*K"`` that the claim assumes.
    method : str
        ``"auto"``, ``"general"`` or ``"instance"``.

    See also
    --------
    symconv.theorem, symconv.check_exact
    """
    if method not in METHODS:
        raise SymconvError(f"prove: `method` must be one of {list(METHODS)}; got {method!r}")
    a, b = as_node("prove", "lhs", lhs), as_node("prove", "rhs", rhs)
    ctx = context(a, b, assuming=assuming)
    # a size only named in a relation (a leaf built when `N >= K` was declared) is a parameter of the claim too
    named = {sym for c in ctx.assumptions for sym in as_expr(c.expr.const).free_symbols}
    if not named <= set(ctx.params):
        ctx = replace(ctx, params=tuple(sorted(set(ctx.params) | named, key=lambda s: s.name)))
    if not ctx.params:
        if not (_integer_constants(a) and _integer_constants(b)):
            return _entrywise(a, b, ctx)
        return _concrete(a, b, ctx)
    left, right = a.iverson(ctx), b.iverson(ctx)
    if not isinstance(left, (Expr, Derivative)) or not isinstance(right, (Expr, Derivative)):  # pragma: no cover
        raise SymconvError("prove: the sides must be sums")
    texts = tuple(str(c) for c in ctx.assumptions if not c.expr.variables)
    part = Part("claim", ctx, left, right, "=", [], texts)
    extents = [e for n in (a, b) for m in n.nodes() for e in m.shape if as_expr(e).free_symbols]
    return decide(
        _statement(a, b, ctx),
        [part],
        method=method,
        engine=_engine(a, b),
        extents=extents,
    )


def _concrete(a: Node, b: Node, ctx: Any) -> ClaimProof:
    """A claim without symbolic sizes: the exact engine decides it (no sympy expansion).

    The coefficient engine on the sides' contractions where both are single
    operations on named arrays; otherwise the exact polynomial expansion of
    the sides' Iverson sums at these sizes.
    """
    t0 = time.perf_counter()
    proof = ClaimProof("claim", f"{a.text()} = {b.text()}", {}, "instance", "unknown")
    part = Part("claim", ctx, a.iverson(ctx), b.iverson(ctx), "=")
    lc, rc = _contractions(a, {}), _contractions(b, {})
    if lc is not None and rc is not None:
        r = check_exact(lc, rc, structure=structure((a, b), {}), progress=False)
        extra: dict[str, Any] = {"engine": ENGINE_EXACT, "terms": r.terms}
        holds, detail = r.holds, r.counterexample or ""
    else:
        holds, detail, extra = _expansion(part, {})
    proof.engine = str(extra["engine"])
    proof.checked = [{"part": part.title, "sizes": {}, "holds": holds, **extra}]
    proof.status = "proved" if holds else "refuted"
    proof.not_covered = "—"
    if not holds:
        # both sides' values at the first differing entry (exact polynomials), when expanding them is cheap
        small = int(extra.get("terms", 0) or 0) <= SHOWN_TERMS
        found = (difference(part, {}) if small else None) or {"sizes": {}}
        proof.counterexample = {**found, "engine": proof.engine, "detail": detail}
        at = ", ".join(f"{k}={v}" for k, v in found.get("at", {}).items())
        shown = f"left {found['lhs']}, right {found['rhs']}" if "lhs" in found else detail
        proof.message = f"refuted{' at ' + at if at else ''}: {shown}"
    proof.seconds = time.perf_counter() - t0
    return proof


def _integer_constants(node: Node) -> bool:
    """Every concrete array inside ``node`` has integer entries (an Iverson sum each)."""
    return all(
        isinstance(e, sympy.Integer)
        for m in node.nodes()
        if isinstance(m, Const)
        for e in np.asarray(m.array.numpy(), dtype=object).flat
    )


def _entrywise(a: Node, b: Node, ctx: Any) -> ClaimProof:
    """A concrete claim whose sides are arrays of polynomials (``correlate(symbols("x", 6), [-1, 2, 1])``
    evaluates at once): the entries compared exactly, each difference expanded."""
    t0 = time.perf_counter()
    proof = ClaimProof("claim", f"{a.text()} = {b.text()}", {}, "instance", "unknown")
    left, right = a.at({}).numpy(), b.at({}).numpy()
    bad = [
        idx
        for idx in np.ndindex(*left.shape)
        if not (left[idx] == right[idx] or sympy.expand(left[idx] - right[idx]) == 0)
    ]
    proof.engine = ENGINE_ENTRIES
    proof.checked = [{"part": "claim", "sizes": {}, "holds": not bad, "engine": ENGINE_ENTRIES, "terms": left.size}]
    proof.status = "refuted" if bad else "proved"
    proof.not_covered = "—"
    if bad:
        at = dict(zip(ctx.free, (int(i) for i in bad[0])))
        lv, rv = str(left[bad[0]]), str(right[bad[0]])
        proof.counterexample = {
            "sizes": {},
            "at": at,
            "lhs": lv,
            "rhs": rv,
            "differing_entries": len(bad),
            "engine": ENGINE_ENTRIES,
            "detail": "",
        }
        where = ", ".join(f"{k}={v}" for k, v in at.items())
        proof.message = f"refuted{' at ' + where if where else ''}: left {lv}, right {rv}"
    proof.seconds = time.perf_counter() - t0
    return proof
