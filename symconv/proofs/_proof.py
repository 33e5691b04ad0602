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

__all__ = ["MAX_INSTANCE_SIZE", "Certificate", "CheckReport", "Deriver", "Part", "Proof", "Step"]

#: The largest size an instance check stored in a certificate may ask the replay to re-run.
MAX_INSTANCE_SIZE = 8


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
    #: Side conditions the solver left "unknown", accepted on a bounded check only.
    bounded: int = 0

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


def _declared(step: Step, part: Part) -> bool:
    """Does a ``definition`` step unfold the operand by the definition the statement declares?"""
    before = step.before
    try:
        name = before.sums[step.args["sum"]].factors[step.args["factor"]].operand  # type: ignore[union-attr]
        at = tuple(step.args["at"])
    except (AttributeError, IndexError, KeyError, TypeError):
        return False
    return (name, step.args.get("body"), at) in part.definitions


def _show(sizes: Mapping[sympy.Symbol, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sizes.items()) or "(none)"


def replay(parts: Sequence[Part], *, trials: int = 2, seed: int = 0) -> CheckReport:
    """Re-derive every step of every part; see :meth:`Proof.check`."""
    rng = np.random.default_rng(seed)
    nsteps = 0
    bounded: list[Condition] = []
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
            if step.rule == "definition" and not _declared(step, part):
                return CheckReport(
                    False, nsteps, trials, f"{where}: the definition unfolded is not one the statement declares"
                )
            try:
                after, conds = RULES[step.rule](step.before, part.ctx, **args)
            except (RuleError, SymconvError, TypeError, KeyError, IndexError, ArithmeticError) as exc:
                return CheckReport(False, nsteps, trials, f"{where}: the rule fails on replay: {exc}")
            bounded += [c for c in conds if c.status == "unknown"]
            if step.conditions and [c.text for c in step.conditions] != [c.text for c in conds]:
                return CheckReport(
                    False, nsteps, trials, f"{where}: the stored side conditions are not the ones the rule checks"
                )
            if after != step.after:
                return CheckReport(False, nsteps, trials, f"{where}: the stored `after` is not what the rule gives")
            try:
                msg = _numeric(step, part.ctx, rng, trials)
            except (SymconvError, ArithmeticError) as exc:  # e.g. a tampered index, not an integer at concrete sizes
                msg = f"cannot evaluate the step at random sizes: {exc}"
            if msg:
                return CheckReport(False, nsteps, trials, f"{where}: {msg}")
            cur[step.side] = after
            nsteps += 1
            closed = step.rule in ("equal", "entails_hypothesis")
        if not closed:
            return CheckReport(False, nsteps, trials, f"part {p_i + 1} ({part.title}): no closing step")
    msg = f"{nsteps} steps re-derived, solver re-run, {trials} random size(s) per step"
    if bounded:
        msg += (
            f"; {len(bounded)} side condition(s) the solver could not decide (unknown) hold only within the bounded "
            f"check: {'; '.join(f'{c.text} [{c.bounded}]' for c in bounded)}"
        )
    return CheckReport(True, nsteps, trials, msg, len(bounded))


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
            defs = []
            for d in p.get("definitions", []):
                body = _serial.decode(d["body"])
                if not isinstance(body, Sum):
                    raise SymconvError("certificate: a definition's `body` must be a sum")
                defs.append((str(d["operand"]), body, tuple(map(str, d["at"]))))
            part.definitions = tuple(defs)
            part.assumptions_text = tuple(map(str, p.get("assumptions", ())))
            for s in p["steps"]:
                args = _serial.decode(s["args"])
                conds = tuple(Condition(str(c["text"]), str(c["status"])) for c in s.get("conditions", ()))
                part.steps.append(
                    Step(
                        str(s["rule"]), args, _serial.side(s["before"]), _serial.side(s["after"]), str(s["side"]), conds
                    )
                )
            out.append(part)
        return out

    def check(self, *, trials: int = 2, seed: int = 0) -> CheckReport:
        """Replay the certificate (see :meth:`Proof.check`), then re-run its exact instance checks.

        Never raises on a malformed or tampered certificate: the report says what is wrong.

        >>> from symconv import theorem
        >>> data = theorem("full_convolution_commutes").prove().certificate.data
        >>> Certificate(data).check().ok
        True
        >>> Certificate({**data, "params": {"ndim": 2}}).check().message
        "certificate: part 'commutes' does not state what full_convolution_commutes states"
        """
        try:
            parts = self.parts()
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return CheckReport(False, 0, trials, f"malformed certificate: {exc}")
        msg, library = self._statement_mismatch(parts)
        if msg:
            return CheckReport(False, 0, trials, msg)
        report = replay(parts, trials=trials, seed=seed)
        if not report.ok:
            return report
        msg = self._claims_match(report, library)
        if msg:
            return CheckReport(False, report.steps, trials, msg, report.bounded)
        msg, count = self._instances(parts, library)
        if msg:
            return CheckReport(False, report.steps, trials, msg, report.bounded)
        text = report.message + f"; {count} exact instance check(s) re-run"
        if not library:
            text += "; not a library theorem: the statement is the certificate's own parts"
        return CheckReport(True, report.steps, trials, text, report.bounded)

    def _statement_mismatch(self, parts: Sequence[Part]) -> tuple[str, bool]:
        """('' or what is wrong, whether the theorem is the library's): the parts must state what it states."""
        from symconv.proofs._theorems import _LIBRARY, Theorem

        name = str(self.data.get("theorem", ""))
        variant = None
        if " [variant " in name:
            name, _, rest = name.partition(" [variant ")
            variant = rest.removesuffix("]")
        if name not in _LIBRARY:
            return "", False  # a proof built by hand: its statement is what it says
        if variant is not None and variant not in _LIBRARY[name].variants:
            return f"certificate: {name} has no variant {variant!r}", True
        params = self.data.get("params", {})
        if not isinstance(params, dict):
            return "certificate: `params` must be an object", True
        try:
            plan = Theorem(name, dict(params), variant).plan()
        except SymconvError as exc:
            return f"certificate: the theorem's parameters are invalid: {exc}", True
        want = [p for p, _ in plan.parts]
        if plan.instance_only:
            return f"certificate: {name} has no general proof to replay", True
        if len(want) != len(parts):
            return f"certificate: {len(parts)} part(s), the theorem {name} has {len(want)}", True
        for a, b in zip(parts, want):
            if (a.lhs, a.rhs, a.ctx, a.relation, a.title) != (b.lhs, b.rhs, b.ctx, b.relation, b.title):
                return f"certificate: part {a.title!r} does not state what {name} states", True
            if a.definitions != b.definitions:
                return f"certificate: part {a.title!r} does not define its arrays as {name} does", True
            if a.assumptions_text and a.assumptions_text != b.assumptions_text:
                return f"certificate: part {a.title!r} words its assumptions unlike {name}", True
        return "", True

    def _claims_match(self, report: CheckReport, library: bool) -> str:
        """The certificate's own words (status, statement, not-covered line) must be what the replay supports."""
        status = self.data.get("status")
        if status is not None and self.data.get("method", "general") == "general":
            want = "bounded" if report.bounded else "proved"
            if status != want:
                return f"certificate: status {status!r}, but the replay gives {want!r}"
        if not library:
            return ""
        from symconv.proofs._theorems import Theorem

        name, _, rest = str(self.data["theorem"]).partition(" [variant ")
        plan = Theorem(name, dict(self.data.get("params", {})), rest.removesuffix("]") or None).plan()
        if "statement" in self.data and self.data["statement"] != (plan.statement or Theorem(name, {}).statement):
            return "certificate: the statement text is not the theorem's"
        nc = str(self.data.get("not_covered", ""))
        if report.bounded:
            ok = "bounded check" in nc and (plan.not_covered == "—" or nc.startswith(plan.not_covered))
        else:
            ok = nc == plan.not_covered
        if not ok:
            return f"certificate: the not-covered line {nc!r} is not what the proof leaves uncovered"
        return ""

    def _instances(self, parts: Sequence[Part], library: bool = False) -> tuple[str, int]:
        """Re-run the stored exact instance checks (never trusting their stored result); ('' or failure, count).

        A library theorem's checks re-run through the coefficient engine on its
        contractions (rebuilt from the library, not read from the certificate)
        where the statement is one; a stored ``engine`` must be the one re-run.
        """
        from symconv.proofs._cost import guard_instance
        from symconv.proofs._theorems import Theorem, _instance_part, _satisfies

        recipes: Mapping[str, Any] = {}
        if library:
            name, _, rest = str(self.data["theorem"]).partition(" [variant ")
            recipes = Theorem(name, dict(self.data.get("params", {})), rest.removesuffix("]") or None).plan().recipes

        checks = self.data.get("instance_checks", [])
        if not isinstance(checks, list):
            return "certificate: `instance_checks` must be a list", 0
        by_title = {p.title: p for p in parts}
        seen: set[str] = set()
        for i, c in enumerate(checks):
            where = f"certificate: instance check {i + 1}"
            if not isinstance(c, dict) or c.get("part") not in by_title or not isinstance(c.get("sizes"), dict):
                return f"{where}: must name a part and its sizes", 0
            part = by_title[c["part"]]
            sizes: dict[sympy.Symbol, int] = {}
            for k, v in c["sizes"].items():
                if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                    return f"{where}: size {k}={v!r} must be a positive integer", 0
                sizes[_serial.param_symbol(k)] = v
            if set(sizes) != set(part.ctx.params) or not _satisfies(part, sizes):
                return (
                    f"{where}: sizes {c['sizes']} do not fix the parameters of {part.title!r} within its assumptions",
                    0,
                )
            try:  # the sizes are the certificate's: costed (symconv._limits) before anything is re-run
                guard_instance(part, sizes, "instance", 1, recipes.get(part.title))
                ok, msg, extra = _instance_part(part, sizes, "instance", 1, 0, recipes.get(part.title))
            except SymconvError as exc:
                return f"{where}: {exc}", 0
            same_engine = c.get("engine", extra.get("engine")) == extra.get("engine")
            if library and not same_engine:
                return f"{where}: stored engine {c['engine']!r}, the re-run uses {extra.get('engine')!r}", 0
            if c.get("method", "instance") != "instance":
                return f"{where}: `method` must be 'instance' (an exact check); got {c.get('method')!r}", 0
            # a hand-made certificate's checks re-run by the Iverson expansion: their term counts differ
            if same_engine and "terms" in c and c["terms"] != extra.get("terms"):
                return f"{where}: stored {c['terms']!r} terms, the re-run counts {extra.get('terms')}", 0
            if not ok or c.get("holds") is not True:
                return f"{where} at {c['sizes']}: re-run gives holds={ok}, stored holds={c.get('holds')!r} {msg}", 0
            seen.add(part.title)
        if self.data.get("method") == "general" and self.data.get("status") == "proved":
            missing = [p.title for p in parts if p.title not in seen]
            if missing:
                return f"certificate: no exact instance check for part(s) {missing}", 0
        return "", len(checks)


def _encode_part(p: Part) -> dict[str, Any]:
    return {
        "title": p.title,
        "relation": p.relation,
        "ctx": _serial.encode(p.ctx),
        "lhs": _serial.encode(p.lhs),
        "rhs": _serial.encode(p.rhs),
        "assumptions": list(p.assumptions_text),
        "definitions": [
            {"operand": name, "body": _serial.encode(body), "at": list(at)} for name, body, at in p.definitions
        ],
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
    ``message``), ``"bounded"`` (the solver answered "unknown" on some side
    condition and only a bounded check, stated in ``message`` and
    ``not_covered``, stood in) or ``"unproved"``; ``holds`` is True only when
    proved.
    ``method`` is ``general`` (rules + solver, all sizes), ``instance``
    (exact comparison at given sizes) or ``randomized`` (Schwartz–Zippel);
    ``engine`` says what decided it (for instance checks: the coefficient
    engine ``check_exact`` / ``check_randomized``, or the exact expansion of
    the statement where it is not a contraction). ``notation`` is the index
    notation of :meth:`latex` / :meth:`markdown` (``"bracket"`` or
    ``"subscript"``). In Jupyter a proof displays as its rendering.
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
    notation: str = "bracket"
    #: How the result was established: the rules and solver, and the engine of every instance check.
    engine: str = ""

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

        The certificate's parts must state what the library's theorem states
        (with these parameters, definitions and assumptions). Every step is
        re-run from its ``before`` (the solver too), its stored ``after`` and
        side conditions must be what the rule gives, consecutive steps must
        chain, the last must join the two sides, and ``before``/``after`` must
        agree exactly on ``trials`` random small sizes with random integer
        arrays; then the stored exact instance checks are re-run.

        >>> from symconv import theorem
        >>> r = theorem("full_correlation_swap_is_flip").prove().check()
        >>> r.ok, r.steps
        (True, 4)
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
            "engine": self.engine,
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

    def latex(self, notation: str | None = None) -> str:
        r"""The proof as LaTeX ``align*`` blocks, rule names as ``\tag{...}``.

        ``notation`` is ``"bracket"`` (``x[n + k]``) or ``"subscript"``
        (``x_{n + k}``), as for :func:`symconv.derive`; default: the proof's own.

        >>> from symconv import theorem
        >>> p = theorem("full_convolution_commutes").prove()
        >>> "a[m + k + 1 - B]" in p.latex(), "a_{m + k + 1 - B}" in p.latex(notation="subscript")
        (True, True)
        """
        from symconv.proofs._render import proof_latex

        return proof_latex(self, _style(notation or self.notation))

    def markdown(self, notation: str | None = None) -> str:
        """The proof as Markdown (KaTeX-safe ``aligned`` blocks in ``$$``); ``notation`` as :meth:`latex`."""
        from symconv.proofs._render import proof_markdown

        return proof_markdown(self, _style(notation or self.notation))

    def _repr_latex_(self) -> str:
        """Jupyter: the statement, its status and every part as ``aligned`` display math."""
        from symconv.proofs._render import proof_notebook_latex

        return proof_notebook_latex(self, _style(self.notation))

    def _repr_markdown_(self) -> str:
        """Jupyter: :meth:`markdown`."""
        return self.markdown()

    def __str__(self) -> str:
        return self.markdown()


NOTATIONS = ("bracket", "subscript")


def check_notation(where: str, notation: Any) -> str:
    """``notation`` validated: ``"bracket"`` or ``"subscript"`` (the words of :func:`symconv.derive`)."""
    if notation not in NOTATIONS:
        raise SymconvError(f"{where}: `notation` must be 'bracket' or 'subscript'; got {notation!r}")
    return str(notation)


def _style(notation: str) -> str:
    return {"bracket": "brackets", "subscript": "subscripts"}[check_notation("Proof", notation)]


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
