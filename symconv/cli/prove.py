"""``symconv theorems`` and ``symconv prove NAME``: the theorem library on the command line.

``prove`` prints the proof (Markdown by default, ``--latex`` for LaTeX,
``--json`` for a JSON object with ``theorem``, ``holds``, ``method``,
``engine``, ``steps``, ``certificate``, ``not_covered`` and ``seconds``;
``--notation subscript`` for ``x_{n + k}``, as ``derive(notation=...)``).
``--method instance|randomized`` runs the coefficient engines
(``check_exact`` / ``check_randomized``) where the statement is a
contraction, so ``--input-size 64,64 --kernel-size 5,5`` takes milliseconds; without sizes they
use generic sizes derived from the statement's assumptions. The exit status
is 0 when the theorem holds, 1 when it does not (refuted, unproved, or resting
on a bounded check because the solver answered "unknown", or the ``--check``
replay failed), 2 on bad input (including work beyond the cost limits of
:mod:`symconv.core.limits`, refused before it starts), 3 when a ``--variant``
coincides with its theorem at the given parameters or sizes (it holds there,
so it demonstrates nothing). ``--variant NAME`` proves a deliberately FALSE
variant (``symconv theorems --variants`` lists them), which must exit 1. Numbers are read with ``int()``;
a stride, dilation, padding or channel count that is not a number is a
symbol NAME (``--stride s``: every stride at once), checked letter by letter
and never evaluated.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from symconv.core.errors import SymconvError

__all__ = ["register"]


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SymconvError(f"prove: `--{what}` must be an integer; got {text!r}") from None


def _hyper(text: str) -> int | str:
    """An integer, or a symbol name passed on for the library to validate (never evaluated)."""
    try:
        return int(text)
    except ValueError:
        return text


def _sizes(text: str | None, what: str) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(t) for t in text.split(",")]
    except ValueError:
        raise SymconvError(f"prove: `--{what}` must be integers separated by commas like 64,64; got {text!r}") from None


def _notation(args: argparse.Namespace) -> str:
    return str(args.notation)


def register(sub: Any) -> None:
    """Add the ``theorems`` and ``prove`` sub-commands."""
    t = sub.add_parser("theorems", help="list the theorem library (name and statement)")
    t.add_argument("--json", action="store_true", help="print a JSON list (name, statement, parameters, variants)")
    t.add_argument("--variants", action="store_true", help="also list each theorem's parameters and FALSE variants")
    t.set_defaults(handler=_theorems)

    p = sub.add_parser(
        "prove",
        help="prove a theorem of the library (general sizes by default)",
        description="Prove a theorem of the library. Exit status: 0 it holds, 1 it does not (refuted, unproved, "
        "only a bounded check where the solver said unknown, or the --check replay failed), 2 bad input (or work "
        "beyond the cost limits), 3 the --variant coincides with the theorem at these parameters or sizes.",
    )
    p.add_argument("name", help="theorem name (see `symconv theorems`)")
    for opt, what in (
        ("--ndim", "spatial axes"),
        ("--stride", "stride: an integer, or a symbol name such as s (every stride at once)"),
        ("--dilation", "dilation: an integer, or a symbol name such as d"),
        ("--padding", "zero padding: an integer, or a symbol name such as p (every p ≥ 1)"),
        ("--output-padding", "output padding (transposed convolution): an integer, or a symbol name such as a"),
        ("--groups", "groups"),
        ("--in-channels", "input channels: an integer, or a symbol name such as C (with --groups 1)"),
        ("--out-channels", "output channels: an integer, or a symbol name such as O (with --groups 1)"),
    ):
        p.add_argument(opt, metavar="N", help=what)
    p.add_argument("--method", default="general", choices=("general", "instance", "randomized"))
    p.add_argument("--input-size", metavar="N,N", help="instance/randomized: input size per axis, e.g. 64,64")
    p.add_argument("--kernel-size", metavar="K,K", help="instance/randomized: kernel size per axis, e.g. 5,5")
    p.add_argument("--trials", metavar="T", default="3", help="randomized: number of trials")
    p.add_argument(
        "--variant",
        metavar="NAME",
        help="prove a deliberately FALSE variant (soundness demo; exits 1, or 3 where it coincides with the theorem); "
        "see `symconv theorems --variants`",
    )
    p.add_argument(
        "--notation",
        choices=("bracket", "subscript"),
        default="bracket",
        help="indices as x[n + k] (bracket, the default) or x_{n + k} (subscript), as in derive(notation=...)",
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print a JSON object")
    fmt.add_argument("--latex", action="store_true", help="print LaTeX align* blocks")
    p.add_argument("--check", action="store_true", help="replay the certificate after proving")
    p.set_defaults(handler=_prove)


def _theorems(args: argparse.Namespace) -> int:
    from symconv.proofs import theorems
    from symconv.proofs._registry import parameters, variants

    items = theorems()
    if args.json:
        rows = [{"name": n, "statement": s, "parameters": parameters(n), "variants": variants(n)} for n, s in items]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max(len(n) for n, _ in items)
    for n, s in items:
        print(f"{n:<{width}}  {s}")
        if args.variants:
            print(f"{'':<{width}}  parameters: {', '.join(parameters(n))}")
            for v, what in variants(n).items():
                print(f"{'':<{width}}  --variant {v}: {what}")
    return 0


def _prove(args: argparse.Namespace) -> int:
    from symconv.proofs import theorem

    params: dict[str, Any] = {}
    for key in ("ndim", "stride", "dilation", "padding", "output_padding", "groups", "in_channels", "out_channels"):
        val = getattr(args, key)
        if val is not None:
            symbolic_ok = key in ("stride", "dilation", "padding", "output_padding", "in_channels", "out_channels")
            params[key] = _hyper(val) if symbolic_ok else _int(val, key.replace("_", "-"))
    th = theorem(args.name, **params)
    if args.variant is not None:  # an empty name is a bad name, not "no variant"
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
        notation=_notation(args),
    )
    coincides = proof.status == "coincides"
    report = None
    replayable = not coincides and proof.method == "general"
    if args.check and replayable:
        report = proof.check()
    skipped = (
        "skipped: the variant coincides with the theorem, so there is no proof of it to replay"
        if coincides
        else f"skipped: a {proof.method} result has no proof to replay (the engine decided it in this run)"
    )
    if args.json:
        data = proof.to_dict()
        if report is not None:
            data["check"] = {
                "ok": report.ok,
                "status": report.status,
                "library": report.library,
                "message": report.message,
            }
        elif args.check:
            data["check"] = {"ok": False, "status": "skipped", "library": None, "message": skipped}
        print(json.dumps(data, ensure_ascii=False))
    elif args.latex:
        print(proof.latex(), end="")
    else:
        print(proof.markdown(), end="")
        if report is not None:
            print(f"\nReplay: {'ok' if report.ok else report.status.upper()} — {report.message}")
        elif args.check:
            print(f"\nReplay: {skipped}")
    if coincides:
        return 3
    ok = proof.holds and (report is None or report.ok)
    return 0 if ok else 1
