"""Proofs as data: statement, assumptions, steps, a JSON certificate, and a replay checker.

A :class:`Proof` has one or more :class:`Part` (an "iff" has two). A part
states ``lhs = rhs`` (or, for an "only if", that ``lhs = 0`` for every input
forces a hypothesis) under a :class:`~symconv.proofs._iverson.Context`, and
lists :class:`Step` objects: ``before``, the rule's name and arguments,
``after`` and the side conditions as checked. Steps rewrite either side; the
last one (``equal`` or ``entails_hypothesis``) joins them.

:meth:`Proof.check` trusts nothing stored: it decodes the certificate,
re-runs every rule on its ``before`` (which re-runs the solver), demands the
stored ``after``, and evaluates ``before`` and ``after`` exactly on random
small sizes with random integer arrays.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from symconv._errors import SymconvError
from symconv.proofs import _serial
from symconv.proofs._evaluate import ArrayFn, _int, array_values, random_sizes, values
from symconv.proofs._iverson import EQ, Context, Derivative, Expr, Hypothesis, Pointwise, Side, Sum
from symconv.proofs._rules import RULES, Condition, RuleError, unify

__all__ = ["Certificate", "CheckReport", "Deriver", "Part", "Proof", "Step"]


@dataclass(frozen=True)
class Step:
    """One rewrite: ``before`` --rule(args)--> ``after`` on side ``lhs`` or ``rhs``."""

    rule: str
    args: Mapping[str, Any]
    before: Side
    after: Side
    side: str
    conditions: tuple[Condition, ...] = ()


@dataclass
class Part:
    """One proved statement: ``lhs = rhs`` (``relation='='``) or ``lhs = 0 ∀ input ⇒ hypothesis``."""

    title: str
    ctx: Context
    lhs: Side
    rhs: Side | Hypothesis
    relation: str = "="
    steps: list[Step] = field(default_factory=list)
    assumptions_text: tuple[str, ...] = ()
    #: Defined arrays of the statement, ``(operand, body, index names)`` (e.g. ``flip(w)``).
    definitions: tuple[tuple[str, Sum, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class CheckReport:
    """What :meth:`Proof.check` did: steps replayed, numeric trials, and the first failure."""

    ok: bool
    steps: int
    trials: int
    message: str = ""

    def __bool__(self) -> bool:
        return self.ok


class Deriver:
    """Builds a part step by step, running each rule as it goes (the prover's notebook)."""

    def __init__(self, part: Part) -> None:
        self.part = part
        self.cur: dict[str, Any] = {"lhs": part.lhs, "rhs": part.rhs}

    def apply(self, rule: str, side: str = "lhs", **args: Any) -> Side:
        """Run ``rule`` on the current ``side`` and record the step."""
        before = self.cur[side]
        after, conds = RULES[rule](before, self.part.ctx, **args)
        self.part.steps.append(Step(rule, dict(args), before, after, side, conds))
        self.cur[side] = after
        return after

    def sift(self, side: str = "lhs") -> None:
        """Collapse every Kronecker delta that has a bound variable with coefficient ±1."""
        while True:
            e = self.cur[side]
            if not isinstance(e, Expr):
                return
            done = True
            for i, s in enumerate(e.sums):
                for c in s.guard:
                    if c.op != EQ:
                        continue
                    cands = [v for v in reversed(s.variables) if c.expr.coeff(v) in (1, -1)]
                    if cands:
                        self.apply("collapse_kronecker_delta", side, sum=i, var=cands[0])
                        done = False
                        break
                if not done:
                    break
            if done:
                return

    def align(self, side: str = "lhs", only: Sequence[str] | None = None, target: Side | None = None) -> None:
        """Reindex every sum of ``side`` to read its factors like the other side (unification)."""
        other = target if target is not None else self.cur["rhs" if side == "lhs" else "lhs"]
        e = self.cur[side]
        if not isinstance(e, Expr) or not isinstance(other, Expr):
            return
        for i, s in enumerate(e.sums):
            t = other.sums[min(i, len(other.sums) - 1)]
            m = unify(s, t, only)
            if m is None:
                raise RuleError(
                    f"no reindexing matches the summands of sum {i}: "
                    f"{' · '.join(map(str, s.factors))} vs {' · '.join(map(str, t.factors))}"
                )
            if all(m[v] == _var(v) for v in s.variables) and set(s.variables) == set(t.variables):
                continue
            self.apply("reindex", side, sum=i, mapping=m, variables=list(t.variables))

    def close(self) -> None:
        """The final ``equal`` step."""
        self.apply("equal", "lhs", claim=self.cur["rhs"])


def _var(name: str) -> Any:
    from symconv._affine import Affine

    return Affine.var(name)


# -- replay -------------------------------------------------------------------


def _hyp_arrays(ctx: Context, sizes: Mapping[sympy.Symbol, int], seed: int) -> dict[str, ArrayFn]:
    """Random arrays that satisfy every hypothesis: ``a(i) = r(i) + sign·r(rhs(i))``."""
    out: dict[str, ArrayFn] = {}
    for h in ctx.hypotheses:

        def fn(idx: Sequence[np.ndarray], h: Hypothesis = h) -> np.ndarray:
            env = dict(zip(h.variables, idx))
            mirrored = []
            for a in h.rhs:
                v = np.asarray(_int(a.const, sizes), dtype=np.int64)
                for name, c in a.coeffs:
                    v = v + _int(c, sizes) * env[name]
                mirrored.append(v)
            return array_values(h.operand, seed, idx) + h.sign * array_values(h.operand, seed, mirrored)

        out[h.operand] = fn
    return out


def _numeric(step: Step, ctx: Context, rng: np.random.Generator, trials: int) -> str:
    """Exact evaluation of before/after at random sizes; '' when they agree."""
    if step.rule == "entails_hypothesis":
        return ""
    for _ in range(trials):
        sizes = random_sizes(ctx, rng)
        seed = int(rng.integers(1 << 30))
        arrays = _hyp_arrays(ctx, sizes, seed)
        if step.rule == "definition":
            arrays = {**arrays, **_defined_array(step, ctx, sizes, seed, arrays)}
        if step.rule == "compare_coefficients":
            msg = _numeric_coefficients(step, ctx, sizes, seed, arrays, rng)
            if msg:
                return msg
            continue
        a = values(step.before, ctx, sizes, seed, arrays)
        b = values(step.after, ctx, sizes, seed, arrays)  # type: ignore[arg-type]
        if a != b:
            bad = next(k for k in sorted(set(a) | set(b)) if a.get(k, 0) != b.get(k, 0))
            return f"values differ at sizes {_show(sizes)}, free index {bad}: {a.get(bad, 0)} vs {b.get(bad, 0)}"
    return ""


def _defined_array(
    step: Step, ctx: Context, sizes: Mapping[sympy.Symbol, int], seed: int, arrays: dict[str, ArrayFn]
) -> dict[str, ArrayFn]:
    """The unfolded operand as an array computed from its definition (entry by entry)."""
    before = step.before
    assert isinstance(before, Expr)
    name = before.sums[step.args["sum"]].factors[step.args["factor"]].operand
    body: Sum = step.args["body"]
    at: Sequence[str] = step.args["at"]
    bare = Context(ctx.params, (), ())
    cache: dict[tuple[int, ...], int] = {}

    def fn(idx: Sequence[np.ndarray]) -> np.ndarray:
        arrs = [np.asarray(i, dtype=np.int64) for i in idx]
        shape = np.broadcast_shapes(*(a.shape for a in arrs)) if arrs else ()
        flat = [np.broadcast_to(a, shape).reshape(-1) for a in arrs]
        out = np.zeros(len(flat[0]) if flat else 1, dtype=np.int64)
        for j in range(len(out)):
            key = tuple(int(f[j]) for f in flat)
            if key not in cache:
                fixed = body.substitute({a: _const(v) for a, v in zip(at, key)}, body.variables)
                cache[key] = values(Expr.of(fixed), bare, sizes, seed, arrays).get((), 0)
            out[j] = cache[key]
        return out.reshape(shape)

    return {name: fn}


def _const(v: int) -> Any:
    from symconv._affine import Affine

    return Affine.constant(v)


def _numeric_coefficients(
    step: Step,
    ctx: Context,
    sizes: Mapping[sympy.Symbol, int],
    seed: int,
    arrays: dict[str, ArrayFn],
    rng: np.random.Generator,
) -> str:
    pw = step.after
    assert isinstance(pw, Pointwise)
    operand = step.args["operand"]
    residual = values(pw, ctx, sizes, seed, arrays)
    points = [k for k in residual]
    if not points:
        return ""
    first = step.before.sums[0]  # type: ignore[union-attr]
    the = next(t for t in first.factors if t.operand == operand)
    nfree = len(ctx.free)
    for j in rng.choice(len(points), size=min(3, len(points)), replace=False):
        key = points[int(j)]
        env = dict(zip(ctx.free + pw.variables, key))
        pos = tuple(_int(a.const, sizes) + sum(_int(c, sizes) * env[v] for v, c in a.coeffs) for a in the.index)

        def unit(idx: Sequence[np.ndarray], pos: tuple[int, ...] = pos) -> np.ndarray:
            hit = np.ones(np.broadcast_shapes(*(np.shape(i) for i in idx)), dtype=bool)
            for i, p in zip(idx, pos):
                hit &= np.asarray(i) == p
            return hit.astype(np.int64)

        vb = values(step.before, ctx, sizes, seed, {**arrays, operand: unit})
        if vb.get(key[:nfree], 0) != residual[key]:
            got = vb.get(key[:nfree], 0)
            return f"coefficient of {operand}{list(pos)} at sizes {_show(sizes)}: {got} vs {residual[key]}"
    return ""


def _show(sizes: Mapping[sympy.Symbol, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sizes.items()) or "(none)"


def replay(parts: Sequence[Part], *, trials: int = 2, seed: int = 0) -> CheckReport:
    """Re-derive every step of every part; see :meth:`Proof.check`."""
    rng = np.random.default_rng(seed)
    nsteps = 0
    for p_i, part in enumerate(parts):
        cur: dict[str, Any] = {"lhs": part.lhs, "rhs": part.rhs}
        closed = False
        for s_i, step in enumerate(part.steps):
            where = f"part {p_i + 1} ({part.title}), step {s_i + 1} ({step.rule})"
            if closed:
                return CheckReport(False, nsteps, trials, f"{where}: step after the closing step")
            if step.side not in cur or step.before != cur[step.side]:
                return CheckReport(False, nsteps, trials, f"{where}: `before` is not where the {step.side} side stands")
            if step.rule not in RULES:
                return CheckReport(False, nsteps, trials, f"{where}: unknown rule {step.rule!r}")
            args = dict(step.args)
            if step.rule == "equal" and args.get("claim") != cur["rhs"]:
                return CheckReport(
                    False, nsteps, trials, f"{where}: the claim compared is not the statement's right side"
                )
            if step.rule == "entails_hypothesis" and (args.get("hypothesis") != part.rhs or part.relation != "⇒"):
                return CheckReport(False, nsteps, trials, f"{where}: the hypothesis concluded is not the statement's")
            try:
                after, _ = RULES[step.rule](step.before, part.ctx, **args)
            except (RuleError, SymconvError, TypeError, KeyError) as exc:
                return CheckReport(False, nsteps, trials, f"{where}: the rule fails on replay: {exc}")
            if after != step.after:
                return CheckReport(False, nsteps, trials, f"{where}: the stored `after` is not what the rule gives")
            msg = _numeric(step, part.ctx, rng, trials)
            if msg:
                return CheckReport(False, nsteps, trials, f"{where}: {msg}")
            cur[step.side] = after
            nsteps += 1
            closed = step.rule in ("equal", "entails_hypothesis")
        if not closed:
            return CheckReport(False, nsteps, trials, f"part {p_i + 1} ({part.title}): no closing step")
    return CheckReport(
        True, nsteps, trials, f"{nsteps} steps re-derived, solver re-run, {trials} random size(s) per step"
    )


# -- the proof object -----------------------------------------------------------


@dataclass
class Certificate:
    """The JSON-serialisable record of a proof: everything :meth:`Proof.check` needs to replay it."""

    data: dict[str, Any]

    def to_json(self, indent: int | None = None) -> str:
        """The certificate as JSON text."""
        return json.dumps(self.data, indent=indent, ensure_ascii=False)

    @staticmethod
    def from_json(text: str) -> Certificate:
        """Load a certificate (data only; nothing in it is executed)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SymconvError(f"certificate: not valid JSON ({exc})") from None
        if not isinstance(data, dict) or "parts" not in data:
            raise SymconvError("certificate: a JSON object with `parts` is required")
        return Certificate(data)

    def parts(self) -> list[Part]:
        """Decode the parts (statement, context, steps)."""
        out = []
        for p in self.data["parts"]:
            rhs = _serial.decode(p["rhs"])
            part = Part(str(p["title"]), _serial.decode(p["ctx"]), _serial.side(p["lhs"]), rhs, str(p["relation"]))
            for s in p["steps"]:
                args = _serial.decode(s["args"])
                part.steps.append(
                    Step(str(s["rule"]), args, _serial.side(s["before"]), _serial.side(s["after"]), str(s["side"]))
                )
            out.append(part)
        return out

    def check(self, *, trials: int = 2, seed: int = 0) -> CheckReport:
        """Replay the certificate (see :meth:`Proof.check`)."""
        try:
            parts = self.parts()
        except (KeyError, TypeError, ValueError) as exc:
            return CheckReport(False, 0, trials, f"malformed certificate: {exc}")
        msg = self._statement_mismatch(parts)
        if msg:
            return CheckReport(False, 0, trials, msg)
        return replay(parts, trials=trials, seed=seed)

    def _statement_mismatch(self, parts: Sequence[Part]) -> str:
        """'' when the parts state what the library's theorem (with these parameters) states."""
        from symconv.proofs._theorems import _LIBRARY, Theorem

        name = str(self.data.get("theorem", ""))
        variant = None
        if " [variant " in name:
            name, _, rest = name.partition(" [variant ")
            variant = rest.rstrip("]")
        if name not in _LIBRARY:
            return ""  # a proof built by hand: its statement is what it says
        try:
            plan = Theorem(name, dict(self.data.get("params", {})), variant).plan()
        except SymconvError as exc:
            return f"certificate: the theorem's parameters are invalid: {exc}"
        want = [p for p, _ in plan.parts]
        if len(want) != len(parts):
            return f"certificate: {len(parts)} part(s), the theorem {name} has {len(want)}"
        for a, b in zip(parts, want):
            if (a.lhs, a.rhs, a.ctx, a.relation) != (b.lhs, b.rhs, b.ctx, b.relation):
                return f"certificate: part {a.title!r} does not state what {name} states"
        return ""


def _encode_part(p: Part) -> dict[str, Any]:
    return {
        "title": p.title,
        "relation": p.relation,
        "ctx": _serial.encode(p.ctx),
        "lhs": _serial.encode(p.lhs),
        "rhs": _serial.encode(p.rhs),
        "assumptions": list(p.assumptions_text),
        "steps": [
            {
                "rule": s.rule,
                "side": s.side,
                "args": _serial.encode(dict(s.args)),
                "before": _serial.encode(s.before),
                "after": _serial.encode(s.after),
                "conditions": [{"text": c.text, "status": c.status, "bounded": c.bounded} for c in s.conditions],
            }
            for s in p.steps
        ],
    }


@dataclass
class Proof:
    """A theorem's proof (or refutation) as data.

    ``status`` is ``"proved"``, ``"refuted"`` (a counterexample is in
    ``message``) or ``"unproved"``; ``holds`` is True only when proved.
    ``method`` is ``general`` (rules + solver, all sizes), ``instance``
    (exact comparison at given sizes) or ``randomized`` (Schwartz–Zippel).
    """

    theorem: str
    statement: str
    params: dict[str, Any]
    method: str
    status: str
    parts: list[Part] = field(default_factory=list)
    message: str = ""
    not_covered: str = "—"
    instance_checks: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    index_style: str = "brackets"

    @property
    def holds(self) -> bool:
        """True when the statement was established by the method used."""
        return self.status == "proved"

    @property
    def steps(self) -> list[Step]:
        """Every step of every part, in order."""
        return [s for p in self.parts for s in p.steps]

    @property
    def certificate(self) -> Certificate:
        """The JSON-serialisable certificate."""
        return Certificate(
            {
                "theorem": self.theorem,
                "statement": self.statement,
                "params": self.params,
                "method": self.method,
                "status": self.status,
                "parts": [_encode_part(p) for p in self.parts],
                "instance_checks": self.instance_checks,
                "not_covered": self.not_covered,
            }
        )

    def check(self, *, trials: int = 2, seed: int = 0) -> CheckReport:
        """Replay the proof from its certificate, trusting no stored result.

        Every step is re-run from its ``before`` (the solver too), its stored
        ``after`` must be what the rule gives, consecutive steps must chain,
        the last must join the two sides, and ``before``/``after`` must agree
        exactly on ``trials`` random small sizes with random integer arrays.
        """
        if self.method != "general":
            return CheckReport(self.holds, 0, 0, f"{self.method} result: nothing to replay")
        return Certificate.from_json(self.certificate.to_json()).check(trials=trials, seed=seed)

    def to_dict(self) -> dict[str, Any]:
        """Summary plus certificate, as JSON data."""
        return {
            "theorem": self.theorem,
            "statement": self.statement,
            "params": self.params,
            "holds": self.holds,
            "status": self.status,
            "method": self.method,
            "message": self.message,
            "steps": [
                {"rule": s.rule, "side": s.side, "conditions": [c.text + f" [{c.status}]" for c in s.conditions]}
                for s in self.steps
            ],
            "certificate": self.certificate.data,
            "instance_checks": self.instance_checks,
            "not_covered": self.not_covered,
            "notes": list(self.notes),
            "seconds": round(self.seconds, 6),
        }

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def latex(self, index_style: str | None = None) -> str:
        """The proof as LaTeX ``align*`` blocks, rule names as ``\\tag{...}``."""
        from symconv.proofs._render import proof_latex

        return proof_latex(self, index_style or self.index_style)

    def markdown(self, index_style: str | None = None) -> str:
        """The proof as Markdown with KaTeX-safe ``$$\\begin{aligned}…\\end{aligned}$$`` blocks."""
        from symconv.proofs._render import proof_markdown

        return proof_markdown(self, index_style or self.index_style)

    def __str__(self) -> str:
        return self.markdown()


def timed(fn: Any) -> tuple[Any, float]:
    """``(fn(), seconds)``."""
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def sum_part(title: str, ctx: Context, lhs: Side, rhs: Side, assumptions: Sequence[str] = ()) -> Part:
    """A part stating ``lhs = rhs``."""
    return Part(title, ctx, lhs, rhs, "=", [], tuple(assumptions))


def first_sum(e: Side) -> Sum:
    """The first sum of an expression (or of a derivative's expression)."""
    if isinstance(e, Derivative):
        return e.expr.sums[0]
    if isinstance(e, Expr):
        return e.sums[0]
    raise SymconvError("proof: expected a sum")
