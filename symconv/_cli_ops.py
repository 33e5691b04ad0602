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

__all__ = ["parse_array", "parse_per_axis", "register"]


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


def parse_per_axis(text: str, what: str) -> Any:
    """``"2"`` → ``2``; ``"2,1"`` → ``(2, 1)`` (one per axis); ``lo:hi`` entries for padding.

    >>> parse_per_axis("2", "stride"), parse_per_axis("2,1", "stride"), parse_per_axis("1:2,0", "padding")
    (2, (2, 1), ((1, 2), 0))
    """
    entries: list[Any] = []
    for token in text.split(","):
        parts = token.strip().split(":") if what == "padding" else [token.strip()]
        try:
            ints = tuple(int(p) for p in parts)
        except ValueError:
            shape = "2, 2,1 or 1:2,0 (lo:hi per axis)" if what == "padding" else "2 or 2,1 (one per axis)"
            raise SymconvError(f"`--{what}` must be integers like {shape}; got {text!r}") from None
        if len(ints) > 2:
            raise SymconvError(f"`--{what}` entries must be N or LO:HI; got {token!r}")
        entries.append(ints[0] if len(ints) == 1 else ints)
    return entries[0] if len(entries) == 1 and not isinstance(entries[0], tuple) else tuple(entries)


def _run(args: argparse.Namespace) -> int:
    x = parse_array(args.x, "x")
    w = parse_array(args.w, "w")
    fn = correlate if args.command == "correlate" else convolve
    kw: dict[str, Any] = {
        "stride": parse_per_axis(args.stride, "stride"),
        "dilation": parse_per_axis(args.dilation, "dilation"),
    }
    if args.padding is not None:
        kw["padding"] = parse_per_axis(args.padding, "padding")
    y = fn(x, w, args.mode, **kw)
    print(y.latex() if args.latex else y)
    return 0


def register(sub: Any) -> None:
    """Add the ``correlate`` and ``convolve`` sub-commands."""
    for name in ("correlate", "convolve"):
        p = sub.add_parser(name, help=f"print the closed form of {name}(x, w)")
        p.add_argument("x", help="input: 2,1,3,5,4 or x:5 or x:4x4")
        p.add_argument("w", help="kernel: 1,-1 or w:3 or w:3x3")
        p.add_argument("--mode", default="valid", choices=MODES)
        p.add_argument("--stride", default="1", help="2, or 2,1 (one per axis)")
        p.add_argument("--dilation", default="1", help="2, or 2,1 (one per axis)")
        p.add_argument("--padding", help="explicit zero padding (mode valid): 1, 1,2 per axis, or 1:2 lo:hi per side")
        p.add_argument("--latex", action="store_true", help="print LaTeX")
        p.set_defaults(handler=_run)
