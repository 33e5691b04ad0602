r"""Multi-index printing of an N-D proof line: one bold letter per axis family, when that is exact.

An N-D statement names one variable per axis (``n0, n1``), one size per axis
(``N_0, N_1``) and repeats each condition of a guard and each index of an
array once per axis. When a side is *axis-uniform* — its axis-1 part is its
axis-0 part with every axis-0 name renamed to axis 1 (and so on), and no
condition or index mixes two axes — it reads exactly as the multi-index
expression

.. math::

    \sum_{\boldsymbol{n}, \boldsymbol{k}} [0 \le \boldsymbol{n} \le \boldsymbol{N} - \boldsymbol{K} \wedge \dots]\,
    x[\boldsymbol{n} + \boldsymbol{k}]

where a bold letter is the tuple over the axes, a condition on bold letters
holds on every axis, and ``x[n + k]`` is ``x[n_0 + k_0, n_1 + k_1]``.
:func:`project` returns that axis-0 form (sizes renamed so they print bold) or
``None``; nothing is dropped: expanding the projection over the axes gives the
side back, which :func:`project` checks before answering.

>>> from symconv.core.affine import Affine
>>> from symconv.proofs._iverson import Constraint, Expr, Sum, Term
>>> s = Sum(("n0", "n1"), (Constraint.le(0, Affine.var("n0")), Constraint.le(0, Affine.var("n1"))),
...         (Term("x", (Affine.var("n0"), Affine.var("n1"))),))
>>> project(Expr((s,)), 2).sums[0].variables
('n0',)
>>> project(Expr((Sum(("n0",), (), (Term("x", (Affine.var("n0"), Affine.var("n0"))),)),)), 2) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.proofs._iverson import Constraint, Derivative, Expr, Hypothesis, Pointwise, Sum, Term

__all__ = ["bold_name", "project", "project_context", "var_axis"]

_PARAM = re.compile(r"([A-Za-z]+)_(\d+)")


def var_axis(name: str) -> tuple[str, int | None, str]:
    """``(head, axis, tail)`` of a loop variable: ``k0i'`` → ``('k', 0, "i'")``; ``ci`` → ``('ci', None, '')``."""
    base = name.rstrip("'")
    tail = name[len(base) :]
    if len(base) > 1 and base[-1] in "ij" and base[-2].isdigit():
        tail = base[-1] + tail
        base = base[:-1]
    head = base.rstrip("0123456789")
    digits = base[len(head) :]
    return head, (int(digits) if digits and head else None), tail


def _rename_var(name: str, axis: int) -> str:
    head, ax, tail = var_axis(name)
    return name if ax is None else f"{head}{axis}{tail}"


def bold_name(p: sympy.Symbol) -> sympy.Symbol:
    """The bold stand-in of an axis-0 size ``N_0`` (sympy prints ``Nbold`` as ``\\boldsymbol{N}``)."""
    m = _PARAM.fullmatch(p.name)
    return sympy.Symbol(f"{m.group(1) if m else p.name}bold", **p.assumptions0)


def _param_axis(p: sympy.Symbol) -> int | None:
    m = _PARAM.fullmatch(p.name)
    return int(m.group(2)) if m else None


class _Axes:
    """Renaming axis 0 to axis ``j`` (variables and sizes), and the axes an object mentions."""

    def __init__(self, nd: int) -> None:
        self.nd = nd

    def of_expr(self, e: Any) -> set[int]:
        out = set()
        for s in as_expr(e).free_symbols:
            ax = _param_axis(s)  # type: ignore[arg-type]
            if ax is not None:
                out.add(ax)
        return out

    def of_affine(self, a: Affine) -> set[int]:
        out = self.of_expr(a.const)
        for v, c in a.coeffs:
            ax = var_axis(v)[1]
            if ax is not None:
                out.add(ax)
            out |= self.of_expr(c)
        return out

    def _sub(self, e: Any, j: int) -> sympy.Expr:
        e = as_expr(e)
        m = {
            s: sympy.Symbol(f"{_PARAM.fullmatch(s.name).group(1)}_{j}", **s.assumptions0)  # type: ignore[union-attr]
            for s in e.free_symbols
            if _param_axis(s) == 0
        }  # type: ignore[arg-type]
        return e.xreplace(m) if m else e

    def move(self, a: Affine, j: int) -> Affine:
        return Affine._make({_rename_var(v, j): self._sub(c, j) for v, c in a.coeffs}, self._sub(a.const, j))

    def bold(self, a: Affine) -> Affine:
        def b(e: Any) -> sympy.Expr:
            e = as_expr(e)
            m = {s: bold_name(s) for s in e.free_symbols if _param_axis(s) == 0}  # type: ignore[arg-type]
            return e.xreplace(m) if m else e

        return Affine._make({v: b(c) for v, c in a.coeffs}, b(a.const))


def _variables(names: Sequence[str], nd: int) -> tuple[str, ...] | None:
    axis0 = [v for v in names if var_axis(v)[1] == 0]
    for v in names:
        ax = var_axis(v)[1]
        if ax is not None and ax >= nd:
            return None
    for j in range(1, nd):
        if sorted(v for v in names if var_axis(v)[1] == j) != sorted(_rename_var(v, j) for v in axis0):
            return None
    return tuple(v for v in names if var_axis(v)[1] in (None, 0))


def _guard(cs: Sequence[Constraint], ax: _Axes) -> tuple[Constraint, ...] | None:
    per: dict[int, list[Constraint]] = {j: [] for j in range(ax.nd)}
    keep: list[Constraint] = []
    for c in cs:
        axes = ax.of_affine(c.expr)
        if len(axes) > 1 or (axes and max(axes) >= ax.nd):
            return None
        if axes:
            per[next(iter(axes))].append(c)
        if not axes or 0 in axes:
            keep.append(c)
    for j in range(1, ax.nd):
        moved = [Constraint(ax.move(c.expr, j), c.op) for c in per[0]]
        if len(moved) != len(per[j]) or set(moved) != set(per[j]):
            return None
    return tuple(Constraint(ax.bold(c.expr), c.op) for c in keep)


def _index(index: Sequence[Affine], ax: _Axes) -> tuple[Affine, ...] | None:
    lead = len(index) - ax.nd
    if lead < 0 or any(ax.of_affine(a) for a in index[:lead]):
        return None
    first = index[lead]
    if not ax.of_affine(first) <= {0}:
        return None
    if any(index[lead + j] != ax.move(first, j) for j in range(1, ax.nd)):
        return None
    return tuple(ax.bold(a) for a in (*index[:lead], first))


def _term(t: Term, ax: _Axes) -> Term | None:
    idx = _index(t.index, ax)
    return None if idx is None else Term(t.operand, idx, t.conjugate)


def _terms(ts: Sequence[Term], ax: _Axes) -> tuple[Term, ...] | None:
    out = [_term(t, ax) for t in ts]
    return None if any(t is None for t in out) else tuple(t for t in out if t is not None)


def _sum(s: Sum, ax: _Axes) -> Sum | None:
    vs, guard, factors = _variables(s.variables, ax.nd), _guard(s.guard, ax), _terms(s.factors, ax)
    if vs is None or guard is None or factors is None:
        return None
    return Sum(vs, guard, factors, s.coeff)


def project(side: Any, nd: int) -> Any:
    """The axis-0 (multi-index) form of an :class:`Expr`, :class:`Derivative`, :class:`Pointwise` or
    :class:`Hypothesis` of an ``nd``-D statement, or ``None`` when it is not axis-uniform (or ``nd`` < 2)."""
    if nd < 2:
        return None
    ax = _Axes(nd)
    if isinstance(side, Expr):
        sums = [_sum(s, ax) for s in side.sums]
        return None if any(s is None for s in sums) else Expr(tuple(s for s in sums if s is not None))
    if isinstance(side, Derivative):
        inner, idx = project(side.expr, nd), _index(side.index, ax)
        return None if inner is None or idx is None else Derivative(inner, side.operand, idx)
    if isinstance(side, Pointwise):
        vs, guard = _variables(side.variables, nd), _guard(side.guard, ax)
        terms = [(c, _terms(f, ax)) for c, f in side.terms]
        if vs is None or guard is None or any(f is None for _, f in terms):
            return None
        return Pointwise(vs, guard, tuple((c, f) for c, f in terms if f is not None))
    if isinstance(side, Hypothesis):
        vs, dom = _variables(side.variables, nd), _guard(side.domain, ax)
        lhs, rhs = _index(side.lhs, ax), _index(side.rhs, ax)
        if vs is None or dom is None or lhs is None or rhs is None:
            return None
        return Hypothesis(side.name, vs, dom, side.operand, lhs, rhs, side.sign)
    return None


def project_context(free: Sequence[str], assumptions: Sequence[Constraint], nd: int) -> Any:
    """``(free indices, assumptions)`` of a context in multi-index form, or ``None``."""
    if nd < 2:
        return None
    vs, guard = _variables(free, nd), _guard(assumptions, _Axes(nd))
    return None if vs is None or guard is None else (vs, guard)
