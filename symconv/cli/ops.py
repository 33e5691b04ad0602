"""``symconv correlate`` / ``symconv convolve``: print a closed form.

Arrays on the command line are exact numbers (``2``, ``-1.5``, ``3/2``)
separated by commas, with rows separated by ``;`` (``1,2;3,4`` is 2-D), or a
nested list as in JSON (``[[1,2],[3,4]]``, any number of axes), or a symbol
name with a shape (``x:5``, ``w:3x3``). Nothing is ever parsed as an
expression. ``--json`` prints the result as a JSON object with the keys
``op``, ``mode``, ``stride``, ``dilation``, ``padding``, ``shape`` and
``values`` (integers as JSON numbers, every other exact value as its text).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from symconv.cli._lazy import LazyChoices
from symconv.cli.typed import (
    MAX_TERMS,
    count_arg,
    distinct_symbols,
    is_symbolic,
    json_output,
    numbers_typed,
    parameters,
    parse_per_axis,
    shown_text,
)
from symconv.core.errors import SymconvError

if TYPE_CHECKING:
    from symconv.arrays.array import Array

# sympy, numpy and the operations are imported by the handlers, not here: `symconv --help` stays fast

__all__ = [
    "operand_shape",
    "parse_array",
    "parse_per_axis",
    "refuse_expensive",
    "register",
]


def parse_array(text: str, what: str, command: str = "") -> Array:
    """``"2,1,3"`` → exact numbers; ``"1,2;3,4"`` or ``"[[1,2],[3,4]]"`` → 2-D; ``"x:5"``/``"w:3x3"`` → symbols.

    >>> parse_array("x:3", "x").tolist()
    [x_0, x_1, x_2]
    >>> parse_array("1,2;3,4", "x").tolist()
    [[1, 2], [3, 4]]
    >>> parse_array("[[1, 2], [3/2, -4]]", "x").tolist()
    [[1, 2], [3/2, -4]]
    """
    return _operand(text, what, command)[1]()


def _operand(text: str, name: str, command: str = "") -> tuple[tuple[int, ...], Callable[[], Array]]:
    """The shape of an operand typed on the command line, and how to build it.

    Symbols are built only when asked, so that the cost of the whole
    operation is estimated (and refused) before a single symbol exists.
    """
    from symconv.arrays.array import MAX_NDIM, operand, symbols
    from symconv.core.numbers import parse_int

    what = f"{command}: `{name}`" if command else f"`{name}`"
    if is_symbolic(text):
        symbol, _, shape = text.partition(":")
        parts = shape.lower().split("x")
        if len(parts) > MAX_NDIM:
            raise SymconvError(f"{what} shape may have at most {MAX_NDIM} axes; got {len(parts)}")
        found = [parse_int(t, f"{what} shape") for t in parts]
        dims = tuple(d for d in found if d is not None)
        if len(dims) != len(found) or any(d < 1 for d in dims):
            raise SymconvError(f"{what} shape must be positive integers like 5 or 3x3; got {shown_text(shape)}")
        if not symbol.isidentifier():
            raise SymconvError(f"{what} must be NAME:SHAPE with NAME an identifier such as x; got {shown_text(symbol)}")
        return dims, lambda: symbols(symbol, dims)
    array = operand(command or "symconv", name, numbers_typed(text, what))
    return array.shape, lambda: array


class _Dims:
    """Stands in for an :class:`Array` where only ``shape``/``ndim`` are read (the cost estimate)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.ndim = len(shape)


def refuse_expensive(command: str, xshape: tuple[int, ...], wshape: tuple[int, ...], mode: str, kw: Any) -> None:
    """Estimate (and refuse) the whole expansion of ``command`` from the shapes, before any symbol is built."""
    from symconv.arrays.ops import plain_spec
    from symconv.core.formula import forward
    from symconv.core.validate import check_expandable

    dims = cast("Array", _Dims(xshape)), cast("Array", _Dims(wshape))
    spec = plain_spec(command, *dims, mode, kw["stride"], kw["dilation"], kw.get("padding"), flip=False)
    check_expandable(command, forward(spec))


def operand_shape(text: str, name: str, command: str = "") -> tuple[tuple[int, ...], Callable[[], Array]]:
    """The shape of an array typed on the command line, and how to build it (symbols only when asked)."""
    return _operand(text, name, command)


def _run(args: argparse.Namespace) -> int:
    from symconv.cli.fast import numeric_output

    fast = numeric_output(args)
    if fast is not None:
        print(fast)
        return 0
    distinct_symbols(args.command, args.x, args.w)
    from symconv.arrays.ops import convolve, correlate

    xshape, x = _operand(args.x, "x", args.command)
    wshape, w = _operand(args.w, "w", args.command)
    fn = correlate if args.command == "correlate" else convolve
    kw = parameters(args)
    refuse_expensive(args.command, xshape, wshape, args.mode, kw)
    _refuse_long(args, xshape, wshape, kw)
    y = fn(x(), w(), args.mode, **kw)
    if args.json:
        print(json_output(args, kw, y.shape, y))
    else:
        print(y.latex() if args.latex else y)
    return 0


def _refuse_long(args: argparse.Namespace, xshape: tuple[int, ...], wshape: tuple[int, ...], kw: Any) -> None:
    """Refuse a symbolic closed form of more than ``--max-terms`` terms: its time and its output grow with them."""
    from symconv.core.plain import output_length, plain_window
    from symconv.engines.numeric import term_count

    s, d, lo, hi = plain_window(
        args.command, xshape, wshape, args.mode, kw["stride"], kw["dilation"], kw.get("padding")
    )
    out = tuple(output_length(xshape[i], wshape[i], s[i], d[i], lo[i], hi[i]) for i in range(len(xshape)))
    terms = term_count(out, wshape)
    if terms > args.max_terms:
        raise SymconvError(
            f"{args.command}: the closed form has {terms:,} symbolic terms "
            f"(shape {'x'.join(map(str, out))}), more than --max-terms "
            f"{args.max_terms:,} lets the command line expand and print; raise it with --max-terms {terms}, "
            f"or type numbers instead of symbols (exact, fast), or call symconv.{args.command} in Python"
        )


def register(sub: Any) -> None:
    """Add the ``correlate`` and ``convolve`` sub-commands."""
    for name in ("correlate", "convolve"):
        p = sub.add_parser(name, help=f"print the closed form of {name}(x, w)")
        p.add_argument("x", help="input: 2,1,3,5,4 or rows 1,2;3,4 or a nested list [[1,2],[3,4]] or x:5 or x:4x4")
        p.add_argument("w", help="kernel: 1,-1 or rows 1,0;0,-1 or [[1,0],[0,-1]] or w:3 or w:3x3")
        p.add_argument(
            "--mode",
            default="valid",
            choices=LazyChoices("symconv.core.plain", "MODES"),
            metavar="MODE",
            help="valid (default), same or full",
        )
        p.add_argument("--stride", default="1", help="2, or 2,1 (one per axis)")
        p.add_argument("--dilation", default="1", help="2, or 2,1 (one per axis)")
        p.add_argument("--padding", help="explicit zero padding (mode valid): 1, 1,2 per axis, or 1:2 lo:hi per side")
        p.add_argument(
            "--max-terms",
            type=count_arg,
            default=MAX_TERMS,
            metavar="N",
            help=f"expand and print at most N symbolic terms (default {MAX_TERMS:,}); numbers have no such limit",
        )
        fmt = p.add_mutually_exclusive_group()
        fmt.add_argument("--latex", action="store_true", help="print LaTeX")
        fmt.add_argument("--json", action="store_true", help="print a JSON object (op, mode, ..., shape, values)")
        p.set_defaults(handler=_run)
