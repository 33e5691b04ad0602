r"""The integer part of the one definition: where a plain correlation's window reads (no sympy).

:mod:`symconv.core.formula` builds every operation's contraction from these
three functions (applied to :class:`~symconv.core.affine.Affine` loop
variables and sympy sizes); the command line's numeric path evaluates the same
functions on Python integers. There is ONE copy of the index formula:

.. math::

    \mathrm{window}(n, k) = s\,n + d\,k - p_{lo}, \qquad
    \mathrm{tap}(k) = k \text{ (correlate) or } K-1-k \text{ (convolve)}, \qquad
    \mathrm{out} = \lfloor (N + p_{lo} + p_{hi} - d(K-1) - 1)/s \rfloor + 1.

The validation of a plain operation's arguments (``mode``, ``stride``,
``dilation``, ``padding`` and the window's fit) lives here too, so both paths
refuse the same inputs with the same messages.

>>> window(n=1, k=2, stride=2, dilation=3, pad_lo=1), kernel_tap(3, 0, flip=True), output_length(5, 2)
(7, 2, 4)
>>> plain_window("correlate", (5,), (2,), "same", 1, 1, None)
((1,), (1,), (0,), (1,))
"""

from __future__ import annotations

from typing import Any

from symconv.core.errors import SymconvError
from symconv.core.limits import guard
from symconv.core.numbers import shown
from symconv.core.validate import check_choice, check_window, per_axis, per_side

__all__ = [
    "BYTES_PER_ENTRY",
    "MAX_NDIM",
    "MODES",
    "flipped",
    "guard_entries",
    "kernel_tap",
    "mode_padding",
    "output_length",
    "plain_window",
    "window",
]

#: The modes of ``correlate``/``convolve``: output size ``N-d(K-1)``, ``N`` or ``N+d(K-1)`` (before striding).
MODES = ("valid", "same", "full")
#: The most axes an Array may have (numpy's iteration helpers stop at 32).
MAX_NDIM = 32
#: Bytes one entry costs, measured (a sympy number or expression and its slot), for the memory guard.
BYTES_PER_ENTRY = 128
_SIZE_ALTERNATIVE = (
    "build a smaller array; output_shape gives result sizes without building anything, and "
    "symconv.check_exact / check_randomized check identities at scale"
)


def guard_entries(where: str, entries: int, bytes_per_entry: int = BYTES_PER_ENTRY) -> None:
    """Refuse an array of ``entries`` entries beyond the ``entries`` or ``memory_bytes`` limit, before building it."""
    guard(where, "entries", entries, "entries", alternative=_SIZE_ALTERNATIVE)
    guard(where, "memory_bytes", entries * bytes_per_entry, "bytes", alternative=_SIZE_ALTERNATIVE)


def window(n: Any, k: Any, stride: Any, dilation: Any, pad_lo: Any) -> Any:
    """The input position under tap ``k`` of output ``n`` on one axis: ``s·n + d·k - p_lo``."""
    return n * stride + k * dilation - pad_lo


def flipped(size: Any, k: Any) -> Any:
    """Index ``k`` of an axis of length ``size``, reversed: ``size - 1 - k`` (the kernel flip)."""
    return (size - 1) - k


def kernel_tap(size: Any, k: Any, flip: bool) -> Any:
    """The kernel entry read at tap ``k`` on an axis of length ``size``: ``k``, or ``K-1-k`` when ``flip``."""
    return flipped(size, k) if flip else k


def output_length(n: Any, k: Any, s: Any = 1, d: Any = 1, lo: Any = 0, hi: Any = 0) -> Any:
    r"""Forward output size on one axis: :math:`\lfloor (N + p_{lo} + p_{hi} - d(K-1) - 1)/s \rfloor + 1`.

    ``//`` is the floor for Python integers and for sympy expressions alike.
    """
    return (n + lo + hi - d * (k - 1) - 1) // s + 1


def mode_padding(
    op: str, mode: str, kernel: tuple[int, ...], dilation: tuple[int, ...], stride: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Zero padding ``(lo, hi)`` per axis that realises ``mode``.

    ``full`` pads ``d(K-1)`` on both sides; ``same`` pads ``d(K-1)`` in total,
    ``⌊d(K-1)/2⌋`` before and the rest after (PyTorch's choice: an even
    kernel's extra zero goes at the END); ``valid`` pads nothing.

    >>> mode_padding("correlate", "same", (2,), (1,), (1,))
    ((0,), (1,))
    """
    check_choice(op, "mode", mode, MODES)
    span = tuple(d * (k - 1) for k, d in zip(kernel, dilation))
    if mode == "valid":
        return (0,) * len(kernel), (0,) * len(kernel)
    if mode == "full":
        return span, span
    if any(s != 1 for s in stride):
        raise SymconvError(
            f"{op}: mode='same' needs `stride` = 1 on every axis (as in PyTorch); got stride={shown(stride)}"
        )
    lo = tuple(t // 2 for t in span)
    return lo, tuple(t - a for t, a in zip(span, lo))


def plain_window(
    op: str, xshape: tuple[int, ...], wshape: tuple[int, ...], mode: str, stride: Any, dilation: Any, padding: Any
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Validate a plain operation's arguments; return ``(stride, dilation, pad_lo, pad_hi)`` per axis."""
    if len(xshape) != len(wshape):
        raise SymconvError(
            f"{op}: `x` and `w` must have the same number of axes; got x.ndim={len(xshape)}, w.ndim={len(wshape)}"
        )
    if not xshape:
        raise SymconvError(f"{op}: `x` and `w` must have at least one axis; got 0-d arrays")
    nd = len(xshape)
    s = per_axis(op, "stride", stride, nd, minimum=1)
    d = per_axis(op, "dilation", dilation, nd, minimum=1)
    if padding is None:
        lo, hi = mode_padding(op, mode, wshape, d, s)
    else:
        if mode != "valid":
            raise SymconvError(
                f"{op}: give either `mode` or explicit `padding`, "
                f"not both; got mode={shown(mode)}, padding={shown(padding)}"
            )
        lo, hi = per_side(op, "padding", padding, nd)
    hint = f" in mode {shown(mode)}" + ("; use mode='full'" if padding is None and mode == "valid" else "")
    check_window(op, xshape, wshape, d, lo, hi, hint=hint)
    return s, d, lo, hi
