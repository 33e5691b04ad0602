"""Arrays as text and as exact JSON, without sympy: what ``repr(Array)`` and the command line print.

Both work on any object array (or nested lists) whose entries print as their
exact value — sympy expressions, or Python ints and Fractions (the command
line's numeric path) — so the two give the same bytes for the same values.

>>> import numpy as np
>>> from fractions import Fraction
>>> print(array_text(np.array([1, Fraction(-3, 4)], dtype=object)))
Array([1, -3/4])
>>> jsonable([2, [Fraction(-3, 4)]])
[2, ['-3/4']]
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["array_text", "jsonable", "short_text"]

#: Characters of a row of :func:`short_text`: well inside numpy's line of 100, so numpy would not wrap it.
_SHORT_ROW = 80
#: Entries beyond which numpy summarises an array (its print threshold).
_THRESHOLD = 1000


def array_text(data: np.ndarray) -> str:
    """``Array([...])``: numpy's layout of the entries' ``str`` (a line at most 100 wide, large arrays summarised)."""
    import numpy as np

    if data.ndim == 0:
        return f"Array({data[()]})"
    body = np.array2string(data, separator=", ", formatter={"all": str}, max_line_width=100)
    lines = body.replace(chr(10), chr(10) + "      ").split(chr(10))
    return f"Array({chr(10).join(line.rstrip() for line in lines)})"


def short_text(entries: Sequence[object], shape: tuple[int, ...]) -> str | None:
    """:func:`array_text` of a small 1-D or 2-D array (``entries`` row-major) without numpy; ``None`` otherwise.

    Small means what numpy prints without wrapping or summarising: every row at most 80 characters,
    at most 1000 entries.

    >>> print(short_text([1, 2, 3, -4], (2, 2)))
    Array([[1, 2],
           [3, -4]])
    """
    if len(shape) not in (1, 2) or len(entries) > _THRESHOLD:
        return None
    words = [str(e) for e in entries]
    n = shape[-1]
    rows = ["[" + ", ".join(words[i : i + n]) + "]" for i in range(0, len(words), n)]
    if any(len(r) > _SHORT_ROW or "\n" in r for r in rows):
        return None
    body = rows[0] if len(shape) == 1 else "[" + ",\n       ".join(rows) + "]"
    return f"Array({body})"


def jsonable(value: Any) -> Any:
    """``value`` (nested lists/tuples of sympy expressions or numbers, or an array with ``tolist``) with
    integers as ``int`` and every other exact value as its sympy string; ``None`` and booleans stay.
    What :meth:`~symconv.Array.to_json` and the command line's ``--json`` print.

    >>> import sympy
    >>> jsonable([sympy.Integer(2), [sympy.Rational(-3, 4), sympy.I - 1]])
    [2, ['-3/4', '-1 + I']]
    """
    if hasattr(value, "tolist") and hasattr(value, "shape"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    np = sys.modules.get("numpy")  # not imported for this: without numpy, no value is a numpy bool
    if np is not None and isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):  # int, numpy and sympy integers
        return int(value)
    return str(value)
