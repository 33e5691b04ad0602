"""Argument checking at the public boundary.

Every check raises :class:`~symconv.SymconvError` with a message naming the
operation, the argument, what must hold and what was given.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

from symconv.core.errors import SymconvError
from symconv.core.limits import guard
from symconv.core.numbers import check_int_digits, shown

__all__ = [
    "BYTES_PER_TERM",
    "EXPAND_ALTERNATIVE",
    "MAX_ENTRIES",
    "check_choice",
    "check_expandable",
    "check_expansion",
    "check_int",
    "check_window",
    "per_axis",
    "per_side",
]


def _is_int(v: Any) -> bool:
    """Python, numpy or sympy integers; never booleans.

    Neither numpy nor sympy is imported for this: when no module has imported one, no value can be
    one of its integers (the command line's numeric path validates its arguments without paying for them).
    """
    if isinstance(v, bool):
        return False
    np, sympy = sys.modules.get("numpy"), sys.modules.get("sympy")
    if np is not None and isinstance(v, np.bool_):
        return False
    if isinstance(v, int) or (np is not None and isinstance(v, np.integer)):
        return True
    return sympy is not None and isinstance(v, sympy.Integer)


def _seq(value: Any) -> Any:
    """A 1-D numpy array of parameters is read like a tuple (torch and numpy users pass them)."""
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray) and value.ndim == 1:
        return tuple(value.tolist())
    return value


def check_int(op: str, name: str, value: Any, *, minimum: int) -> int:
    """``value`` as an int ``≥ minimum``, or a :class:`SymconvError`."""
    if not _is_int(value):
        raise SymconvError(f"{op}: `{name}` must be an integer ≥ {minimum}; got {shown(value)}")
    check_int_digits(f"{op}: `{name}`", int(value))
    if value < minimum:
        raise SymconvError(f"{op}: `{name}` must be ≥ {minimum}; got {name}={shown(value)}")
    return int(value)


def per_axis(op: str, name: str, value: Any, ndim: int, *, minimum: int) -> tuple[int, ...]:
    """An int or a sequence of ``ndim`` ints, each ``≥ minimum``, as a tuple."""
    value = _seq(value)
    if _is_int(value):
        return (check_int(op, name, value, minimum=minimum),) * ndim
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != ndim:
            raise SymconvError(
                f"{op}: `{name}` must be an integer or a sequence of {ndim} integers "
                f"(one per spatial axis); got {shown(value)}"
            )
        return tuple(check_int(op, name, v, minimum=minimum) for v in value)
    raise SymconvError(f"{op}: `{name}` must be an integer or a sequence of {ndim} integers; got {shown(value)}")


def per_side(op: str, name: str, value: Any, ndim: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Zero padding as ``(lo, hi)`` per axis from an int, ``ndim`` ints, or ``ndim`` pairs."""
    value = _seq(value)
    if _is_int(value):
        p = check_int(op, name, value, minimum=0)
        return (p,) * ndim, (p,) * ndim
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == ndim:
        lo: list[int] = []
        hi: list[int] = []
        for v in value:
            v = _seq(v)
            if _is_int(v):
                p = check_int(op, name, v, minimum=0)
                lo.append(p)
                hi.append(p)
            elif isinstance(v, Sequence) and not isinstance(v, str) and len(v) == 2:
                lo.append(check_int(op, name, v[0], minimum=0))
                hi.append(check_int(op, name, v[1], minimum=0))
            else:
                raise SymconvError(
                    f"{op}: each entry of `{name}` must be an integer or a (lo, hi) pair; got {shown(v)}"
                )
        return tuple(lo), tuple(hi)
    raise SymconvError(
        f"{op}: `{name}` must be an integer, {ndim} integers, or {ndim} (lo, hi) pairs; got {shown(value)}"
    )


def check_choice(op: str, name: str, value: Any, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise SymconvError(f"{op}: `{name}` must be one of {allowed}; got {shown(value)}")
    return value


#: The default of the ``entries`` limit (:mod:`symconv.core.limits`), kept for callers that list sizes.
MAX_ENTRIES = 10**7
_INDEX_LIMIT = 2**62
#: Bytes one symbolic term of an expansion costs (a sympy product and its slot in a sum), measured.
BYTES_PER_TERM = 360
#: Bytes one entry of a result costs (the sum and its slot), measured.
BYTES_PER_RESULT = 128
#: What to do instead of expanding a closed form too large for sympy.
EXPAND_ALTERNATIVE = (
    "symconv expands every term symbolically: for numbers at this size use numpy/scipy/torch, for an "
    "identity at any size symconv.check_exact / check_randomized (the instance engines) or "
    "symconv.theorem(...).prove() (the general prover), for the size alone symconv.output_shape"
)


def _box(c: Any) -> int:
    """Loop points of a concrete contraction (Python integers: no overflow)."""
    total = 1
    for v in c.variables:
        total *= max(int(v.extent), 0)
    return total


def check_expandable(op: str, terms: Sequence[Any]) -> None:
    """Refuse a closed form too large to expand, or with indices beyond 64-bit arithmetic.

    Estimates entries, symbolic terms and memory BEFORE anything is built and
    refuses beyond the limits of :mod:`symconv.core.limits` (``entries``,
    ``symbolic_terms``, ``memory_bytes``). ``terms`` are concrete
    contractions (:class:`symconv.core.formula.Contraction`).
    """
    shape = tuple(int(v) for v in terms[0].result.shape)
    values = []
    for c in terms:
        values += [int(v.extent) for v in c.variables]
        for f in c.factors:
            for a in f.index:
                values += [int(a.const)] + [int(k) for _, k in a.coeffs]
    check_expansion(op, shape, sum(_box(c) for c in terms), values)


def check_expansion(op: str, shape: tuple[int, ...], count: int, values: Sequence[int]) -> None:
    """Refuse an expansion into ``shape`` of ``count`` terms, or with an index value (``values``) beyond 2**62.

    The estimate :func:`check_expandable` makes from contractions, given as numbers (the command line's
    numeric path counts its terms without building a contraction).

    >>> check_expansion("correlate", (4,), 8, [4, 2, 1, 1])  # within every limit: nothing happens
    """
    total = math.prod(int(n) for n in shape)
    guard(op, "entries", total, f"entries in the closed form (shape {shown(shape)})", alternative=EXPAND_ALTERNATIVE)
    guard(op, "symbolic_terms", count, "symbolic terms", alternative=EXPAND_ALTERNATIVE)
    memory = count * BYTES_PER_TERM + total * BYTES_PER_RESULT
    guard(op, "memory_bytes", memory, "bytes", alternative=EXPAND_ALTERNATIVE)
    if any(abs(v) >= _INDEX_LIMIT for v in values):
        raise SymconvError(
            f"{op}: every size, stride, dilation and padding must be below 2**62 (exact 64-bit index "
            f"arithmetic); got a value of {shown(max(values, key=abs))}"
        )


def check_window(
    op: str,
    n: Sequence[int],
    k: Sequence[int],
    d: Sequence[int],
    lo: Sequence[int],
    hi: Sequence[int],
    *,
    padding_mode: str = "zeros",
    axis: str = "axis",
    hint: str = "",
) -> None:
    r"""Refuse a window that does not fit, per axis: :math:`d(K-1)+1 \le N + p_{lo} + p_{hi}`.

    With ``padding_mode='reflect'`` the padding must be smaller than the input
    (``max(p_lo, p_hi) < N``), with ``'circular'`` at most the input size (it
    wraps around once). ``axis`` names the axes in messages (``"spatial axis"``
    for layers), ``hint`` is appended to the size message.

    >>> check_window("correlate", (5,), (3,), (2,), (0,), (0,))  # 2·2 + 1 = 5 ≤ 5: fits
    >>> try:
    ...     check_window("correlate", (3,), (5,), (1,), (0,), (0,))
    ... except SymconvError as err:
    ...     print(str(err).replace("; ", ";\n"))
    correlate: the dilated kernel (d(K-1)+1 = 5) must fit in the padded input (N + p_lo + p_hi = 3) on axis 0;
    got N=3, K=5, d=1, padding=(0, 0)
    """
    for ax in range(len(n)):
        if padding_mode == "reflect" and max(lo[ax], hi[ax]) >= n[ax]:
            raise SymconvError(
                f"{op}: padding_mode='reflect' needs `padding` (={shown(max(lo[ax], hi[ax]))}) < input size "
                f"(={shown(n[ax])}) on {axis} {ax}"
            )
        if padding_mode == "circular" and max(lo[ax], hi[ax]) > n[ax]:
            raise SymconvError(
                f"{op}: padding_mode='circular' needs `padding` (={shown(max(lo[ax], hi[ax]))}) ≤ input size "
                f"(={shown(n[ax])}) on {axis} {ax} (it may wrap around only once)"
            )
        span, room = d[ax] * (k[ax] - 1) + 1, n[ax] + lo[ax] + hi[ax]
        if span > room:
            raise SymconvError(
                f"{op}: the dilated kernel (d(K-1)+1 = {shown(span)}) must fit in the padded input "
                f"(N + p_lo + p_hi = {shown(room)}) on {axis} {ax}; got N={shown(n[ax])}, K={shown(k[ax])}, "
                f"d={shown(d[ax])}, padding={shown((lo[ax], hi[ax]))}{hint}"
            )
