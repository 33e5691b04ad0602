"""Exact comparison of symconv's symbolic outputs with a library's numeric ones.

The libraries run on small integers (float64 / complex128 hold them exactly),
so a library result converts back to exact sympy integers; symconv's output,
with the same integers substituted, must then be equal after ``expand``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from symconv import Array


def integers(
    rng: np.random.Generator, shape: Any, *, complex_: bool = False, low: int = -9, high: int = 9
) -> np.ndarray:
    """Random small integers (optionally Gaussian integers) as an int/complex numpy array."""
    re = rng.integers(low, high + 1, size=shape)
    if not complex_:
        return re.astype(np.int64)
    return re + 1j * rng.integers(low, high + 1, size=shape)


def to_sympy(value: Any) -> sympy.Expr:
    """An exact sympy integer (or Gaussian integer) from an integer-valued number."""
    c = complex(value)
    re, im = round(c.real), round(c.imag)
    assert abs(c.real - re) < 1e-6 and abs(c.imag - im) < 1e-6, f"{value!r} is not integer-valued"
    return sympy.Integer(re) + sympy.I * sympy.Integer(im)


def bind(sym: Array, values: np.ndarray) -> dict[sympy.Expr, sympy.Expr]:
    """The substitution ``{symbol: exact value}`` for an array of symbols."""
    assert sym.shape == values.shape
    return {s: to_sympy(v) for s, v in zip(sym.numpy().flat, values.flat)}


def assert_same(got: Array, want: Any, bindings: dict[sympy.Expr, sympy.Expr] | None = None) -> None:
    """``got`` (with ``bindings`` substituted) equals the library's ``want`` exactly."""
    want = np.asarray(want)
    if bindings:
        got = got.subs(bindings)
    assert got.shape == want.shape, f"shape {got.shape} != library's {want.shape}"
    for idx in np.ndindex(*want.shape):
        g, w = got.numpy()[idx], to_sympy(want[idx])
        assert sympy.expand(g - w) == 0, f"at {idx}: symconv {g} != library {w}"
