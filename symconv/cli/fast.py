"""The numeric path of ``symconv correlate`` / ``symconv convolve``: exact numbers without sympy.

``symconv correlate 2,1,3,5,4 1,-1`` has nothing symbolic in it: its operands
are exact rationals. :func:`numeric_output` computes such a result with Python
integers and Fractions (:mod:`symconv.engines.numeric`) and prints it exactly
as the sympy path does — text, ``--latex`` and ``--json`` give the same bytes
— while importing neither sympy nor the engines. The arguments are validated
by the same functions (:func:`~symconv.core.plain.plain_window`, the cost
guards); anything symbolic, and any input either path would refuse, returns
``None``, so the sympy path runs and gives its answer or its one-line error.
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from typing import Any

from symconv.core.errors import SymconvError

__all__ = ["numeric_output"]


def _rectangular(values: Any) -> tuple[tuple[int, ...], list[Fraction]] | None:
    """The shape and the row-major entries of nested lists of numbers, ``None`` unless rectangular."""
    shape: list[int] = []
    v = values
    while isinstance(v, list):
        if not v:
            return None
        shape.append(len(v))
        v = v[0]
    level = [values]
    for n in shape:
        nxt: list[Any] = []
        for item in level:
            if not isinstance(item, list) or len(item) != n:
                return None
            nxt.extend(item)
        level = nxt
    if any(isinstance(item, list) for item in level):
        return None
    return tuple(shape), level


def _operand(text: str, name: str, command: str) -> tuple[tuple[int, ...], list[Fraction]] | None:
    """A numeric operand's shape and entries, checked as the sympy path checks them; ``None`` if symbolic."""
    from symconv.cli.typed import is_symbolic, numbers_typed
    from symconv.core.limits import current
    from symconv.core.numbers import check_entry_number
    from symconv.core.plain import MAX_NDIM, guard_entries

    if is_symbolic(text):
        return None
    what = f"{command}: `{name}`"
    found = _rectangular(numbers_typed(text, what))
    if found is None or len(found[0]) > MAX_NDIM:
        return None
    entries = found[1]
    guard_entries(what, len(entries))
    digits = current().literal_digits
    for v in entries:
        check_entry_number(what, v, digits)
    return found


def numeric_output(args: argparse.Namespace) -> str | None:
    """What ``symconv correlate/convolve`` prints for numeric operands, or ``None`` to take the sympy path."""
    from symconv.cli.typed import parameters

    try:
        x = _operand(args.x, "x", args.command)
        w = _operand(args.w, "w", args.command)
        if x is None or w is None:
            return None
        return _computed(args, parameters(args), x, w)
    except SymconvError:
        return None  # the sympy path refuses it with its own message


def _computed(
    args: argparse.Namespace,
    kw: dict[str, Any],
    x: tuple[tuple[int, ...], list[Fraction]],
    w: tuple[tuple[int, ...], list[Fraction]],
) -> str:
    from symconv.core.plain import output_length, plain_window
    from symconv.core.validate import check_expansion
    from symconv.engines.numeric import correlate_numbers, term_count

    op, flip = args.command, args.command == "convolve"
    (xshape, xs), (wshape, ws) = x, w
    s, d, lo, hi = plain_window(op, xshape, wshape, args.mode, kw["stride"], kw["dilation"], kw.get("padding"))
    out = tuple(output_length(xshape[i], wshape[i], s[i], d[i], lo[i], hi[i]) for i in range(len(xshape)))
    # the values the sympy path's index check reads: loop extents, index coefficients and offsets
    values = [*out, *wshape, *s, *d, *lo, *(k - 1 for k in wshape)]
    check_expansion(op, out, term_count(out, wshape), values)
    flat, shape = correlate_numbers(xs, xshape, ws, wshape, s, d, lo, hi, flip=flip)
    if args.json:
        from symconv.cli.typed import json_output

        return json_output(args, kw, shape, _nested(flat, shape))
    if not args.latex:
        from symconv.arrays.text import array_text, short_text

        text = short_text(flat, shape)  # numpy's layout, without importing numpy, when it is one line per row
        return text if text is not None else array_text(_array(flat, shape))
    from symconv.arrays.latex import array_latex, number_latex

    return array_latex(_array(flat, shape), number_latex)


def _nested(flat: list[Any], shape: tuple[int, ...]) -> list[Any]:
    """Row-major ``flat`` as nested lists of ``shape``."""
    out: list[Any] = flat
    for n in reversed(shape[1:]):
        out = [out[i : i + n] for i in range(0, len(out), n)]
    return out


def _array(flat: list[Any], shape: tuple[int, ...]) -> Any:
    """Row-major ``flat`` as a numpy object array of ``shape``."""
    import numpy as np

    cells = np.empty(len(flat), dtype=object)
    cells[:] = flat
    return cells.reshape(shape)
