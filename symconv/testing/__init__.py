"""Helpers for your own test suite: strategies that draw signals, kernels and valid layer parameters,
and assertions that an identity holds or that a layer's backward pass is the derived rule.

- :func:`assert_identity` — two arrays (or two claims at symbolic size) are equal, exactly; a failure
  shows the first differing entry (and, for a symbolic claim, the sizes of the counterexample).
- :func:`assert_backward_rule` — your layer's ``backward`` equals the gradient symconv derives by
  differentiating the layer's one index formula (numerically, on random integer inputs).
- :func:`assert_computes` — a function computes the correlation/convolution you say it does.
- Hypothesis strategies :func:`signals`, :func:`kernels`, :func:`symmetric_kernels`,
  :func:`centrosymmetric_kernels`, :func:`conv_params` (Hypothesis is imported when one is called).

>>> import numpy as np
>>> from symconv.testing import assert_identity
>>> assert_identity(np.convolve([1, 2, 3], [1, -1]), [1, 1, 1, -3])
>>> assert_identity(np.correlate([1, 2, 3], [-1, 2, 1], "full"), np.convolve([1, 2, 3], [-1, 2, 1]))
Traceback (most recent call last):
...
AssertionError: the two sides differ at 5 of 5 entries; the first is index (0,): left 1, right -1
"""

from __future__ import annotations

from symconv.testing.backward import assert_backward_rule
from symconv.testing.computes import assert_computes
from symconv.testing.identity import assert_identity
from symconv.testing.strategies import centrosymmetric_kernels, conv_params, kernels, signals, symmetric_kernels

__all__ = [
    "assert_backward_rule",
    "assert_computes",
    "assert_identity",
    "centrosymmetric_kernels",
    "conv_params",
    "kernels",
    "signals",
    "symmetric_kernels",
]


def __dir__() -> list[str]:
    """Only the public names (``dir()``, tab completion): no imports or helpers."""
    return sorted(__all__)
