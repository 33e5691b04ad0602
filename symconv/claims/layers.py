r"""Channels, groups, batches and bias at symbolic size: PyTorch's ``conv1d/2d/3d`` on lazy arrays.

``symconv.compat.torch.conv1d(x, w, bias, stride, padding, dilation, groups)``
with a lazy argument is :class:`Layer`: ``formula.forward`` of the
:class:`~symconv.core.formula.ConvSpec` PyTorch's call describes (the same spec
``symconv.compat.torch.plan_conv`` builds at concrete sizes),

.. math::

    y[b, o, n] = \mathrm{bias}[o] + \sum_{c, k} x[b,\, g\,C_{in}/G + c,\, s\,n + d\,k - p]\; w[o, c, k].

:class:`Transpose` permutes axes (``w.transpose(1, 0, 2)``: the weight with
its channel axes swapped, as in the input gradient).

>>> import symconv as sc
>>> N, K, C = sc.sizes("N K C")
>>> x, w = sc.symbols("x", (C, N)), sc.symbols("w", (4, C, K))
>>> y = sc.compat.torch.conv1d(x, w, padding=1)
>>> y.shape, str(y)
((4, -K + N + 3), 'conv1d(x, w, padding=1)')
>>> w.transpose(1, 0, 2).shape
(C, 4, K)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from symconv.arrays.array import Array
from symconv.claims.node import OPERATIONS, Fresh, Leaf, Node, as_node, combine, in_range, on_leaves, shape_text
from symconv.claims.ops import _hyper, same_shape
from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, ConvSpec, forward
from symconv.core.lazy import HANDLERS
from symconv.core.numbers import shown
from symconv.core.validate import check_int
from symconv.gradients.grad import permute_operand
from symconv.proofs._iverson import Constraint, Sum, contraction_sum

__all__ = ["Layer", "Transpose", "torch_conv", "transpose"]


class Layer(Node):
    """``conv{nd}d`` (PyTorch's layout and arguments, zero padding) of lazy arrays."""

    def __init__(
        self, nd: int, x: Node, w: Node, b: Node | None, stride: Any, padding: Any, dilation: Any, groups: Any
    ) -> None:
        op = self.op = f"conv{nd}d"
        if w.ndim != nd + 2:
            raise SymconvError(
                f"{op}: `weight` must have {nd + 2} axes (out/in channels and {nd} kernel axes); "
                f"got shape {shape_text(w.shape)}"
            )
        if x.ndim not in (nd + 1, nd + 2):
            raise SymconvError(
                f"{op}: `input` must have {nd + 2} axes (batch, channels, {nd} spatial) or {nd + 1} (unbatched); "
                f"got shape {shape_text(x.shape)}"
            )
        cin, cout, per_group = x.shape[-nd - 1], w.shape[0], w.shape[1]
        g = check_int(op, "groups", groups, minimum=1)
        symbolic = [name for name, v in (("in_channels", cin), ("out_channels", cout)) if not v.is_Integer]
        if symbolic and g != 1:
            raise SymconvError(f"{op}: symbolic {', '.join(symbolic)} need `groups` (={shown(g)}) to be 1")
        for name, v in (("in_channels", cin), ("out_channels", cout)):
            if v.is_Integer and int(v) % g:
                raise SymconvError(f"{op}: `{name}` (={shown(v)}) must be divisible by `groups` (={shown(g)})")
        if not same_shape((per_group * g,), (cin,)):
            raise SymconvError(
                f"{op}: `weight` must have in_channels/groups = {cin}/{g} at axis 1; got weight shape "
                f"{shape_text(w.shape)}"
            )
        if b is not None and not same_shape(b.shape, (cout,)):
            raise SymconvError(f"{op}: `bias` must have shape ({cout},); got {shape_text(b.shape)}")
        s = _hyper(op, "stride", stride, nd, 1)
        d = _hyper(op, "dilation", dilation, nd, 1)
        kernel = w.shape[2:]
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise SymconvError(f"{op}: `padding` must be a number, a tuple, 'valid' or 'same'; got {padding!r}")
            if padding == "same" and any(v != 1 for v in s):
                raise SymconvError(f"{op}: padding='same' needs `stride` = 1 on every axis; got {shown(stride)}")
            span = tuple(di * (k - 1) for di, k in zip(d, kernel))
            lo = tuple(sympy.floor(t / 2) if padding == "same" else sympy.Integer(0) for t in span)
            hi = tuple(t - a if padding == "same" else sympy.Integer(0) for t, a in zip(span, lo))
        else:
            lo = hi = _hyper(op, "padding", padding, nd, 0)
        self.x, self.w, self.b, self.padding = x, w, b, padding
        self.spec = ConvSpec(
            input_size=x.shape[-nd:],
            kernel_size=kernel,
            stride=s,
            dilation=d,
            pad_lo=lo,
            pad_hi=hi,
            batch=x.shape[0] if x.ndim == nd + 2 else None,
            channels=(cin, cout),
            groups=g,
            bias=b is not None,
        )
        self.terms = forward(self.spec)
        self.shape = tuple(self.terms[0].result.shape)

    def children(self) -> tuple[Node, ...]:
        return (self.x, self.w) + (() if self.b is None else (self.b,))

    def _extra_params(self) -> set[sympy.Symbol]:
        out: set[sympy.Symbol] = set()
        for e in (*self.spec.stride, *self.spec.dilation, *self.spec.pad_lo, *self.spec.pad_hi):
            out |= e.free_symbols  # type: ignore[arg-type]
        return out

    def conditions(self) -> list[Constraint]:
        """The window fits on every spatial axis: ``d(K−1) + 1 ≤ N + p_lo + p_hi``."""
        sp = self.spec
        return [
            Constraint.le(Affine.constant(d * (k - 1) + 1), Affine.constant(n + lo + hi))
            for n, k, d, lo, hi in zip(sp.input_size, sp.kernel_size, sp.dilation, sp.pad_lo, sp.pad_hi)
        ]

    def _child(self, operand: str) -> Node:
        node = {"x": self.x, "w": self.w, "bias": self.b}[operand]
        assert node is not None
        return node

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        out: list[Sum] = []
        for c in self.terms:
            s = contraction_sum(c, at, rename={v.name: fresh.name(v.name) for v in c.variables})
            parts: list[list[Sum]] = [[Sum(s.variables, s.guard, (), s.coeff)]]
            parts += [self._child(t.operand).sums(t.index, fresh) for t in s.factors]
            out += combine(parts)
        return out

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        from symconv.compat import torch

        env = {k: sympy.Integer(v) for k, v in sizes.items()}

        def ints(v: Sequence[sympy.Expr]) -> tuple[int, ...]:
            return tuple(int(e.xreplace(env)) for e in v)

        fn = {1: torch.conv1d, 2: torch.conv2d, 3: torch.conv3d}[self.spec.ndim]
        pad = self.padding if isinstance(self.padding, str) else ints(self.spec.pad_lo)
        b = None if self.b is None else self.b.value(sizes, arrays)
        xv, wv = self.x.value(sizes, arrays), self.w.value(sizes, arrays)
        out: Array = fn(xv, wv, b, ints(self.spec.stride), pad, ints(self.spec.dilation), int(self.spec.groups))
        return out

    def engine(self, sizes: Mapping[sympy.Symbol, int]) -> list[tuple[int, Contraction]] | None:
        roles = {"x": self.x, "w": self.w} | ({} if self.b is None else {"bias": self.b})
        out = []
        for c in self.terms:
            cc = on_leaves(c, {f.operand: roles[f.operand] for f in c.factors}, sizes)
            if cc is None:
                return None
            out.append((1, cc))
        return out

    def text(self) -> str:
        args = [self.x.text(), self.w.text()] + ([] if self.b is None else [self.b.text()])
        sp = self.spec
        for name, v, default in (("stride", sp.stride, 1), ("dilation", sp.dilation, 1)):
            if any(e != default for e in v):
                args.append(f"{name}={v[0] if len(set(v)) == 1 else tuple(v)}")
        if isinstance(self.padding, str):
            if self.padding != "valid":
                args.append(f"padding={self.padding!r}")
        elif any(e != 0 for e in sp.pad_lo):
            args.append(f"padding={sp.pad_lo[0] if len(set(sp.pad_lo)) == 1 else tuple(sp.pad_lo)}")
        if sp.groups != 1:
            args.append(f"groups={sp.groups}")
        return f"{self.op}({', '.join(args)})"


def torch_conv(
    nd: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any, groups: Any, mode: Any
) -> Layer:
    """``symconv.compat.torch.conv{nd}d`` with a lazy argument (registered with ``symconv.core.lazy``)."""
    op = f"conv{nd}d"
    if mode != "zeros":
        raise SymconvError(f"{op}: at symbolic size `padding_mode` must be 'zeros'; got {shown(mode)}")
    x, w = as_node(op, "input", input), as_node(op, "weight", weight)
    b = None if bias is None else as_node(op, "bias", bias)
    return Layer(nd, x, w, b, stride, padding, dilation, groups)


class Transpose(Node):
    """``a`` with its axes permuted: new axis ``i`` is old axis ``axes[i]`` (numpy's ``transpose``)."""

    def __init__(self, a: Node, axes: Sequence[int]) -> None:
        self.a, self.axes = a, tuple(axes)
        self.shape = tuple(a.shape[i] for i in self.axes)

    def children(self) -> tuple[Node, ...]:
        return (self.a,)

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        idx: list[Affine] = [Affine.constant(0)] * self.ndim
        for new, old in enumerate(self.axes):
            idx[old] = at[new]
        guard = tuple(in_range(at, self.shape))
        return [Sum(s.variables, s.guard + guard, s.factors, s.coeff) for s in self.a.sums(tuple(idx), fresh)]

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        return Array._of(np.transpose(self.a.value(sizes, arrays).numpy(), self.axes))

    def engine(self, sizes: Mapping[sympy.Symbol, int]) -> list[tuple[int, Contraction]] | None:
        inner = self.a.engine(sizes)
        if inner is None:
            return None
        return [(coef, permute_operand(c, c.result.name, self.axes)) for coef, c in inner]

    def view(self) -> tuple[Leaf, Callable[[tuple[Affine, ...]], tuple[Affine, ...]]] | None:
        inner = self.a.view()
        if inner is None:
            return None
        leaf, f = inner

        def read(ix: tuple[Affine, ...]) -> tuple[Affine, ...]:
            idx: list[Affine] = [Affine.constant(0)] * len(ix)
            for new, old in enumerate(self.axes):
                idx[old] = ix[new]
            return f(tuple(idx))

        return leaf, read

    def text(self) -> str:
        return f"{self.a.text()}.transpose{self.axes}"


def transpose(a: Node, *axes: Any) -> Transpose:
    """``a.transpose(*axes)``: a permutation of the axes (reversed when none is given)."""
    items = list(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else list(axes)
    if not items:
        items = list(reversed(range(a.ndim)))
    ok = all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in items)
    if not ok or sorted(int(i) % max(a.ndim, 1) for i in items) != list(range(a.ndim)) or len(items) != a.ndim:
        raise SymconvError(
            f"transpose: `axes` must be a permutation of the {a.ndim} axes (0 … {a.ndim - 1}); got {shown(axes)}"
        )
    return Transpose(a, [int(i) % a.ndim for i in items])


HANDLERS["torch.conv"] = torch_conv
OPERATIONS["transpose"] = transpose
