r"""``correlate`` and ``convolve``: the public operations on plain arrays.

Convention: ``correlate`` does not flip the kernel — this is what PyTorch,
TensorFlow and JAX call convolution. ``convolve`` flips the kernel along
EVERY spatial axis, so ``convolve(x, w, ...) == correlate(x, flip(w), ...)``
in every mode and for every stride, dilation and padding.
"""

from __future__ import annotations

from typing import Any

from symconv.arrays.array import Array, operand
from symconv.arrays.entries import numbers_expanded
from symconv.core.formula import ConvSpec, forward
from symconv.core.plain import MODES, mode_padding, plain_window
from symconv.core.public import public
from symconv.core.validate import check_expandable
from symconv.engines.terms import expand

__all__ = ["MODES", "convolve", "correlate", "mode_padding", "plain_spec"]


def plain_spec(
    op: str, x: Array, w: Array, mode: str, stride: Any, dilation: Any, padding: Any, *, flip: bool
) -> ConvSpec:
    """Validate plain-array arguments (:func:`~symconv.core.plain.plain_window`) and return the :class:`ConvSpec`."""
    s, d, lo, hi = plain_window(op, x.shape, w.shape, mode, stride, dilation, padding)
    return ConvSpec(input_size=x.shape, kernel_size=w.shape, stride=s, dilation=d, pad_lo=lo, pad_hi=hi, flip=flip)


def _run(op: str, x: Any, w: Any, mode: str, stride: Any, dilation: Any, padding: Any, flip: bool) -> Array:
    xa, wa = operand(op, "x", x), operand(op, "w", w)
    spec = plain_spec(op, xa, wa, mode, stride, dilation, padding, flip=flip)
    terms = forward(spec)
    check_expandable(op, terms)
    return Array._of(numbers_expanded(expand(terms, {"x": xa.numpy(), "w": wa.numpy()})))


@public
def correlate(x: Any, w: Any, mode: str = "valid", *, stride: Any = 1, dilation: Any = 1, padding: Any = None) -> Array:
    r"""Cross-correlation (no kernel flip), N-D, closed form.

    .. math:: y[n] = \sum_{k} x[s\,n + d\,k - p_{lo}]\; w[k]

    per axis, summed over all kernel taps ``k``; reads outside ``x`` are zero.

    >>> from symconv import symbols
    >>> correlate(symbols("x", 5), symbols("w", 2))[0]
    w_0*x_0 + w_1*x_1
    >>> correlate([2, 1, 3, 5, 4], [1, -1]).tolist()
    [1, -2, -2, 1]

    Parameters
    ----------
    x, w : array-like or :class:`Array`
        Input and kernel, with the same number of axes.
    mode : {'valid', 'same', 'full'}
        Output size ``N-d(K-1)``, ``N`` (stride 1 only) or ``N+d(K-1)``
        (before striding). ``same`` puts an even kernel's extra zero at the end.
    stride, dilation : int or tuple of int
        Per axis, ``≥ 1``.
    padding : int, tuple, or tuple of (lo, hi) pairs, optional
        Explicit zero padding (with ``mode='valid'``).

    See also
    --------
    convolve, symconv.compat.torch.conv1d
    """
    return _run("correlate", x, w, mode, stride, dilation, padding, False)


@public
def convolve(x: Any, w: Any, mode: str = "valid", *, stride: Any = 1, dilation: Any = 1, padding: Any = None) -> Array:
    r"""Convolution (kernel flipped along every axis), N-D, closed form.

    .. math:: y[n] = \sum_{k} x[s\,n + d\,k - p_{lo}]\; w[K-1-k]

    Equal to ``correlate(x, flip(w), ...)`` with the same arguments.

    >>> convolve([2, 1, 3, 5, 4], [1, -1]).tolist()
    [-1, 2, 2, -1]
    >>> convolve([1, 2], [1, 10], mode="full").tolist()
    [1, 12, 20]

    See also
    --------
    correlate, symconv.compat.numpy.convolve
    """
    return _run("convolve", x, w, mode, stride, dilation, padding, True)
