"""The replay: every step of every part re-derived, its side conditions re-decided, its values compared.

:func:`replay` trusts nothing a certificate stores. For every part it first
checks the STATEMENT: well scoped (:mod:`symconv.proofs._scope`: no bound
variable named like a parameter or a free index), a relation the closing
rule establishes (``=`` closed by ``equal``, ``⇒`` closed by
``entails_hypothesis``, applied to the left side: the derivation, never the
claim compared with itself), at least one part. Then every step: ``before`` is
where its side stands, the rule re-run on it (the solver re-deciding every
side condition) gives the stored ``after`` and the stored condition texts,
and ``before``/``after`` agree exactly at random small sizes with random
integer arrays; the last step closes the part.

The verdict is a :class:`CheckReport` whose ``status`` is ``"verified"``
(every side condition proved), ``"bounded"`` (every step re-derived, but the
solver answered "unknown" on some side condition and only a bounded search
stood in) or ``"failed"``; ``ok`` is True for ``"verified"`` only. The
solver time of a whole replay is capped by the limit ``solver_seconds``
(:func:`symconv.limits`); a replay that runs out is ``"failed"``, saying so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from symconv.core.errors import SymconvError
from symconv.core.limits import current
from symconv.proofs import _solver
from symconv.proofs._evaluate import ArrayFn, _int, array_values, random_sizes, values
from symconv.proofs._iverson import Context, Derivative, Expr, Hypothesis, Pointwise, Sum
from symconv.proofs._rules import RULES, Condition
from symconv.proofs._scope import context_problems, problems
from symconv.proofs._unfold import orbit_arrays

if TYPE_CHECKING:
    from symconv.proofs._parts import Part, Step

__all__ = ["CLOSING", "STATUSES", "CheckReport", "replay", "statement_problem"]

#: What a report's ``status`` can be; ``ok`` is ``status == "verified"``.
STATUSES = ("verified", "bounded", "failed")

#: The relation each closing rule establishes (a part's ``relation`` must be its closing rule's).
CLOSING = {"equal": "=", "entails_hypothesis": "⇒"}


@dataclass(frozen=True)
class CheckReport:
    """What :meth:`symconv.Proof.check` did: steps replayed, numeric trials, the verdict and the first failure.

    ``status`` is ``"verified"`` (every step re-derived and every side
    condition proved), ``"bounded"`` (every step re-derived, but ``bounded``
    side conditions hold only within a bounded search because the solver
    answered "unknown") or ``"failed"`` (``message`` says where and why).
    ``ok`` is True exactly when ``status == "verified"``: a bounded step is
    never ok. ``library`` says whether the certificate is of a library
    theorem (its parts state exactly what the library builds for its
    parameters); ``theorem`` is then its name (with the variant), else None.
    """

    ok: bool
    steps: int
    trials: int
    message: str = ""
    #: Side conditions the solver left "unknown", accepted on a bounded check only.
    bounded: int = 0
    status: str = ""
    library: bool = False
    theorem: str | None = None

    def __post_init__(self) -> None:
        status = self.status or ("verified" if self.ok else "failed")
        if status not in STATUSES or self.ok != (status == "verified"):
            raise ValueError(f"CheckReport: ok={self.ok} with status {status!r}")
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "message", " ".join(str(self.message).split()))

    def __bool__(self) -> bool:
        return self.ok


def failed(message: str, steps: int = 0, trials: int = 0, bounded: int = 0) -> CheckReport:
    """A ``"failed"`` report."""
    return CheckReport(False, steps, trials, message, bounded, "failed")


# -- the statement ------------------------------------------------------------------------


def statement_problem(part: Part) -> str:
    """'' when the part states something the rules can establish, else what is wrong with its statement."""
    if part.relation not in CLOSING.values():
        return f"the relation {str(part.relation)[:20]!r} is not one a closing rule establishes ('=' or '⇒')"
    if not isinstance(part.ctx, Context):
        return "the context is not a context"
    msg = context_problems(part.ctx)
    if msg:
        return f"the context: {msg}"
    for h in (*part.ctx.hypotheses, *([part.rhs] if isinstance(part.rhs, Hypothesis) else [])):
        if isinstance(h.sign, bool) or h.sign not in (1, -1):  # a symmetry or an anti-symmetry: nothing else
            return f"hypothesis {str(h.name)[:40]!r}: its sign must be 1 or -1; got {str(h.sign)[:20]}"
    if part.relation == "=":
        if not isinstance(part.lhs, (Expr, Derivative)) or not isinstance(part.rhs, (Expr, Derivative)):
            return "an equality relates two sums or derivatives"
    elif not isinstance(part.lhs, Expr) or not isinstance(part.rhs, Hypothesis):
        return "an implication '⇒' goes from a sum (= 0 for every input) to a hypothesis"
    for name, side in (("left side", part.lhs), ("right side", part.rhs)):
        msg = problems(side, part.ctx)
        if msg:
            return f"the {name}: {msg}"
    names = [name for name, _, _ in part.definitions]
    if len(set(names)) != len(names):
        return f"the defined arrays {names} are not distinct"
    for name, body, at in part.definitions:
        msg = problems(Expr.of(body), Context(part.ctx.params, tuple(at), ()))
        if msg:
            return f"the definition of {name}: {msg}"
        if any(t.operand in names for t in body.factors):
            return f"the definition of {name} reads a defined array (definitions are not recursive)"
    return _arity_problem(part) or _derivative_problem(part)


def _arity_problem(part: Part) -> str:
    """'' when every array is read with one number of indices throughout the statement.

    ``w[k, j]`` and ``w[k]`` are entries of two different functions: a hypothesis about a 1-D ``w`` must not
    rewrite a 2-D read (nor a derivative by ``x[m]`` pin only the first index of ``x[k, j]``).
    """
    seen: dict[str, int] = {}
    reads: list[tuple[str, int]] = []
    sides: list[Any] = [part.lhs, part.rhs, *part.ctx.hypotheses, *(b for _, b, _ in part.definitions)]
    reads += [(name, len(at)) for name, _, at in part.definitions]
    for side in sides:
        if isinstance(side, Derivative):
            reads.append((side.operand, len(side.index)))
            side = side.expr
        if isinstance(side, Sum):
            side = Expr.of(side)
        if isinstance(side, Expr):
            reads += [(t.operand, len(t.index)) for s in side.sums for t in s.factors]
        elif isinstance(side, Hypothesis):
            if len(side.lhs) != len(side.rhs):
                return f"hypothesis {side.name!r} relates entries with {len(side.lhs)} and {len(side.rhs)} indices"
            reads.append((side.operand, len(side.lhs)))
    for name, n in reads:
        if seen.setdefault(name, n) != n:
            return f"the array {name[:40]} is read with {seen[name]} and with {n} indices"
    return ""


def _derivative_problem(part: Part) -> str:
    """'' unless a derivative treats a defined array as independent of the arrays its definition reads.

    ``differentiate_under_sum`` holds every other operand fixed: with ``f := w``, ∂(Σ w[k]·f[k])/∂w[m] is
    ``2·w[m]``, not ``f[m]``; and a defined array is no input to differentiate with respect to.
    """
    reads = {name: {t.operand for t in body.factors} for name, body, _ in part.definitions}
    for where, side in (("left side", part.lhs), ("right side", part.rhs)):
        if not isinstance(side, Derivative):
            continue
        op = side.operand
        if op in reads:
            return f"the {where} differentiates with respect to {op[:40]}, a defined array (not an input)"
        for s in side.expr.sums:
            for t in s.factors:
                if op in reads.get(t.operand, ()):
                    return (
                        f"the {where} differentiates with respect to {op[:40]} a sum that reads {t.operand[:40]}, "
                        f"whose definition reads {op[:40]}: the rule would hold it fixed"
                    )
    return ""


# -- numeric checks -------------------------------------------------------------------------


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
        # arrays satisfying every hypothesis exactly on its domain (symconv.proofs._unfold.orbit_arrays)
        arrays = orbit_arrays(ctx.hypotheses, sizes, seed)
        if step.rule == "definition":
            arrays = {**arrays, **_defined_array(step, ctx, sizes, seed, arrays)}
        if step.rule == "compare_coefficients":
            msg = _numeric_coefficients(step, ctx, sizes, seed, arrays, rng)
            if msg:
                return msg
            continue
        # an entry missing is 0 (a side whose terms all cancelled has no entries at all)
        a = {k: v for k, v in values(step.before, ctx, sizes, seed, arrays).items() if v}
        b = {k: v for k, v in values(step.after, ctx, sizes, seed, arrays).items() if v}  # type: ignore[arg-type]
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
    from symconv.core.affine import Affine

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
    """Re-derive every step of every part (see the module); the solver time is capped by ``solver_seconds``."""
    seconds = current().solver_seconds
    try:
        with _solver.budget(seconds):
            return _replay(parts, trials, seed)
    except _solver.SolverBudgetError as exc:
        return failed(f"not verified: {exc}", 0, trials)


def _replay(parts: Sequence[Part], trials: int, seed: int) -> CheckReport:
    rng = np.random.default_rng(seed)
    nsteps = 0
    bounded: list[Condition] = []
    if not parts:
        return failed("the certificate has no parts: it proves nothing", 0, trials)
    titles = [p.title for p in parts]
    if len(set(titles)) != len(titles):
        return failed(f"the parts' titles {titles} are not distinct", 0, trials)
    for p_i, part in enumerate(parts):
        msg = statement_problem(part)
        if msg:
            return failed(f"part {p_i + 1} ({part.title}): the statement: {msg}", nsteps, trials)
        cur: dict[str, Any] = {"lhs": part.lhs, "rhs": part.rhs}
        closed = False
        for s_i, step in enumerate(part.steps):
            where = f"part {p_i + 1} ({part.title}), step {s_i + 1} ({str(step.rule)[:40]})"
            if closed:
                return failed(f"{where}: step after the closing step", nsteps, trials, len(bounded))
            msg, conds = _step_problem(step, part, cur, rng, trials)
            if msg:
                return failed(f"{where}: {msg}", nsteps, trials, len(bounded))
            bounded += [c for c in conds if c.status == "unknown"]
            cur[step.side] = step.after
            nsteps += 1
            closed = step.rule in CLOSING
        if not closed:
            return failed(f"part {p_i + 1} ({part.title}): no closing step", nsteps, trials, len(bounded))
    msg = f"{nsteps} steps re-derived, solver re-run, {trials} random size(s) per step"
    if bounded:
        msg += (
            f"; NOT verified: {len(bounded)} side condition(s) the solver could not decide (unknown) hold only "
            f"within the bounded check: {'; '.join(f'{c.text} [{c.bounded}]' for c in bounded)}"
        )
        return CheckReport(False, nsteps, trials, msg, len(bounded), "bounded")
    return CheckReport(True, nsteps, trials, msg, 0, "verified")


def _step_problem(
    step: Step, part: Part, cur: Mapping[str, Any], rng: np.random.Generator, trials: int
) -> tuple[str, tuple[Condition, ...]]:
    """('' or what is wrong with the step, the side conditions the rule re-derived)."""
    if step.side not in cur or step.before != cur[step.side]:
        return f"`before` is not where the {str(step.side)[:10]} side stands", ()
    if step.rule not in RULES:
        return f"unknown rule {str(step.rule)[:40]!r}", ()
    if step.rule in CLOSING and CLOSING[step.rule] != part.relation:
        return f"{step.rule} establishes '{CLOSING[step.rule]}', the part states '{part.relation}'", ()
    if step.rule in CLOSING and step.side != "lhs":  # closing the right side would compare it with itself
        return f"{step.rule} closes the part from the left side (the derivation), not the {str(step.side)[:10]}", ()
    args = dict(step.args)
    if step.rule == "equal" and args.get("claim") != cur["rhs"]:
        return "the claim compared is not the statement's right side", ()
    if step.rule == "entails_hypothesis" and args.get("hypothesis") != part.rhs:
        return "the hypothesis concluded is not the statement's", ()
    if step.rule == "definition" and not _declared(step, part):
        return "the definition unfolded is not one the statement declares", ()
    try:
        after, conds = RULES[step.rule](step.before, part.ctx, **args)
    except _solver.SolverBudgetError:
        raise
    except (SymconvError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError) as exc:
        return f"the rule fails on replay: {exc}", ()
    if [c.text for c in step.conditions] != [c.text for c in conds]:
        return "the stored side conditions are not the ones the rule checks", conds
    if after != step.after:
        return "the stored `after` is not what the rule gives", conds
    try:
        msg = _numeric(step, part.ctx, rng, trials)
    except (SymconvError, ArithmeticError) as exc:  # e.g. a tampered index, not an integer at concrete sizes
        msg = f"cannot evaluate the step at random sizes: {exc}"
    return msg, conds
