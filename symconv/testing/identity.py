r"""``assert_identity``: two sides are equal, exactly — entry by entry, or for all sizes.

At concrete sizes the sides are arrays (a symconv :class:`~symconv.Array`, a numpy array, nested
lists, numbers or sympy expressions) compared exactly: :math:`\mathrm{expand}(a_i - b_i) = 0` for every
index :math:`i`, no tolerance. Sides built from symbolic sizes (``symconv.sizes``) are a claim for
all sizes, decided by :func:`symconv.prove`; a failure names the smallest sizes where it is false.

>>> import numpy as np, symconv
>>> from symconv.testing import assert_identity
>>> x, w = symconv.symbols("x", 4), symconv.symbols("w", 2)
>>> assert_identity(symconv.correlate(x, w), symconv.convolve(x, w.flip()))
>>> assert_identity(symconv.correlate(x, w), symconv.convolve(x, w))  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
AssertionError: the two sides differ at 3 of 3 entries; the first is index (0,):
left w_0*x_0 + w_1*x_1, right w_0*x_1 + w_1*x_0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from symconv.arrays.array import Array, asarray
from symconv.core.errors import SymconvError

__all__ = ["assert_identity"]

#: How many characters of an entry a failure message shows.
_SHOWN = 200


def _symbolic(side: Any) -> bool:
    """A side of a claim at symbolic size (built from ``symconv.sizes``), not an array of numbers."""
    return type(side).__module__.startswith("symconv.claims")


def _prove(lhs: Any, rhs: Any, *, assuming: tuple[Any, ...]) -> Any:
    """:func:`symconv.prove`, imported when a symbolic claim needs it (the prover loads z3)."""
    from symconv.claims.prove import prove

    return prove(lhs, rhs, assuming=assuming)


def _short(e: Any) -> str:
    s = str(e)
    return s if len(s) <= _SHOWN else s[: _SHOWN - 1] + "…"


def assert_identity(lhs: Any, rhs: Any, *, assuming: Sequence[Any] = (), msg: str | None = None) -> Any:
    """Assert ``lhs == rhs`` exactly; return the :class:`~symconv.Proof` for a symbolic claim (else ``None``).

    Parameters
    ----------
    lhs, rhs
        Arrays at concrete sizes (anything :func:`symconv.asarray` takes), or two expressions at symbolic
        size, which :func:`symconv.prove` decides for all sizes.
    assuming
        Hypotheses of a symbolic claim (passed to :func:`symconv.prove`).
    msg
        Prefixed to the failure message.

    Raises
    ------
    AssertionError
        The sides differ (the first differing entry, both values, and how many entries differ), have
        different shapes, or a symbolic claim is refuted (with the counterexample's sizes) or could not
        be decided (with the reason).
    """
    prefix = f"{msg}: " if msg else ""
    if _symbolic(lhs) or _symbolic(rhs):
        proof = _prove(lhs, rhs, assuming=tuple(assuming))
        if proof.status == "proved":
            return proof
        raise AssertionError(f"{prefix}{proof.statement} is {proof.status}: {proof.message}")
    if assuming:
        raise SymconvError(f"assert_identity: `assuming` is for claims at symbolic size; got {assuming!r}")
    a = asarray(lhs) if not isinstance(lhs, Array) else lhs
    b = asarray(rhs) if not isinstance(rhs, Array) else rhs
    if a.shape != b.shape:
        raise AssertionError(f"{prefix}the two sides have different shapes: left {a.shape}, right {b.shape}")
    first: tuple[tuple[int, ...], Any, Any] | None = None
    count = 0
    for index in _indices(a.shape):
        x, y = a.numpy()[index], b.numpy()[index]
        if x == y or sympy.expand(x - y) == 0:
            continue
        count += 1
        if first is None:
            first = (index, x, y)
    if first is not None:
        index, x, y = first
        raise AssertionError(
            f"{prefix}the two sides differ at {count} of {a.size} entries; "
            f"the first is index {index}: left {_short(x)}, right {_short(y)}"
        )
    return None


def _indices(shape: tuple[int, ...]) -> Any:
    import numpy as np

    return np.ndindex(*shape) if shape else iter([()])
