"""Cost guards: estimate the work BEFORE allocating it, and refuse with a message a user can act on.

Every path whose cost grows with a user's numbers (symbolic expansion, the
instance engines, the solver, random trials, generated notes) calls
:func:`guard` with an estimate first. A refusal is a :class:`SymconvError`
naming the estimate, the limit, how to raise the limit, and the faster
alternative, e.g.::

    correlate: about 3,000,000,000 symbolic terms exceeds the limit of 2,000,000
    (raise it with symconv.limits(symbolic_terms=...) or SYMCONV_LIMIT_SYMBOLIC_TERMS);
    numeric inputs are evaluated by numpy without this limit

Limits are read from the environment (``SYMCONV_LIMIT_<NAME>``, a positive
integer) and can be changed for a block of code:

>>> from symconv.core.limits import current, limits
>>> with limits(symbolic_terms=10):
...     current().symbolic_terms
10
>>> current().symbolic_terms == DEFAULTS["symbolic_terms"]
True
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import Any

from symconv.core.errors import SymconvError
from symconv.core.public import public

__all__ = ["DEFAULTS", "Limits", "current", "guard", "limits"]


@dataclass(frozen=True)
class Limits:
    """The limits in force (each a positive integer)."""

    #: terms of a symbolic (sympy) expansion: correlate/convolve/grad on symbolic arrays
    symbolic_terms: int = 2_000_000
    #: entries of an array built from user input (symbols, asarray, output shapes)
    entries: int = 10_000_000
    #: monomial terms one exact/randomized instance check may enumerate
    engine_terms: int = 10**12
    #: bytes one computation may allocate at once
    memory_bytes: int = 8 * 2**30
    #: random trials (Schwartz–Zippel points, numeric replays)
    trials: int = 10_000
    #: seconds of solver (z3) time one proof or one certificate replay may spend
    solver_seconds: int = 120
    #: decimal digits of one exact numeric literal (int, Fraction, float) a user passes
    literal_digits: int = 4_000


DEFAULTS: dict[str, int] = {f.name: getattr(Limits(), f.name) for f in fields(Limits)}

_NAMES = tuple(DEFAULTS)


_ENV_NAMES = tuple(f"SYMCONV_LIMIT_{name.upper()}" for name in _NAMES)
_cache: dict[tuple[Any, ...], Limits] = {}


def _environment() -> tuple[Any, ...]:
    """The raw values of the limit variables: read straight from the mapping behind ``os.environ`` (what every
    assignment to it updates; a read per check without the per-key encoding) where there is one."""
    data = getattr(os.environ, "_data", None)
    encode = getattr(os.environ, "encodekey", None)
    if isinstance(data, dict) and encode is not None:
        global _ENCODED
        if _ENCODED is None:
            _ENCODED = tuple(encode(v) for v in _ENV_NAMES)
        return tuple([data.get(k) for k in _ENCODED])
    return tuple(os.environ.get(v) for v in _ENV_NAMES)


_ENCODED: tuple[Any, ...] | None = None


def _from_environment() -> Limits:
    raws = _environment()
    hit = _cache.get(raws)
    if hit is None:
        hit = _cache[raws] = _parse(raws)
        if len(_cache) > 64:  # a test that sets many values: keep the cache small
            _cache.pop(next(iter(_cache)))
    return hit


def _parse(raws: tuple[Any, ...]) -> Limits:
    values = {}
    decode = getattr(os.environ, "decodevalue", None)
    for name, raw in zip(_NAMES, raws):
        if raw is not None and not isinstance(raw, str):
            raw = decode(raw) if decode is not None else raw.decode()
        if raw is None or not raw.strip():
            continue
        text = raw.strip().replace("_", "")
        if not text.isdigit() or len(text) > 30 or int(text) < 1:
            raise SymconvError(f"SYMCONV_LIMIT_{name.upper()} must be a positive integer; got {raw[:40]!r}")
        values[name] = int(text)
    return replace(Limits(), **values)


_override: list[Limits] = []


def current() -> Limits:
    """The limits in force: the innermost :func:`limits` block, else the environment, else the defaults."""
    return _override[-1] if _override else _from_environment()


@public
@contextmanager
def limits(**values: int) -> Iterator[Limits]:
    """Change limits for the ``with`` block (``symconv.limits(symbolic_terms=10**7)``).

    >>> with limits(trials=5) as lim:
    ...     lim.trials
    5
    """
    for name, v in values.items():
        if name not in _NAMES:
            raise SymconvError(f"limits: unknown limit {name!r}; the limits are {', '.join(_NAMES)}")
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise SymconvError(f"limits: {name} must be a positive integer; got {v!r}")
    new = replace(current(), **values)
    _override.append(new)
    try:
        yield new
    finally:
        _override.pop()


def guard(where: str, name: str, estimate: int, unit: str, *, alternative: str = "") -> None:
    """Refuse (``SymconvError``) when ``estimate`` exceeds the limit ``name``; do nothing otherwise.

    ``where`` names the operation, ``unit`` what is counted, ``alternative`` the
    faster route a user can take instead.

    >>> guard("correlate", "symbolic_terms", 10, "symbolic terms")  # within the limit: nothing happens
    >>> with limits(symbolic_terms=5):
    ...     guard("correlate", "symbolic_terms", 10, "symbolic terms", alternative="use numbers")
    Traceback (most recent call last):
    ...
    symconv.SymconvError: correlate: about 10 symbolic terms exceeds the limit of 5 (raise it with ...); use numbers
    """
    limit = getattr(current(), name)
    if estimate <= limit:
        return
    # an estimate too long to print digit by digit (and beyond Python's int-to-text limit) by its order
    shown = f"{estimate:,}" if estimate.bit_length() <= 200 else f"10^{int(estimate.bit_length() * 0.30103)}"
    msg = (
        f"{where}: about {shown} {unit} exceeds the limit of {limit:,} "
        f"(raise it with symconv.limits({name}=...) or SYMCONV_LIMIT_{name.upper()})"
    )
    raise SymconvError(f"{msg}; {alternative}" if alternative else msg)
