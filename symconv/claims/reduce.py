r"""Reductions of lazy arrays: ``inner``, ``sum`` and the gradient ``grad``.

.. math::

    \mathrm{inner}(a, b) = \sum_u a[u]\, b[u], \qquad
    \mathrm{sum}(a) = \sum_u a[u], \qquad
    \mathrm{grad}(y, x, g)[m] = \frac{\partial}{\partial x[m]} \sum_u g[u]\, y[u].

The gradient of an expression multilinear in ``x`` is read off its sums as
:func:`symconv.gradients.grad.grad_contraction` does for one contraction: the
factor reading ``x`` is removed and its index is set equal to ``m``.

>>> from symconv.claims.sizes import sizes
>>> from symconv.claims.node import Leaf
>>> from symconv.claims.ops import conv
>>> N, K = sizes("N K")
>>> x, w = Leaf("x", (N,)), Leaf("w", (K,))
>>> gx = Grad(conv("correlate", x, w), x, Leaf("g", (N - K + 1,)))
>>> gx.shape, gx.at({N: 3, K: 2}).tolist()
((N,), [g_0*w_0, g_0*w_1 + g_1*w_0, g_1*w_1])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from symconv.arrays.array import Array
from symconv.claims.node import Fresh, Leaf, Node, as_node, combine, in_range, result_name, shape_text, sift
from symconv.claims.ops import same_shape
from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, Factor, Operand
from symconv.gradients.grad import grad, grad_contraction
from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Sum

__all__ = ["Grad", "Inner", "Total", "gradient", "inner", "total"]


def _scalar(e: Any) -> Array:
    out = np.empty((), dtype=object)
    out[()] = e
    return Array._of(out)


def summed(parts: Sequence[Node], shape: Sequence[Any], fresh: Fresh) -> list[Sum]:
    r"""``Σ_u Π_i parts_i[u]`` over ``0 ≤ u < shape``: the bound ``u`` sifted where a delta fixes it."""
    u = tuple(fresh.name(f"u{a}") for a in range(len(shape)))
    at = tuple(Affine.var(v) for v in u)
    box = [Sum(u, tuple(in_range(at, shape)), ())]
    return [sift(s, u) for s in combine([box, *(p.sums(at, fresh) for p in parts)])]


class Inner(Node):
    """``inner(a, b) = Σ_u a[u] b[u]`` (a scalar)."""

    def __init__(self, a: Node, b: Node) -> None:
        self.a, self.b = a, b
        self.shape = ()

    def children(self) -> tuple[Node, ...]:
        return (self.a, self.b)

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        return summed((self.a, self.b), self.a.shape, fresh)

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        a, b = self.a.value(sizes, arrays), self.b.value(sizes, arrays)
        return _scalar(sympy.Add(*(p * q for p, q in zip(a.numpy().flat, b.numpy().flat))))

    def engine(self, sizes: Mapping[sympy.Symbol, int]) -> list[tuple[int, Contraction]] | None:
        for op, leaf in ((self.a, self.b), (self.b, self.a)):
            if not isinstance(leaf, Leaf) or leaf.structure is not None:
                continue
            side = op.engine(sizes)
            if side is None or any(leaf.name in {o.name for o in c.operands} for _, c in side):
                continue
            out = []
            for coef, c in side:
                out.append(
                    (
                        coef,
                        Contraction(
                            c.name,
                            Operand(c.result.name, ()),
                            (),
                            c.variables,
                            (*c.factors, Factor(leaf.name, c.result_index)),
                            (*c.operands, Operand(leaf.name, c.result.shape)),
                            c.params,
                        ),
                    )
                )
            return out
        return None

    def text(self) -> str:
        return f"inner({self.a.text()}, {self.b.text()})"


class Total(Node):
    """``sum(a) = Σ_u a[u]`` (a scalar)."""

    def __init__(self, a: Node) -> None:
        self.a = a
        self.shape = ()

    def children(self) -> tuple[Node, ...]:
        return (self.a,)

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        return summed((self.a,), self.a.shape, fresh)

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        return _scalar(sympy.Add(*self.a.value(sizes, arrays).numpy().flat))

    def text(self) -> str:
        return f"sum({self.a.text()})"


class Grad(Node):
    """``grad(y, wrt, upstream)[m] = ∂/∂wrt[m] Σ_u upstream[u] y[u]`` (``y`` multilinear in ``wrt``)."""

    def __init__(self, y: Node, wrt: Leaf, upstream: Node) -> None:
        self.y, self.wrt, self.upstream = y, wrt, upstream
        self.shape = wrt.shape

    def children(self) -> tuple[Node, ...]:
        return (self.y, self.wrt, self.upstream)

    def _start(self, fresh: Fresh) -> list[Sum]:
        return summed((self.y, self.upstream), self.y.shape, fresh)

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        out = []
        for s in self._start(fresh):
            hits = [i for i, t in enumerate(s.factors) if t.operand == self.wrt.name]
            if not hits:
                continue
            if len(hits) > 1:
                raise SymconvError(
                    f"grad: `y` must be multilinear in `wrt` ({self.wrt.name}): a term reads it {len(hits)} times"
                )
            t = s.factors[hits[0]]
            guard = s.guard + tuple(Constraint.eq(a, b) for a, b in zip(t.index, at))
            guard += tuple(in_range(at, self.shape))
            out.append(Sum(s.variables, guard, s.factors[: hits[0]] + s.factors[hits[0] + 1 :], s.coeff))
        return out

    def iverson(self, ctx: Context, *, derivative: bool = True) -> Expr | Derivative:
        """``Derivative(Σ_u y[u]·upstream[u], wrt, free)`` (or, ``derivative=False``, differentiated)."""
        if not derivative:
            return super().iverson(ctx)
        if len(ctx.free) != self.ndim:
            raise SymconvError(
                f"iverson: the context must have one free index per axis ({self.ndim}); got {list(ctx.free)}"
            )
        fresh = Fresh((*ctx.free, *(p.name for p in ctx.params)))  # bound variables apart from sizes too
        return Derivative(Expr(tuple(self._start(fresh))), self.wrt.name, tuple(Affine.var(f) for f in ctx.free))

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        y = self.y.value(sizes, arrays)
        return grad(y, self.wrt.value(sizes, arrays), upstream=self.upstream.value(sizes, arrays))

    def engine(self, sizes: Mapping[sympy.Symbol, int]) -> list[tuple[int, Contraction]] | None:
        if not isinstance(self.upstream, Leaf) or self.upstream.structure is not None:
            return None
        side = self.y.engine(sizes)
        if side is None:
            return None
        out = []
        for coef, c in side:
            names = [o.name for o in c.operands]
            if self.upstream.name in names or names.count(self.wrt.name) > 1:
                return None
            reads = [f for f in c.factors if f.operand == self.wrt.name]
            if len(reads) > 1:
                return None
            if reads:
                free = result_name([*names, self.upstream.name])
                out.append((coef, grad_contraction(c, self.wrt.name, self.upstream.name, result=free)))
        return out or None

    def text(self) -> str:
        return f"grad({self.y.text()}, {self.wrt.text()}, {self.upstream.text()})"


def inner(a: Any, b: Any) -> Inner:
    """``Σ_u a[u] b[u]`` of two arrays of one shape (one of them lazy)."""
    na, nb = as_node("inner", "a", a), as_node("inner", "b", b)
    if not same_shape(na.shape, nb.shape):
        raise SymconvError(
            f"inner: `a` and `b` must have the same shape; got {shape_text(na.shape)} and {shape_text(nb.shape)}"
        )
    return Inner(na, nb)


def total(a: Any) -> Total:
    """``Σ_u a[u]`` of a lazy array."""
    return Total(as_node("sum", "a", a))


def gradient(y: Any, wrt: Any, upstream: Any = None) -> Grad:
    """``grad`` on lazy arrays: ``wrt`` a symbolic array (``symconv.symbols``) read by ``y``."""
    ny = as_node("grad", "y", y)
    nw = as_node("grad", "wrt", wrt)
    if not isinstance(nw, Leaf) or nw.structure is not None:
        raise SymconvError(
            f"grad: `wrt` must be an array of distinct symbols (symconv.symbols without structure); got {nw.text()}"
        )
    names = {leaf.name for leaf in ny.leaves()}
    if nw.name not in names:
        raise SymconvError(f"grad: `wrt` ({nw.name}) must occur in `y`; `y` reads {sorted(names)}")
    if upstream is None:
        if "g" in names:
            raise SymconvError("grad: the default upstream gradient `g` already occurs in `y`; pass `upstream`")
        ng: Node = Leaf("g", ny.shape)
    else:
        ng = as_node("grad", "upstream", upstream)
    if not same_shape(ng.shape, ny.shape):
        raise SymconvError(
            f"grad: `upstream` must have the shape of `y` (={shape_text(ny.shape)}); got {shape_text(ng.shape)}"
        )
    if nw.name in {leaf.name for leaf in ng.leaves()}:
        raise SymconvError(f"grad: `upstream` must not contain `wrt` ({nw.name}); it is held constant")
    return Grad(ny, nw, ng)
