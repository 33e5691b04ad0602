"""Checking a theorem's parameters: integers with a minimum, or a symbolic hyper-parameter by name."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import sympy

from symconv.core.errors import SymconvError
from symconv.core.numbers import shown
from symconv.proofs._serial import param_symbol

__all__: list[str] = []


def _int(theorem_name: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SymconvError(f"{theorem_name}: `{name}` must be an integer ≥ {minimum}; got {shown(value)}")
    if value < minimum:
        raise SymconvError(f"{theorem_name}: `{name}` must be ≥ {minimum}; got {name}={shown(value)}")
    if int(value).bit_length() > 3000:  # about 900 digits: beyond, even the statement's text could not be printed
        raise SymconvError(f"{theorem_name}: `{name}` must be below 2^3000; got {name}={shown(value)}")
    return int(value)


#: A symbolic hyper-parameter is a letter (optionally followed by digits) that is not an index letter
#: of the proofs (``n k m i j u q o c``) nor a size letter of the convolution theorems (``N K``).
_SYMBOL_NAME = re.compile(r"[a-zA-Z][0-9]*")
_RESERVED_LETTERS = set("nkmijuqocNK")


def _hyper(theorem_name: str, name: str, value: Any, minimum: int) -> int | sympy.Symbol:
    """An integer hyper-parameter, or a symbolic one given by its NAME (``stride="s"``): all values ≥ 1."""
    if isinstance(value, sympy.Symbol):
        value = value.name
    if isinstance(value, str):
        if not _SYMBOL_NAME.fullmatch(value) or value[0] in _RESERVED_LETTERS:
            raise SymconvError(
                f"{theorem_name}: a symbolic `{name}` must be a letter optionally followed by digits, not one of "
                f"{''.join(sorted(_RESERVED_LETTERS))} (index and size letters), like {name}='s'; got {value!r}"
            )
        return param_symbol(value)
    return _int(theorem_name, name, value, minimum)


def _plain(value: Any) -> Any:
    """A parameter as JSON data: a symbol by its name."""
    return value.name if isinstance(value, sympy.Symbol) else value
