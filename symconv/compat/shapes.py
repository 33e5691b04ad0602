r"""Output-size arithmetic for every operation symconv reproduces.

Per spatial axis, with input size :math:`N`, kernel size :math:`K`, stride
:math:`s`, dilation :math:`d` and zero padding :math:`p` on both sides
(PyTorch's convention):

.. math::

    M = \left\lfloor \frac{N + 2p - d(K-1) - 1}{s} \right\rfloor + 1
    \qquad\text{(convolution)}

    N' = (M - 1)\,s - 2p + d(K-1) + \mathrm{output\_padding} + 1
    \qquad\text{(transposed convolution)}

Because of the floor, ``s`` forward input sizes share one output size; the
transposed convolution cannot tell them apart and ``output_padding`` picks
one (:func:`output_padding_choices`). Both formulas are those of
:mod:`symconv.core.formula`, which the operations themselves use.

>>> output_shape("torch.conv2d", (8, 3, 32, 32), (16, 3, 3, 3), stride=2, padding=1)
(8, 16, 16, 16)
>>> output_padding_choices(16, 3, stride=2, padding=1)
[OutputPaddingChoice(input_size=31, output_padding=0), OutputPaddingChoice(input_size=32, output_padding=1)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, cast

import numpy as np
import sympy

from symconv.arrays.array import MAX_NDIM, Array
from symconv.arrays.ops import plain_spec
from symconv.core.affine import Scalar
from symconv.core.errors import SymconvError
from symconv.core.formula import forward, transpose_output_size
from symconv.core.formula import output_size as forward_size
from symconv.core.limits import guard
from symconv.core.numbers import shown
from symconv.core.public import public
from symconv.core.validate import _is_int, check_choice, check_int

__all__ = [
    "OutputPaddingChoice",
    "conv_output_size",
    "conv_transpose_output_size",
    "output_padding_choices",
    "output_shape",
]


class OutputPaddingChoice(NamedTuple):
    """One forward input size and the ``output_padding`` that makes the transposed convolution recover it."""

    input_size: int
    output_padding: int


def _size(op: str, name: str, value: Any, minimum: int) -> sympy.Expr:
    if isinstance(value, sympy.Expr) and not value.is_Integer:
        if not value.free_symbols:
            raise SymconvError(f"{op}: `{name}` must be an integer or a sympy symbol; got {shown(value)}")
        return value
    return sympy.Integer(
        check_int(op, name, int(value) if isinstance(value, sympy.Integer) else value, minimum=minimum)
    )


@public
def conv_output_size(n: Scalar, k: Scalar, stride: Scalar = 1, padding: Scalar = 0, dilation: Scalar = 1) -> sympy.Expr:
    r"""Convolution output size on one axis (PyTorch's formula, symmetric padding).

    .. math:: M = \lfloor (N + 2p - d(K-1) - 1)/s \rfloor + 1

    Sizes may be sympy symbols, giving the formula itself.

    >>> conv_output_size(7, 3, stride=2, padding=1)
    4
    >>> N, K, s = sympy.symbols("N K s", positive=True, integer=True)
    >>> conv_output_size(N, K, s)
    floor((-K + N)/s) + 1

    Parameters
    ----------
    n, k : int or sympy expression
        Input and kernel size (``≥ 1``).
    stride, dilation : int or sympy expression (``≥ 1``)
    padding : int or sympy expression (``≥ 0``), on each side

    See also
    --------
    conv_transpose_output_size, output_shape
    """
    op = "conv_output_size"
    n, k = _size(op, "n", n, 1), _size(op, "k", k, 1)
    s, p, d = _size(op, "stride", stride, 1), _size(op, "padding", padding, 0), _size(op, "dilation", dilation, 1)
    out = forward_size(n, k, s, d, p, p)
    if out.is_Integer and out < 1:
        raise SymconvError(
            f"{op}: the dilated kernel d(K-1)+1 (={shown(d * (k - 1) + 1)}) must fit in the padded input N + 2p "
            f"(={shown(n + 2 * p)}); got n={shown(n)}, k={shown(k)}, padding={shown(p)}, dilation={shown(d)}"
        )
    return out


@public
def conv_transpose_output_size(
    n: Scalar, k: Scalar, stride: Scalar = 1, padding: Scalar = 0, dilation: Scalar = 1, output_padding: Scalar = 0
) -> sympy.Expr:
    r"""Transposed-convolution output size on one axis (PyTorch's formula).

    .. math:: N' = (M - 1)s - 2p + d(K-1) + \mathrm{output\_padding} + 1

    >>> conv_transpose_output_size(4, 3, stride=2, padding=1, output_padding=1)
    8

    Parameters
    ----------
    n : int or sympy expression
        The transposed convolution's input size ``M``.
    k, stride, padding, dilation : as in :func:`conv_output_size`
    output_padding : int or sympy expression
        Must be smaller than ``stride`` or ``dilation``.

    See also
    --------
    conv_output_size, output_padding_choices
    """
    op = "conv_transpose_output_size"
    n, k = _size(op, "n", n, 1), _size(op, "k", k, 1)
    s, p, d = _size(op, "stride", stride, 1), _size(op, "padding", padding, 0), _size(op, "dilation", dilation, 1)
    q = _size(op, "output_padding", output_padding, 0)
    if q.is_Integer and s.is_Integer and d.is_Integer and q >= s and q >= d:
        raise SymconvError(
            f"{op}: `output_padding` (={shown(q)}) must be smaller than `stride` (={shown(s)}) "
            f"or `dilation` (={shown(d)})"
        )
    out = transpose_output_size(n, k, s, d, p, p, q)
    if out.is_Integer and out < 1:
        raise SymconvError(f"{op}: the output size must be ≥ 1; got {out} (n={n}, k={k}, stride={s}, padding={p})")
    return out


@public
def output_padding_choices(
    output_size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> list[OutputPaddingChoice]:
    """Every forward input size giving ``output_size``, with the ``output_padding`` that recovers it.

    A strided convolution maps ``stride`` consecutive input sizes to the same
    output size; ``conv_transpose`` with ``output_padding = q`` returns the
    ``q``-th of them (``q < stride`` always satisfies PyTorch's rule).

    >>> [tuple(c) for c in output_padding_choices(4, 3, stride=3)]
    [(12, 0), (13, 1), (14, 2)]

    See also
    --------
    conv_transpose_output_size, symconv.compat.torch.conv_transpose1d
    """
    op = "output_padding_choices"
    m = check_int(op, "output_size", output_size, minimum=1)
    k = check_int(op, "kernel_size", kernel_size, minimum=1)
    s = check_int(op, "stride", stride, minimum=1)
    p = check_int(op, "padding", padding, minimum=0)
    d = check_int(op, "dilation", dilation, minimum=1)
    # the floor in the forward size hides q = 0 … s-1 trailing positions: n = n0 + q all give m
    n0 = int(transpose_output_size(m, k, s, d, p, p, 0))
    first = max(0, 1 - n0)
    guard(
        op,
        "entries",
        s - first,
        f"input sizes to list (one per remainder of `stride`={s})",
        alternative="conv_transpose_output_size gives the size for one output_padding",
    )
    return [OutputPaddingChoice(n0 + q, q) for q in range(first, s)]


class _Shape:
    """Stands in for an :class:`Array` where only ``shape``/``ndim`` are read."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.ndim = len(shape)


def _shape(op: str, name: str, value: Any) -> tuple[int, ...]:
    if _is_int(value):
        dims: tuple[Any, ...] = (value,)
    elif isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes)):
        if len(value) > MAX_NDIM or (isinstance(value, np.ndarray) and value.size > MAX_NDIM):
            raise SymconvError(f"{op}: `{name}` may have at most {MAX_NDIM} axes; got {len(value)}")
        dims = tuple(np.asarray(value, dtype=object).reshape(-1)) if isinstance(value, np.ndarray) else tuple(value)
    else:
        raise SymconvError(
            f"{op}: `{name}` must be a shape (an integer or a tuple of integers ≥ 1); got {shown(value)}"
        )
    if not dims:
        raise SymconvError(f"{op}: `{name}` must have at least one axis; got {shown(value)}")
    for v in dims:
        if not _is_int(v) or v < 1:
            raise SymconvError(f"{op}: every entry of `{name}` must be an integer ≥ 1; got {shown(value)}")
        check_int(op, name, v, minimum=1)
    return tuple(int(v) for v in dims)


def _core(flip: bool) -> Callable[..., tuple[int, ...]]:
    def shape(
        x: tuple[int, ...],
        w: tuple[int, ...],
        mode: str = "valid",
        stride: Any = 1,
        dilation: Any = 1,
        padding: Any = None,
    ) -> tuple[int, ...]:
        name = "convolve" if flip else "correlate"
        spec = plain_spec(
            name, cast(Array, _Shape(x)), cast(Array, _Shape(w)), mode, stride, dilation, padding, flip=flip
        )
        return tuple(int(v) for v in forward(spec)[0].result.shape)

    return shape


def _numpy(op: str) -> Callable[..., tuple[int, ...]]:
    def shape(
        a: tuple[int, ...], v: tuple[int, ...], mode: str = "full" if op == "convolve" else "valid"
    ) -> tuple[int, ...]:
        from symconv.compat.numpy import window

        if len(a) != 1 or len(v) != 1:
            raise SymconvError(f"numpy.{op}: both inputs must be one-dimensional; got shapes {a} and {v}")
        return (window(op, mode, a[0], v[0])[0],)

    return shape


def _scipy(op: str) -> Callable[..., tuple[int, ...]]:
    def shape(in1: tuple[int, ...], in2: tuple[int, ...], mode: str = "full", **options: Any) -> tuple[int, ...]:
        from symconv.compat.scipy import BOUNDARIES, METHODS, padding

        if "method" in options:
            check_choice(f"scipy.signal.{op}", "method", options["method"], METHODS)
        if "boundary" in options:
            check_choice(f"scipy.signal.{op}", "boundary", options["boundary"], tuple(BOUNDARIES))

        if len(in1) != len(in2) or (op.endswith("2d") and len(in1) != 2):
            raise SymconvError(f"scipy.signal.{op}: shapes must have the same number of axes; got {in1} and {in2}")
        lo, hi, _swap = padding(op, mode, in1, in2)
        return tuple(int(forward_size(n, k, 1, 1, a, b)) for n, k, a, b in zip(in1, in2, lo, hi))

    return shape


def _torch(op: str) -> Callable[..., tuple[int, ...]]:
    nd = int(op[-2])

    def shape(x: tuple[int, ...], w: tuple[int, ...], bias: Any = None, **params: Any) -> tuple[int, ...]:
        from symconv.compat import torch as t

        plan = t.plan_conv_transpose if "transpose" in op else t.plan_conv
        bias_shape = None if bias is None else _shape(f"output_shape({op})", "bias", bias)
        return plan(op, nd, x, w, bias_shape, **params).output_shape

    return shape


_OPS: dict[str, Callable[..., tuple[int, ...]]] = {
    "correlate": _core(False),
    "convolve": _core(True),
    "numpy.convolve": _numpy("convolve"),
    "numpy.correlate": _numpy("correlate"),
    **{f"scipy.{n}": _scipy(n) for n in ("convolve", "correlate", "convolve2d", "correlate2d")},
    **{
        f"torch.{n}": _torch(n)
        for n in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
    },
}


_CONV = frozenset({"bias", "stride", "padding", "dilation", "groups"})
_PARAMS: dict[str, frozenset[str]] = {
    "correlate": frozenset({"mode", "stride", "dilation", "padding"}),
    "convolve": frozenset({"mode", "stride", "dilation", "padding"}),
    "numpy.convolve": frozenset({"mode"}),
    "numpy.correlate": frozenset({"mode"}),
    "scipy.convolve": frozenset({"mode", "method"}),
    "scipy.correlate": frozenset({"mode", "method"}),
    "scipy.convolve2d": frozenset({"mode", "boundary", "fillvalue"}),
    "scipy.correlate2d": frozenset({"mode", "boundary", "fillvalue"}),
    **{f"torch.conv{n}d": _CONV | {"padding_mode"} for n in (1, 2, 3)},
    **{f"torch.conv_transpose{n}d": _CONV | {"output_padding"} for n in (1, 2, 3)},
}


@public
def output_shape(op: str, input_shape: Any, weight_shape: Any, **params: Any) -> tuple[int, ...]:
    """The shape ``op`` returns for inputs of these shapes, without computing it.

    ``op`` names the function — ``'correlate'``/``'convolve'`` (symconv's own),
    ``'numpy.convolve'``, ``'numpy.correlate'``, ``'scipy.convolve'``,
    ``'scipy.correlate'``, ``'scipy.convolve2d'``, ``'scipy.correlate2d'``,
    ``'torch.conv1d'`` … ``'torch.conv_transpose3d'`` — and ``params`` are
    that function's own keyword arguments (``mode``, ``stride``, ``padding``,
    ``output_padding``, ``groups`` …; for torch, ``bias`` is the bias's
    shape). The same validation runs as in the function, so an invalid
    combination raises the same :class:`SymconvError`.

    >>> output_shape("numpy.correlate", (2,), (5,), mode="same")
    (5,)
    >>> output_shape("torch.conv_transpose1d", (1, 4, 16), (4, 2, 3), stride=2, padding=1, output_padding=1)
    (1, 2, 32)

    Parameters
    ----------
    op : str
        One of the names above.
    input_shape, weight_shape : tuple of int
        Shapes of the first and second argument (an int is a 1-D shape).

    See also
    --------
    conv_output_size, conv_transpose_output_size, output_padding_choices
    """
    if not isinstance(op, str) or op not in _OPS:
        names = ", ".join(repr(n) for n in _OPS)
        raise SymconvError(f"output_shape: `op` must be one of {names}; got {shown(op)}")
    unknown = sorted(set(params) - _PARAMS[op])
    if unknown:
        raise SymconvError(f"output_shape: {op} takes no parameter {', '.join(repr(u) for u in unknown)}")
    x = _shape(f"output_shape({op})", "input_shape", input_shape)
    w = _shape(f"output_shape({op})", "weight_shape", weight_shape)
    return _OPS[op](x, w, **params)
