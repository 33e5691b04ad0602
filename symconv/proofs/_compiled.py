r"""Iverson sums at concrete sizes in plain Python integers: size expressions compiled once, small sums enumerated.

The exact evaluation (:mod:`symconv.proofs._evaluate`) reads every
coefficient of an affine index map at concrete sizes. A coefficient is a
sympy expression in the size parameters (``K_0 - 1``, ``N - K``); it is
compiled ONCE per expression into integer polynomial terms
:math:`\sum_t c_t \prod_s s^{e_{t,s}}` and then evaluated with Python
integers (exact, no sympy per call). An expression that is not such a
polynomial (a rational coefficient, a ``floor``) is left to sympy.

A sum whose guard confines it to a small box (at most :data:`SMALL_POINTS`
points, e.g. an "only if" check at one output position, or a kernel-sized
hypothesis domain) is enumerated point by point in Python: no numpy call
per variable.

>>> import sympy
>>> K, N = sympy.symbols("K N", integer=True)
>>> size_int(N - K + 1, {K: 3, N: 10}), size_int(sympy.Integer(4), {})
(8, 4)
>>> from symconv.core.affine import Affine
>>> from symconv.proofs._iverson import Constraint, Context, Sum
>>> k = Affine.var("k")
>>> s = Sum(("k",), (Constraint.le(0, k), Constraint.lt(k, K)), ())
>>> small_points(s, Context((K,), (), ()), {K: 3})
(['k'], [(0,), (1,), (2,)])
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.proofs._iverson import EQ, Constraint, Context, Sum

__all__ = ["SMALL_POINTS", "SmallPlan", "affine_ints", "at", "evaluator", "size_int", "small_plan", "small_points"]

#: A sum whose bounding box has at most this many points is enumerated in Python.
SMALL_POINTS = 4096

#: A small plan keeps the indices its factors read when there are at most this many (:attr:`SmallPlan.reads`).
READS_KEPT = 1024

#: Indices and sizes at or beyond this magnitude are refused by the exact evaluation (as in ``_evaluate``).
MAX_MAGNITUDE = 2**62

_Poly = tuple[tuple[int, tuple[tuple[sympy.Symbol, int], ...]], ...]


@functools.lru_cache(maxsize=8192)
def _poly(e: sympy.Expr) -> _Poly | None:
    """``e`` as integer polynomial terms in its symbols, or None (not an integer polynomial)."""
    if e.is_Integer:
        return ((int(e), ()),)
    gens = sorted(e.free_symbols, key=str)
    if not gens:
        return None
    try:
        p = sympy.Poly(e, *gens)
    except sympy.PolynomialError:
        return None
    out = []
    for monom, c in p.terms():
        if not c.is_Integer:
            return None
        out.append((int(c), tuple((g, k) for g, k in zip(gens, monom) if k)))
    return tuple(out)


def _slow(e: sympy.Expr, sizes: Mapping[sympy.Symbol, Any]) -> int:
    v = e.xreplace({k: sympy.Integer(x) for k, x in sizes.items()})
    if not v.is_Integer:
        raise SymconvError(f"proof: size expression {e} is not an integer at {sizes}")
    return int(v)


def size_int(e: Any, sizes: Mapping[sympy.Symbol, Any]) -> int:
    """The integer value of the size expression ``e`` at ``sizes`` (a clear error when it is none)."""
    if type(e) is int:
        return e
    v = as_expr(e)
    if v.is_Integer:
        return int(v)
    poly = _poly(v)
    if poly is None:
        return _slow(v, sizes)
    total = 0
    for c, powers in poly:
        for s, k in powers:
            x = sizes.get(s)
            if x is None or isinstance(x, bool) or not isinstance(x, (int, sympy.Integer)):
                return _slow(v, sizes)  # a symbol left free (an error) or a value that is no plain integer
            c *= int(x) ** k
        total += c
    return total


def affine_ints(
    a: Affine, names: Sequence[str], sizes: Mapping[sympy.Symbol, Any]
) -> tuple[int, tuple[tuple[int, int], ...]]:
    """``a`` at ``sizes``: its constant and ``(position in names, coefficient)`` per variable it reads."""
    terms = tuple((names.index(v), c) for v, c in ((v, size_int(c, sizes)) for v, c in a.coeffs) if c)
    return size_int(a.const, sizes), terms


def _rows(
    cons: Sequence[Constraint], names: Sequence[str], sizes: Mapping[sympy.Symbol, Any]
) -> list[tuple[tuple[tuple[int, int], ...], int, bool]]:
    out = []
    for c in cons:
        const, terms = affine_ints(c.expr, names, sizes)
        out.append((terms, const, c.op == EQ))
    return out


def small_points(
    s: Sum, ctx: Context, sizes: Mapping[sympy.Symbol, Any], extra: Sequence[Constraint] = ()
) -> tuple[list[str], list[tuple[int, ...]]] | None:
    """The points (free + bound variables, in that order) where the assumptions and the guard hold, as tuples
    of Python integers, when the guard's bounding box has at most :data:`SMALL_POINTS` points; else None
    (the numpy enumeration of :mod:`symconv.proofs._evaluate` takes it). Same points, same order of names."""
    plan = small_plan(s, ctx, sizes, extra)
    if plan is None:
        return None
    return list(plan.names), plan.points()


_Rows = tuple[tuple[tuple[tuple[int, int], ...], int, bool], ...]
_Map = tuple[int, tuple[tuple[int, int], ...]]


@dataclass(frozen=True, eq=False)
class SmallPlan:
    """A small sum compiled at concrete sizes: its variables, their box, the constraints the box does not
    decide, and each factor's index maps (:func:`affine_ints`; None where a factor reads an unknown variable)."""

    names: tuple[str, ...]
    box: tuple[range, ...]
    rows: _Rows
    maps: tuple[tuple[_Map, ...], ...] | None
    factors: tuple[str, ...] = ()  # each factor's operand (``name*`` when conjugated)

    @functools.cached_property
    def evaluators(self) -> tuple[Any, ...] | None:
        """Per factor, :func:`evaluator` of its index maps (built once per plan)."""
        return None if self.maps is None else tuple(evaluator(axes) for axes in self.maps)

    @functools.cached_property
    def reads(self) -> tuple[tuple[tuple[int, ...], tuple[tuple[int, ...], ...]], ...] | None:
        """Per point: the point and the index each factor reads there — what ``boxes`` of the engines' plans
        keep for a contraction (its outer points and every axis's value), kept for sums of at most
        :data:`READS_KEPT` reads; None beyond (or without maps): evaluate :meth:`points` per call."""
        fns = self.evaluators
        if fns is None or math.prod(len(r) for r in self.box) * max(len(fns), 1) > READS_KEPT:
            return None
        return tuple((p, tuple(fn(p) for fn in fns)) for p in self.points())

    def points(self) -> list[tuple[int, ...]]:
        """The points where every constraint holds (enumerated now, in the box's order)."""
        if not self.rows:
            return list(itertools.product(*self.box))
        return [p for p in itertools.product(*self.box) if _holds(p, self.rows)]


#: Compiled small sums at concrete sizes, by the identity of the (immutable) sum and context: a proof at one
#: size compiles its sums once (a few hundred kept; the objects are held, so an id is never reused meanwhile).
_PLANS: dict[tuple[int, int, tuple[Any, ...]], tuple[Sum, Context, SmallPlan | None]] = {}


def small_plan(
    s: Sum, ctx: Context, sizes: Mapping[sympy.Symbol, Any], extra: Sequence[Constraint] = ()
) -> SmallPlan | None:
    """:class:`SmallPlan` of ``s`` at ``sizes``, or None when its box is not small (see :func:`small_points`)."""
    key = None
    if not extra:
        key = (id(s), id(ctx), tuple(sizes.items()))
        hit = _PLANS.get(key)
        if hit is not None and hit[0] is s and hit[1] is ctx:
            return hit[2]
    plan = _compile_small(s, ctx, sizes, extra)
    if key is not None:
        if len(_PLANS) > 512:
            _PLANS.clear()
        _PLANS[key] = (s, ctx, plan)
    return plan


def _compile_small(
    s: Sum, ctx: Context, sizes: Mapping[sympy.Symbol, Any], extra: Sequence[Constraint]
) -> SmallPlan | None:
    names = list(ctx.free) + [v for v in s.variables if v not in ctx.free]
    cons = (*ctx.assumptions, *s.guard, *extra)
    if any(v not in names for c in cons for v, _ in c.expr.coeffs):
        return None  # a variable no enumeration fixes: the general path says so
    rows = _rows(cons, names, sizes)
    lo: list[float] = [-math.inf] * len(names)
    hi: list[float] = [math.inf] * len(names)
    multi = []
    for terms, const, eq in rows:
        if not terms:
            if const < 0 or (eq and const != 0):
                return SmallPlan(tuple(names), (range(0),), (), None)  # fails on the sizes alone: no points
            continue
        if len(terms) > 1:
            multi.append((terms, const, eq))
            continue
        ((j, a),) = terms  # a·v + const ≥ 0 (or = 0): exact integer bounds
        if a > 0 or eq:
            first = -(const // a) if a > 0 else -((-const) // -a)
            lo[j] = max(lo[j], first)
        if a < 0 or eq:
            last = const // -a if a < 0 else (-const) // a
            hi[j] = min(hi[j], last)
    if any(math.isinf(b) for b in (*lo, *hi)):
        return None  # bounded only through several variables at once: the general path
    box = tuple(range(int(a), int(b) + 1) for a, b in zip(lo, hi))
    if math.prod(len(r) for r in box) > SMALL_POINTS:
        return None
    multi = [row for row in multi if not _implied(row, box)]
    known = set(names)
    if any(v not in known for t in s.factors for a in t.index for v, _ in a.coeffs):
        return SmallPlan(tuple(names), box, tuple(multi), None, _factor_names(s))
    # a variable with one value in the box (a Kronecker delta fixed it) is a constant of every map
    maps = tuple(tuple(_fold(affine_ints(a, names, sizes), box) for a in t.index) for t in s.factors)
    peak = [max(abs(r[0]), abs(r[-1])) if r else 0 for r in box]
    tops = [abs(c0) + sum(abs(c) * peak[j] for j, c in terms) for axes in maps for c0, terms in axes]
    if max([*peak, *tops], default=0) >= MAX_MAGNITUDE:
        return None  # beyond 64-bit evaluation: the general path refuses it with its message
    return SmallPlan(tuple(names), box, tuple(multi), maps, _factor_names(s))


def _factor_names(s: Sum) -> tuple[str, ...]:
    return tuple(t.operand + ("*" if t.conjugate else "") for t in s.factors)


def _fold(a: _Map, box: Sequence[range]) -> _Map:
    const, terms = a
    const += sum(c * box[j][0] for j, c in terms if len(box[j]) == 1)
    return const, tuple((j, c) for j, c in terms if len(box[j]) != 1)


def _implied(row: tuple[tuple[tuple[int, int], ...], int, bool], box: Sequence[range]) -> bool:
    """Whether the constraint holds at every point of the (non-empty) box: it need not be checked per point."""
    terms, const, eq = row
    if any(not r for r in box):
        return True  # no points at all
    low = const + sum(a * (box[j][0] if a > 0 else box[j][-1]) for j, a in terms)
    high = const + sum(a * (box[j][-1] if a > 0 else box[j][0]) for j, a in terms)
    return low == high == 0 if eq else low >= 0


def _holds(p: tuple[int, ...], rows: Sequence[tuple[tuple[tuple[int, int], ...], int, bool]]) -> bool:
    for terms, const, eq in rows:
        v = const + sum(a * p[j] for j, a in terms)
        if v < 0 or (eq and v != 0):
            return False
    return True


def evaluator(axes: Sequence[_Map]) -> Any:
    """A function of a point giving the index tuple of the compiled maps ``axes`` (:func:`affine_ints`)."""
    if all(len(terms) == 1 for _, terms in axes):  # every axis reads one variable: the common, fast case
        flat = [(c0, *terms[0]) for c0, terms in axes]
        if len(flat) == 1:
            ((c0, j, c),) = flat
            return lambda p: (c0 + c * p[j],)
        if len(flat) == 2:
            (c0, j0, k0), (c1, j1, k1) = flat
            return lambda p: (c0 + k0 * p[j0], c1 + k1 * p[j1])
        return lambda p: tuple([c0 + c * p[j] for c0, j, c in flat])
    return lambda p: tuple([at(a, p) for a in axes])


def at(a: tuple[int, tuple[tuple[int, int], ...]], p: tuple[int, ...]) -> int:
    """The value of a compiled affine map (:func:`affine_ints`) at the point ``p``."""
    v, terms = a
    for j, c in terms:
        v += c * p[j]
    return v
