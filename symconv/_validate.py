"""Argument checking at the public boundary.

Every check raises :class:`~symconv.SymconvError` with a message naming the
operation, the argument, what must hold and what was given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy

from symconv._errors import SymconvError

__all__ = ["check_choice", "check_int", "per_axis", "per_side"]


def _is_int(v: Any) -> bool:
    """Python, numpy or sympy integers; never booleans."""
    return isinstance(v, (int, np.integer, sympy.Integer)) and not isinstance(v, (bool, np.bool_))


def _seq(value: Any) -> Any:
    """A 1-D numpy array of parameters is read like a tuple (torch and numpy users pass them)."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return tuple(value.tolist())
    return value


def check_int(op: str, name: str, value: Any, *, minimum: int) -> int:
    """``value`` as an int ``≥ minimum``, or a :class:`SymconvError`."""
    if not _is_int(value):
        raise SymconvError(f"{op}: `{name}` must be an integer ≥ {minimum}; got {value!r}")
    if value < minimum:
        raise SymconvError(f"{op}: `{name}` must be ≥ {minimum}; got {name}={value}")
    return int(value)


def per_axis(op: str, name: str, value: Any, ndim: int, *, minimum: int) -> tuple[int, ...]:
    """An int or a sequence of ``ndim`` ints, each ``≥ minimum``, as a tuple."""
    value = _seq(value)
    if _is_int(value):
        return (check_int(op, name, value, minimum=minimum),) * ndim
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != ndim:
            raise SymconvError(
                f"{op}: `{name}` must be an integer or a sequence of {ndim} integers "
                f"(one per spatial axis); got {value!r}"
            )
        return tuple(check_int(op, name, v, minimum=minimum) for v in value)
    raise SymconvError(f"{op}: `{name}` must be an integer or a sequence of {ndim} integers; got {value!r}")


def per_side(op: str, name: str, value: Any, ndim: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Zero padding as ``(lo, hi)`` per axis from an int, ``ndim`` ints, or ``ndim`` pairs."""
    value = _seq(value)
    if _is_int(value):
        p = check_int(op, name, value, minimum=0)
        return (p,) * ndim, (p,) * ndim
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == ndim:
        lo: list[int] = []
        hi: list[int] = []
        for v in value:
            v = _seq(v)
            if _is_int(v):
                p = check_int(op, name, v, minimum=0)
                lo.append(p)
                hi.append(p)
            elif isinstance(v, Sequence) and not isinstance(v, str) and len(v) == 2:
                lo.append(check_int(op, name, v[0], minimum=0))
                hi.append(check_int(op, name, v[1], minimum=0))
            else:
                raise SymconvError(f"{op}: each entry of `{name}` must be an integer or a (lo, hi) pair; got {v!r}")
        return tuple(lo), tuple(hi)
    raise SymconvError(f"{op}: `{name}` must be an integer, {ndim} integers, or {ndim} (lo, hi) pairs; got {value!r}")


def check_choice(op: str, name: str, value: Any, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise SymconvError(f"{op}: `{name}` must be one of {allowed}; got {value!r}")
    return value
