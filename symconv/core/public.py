"""The public boundary: a call with the wrong arguments ends in a :class:`SymconvError`.

:func:`public` wraps a public function (or method) so that a call Python
itself would refuse with a ``TypeError`` — an unknown keyword, too many
positional arguments, a missing one — raises a :class:`SymconvError` naming
the argument and the accepted ones instead, and so that input nested too
deeply for Python's recursion limit ends in a :class:`SymconvError` rather
than a ``RecursionError``. A call that binds costs nothing extra: the
signature is consulted only after the call failed.

>>> @public
... def f(x, *, mode="valid"):
...     return x
>>> f(1, foo=2)
Traceback (most recent call last):
...
symconv.SymconvError: f: unknown keyword argument `foo`; f takes x, mode
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from symconv.core.errors import SymconvError

__all__ = ["accepted", "public"]

F = TypeVar("F", bound=Callable[..., Any])


def accepted(sig: inspect.Signature) -> list[str]:
    """The argument names a caller may pass (``self``/``cls`` and ``*args``/``**kwargs`` left out)."""
    out = []
    for i, p in enumerate(sig.parameters.values()):
        if i == 0 and p.name in ("self", "cls"):
            continue
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        out.append(p.name)
    return out


def _binding_error(name: str, sig: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The message for a call that does not bind to ``sig`` (``None`` when it binds)."""
    try:
        sig.bind(*args, **kwargs)
    except TypeError:
        pass
    else:
        return None
    params = list(sig.parameters.values())
    takes = ", ".join(accepted(sig)) or "no arguments"
    var_kw = any(p.kind == p.VAR_KEYWORD for p in params)
    keywordable = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    unknown = [k for k in kwargs if k not in keywordable]
    if unknown and not var_kw:
        what = "keyword argument" + ("s" if len(unknown) > 1 else "")
        return f"{name}: unknown {what} {', '.join(f'`{k}`' for k in unknown)}; {name} takes {takes}"
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    bound_self = 1 if params and params[0].name in ("self", "cls") else 0
    if not any(p.kind == p.VAR_POSITIONAL for p in params) and len(args) > len(positional):
        names = ", ".join(p.name for p in positional[bound_self:])
        return (
            f"{name}: takes at most {len(positional) - bound_self} positional argument(s) ({names}); "
            f"got {len(args) - bound_self}"
        )
    given = {p.name for p in positional[: len(args)]}
    twice = [k for k in kwargs if k in given]
    if twice:
        return f"{name}: the argument `{twice[0]}` was given twice (by position and by keyword)"
    missing = [
        p.name
        for p in params
        if p.default is p.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        and p.name not in given
        and p.name not in kwargs
    ]
    if missing:
        return f"{name}: missing the argument(s) {', '.join(f'`{m}`' for m in missing)}; {name} takes {takes}"
    return f"{name}: the arguments do not match {name}({takes})"


def public(fn: F) -> F:
    """Make ``fn`` raise :class:`SymconvError` for arguments that do not bind, and for too-deep nesting."""
    sig = inspect.signature(fn)
    qual = fn.__qualname__
    name = qual if "." in qual and "<locals>" not in qual else fn.__name__
    if name.endswith(".__init__"):
        name = name.removesuffix(".__init__")

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TypeError:
            msg = _binding_error(name, sig, args, kwargs)
            if msg is None:
                raise
            raise SymconvError(msg) from None
        except RecursionError:
            raise SymconvError(
                f"{name}: the input is nested too deeply to process (Python's recursion limit); "
                "flatten the nested lists or expressions"
            ) from None

    return cast(F, wrapper)
