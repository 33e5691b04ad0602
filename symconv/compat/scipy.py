r"""``scipy.signal``'s convolutions, reproduced exactly and symbolically.

Conventions (measured against SciPy, checked by the tests):

* ``convolve`` / ``convolve2d`` flip ``in2`` along every axis and never
  conjugate; ``correlate`` / ``correlate2d`` do not flip and conjugate
  ``in2``: :math:`z[k] = \sum_l \mathrm{in1}[l + k]\, \overline{\mathrm{in2}[l]}`.
* ``full`` pads ``K - 1`` on both sides, ``valid`` keeps the fully-overlapping
  windows (either input may be the larger one, but then in EVERY axis).
* ``same`` has the shape of ``in1`` and is centred differently: ``convolve``,
  ``convolve2d`` and ``correlate`` pad ``K // 2`` before and
  ``(K - 1) // 2`` after, ``correlate2d`` pads ``(K - 1) // 2`` before and
  ``K // 2`` after. For an even kernel, ``correlate`` and ``correlate2d``
  therefore disagree by one sample.
* ``correlate2d`` in ``valid`` mode with ``in2`` larger swaps its inputs and
  reverses the result, so the conjugate lands on ``in1`` instead.
* ``convolve2d`` / ``correlate2d`` take a ``boundary``: ``'fill'`` (pad with
  ``fillvalue``), ``'wrap'`` (circular) or ``'symm'`` (mirror repeating the
  edge sample).

>>> from symconv import symbols
>>> x, w = symbols("x", 3, real=True), symbols("w", 2, real=True)
>>> correlate(x, w, "same").tolist()
[w_1*x_0, w_0*x_0 + w_1*x_1, w_0*x_1 + w_1*x_2]
>>> correlate2d(x.reshape(1, 3), w.reshape(1, 2), "same").tolist()
[[w_0*x_0 + w_1*x_1, w_0*x_1 + w_1*x_2, w_0*x_2]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symconv.arrays.array import Array, _entry
from symconv.compat._common import conjugate, correlation, operand, slice_padding
from symconv.core.errors import SymconvError
from symconv.core.numbers import shown
from symconv.core.public import public
from symconv.core.validate import check_choice

__all__ = ["convolve", "convolve2d", "correlate", "correlate2d", "padding"]

MODES = ("full", "valid", "same")
METHODS = ("auto", "direct", "fft")
BOUNDARIES = {
    "fill": "zeros",
    "pad": "zeros",
    "wrap": "circular",
    "circular": "circular",
    "symm": "symmetric",
    "symmetric": "symmetric",
}


@public
def padding(
    op: str, mode: str, n: tuple[int, ...], k: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...], bool]:
    """Per-axis padding ``(lo, hi)`` of SciPy's ``op`` in ``mode``, and whether SciPy swaps the inputs.

    ``op`` is ``'convolve'``, ``'correlate'``, ``'convolve2d'`` or
    ``'correlate2d'``; ``n`` and ``k`` are the shapes of ``in1`` and ``in2``.

    >>> padding("correlate", "same", (5,), (4,)), padding("correlate2d", "same", (5,), (4,))
    (((2,), (1,), False), ((1,), (2,), False))
    """
    qual = f"scipy.signal.{op}"
    check_choice(qual, "mode", mode, MODES)
    lo: list[int] = []
    hi: list[int] = []
    swap = False
    if mode == "valid":
        ok1 = all(a >= b for a, b in zip(n, k))
        ok2 = all(b >= a for a, b in zip(n, k))
        if not (ok1 or ok2):
            raise SymconvError(
                f"{qual}: in mode 'valid' one input must be at least as large as the other in every axis; "
                f"got in1.shape={n}, in2.shape={k}"
            )
        swap = not ok1
    for a, b in zip(n, k):
        if mode == "full":
            length, offset = a + b - 1, 0
        elif mode == "valid":
            length, offset = abs(a - b) + 1, min(a, b) - 1
        elif op == "correlate2d":
            length, offset = a, b // 2
        else:
            length, offset = a, (b - 1) // 2
        p, q = slice_padding(a, b, length, offset)
        lo.append(p)
        hi.append(q)
    return tuple(lo), tuple(hi), swap


def _scipy(op: str, in1: Any, in2: Any, mode: str, *, two_d: bool, boundary: str = "fill", fillvalue: Any = 0) -> Array:
    qual = f"scipy.signal.{op}"
    check_choice(qual, "mode", mode, MODES)
    x, w = operand(qual, "in1", in1), operand(qual, "in2", in2)
    if two_d and not x.ndim == w.ndim == 2:
        raise SymconvError(f"{qual}: `in1` and `in2` must both be 2-D; got in1.ndim={x.ndim}, in2.ndim={w.ndim}")
    if x.ndim != w.ndim:
        raise SymconvError(
            f"{qual}: `in1` and `in2` must have the same number of axes; got in1.ndim={x.ndim}, in2.ndim={w.ndim}"
        )
    scalar = x.ndim == 0
    if scalar:
        x, w = x.reshape(1), w.reshape(1)
    flip, conj = op.startswith("convolve"), op.startswith("correlate")
    lo, hi, swap = padding(op, mode, x.shape, w.shape)
    if swap and two_d and conj:
        # SciPy correlates (in2, conj(in1)) and reverses: the window is the
        # same, the conjugate moves to in1.
        out = correlation(conjugate(x), w, lo, hi, flip=flip, conj=False)
    elif boundary == "zeros" or mode == "valid":
        out = correlation(x, w, lo, hi, flip=flip, conj=conj)
    elif boundary == "fill":
        padded = np.pad(x.numpy(), list(zip(lo, hi)), mode="constant", constant_values=fillvalue)
        zero = (0,) * x.ndim
        out = correlation(Array(padded), w, zero, zero, flip=flip, conj=conj)
    else:
        out = correlation(x, w, lo, hi, flip=flip, conj=conj, mode=boundary)
    return out.reshape(()) if scalar else out


def _boundary(op: str, boundary: Any, fillvalue: Any) -> tuple[str, Any]:
    qual = f"scipy.signal.{op}"
    check_choice(qual, "boundary", boundary, tuple(BOUNDARIES))
    if isinstance(fillvalue, (list, tuple, np.ndarray, Array)):
        flat = np.array(fillvalue.numpy() if isinstance(fillvalue, Array) else fillvalue, dtype=object).reshape(-1)
        if flat.size != 1:
            raise SymconvError(f"{qual}: `fillvalue` must be a scalar or have one element; got {shown(fillvalue)}")
        fillvalue = flat[0]
    fv = _entry(fillvalue, exact=False, where=f"{qual}: `fillvalue`")
    mode = BOUNDARIES[boundary]
    if mode == "zeros" and fv != 0:
        return "fill", fv
    return mode, fv


def _method(op: str, method: Any) -> None:
    check_choice(f"scipy.signal.{op}", "method", method, METHODS)


@public
def convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Array:
    r"""``scipy.signal.convolve``: N-D convolution, ``in2`` flipped along every axis.

    .. math:: z[n] = \sum_m \mathrm{in1}[m]\, \mathrm{in2}[n - m]

    ``method`` is checked and otherwise ignored: the closed form is exact.

    >>> convolve([1, 2, 3], [1, 1], "same").tolist()
    [1, 3, 5]

    Parameters
    ----------
    in1, in2 : array-like or :class:`~symconv.Array`
        Same number of axes.
    mode : {'full', 'valid', 'same'}
    method : {'auto', 'direct', 'fft'}

    See also
    --------
    correlate, convolve2d, symconv.convolve
    """
    _method("convolve", method)
    return _scipy("convolve", in1, in2, mode, two_d=False)


@public
def correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Array:
    r"""``scipy.signal.correlate``: N-D cross-correlation, conjugating ``in2``.

    .. math:: z[k] = \sum_l \mathrm{in1}[l + k]\, \overline{\mathrm{in2}[l]}

    >>> correlate([1, 2, 3], [1, 1], "same").tolist()
    [1, 3, 5]

    Parameters
    ----------
    in1, in2 : array-like or :class:`~symconv.Array`
        Same number of axes.
    mode : {'full', 'valid', 'same'}
        ``same`` pads ``K // 2`` before (unlike :func:`correlate2d`).
    method : {'auto', 'direct', 'fft'}

    See also
    --------
    correlate2d, convolve, symconv.correlate
    """
    _method("correlate", method)
    return _scipy("correlate", in1, in2, mode, two_d=False)


@public
def convolve2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill", fillvalue: Any = 0) -> Array:
    r"""``scipy.signal.convolve2d``: 2-D convolution with a boundary rule.

    .. math:: z[i, j] = \sum_{p, q} \tilde x[i - p, j - q]\, \mathrm{in2}[p, q]

    where :math:`\tilde x` is ``in1`` extended by ``boundary``.

    >>> convolve2d([[1, 2]], [[1, 1]], boundary="wrap").tolist()
    [[3, 3, 3]]

    Parameters
    ----------
    in1, in2 : 2-D array-like or :class:`~symconv.Array`
    mode : {'full', 'valid', 'same'}
    boundary : {'fill', 'wrap', 'symm'} (aliases 'pad', 'circular', 'symmetric')
    fillvalue : number or sympy expression
        The value outside ``in1`` for ``boundary='fill'``.

    See also
    --------
    correlate2d, convolve
    """
    mode_b, fv = _boundary("convolve2d", boundary, fillvalue)
    return _scipy("convolve2d", in1, in2, mode, two_d=True, boundary=mode_b, fillvalue=fv)


@public
def correlate2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill", fillvalue: Any = 0) -> Array:
    r"""``scipy.signal.correlate2d``: 2-D cross-correlation (``in2`` conjugated) with a boundary rule.

    .. math:: z[i, j] = \sum_{p, q} \tilde x[i + p, j + q]\, \overline{\mathrm{in2}[p, q]}

    >>> correlate2d([[1, 2, 3]], [[1, 1]], "same").tolist()
    [[3, 5, 3]]

    Parameters
    ----------
    in1, in2 : 2-D array-like or :class:`~symconv.Array`
    mode : {'full', 'valid', 'same'}
        ``same`` pads ``(K - 1) // 2`` before (unlike :func:`correlate`).
    boundary : {'fill', 'wrap', 'symm'} (aliases 'pad', 'circular', 'symmetric')
    fillvalue : number or sympy expression

    See also
    --------
    correlate, convolve2d
    """
    mode_b, fv = _boundary("correlate2d", boundary, fillvalue)
    return _scipy("correlate2d", in1, in2, mode, two_d=True, boundary=mode_b, fillvalue=fv)


def __dir__() -> list[str]:
    """Only the public names (``dir()``, tab completion): no imports or helpers."""
    return sorted(__all__)
