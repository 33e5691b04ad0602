r"""Symbolic sizes: positive integer symbols, and the relations assumed between them.

:func:`sizes` returns plain ``sympy.Symbol(name, integer=True, positive=True)``
— the same symbols the proofs use for their size parameters — and records
relations such as :math:`N \ge K` given with ``assume=``. An array built on
a size (``symconv.symbols("x", N)``) takes the relations of its sizes with it,
so a claim about it states them as hypotheses. A relation is a linear
(in)equality between integer combinations of sizes, written as a sympy
relation (``N >= K``) or as text in a small grammar of our own (``"N >= 2*K"``;
names, integers, ``+ - *``, parentheses, one of ``>= <= > < ==``); text is
never evaluated.

>>> N, K = sizes("N K", assume="N >= K")
>>> N.is_integer, N.is_positive
(True, True)
>>> [str(c) for c in assumed((N,))]
['-K + N >= 0']
>>> str(relation("N - K + 1 > 2", {"N": N, "K": K}))
'-K + N - 2 >= 0'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sympy
from sympy.core.relational import Relational

from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.numbers import shown
from symconv.core.public import public
from symconv.proofs._iverson import EQ, GE, Constraint

__all__ = ["Sizes", "assumed", "declared", "is_size", "relation", "size_symbol", "sizes"]

#: Relations declared with ``sizes(..., assume=...)``: (the sizes it mentions, the constraint).
_DECLARED: list[tuple[frozenset[sympy.Symbol], Constraint]] = []

#: Every size declared so far, by name (text relations may name them).
_NAMES: dict[str, sympy.Symbol] = {}

_MAX_TEXT = 400
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z][A-Za-z0-9_]*)|(>=|<=|==|[-+*()<>]))")


def size_symbol(name: str) -> sympy.Symbol:
    """The size called ``name``: a positive integer symbol."""
    return sympy.Symbol(name, integer=True, positive=True)


class Sizes(tuple):  # type: ignore[type-arg]
    """The tuple of sizes :func:`sizes` returns (unpack it: ``N, K = sizes("N K")``)."""

    __slots__ = ()


def is_size(e: Any) -> bool:
    """True for a sympy expression over positive integer symbols only (a size expression)."""
    if not isinstance(e, sympy.Expr) or e.is_Integer:
        return False
    return all(s.is_integer and s.is_positive for s in e.free_symbols)


@public
def sizes(names: str | Sequence[str], *, assume: Any = ()) -> Sizes:
    r"""Positive integer size symbols, with the relations ``assume`` holds between them.

    ``names`` is ``"N K"`` (or ``"N, K"``, or a list); ``assume`` is one
    relation or a list of them: sympy relations (``N >= K``) or text
    (``"N >= 2*K"``). Declaring a name again forgets the relations it had.

    >>> N, K = sizes("N K", assume=["N >= 2*K"])
    >>> N - K + 1
    -K + N + 1
    """
    if isinstance(names, str):
        parts = [p for p in re.split(r"[\s,]+", names) if p]
    elif isinstance(names, Sequence) and all(isinstance(p, str) for p in names):
        parts = list(names)
    else:
        raise SymconvError(f"sizes: `names` must be a string such as 'N K' or a list of names; got {shown(names)}")
    if not parts:
        raise SymconvError("sizes: `names` must name at least one size; got none")
    for p in parts:
        if not _NAME.match(p) or len(p) > 40:
            raise SymconvError(f"sizes: every name must be an identifier such as 'N' or 'K_0'; got {shown(p)}")
    if len(set(parts)) != len(parts):
        raise SymconvError(f"sizes: `names` must be distinct; got {parts}")
    out = Sizes(size_symbol(p) for p in parts)
    known = dict(_NAMES) | {s.name: s for s in out}
    items = [assume] if isinstance(assume, (str, Relational, sympy.logic.boolalg.BooleanAtom)) else assume
    if not isinstance(items, Iterable):
        raise SymconvError(f"sizes: `assume` must be a relation or a list of them; got {shown(assume)}")
    new = [relation(r, known, where="sizes: `assume`") for r in items]
    mine = set(out)
    _DECLARED[:] = [(syms, c) for syms, c in _DECLARED if not (syms & mine)]
    for c in new:
        syms = frozenset(c.expr.const.free_symbols)
        if syms and (syms, c) not in _DECLARED:
            _DECLARED.append((syms, c))  # type: ignore[arg-type]
    _NAMES.update({s.name: s for s in out})
    return out


def declared() -> dict[str, sympy.Symbol]:
    """Every size declared with :func:`sizes` so far, by name."""
    return dict(_NAMES)


def assumed(symbols: Iterable[sympy.Symbol]) -> tuple[Constraint, ...]:
    """The declared relations that mention any of ``symbols`` (a snapshot)."""
    want = set(symbols)
    return tuple(c for syms, c in _DECLARED if syms & want)


def relation(r: Any, names: Mapping[str, sympy.Symbol] | None = None, *, where: str = "relation") -> Constraint:
    """One relation between sizes as a :class:`~symconv.proofs._iverson.Constraint` (``≥ 0`` or ``= 0``).

    ``r`` is a sympy relation or text; in text every name must be a size of
    ``names``. The two sides must be linear in the sizes.
    """
    if isinstance(r, str):
        lhs, op, rhs = _parse(r, dict(names or {}), where)
    elif isinstance(r, Relational):
        op = {"==": "==", ">=": ">=", ">": ">", "<=": "<=", "<": "<"}.get(r.rel_op, "")
        if not op:
            raise SymconvError(f"{where}: the relation must be one of >= <= > < ==; got {shown(r)}")
        lhs, rhs = r.lhs, r.rhs
    elif r is sympy.true or r is True:
        return Constraint(Affine.constant(0), GE)
    else:
        raise SymconvError(f"{where}: a relation must be text such as 'N >= K' or a sympy relation; got {shown(r)}")
    diff = sympy.expand(lhs - rhs)
    for s in diff.free_symbols:
        if not (s.is_integer and s.is_positive):
            raise SymconvError(f"{where}: `{s}` in {shown(r)} is not a size (use symconv.sizes)")
    syms = sorted(diff.free_symbols, key=str)
    if syms and sympy.Poly(diff, *syms).total_degree() > 1:
        raise SymconvError(f"{where}: the relation must be linear in the sizes; got {shown(r)}")
    if not syms:
        raise SymconvError(f"{where}: the relation {shown(r)} mentions no size")
    if op == ">=":
        return Constraint(Affine.constant(diff), GE)
    if op == ">":
        return Constraint(Affine.constant(diff - 1), GE)
    if op == "<=":
        return Constraint(Affine.constant(-diff), GE)
    if op == "<":
        return Constraint(Affine.constant(-diff - 1), GE)
    return Constraint(Affine.constant(diff), EQ).canonical()


def _parse(text: str, names: dict[str, sympy.Symbol], where: str) -> tuple[sympy.Expr, str, sympy.Expr]:
    """``lhs op rhs`` of a linear relation in text (our own grammar; nothing is evaluated)."""
    if len(text) > _MAX_TEXT:
        raise SymconvError(f"{where}: a relation may have at most {_MAX_TEXT} characters; got {len(text)}")
    tokens: list[str] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if m is None:
            raise SymconvError(f"{where}: cannot read {shown(text)} at {shown(stripped[pos : pos + 10])}")
        tokens.append(m.group(m.lastindex or 0))
        pos = m.end()
    ops = [i for i, t in enumerate(tokens) if t in (">=", "<=", "==", "<", ">")]
    if len(ops) != 1:
        raise SymconvError(f"{where}: a relation must have exactly one of >= <= > < ==; got {shown(text)}")
    i = ops[0]
    return _expr(tokens[:i], names, where, text), tokens[i], _expr(tokens[i + 1 :], names, where, text)


def _expr(tokens: list[str], names: dict[str, sympy.Symbol], where: str, text: str) -> sympy.Expr:
    pos = 0

    def fail() -> SymconvError:
        return SymconvError(f"{where}: cannot read {shown(text)} (names, integers, + - *, parentheses)")

    def atom(depth: int) -> sympy.Expr:
        nonlocal pos
        if depth > 20 or pos >= len(tokens):
            raise fail()
        t = tokens[pos]
        pos += 1
        if t == "-":
            return -atom(depth + 1)
        if t == "(":
            e = total(depth + 1)
            if pos >= len(tokens) or tokens[pos] != ")":
                raise fail()
            pos += 1
            return e
        if t.isdigit():
            if len(t) > 30:
                raise SymconvError(f"{where}: the integer {t[:12]}… in {shown(text)} is too large")
            return sympy.Integer(int(t))
        if _NAME.match(t):
            if t not in names:
                raise SymconvError(f"{where}: `{t}` in {shown(text)} is not a size; known: {sorted(names)}")
            return names[t]
        raise fail()

    def product(depth: int) -> sympy.Expr:
        nonlocal pos
        e = atom(depth)
        while pos < len(tokens) and tokens[pos] == "*":
            pos += 1
            e = e * atom(depth)
        return e

    def total(depth: int) -> sympy.Expr:
        nonlocal pos
        e = product(depth)
        while pos < len(tokens) and tokens[pos] in "+-":
            sign = tokens[pos]
            pos += 1
            e = e + product(depth) if sign == "+" else e - product(depth)
        return e

    out = total(0)
    if pos != len(tokens):
        raise fail()
    return out
