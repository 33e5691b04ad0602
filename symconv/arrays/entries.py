"""Entries of arrays: one value made an exact entry (never by parsing a string), numbers multiplied out,
and exact JSON.

>>> import sympy
>>> jsonable([sympy.Integer(2), [sympy.Rational(-3, 4)]])
[2, ['-3/4']]
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from symconv.arrays.text import jsonable
from symconv.core.errors import SymconvError
from symconv.core.numbers import check_entry_number, check_expr, int_digits, shown

__all__ = ["entry", "jsonable", "numbers_expanded"]


def entry(value: Any, *, exact: bool, where: str, max_digits: int | None = None) -> sympy.Expr:
    """Convert one entry to a sympy expression without parsing strings.

    ``where`` names the caller and the argument (``"asarray: `values`"``);
    ``max_digits`` is the ``literal_digits`` limit when the caller already read it
    (one read per array, not per entry).
    """
    if isinstance(value, sympy.Basic):
        if not isinstance(value, sympy.Expr):
            raise SymconvError(
                f"{where}: entries must be sympy expressions or numbers; got {shown(value)} ({type(value).__name__})"
            )
        check_expr(where, value, exact=exact, max_digits=max_digits)
        if exact and value.has(sympy.Float):
            return value.xreplace({f: sympy.Rational(f) for f in value.atoms(sympy.Float)})
        return value
    if isinstance(value, (bool, np.bool_)):
        return sympy.Integer(int(value))
    if isinstance(value, (int, np.integer)):
        # bits ≤ 3·limit means digits ≤ limit: the common case costs one comparison
        if isinstance(value, int) and (max_digits is None or value.bit_length() > 3 * max_digits):
            check_entry_number(where, value, max_digits)
        return sympy.Integer(int(value))
    if isinstance(value, Fraction):
        check_entry_number(where, value, max_digits)
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise SymconvError(f"{where}: entries must be finite; got {shown(value)}")
        if exact:
            num, den = value.as_integer_ratio()  # the exact binary value (float16 … longdouble)
            check_entry_number(where, max(int(num), int(den), key=int_digits), max_digits)
            return sympy.Rational(int(num), int(den))
        f = float(value)
        if not np.isfinite(f):
            raise SymconvError(
                f"{where}: {shown(value)} is finite but outside float64's range; pass exact=True to keep it exactly"
            )
        return sympy.Float(f)
    if isinstance(value, (complex, np.complexfloating)):
        # Python and numpy have no integer complex: a part that is a whole number is that integer, so
        # ``1+1j`` is exactly ``1 + I`` (other parts follow the float rule above)
        re, im = (
            sympy.Integer(int(p)) if np.isfinite(p) and float(p).is_integer() and abs(p) < 2**53 else p
            for p in (value.real, value.imag)
        )
        re = entry(re, exact=exact, where=where, max_digits=max_digits)
        im = entry(im, exact=exact, where=where, max_digits=max_digits)
        return re + sympy.I * im
    if isinstance(value, (list, tuple, np.ndarray)):
        raise SymconvError(
            f"{where} must be rectangular (every row the same length); found a nested {type(value).__name__}"
        )
    if isinstance(value, (str, bytes)):
        raise SymconvError(
            f"{where}: entries must be numbers or sympy expressions; got the string {shown(value)} "
            "(symconv never parses strings: use symconv.symbols or sympy.Symbol)"
        )
    if isinstance(value, numbers.Number):
        raise SymconvError(f"{where}: unsupported number type {type(value).__name__} (got {shown(value)})")
    if value is None:
        raise SymconvError(f"{where}: entries must be numbers or sympy expressions; got None")
    raise SymconvError(f"{where}: entries must be numbers or sympy expressions; got {type(value).__name__}")


def numbers_expanded(data: np.ndarray) -> np.ndarray:
    """``data`` with every entry that is a number but not yet a single number expanded, in place:
    ``I*(1 + I)`` becomes ``-1 + I`` (symbolic entries are left as the sum of their terms).

    >>> numbers_expanded(np.array([sympy.I * (1 + sympy.I), sympy.Symbol("x") * (1 + sympy.I)], dtype=object))
    array([-1 + I, x*(1 + I)], dtype=object)
    """
    flat = data.reshape(-1)
    for i, e in enumerate(flat):
        if not e.is_Atom and e.is_number:
            flat[i] = sympy.expand(e)
    return data
