r"""Size parameters fixed in plain integer arithmetic: sympy once per expression, never per size.

An index formula with symbolic sizes (``N - K + 1``, ``⌊(N + 2p − d(K−1) − 1)/s⌋ + 1``)
is evaluated at many concrete sizes: every instance check, every completing
check of a general proof, the cost guards before them. ``expr.subs(sizes)``
walks sympy's expression tree and rebuilds it each time (tens of microseconds
per expression); :func:`evaluator` turns the tree ONCE into nested Python
closures on integers (exact: ``int`` and :class:`fractions.Fraction`), cached
by the expression, so a size set costs only the arithmetic.

.. math:: \mathrm{value}(e, \sigma) = e[\sigma] \in \mathbb{Z}
          \quad\text{or}\quad \text{None when } e[\sigma] \text{ is not an integer}

:func:`subs` is ``expr.subs(values)`` with that fast path: the same
``sympy.Integer`` when every parameter has an integer value, sympy's own
substitution otherwise (a partial substitution, a node the evaluator does not
know).

>>> import sympy
>>> N, K, s = sympy.symbols("N K s", integer=True, positive=True)
>>> value(sympy.floor((N - K) / s) + 1, {N: 9, K: 3, s: 2})
4
>>> subs(N - K + 1, {N: 9, K: 3}), subs(N - K + 1, {N: 9})
(7, 10 - K)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, Union

import sympy

__all__ = ["evaluator", "subs", "value"]

Num = Union[int, Fraction]  # noqa: UP007 (a runtime alias)
Fn = Callable[[Mapping[Any, int]], Num]


class _MissingError(Exception):
    """A parameter of the expression has no value (or the node is not plain arithmetic)."""


def _sum(fs: list[Fn]) -> Fn:
    def fn(env: Mapping[Any, int]) -> Num:
        total: Num = 0
        for f in fs:
            total += f(env)
        return total

    return fn


def _product(fs: list[Fn]) -> Fn:
    def fn(env: Mapping[Any, int]) -> Num:
        total: Num = 1
        for f in fs:
            total *= f(env)
        return total

    return fn


def _extreme(fs: list[Fn], largest: bool) -> Fn:
    def fn(env: Mapping[Any, int]) -> Num:
        best = fs[0](env)
        for f in fs[1:]:
            v = f(env)
            if (v > best) if largest else (v < best):
                best = v
        return best

    return fn


def _symbol(sym: sympy.Symbol) -> Fn:
    def fn(env: Mapping[Any, int]) -> Num:
        try:
            v = env[sym]
        except KeyError:
            raise _MissingError(sym) from None
        return v if type(v) is int else _number(v)

    return fn


def _number(v: Any) -> Num:
    """A value given for a parameter as an exact number (a numpy or sympy integer too)."""
    if isinstance(v, sympy.Rational) and not v.is_Integer:
        return Fraction(int(v.p), int(v.q))
    if hasattr(v, "__index__") and not isinstance(v, bool):
        return int(v)
    raise _MissingError(v)


def _build(e: sympy.Expr) -> Fn:
    if e.is_Integer:
        c = int(e)
        return lambda env: c
    if e.is_Rational:
        q = Fraction(int(e.p), int(e.q))  # type: ignore[attr-defined]
        return lambda env: q
    if e.is_Symbol:
        return _symbol(e)  # type: ignore[arg-type]
    args = [_build(a) for a in e.args]
    if e.is_Add:
        return _sum(args)
    if e.is_Mul:
        return _product(args)
    if e.is_Pow and e.args[1].is_Integer:
        base, n = args[0], int(e.args[1])
        if n >= 0:
            return lambda env: base(env) ** n
        return lambda env: Fraction(1) / Fraction(base(env)) ** (-n)
    if isinstance(e, sympy.floor):
        return lambda env: math.floor(args[0](env))
    if isinstance(e, sympy.ceiling):
        return lambda env: math.ceil(args[0](env))
    if isinstance(e, sympy.Mod):  # sympy's Mod and Python's % agree: the sign of the divisor
        a, b = args
        return lambda env: a(env) % b(env)
    if isinstance(e, (sympy.Max, sympy.Min)):
        return _extreme(args, isinstance(e, sympy.Max))
    if isinstance(e, sympy.Abs):
        inner = args[0]

        def absolute(env: Mapping[Any, int]) -> Num:
            v = inner(env)
            return -v if v < 0 else v

        return absolute
    raise _MissingError(e)


@functools.lru_cache(maxsize=8192)
def evaluator(expr: sympy.Expr) -> Fn | None:
    """``expr`` as a function of a ``{symbol: int}`` mapping (built once per expression); ``None`` if it is not
    plain integer arithmetic (``+ − ×``, integer powers, ``floor``, ``ceiling``, ``Mod``, ``Max``, ``Min``, ``Abs``).

    The function raises an internal exception when a parameter has no value; use :func:`value`.
    """
    try:
        return _build(expr)
    except _MissingError:
        return None


def value(expr: Any, values: Mapping[Any, Any]) -> int | None:
    """``expr`` at ``values`` as a Python ``int``; ``None`` exactly where ``expr.subs(values)`` is not a
    ``sympy.Integer`` (a parameter left without a value goes through sympy, which may still decide it)."""
    if isinstance(expr, int) and not isinstance(expr, bool):
        return expr
    e = expr if isinstance(expr, sympy.Basic) else sympy.Integer(int(expr))
    fn = evaluator(e)
    if fn is None:
        got = e.subs(values)
        return int(got) if got.is_Integer else None
    try:
        v = fn(values)
    except (_MissingError, ZeroDivisionError):  # sympy decides (a missing K still gives Mod(K, 1) = 0)
        got = e.subs(values)
        return int(got) if got.is_Integer else None
    if isinstance(v, Fraction):
        if v.denominator != 1:
            return None
        v = v.numerator
    return int(v)


def subs(expr: Any, values: Mapping[Any, Any]) -> sympy.Expr:
    """``expr.subs(values)``, without sympy when every parameter of ``expr`` gets an integer value."""
    e = expr if isinstance(expr, sympy.Basic) else sympy.Integer(int(expr))
    if e.is_Integer or not values:
        return e
    v = value(e, values)
    return sympy.Integer(v) if v is not None else e.subs(values)
