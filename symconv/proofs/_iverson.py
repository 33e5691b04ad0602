r"""Iverson sums over :math:`\mathbb{Z}^V`: the representation every proof works on.

A :class:`Sum` is

.. math:: c \cdot \sum_{v \in \mathbb{Z}^V} [G(v)] \prod_i a_i[\phi_i(v)]

where the guard :math:`G` is a conjunction of linear constraints
(:class:`Constraint`: ``expr ≥ 0`` or ``expr = 0``) over the bound variables
``v``, the free indices of the statement (``m``…) and the size parameters
(``N``, ``K``…, sympy symbols). Arrays are arbitrary functions on
:math:`\mathbb{Z}^d`; ONLY the guard decides which entries count, so a
dropped range constraint is a different sum, never silently the same one.
A Kronecker delta :math:`\delta_{a,b}` is the equality constraint ``a - b = 0``.

Sums are built from the one definition (:mod:`symconv.core.formula`):
:func:`contraction_sum` reads a :class:`~symconv.core.formula.Contraction` as an
Iverson sum, so a proof is about exactly what symconv computes.

>>> from symconv.core.formula import ConvSpec, forward
>>> import sympy
>>> N, K = sympy.symbols("N K", integer=True, positive=True)
>>> s = contraction_sum(forward(ConvSpec(input_size=(N,), kernel_size=(K,)))[0], at=(Affine.var("m"),))
>>> s.variables, [str(t) for t in s.factors]
(('n0', 'k0'), ['x[k0 + n0]', 'w[k0]'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Union

import sympy

from symconv.core.affine import Affine, Scalar, as_expr
from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction

__all__ = [
    "EQ",
    "GE",
    "Constraint",
    "Context",
    "Derivative",
    "Expr",
    "Hypothesis",
    "Pointwise",
    "Side",
    "Sum",
    "Term",
    "contraction_sum",
    "inner_sum",
]

GE = ">="
EQ = "=="


def _aff(value: Affine | Scalar) -> Affine:
    return value if isinstance(value, Affine) else Affine.constant(value)


@dataclass(frozen=True)
class Constraint:
    """``expr ≥ 0`` (``op='>='``) or ``expr = 0`` (``op='=='``), ``expr`` affine."""

    expr: Affine
    op: str = GE

    @staticmethod
    def le(a: Affine | Scalar, b: Affine | Scalar) -> Constraint:
        """``a ≤ b``."""
        return Constraint(_aff(b) - _aff(a), GE)

    @staticmethod
    def lt(a: Affine | Scalar, b: Affine | Scalar) -> Constraint:
        """``a < b`` (integers: ``a ≤ b - 1``)."""
        return Constraint(_aff(b) - _aff(a) - 1, GE)

    @staticmethod
    def eq(a: Affine | Scalar, b: Affine | Scalar) -> Constraint:
        """``a = b`` (a Kronecker delta)."""
        return Constraint(_aff(a) - _aff(b), EQ).canonical()

    def canonical(self) -> Constraint:
        """Equalities with a sign fixed (first coefficient positive), so equal ones compare equal."""
        if self.op != EQ:
            return self
        lead = self.expr.coeffs[0][1] if self.expr.coeffs else self.expr.const
        if lead.could_extract_minus_sign():
            return Constraint(-self.expr, EQ)
        return self

    def substitute(self, mapping: Mapping[str, Affine]) -> Constraint:
        """Replace variables by affine maps."""
        return Constraint(self.expr.substitute(mapping), self.op).canonical()

    def subs(self, params: Mapping[sympy.Symbol, Scalar]) -> Constraint:
        """Fix size parameters."""
        return Constraint(self.expr.subs(params), self.op).canonical()

    @property
    def variables(self) -> tuple[str, ...]:
        """Variables with a non-zero coefficient."""
        return self.expr.variables

    def trivially_true(self) -> bool:
        """A constant constraint that holds (``3 ≥ 0``, ``0 = 0``)."""
        if self.expr.coeffs or not self.expr.const.is_Integer:
            return False
        c = int(self.expr.const)
        return c == 0 if self.op == EQ else c >= 0

    def __str__(self) -> str:
        return f"{self.expr} {'>=' if self.op == GE else '=='} 0"


@dataclass(frozen=True)
class Term:
    """One indexed factor ``operand[index]`` (optionally conjugated)."""

    operand: str
    index: tuple[Affine, ...]
    conjugate: bool = False

    def substitute(self, mapping: Mapping[str, Affine]) -> Term:
        """Replace variables by affine maps in every index."""
        return replace(self, index=tuple(a.substitute(mapping) for a in self.index))

    def subs(self, params: Mapping[sympy.Symbol, Scalar]) -> Term:
        """Fix size parameters."""
        return replace(self, index=tuple(a.subs(params) for a in self.index))

    @property
    def variables(self) -> set[str]:
        """Variables read by the index."""
        return {v for a in self.index for v in a.variables}

    def __str__(self) -> str:
        inner = ", ".join(str(a) for a in self.index)
        return f"{'conj ' if self.conjugate else ''}{self.operand}[{inner}]"


def _clean_guard(guard: Sequence[Constraint]) -> tuple[Constraint, ...]:
    out: list[Constraint] = []
    for c in guard:
        c = c.canonical()
        if c.trivially_true() or c in out:
            continue
        out.append(c)
    return tuple(out)


@dataclass(frozen=True)
class Sum:
    r"""``coeff · Σ_{variables ∈ ℤ^V} [guard] · Π factors``."""

    variables: tuple[str, ...]
    guard: tuple[Constraint, ...]
    factors: tuple[Term, ...]
    coeff: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "guard", _clean_guard(self.guard))

    def substitute(self, mapping: Mapping[str, Affine], variables: Sequence[str]) -> Sum:
        """Replace variables by affine maps; ``variables`` are the new bound variables."""
        return Sum(
            tuple(variables),
            tuple(c.substitute(mapping) for c in self.guard),
            tuple(t.substitute(mapping) for t in self.factors),
            self.coeff,
        )

    def subs(self, params: Mapping[sympy.Symbol, Scalar]) -> Sum:
        """Fix size parameters."""
        return Sum(
            self.variables,
            tuple(c.subs(params) for c in self.guard),
            tuple(t.subs(params) for t in self.factors),
            self.coeff,
        )

    def scaled(self, factor: int) -> Sum:
        """The same sum times the integer ``factor``."""
        return replace(self, coeff=self.coeff * factor)

    def __str__(self) -> str:
        g = " & ".join(str(c) for c in self.guard)
        body = " * ".join(str(t) for t in self.factors)
        return f"{self.coeff} * sum_{{{', '.join(self.variables)}}} [{g}] {body}"


@dataclass(frozen=True)
class Expr:
    """A finite sum of Iverson sums (a linear combination with integer coefficients)."""

    sums: tuple[Sum, ...]

    @staticmethod
    def of(*sums: Sum) -> Expr:
        """The expression ``sums[0] + sums[1] + …``."""
        return Expr(tuple(sums))

    def __add__(self, other: Expr) -> Expr:
        return Expr(self.sums + other.sums)

    def __neg__(self) -> Expr:
        return Expr(tuple(s.scaled(-1) for s in self.sums))

    def __sub__(self, other: Expr) -> Expr:
        return self + (-other)

    def replace_sum(self, i: int, new: Sum) -> Expr:
        """The expression with sum ``i`` replaced by ``new``."""
        return Expr(self.sums[:i] + (new,) + self.sums[i + 1 :])

    def subs(self, params: Mapping[sympy.Symbol, Scalar]) -> Expr:
        """Fix size parameters."""
        return Expr(tuple(s.subs(params) for s in self.sums))


@dataclass(frozen=True)
class Derivative:
    """``∂ expr / ∂ operand[index]``, ``index`` in the free variables."""

    expr: Expr
    operand: str
    index: tuple[Affine, ...]

    def subs(self, params: Mapping[sympy.Symbol, Scalar]) -> Derivative:
        """Fix size parameters."""
        return Derivative(self.expr.subs(params), self.operand, tuple(a.subs(params) for a in self.index))


@dataclass(frozen=True)
class Pointwise:
    r"""``∀ v ∈ ℤ^V: [guard] ⇒ Σ_i c_i Π factors_i = 0``: a conclusion about entries, not a sum."""

    variables: tuple[str, ...]
    guard: tuple[Constraint, ...]
    terms: tuple[tuple[int, tuple[Term, ...]], ...]

    def subs(self, params: Mapping[sympy.Symbol, Scalar]) -> Pointwise:
        """Fix size parameters."""
        return Pointwise(
            self.variables,
            tuple(c.subs(params) for c in self.guard),
            tuple((c, tuple(t.subs(params) for t in f)) for c, f in self.terms),
        )


Side = Union[Expr, Derivative, Pointwise]  # noqa: UP007 (a runtime alias on Python 3.10)


@dataclass(frozen=True)
class Hypothesis:
    """A named assumption about entries: ``∀ v: [domain] ⇒ operand[lhs] = sign · operand[rhs]``.

    ``w[k] = w[K-1-k]`` on ``0 ≤ k < K`` is centro-symmetry (``sign=1``);
    ``sign=-1`` is anti-centro-symmetry.
    """

    name: str
    variables: tuple[str, ...]
    domain: tuple[Constraint, ...]
    operand: str
    lhs: tuple[Affine, ...]
    rhs: tuple[Affine, ...]
    sign: int = 1

    def subs(self, params: Mapping[sympy.Symbol, Scalar]) -> Hypothesis:
        """Fix size parameters."""
        return replace(
            self,
            domain=tuple(c.subs(params) for c in self.domain),
            lhs=tuple(a.subs(params) for a in self.lhs),
            rhs=tuple(a.subs(params) for a in self.rhs),
        )


@dataclass(frozen=True)
class Context:
    """What a statement is about: size parameters, free indices, assumptions, hypotheses.

    ``assumptions`` are linear constraints on parameters and free indices
    (``N ≥ K``, ``0 ≤ m < N``); every parameter is a positive integer.
    """

    params: tuple[sympy.Symbol, ...]
    free: tuple[str, ...]
    assumptions: tuple[Constraint, ...]
    hypotheses: tuple[Hypothesis, ...] = ()

    def hypothesis(self, name: str) -> Hypothesis:
        """The hypothesis called ``name``."""
        for h in self.hypotheses:
            if h.name == name:
                return h
        raise SymconvError(f"proof: no hypothesis named {name!r}; known: {[h.name for h in self.hypotheses]}")


def _range(a: Affine, size: sympy.Expr) -> list[Constraint]:
    return [Constraint.le(0, a), Constraint.lt(a, Affine.constant(as_expr(size)))]


def contraction_sum(
    c: Contraction,
    at: Sequence[Affine] | None = None,
    *,
    rename: Mapping[str, str] | None = None,
    operands: Mapping[str, str] | None = None,
) -> Sum:
    """Read a contraction as an Iverson sum.

    With ``at`` (affine maps of free indices, one per result axis), the sum is
    the result entry ``result[at]``: the result index equals ``at`` (Kronecker
    deltas in the guard). Without it, the result index is left in the factors'
    hands (use :func:`inner_sum`). Every loop variable ranges over its box and
    every index read must lie in its operand's shape: the Iverson guard of
    :mod:`symconv.core.formula`. ``rename`` renames loop variables, ``operands``
    renames operands (``{"x": "g"}``).
    """
    rename = dict(rename or {})
    operands = dict(operands or {})
    mapping = {v.name: Affine.var(rename.get(v.name, v.name)) for v in c.variables}
    guard: list[Constraint] = []
    for v in c.variables:
        guard += _range(mapping[v.name], v.extent)
    factors = []
    for f in c.factors:
        if f.boundary is not None and any(b is not None for b in f.boundary):
            raise SymconvError(
                f"proof: `padding_mode` must be 'zeros' for a general-size proof; got a {f.boundary} boundary "
                "(use method='instance')"
            )
        shape = c.operand(f.operand).shape
        idx = tuple(a.substitute(mapping) for a in f.index)
        for a, size in zip(idx, shape):
            guard += _range(a, size)
        factors.append(Term(operands.get(f.operand, f.operand), idx, f.conjugate))
    ridx = tuple(a.substitute(mapping) for a in c.result_index)
    for a, size in zip(ridx, c.result.shape):
        guard += _range(a, size)
    if at is not None:
        if len(at) != len(ridx):
            raise SymconvError(f"proof: `at` must have {len(ridx)} indices (one per result axis); got {len(at)}")
        guard += [Constraint.eq(a, b) for a, b in zip(ridx, at)]
    return Sum(tuple(mapping[v.name].variables[0] for v in c.variables), tuple(guard), tuple(factors))


def inner_sum(c: Contraction, other: str, **kwargs: Mapping[str, str]) -> Sum:
    """``Σ_y other[y] · result[y]``: the inner product of the result with an array ``other``."""
    s = contraction_sum(c, None, **kwargs)  # type: ignore[arg-type]
    mapping = {v.name: Affine.var((kwargs.get("rename") or {}).get(v.name, v.name)) for v in c.variables}
    ridx = tuple(a.substitute(mapping) for a in c.result_index)
    return Sum(s.variables, s.guard, (*s.factors, Term(other, ridx)))
