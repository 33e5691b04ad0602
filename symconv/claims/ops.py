r"""The operations on lazy arrays: correlation/convolution, flip, linear combinations, products, crops.

Each node reads its index formula from :mod:`symconv.core.formula` (the one
definition): :class:`Conv` is ``formula.forward`` read as an Iverson sum by
:func:`~symconv.proofs._iverson.contraction_sum`, :class:`Flip` is
``formula.flip_index``. Its concrete value is the ordinary concrete
operation's (``symconv.arrays.ops``).

>>> from symconv.claims.sizes import sizes
>>> from symconv.claims.node import Leaf
>>> N, K = sizes("N K")
>>> y = conv("correlate", Leaf("x", (N,)), Leaf("w", (K,)))
>>> y.shape
(-K + N + 1,)
>>> y.at({N: 3, K: 2}).tolist()
[w_0*x_0 + w_1*x_1, w_0*x_1 + w_1*x_2]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from symconv.arrays.array import Array
from symconv.arrays.ops import MODES, convolve, correlate
from symconv.claims.node import OPERATIONS, Fresh, Leaf, Node, as_node, combine, in_range, on_leaves, shape_text
from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, ConvSpec, flip_index, forward, forward_output_size
from symconv.core.numbers import shown
from symconv.gradients.grad import reindex_operand
from symconv.proofs._iverson import Constraint, Sum, contraction_sum

__all__ = ["Conv", "Flip", "Linear", "Product", "Slice", "conv", "crop", "linear", "multiply", "same_shape"]


def same_shape(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Equal shapes: the same number of axes and every pair of sizes equal as expressions."""
    return len(a) == len(b) and all(sympy.simplify(as_expr(x) - as_expr(y)) == 0 for x, y in zip(a, b))


def _hyper(op: str, name: str, value: Any, nd: int, minimum: int) -> tuple[sympy.Expr, ...]:
    """A per-axis hyper-parameter: integers ≥ ``minimum`` or size expressions, one or one per axis."""
    items = list(value) if isinstance(value, (tuple, list)) else [value] * nd
    if len(items) != nd:
        raise SymconvError(f"{op}: `{name}` must be one value or {nd} (one per axis); got {shown(value)}")
    out = []
    for v in items:
        if isinstance(v, (bool, np.bool_)):
            raise SymconvError(f"{op}: `{name}` must be an integer ≥ {minimum} or a size; got {shown(value)}")
        if isinstance(v, (int, np.integer)):
            v = sympy.Integer(int(v))
        if not isinstance(v, sympy.Expr) or not all(s.is_integer and s.is_positive for s in v.free_symbols):
            raise SymconvError(f"{op}: `{name}` must be an integer ≥ {minimum} or a size; got {shown(value)}")
        if v.is_Integer and int(v) < minimum:
            raise SymconvError(f"{op}: `{name}` must be ≥ {minimum} on every axis; got {shown(value)}")
        if not v.is_Integer and v.is_Number:
            raise SymconvError(f"{op}: `{name}` must be an integer; got {shown(value)}")
        if v.is_integer is not True:  # N/2, 0.5*N: not an integer for every size (use floor(...))
            raise SymconvError(f"{op}: `{name}` must be an integer expression of the sizes; got {shown(value)}")
        out.append(v)
    return tuple(out)


def _padding(op: str, padding: Any, nd: int) -> tuple[tuple[sympy.Expr, ...], tuple[sympy.Expr, ...]]:
    if isinstance(padding, (tuple, list)) and padding and all(isinstance(p, (tuple, list)) for p in padding):
        if len(padding) != nd or any(len(p) != 2 for p in padding):
            raise SymconvError(f"{op}: `padding` as (lo, hi) pairs needs {nd} pairs; got {shown(padding)}")
        lo = _hyper(op, "padding", tuple(p[0] for p in padding), nd, 0)
        return lo, _hyper(op, "padding", tuple(p[1] for p in padding), nd, 0)
    both = _hyper(op, "padding", padding, nd, 0)
    return both, both


class Conv(Node):
    """``correlate`` / ``convolve`` of two lazy arrays (``formula.forward``, zero padding)."""

    def __init__(self, op: str, x: Node, w: Node, mode: str, stride: Any, dilation: Any, padding: Any) -> None:
        if x.ndim != w.ndim or x.ndim == 0:
            raise SymconvError(
                f"{op}: `x` and `w` must have the same number of axes (at least 1); got x of shape "
                f"{shape_text(x.shape)} and w of shape {shape_text(w.shape)}"
            )
        nd = x.ndim
        if not isinstance(mode, str) or mode not in MODES:
            raise SymconvError(f"{op}: `mode` must be one of {', '.join(map(repr, MODES))}; got {shown(mode)}")
        s = _hyper(op, "stride", stride, nd, 1)
        d = _hyper(op, "dilation", dilation, nd, 1)
        span = tuple(di * (k - 1) for di, k in zip(d, w.shape))
        if padding is not None:
            if mode != "valid":
                raise SymconvError(f"{op}: give either `mode` or explicit `padding`, not both; got mode={mode!r}")
            lo, hi = _padding(op, padding, nd)
        elif mode == "full":
            lo, hi = span, span
        elif mode == "same":
            if any(v != 1 for v in s):
                raise SymconvError(f"{op}: mode='same' needs `stride` = 1 on every axis; got stride={shown(stride)}")
            lo = tuple(sympy.floor(t / 2) for t in span)
            hi = tuple(t - a for t, a in zip(span, lo))
        else:
            lo = hi = tuple(sympy.Integer(0) for _ in range(nd))
        self.op, self.x, self.w, self.mode = op, x, w, mode
        self.spec = ConvSpec(
            input_size=x.shape, kernel_size=w.shape, stride=s, dilation=d, pad_lo=lo, pad_hi=hi, flip=op == "convolve"
        )
        self.shape = tuple(forward_output_size(self.spec))

    def children(self) -> tuple[Node, ...]:
        return (self.x, self.w)

    def _extra_params(self) -> set[sympy.Symbol]:
        sp = self.spec
        out: set[sympy.Symbol] = set()
        for e in (*sp.stride, *sp.dilation, *sp.pad_lo, *sp.pad_hi):
            out |= e.free_symbols  # type: ignore[arg-type]
        return out

    def conditions(self) -> list[Constraint]:
        """The window fits: ``d(K−1) + 1 ≤ N + p_lo + p_hi`` on every axis (the concrete ops' check), and
        symbolic hyper-parameters are in range as the concrete ops demand: ``stride, dilation ≥ 1``,
        ``padding ≥ 0`` (``padding=1 - K`` holds only where ``K = 1``)."""
        sp = self.spec
        fits = [
            Constraint.le(Affine.constant(d * (k - 1) + 1), Affine.constant(n + lo + hi))
            for n, k, d, lo, hi in zip(sp.input_size, sp.kernel_size, sp.dilation, sp.pad_lo, sp.pad_hi)
        ]
        ranges = [(v, 1) for v in (*sp.stride, *sp.dilation)] + [(v, 0) for v in (*sp.pad_lo, *sp.pad_hi)]
        return fits + [Constraint.le(m, Affine.constant(v)) for v, m in ranges if not as_expr(v).is_Number]

    def contraction(self) -> Contraction:
        """The one definition's contraction (operands ``x``, ``w``; result ``y``)."""
        return forward(self.spec)[0]

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        c = self.contraction()
        s = contraction_sum(c, at, rename={v.name: fresh.name(v.name) for v in c.variables})
        parts: list[list[Sum]] = [[Sum(s.variables, s.guard, (), s.coeff)]]
        for t in s.factors:
            child = self.x if t.operand == "x" else self.w
            parts.append(child.sums(t.index, fresh))
        return combine(parts)

    def _concrete(self, sizes: Mapping[sympy.Symbol, int]) -> dict[str, Any]:
        sp = self.spec

        def ints(v: Sequence[sympy.Expr]) -> tuple[int, ...]:
            return tuple(int(e.xreplace({k: sympy.Integer(x) for k, x in sizes.items()})) for e in v)

        lo, hi = ints(sp.pad_lo), ints(sp.pad_hi)
        return {"stride": ints(sp.stride), "dilation": ints(sp.dilation), "padding": tuple(zip(lo, hi))}

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        fn = convolve if self.op == "convolve" else correlate
        return fn(self.x.value(sizes, arrays), self.w.value(sizes, arrays), **self._concrete(sizes))

    def engine(self, sizes: Mapping[sympy.Symbol, int]) -> list[tuple[int, Contraction]] | None:
        c = on_leaves(forward(self.spec)[0], {"x": self.x, "w": self.w}, sizes)
        return None if c is None else [(1, c)]

    def text(self) -> str:
        extra = []
        if self.mode != "valid":
            extra.append(f"mode={self.mode!r}")
        for name, v, default in (("stride", self.spec.stride, 1), ("dilation", self.spec.dilation, 1)):
            if any(e != default for e in v):
                extra.append(f"{name}={_tuple(v)}")
        lo, hi = self.spec.pad_lo, self.spec.pad_hi
        if self.mode == "valid" and any(e != 0 for e in (*lo, *hi)):
            extra.append(f"padding={_tuple(lo) if lo == hi else tuple(zip(lo, hi))}")
        return f"{self.op}({', '.join([self.x.text(), self.w.text(), *extra])})"


def _tuple(v: Sequence[Any]) -> str:
    return str(v[0]) if len(set(map(str, v))) == 1 and not isinstance(v[0], tuple) else str(tuple(v))


def conv(op: str, x: Any, w: Any, mode: str = "valid", stride: Any = 1, dilation: Any = 1, padding: Any = None) -> Conv:
    """``correlate`` / ``convolve`` on lazy arrays (arguments as the concrete operations take them)."""
    return Conv(op, as_node(op, "x", x), as_node(op, "w", w), mode, stride, dilation, padding)


class Flip(Node):
    """``a`` reversed along ``axes`` (default every axis): ``flip(a)[i] = a[S−1−i]`` (``formula.flip_index``)."""

    def __init__(self, a: Node, axes: Sequence[int] | None = None) -> None:
        if a.ndim == 0:
            raise SymconvError("flip: `a` must have at least one axis; got a scalar")
        self.a = a
        self.axes = tuple(range(a.ndim)) if axes is None else tuple(axes)
        self.shape = a.shape

    def children(self) -> tuple[Node, ...]:
        return (self.a,)

    def _index(self, at: Sequence[Affine], shape: Sequence[Any]) -> tuple[Affine, ...]:
        return tuple(flip_index(n, a) if i in self.axes else a for i, (n, a) in enumerate(zip(shape, at)))

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        idx = self._index(at, self.shape)
        return [
            Sum(s.variables, s.guard + tuple(in_range(at, self.shape)), s.factors, s.coeff)
            for s in self.a.sums(idx, fresh)
        ]

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        return Array._of(np.flip(self.a.value(sizes, arrays).numpy(), self.axes))

    def engine(self, sizes: Mapping[sympy.Symbol, int]) -> list[tuple[int, Contraction]] | None:
        inner = self.a.engine(sizes)
        if inner is None:
            return None
        out = []
        for coef, c in inner:
            shape = c.result.shape
            out.append((coef, reindex_operand(c, c.result.name, lambda ix, sh=shape: self._index(ix, sh))))  # type: ignore[misc]
        return out

    def view(self) -> tuple[Leaf, Callable[[tuple[Affine, ...]], tuple[Affine, ...]]] | None:
        inner = self.a.view()
        if inner is None:
            return None
        leaf, f = inner
        return leaf, lambda ix: f(self._index(ix, self.shape))

    def text(self) -> str:
        every = self.axes == tuple(range(self.ndim))
        return f"flip({self.a.text()})" if every else f"flip({self.a.text()}, axis={_axes_text(self.axes)})"


def _axes_text(axes: tuple[int, ...]) -> str:
    return str(axes[0]) if len(axes) == 1 else str(axes)


def flip_axes(where: str, axis: Any, ndim: int) -> tuple[int, ...] | None:
    """``axis`` (``None``, an int or a tuple of ints, negative from the end) as sorted axes."""
    if axis is None:
        return None
    items = list(axis) if isinstance(axis, (tuple, list)) else [axis]
    out = set()
    for a in items:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)) or not -ndim <= int(a) < ndim:
            raise SymconvError(
                f"{where}: `axis` must be None, an axis or a tuple of axes in [{-ndim}, {ndim}); got {shown(axis)}"
            )
        out.add(int(a) % ndim)
    if len(out) != len(items):
        raise SymconvError(f"{where}: `axis` must not repeat an axis; got {shown(axis)}")
    return tuple(sorted(out))


def _int_coef(where: str, k: Any) -> int:
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer, sympy.Integer)):
        raise SymconvError(f"{where}: a lazy array of symbolic size may be scaled by an integer only; got {shown(k)}")
    return int(k)


class Linear(Node):
    """``Σ c_i a_i`` with integer coefficients (``+``, ``−``, scalar ``*``)."""

    def __init__(self, terms: Sequence[tuple[int, Node]]) -> None:
        self.terms = tuple(terms)
        self.shape = terms[0][1].shape

    def children(self) -> tuple[Node, ...]:
        return tuple(a for _, a in self.terms)

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        return [s.scaled(k) for k, a in self.terms if k != 0 for s in a.sums(at, fresh)]  # 0·a: no term

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        total: Any = None
        for k, a in self.terms:
            v = a.value(sizes, arrays) * k
            total = v if total is None else total + v
        return total

    def engine(self, sizes: Mapping[sympy.Symbol, int]) -> list[tuple[int, Contraction]] | None:
        out = []
        for k, a in self.terms:
            part = a.engine(sizes)
            if part is None:
                return None
            out += [(k * c0, c) for c0, c in part]
        return out

    def text(self) -> str:
        out = ""
        for i, (k, a) in enumerate(self.terms):
            inner = a.text()
            if isinstance(a, Linear):
                inner = f"({inner})"
            mag = "" if abs(k) == 1 else f"{abs(k)}*"
            sign = ("-" if k < 0 else "") if i == 0 else (" - " if k < 0 else " + ")
            out += f"{sign}{mag}{inner}"
        return out


def linear(sign: str, terms: Sequence[tuple[int, Any]]) -> Node:
    """``Σ c_i a_i`` checked: every operand a lazy array or array of the same shape."""
    where = f"lazy array {sign}"
    nodes = [(k, as_node(where, "operand", a)) for k, a in terms]
    first = nodes[0][1].shape
    for _, a in nodes[1:]:
        if not same_shape(first, a.shape):
            raise SymconvError(f"{where}: the shapes must be equal; got {shape_text(first)} and {shape_text(a.shape)}")
    flat: list[tuple[int, Node]] = []
    for k, a in nodes:
        if isinstance(a, Linear):
            flat += [(k * k2, b) for k2, b in a.terms]
        else:
            flat.append((k, a))
    return Linear(flat)


class Product(Node):
    """The elementwise product ``a * b`` (same shapes)."""

    def __init__(self, a: Node, b: Node) -> None:
        self.a, self.b = a, b
        self.shape = a.shape

    def children(self) -> tuple[Node, ...]:
        return (self.a, self.b)

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        return combine([self.a.sums(at, fresh), self.b.sums(at, fresh)])

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        return self.a.value(sizes, arrays) * self.b.value(sizes, arrays)

    def text(self) -> str:
        return f"({self.a.text()}) * ({self.b.text()})"


def multiply(a: Any, b: Any) -> Node:
    """``a * b``: an integer times a lazy array, or the elementwise product of two arrays of one shape."""
    for k, other in ((a, b), (b, a)):
        if not isinstance(k, (Node, Array, list, tuple, np.ndarray)):
            return linear("*", [(_int_coef("lazy array *", k), other)])
    na, nb = as_node("lazy array *", "a", a), as_node("lazy array *", "b", b)
    if not same_shape(na.shape, nb.shape):
        raise SymconvError(
            f"lazy array *: the shapes must be equal; got {shape_text(na.shape)} and {shape_text(nb.shape)}"
        )
    return Product(na, nb)


class Slice(Node):
    """A crop ``a[start:stop]`` per axis (symbolic bounds; step 1), or a fixed index that drops the axis."""

    def __init__(self, a: Node, axes: Sequence[tuple[sympy.Expr, sympy.Expr | None]]) -> None:
        self.a = a
        self.axes = tuple(axes)  # (start, stop) or (index, None)
        self.shape = tuple(sympy.simplify(stop - start) for start, stop in self.axes if stop is not None)

    def children(self) -> tuple[Node, ...]:
        return (self.a,)

    def conditions(self) -> list[Constraint]:
        out = []
        for (start, stop), n in zip(self.axes, self.a.shape):
            if stop is None:
                out += [
                    Constraint.le(0, Affine.constant(start)),
                    Constraint.lt(Affine.constant(start), Affine.constant(n)),
                ]
            else:
                out += [
                    Constraint.le(0, Affine.constant(start)),
                    Constraint.le(Affine.constant(start), Affine.constant(stop)),
                    Constraint.le(Affine.constant(stop), Affine.constant(n)),
                ]
        return out

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        it = iter(at)
        idx = tuple(Affine.constant(start) if stop is None else next(it) + start for start, stop in self.axes)
        guard = tuple(in_range(at, self.shape))
        return [Sum(s.variables, s.guard + guard, s.factors, s.coeff) for s in self.a.sums(idx, fresh)]

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        env = {k: sympy.Integer(v) for k, v in sizes.items()}
        key: list[Any] = []
        for (start, stop), n in zip(self.axes, self.a.shape):
            lo, size = int(start.xreplace(env)), int(as_expr(n).xreplace(env))
            hi = None if stop is None else int(stop.xreplace(env))
            if not (0 <= lo <= (hi if hi is not None else lo) <= size) or (hi is None and lo >= size):
                raise SymconvError(f"at: the crop {self.text()} is out of range at {sizes} (axis of size {size})")
            key.append(lo if hi is None else slice(lo, hi))
        out = self.a.value(sizes, arrays)[tuple(key)]
        return out if isinstance(out, Array) else Array._of(np.array(out, dtype=object))

    def text(self) -> str:
        parts = [str(start) if stop is None else f"{start}:{stop}" for start, stop in self.axes]
        return f"{self.a.text()}[{', '.join(parts)}]"


def _bound(v: Any, n: sympy.Expr, default: sympy.Expr) -> sympy.Expr:
    if v is None:
        return default
    if isinstance(v, (bool, np.bool_)):
        raise SymconvError(f"lazy array [...]: a bound must be an integer or a size expression; got {shown(v)}")
    if isinstance(v, (int, np.integer)):
        return as_expr(n) + int(v) if int(v) < 0 else sympy.Integer(int(v))
    if (
        isinstance(v, sympy.Expr)
        and all(s.is_integer and s.is_positive for s in v.free_symbols)
        and not (v.is_Number and not v.is_Integer)
        and v.is_integer is True  # N/2, 0.5*N: not an integer for every size (use floor(...))
    ):
        return v
    raise SymconvError(f"lazy array [...]: a bound must be an integer or a size expression; got {shown(v)}")


def crop(a: Node, key: Any) -> Node:
    """``a[key]``: slices (step 1) and single indices per axis, bounds integers or size expressions."""
    items = list(key) if isinstance(key, tuple) else [key]
    if len(items) > a.ndim:
        raise SymconvError(f"lazy array [...]: {len(items)} indices for an array with {a.ndim} axes")
    items += [slice(None)] * (a.ndim - len(items))
    axes: list[tuple[sympy.Expr, sympy.Expr | None]] = []
    for it, n in zip(items, a.shape):
        if isinstance(it, slice):
            if it.step not in (None, 1):
                raise SymconvError(f"lazy array [...]: only step 1 at symbolic size; got step {shown(it.step)}")
            axes.append((_bound(it.start, n, sympy.Integer(0)), _bound(it.stop, n, as_expr(n))))
        else:
            axes.append((_bound(it, n, sympy.Integer(0)), None))
    return Slice(a, axes)


OPERATIONS.update(linear=linear, multiply=multiply, crop=crop, Flip=Flip)
