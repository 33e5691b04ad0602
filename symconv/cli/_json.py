"""Exact values as JSON: integers stay integers, every other exact value is its text.

>>> import sympy
>>> exact_json([[sympy.Integer(3), sympy.Rational(1, 2)], [sympy.Symbol("x_0") * 2, sympy.I - 1]])
[[3, '1/2'], ['2*x_0', '-1 + I']]
"""

from __future__ import annotations

from typing import Any

__all__ = ["exact_json"]


def exact_json(value: Any) -> Any:
    """``value`` (nested lists/tuples of sympy or Python numbers, or a symconv Array) as JSON-ready data."""
    import sympy

    if hasattr(value, "tolist") and hasattr(value, "shape"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [exact_json(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, sympy.Basic):
        if value.is_Integer:
            return int(value)  # type: ignore[call-overload]
        return str(value)
    return str(value)
