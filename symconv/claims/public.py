r"""The public operations, for arrays of concrete AND symbolic size.

``symconv.symbols``, ``correlate``, ``convolve`` and ``grad`` are these
functions: with a symbolic size anywhere (a size from :func:`symconv.sizes`
in a shape, or a lazy array as an argument) they build a lazy expression
(:mod:`symconv.claims`); otherwise they ARE the concrete operations, with
the same arguments, results and errors as before. ``flip``, ``inner`` and
``sum`` are new and work for both.

>>> import symconv as sc
>>> N, K = sc.sizes("N K")
>>> y = sc.correlate(sc.symbols("x", N), sc.symbols("w", K))
>>> y.shape, str(y)
((-K + N + 1,), 'correlate(x, w)')
>>> sc.inner([1, 2], [3, 4]), sc.sum(sc.symbols("a", 3)), sc.flip([1, 2, 3]).tolist()
(11, a_0 + a_1 + a_2, [3, 2, 1])
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import sympy

from symconv.arrays import array as _array
from symconv.arrays import ops as _ops
from symconv.arrays.array import Array, operand
from symconv.claims.node import STRUCTURES, Leaf, Node
from symconv.claims.sizes import assumed, sizes
from symconv.core.errors import SymconvError
from symconv.core.numbers import shown
from symconv.core.public import public
from symconv.gradients import grad as _grad

__all__ = ["convolve", "correlate", "flip", "grad", "inner", "sizes", "sum", "symbols"]


def _symbolic_shape(shape: Any) -> tuple[Any, ...] | None:
    """The shape as a tuple when an entry is a size expression (``None`` for concrete shapes)."""
    if isinstance(shape, sympy.Expr) and not shape.is_Integer:
        return (shape,)
    if isinstance(shape, Iterable) and not isinstance(shape, (str, bytes, Mapping, np.ndarray)):
        dims = tuple(shape)
        if any(isinstance(d, sympy.Expr) and not d.is_Integer for d in dims):
            return dims
    return None


@public
@functools.wraps(_array.symbols)
def symbols(name: str, shape: Any, *, structure: str | None = None, **assumptions: Any) -> Any:
    dims = _symbolic_shape(shape)
    if dims is None:
        return _array.symbols(name, shape, structure=structure, **assumptions)
    if not isinstance(name, str) or not name.isidentifier():
        raise SymconvError(f"symbols: `name` must be an identifier such as 'x'; got {shown(name)}")
    if structure is not None and (not isinstance(structure, str) or structure not in STRUCTURES):
        allowed = ", ".join(repr(s) for s in STRUCTURES)
        raise SymconvError(f"symbols: `structure` must be None or one of {allowed}; got {shown(structure)}")
    if assumptions:
        raise SymconvError(
            f"symbols: sympy assumptions ({', '.join(sorted(assumptions))}) are for arrays of concrete size"
        )
    out = []
    for d in dims:
        if isinstance(d, (bool, np.bool_)):
            raise SymconvError(f"symbols: every entry of `shape` must be an integer ≥ 1 or a size; got {shown(shape)}")
        if isinstance(d, (int, np.integer)):
            d = sympy.Integer(int(d))
        if not isinstance(d, sympy.Expr):
            raise SymconvError(f"symbols: every entry of `shape` must be an integer ≥ 1 or a size; got {shown(shape)}")
        bad = [s for s in d.free_symbols if not (s.is_integer and s.is_positive)]
        if bad:
            raise SymconvError(
                f"symbols: `{bad[0]}` in `shape` is not a size: declare sizes with symconv.sizes('N K') "
                f"(positive integer symbols); got shape {shown(shape)}"
            )
        if d.is_Number and not (d.is_Integer and int(d) >= 1):
            raise SymconvError(f"symbols: every entry of `shape` must be an integer ≥ 1 or a size; got {shown(shape)}")
        if not d.is_Number and not _linear_size(d):
            raise SymconvError(
                f"symbols: a size in `shape` must be linear in the sizes (floors allowed), e.g. N - K + 1; got {d}"
            )
        if d.is_integer is not True:  # N/2, 0.5*N: not an integer for every size
            raise SymconvError(
                f"symbols: a size in `shape` must be an integer for every size (use floor(...)); got {shown(d)}"
            )
        out.append(d)
    syms = {s for d in out for s in d.free_symbols}
    return Leaf(name, out, structure, assumed(syms))


def _linear_size(d: sympy.Expr) -> bool:
    """An integer-linear size expression, or one with floors/ceilings of such (an output size with a stride)."""
    syms = sorted(d.free_symbols, key=str)
    if d.is_polynomial(*syms):
        return bool(sympy.Poly(d, *syms).total_degree() <= 1)
    return all(isinstance(f, (sympy.floor, sympy.ceiling)) for f in d.atoms(sympy.Function)) and not d.atoms(
        sympy.Pow
    ) - {p for f in d.atoms(sympy.Function) for p in f.atoms(sympy.Pow)}


def _lazy(*args: Any) -> bool:
    return any(isinstance(a, Node) for a in args)


@public
@functools.wraps(_ops.correlate)
def correlate(x: Any, w: Any, mode: str = "valid", *, stride: Any = 1, dilation: Any = 1, padding: Any = None) -> Any:
    if _lazy(x, w):
        from symconv.claims.ops import conv

        return conv("correlate", x, w, mode, stride, dilation, padding)
    return _ops.correlate(x, w, mode, stride=stride, dilation=dilation, padding=padding)


@public
@functools.wraps(_ops.convolve)
def convolve(x: Any, w: Any, mode: str = "valid", *, stride: Any = 1, dilation: Any = 1, padding: Any = None) -> Any:
    if _lazy(x, w):
        from symconv.claims.ops import conv

        return conv("convolve", x, w, mode, stride, dilation, padding)
    return _ops.convolve(x, w, mode, stride=stride, dilation=dilation, padding=padding)


@public
@functools.wraps(_grad.grad)
def grad(y: Any, wrt: Any, upstream: Any = None) -> Any:
    if _lazy(y, wrt, upstream):
        from symconv.claims.reduce import gradient

        return gradient(y, wrt, upstream)
    return _grad.grad(y, wrt, upstream)


@public
def flip(a: Any, axis: Any = None) -> Any:
    r"""``a`` reversed along every axis (or along ``axis``): :math:`\mathrm{flip}(a)[i] = a[S-1-i]`.

    >>> flip([[1, 2], [3, 4]]).tolist()
    [[4, 3], [2, 1]]
    >>> flip([[1, 2], [3, 4]], axis=-1).tolist()
    [[2, 1], [4, 3]]
    """
    from symconv.claims.ops import Flip, flip_axes

    if isinstance(a, Node):
        return Flip(a, flip_axes("flip", axis, a.ndim))
    arr = operand("flip", "a", a)
    axes = flip_axes("flip", axis, arr.ndim)
    return arr.flip() if axes is None else Array._of(np.flip(arr.numpy(), axes))


def _pair(where: str, a: Any, b: Any) -> tuple[Array, Array]:
    pa, pb = operand(where, "a", a), operand(where, "b", b)
    if pa.shape != pb.shape:
        raise SymconvError(f"{where}: `a` and `b` must have the same shape; got {pa.shape} and {pb.shape}")
    return pa, pb


@public
def inner(a: Any, b: Any) -> Any:
    r"""The inner product :math:`\sum_u a[u]\, b[u]` of two arrays of one shape (no conjugation).

    >>> import symconv as sc
    >>> inner(sc.symbols("x", 2), [3, 4])
    3*x_0 + 4*x_1
    """
    if _lazy(a, b):
        from symconv.claims.reduce import inner as lazy_inner

        return lazy_inner(a, b)
    pa, pb = _pair("inner", a, b)
    return sympy.Add(*(p * q for p, q in zip(pa.numpy().flat, pb.numpy().flat)))


@public
def sum(a: Any) -> Any:
    r"""The sum of every entry :math:`\sum_u a[u]`.

    >>> sum([[1, 2], [3, 4]])
    10
    """
    if isinstance(a, Node):
        from symconv.claims.reduce import total

        return total(a)
    return sympy.Add(*operand("sum", "a", a).numpy().flat)
