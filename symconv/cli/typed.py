"""What a user types for ``correlate``/``convolve``: numbers, ``NAME:SHAPE``, per-axis parameters; and ``--json``.

Shared by the sympy path (:mod:`symconv.cli.ops`) and the numeric path
(:mod:`symconv.cli.fast`), and importing neither sympy nor numpy: the numbers
are exact Fractions, bounded before they are built. Nothing is ever parsed as
an expression.
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from typing import Any

from symconv.core.errors import SymconvError
from symconv.core.limits import guard

__all__ = [
    "MAX_TERMS",
    "count_arg",
    "distinct_symbols",
    "is_symbolic",
    "json_output",
    "numbers_typed",
    "parameters",
    "parse_per_axis",
    "shown_text",
]

#: Symbolic terms ``correlate``/``convolve`` expand and print by default (``--max-terms``): about a second.
MAX_TERMS = 20_000


def shown_text(text: str) -> str:
    """``text`` quoted for a message, shortened if long."""
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")


def _number(token: str, what: str) -> Fraction:
    from symconv.core.numbers import parse_number

    value = parse_number(token, what)
    if value is None:
        raise SymconvError(
            f"{what} must be numbers like 2,-1,3/2 (rows separated by ';') "
            f"or NAME:SHAPE like x:5 or w:3x3; got {shown_text(token)}"
        )
    return value


def is_symbolic(text: str) -> bool:
    """Whether an operand typed on the command line is ``NAME:SHAPE`` (symbols) rather than numbers."""
    return ":" in text and not text.lstrip().startswith("[")


def distinct_symbols(command: str, x: str, w: str) -> None:
    """Refuse ``x:5 x:3``: two operands ``NAME:SHAPE`` with one NAME would share their symbols.

    ``symbols("x", 5)`` and ``symbols("x", 3)`` are the same ``x_0, x_1, x_2``: the closed form would
    silently multiply entries of one array with themselves. Give the operands two names.

    >>> distinct_symbols("correlate", "x:5", "w:3")
    >>> try:
    ...     distinct_symbols("correlate", "x:5", "x:3")
    ... except SymconvError as err:
    ...     print(str(err).split(";")[0])
    correlate: `x` and `w` must be named apart
    """
    if is_symbolic(x) and is_symbolic(w):
        name = x.partition(":")[0]
        if name == w.partition(":")[0]:
            raise SymconvError(
                f"{command}: `x` and `w` must be named apart; got {shown_text(x)} and {shown_text(w)}, "
                f"whose entries would be the same symbols {name}_0, {name}_1, … "
                "(use two names, e.g. x:5 w:3)"
            )


def count_arg(text: str) -> int:
    """An argparse ``type``: a positive integer such as ``20000`` (``_`` separators allowed)."""
    from symconv.core.numbers import parse_int

    try:
        value = parse_int(text.replace("_", ""), "the count")
    except SymconvError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {shown_text(text)}")
    return value


def numbers_typed(text: str, what: str) -> Any:
    """The numbers of an operand typed on the command line, as (nested) lists of Fractions (no sympy).

    ``what`` names the argument in messages. Rectangularity is checked by whoever builds the array.

    >>> numbers_typed("1,2;3/2,-4", "`x`")
    [[Fraction(1, 1), Fraction(2, 1)], [Fraction(3, 2), Fraction(-4, 1)]]
    """
    from symconv.core.plain import MAX_NDIM

    if text.lstrip().startswith("["):
        from symconv.cli.grammar import parse_nested_list

        guard(what, "entries", text.count(",") + 1, "entries")
        return parse_nested_list(text, what, MAX_NDIM)
    rows = text.split(";")
    guard(what, "entries", sum(r.count(",") + 1 for r in rows), "entries")
    values: Any = [[_number(t, what) for t in r.split(",")] for r in rows]
    return values[0] if len(values) == 1 else values


def parse_per_axis(text: str, what: str) -> Any:
    """``"2"`` → ``2``; ``"2,1"`` → ``(2, 1)`` (one per axis); ``lo:hi`` entries for padding.

    >>> parse_per_axis("2", "stride"), parse_per_axis("2,1", "stride"), parse_per_axis("1:2,0", "padding")
    (2, (2, 1), ((1, 2), 0))
    """
    from symconv.core.numbers import parse_int

    entries: list[Any] = []
    for token in text.split(","):
        parts = token.strip().split(":") if what == "padding" else [token.strip()]
        values = [parse_int(p, f"`--{what}`") for p in parts]
        if any(v is None for v in values):
            shape = "2, 2,1 or 1:2,0 (lo:hi per axis)" if what == "padding" else "2 or 2,1 (one per axis)"
            raise SymconvError(f"`--{what}` must be integers like {shape}; got {shown_text(text)}")
        ints = tuple(v for v in values if v is not None)
        if len(ints) > 2:
            raise SymconvError(f"`--{what}` entries must be N or LO:HI; got {shown_text(token)}")
        entries.append(ints[0] if len(ints) == 1 else ints)
    return entries[0] if len(entries) == 1 and not isinstance(entries[0], tuple) else tuple(entries)


def parameters(args: argparse.Namespace) -> dict[str, Any]:
    """``stride``, ``dilation`` (and ``padding`` when given) of a parsed command line, as keyword arguments."""
    kw: dict[str, Any] = {
        "stride": parse_per_axis(args.stride, "stride"),
        "dilation": parse_per_axis(args.dilation, "dilation"),
    }
    if args.padding is not None:
        kw["padding"] = parse_per_axis(args.padding, "padding")
    return kw


def json_output(args: argparse.Namespace, kw: dict[str, Any], shape: tuple[int, ...], y: Any) -> str:
    """The result ``y`` (of ``shape``) as JSON with stable keys (exact: integers as numbers, other values as text)."""
    import json

    from symconv.arrays.text import jsonable as exact_json

    data = {
        "op": args.command,
        "mode": args.mode,
        "stride": exact_json(kw["stride"]),
        "dilation": exact_json(kw["dilation"]),
        "padding": exact_json(kw.get("padding")),
        "shape": list(shape),
        "values": exact_json(y),
    }
    return json.dumps(data, ensure_ascii=False)
