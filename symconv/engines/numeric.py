r"""Exact plain correlation and convolution of NUMBERS with Python integers (no sympy, no numpy).

The command line's numeric path (``symconv correlate 2,1,3,5,4 1,-1``) needs
neither symbols nor a sympy expansion: every entry is an exact rational. Each
operand is scaled to integers by the least common multiple of its
denominators, the sums are taken over Python integers (exact, any size) and the
result is divided once. Where each tap reads comes from the one definition,
:func:`~symconv.core.plain.window` and :func:`~symconv.core.plain.kernel_tap`:

.. math:: y[n] = \sum_k x[s\,n + d\,k - p_{lo}]\; w[k \text{ or } K-1-k],

reads outside ``x`` being zero.

>>> from fractions import Fraction
>>> correlate_numbers([2, 1, 3, 5, 4], (5,), [1, -1], (2,), (1,), (1,), (0,), (0,), flip=False)
([1, -2, -2, 1], (4,))
>>> correlate_numbers([Fraction(1, 2), 1], (2,), [1, 10], (2,), (1,), (1,), (1,), (1,), flip=True)
([Fraction(1, 2), 6, 10], (3,))
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction

from symconv.core.plain import kernel_tap, output_length, window

__all__ = ["correlate_numbers", "term_count"]

Number = int | Fraction


def _scaled(values: Sequence[Number]) -> tuple[list[int], int]:
    """``values`` times the lcm ``D`` of their denominators (integers), and ``D``."""
    den = 1
    for v in values:
        if isinstance(v, Fraction) and v.denominator != 1:
            den = math.lcm(den, v.denominator)
    if den == 1:
        return [int(v) for v in values], 1
    return [int(v * den) for v in values], den


def _strides(shape: Sequence[int]) -> list[int]:
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= n
    return out[::-1]


def term_count(out: Sequence[int], kernel: Sequence[int]) -> int:
    """The loop points of the sum (outputs × taps): what a symbolic expansion would enumerate."""
    return math.prod(out) * math.prod(kernel)


def correlate_numbers(
    x: Sequence[Number],
    xshape: Sequence[int],
    w: Sequence[Number],
    wshape: Sequence[int],
    stride: Sequence[int],
    dilation: Sequence[int],
    pad_lo: Sequence[int],
    pad_hi: Sequence[int],
    *,
    flip: bool,
) -> tuple[list[Number], tuple[int, ...]]:
    """The exact result (row-major, ints where whole) and its shape; ``x``, ``w`` row-major, arguments checked."""
    nd = len(xshape)
    out = tuple(output_length(xshape[i], wshape[i], stride[i], dilation[i], pad_lo[i], pad_hi[i]) for i in range(nd))
    xs, ws = _strides(xshape), _strides(wshape)
    # per axis and output position: the (x offset, w offset) of every tap that reads inside x
    axes = []
    for i in range(nd):
        table = []
        for n in range(out[i]):
            taps = []
            for k in range(wshape[i]):
                pos = window(n, k, stride[i], dilation[i], pad_lo[i])
                if 0 <= pos < xshape[i]:
                    taps.append((pos * xs[i], kernel_tap(wshape[i], k, flip) * ws[i]))
            table.append(taps)
        axes.append(table)
    xi, dx = _scaled(x)
    wi, dw = _scaled(w)
    den = dx * dw
    result: list[Number] = []
    for index in itertools.product(*(range(n) for n in out)):
        pairs = [(0, 0)]
        for i, n in enumerate(index):
            pairs = [(a + b, c + e) for a, c in pairs for b, e in axes[i][n]]
        total = sum(xi[a] * wi[c] for a, c in pairs)
        value = Fraction(total, den)
        result.append(value.numerator if value.denominator == 1 else value)
    return result, out
