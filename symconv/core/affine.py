"""Affine integer index maps: the vocabulary of every index formula.

An :class:`Affine` is ``c_0 + Σ_v c_v · v`` over named integer loop variables
``v``. The coefficients ``c`` are sympy expressions: integers for a concrete
instance, or size parameters (``s``, ``d``, ``N``, ``K`` …) for a statement
about all sizes. The same object is evaluated three ways:

* :meth:`Affine.evaluate` on numpy integer arrays (instance engines),
* :meth:`Affine.to_sympy` as a sympy expression (display, proofs),
* :meth:`Affine.subs` to fix size parameters.

>>> n, k = Affine.var("n"), Affine.var("k")
>>> idx = 2 * n + 3 * k - 1
>>> idx
Affine(3*k + 2*n - 1)
>>> int(idx.evaluate({"n": 1, "k": 2}))
7
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
import sympy

__all__ = ["Affine", "Scalar", "as_expr"]

Scalar = Union[int, sympy.Expr]  # noqa: UP007 (a runtime alias: `X | Y` needs 3.10 objects)


def as_expr(value: Scalar) -> sympy.Expr:
    """Return ``value`` as a sympy expression (ints become ``Integer``)."""
    if isinstance(value, sympy.Expr):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"expected an integer or sympy expression, got {value!r}")
    if isinstance(value, (int, np.integer)):
        return sympy.Integer(int(value))
    raise TypeError(f"expected an integer or sympy expression, got {value!r}")


def _expand(c: sympy.Expr) -> sympy.Expr:
    """``sympy.expand(c)``; an integer is its own expansion (the concrete instances: no sympy walk)."""
    return c if c.is_Integer else sympy.expand(c)


@dataclass(frozen=True)
class Affine:
    """``const + Σ coeffs[v] · v``: an affine map of integer loop variables.

    ``coeffs`` is a tuple of ``(variable name, coefficient)`` pairs, sorted by
    name, with no zero coefficients, so two equal maps compare equal.
    """

    coeffs: tuple[tuple[str, sympy.Expr], ...] = ()
    const: sympy.Expr = sympy.Integer(0)

    # -- construction -------------------------------------------------------
    @staticmethod
    def var(name: str) -> Affine:
        """The map ``v ↦ v`` for the loop variable ``name``."""
        return Affine(((name, sympy.Integer(1)),), sympy.Integer(0))

    @staticmethod
    def constant(value: Scalar) -> Affine:
        """The constant map ``value``."""
        return Affine((), as_expr(value))

    @staticmethod
    def _make(coeffs: Mapping[str, sympy.Expr], const: sympy.Expr) -> Affine:
        items = tuple(sorted((v, _expand(c)) for v, c in coeffs.items() if _expand(c) != 0))
        return Affine(items, _expand(const))

    # -- arithmetic ---------------------------------------------------------
    def _coerce(self, other: Any) -> Affine:
        if isinstance(other, Affine):
            return other
        return Affine.constant(other)

    def __add__(self, other: Any) -> Affine:
        o = self._coerce(other)
        coeffs = dict(self.coeffs)
        for v, c in o.coeffs:
            coeffs[v] = coeffs.get(v, sympy.Integer(0)) + c
        return Affine._make(coeffs, self.const + o.const)

    __radd__ = __add__

    def __neg__(self) -> Affine:
        return Affine._make({v: -c for v, c in self.coeffs}, -self.const)

    def __sub__(self, other: Any) -> Affine:
        return self + (-self._coerce(other))

    def __rsub__(self, other: Any) -> Affine:
        return self._coerce(other) - self

    def __mul__(self, factor: Scalar) -> Affine:
        f = as_expr(factor)
        return Affine._make({v: c * f for v, c in self.coeffs}, self.const * f)

    __rmul__ = __mul__

    # -- queries ------------------------------------------------------------
    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the loop variables with a non-zero coefficient."""
        return tuple(v for v, _ in self.coeffs)

    def coeff(self, name: str) -> sympy.Expr:
        """The coefficient of loop variable ``name`` (0 if absent)."""
        return dict(self.coeffs).get(name, sympy.Integer(0))

    @property
    def parameters(self) -> set[sympy.Symbol]:
        """Size parameters (sympy symbols) appearing in coefficients or constant."""
        out: set[sympy.Symbol] = set(self.const.free_symbols)  # type: ignore[arg-type]
        for _, c in self.coeffs:
            out |= c.free_symbols  # type: ignore[arg-type]
        return out

    def is_concrete(self) -> bool:
        """True when every coefficient and the constant are integers."""
        if self.const.is_Integer and all(c.is_Integer for _, c in self.coeffs):
            return True
        return not self.parameters

    # -- the three interpretations -----------------------------------------
    def subs(self, params: Mapping[Any, Any]) -> Affine:
        """Substitute size parameters (e.g. ``{s: 2}``)."""
        if not params:
            return self
        from symconv.core.fastsubs import subs

        return Affine._make({v: subs(c, params) for v, c in self.coeffs}, subs(self.const, params))

    def rename(self, mapping: Mapping[str, str]) -> Affine:
        """Rename loop variables."""
        return Affine._make({mapping.get(v, v): c for v, c in self.coeffs}, self.const)

    def substitute(self, mapping: Mapping[str, Affine]) -> Affine:
        """Replace loop variables by affine maps (composition)."""
        out = Affine.constant(self.const)
        for v, c in self.coeffs:
            out = out + (mapping[v] if v in mapping else Affine.var(v)) * c
        return out

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """Evaluate with integer values (or numpy integer arrays) for the variables."""
        if not self.is_concrete():
            raise TypeError(f"cannot evaluate {self} with free size parameters")
        total: Any = int(self.const)
        for v, c in self.coeffs:
            total = total + int(c) * env[v]
        return total

    def to_sympy(self, symbols: Mapping[str, sympy.Expr] | None = None) -> sympy.Expr:
        """The map as a sympy expression in ``Symbol(v, integer=True)`` (or ``symbols[v]``)."""
        total: sympy.Expr = self.const
        for v, c in self.coeffs:
            sym = symbols[v] if symbols and v in symbols else sympy.Symbol(v, integer=True)
            total = total + c * sym
        return total

    def __str__(self) -> str:
        return str(self.to_sympy())

    def __repr__(self) -> str:
        return f"Affine({self})"
