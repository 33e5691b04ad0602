"""Scopes: which name means what in a statement, and the check that no name captures another.

A statement has three kinds of names: size parameters (sympy symbols, one
scope for the whole statement), free indices (``m0``, ``i0`` …, fixed for the
whole statement) and bound variables (each sum, pointwise identity,
hypothesis or definition binds its own). A name means one thing only:

* a bound variable is never named like a size parameter or a free index
  (``Σ_N [0 ≤ N ≤ N]`` would read as a statement about the parameter), and
  the variables bound together are distinct;
* every index variable used is bound where it is used or is a free index;
  every size expression reads only the statement's parameters;
* every coefficient and offset is an integer for EVERY parameter value
  (``floor(N/5)/2`` is not: a delta ``2v = floor(N/5)·w`` written as
  ``v = floor(N/5)/2 · w`` would collapse to a read at a half-integer).

:func:`problems` lists what is wrong ('' when nothing); the rules refuse a
``before``, an argument or an ``after`` that is not well scoped, and the
replay refuses such a statement. :func:`fresh` makes a name no one uses.

>>> import sympy
>>> from symconv.core.affine import Affine
>>> from symconv.proofs._iverson import Constraint, Context, Expr, Sum, Term
>>> N = sympy.Symbol("N", integer=True, positive=True)
>>> ctx = Context((N,), (), ())
>>> v = Affine.var("N")
>>> problems(Expr.of(Sum(("N",), (Constraint.le(0, v),), (Term("x", (v,)),))), ctx)
'sum 0: bound variable `N` clashes with the size parameter N'
>>> fresh("k0", {"k0", "k0_1"})
'k0_2'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from symconv.core.affine import Affine, Scalar, as_expr
from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Hypothesis, Pointwise, Side, Sum

__all__ = ["NAME", "context_problems", "fresh", "hypothesis_problem", "integral", "problems"]

#: What an index name may look like: a letter, then letters, digits, ``_`` and primes (``n0'``).
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_']*")


def fresh(base: str, used: Iterable[str]) -> str:
    """``base``, or ``base_1``, ``base_2`` … : the first that is not in ``used``."""
    taken = set(used)
    if base not in taken:
        return base
    i = 1
    while f"{base}_{i}" in taken:
        i += 1
    return f"{base}_{i}"


def integral(c: Scalar) -> bool:
    """Is the coefficient an integer for every value of the (positive integer) parameters?"""
    e = as_expr(c)
    return bool(e.is_Integer) or e.is_integer is True


def _affines_problem(affines: Iterable[Affine], allowed: set[str], ctx: Context, what: str) -> str:
    params = set(ctx.params)
    for a in affines:
        odd = next((c for c in (a.const, *(k for _, k in a.coeffs)) if not integral(c)), None)
        if odd is not None:
            return f"{what} has the coefficient {str(odd)[:40]}, not an integer for every parameter value"
        loose = sorted(set(a.variables) - allowed)
        if loose:
            return f"{what} uses {', '.join(f'`{v}`' for v in loose)}, neither bound there nor a free index"
        extra = sorted(str(p) for p in a.parameters if p not in params)
        if extra:
            return f"{what} uses {', '.join(extra)}, not a size parameter of the statement"
    return ""


def _binding_problem(variables: Sequence[str], ctx: Context, what: str = "bound variable") -> str:
    if len(set(variables)) != len(variables):
        return f"the {what}s {list(variables)} are not distinct"
    names = {p.name: p for p in ctx.params}
    for v in variables:
        if not isinstance(v, str) or len(v) > 64 or not NAME.fullmatch(v):
            return f"{what} {str(v)[:70]!r} is not a name (a letter, then letters, digits, _ or ')"
        if v in names:
            return f"{what} `{v}` clashes with the size parameter {names[v]}"
        if v in ctx.free:
            return f"{what} `{v}` clashes with the free index {v}"
    return ""


def _constraints(cs: Iterable[Constraint]) -> list[Affine]:
    return [c.expr for c in cs]


def _sum_problem(s: Sum, ctx: Context, what: str) -> str:
    msg = _binding_problem(s.variables, ctx)
    if msg:
        return f"{what}: {msg}"
    allowed = set(s.variables) | set(ctx.free)
    affines = [*_constraints(s.guard), *(a for t in s.factors for a in t.index)]
    msg = _affines_problem(affines, allowed, ctx, "the sum")
    return f"{what}: {msg}" if msg else ""


def hypothesis_problem(h: Hypothesis, ctx: Context) -> str:
    """'' when the hypothesis is closed (it reads only its own variables and the parameters)."""
    msg = _binding_problem(h.variables, ctx, "variable of the hypothesis")
    if not msg:
        msg = _affines_problem([*_constraints(h.domain), *h.lhs, *h.rhs], set(h.variables), ctx, "the hypothesis")
    return f"hypothesis {h.name!r}: {msg}" if msg else ""


def context_problems(ctx: Context) -> str:
    """'' when parameters and free indices are distinct names and the assumptions read only them."""
    names = [p.name for p in ctx.params]
    if len(set(names)) != len(names) or len(set(ctx.params)) != len(ctx.params):
        return f"the size parameters {names} are not distinct"
    msg = _binding_problem(ctx.free, Context(ctx.params, (), ()), "free index")
    if msg:
        return msg
    msg = _affines_problem(_constraints(ctx.assumptions), set(ctx.free), ctx, "an assumption")
    if msg:
        return msg
    for h in ctx.hypotheses:
        msg = hypothesis_problem(h, ctx)
        if msg:
            return msg
    return ""


def problems(side: Side | Hypothesis, ctx: Context) -> str:
    """'' when ``side`` is well scoped in ``ctx`` (see the module's rules), else what is wrong."""
    if isinstance(side, Hypothesis):
        return hypothesis_problem(side, ctx)
    if isinstance(side, Derivative):
        msg = _affines_problem(side.index, set(ctx.free), ctx, f"the index of ∂/∂{side.operand}")
        return msg or problems(side.expr, ctx)
    if isinstance(side, Expr):
        for i, s in enumerate(side.sums):
            msg = _sum_problem(s, ctx, f"sum {i}")
            if msg:
                return msg
        return ""
    if isinstance(side, Pointwise):
        msg = _binding_problem(side.variables, ctx)
        if not msg:
            affines = [*_constraints(side.guard), *(a for _, f in side.terms for t in f for a in t.index)]
            msg = _affines_problem(affines, set(side.variables) | set(ctx.free), ctx, "the identity")
        return f"pointwise identity: {msg}" if msg else ""
    return f"expected a sum, a derivative or a pointwise identity; got {type(side).__name__}"
