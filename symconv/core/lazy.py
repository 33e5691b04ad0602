"""Hand-over points for lazy arrays of symbolic size (``symconv.claims``), which sit above this layer.

A lower layer (``symconv.compat.torch``) that meets a lazy argument hands the call to the handler the
higher layer registered on import: the lower layer never imports the higher one.

>>> is_lazy(1, [2]), handler("nothing registered") is None
(False, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["HANDLERS", "handler", "is_lazy"]

#: ``name -> function``, filled in by ``symconv.claims`` on import.
HANDLERS: dict[str, Callable[..., Any]] = {}


def is_lazy(*args: Any) -> bool:
    """True when any argument is a lazy array of symbolic size."""
    return any(getattr(a, "_symconv_lazy", False) for a in args)


def handler(name: str) -> Callable[..., Any] | None:
    """The registered handler ``name`` (``None`` when the higher layer is not loaded)."""
    return HANDLERS.get(name)
