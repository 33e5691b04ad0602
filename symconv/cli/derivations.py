"""``symconv grad OP`` and ``symconv derive OP X W``: derived gradients and worked derivations.

``grad`` prints what :func:`symconv.backward_rule` derives: each gradient's
formula (from the ONE forward formula) and the named operation it equals,
with how that was verified (``--wrt input|weight|bias`` keeps one).
``derive`` prints what :func:`symconv.derive` makes: the definition, the
expansion, the numbers substituted and the result (``--matrix`` adds the
Toeplitz form, ``--backward`` the backward table). Both take ``--latex``,
``--markdown`` and ``--json``. Arrays are typed as for ``correlate``:
``2,1,3``, rows ``1,2;3,4``, nested lists ``[[1,2],[3,4]]``, or ``x:5``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

from symconv.cli._lazy import LazyChoices
from symconv.cli.ops import operand_shape, parse_per_axis, refuse_expensive
from symconv.cli.shapes import int_arg
from symconv.cli.typed import distinct_symbols
from symconv.core.errors import SymconvError

# the library is imported by the handlers: `symconv --help` stays fast

__all__ = ["register"]

#: ``--wrt`` choices and the row of the backward table each names.
WRT = {"input": "dL/dx", "weight": "dL/dw", "bias": "dL/db"}


def _sizes(text: str | None, what: str) -> Any:
    if text is None:
        return None
    value = parse_per_axis(text, what)
    if isinstance(value, tuple) and any(isinstance(v, tuple) for v in value):
        raise SymconvError(f"`--{what}` must be integers like 5 or 5,5 (one per axis); got {text!r}")
    return value


def _padding(text: str | None) -> Any:
    if text is None:
        return 0
    if text in ("valid", "same", "full"):
        return text
    return parse_per_axis(text, "padding")


def _channels(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    value = parse_per_axis(text, "channels")
    if not (isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise SymconvError(f"`--channels` must be two integers IN,OUT such as 3,16; got {text!r}")
    return value


def _grad(args: argparse.Namespace) -> int:
    from symconv.gradients.backward import backward_rule

    kw: dict[str, Any] = {
        "input_size": _sizes(args.input_size, "input-size"),
        "kernel_size": _sizes(args.kernel_size, "kernel-size"),
        "stride": parse_per_axis(args.stride, "stride"),
        "dilation": parse_per_axis(args.dilation, "dilation"),
        "padding": _padding(args.padding),
        "padding_mode": args.padding_mode,
        "channels": _channels(args.channels),
        "groups": args.groups,
        "batch": args.batch,
        "bias": args.bias,
        "ndim": args.ndim,
    }
    if args.wrt == "bias" and args.op in ("correlate", "convolve"):
        raise SymconvError(f"grad: `--wrt bias` needs a layer with a bias (conv1d/conv2d/conv3d); got {args.op}")
    rule = backward_rule(args.op, **kw)
    if args.wrt is not None:
        if args.wrt == "bias" and not any(r.gradient == WRT["bias"] for r in rule.rows):
            raise SymconvError("grad: `--wrt bias` with --no-bias: the layer has no bias")
        rule = dataclasses.replace(rule, rows=tuple(r for r in rule.rows if r.gradient == WRT[args.wrt]))
    if args.json:
        print(rule.to_json())
    elif args.latex:
        print(rule.latex())
    elif args.markdown:
        print(rule.markdown())
    else:
        print(_grad_text(rule))
    return 0


def _grad_text(rule: Any) -> str:
    """Each gradient: its derived formula, the named operation, how it was verified."""
    from symconv.display.tree import scatter
    from symconv.gradients.backward import _GRADIENT_LABEL

    params = ", ".join(f"{k}={_fmt(v)}" for k, v in rule.params.items())
    lines = [f"backward rule of {rule.op}({params})"]
    for r in rule.rows:
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in r.parameters.items())
        lines += [
            "",
            scatter(r.derived[0], _GRADIENT_LABEL[r.gradient], fmt="text"),
            f"  {r.gradient} = {r.operation}" + (f"  ({shown})" if shown else ""),
            f"  verified: {r.verified}",
        ]
        if r.theorem:
            lines.append(f"  theorem for all sizes: {r.theorem} (symconv prove {r.theorem})")
    return "\n".join(lines)


def _fmt(v: Any) -> str:
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(_fmt(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    return str(v)


def _derive(args: argparse.Namespace) -> int:
    from symconv.arrays.entries import jsonable as exact_json
    from symconv.writing.derive import derive

    kw: dict[str, Any] = {
        "stride": parse_per_axis(args.stride, "stride"),
        "dilation": parse_per_axis(args.dilation, "dilation"),
        "kernel_first": args.kernel_first,
        "notation": args.notation,
    }
    if args.padding is not None:
        kw["padding"] = parse_per_axis(args.padding, "padding")
    distinct_symbols("derive", args.x, args.w)
    xshape, x = operand_shape(args.x, "x", "derive")
    wshape, w = operand_shape(args.w, "w", "derive")
    if len(xshape) <= 2 and len(xshape) == len(wshape):  # derive names other shapes itself
        refuse_expensive("derive", xshape, wshape, args.mode, kw)
    d = derive(args.op, x(), w(), args.mode, **kw)
    backward = d.backward() if args.backward else None
    if args.json:
        data: dict[str, Any] = {
            "op": d.op,
            "mode": args.mode,
            "text": d.text().splitlines(),
            "latex": d.body(),
            "result": exact_json(d.result),
            "shape": list(d.result.shape),
        }
        if args.matrix:
            data["matrix"] = exact_json(d.matrix().tolist())
        if backward is not None:
            data["backward"] = backward.to_dict()
        print(json.dumps(data, ensure_ascii=False))
        return 0
    if args.latex:
        out = [d.latex()] + ([d.matrix_latex()] if args.matrix else []) + ([backward.latex()] if backward else [])
    elif args.markdown:
        out = [d.markdown()] + ([d.matrix_latex("aligned")] if args.matrix else [])
        out += [backward.markdown()] if backward else []
    else:
        out = [d.text()] + ([d.matrix_step().text(args.notation)] if args.matrix else [])
        out += [backward.text()] if backward else []
    print("\n\n".join(out))
    return 0


def _formats(p: Any) -> None:
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="print LaTeX")
    fmt.add_argument("--markdown", action="store_true", help="print Markdown (math for KaTeX/MathJax)")
    fmt.add_argument("--json", action="store_true", help="print a JSON object")


def register(sub: Any) -> None:
    """Add the ``grad`` and ``derive`` sub-commands."""
    g = sub.add_parser(
        "grad",
        help="print the derived gradients of an operation and the named operations they equal",
        description="Differentiate the operation's one forward formula, name each gradient (e.g. 'full "
        "convolution of g with w') and check the naming exactly at three sizes (symconv.backward_rule).",
    )
    g.add_argument(
        "op",
        choices=LazyChoices("symconv.gradients.backward", "OPS"),
        metavar="OP",
        help="correlate, convolve, conv1d, conv2d or conv3d",
    )
    g.add_argument("--wrt", choices=tuple(WRT), help="only the gradient with respect to input, weight or bias")
    g.add_argument("--input-size", metavar="N", help="spatial input size: 7 or 7,7 (default 7 per axis)")
    g.add_argument("--kernel-size", metavar="K", help="kernel size: 3 or 3,3 (default 3 per axis)")
    g.add_argument("--stride", default="1", help="2, or 2,1 (one per axis)")
    g.add_argument("--dilation", default="1", help="2, or 2,1 (one per axis)")
    g.add_argument("--padding", help="1, 1,2, 1:2 (lo:hi per side), valid, same or full")
    g.add_argument("--padding-mode", default="zeros", help="zeros, reflect, replicate or circular (layers)")
    g.add_argument("--channels", metavar="IN,OUT", help="layer channels, e.g. 4,8 (default 2,2)")
    g.add_argument("--groups", type=int_arg, default=1, help="layer groups (default 1)")
    g.add_argument("--batch", type=int_arg, help="layer batch size (default 1)")
    g.add_argument("--bias", action=argparse.BooleanOptionalAction, default=None, help="layer bias (default yes)")
    g.add_argument("--ndim", type=int_arg, help="spatial axes of correlate/convolve (default from the sizes)")
    _formats(g)
    g.set_defaults(handler=_grad)

    d = sub.add_parser(
        "derive",
        help="print a worked derivation of correlate/convolve (definition, expansion, numbers, result)",
        description="A hand-style derivation from the operation's one index formula (symconv.derive).",
    )
    ops = LazyChoices("symconv.writing.derive", "OPS")
    d.add_argument("op", choices=ops, metavar="OP", help="correlate or convolve")
    d.add_argument("x", help="input: 2,1,3,5,4 or rows 1,2;3,4 or [[1,2],[3,4]] or x:5 (1-D or 2-D)")
    d.add_argument("w", help="kernel: 1,-1 or [[1,0],[0,-1]] or w:3")
    d.add_argument(
        "--mode", default="valid", choices=LazyChoices("symconv.arrays.ops", "MODES"), metavar="MODE", help="valid"
    )
    d.add_argument("--stride", default="1", help="2, or 2,1 (one per axis)")
    d.add_argument("--dilation", default="1", help="2, or 2,1 (one per axis)")
    d.add_argument("--padding", help="explicit zero padding (mode valid): 1, 1,2 per axis, or 1:2 lo:hi per side")
    d.add_argument("--kernel-first", action="store_true", help="write each product kernel-first (w·x)")
    d.add_argument("--notation", choices=("bracket", "subscript"), default="bracket", help="x[n + k] or x_{n + k}")
    d.add_argument("--matrix", action="store_true", help="also the matrix form y = T x")
    d.add_argument("--backward", action="store_true", help="also the backward table (symconv grad)")
    _formats(d)
    d.set_defaults(handler=_derive)
