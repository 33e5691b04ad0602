r"""The ONE definition of every operation: index formulas kept as data.

Every operation symconv knows — cross-correlation, convolution, their
batched/multi-channel/grouped forms, and the transposed convolution — is an
:class:`Contraction`:

.. math::

    \mathrm{result}[\phi_0(v)] \mathrel{+}= \prod_i \mathrm{operand}_i[\phi_i(v)]
    \quad\text{for every } v \in \textstyle\prod_j [0, V_j)
    \text{ with every index in range,}

where every :math:`\phi` is an :class:`~symconv.core.affine.Affine` map of the
loop variables :math:`v`. "In range" is the Iverson guard
:math:`[0 \le \phi_i(v) < \mathrm{size}_i]`: zero padding is nothing more than
that guard. Non-zero boundaries (reflect, replicate, circular) are a
:class:`Boundary` on the input factor: its range widens by the padding and the
entry read is folded back into the input.

Three engines consume this data and nothing else:

* ``symconv.engines.terms`` enumerates the terms with numpy (symbolic expansion,
  numeric evaluation, integer coefficient arrays);
* the gradient machinery relabels it (a gradient of a multilinear contraction
  is the same contraction with the roles of result and operand swapped);
* the general-size prover reads it as an Iverson sum over :math:`\mathbb{Z}`.

The convention (stated before any formula): ``correlate`` does NOT flip the
kernel — this is what PyTorch, TensorFlow and JAX call convolution:

.. math::

    y[n] = \sum_k x[s\,n + d\,k - p_{lo}]\; w[k]

``convolve`` flips the kernel along every spatial axis:

.. math::

    y[n] = \sum_k x[s\,n + d\,k - p_{lo}]\; w[K-1-k]

and the transposed convolution is the adjoint of ``correlate`` (its input
gradient):

.. math::

    y[s\,n + d\,k - p_{lo}] \mathrel{+}= x[n]\; w[k]

Sizes may be integers or sympy symbols (for statements about all sizes).

>>> spec = ConvSpec(input_size=(5,), kernel_size=(2,))
>>> c = forward(spec)[0]
>>> c.result.shape, [str(a) for a in c.factors[0].index]
((4,), ['k0 + n0'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from symconv.core.affine import Affine, Scalar, as_expr
from symconv.core.plain import flipped, kernel_tap, output_length, window

__all__ = [
    "Boundary",
    "Contraction",
    "ConvSpec",
    "Factor",
    "Operand",
    "Var",
    "flip_index",
    "forward",
    "output_size",
    "transpose",
    "transpose_output_padding",
    "transpose_output_size",
]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular", "symmetric")


@dataclass(frozen=True)
class Var:
    """A loop variable ``name`` ranging over ``0 ≤ name < extent``."""

    name: str
    extent: sympy.Expr


@dataclass(frozen=True)
class Operand:
    """A named array taking part in a contraction, with its shape."""

    name: str
    shape: tuple[sympy.Expr, ...]


@dataclass(frozen=True)
class Boundary:
    """A non-zero boundary on one axis of a factor.

    The affine index may range over ``[-lo, size + hi)``; the entry read is
    ``fold(index)``: ``reflect`` (mirror without repeating the edge),
    ``symmetric`` (mirror repeating the edge, scipy's ``'symm'``),
    ``replicate`` (clamp to the edge) or ``circular`` (wrap around).
    """

    mode: str
    lo: sympy.Expr
    hi: sympy.Expr


@dataclass(frozen=True)
class Factor:
    """One factor ``operand[index]`` of the product (optionally conjugated)."""

    operand: str
    index: tuple[Affine, ...]
    conjugate: bool = False
    boundary: tuple[Boundary | None, ...] | None = None


@dataclass(frozen=True)
class Contraction:
    """``result[result_index(v)] += Π factors`` over the box of ``variables``.

    Every index of every factor (and of the result) must lie in range for a
    term to count; out-of-range reads are zero (the Iverson guard).
    """

    name: str
    result: Operand
    result_index: tuple[Affine, ...]
    variables: tuple[Var, ...]
    factors: tuple[Factor, ...]
    operands: tuple[Operand, ...]
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)
    #: Optional boundary per result axis (a gradient with respect to a padded,
    #: folded input): the result index may range over ``[-lo, size + hi)`` and
    #: the term is added at ``fold(index)``.
    result_boundary: tuple[Boundary | None, ...] | None = None

    def __hash__(self) -> int:
        # the fields' hash, computed once (the engines' plan caches hash a contraction on every check)
        h = self.__dict__.get("_hash")
        if h is None:
            key = (self.name, self.result, self.result_index, self.variables, self.factors, self.operands)
            h = hash((*key, self.result_boundary))
            object.__setattr__(self, "_hash", h)
        return h

    def __getstate__(self) -> dict[str, Any]:
        # the cached hash is not pickled: string hashes differ between processes
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    def operand(self, name: str) -> Operand:
        """The operand (or the result) called ``name``."""
        if name == self.result.name:
            return self.result
        for op in self.operands:
            if op.name == name:
                return op
        raise KeyError(name)

    def subs(self, values: Mapping[Any, Any]) -> Contraction:
        """Fix size parameters (``{N: 5, K: 2}``), giving a concrete instance."""

        from symconv.core.fastsubs import subs

        def sub_shape(shape: tuple[sympy.Expr, ...]) -> tuple[sympy.Expr, ...]:
            return tuple(subs(as_expr(e), values) for e in shape)

        def sub_factor(f: Factor) -> Factor:
            b = f.boundary
            if b is not None:
                b = tuple(None if x is None else Boundary(x.mode, subs(x.lo, values), subs(x.hi, values)) for x in b)
            return replace(f, index=tuple(a.subs(values) for a in f.index), boundary=b)

        rb = self.result_boundary
        if rb is not None:
            rb = tuple(None if x is None else Boundary(x.mode, subs(x.lo, values), subs(x.hi, values)) for x in rb)
        return replace(
            self,
            result_boundary=rb,
            result=Operand(self.result.name, sub_shape(self.result.shape)),
            result_index=tuple(a.subs(values) for a in self.result_index),
            variables=tuple(Var(v.name, subs(as_expr(v.extent), values)) for v in self.variables),
            factors=tuple(sub_factor(f) for f in self.factors),
            operands=tuple(Operand(o.name, sub_shape(o.shape)) for o in self.operands),
        )

    def is_concrete(self) -> bool:
        """True when every size, extent and index coefficient is an integer."""
        exprs: list[sympy.Expr] = [v.extent for v in self.variables]
        exprs += list(self.result.shape)
        for o in self.operands:
            exprs += list(o.shape)
        ok = all(as_expr(e).is_Integer for e in exprs)
        ok = ok and all(a.is_concrete() for a in self.result_index)
        return ok and all(a.is_concrete() for f in self.factors for a in f.index)


@dataclass(frozen=True)
class ConvSpec:
    """Hyper-parameters of one convolution-type operation (per spatial axis).

    ``flip=True`` is true convolution, ``False`` cross-correlation.
    ``batch``/``channels`` of ``None`` mean the arrays have no such axes
    (plain signals and kernels). ``channels=(C_in, C_out)`` are the forward
    operation's channels: the weight has shape ``(C_out, C_in/groups, *K)``.
    """

    # Every per-axis field is normalised to ``tuple[sympy.Expr, ...]`` by
    # ``__post_init__`` (ints become ``Integer``; ``None`` takes the default).
    input_size: Any
    kernel_size: Any
    stride: Any = None
    dilation: Any = None
    pad_lo: Any = None
    pad_hi: Any = None
    flip: bool = False
    batch: Any = None
    channels: Any = None
    groups: Any = 1
    padding_mode: str = "zeros"
    conjugate_kernel: bool = False
    bias: bool = False
    output_size: Any = None

    def __post_init__(self) -> None:
        nd = len(self.input_size)
        ones = tuple(sympy.Integer(1) for _ in range(nd))
        zeros = tuple(sympy.Integer(0) for _ in range(nd))

        def norm(value: Sequence[Scalar] | None, default: tuple[sympy.Expr, ...]) -> tuple[sympy.Expr, ...]:
            return default if value is None else tuple(as_expr(v) for v in value)

        object.__setattr__(self, "input_size", norm(self.input_size, zeros))
        object.__setattr__(self, "kernel_size", norm(self.kernel_size, zeros))
        object.__setattr__(self, "stride", norm(self.stride, ones))
        object.__setattr__(self, "dilation", norm(self.dilation, ones))
        object.__setattr__(self, "pad_lo", norm(self.pad_lo, zeros))
        object.__setattr__(self, "pad_hi", norm(self.pad_hi, self.pad_lo or zeros))
        if self.output_size is not None:
            object.__setattr__(self, "output_size", norm(self.output_size, zeros))
        if self.batch is not None:
            object.__setattr__(self, "batch", as_expr(self.batch))
        if self.channels is not None:
            object.__setattr__(self, "channels", (as_expr(self.channels[0]), as_expr(self.channels[1])))
        object.__setattr__(self, "groups", as_expr(self.groups))

    @property
    def ndim(self) -> int:
        """Number of spatial axes."""
        return len(self.input_size)


def output_size(n: Scalar, k: Scalar, s: Scalar = 1, d: Scalar = 1, lo: Scalar = 0, hi: Scalar = 0) -> sympy.Expr:
    r"""Forward output size on one axis: :math:`\lfloor (N + p_{lo} + p_{hi} - d(K-1) - 1)/s \rfloor + 1`.

    >>> output_size(5, 2), output_size(7, 3, s=2, lo=1, hi=1)
    (4, 4)
    """
    n, k, s, d, lo, hi = (as_expr(v) for v in (n, k, s, d, lo, hi))
    return output_length(n, k, s, d, lo, hi)


def transpose_output_size(
    n: Scalar, k: Scalar, s: Scalar = 1, d: Scalar = 1, lo: Scalar = 0, hi: Scalar = 0, output_padding: Scalar = 0
) -> sympy.Expr:
    r"""Transposed-convolution output size: :math:`(N-1)s - p_{lo} - p_{hi} + d(K-1) + \mathrm{op} + 1`.

    >>> transpose_output_size(4, 3, s=2, lo=1, hi=1, output_padding=1)
    8
    """
    n, k, s, d, lo, hi, op = (as_expr(v) for v in (n, k, s, d, lo, hi, output_padding))
    return (n - 1) * s - lo - hi + d * (k - 1) + op + 1


def transpose_output_padding(
    n: Scalar, k: Scalar, s: Scalar = 1, d: Scalar = 1, lo: Scalar = 0, hi: Scalar = 0
) -> sympy.Expr:
    r"""The ``output_padding`` that makes the transposed convolution return size ``n``.

    :func:`output_size` floors away :math:`(N + p_{lo} + p_{hi} - d(K-1) - 1) \bmod s`
    trailing input positions; :func:`transpose_output_size` with this
    ``output_padding`` gives :math:`N` back.

    >>> transpose_output_padding(10, 3, s=3, d=2, lo=2, hi=1)
    2
    >>> transpose_output_size(output_size(10, 3, 3, 2, 2, 1), 3, 3, 2, 2, 1, 2)
    10
    """
    n, k, s, d, lo, hi = (as_expr(v) for v in (n, k, s, d, lo, hi))
    return sympy.Mod(n + lo + hi - d * (k - 1) - 1, s)


# -- the formula -----------------------------------------------------------


def _axes(spec: ConvSpec) -> tuple[list[str], list[str]]:
    nd = spec.ndim
    return [f"n{i}" for i in range(nd)], [f"k{i}" for i in range(nd)]


def flip_index(size: Scalar, k: Affine) -> Affine:
    """Index ``k`` of an axis of length ``size``, reversed: ``size - 1 - k`` (the kernel flip)."""
    return flipped(as_expr(size), k)


def _kernel_tap(spec: ConvSpec, i: int, k: Affine) -> Affine:
    """The kernel entry read at tap ``k`` on axis ``i``: ``k`` or flipped ``K-1-k``."""
    return kernel_tap(spec.kernel_size[i], k, spec.flip)


def _window(spec: ConvSpec, i: int, n: Affine, k: Affine) -> Affine:
    """The input position under tap ``k`` of window ``n``: ``s·n + d·k - p_lo``."""
    return window(n, k, spec.stride[i], spec.dilation[i], spec.pad_lo[i])


def _channel_vars(
    spec: ConvSpec, *, transposed: bool
) -> tuple[list[Var], Affine | None, Affine | None, Affine | None, tuple[Affine, Affine] | None]:
    """Loop variables and channel indices for batch/channels/groups.

    Returns (variables, batch index, forward-output channel index,
    forward-input channel index, weight channel indices).
    """
    out: list[Var] = []
    b_idx = o_idx = c_idx = None
    w_idx = None
    if spec.batch is not None:
        out.append(Var("b", spec.batch))
        b_idx = Affine.var("b")
    if spec.channels is not None:
        cin, cout = spec.channels
        g = spec.groups
        cin_g, cout_g = cin / g, cout / g
        out += [Var("grp", g), Var("o", cout_g), Var("c", cin_g)]
        grp = Affine.var("grp")
        o_idx = grp * cout_g + Affine.var("o")
        c_idx = grp * cin_g + Affine.var("c")
        w_idx = (o_idx, Affine.var("c"))
    return out, b_idx, o_idx, c_idx, w_idx


def _prefix(b: Affine | None, ch: Affine | None) -> tuple[Affine, ...]:
    return tuple(a for a in (b, ch) if a is not None)


def _shape(spec: ConvSpec, channels: sympy.Expr | None, spatial: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    head: list[sympy.Expr] = []
    if spec.batch is not None:
        head.append(spec.batch)
    if spec.channels is not None:
        head.append(channels)
    return tuple(head) + tuple(spatial)


def forward_output_size(spec: ConvSpec) -> tuple[sympy.Expr, ...]:
    """Spatial output size of the forward operation (or ``spec.output_size``)."""
    if spec.output_size is not None:
        return spec.output_size
    return tuple(
        output_size(
            spec.input_size[i], spec.kernel_size[i], spec.stride[i], spec.dilation[i], spec.pad_lo[i], spec.pad_hi[i]
        )
        for i in range(spec.ndim)
    )


def _weight_operand(spec: ConvSpec) -> Operand:
    if spec.channels is None:
        return Operand("w", tuple(spec.kernel_size))
    cin, cout = spec.channels
    return Operand("w", (cout, cin / spec.groups) + tuple(spec.kernel_size))


def forward(spec: ConvSpec) -> tuple[Contraction, ...]:
    r"""The forward operation: correlation (``flip=False``) or convolution (``flip=True``).

    .. math::

        y[b, o, n] = \sum_{c, k} x[b, c, s n + d k - p_{lo}]\,
                     w[o, c, k \text{ or } K-1-k] \;(+\, \mathrm{bias}[o])

    Returns the product term and, with ``bias=True``, the bias term.
    """
    ns, ks = _axes(spec)
    out_sp = forward_output_size(spec)
    chv, b_idx, o_idx, c_idx, w_ch = _channel_vars(spec, transposed=False)
    n = [Affine.var(v) for v in ns]
    k = [Affine.var(v) for v in ks]
    x_shape = _shape(spec, spec.channels[0] if spec.channels else None, spec.input_size)
    y_shape = _shape(spec, spec.channels[1] if spec.channels else None, out_sp)
    x_index = _prefix(b_idx, c_idx) + tuple(_window(spec, i, n[i], k[i]) for i in range(spec.ndim))
    w_index = (w_ch if w_ch else ()) + tuple(_kernel_tap(spec, i, k[i]) for i in range(spec.ndim))
    boundary: tuple[Boundary | None, ...] | None = None
    if spec.padding_mode != "zeros":
        lead = len(x_index) - spec.ndim
        pads = [Boundary(spec.padding_mode, spec.pad_lo[i], spec.pad_hi[i]) for i in range(spec.ndim)]
        boundary = (None,) * lead + tuple(pads)
    variables = tuple(chv) + tuple(Var(ns[i], out_sp[i]) for i in range(spec.ndim))
    variables += tuple(Var(ks[i], spec.kernel_size[i]) for i in range(spec.ndim))
    name = "convolve" if spec.flip else "correlate"
    y = Operand("y", y_shape)
    xo = Operand("x", x_shape)
    wo = _weight_operand(spec)
    y_index = _prefix(b_idx, o_idx) + tuple(n)
    terms = [
        Contraction(
            name,
            y,
            y_index,
            variables,
            (
                Factor("x", x_index, boundary=boundary),
                Factor("w", w_index, conjugate=spec.conjugate_kernel),
            ),
            (xo, wo),
            params={"spec": spec},
        )
    ]
    if spec.bias:
        terms.append(
            _bias_term(spec, name, y, y_index, tuple(v for v in variables if v.name[0] != "k" and v.name != "c"), o_idx)
        )
    return tuple(terms)


def _bias_term(
    spec: ConvSpec, name: str, y: Operand, y_index: tuple[Affine, ...], variables: tuple[Var, ...], ch: Affine | None
) -> Contraction:
    if ch is None:
        raise ValueError("a bias needs channel axes")
    nbias = y.shape[1] if spec.batch is not None else y.shape[0]
    return Contraction(
        name + "_bias",
        y,
        y_index,
        variables,
        (Factor("bias", (ch,)),),
        (Operand("bias", (nbias,)),),
        params={"spec": spec},
    )


def transpose(spec: ConvSpec, output_padding: Sequence[Scalar] | None = None) -> tuple[Contraction, ...]:
    r"""The transposed operation: the adjoint of :func:`forward` with the same ``spec``.

    .. math::

        y[b, c, s n + d k - p_{lo}] \mathrel{+}= x[b, o, n]\,
                                     w[o, c, k \text{ or } K-1-k] \;(+\, \mathrm{bias}[c])

    Here ``spec.input_size`` is the spatial size of the transposed op's INPUT
    (the forward op's output), and the weight keeps the forward layout
    ``(C_out_fwd, C_in_fwd/groups, *K)`` — PyTorch's ``ConvTranspose`` layout
    ``(in, out/groups, *K)``. ``spec.channels`` are the FORWARD channels
    ``(C_in_fwd, C_out_fwd)``.
    """
    nd = spec.ndim
    op = tuple(as_expr(v) for v in (output_padding or (0,) * nd))
    ns, ks = _axes(spec)
    out_sp = tuple(
        transpose_output_size(
            spec.input_size[i],
            spec.kernel_size[i],
            spec.stride[i],
            spec.dilation[i],
            spec.pad_lo[i],
            spec.pad_hi[i],
            op[i],
        )
        for i in range(nd)
    )
    if spec.output_size is not None:
        out_sp = spec.output_size
    chv, b_idx, o_idx, c_idx, w_ch = _channel_vars(spec, transposed=True)
    n = [Affine.var(v) for v in ns]
    k = [Affine.var(v) for v in ks]
    x_shape = _shape(spec, spec.channels[1] if spec.channels else None, spec.input_size)
    y_shape = _shape(spec, spec.channels[0] if spec.channels else None, out_sp)
    x_index = _prefix(b_idx, o_idx) + tuple(n)
    w_index = (w_ch if w_ch else ()) + tuple(_kernel_tap(spec, i, k[i]) for i in range(nd))
    y_index = _prefix(b_idx, c_idx) + tuple(_window(spec, i, n[i], k[i]) for i in range(nd))
    variables = tuple(chv) + tuple(Var(ns[i], spec.input_size[i]) for i in range(nd))
    variables += tuple(Var(ks[i], spec.kernel_size[i]) for i in range(nd))
    name = "conv_transpose"
    y = Operand("y", y_shape)
    terms = [
        Contraction(
            name,
            y,
            y_index,
            variables,
            (Factor("x", x_index), Factor("w", w_index, conjugate=spec.conjugate_kernel)),
            (Operand("x", x_shape), _weight_operand(spec)),
            params={"spec": spec, "output_padding": op},
        )
    ]
    if spec.bias:
        # bias per output channel of the transposed op; loop over its output positions
        ys = [f"m{i}" for i in range(nd)]
        bvars: list[Var] = [v for v in chv if v.name in ("b", "grp", "c")]
        bvars += [Var(ys[i], out_sp[i]) for i in range(nd)]
        bidx = _prefix(b_idx, c_idx) + tuple(Affine.var(v) for v in ys)
        terms.append(_bias_term(spec, name, y, bidx, tuple(bvars), c_idx))
    return tuple(terms)
