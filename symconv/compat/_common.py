"""Shared plumbing of the convention adapters: operands in, closed form out.

Every adapter only decides the :class:`~symconv.core.formula.ConvSpec` (sizes,
padding, flip, conjugation) that reproduces its library; the index formula
itself always comes from :func:`symconv.core.formula.forward` or
:func:`~symconv.core.formula.transpose`, and the terms from
:func:`symconv.engines.terms.expand`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy

from symconv.arrays.array import Array, operand
from symconv.arrays.entries import numbers_expanded
from symconv.core.formula import Contraction, ConvSpec, forward
from symconv.core.validate import check_expandable
from symconv.engines.terms import expand

__all__ = ["conjugate", "correlation", "operand", "result_shape", "run", "slice_padding"]


def slice_padding(n: int, k: int, length: int, offset: int) -> tuple[int, int]:
    """Zero padding ``(lo, hi)`` whose output is ``full[offset : offset + length]``.

    The full correlation of ``n`` samples with ``k`` taps pads ``k - 1`` on
    each side; a window starting ``offset`` entries later pads that much less
    before, and the output length fixes the padding after.

    >>> slice_padding(5, 2, 4, 1)   # 'valid'
    (0, 0)
    >>> slice_padding(5, 2, 6, 0)   # 'full'
    (1, 1)
    """
    lo = k - 1 - offset
    return lo, length - n + k - 1 - lo


def result_shape(terms: tuple[Contraction, ...]) -> tuple[int, ...]:
    """The concrete shape of a contraction's result."""
    return tuple(int(s) for s in terms[0].result.shape)


def run(terms: tuple[Contraction, ...], arrays: Mapping[str, Array | np.ndarray]) -> Array:
    """Expand ``terms`` (from ``forward``/``transpose``) on the named operands."""
    check_expandable(terms[0].name, terms)
    data = {k: (v.numpy() if isinstance(v, Array) else v) for k, v in arrays.items()}
    return Array._of(numbers_expanded(expand(terms, data)))


def correlation(
    x: Array, w: Array, lo: tuple[int, ...], hi: tuple[int, ...], *, flip: bool, conj: bool, mode: str = "zeros"
) -> Array:
    """Plain (no batch, no channel) correlation/convolution with the given padding."""
    spec = ConvSpec(
        input_size=x.shape,
        kernel_size=w.shape,
        pad_lo=lo,
        pad_hi=hi,
        flip=flip,
        conjugate_kernel=conj,
        padding_mode=mode,
    )
    return run(forward(spec), {"x": x, "w": w})


def conjugate(a: Array) -> Array:
    """Entry-wise complex conjugate (real entries are unchanged)."""
    return a.applyfunc(sympy.conjugate)
