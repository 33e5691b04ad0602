"""``assert_computes``: does a function compute the convolution you think it does?

It runs :func:`symconv.identify` on ``fn`` and raises an :class:`AssertionError` with a readable
message when any stated property differs. It needs only numpy.

>>> import numpy as np
>>> from symconv.testing import assert_computes
>>> assert_computes(np.convolve, "convolution", mode="full", conjugate=False)
>>> assert_computes(lambda x, w: np.correlate(x, w, "same"), "correlation", mode="same", offset="(K - 1)//2 + ...")
Traceback (most recent call last):
...
symconv.SymconvError: assert_computes: `offset` must be an integer or a sympy expression in K; got '(K - 1)//2 + ...'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

from symconv.core.errors import SymconvError
from symconv.identification import identify

__all__ = ["assert_computes"]

_OPERATIONS = ("correlation", "convolution")
_MODES = ("valid", "same", "full")
_BOUNDARIES = ("none", "zeros", "reflect", "symmetric", "replicate", "circular")


def _check(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise SymconvError(f"assert_computes: `{name}` must be one of {', '.join(map(repr, choices))}; got {value!r}")


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, sympy.Expr):
        if not isinstance(got, sympy.Expr):
            return False
        # symbols compare by name: the caller's ``K`` may carry other assumptions than symconv's
        names = {s.name: s for s in got.free_symbols if isinstance(s, sympy.Symbol)}
        mine = want.subs({s: names[s.name] for s in want.free_symbols if getattr(s, "name", None) in names})
        return sympy.expand(got - mine) == 0
    return bool(got == want)


def assert_computes(
    fn: Callable[[Any, Any], Any] | str,
    operation: str,
    *,
    mode: str | None = None,
    offset: int | sympy.Expr | None = None,
    stride: int | None = None,
    dilation: int | None = None,
    conjugate: bool | None = None,
    boundary: str | None = None,
    ndim: int | None = None,
    sizes: Any = None,
) -> None:
    r"""Assert that ``fn(x, w)`` computes ``operation`` with the stated properties; returns the identification.

    ``operation`` is ``'correlation'`` (:math:`y[n] = \sum_k x[n + k - p]\, w[k]`) or
    ``'convolution'`` (:math:`w[K-1-k]`). Each keyword given is compared with what
    :func:`symconv.identify` measures (``offset`` as an integer or a sympy expression in the
    kernel size ``K``, e.g. ``K - 1``); ``ndim`` and ``sizes`` go to ``identify``. ``fn`` may be a
    preset name (``'numpy.correlate'``); for a preset's options pass
    ``symconv.identification.preset(name, mode='same').fn``.

    >>> import numpy as np
    >>> from symconv.testing import assert_computes
    >>> assert_computes(lambda x, w: np.convolve(x, w, "same"), "correlation")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: symconv.testing.computes.<lambda> does not compute what was asserted:
      operation: expected 'correlation', identified 'convolution'
    identified: convolution (kernel flipped on every axis); mode 'same' (an even kernel's extra zero at the start), ...
    """
    _check("operation", operation, _OPERATIONS)
    _check("mode", mode, _MODES)
    _check("boundary", boundary, _BOUNDARIES)
    if offset is not None and (isinstance(offset, bool) or not isinstance(offset, (int, np.integer, sympy.Expr))):
        raise SymconvError(f"assert_computes: `offset` must be an integer or a sympy expression in K; got {offset!r}")
    for name, v in (("stride", stride), ("dilation", dilation)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1):
            raise SymconvError(f"assert_computes: `{name}` must be a positive integer; got {v!r}")
    if conjugate is not None and not isinstance(conjugate, bool):
        raise SymconvError(f"assert_computes: `conjugate` must be True or False; got {conjugate!r}")
    r = identify(fn, ndim, sizes=sizes)
    wanted: dict[str, Any] = {"operation": operation}
    for key, value in (
        ("mode", mode),
        ("offset", offset),
        ("stride", stride),
        ("dilation", dilation),
        ("conjugate", conjugate),
        ("boundary", boundary),
    ):
        if value is not None:
            wanted[key] = value if key != "offset" or isinstance(value, sympy.Expr) else sympy.Integer(int(value))
    wrong = [(k, v, getattr(r, k)) for k, v in wanted.items() if not _same(getattr(r, k), v)]
    if wrong:
        from symconv.identification._render import rule_text

        def show(v: Any) -> str:
            return repr(rule_text(v)) if isinstance(v, sympy.Expr) and not v.is_Integer else repr(v)

        lines = [f"{r.target} does not compute what was asserted:"]
        lines += [f"  {k}: expected {show(v)}, identified {show(g)}" for k, v, g in wrong]
        lines.append(f"identified: {r.description}")
        if r.operation is None:
            lines += [f"  [{e.decides}] {e.probe} → {e.observed}: {e.shows}" for e in r.evidence[-1:]]
        raise AssertionError("\n".join(lines))
