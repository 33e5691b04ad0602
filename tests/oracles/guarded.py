"""Arrays as functions on index arrays for evaluating Iverson sums in tests.

A read outside the array is a test FAILURE, not a zero: the sums' guards must keep every read in
range, and this is how the tests see that they do.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def table(arr: np.ndarray) -> Callable[[list[np.ndarray]], np.ndarray]:
    """``arr`` read at integer index arrays; an out-of-range read fails the test."""

    def fn(idx: list[np.ndarray]) -> np.ndarray:
        idx = [np.asarray(i) for i in idx]
        for i, n in zip(idx, arr.shape):
            assert ((i >= 0) & (i < n)).all(), "a guard let an out-of-range read through"
        return arr[tuple(idx)]

    return fn
