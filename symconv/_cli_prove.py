"""``symconv theorems`` and ``symconv prove NAME``: the theorem library on the command line.

``prove`` prints the proof (Markdown by default, ``--latex`` for LaTeX,
``--json`` for a JSON object with ``theorem``, ``holds``, ``method``,
``steps``, ``certificate``, ``not_covered`` and ``seconds``). The exit status
is 0 when the theorem holds, 1 when it does not, 2 on bad input. Numbers are
read with ``int()``; nothing typed is evaluated.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from symconv._errors import SymconvError

__all__ = ["register"]


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SymconvError(f"prove: `--{what}` must be an integer; got {text!r}") from None


def _sizes(text: str | None, what: str) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(t) for t in text.split(",")]
    except ValueError:
        raise SymconvError(f"prove: `--{what}` must be integers separated by commas like 64,64; got {text!r}") from None


def register(sub: Any) -> None:
    """Add the ``theorems`` and ``prove`` sub-commands."""
    t = sub.add_parser("theorems", help="list the theorem library (name and statement)")
    t.add_argument("--json", action="store_true", help="print a JSON list")
    t.set_defaults(handler=_theorems)

    p = sub.add_parser("prove", help="prove a theorem of the library (general sizes by default)")
    p.add_argument("name", help="theorem name (see `symconv theorems`)")
    for opt, what in (
        ("--ndim", "spatial axes"),
        ("--stride", "stride"),
        ("--dilation", "dilation"),
        ("--padding", "zero padding"),
        ("--output-padding", "output padding (transposed convolution)"),
        ("--groups", "groups"),
        ("--in-channels", "input channels"),
        ("--out-channels", "output channels"),
    ):
        p.add_argument(opt, metavar="N", help=what)
    p.add_argument("--method", default="general", choices=("general", "instance", "randomized"))
    p.add_argument("--input-size", metavar="N,N", help="instance/randomized: input size per axis, e.g. 64,64")
    p.add_argument("--kernel-size", metavar="K,K", help="instance/randomized: kernel size per axis, e.g. 5,5")
    p.add_argument("--trials", metavar="T", default="3", help="randomized: number of trials")
    p.add_argument("--variant", metavar="NAME", help="prove a deliberately FALSE variant (soundness demo)")
    p.add_argument("--subscripts", action="store_true", help="print indices as x_{n+k} instead of x[n+k]")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print a JSON object")
    fmt.add_argument("--latex", action="store_true", help="print LaTeX align* blocks")
    p.add_argument("--check", action="store_true", help="replay the certificate after proving")
    p.set_defaults(handler=_prove)


def _theorems(args: argparse.Namespace) -> int:
    from symconv.proofs import theorems

    items = theorems()
    if args.json:
        print(json.dumps([{"name": n, "statement": s} for n, s in items], ensure_ascii=False, indent=2))
    else:
        width = max(len(n) for n, _ in items)
        for n, s in items:
            print(f"{n:<{width}}  {s}")
    return 0


def _prove(args: argparse.Namespace) -> int:
    from symconv.proofs import theorem

    params: dict[str, Any] = {}
    for key in ("ndim", "stride", "dilation", "padding", "output_padding", "groups", "in_channels", "out_channels"):
        val = getattr(args, key)
        if val is not None:
            params[key] = _int(val, key.replace("_", "-"))
    th = theorem(args.name, **params)
    if args.variant:
        th = th.variant(args.variant)
    insize = _sizes(args.input_size, "input-size")
    ksize = _sizes(args.kernel_size, "kernel-size")
    if args.method == "general" and (insize or ksize):
        raise SymconvError("prove: `--input-size`/`--kernel-size` go with --method instance or randomized")
    proof = th.prove(
        args.method,
        input_size=insize,
        kernel_size=ksize,
        trials=_int(args.trials, "trials"),
        index_style="subscripts" if args.subscripts else "brackets",
    )
    report = None
    if args.check:
        report = proof.check()
    if args.json:
        data = proof.to_dict()
        if report is not None:
            data["check"] = {"ok": report.ok, "message": report.message}
        print(json.dumps(data, ensure_ascii=False))
    elif args.latex:
        print(proof.latex(), end="")
    else:
        print(proof.markdown(), end="")
        if report is not None:
            print(f"\nReplay: {'ok' if report.ok else 'FAILED'} — {report.message}")
    ok = proof.holds and (report is None or report.ok)
    return 0 if ok else 1
