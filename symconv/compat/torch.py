r"""``torch.nn.functional``'s convolutions, reproduced exactly and symbolically.

PyTorch's "convolution" is cross-correlation (no kernel flip):

.. math::

    y[b, o, n] = \mathrm{bias}[o] + \sum_{c, k} x[b,\, g\,C_{in}/G + c,\, s\,n + d\,k - p]\; w[o, c, k]

with ``g = o // (C_out/G)`` the group of output channel ``o``; the transposed
convolution is its adjoint. Layouts are PyTorch's: input
``(batch, channels, *spatial)`` or unbatched ``(channels, *spatial)``,
weight ``(C_out, C_in/groups, *K)`` for ``conv`` and
``(C_in, C_out/groups, *K)`` for ``conv_transpose``.

``padding`` is an int, a tuple (one per spatial axis), ``'valid'`` or
``'same'`` (stride 1 only; an odd total padding puts the extra zero at the
end). ``padding_mode`` (``'zeros'``, ``'reflect'``, ``'replicate'``,
``'circular'``) is the keyword of ``torch.nn.Conv1d/2d/3d``: the padding is
applied with that rule on both sides, as the module does.

Nothing here imports torch: the adapters only choose the
:class:`~symconv.core.formula.ConvSpec`; the tests compare with torch itself.

>>> from symconv import symbols
>>> conv1d(symbols("x", (1, 3)), symbols("w", (1, 1, 2))).tolist()
[[w_{0,0,0}*x_{0,0} + w_{0,0,1}*x_{0,1}, w_{0,0,0}*x_{0,1} + w_{0,0,1}*x_{0,2}]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symconv.arrays.array import Array
from symconv.arrays.ops import mode_padding
from symconv.compat._common import operand, run
from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, ConvSpec, forward, transpose, transpose_output_size
from symconv.core.lazy import handler, is_lazy
from symconv.core.numbers import shown
from symconv.core.public import public
from symconv.core.validate import check_choice, check_int, check_window, per_axis

__all__ = [
    "Plan",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "plan_conv",
    "plan_conv_transpose",
]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


@dataclass(frozen=True)
class Plan:
    """What one PyTorch call computes: the spec, its output padding, and whether the input is batched."""

    spec: ConvSpec
    output_padding: tuple[int, ...] | None
    batched: bool

    def terms(self) -> tuple[Contraction, ...]:
        """The contractions (product term, and the bias term if any)."""
        if self.output_padding is None:
            return forward(self.spec)
        return transpose(self.spec, self.output_padding)

    @property
    def output_shape(self) -> tuple[int, ...]:
        """The shape PyTorch returns."""
        return tuple(int(s) for s in self.terms()[0].result.shape)


def _layout(op: str, nd: int, input_shape: tuple[int, ...], weight_shape: tuple[int, ...]) -> bool:
    if len(weight_shape) != nd + 2:
        raise SymconvError(
            f"{op}: `weight` must have {nd + 2} axes (out/in channels and {nd} kernel axes); got shape {weight_shape}"
        )
    if len(input_shape) not in (nd + 1, nd + 2):
        raise SymconvError(
            f"{op}: `input` must have {nd + 2} axes (batch, channels, {nd} spatial) or {nd + 1} (unbatched); "
            f"got shape {input_shape}"
        )
    return len(input_shape) == nd + 2


def _groups(op: str, groups: Any, channels: tuple[tuple[str, int], ...]) -> int:
    g = check_int(op, "groups", groups, minimum=1)
    for name, value in channels:
        if value % g:
            raise SymconvError(f"{op}: `{name}` (={shown(value)}) must be divisible by `groups` (={shown(g)})")
    return g


def _bias(op: str, bias_shape: tuple[int, ...] | None, channels: int) -> None:
    if bias_shape is not None and bias_shape != (channels,):
        raise SymconvError(f"{op}: `bias` must have shape ({channels},) (one per output channel); got {bias_shape}")


def _padding(
    op: str, padding: Any, nd: int, stride: tuple[int, ...], dilation: tuple[int, ...], kernel: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if isinstance(padding, str):
        check_choice(op, "padding", padding, ("valid", "same"))
        if padding == "same" and any(s != 1 for s in stride):
            raise SymconvError(
                f"{op}: padding='same' needs `stride` = 1 on every axis (as PyTorch); got stride={stride}"
            )
        # PyTorch's 'same' is symconv's mode='same': d(K-1) zeros in total, the odd one at the end
        return mode_padding(op, padding, kernel, dilation, stride)
    p = per_axis(op, "padding", padding, nd, minimum=0)
    return p, p


@public
def plan_conv(
    op: str,
    nd: int,
    input_shape: tuple[int, ...],
    weight_shape: tuple[int, ...],
    bias_shape: tuple[int, ...] | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
    padding_mode: str = "zeros",
) -> Plan:
    """Validate a ``conv{nd}d`` call given only shapes, and return its :class:`Plan`.

    >>> plan_conv("conv1d", 1, (1, 2, 7), (4, 2, 3), stride=2, padding=1).output_shape
    (1, 4, 4)
    """
    batched = _layout(op, nd, input_shape, weight_shape)
    check_choice(op, "padding_mode", padding_mode, PADDING_MODES)
    c_in, spatial = input_shape[-nd - 1], input_shape[-nd:]
    c_out, c_per_group, kernel = weight_shape[0], weight_shape[1], weight_shape[2:]
    g = _groups(op, groups, (("in_channels", c_in), ("out_channels", c_out)))
    if c_per_group * g != c_in:
        raise SymconvError(
            f"{op}: `weight` must have in_channels/groups = {c_in}/{g} = {c_in // g} at axis 1 "
            f"(input has {c_in} channels); got weight shape {weight_shape}"
        )
    _bias(op, bias_shape, c_out)
    s = per_axis(op, "stride", stride, nd, minimum=1)
    d = per_axis(op, "dilation", dilation, nd, minimum=1)
    lo, hi = _padding(op, padding, nd, s, d, kernel)
    check_window(op, spatial, kernel, d, lo, hi, padding_mode=padding_mode, axis="spatial axis")
    spec = ConvSpec(
        input_size=spatial,
        kernel_size=kernel,
        stride=s,
        dilation=d,
        pad_lo=lo,
        pad_hi=hi,
        batch=input_shape[0] if batched else None,
        channels=(c_in, c_out),
        groups=g,
        padding_mode=padding_mode,
        bias=bias_shape is not None,
    )
    return Plan(spec, None, batched)


@public
def plan_conv_transpose(
    op: str,
    nd: int,
    input_shape: tuple[int, ...],
    weight_shape: tuple[int, ...],
    bias_shape: tuple[int, ...] | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: Any = 1,
    dilation: Any = 1,
) -> Plan:
    """Validate a ``conv_transpose{nd}d`` call given only shapes, and return its :class:`Plan`.

    >>> plan_conv_transpose("conv_transpose1d", 1, (1, 4, 3), (4, 2, 3), stride=2, output_padding=1).output_shape
    (1, 2, 8)
    """
    batched = _layout(op, nd, input_shape, weight_shape)
    c_in, spatial = input_shape[-nd - 1], input_shape[-nd:]
    if weight_shape[0] != c_in:
        raise SymconvError(
            f"{op}: `weight` must have in_channels = {c_in} at axis 0 (the input's channels); "
            f"got weight shape {weight_shape}"
        )
    kernel = weight_shape[2:]
    g = _groups(op, groups, (("in_channels", c_in),))
    c_out = weight_shape[1] * g
    _bias(op, bias_shape, c_out)
    s = per_axis(op, "stride", stride, nd, minimum=1)
    d = per_axis(op, "dilation", dilation, nd, minimum=1)
    if isinstance(padding, str):
        raise SymconvError(f"{op}: `padding` must be an integer or a tuple of {nd} integers; got {shown(padding)}")
    p = per_axis(op, "padding", padding, nd, minimum=0)
    op_pad = per_axis(op, "output_padding", output_padding, nd, minimum=0)
    for ax in range(nd):
        if op_pad[ax] >= s[ax] and op_pad[ax] >= d[ax]:
            raise SymconvError(
                f"{op}: `output_padding` (={shown(op_pad[ax])}) must be smaller than `stride` (={shown(s[ax])}) or "
                f"`dilation` (={shown(d[ax])}) on spatial axis {ax}"
            )
        size = int(transpose_output_size(spatial[ax], kernel[ax], s[ax], d[ax], p[ax], p[ax], op_pad[ax]))
        if size < 1:
            raise SymconvError(
                f"{op}: the output size (N-1)s - 2p + d(K-1) + output_padding + 1 must be ≥ 1 on spatial axis {ax}; "
                f"got {size} (N={spatial[ax]}, s={s[ax]}, p={p[ax]}, d={d[ax]}, K={kernel[ax]}, "
                f"output_padding={op_pad[ax]})"
            )
    spec = ConvSpec(
        input_size=spatial,
        kernel_size=kernel,
        stride=s,
        dilation=d,
        pad_lo=p,
        pad_hi=p,
        batch=input_shape[0] if batched else None,
        channels=(c_out, c_in),
        groups=g,
        bias=bias_shape is not None,
    )
    return Plan(spec, op_pad, batched)


def _call(plan: Plan, x: Array, w: Array, b: Array | None) -> Array:
    arrays = {"x": x, "w": w}
    if b is not None:
        arrays["bias"] = b
    return run(plan.terms(), arrays)


def _conv(
    nd: int,
    input: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: Any,
    padding_mode: Any,
) -> Array:
    op = f"conv{nd}d"
    lazy = handler("torch.conv") if is_lazy(input, weight, bias) else None
    if lazy is not None:  # arrays of symbolic size: a lazy expression (symconv.claims)
        return lazy(nd, input, weight, bias, stride, padding, dilation, groups, padding_mode)  # type: ignore[no-any-return]
    x, w = operand(op, "input", input), operand(op, "weight", weight)
    b = None if bias is None else operand(op, "bias", bias)
    plan = plan_conv(
        op, nd, x.shape, w.shape, None if b is None else b.shape, stride, padding, dilation, groups, padding_mode
    )
    return _call(plan, x, w, b)


def _conv_t(
    nd: int,
    input: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: Any,
    dilation: Any,
) -> Array:
    op = f"conv_transpose{nd}d"
    x, w = operand(op, "input", input), operand(op, "weight", weight)
    b = None if bias is None else operand(op, "bias", bias)
    plan = plan_conv_transpose(
        op, nd, x.shape, w.shape, None if b is None else b.shape, stride, padding, output_padding, groups, dilation
    )
    return _call(plan, x, w, b)


@public
def conv1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
    *,
    padding_mode: str = "zeros",
) -> Array:
    r"""``torch.nn.functional.conv1d``: 1-D cross-correlation over channels, batched or not.

    .. math:: y[b, o, n] = \mathrm{bias}[o] + \sum_{c, k} x[b, c, s\,n + d\,k - p]\; w[o, c, k]

    >>> from symconv import symbols
    >>> conv1d([[[1, 2, 3]]], [[[1, -1]]], bias=[10]).tolist()
    [[[9, 9]]]

    Parameters
    ----------
    input : ``(batch, C_in, L)`` or ``(C_in, L)``
    weight : ``(C_out, C_in/groups, K)``
    bias : ``(C_out,)``, optional
    stride, dilation : int or tuple
    padding : int, tuple, ``'valid'`` or ``'same'``
    groups : int dividing ``C_in`` and ``C_out``
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        As ``torch.nn.Conv1d``'s keyword.

    See also
    --------
    conv2d, conv_transpose1d, symconv.correlate
    """
    return _conv(1, input, weight, bias, stride, padding, dilation, groups, padding_mode)


@public
def conv2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
    *,
    padding_mode: str = "zeros",
) -> Array:
    r"""``torch.nn.functional.conv2d``: 2-D cross-correlation over channels.

    .. math::

        y[b, o, i, j] = \mathrm{bias}[o]
        + \sum_{c, p, q} x[b, c, s_0 i + d_0 p - p_0, s_1 j + d_1 q - p_1]\; w[o, c, p, q]

    >>> conv2d([[[[1, 2], [3, 4]]]], [[[[1, 0], [0, 1]]]]).tolist()
    [[[[5]]]]

    See also
    --------
    conv1d, conv3d, conv_transpose2d
    """
    return _conv(2, input, weight, bias, stride, padding, dilation, groups, padding_mode)


@public
def conv3d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
    *,
    padding_mode: str = "zeros",
) -> Array:
    r"""``torch.nn.functional.conv3d``: 3-D cross-correlation over channels.

    .. math::

        y[b, o, n] = \mathrm{bias}[o] + \sum_{c, k} x[b, c, s \odot n + d \odot k - p]\; w[o, c, k]
        \quad (n, k \in \mathbb{Z}^3)

    >>> conv3d([[[[[1, 2]]]]], [[[[[3, 4]]]]]).tolist()
    [[[[[11]]]]]

    See also
    --------
    conv2d, conv_transpose3d
    """
    return _conv(3, input, weight, bias, stride, padding, dilation, groups, padding_mode)


@public
def conv_transpose1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: Any = 1,
    dilation: Any = 1,
) -> Array:
    r"""``torch.nn.functional.conv_transpose1d``: the adjoint of :func:`conv1d`.

    .. math::

        y[b, c, s\,n + d\,k - p] \mathrel{+}= x[b, o, n]\; w[o, c, k],
        \qquad y[b, c, m] \mathrel{+}= \mathrm{bias}[c]

    Output length ``(N-1)s - 2p + d(K-1) + output_padding + 1``.

    >>> conv_transpose1d([[[1, 2]]], [[[1, 10]]], stride=2).tolist()
    [[[1, 10, 2, 20]]]

    Parameters
    ----------
    input : ``(batch, C_in, L)`` or ``(C_in, L)``
    weight : ``(C_in, C_out/groups, K)``
    output_padding : int or tuple
        Extra positions at the end; each must be smaller than the stride or the dilation.

    See also
    --------
    conv1d, symconv.output_shape
    """
    return _conv_t(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


@public
def conv_transpose2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: Any = 1,
    dilation: Any = 1,
) -> Array:
    r"""``torch.nn.functional.conv_transpose2d``: the adjoint of :func:`conv2d`.

    .. math:: y[b, c, s \odot n + d \odot k - p] \mathrel{+}= x[b, o, n]\; w[o, c, k]

    >>> conv_transpose2d([[[[1]]]], [[[[1, 2], [3, 4]]]]).tolist()
    [[[[1, 2], [3, 4]]]]

    See also
    --------
    conv2d, conv_transpose1d
    """
    return _conv_t(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


@public
def conv_transpose3d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: Any = 1,
    dilation: Any = 1,
) -> Array:
    r"""``torch.nn.functional.conv_transpose3d``: the adjoint of :func:`conv3d`.

    .. math:: y[b, c, s \odot n + d \odot k - p] \mathrel{+}= x[b, o, n]\; w[o, c, k]

    >>> conv_transpose3d([[[[[2]]]]], [[[[[1, 3]]]]]).tolist()
    [[[[[2, 6]]]]]

    See also
    --------
    conv3d, conv_transpose2d
    """
    return _conv_t(3, input, weight, bias, stride, padding, output_padding, groups, dilation)


def __dir__() -> list[str]:
    """Only the public names (``dir()``, tab completion): no imports or helpers."""
    return sorted(__all__)
