"""Unification of two Iverson sums: the affine substitution that makes one the other's shape.

Used by the closing rules (:mod:`symconv.proofs._closing`) and by the prover to
align a derived side with the claim (``Deriver.align``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.proofs._iverson import Sum, Term

__all__ = ["unify"]


def _divide(a: Affine, c: sympy.Expr) -> Affine | None:
    """``a / c`` when every coefficient and the constant divide exactly (an integer affine map)."""
    c = as_expr(c)
    if c == 0:
        return None
    parts = [*(k for _, k in a.coeffs), a.const]
    quot = [sympy.cancel(k / c) for k in parts]
    if not all(sympy.fraction(q)[1] == 1 for q in quot):
        return None
    return Affine._make({v: q for (v, _), q in zip(a.coeffs, quot)}, quot[-1])


def _pairings(srcf: Sequence[Term], dstf: Sequence[Term]) -> list[list[tuple[Term, Term]]]:
    """Every way to pair the factors by operand (same name, conjugation and rank)."""
    import itertools

    groups: dict[tuple[str, bool, int], tuple[list[Term], list[Term]]] = {}
    for t in srcf:
        groups.setdefault((t.operand, t.conjugate, len(t.index)), ([], []))[0].append(t)
    for t in dstf:
        key = (t.operand, t.conjugate, len(t.index))
        if key not in groups:
            return []
        groups[key][1].append(t)
    if any(len(a) != len(b) for a, b in groups.values()):
        return []
    out: list[list[tuple[Term, Term]]] = [[]]
    for a, b in groups.values():
        # at most 720 pairings in all: an operand read ten times has 10! orders, never enumerated
        out = list(
            itertools.islice((acc + list(zip(a, perm)) for acc in out for perm in itertools.permutations(b)), 721)
        )
        if len(out) > 720:
            break
    return out


def _match_coefficient(eqs: Sequence[tuple[Affine, Affine]], m: dict[str, Affine], unknowns: set[str]) -> bool:
    """Map one unknown of a stalled equation to the unique target variable with the same coefficient."""
    used = {v for a in m.values() for v in a.variables}
    for a, b in eqs:
        a2 = a.substitute(m)
        unk = [v for v in a2.variables if v in unknowns and v not in m]
        if len(unk) < 2:
            continue
        for u in sorted(unk, key=lambda v: -abs(as_expr(a2.coeff(v))) if a2.coeff(v).is_Integer else 0):
            cands = [v for v, c in b.coeffs if c == a2.coeff(u) and v not in used]
            if len(cands) == 1:
                m[u] = Affine.var(cands[0])
                return True
    return False


def unify(src: Sum, dst: Sum, only: Sequence[str] | None = None) -> dict[str, Affine] | None:
    """A substitution of ``src``'s bound variables making its factors those of ``dst`` (or ``None``).

    Factors are paired by operand (every pairing is tried); the index
    equations are solved one unknown at a time (an equation is used once it
    has a single unknown whose coefficient divides the rest exactly); when
    none has, an unknown whose coefficient only one variable of the other
    side carries is matched to it (``c' + 2·grp' = c + 2·grp``: ``grp' ↦ grp``).
    The solution must satisfy every equation.
    """
    srcf = [t for t in src.factors if only is None or t.operand in only]
    dstf = [t for t in dst.factors if only is None or t.operand in only]
    if len(srcf) != len(dstf):
        return None
    unknowns = set(src.variables)
    for pairing in _pairings(srcf, dstf):
        eqs = [(a, b) for t, u in pairing for a, b in zip(t.index, u.index)]
        m: dict[str, Affine] = {}
        progress = True
        while progress:
            progress = False
            for a, b in eqs:
                a2 = a.substitute(m)
                unk = [v for v in a2.variables if v in unknowns and v not in m]
                if len(unk) != 1:
                    continue
                sol = _divide(b - (a2 - Affine.var(unk[0]) * a2.coeff(unk[0])), a2.coeff(unk[0]))
                if sol is None:
                    continue
                m[unk[0]] = sol
                progress = True
            if not progress:
                progress = _match_coefficient(eqs, m, unknowns)
        if set(m) != unknowns:
            continue
        if all(a.substitute(m) == b for a, b in eqs):
            return m
    return None
