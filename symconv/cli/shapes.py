"""``symconv shape`` and ``symconv output-padding``: output sizes without computing anything.

Shapes are integers joined by ``x`` (``8x3x32x32``); per-axis parameters are an
integer or integers joined by commas (``2`` or ``2,1``). Nothing is ever
parsed as an expression.
"""

from __future__ import annotations

import argparse
from typing import Any

from symconv.cli._lazy import LazyChoices
from symconv.cli.ops import parse_per_axis
from symconv.core.errors import SymconvError

# the library (sympy, numpy) is imported by the functions that need it: `symconv --help` stays fast

__all__ = ["int_arg", "parse_ints", "register"]


def parse_ints(text: str, what: str, sep: str = ",") -> int | tuple[int, ...]:
    """``"2"`` → ``2``; ``"2,1"`` → ``(2, 1)`` (``sep`` joins the integers).

    >>> parse_ints("2,1", "stride"), parse_ints("8x3", "shape", "x")
    ((2, 1), (8, 3))
    """
    from symconv.arrays.array import MAX_NDIM
    from symconv.core.numbers import parse_int

    parts = text.strip().lower().split(sep)
    if len(parts) > MAX_NDIM:
        raise SymconvError(f"`{what}` may have at most {MAX_NDIM} entries (one per axis); got {len(parts)}")
    found = [parse_int(p, f"`{what}`") for p in parts]
    if any(v is None for v in found):
        shown = repr(text) if len(text) <= 60 else repr(text[:57] + "...")
        raise SymconvError(f"`{what}` must be integers joined by {sep!r}; got {shown}")
    values = tuple(v for v in found if v is not None)
    return values[0] if len(values) == 1 and sep == "," else values


def int_arg(text: str) -> int:
    """An argparse ``type``: an integer (ASCII digits), bounded in length like every typed number.

    >>> int_arg("12")
    12
    """
    try:
        from symconv.core.numbers import parse_int

        value = parse_int(text, "the integer")
    except SymconvError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        shown = repr(text) if len(text) <= 60 else repr(text[:57] + "...")
        raise argparse.ArgumentTypeError(f"must be an integer; got {shown}")
    return value


def _padding(text: str) -> Any:
    if text in ("same", "valid"):
        return text
    return parse_per_axis(text, "padding") if ":" in text else parse_ints(text, "padding")


def _shape(args: argparse.Namespace) -> int:
    params: dict[str, Any] = {}
    for name in ("stride", "dilation", "output_padding"):
        value = getattr(args, name)
        if value is not None:
            params[name] = parse_ints(value, name)
    if args.padding is not None:
        params["padding"] = _padding(args.padding)
    for name in ("mode", "groups", "padding_mode", "method", "boundary"):
        value = getattr(args, name)
        if value is not None:
            params[name] = value
    from symconv.compat.shapes import output_shape

    shape = output_shape(
        args.op, parse_ints(args.input, "input", "x"), parse_ints(args.weight, "weight", "x"), **params
    )
    print("x".join(str(n) for n in shape))
    return 0


def _choices(args: argparse.Namespace) -> int:
    from symconv.compat.shapes import output_padding_choices

    for c in output_padding_choices(args.output_size, args.kernel_size, args.stride, args.padding, args.dilation):
        print(f"input size {c.input_size}: output_padding={c.output_padding}")
    return 0


def register(sub: Any) -> None:
    """Add the ``shape`` and ``output-padding`` sub-commands."""
    p = sub.add_parser("shape", help="print the output shape of an operation (symconv's, numpy's, scipy's, torch's)")
    p.add_argument(
        "op",
        choices=LazyChoices("symconv.compat.shapes", "_OPS"),
        metavar="OP",
        help="e.g. torch.conv2d, numpy.correlate, scipy.correlate2d",
    )
    p.add_argument("input", help="input shape, e.g. 8x3x32x32")
    p.add_argument("weight", help="kernel/weight shape, e.g. 16x3x3x3")
    p.add_argument("--mode")
    p.add_argument("--stride")
    p.add_argument("--padding", help="2, 2,1, same or valid; 1:2 (lo:hi per side) for correlate/convolve")
    p.add_argument("--dilation")
    p.add_argument("--groups", type=int_arg)
    p.add_argument("--output-padding", dest="output_padding")
    p.add_argument("--padding-mode", dest="padding_mode")
    p.add_argument("--method")
    p.add_argument("--boundary")
    p.set_defaults(handler=_shape)
    q = sub.add_parser("output-padding", help="list the input sizes a transposed convolution may mean")
    q.add_argument("output_size", type=int_arg)
    q.add_argument("kernel_size", type=int_arg)
    q.add_argument("--stride", type=int_arg, default=1)
    q.add_argument("--padding", type=int_arg, default=0)
    q.add_argument("--dilation", type=int_arg, default=1)
    q.set_defaults(handler=_choices)
