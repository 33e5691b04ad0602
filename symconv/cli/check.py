r"""``symconv check "CLAIM" --let NAME=SPEC … --assume "N>=2*K"``: decide a claim from a shell.

The claim is read by the safe grammar of :mod:`symconv.cli.grammar` and
evaluated by :mod:`symconv.cli.claim` (symconv's public functions from a fixed
table). Then :func:`decide`:

* a claim with symbols goes to ``symconv.prove(lhs, rhs, assuming=...,
  method=...)`` through ONE adapter, :func:`prove_adapter`: proved for all
  sizes, refuted with a counterexample, or unknown with the reason. Symbols
  of a concrete size (``x=x:6``) are lazy leaves, so the prover's exact
  engine decides such claims on contractions of the one definition;
* a claim between numbers only (``f=2,1,3``) compares the two arrays of exact
  numbers entry by entry (there is nothing to prove).

Exit status: 0 the claim holds, 1 it is refuted, 3 undecided, 2 bad input.
``--json`` prints ``claim``, ``let``, ``assume``, ``holds`` (true/false/null),
``status``, ``method``, ``counterexample``, ``certificate``, ``lhs``, ``rhs``;
``--latex`` prints LaTeX.
"""

from __future__ import annotations

import argparse
import json
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
    outline: list[str] = field(default_factory=list)
    lhs: Any = None
    rhs: Any = None
    statement: str = ""
    #: the prover's Proof (rendered as LaTeX or Markdown only when asked)
    proof: Any = None
    checked: list[dict[str, Any]] = field(default_factory=list)
    engine: str = ""


# -- deciding ----------------------------------------------------------------------------------------------


def prove_adapter(lhs: Any, rhs: Any, assuming: list[Any], method: str) -> Verdict:
    """``symconv.prove(lhs, rhs, assuming=..., method=...)`` as a :class:`Verdict` (the ONE call into the prover).

    The certificate, LaTeX and Markdown are rendered from ``Verdict.proof`` only when the output asks.
    """
    import symconv

    proof = symconv.prove(lhs, rhs, assuming=tuple(assuming), method=method)
    holds = {"proved": True, "refuted": False}.get(proof.status)
    outline = [f"{s.rule.replace('_', ' ')}" + (f" ({s.side} side)" if s.side != "lhs" else "") for s in proof.steps]
    return Verdict(
        holds=holds,
        status=proof.status,
        method=proof.method,
        reason=str(getattr(proof, "reason", "") or proof.message or ""),
        counterexample=getattr(proof, "counterexample", None),
        outline=outline,
        lhs=lhs,
        rhs=rhs,
        statement=proof.statement,
        proof=proof,
        checked=list(getattr(proof, "checked", None) or proof.instance_checks or []),
        engine=proof.engine,
    )


def _numbers(v: Any) -> Any:
    """``v`` as an Array when it holds numbers only (no symbol, no lazy expression), else None."""
    import sympy

    import symconv

    if isinstance(v, sympy.Basic) and not v.free_symbols:
        v = symconv.asarray(v)
    if isinstance(v, symconv.Array) and not v.free_symbols:
        return v
    return None


def decide_numbers(a: Any, b: Any) -> Verdict:
    """Two arrays of exact numbers: equal shapes and equal entries (no symbols, so nothing to prove)."""
    import numpy as np

    from symconv.arrays.entries import jsonable as exact_json

    if a.shape != b.shape:
        raise SymconvError(f"claim: the two sides must have the same shape; got {a.shape} and {b.shape}")
    statement = f"{a.tolist()} = {b.tolist()}"
    for idx, (p, q) in enumerate(zip(a.numpy().flat, b.numpy().flat)):
        if p != q:
            at = [int(i) for i in np.unravel_index(idx, a.shape)] if a.shape else []
            counter = {"sizes": {}, "at": at, "lhs": exact_json(p), "rhs": exact_json(q)}
            counter.update(lhs_value=exact_json(a), rhs_value=exact_json(b))
            return Verdict(False, "refuted", "exact", "", counter, lhs=a, rhs=b, statement=statement, engine=_NUMBERS)
    return Verdict(True, "proved", "exact", "", lhs=a, rhs=b, statement=statement, engine=_NUMBERS)


_NUMBERS = "exact comparison of the numbers"


def decide(lhs: Any, rhs: Any, assuming: list[Any], method: str) -> Verdict:
    """The verdict on ``lhs == rhs``: numbers compared exactly; anything with symbols through :func:`prove_adapter`."""
    a, b = _numbers(lhs), _numbers(rhs)
    if a is not None and b is not None and not assuming:
        return decide_numbers(a, b)
    return prove_adapter(lhs, rhs, assuming, method)


# -- output ------------------------------------------------------------------------------------------------


def _concrete(v: Any) -> Any:
    """A side's concrete value when its size is concrete and small (at most SHOW_ENTRIES entries), else None."""
    import math

    import symconv

    if isinstance(v, symconv.Array):
        return v if v.size <= SHOW_ENTRIES else None
    shape = getattr(v, "shape", None)
    if shape is None or not hasattr(v, "at") or not all(getattr(d, "is_Integer", False) for d in shape):
        return None
    if math.prod(int(d) for d in shape) > SHOW_ENTRIES:
        return None
    value = v.at({})
    return value if isinstance(value, symconv.Array) else symconv.asarray(value)


def _value_text(v: Any) -> str | None:
    """A concrete side's entries (small arrays only); None for a lazy expression of symbolic size."""
    value = _concrete(v)
    return None if value is None else str(value.tolist())


def _concrete_json(v: Any) -> Any:
    from symconv.arrays.entries import jsonable as exact_json

    value = _concrete(v)
    return None if value is None else exact_json(value)


def _counter_lines(c: dict[str, Any]) -> list[str]:
    sizes = ", ".join(f"{k}={val}" for k, val in (c.get("sizes") or {}).items())
    at = c.get("at")
    where = f"entry {list(at.values()) if isinstance(at, dict) else at}" if at is not None else "the shapes"
    head = f"counterexample: {'at sizes ' + sizes + ', ' if sizes else ''}{where}"
    lines = [head + (f": left {c['lhs']}, right {c['rhs']}" if "lhs" in c else f": {c.get('detail', '')}")]
    if c.get("lhs_value") is not None:
        lines.append(f"left:    [{', '.join(map(str, c['lhs_value']))}]")
        lines.append(f"right:   [{', '.join(map(str, c['rhs_value']))}]")
    return lines


def _text(claim: str, args: argparse.Namespace, v: Verdict) -> str:
    lines = [f"claim:   {claim}"]
    if args.let:
        lines.append("with:    " + ";  ".join(args.let))
    if args.assume:
        lines.append("assume:  " + ";  ".join(args.assume))
    if v.statement:
        lines.append(f"statement: {v.statement}")
    verdict = {True: "HOLDS", False: "REFUTED", None: "UNKNOWN"}[v.holds]
    lines.append(f"verdict: {verdict} ({v.status})")
    lines.append(f"method:  {v.method}" + (f" — {v.engine}" if v.engine else ""))
    if v.holds is None and v.reason:
        lines.append(f"reason:  {v.reason}")
    if v.counterexample:
        lines += _counter_lines(v.counterexample)
    elif v.holds:
        left, right = _value_text(v.lhs), _value_text(v.rhs)
        if left is not None and right is not None:
            lines += [f"left:    {left}", f"right:   {right}"]
    if v.outline:
        lines.append("proof outline (every step a named rule; the certificate replays):")
        lines += [f"  {i}. {step}" for i, step in enumerate(v.outline, 1)]
    if v.checked:
        ok = sum(1 for c in v.checked if c.get("holds"))
        lines.append(f"exact checks: {ok}/{len(v.checked)} hold")
    return "\n".join(lines)


def _latex(v: Verdict) -> str:
    """The prover's LaTeX, and for a claim that does not hold the relation and the counterexample."""
    out = [v.proof.latex().rstrip("\n")] if v.proof is not None else []
    if v.holds is not True:
        rel = r"\neq" if v.holds is False else r"\overset{?}{=}"
        sides = [getattr(side, "latex", None) for side in (v.lhs, v.rhs)]
        if all(callable(f) for f in sides):
            out.append("\\[ " + sides[0]() + f" \\;{rel}\\; " + sides[1]() + " \\]")  # type: ignore[misc]
        if v.counterexample:
            out += ["% " + line.replace("\n", " ") for line in _counter_lines(v.counterexample)]
        elif v.reason:
            out.append("% reason: " + v.reason.replace("\n", " "))
    return "\n".join(out)


def _json(claim: str, args: argparse.Namespace, v: Verdict) -> str:
    data = {
        "claim": claim,
        "let": dict(s.split("=", 1) for s in args.let),
        "assume": list(args.assume),
        "statement": v.statement,
        "holds": v.holds,
        "status": v.status,
        "method": v.method,
        "engine": v.engine,
        "reason": v.reason,
        "counterexample": v.counterexample,
        "steps": v.outline,
        "checked": v.checked,
        "lhs": _concrete_json(v.lhs),
        "rhs": _concrete_json(v.rhs),
        "certificate": v.proof.certificate.data if v.proof is not None else None,
    }
    return json.dumps(data, ensure_ascii=False, default=str)


def _check(args: argparse.Namespace) -> int:
    from symconv.cli.claim import Bindings, relation_of
    from symconv.cli.grammar import parse_claim, parse_relation

    env = Bindings()
    for spec in args.let:
        env.let(spec)
    ops = (">=", "<=", ">", "<", "==")
    assuming = [relation_of(env, parse_relation(a, "check: `--assume`", ops), "check: `--assume`") for a in args.assume]
    tree = parse_claim(args.claim, "check: `CLAIM`")
    lhs, rhs = env.evaluate(tree.lhs), env.evaluate(tree.rhs)
    verdict = decide(lhs, rhs, assuming, args.method)
    if args.json:
        print(_json(args.claim, args, verdict))
    elif args.latex:
        print(_latex(verdict))
    elif args.markdown:
        print(verdict.proof.markdown().rstrip("\n") if verdict.proof is not None else _text(args.claim, args, verdict))
    else:
        print(_text(args.claim, args, verdict))
    return EXIT[verdict.holds]


def register(sub: Any) -> None:
    """Add the ``check`` sub-command."""
    p = sub.add_parser(
        "check",
        help="decide a claim: holds (proved), refuted (with a counterexample) or unknown",
        description="Decide a claim LHS == RHS built from correlate, convolve, grad, flip, inner, sum, "
        "conv1d/conv2d/conv3d (PyTorch layers, channel-first), + - *, "
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
    p.add_argument(
        "--assume",
        action="append",
        default=[],
        metavar="REL",
        help="a relation of the sizes named in the --let shapes, e.g. N>=2*K",
    )
    p.add_argument(
        "--method", default="auto", choices=("auto", "general", "instance"), help="how to decide (default auto)"
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print a JSON object")
    fmt.add_argument("--latex", action="store_true", help="print the proof (or refutation) as LaTeX")
    fmt.add_argument("--markdown", action="store_true", help="print the proof (or refutation) as Markdown")
    p.set_defaults(handler=_check)
