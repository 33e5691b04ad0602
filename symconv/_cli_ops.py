"""``symconv correlate`` / ``symconv convolve``: print a closed form.

Arrays on the command line are integers separated by commas (rows by ``;``)
or a symbol name with a shape (``x:5``, ``w:3x3``). Nothing is ever parsed as
an expression.
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from typing import Any

from symconv._array import Array, asarray, symbols
from symconv._errors import SymconvError
from symconv._ops import MODES, convolve, correlate

__all__ = ["parse_array", "register"]


def _number(token: str, what: str) -> Fraction:
    try:
        return Fraction(token.strip())
    except (ValueError, ZeroDivisionError):
        raise SymconvError(
            f"`{what}` must be numbers like 2,-1,3/2 (rows separated by ';') "
            f"or NAME:SHAPE like x:5 or w:3x3; got {token!r}"
        ) from None


def parse_array(text: str, what: str) -> Array:
    """``"2,1,3"`` → exact numbers; ``"1,2;3,4"`` → 2-D; ``"x:5"``/``"w:3x3"`` → symbols.

    >>> parse_array("x:3", "x").tolist()
    [x_0, x_1, x_2]
    >>> parse_array("1,2;3,4", "x").tolist()
    [[1, 2], [3, 4]]
    """
    if ":" in text:
        name, _, shape = text.partition(":")
        try:
            dims = tuple(int(t) for t in shape.lower().split("x"))
        except ValueError:
            raise SymconvError(f"`{what}` shape must look like 5 or 3x3; got {shape!r}") from None
        return symbols(name, dims)
    rows = [r for r in text.split(";")]
    values: Any = [[_number(t, what) for t in r.split(",")] for r in rows]
    if len(values) == 1:
        values = values[0]
    return asarray(values)


def _run(args: argparse.Namespace) -> int:
    x = parse_array(args.x, "x")
    w = parse_array(args.w, "w")
    fn = correlate if args.command == "correlate" else convolve
    y = fn(x, w, args.mode, stride=args.stride, dilation=args.dilation)
    print(y.latex() if args.latex else y)
    return 0


def register(sub: Any) -> None:
    """Add the ``correlate`` and ``convolve`` sub-commands."""
    for name in ("correlate", "convolve"):
        p = sub.add_parser(name, help=f"print the closed form of {name}(x, w)")
        p.add_argument("x", help="input: 2,1,3,5,4 or x:5 or x:4x4")
        p.add_argument("w", help="kernel: 1,-1 or w:3 or w:3x3")
        p.add_argument("--mode", default="valid", choices=MODES)
        p.add_argument("--stride", type=int, default=1)
        p.add_argument("--dilation", type=int, default=1)
        p.add_argument("--latex", action="store_true", help="print LaTeX")
        p.set_defaults(handler=_run)
