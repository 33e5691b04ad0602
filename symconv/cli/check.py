r"""``symconv check "CLAIM" --let NAME=SPEC … --assume "N>=2*K"``: decide a claim from a shell.

The claim is read by the safe grammar of :mod:`symconv.cli.grammar` and
evaluated by :mod:`symconv.cli.claim` (symconv's public functions from a fixed
table). Then :func:`decide`:

* with ``symconv.prove`` in this build (the claims prover), the claim goes to
  ``prove(lhs, rhs, assuming=..., method=...)`` through ONE adapter,
  :func:`prove_adapter`: proved for all sizes, refuted with a counterexample,
  or unknown with the reason;
* otherwise a claim at concrete sizes is decided exactly here: every entry of
  ``lhs - rhs`` must be 0 (numbers exactly; symbols as polynomials).

Exit status: 0 the claim holds, 1 it is refuted, 3 undecided, 2 bad input.
``--json`` prints ``claim``, ``let``, ``assume``, ``holds`` (true/false/null),
``status``, ``method``, ``counterexample``, ``certificate``, ``lhs``, ``rhs``;
``--latex`` prints LaTeX.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from typing import Any

from symconv.core.errors import SymconvError

__all__ = ["Verdict", "decide", "prove_adapter", "register"]

#: Exit status of each verdict.
EXIT = {True: 0, False: 1, None: 3}
#: Values shown in full when a side has at most this many entries.
SHOW_ENTRIES = 64


@dataclass
class Verdict:
    """What ``check`` found: ``holds`` is True (proved), False (refuted) or None (unknown)."""

    holds: bool | None
    status: str
    method: str
    reason: str
    counterexample: dict[str, Any] | None = None
    certificate: Any = None
    outline: list[str] = field(default_factory=list)
    latex: str | None = None
    lhs: Any = None
    rhs: Any = None


# -- deciding ----------------------------------------------------------------------------------------------


def prove_adapter(lhs: Any, rhs: Any, assuming: list[Any], method: str) -> Verdict | None:
    """``symconv.prove(lhs, rhs, assuming=..., method=...)`` as a :class:`Verdict`; None if this build lacks it."""
    import symconv

    prove = getattr(symconv, "prove", None)
    if prove is None:
        return None
    proof = prove(lhs, rhs, assuming=tuple(assuming), method=method)
    data = proof.to_dict() if hasattr(proof, "to_dict") else {}
    status = str(getattr(proof, "status", data.get("status", "unknown")))
    holds: bool | None = True if status in ("proved", "holds") else False if status == "refuted" else None
    counter = data.get("counterexample") or getattr(proof, "counterexample", None)
    text = proof.markdown() if hasattr(proof, "markdown") else str(proof)
    return Verdict(
        holds=holds,
        status=status,
        method=str(getattr(proof, "method", data.get("method", method))),
        reason=str(data.get("reason") or getattr(proof, "reason", "") or ""),
        counterexample=counter if isinstance(counter, dict) or counter is None else {"detail": str(counter)},
        certificate=data.get("certificate"),
        outline=text.rstrip("\n").splitlines(),
        latex=proof.latex() if hasattr(proof, "latex") else None,
    )


def _as_array(value: Any) -> Any:
    import symconv

    if isinstance(value, symconv.Array):
        return value
    try:
        return symconv.asarray(value)
    except SymconvError:
        raise SymconvError(
            f"check: a side of the claim is a {type(value).__name__}, which the exact check cannot compare; "
            "sizes that are symbols need symconv.prove"
        ) from None


def _witness(diff: Any) -> dict[str, int] | None:
    """Small integers for the symbols of a non-zero polynomial ``diff`` at which it is non-zero (or None)."""
    symbols = sorted(diff.free_symbols, key=str)
    rng = random.Random(0)
    for trial in range(32):
        values = {s: rng.randint(-3, 3) if trial else 1 for s in symbols}
        if diff.xreplace(values) != 0:
            return {str(s): v for s, v in values.items()}
    return None


def decide_concrete(lhs: Any, rhs: Any) -> Verdict:
    """Decide ``lhs == rhs`` at concrete sizes: shapes equal and every entry of ``lhs - rhs`` zero."""
    import sympy

    from symconv.cli._json import exact_json

    a, b = _as_array(lhs), _as_array(rhs)
    method = "exact"
    if a.shape != b.shape:
        return Verdict(
            False,
            "refuted",
            method,
            f"the sides have different shapes: {a.shape} and {b.shape}",
            {"shapes": [list(a.shape), list(b.shape)]},
            lhs=a,
            rhs=b,
        )
    for idx, (p, q) in enumerate(zip(a.numpy().flat, b.numpy().flat)):
        d = sympy.expand(p - q)
        if d != 0:
            import numpy as np

            at = [int(i) for i in np.unravel_index(idx, a.shape)] if a.shape else []
            counter: dict[str, Any] = {"index": at, "lhs": exact_json(p), "rhs": exact_json(q)}
            if d.free_symbols:
                w = _witness(d)
                if w is not None:
                    counter["witness"] = w
                    counter["lhs_at_witness"] = exact_json(sympy.expand(p.xreplace(_syms(w, p, q))))
                    counter["rhs_at_witness"] = exact_json(sympy.expand(q.xreplace(_syms(w, p, q))))
            return Verdict(False, "refuted", method, f"the sides differ at entry {at}", counter, lhs=a, rhs=b)
    return Verdict(
        True, "proved", method, f"every entry of the two sides is equal (shape {a.shape}, exact)", lhs=a, rhs=b
    )


def _syms(w: dict[str, int], *exprs: Any) -> dict[Any, int]:
    found = {str(s): s for e in exprs for s in e.free_symbols}
    return {found[k]: v for k, v in w.items() if k in found}


def decide(lhs: Any, rhs: Any, assuming: list[Any], method: str) -> Verdict:
    """The verdict on ``lhs == rhs``: through ``symconv.prove`` when present, else exactly at concrete sizes."""
    verdict = prove_adapter(lhs, rhs, assuming, method)
    if verdict is not None:
        verdict.lhs, verdict.rhs = lhs, rhs
        return verdict
    if assuming:
        raise SymconvError("check: `--assume` constrains symbolic sizes, which need symconv.prove (not in this build)")
    return decide_concrete(lhs, rhs)


# -- output ------------------------------------------------------------------------------------------------


def _value_text(v: Any) -> str:
    import symconv

    if isinstance(v, symconv.Array):
        if v.size > SHOW_ENTRIES:
            return f"(an array of shape {v.shape})"
        return str(v.tolist())
    return str(v)


def _text(claim: str, args: argparse.Namespace, v: Verdict) -> str:
    lines = [f"claim:   {claim}"]
    if args.let:
        lines.append("with:    " + ";  ".join(args.let))
    if args.assume:
        lines.append("assume:  " + ";  ".join(args.assume))
    verdict = {True: "HOLDS", False: "REFUTED", None: "UNKNOWN"}[v.holds]
    lines.append(f"verdict: {verdict} ({v.status})" + (f" — {v.reason}" if v.reason else ""))
    lines.append(f"method:  {v.method}")
    c = v.counterexample
    if c:
        if "index" in c:
            lines.append(f"counterexample: entry {c['index']}: left {c['lhs']}, right {c['rhs']}")
            if "witness" in c:
                at = ", ".join(f"{k}={val}" for k, val in c["witness"].items())
                lines.append(f"  e.g. at {at}: left {c['lhs_at_witness']}, right {c['rhs_at_witness']}")
        else:
            lines.append("counterexample: " + json.dumps(c, ensure_ascii=False, default=str))
    if v.outline:
        lines.append("proof:")
        lines.extend("  " + s for s in v.outline)
    elif v.lhs is not None and v.method == "exact":
        lines.append(f"left:    {_value_text(v.lhs)}")
        lines.append(f"right:   {_value_text(v.rhs)}")
    return "\n".join(lines)


def _latex(claim: str, v: Verdict) -> str:
    if v.latex:
        return v.latex.rstrip("\n")
    rel = {True: "=", False: r"\neq", None: r"\overset{?}{=}"}[v.holds]
    lhs = v.lhs.latex() if hasattr(v.lhs, "latex") else str(v.lhs)
    rhs = v.rhs.latex() if hasattr(v.rhs, "latex") else str(v.rhs)
    verdict = {True: "holds", False: "refuted", None: "unknown"}[v.holds]
    claim_tex = claim.replace("_", r"\_")  # the grammar admits no backslash or brace
    return "\n".join(
        [
            r"\begin{align*}",
            rf"&\texttt{{{claim_tex}}}\\",
            rf"&{lhs} \;{rel}\; {rhs}",
            r"\end{align*}",
            rf"\textit{{{verdict}}} ({v.method}).",
        ]
    )


def _json(claim: str, args: argparse.Namespace, v: Verdict) -> str:
    from symconv.cli._json import exact_json

    data = {
        "claim": claim,
        "let": dict(s.split("=", 1) for s in args.let),
        "assume": list(args.assume),
        "holds": v.holds,
        "status": v.status,
        "method": v.method,
        "reason": v.reason,
        "counterexample": v.counterexample,
        "certificate": v.certificate,
        "lhs": exact_json(v.lhs) if v.method == "exact" else None,
        "rhs": exact_json(v.rhs) if v.method == "exact" else None,
    }
    return json.dumps(data, ensure_ascii=False, default=str)


def _check(args: argparse.Namespace) -> int:
    from symconv.cli.claim import Bindings, relation_of
    from symconv.cli.grammar import parse_claim, parse_relation

    env = Bindings()
    for spec in args.let:
        env.let(spec)
    assuming = [relation_of(env, parse_relation(a, "check: `--assume`"), "check: `--assume`") for a in args.assume]
    tree = parse_claim(args.claim, "check: `CLAIM`")
    lhs, rhs = env.evaluate(tree.lhs), env.evaluate(tree.rhs)
    verdict = decide(lhs, rhs, assuming, args.method)
    if args.json:
        print(_json(args.claim, args, verdict))
    elif args.latex:
        print(_latex(args.claim, verdict))
    else:
        print(_text(args.claim, args, verdict))
    return EXIT[verdict.holds]


def register(sub: Any) -> None:
    """Add the ``check`` sub-command."""
    p = sub.add_parser(
        "check",
        help="decide a claim: holds (proved), refuted (with a counterexample) or unknown",
        description="Decide a claim LHS == RHS built from correlate, convolve, grad, flip, inner, sum, + - *, "
        "numbers and lists. Nothing is evaluated as Python: a small grammar of its own reads the claim. "
        "Exit status: 0 holds, 1 refuted, 3 undecided, 2 bad input.",
        epilog='Example: symconv check "convolve(f, h) == correlate(f, h)" --let f=2,1,3,5,4 --let h=-1,2,1',
    )
    p.add_argument("claim", metavar="CLAIM", help="e.g. \"grad(correlate(x, w), x, g) == convolve(g, w, mode='full')\"")
    p.add_argument(
        "--let",
        action="append",
        default=[],
        metavar="NAME=SPEC",
        help="bind a name: numbers f=2,1,3 / W=[[1,2],[2,1]] / a=3/2, symbols x=x:6 / X=x:4x5, "
        "symbolic sizes x=x:N / g=g:N-K+1, structure c=w:K:centrosymmetric",
    )
    p.add_argument("--assume", action="append", default=[], metavar="REL", help="a relation of sizes, e.g. N>=2*K")
    p.add_argument(
        "--method", default="auto", choices=("auto", "general", "instance"), help="how to decide (default auto)"
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print a JSON object")
    fmt.add_argument("--latex", action="store_true", help="print LaTeX")
    p.set_defaults(handler=_check)
