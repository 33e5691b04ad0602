r"""NumPy's ``convolve`` and ``correlate``, reproduced exactly and symbolically.

Conventions (measured against NumPy, checked by the tests):

* ``convolve(a, v, mode='full')`` flips ``v``:
  :math:`(a * v)[n] = \sum_m a[m]\, v[n - m]`; it never conjugates.
* ``correlate(a, v, mode='valid')`` does not flip and conjugates ``v``:
  :math:`c[k] = \sum_n a[n + k]\, \overline{v[n]}` — the conjugation matters
  only for complex entries (symbols are complex unless declared real).
* Every mode is a window of the full result: ``valid`` keeps the
  ``max(N, K) - min(N, K) + 1`` fully-overlapping lags; ``same`` keeps
  ``max(N, K)`` entries starting at ``(K - 1) // 2`` when ``N ≥ K``. When the
  second argument is longer NumPy swaps the operands internally, which shifts
  the ``same`` window: it starts at ``(N - 1) // 2`` for ``convolve`` but at
  ``N // 2`` for ``correlate`` (NumPy correlates the swapped pair and reverses).

>>> from symconv import symbols
>>> correlate(symbols("a", 3, real=True), symbols("v", 2, real=True)).tolist()
[a_0*v_0 + a_1*v_1, a_1*v_0 + a_2*v_1]
"""

from __future__ import annotations

from typing import Any

from symconv.arrays.array import Array
from symconv.compat._common import correlation, operand, slice_padding
from symconv.core.errors import SymconvError
from symconv.core.public import public
from symconv.core.validate import check_choice

__all__ = ["convolve", "correlate", "window"]

MODES = ("valid", "same", "full")


def _vector(op: str, name: str, value: Any) -> Array:
    a = operand(op, name, value)
    if a.ndim == 0:
        return a.reshape(1)
    if a.ndim != 1:
        raise SymconvError(
            f"{op}: `{name}` must be one-dimensional (NumPy's convolve/correlate are 1-D); got shape {a.shape}"
        )
    return a


@public
def window(op: str, mode: str, n: int, k: int) -> tuple[int, int]:
    """``(length, offset)`` of NumPy's output inside the full result.

    ``op`` is ``'convolve'`` or ``'correlate'``; ``n = len(a)``, ``k = len(v)``.

    >>> window("correlate", "same", 2, 4), window("convolve", "same", 2, 4)
    ((4, 1), (4, 0))
    """
    check_choice(f"numpy.{op}", "mode", mode, MODES)
    if mode == "full":
        return n + k - 1, 0
    if mode == "valid":
        return max(n, k) - min(n, k) + 1, min(n, k) - 1
    if n >= k:
        return n, (k - 1) // 2
    return k, (n // 2 if op == "correlate" else (n - 1) // 2)


def _numpy(op: str, a: Any, v: Any, mode: str) -> Array:
    qual = f"numpy.{op}"
    check_choice(qual, "mode", mode, MODES)
    x, w = _vector(qual, "a", a), _vector(qual, "v", v)
    n, k = x.shape[0], w.shape[0]
    length, offset = window(op, mode, n, k)
    lo, hi = slice_padding(n, k, length, offset)
    return correlation(x, w, (lo,), (hi,), flip=op == "convolve", conj=op == "correlate")


@public
def convolve(a: Any, v: Any, mode: str = "full") -> Array:
    r"""``numpy.convolve``: discrete linear convolution, flipping ``v``.

    .. math:: (a * v)[n] = \sum_m a[m]\, v[n - m]

    >>> convolve([1, 2, 3], [0, 1, 0.5]).tolist()
    [0, 1, 2.50000000000000, 4.00000000000000, 1.50000000000000]
    >>> convolve([2, 1, 3, 5, 4], [1, -1], "valid").tolist()
    [-1, 2, 2, -1]

    Parameters
    ----------
    a, v : array-like or :class:`~symconv.Array`
        One-dimensional; a scalar counts as one sample.
    mode : {'full', 'valid', 'same'}
        As in NumPy, including its window when ``len(v) > len(a)``.

    See also
    --------
    correlate, symconv.convolve, symconv.compat.scipy.convolve
    """
    return _numpy("convolve", a, v, mode)


@public
def correlate(a: Any, v: Any, mode: str = "valid") -> Array:
    r"""``numpy.correlate``: cross-correlation, conjugating ``v``.

    .. math:: c[k] = \sum_n a[n + k]\, \overline{v[n]}

    >>> correlate([2, 1, 3, 5, 4], [1, -1]).tolist()
    [1, -2, -2, 1]
    >>> from sympy import I
    >>> correlate([I, 2], [I]).tolist()
    [1, -2*I]

    Parameters
    ----------
    a, v : array-like or :class:`~symconv.Array`
        One-dimensional; a scalar counts as one sample.
    mode : {'valid', 'same', 'full'}
        As in NumPy, including its window when ``len(v) > len(a)``.

    See also
    --------
    convolve, symconv.correlate, symconv.compat.scipy.correlate
    """
    return _numpy("correlate", a, v, mode)


def __dir__() -> list[str]:
    """Only the public names (``dir()``, tab completion): no imports or helpers."""
    return sorted(__all__)
