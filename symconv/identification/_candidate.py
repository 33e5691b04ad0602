r"""Candidate operations as symconv's own contractions, and their coefficient tensors.

A candidate is, per axis, a kernel flip, a stride, a dilation, a padding ``(p_lo, p_hi)`` and a
boundary rule. It is built with :func:`symconv.core.formula.forward` — the ONE definition of
correlation and convolution — so what ``identify`` reports is exactly what ``symconv.correlate``
and ``symconv.convolve`` compute. A flip on some axes only is the same contraction with the kernel
index reversed (:func:`~symconv.core.formula.flip_index`) on those axes; different boundaries per axis
put a :class:`~symconv.core.formula.Boundary` on each axis of the input factor.

The coefficient tensor of a contraction counts its terms:

.. math:: C[m, i, j] = \#\{\text{terms } y[m] \mathrel{+}= x[i]\, w[j]\}

>>> c = build((4,), (2,), [AxisParams(flip=True, stride=1, dilation=1, lo=1, hi=1)], m=(5,))
>>> coefficients(c)[1].tolist()   # full convolution: y[1] = x[1]·w[0] + x[0]·w[1]
[[0, 1], [1, 0], [0, 0], [0, 0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from symconv.core.affine import Scalar
from symconv.core.formula import Boundary, Contraction, ConvSpec, flip_index, forward
from symconv.engines.terms import iter_terms_separable

__all__ = ["BOUNDARIES", "AxisParams", "build", "coefficients"]

#: The boundary rules a candidate may use (symconv's names; ``zeros`` is plain zero padding).
BOUNDARIES = ("zeros", "reflect", "symmetric", "replicate", "circular")


@dataclass(frozen=True)
class AxisParams:
    """One axis of a candidate: ``y[n] = Σ_k x[s·n + d·k − lo]·w[k or K−1−k]``, reads up to ``N + hi``."""

    flip: bool
    stride: int
    dilation: int
    lo: Scalar
    hi: Scalar
    boundary: str = "zeros"


def build(
    n: Sequence[Scalar],
    k: Sequence[Scalar],
    axes: Sequence[AxisParams],
    *,
    m: Sequence[int] | None = None,
    conjugate: bool = False,
) -> Contraction:
    """The candidate's contraction at input size ``n`` and kernel size ``k`` (integers or symbols).

    ``m`` fixes the output size (the probed one); without it the size follows from the padding.
    """
    flips = [a.flip for a in axes]
    every = all(flips)
    modes = {a.boundary for a in axes}
    common = next(iter(modes)) if len(modes) == 1 else "zeros"
    spec = ConvSpec(
        input_size=tuple(n),
        kernel_size=tuple(k),
        stride=tuple(a.stride for a in axes),
        dilation=tuple(a.dilation for a in axes),
        pad_lo=tuple(a.lo for a in axes),
        pad_hi=tuple(a.hi for a in axes),
        flip=every,
        conjugate_kernel=conjugate,
        padding_mode=common,
        output_size=None if m is None else tuple(m),
    )
    c = forward(spec)[0]
    factors = list(c.factors)
    xi = [f.operand for f in factors].index("x")
    wi = [f.operand for f in factors].index("w")
    if any(flips) and not every:
        idx = list(factors[wi].index)
        for a, f in enumerate(flips):
            if f:
                idx[a] = flip_index(spec.kernel_size[a], idx[a])
        factors[wi] = replace(factors[wi], index=tuple(idx))
    if len(modes) > 1:
        bounds = tuple(
            None if a.boundary == "zeros" else Boundary(a.boundary, spec.pad_lo[i], spec.pad_hi[i])
            for i, a in enumerate(axes)
        )
        factors[xi] = replace(factors[xi], boundary=bounds)
    return replace(c, factors=tuple(factors))


def coefficients(c: Contraction) -> np.ndarray:
    """``C[m, i, j]``: how many terms ``y[m] += x[i]·w[j]`` the concrete contraction ``c`` has (flat indices)."""
    sizes = [int(np.prod([int(e) for e in c.operand(name).shape])) for name in ("y", "x", "w")]
    out = np.zeros(sizes, dtype=np.int64)
    xi = [f.operand for f in c.factors].index("x")
    wi = [f.operand for f in c.factors].index("w")
    for t in iter_terms_separable(c):
        np.add.at(out, (t.result, t.factors[xi], t.factors[wi]), 1)
    return out
