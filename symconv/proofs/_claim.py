r"""Deciding a user's own claim: the generic prover for all sizes, else a counterexample at generic sizes.

A claim arrives as :class:`~symconv.proofs._parts.Part` objects (its two sides
as Iverson sums of the one definition, its context: size parameters, free
indices, assumptions, hypotheses such as centro-symmetry). :func:`decide`

1. runs the generic strategy (:func:`symconv.proofs._auto.auto`) on every
   part: ``proved`` for ALL sizes when every part closes, completed by exact
   instance checks at derived generic sizes (the certificate replays through
   the unchanged checker, as a proof "built by hand": its statement is its
   own parts);
2. otherwise searches for a counterexample at small GENERIC sizes derived
   from the assumptions (:func:`symconv.proofs._sizes.derive_sizes`: every size
   ≥ 2, unequal along axes and between operands, several sets), each decided
   EXACTLY (the coefficient engine where the caller gives the sides as
   contractions, else the exact polynomial expansion of the Iverson sums):
   ``refuted`` with the smallest sizes, the first entry that differs and both
   sides' values there (exact polynomials in the inputs);
3. otherwise ``unknown``, saying why the rules did not close and which sizes
   were checked. Never ``proved`` from instances when sizes are symbolic.

>>> import symconv.proofs
>>> from dataclasses import replace
>>> from symconv.proofs._registry import build_plan
>>> part = replace(build_plan("full_convolution_commutes", {}, None).parts[0][0], steps=[])
>>> decide("a ∗ b = b ∗ a", [part]).status
'proved'
>>> bad = replace(build_plan("full_convolution_commutes", {}, "correlation").parts[0][0], steps=[])
>>> p = decide("a ⋆ b = b ⋆ a", [bad])
>>> p.status, p.counterexample["sizes"]
('refuted', {'A': 2, 'B': 3})
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from symconv.core.errors import SymconvError
from symconv.proofs._auto import AutoError, auto
from symconv.proofs._cost import guard_instance
from symconv.proofs._evaluate import _all_points, _free_box, monomials
from symconv.proofs._instances import _instance_part, _reduce, _satisfies, _unfold
from symconv.proofs._parts import Deriver, Part
from symconv.proofs._proof import Proof
from symconv.proofs._sizes import derive_sizes, part_extents

__all__ = ["METHODS", "ClaimProof", "Engine", "decide", "difference", "part_extents"]

#: The methods of :func:`decide`.
METHODS = ("auto", "general", "instance")
#: Size sets of the counterexample search (derived, generic, smallest first).
SEARCH_SETS = 3
#: The solver's counterexample to a side condition is also checked exactly when every size is ≥ 1 and their
#: product is at most this (``floor(N/(S+8))`` vs ``floor(N/(S+9))`` first differ at N = 21, and z3 may as well
#: answer N = 65, S = 5: a bound on each size would drop a counterexample in hand).
SOLVER_WORK = 4096

#: ``engine(part, sizes) -> (holds, message, extra)``: an exact check of one part at concrete sizes.
Engine = Callable[[Part, Mapping[sympy.Symbol, int]], tuple[bool, str, dict[str, Any]]]


@dataclass
class ClaimProof(Proof):
    """A :class:`~symconv.Proof` of a user's claim: ``proved``, ``refuted`` or ``unknown``.

    ``counterexample`` (refuted): the sizes, the first differing entry and
    both sides' values there. ``checked``: every exact check run (sizes,
    verdict, engine). ``reason`` (unknown): why the rules did not close.
    ``verdict`` is True / False / None (proved / refuted / undecided).
    """

    counterexample: dict[str, Any] | None = None
    checked: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""

    @property
    def verdict(self) -> bool | None:
        """True (proved), False (refuted) or None (unknown)."""
        return {"proved": True, "refuted": False}.get(self.status)

    def check(self, *, trials: int = 2, seed: int = 0) -> Any:
        """Replay the certificate (a proved claim only: a refutation or an unknown has no proof to replay)."""
        if self.status != "proved":
            raise SymconvError(
                f"check: a {self.status} claim has no proof to replay"
                + (
                    f" (the counterexample at {self.counterexample['sizes']} is re-run by proving again)"
                    if self.counterexample
                    else ""
                )
            )
        return super().check(trials=trials, seed=seed)

    def to_dict(self) -> dict[str, Any]:
        """:meth:`Proof.to_dict` with ``holds`` True/False/None, the counterexample and the checks run."""
        out = super().to_dict()
        out.update(holds=self.verdict, counterexample=self.counterexample, checked=self.checked, reason=self.reason)
        return out


def _show(sizes: Mapping[sympy.Symbol, int]) -> dict[str, int]:
    return {k.name: int(v) for k, v in sizes.items()}


def _poly(mono: Mapping[tuple[Any, ...], int], free: tuple[int, ...]) -> str:
    """The exact polynomial at free point ``free``: ``2*x[0]*w[1] - x[1]*w[0]``."""
    terms = sorted((m, c) for (f, m), c in mono.items() if f == free and c)
    out = ""
    for m, c in terms:
        body = "*".join(f"{op}[{', '.join(map(str, idx))}]" for op, idx in m) or "1"
        mag = "" if abs(c) == 1 and m else f"{abs(c)}*" if m else str(abs(c))
        out += (" - " if c < 0 else " + ") + mag + (body if m else "")
    if not out:
        return "0"
    return out[3:] if out.startswith(" + ") else "-" + out[3:]


#: Entries up to which a counterexample lists both sides in full.
SHOWN_ENTRIES = 64


def difference(part: Part, sizes: Mapping[sympy.Symbol, int]) -> dict[str, Any] | None:
    """The first free point where the two sides differ at ``sizes`` and both values there (exact), or None.

    Small results (≤ :data:`SHOWN_ENTRIES` entries) are listed in full too (``lhs_value``, ``rhs_value``).
    """
    p = replace(part, lhs=_unfold(part.lhs, part), rhs=_unfold(part.rhs, part), definitions=())
    la = monomials(p.lhs, p.ctx, sizes)
    rb = monomials(p.rhs, p.ctx, sizes)  # type: ignore[arg-type]
    if p.ctx.hypotheses:  # every hypothesis counts (the orbits of the group their mirrors generate)
        la, rb = _reduce(la, p.ctx.hypotheses, sizes), _reduce(rb, p.ctx.hypotheses, sizes)
    if la == rb:
        return None
    bad = sorted(
        {f for (f, m), c in la.items() if rb.get((f, m)) != c} | {f for (f, m), c in rb.items() if la.get((f, m)) != c}
    )
    free = bad[0]
    out: dict[str, Any] = {
        "sizes": _show(sizes),
        "at": dict(zip(p.ctx.free, free)),
        "lhs": _poly(la, free),
        "rhs": _poly(rb, free),
        "differing_entries": len(bad),
    }
    points = _all_points(_free_box(p.ctx, sizes), p.ctx.free) if p.ctx.free else [()]
    if len(points) <= SHOWN_ENTRIES:
        out["lhs_value"] = [_poly(la, f) for f in points]
        out["rhs_value"] = [_poly(rb, f) for f in points]
    return out


def _expansion(part: Part, sizes: Mapping[sympy.Symbol, int]) -> tuple[bool, str, dict[str, Any]]:
    return _instance_part(part, sizes, "instance", 1, 0, None)


def _search(
    parts: Sequence[Part], engine: Engine, extents: Sequence[Any], cex: Mapping[str, int] | None
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Exact checks at generic sizes, part by part: (the first counterexample, every check run)."""
    checked: list[dict[str, Any]] = []
    for part in parts:
        # generic sizes first (smallest first); then the solver's counterexample to a side condition, if any
        try:
            cands = derive_sizes(part.ctx, SEARCH_SETS, [*extents, *part_extents(part)])
        except SymconvError as exc:  # sizes outside what the derivation solves: no search, and it says so
            checked.append({"part": part.title, "sizes": {}, "holds": None, "engine": "", "error": str(exc)})
            cands = []
        if cex and all(p.name in cex for p in part.ctx.params):
            sz = {p: int(cex[p.name]) for p in part.ctx.params}
            small = all(v >= 1 for v in sz.values()) and math.prod(sz.values()) <= SOLVER_WORK
            if small and _satisfies(part, sz):
                cands.append(sz)
        seen: list[dict[sympy.Symbol, int]] = []
        for sz in cands:
            if sz in seen:
                continue
            seen.append(sz)
            guard_instance(part, sz, "instance", 1, None)
            ok, msg, extra = engine(part, sz)
            checked.append({"part": part.title, "sizes": _show(sz), "holds": ok, **extra})
            if not ok:
                found = difference(part, sz) or {"sizes": _show(sz)}
                found.update(part=part.title, engine=extra.get("engine", ""), detail=msg)
                return found, checked
    return None, checked


def decide(
    statement: str,
    parts: Sequence[Part],
    *,
    method: str = "auto",
    engine: Engine | None = None,
    extents: Sequence[Any] = (),
    name: str = "claim",
    params: Mapping[str, Any] | None = None,
) -> ClaimProof:
    """Decide a claim stated by ``parts`` (see the module): a :class:`ClaimProof`.

    ``method``: ``auto`` (rules, then a counterexample search), ``general``
    (the rules only) or ``instance`` (the counterexample search only: never
    ``proved`` at symbolic sizes). ``engine`` decides one part at concrete
    sizes exactly (default: the exact polynomial expansion of its Iverson
    sums). ``extents`` are sizes that generic sets keep ≥ 2 (output sizes).
    """
    if method not in METHODS:
        raise SymconvError(f"prove: `method` must be one of {list(METHODS)}; got {method!r}")
    if not parts:
        raise SymconvError("prove: the claim has no parts")
    t0 = time.perf_counter()
    eng = engine or _expansion
    proof = ClaimProof(name, statement, dict(params or {}), "general", "unknown", notes=())
    parts = [replace(p, steps=[]) for p in parts]
    failure: AutoError | None = None
    if method != "instance":
        for part in parts:
            try:
                auto(Deriver(part))
            except AutoError as exc:
                failure = exc
                proof.reason = f"{part.title}: {exc}"
                break
            # a side condition the solver left "unknown" holds only within a bounded search: no proof for ALL sizes
            loose = next((c for st in part.steps for c in st.conditions if c.bounded), None)
            if loose is not None:
                failure = AutoError(
                    f"the solver answered 'unknown' on the side condition `{loose.text}`; it holds only within "
                    f"a bounded search ({loose.bounded}), which proves nothing for all sizes",
                    [],
                )
                proof.reason = f"{part.title}: {failure}"
                break
    proof.parts = list(parts)
    if method != "instance" and failure is None:
        proof.status = "proved"
        proof.engine = "generic strategy: rules + z3 (all sizes)"
        for part in parts:  # exact checks at derived generic sizes complete the certificate (one per part at least)
            for sz in derive_sizes(part.ctx, 2, [*extents, *part_extents(part)]):
                guard_instance(part, sz, "instance", 1, None, completing=True)
                ok, msg, extra = _expansion(part, sz)
                proof.instance_checks.append(
                    {"part": part.title, "sizes": _show(sz), "holds": ok, "method": "instance", **extra}
                )
                if not ok:  # pragma: no cover - a rule bug would show here
                    proof.status = "refuted"
                    proof.message = f"{part.title}: exact instance check fails at {_show(sz)}: {msg}"
        proof.not_covered = "—"
        proof.seconds = time.perf_counter() - t0
        return proof
    proof.method = "instance"
    if method == "general":
        proof.message = f"unknown: {proof.reason}"
        proof.not_covered = (
            "everything: the rules did not close the claim (method='general' searches no counterexample)"
        )
        proof.seconds = time.perf_counter() - t0
        return proof
    cex, checked = _search(parts, eng, extents, failure.counterexample if failure else None)
    proof.checked = checked
    proof.engine = "; ".join(dict.fromkeys(str(c.get("engine", "")) for c in checked if c.get("engine")))
    if cex is not None:
        proof.status = "refuted"
        proof.counterexample = cex
        where = ", ".join(f"{k}={v}" for k, v in cex["sizes"].items())
        at = ", ".join(f"{k}={v}" for k, v in cex.get("at", {}).items())
        proof.message = (
            f"refuted at {where}"
            + (f"; first differing entry at {at}" if at else "")
            + (f": left {cex['lhs']}, right {cex['rhs']}" if "lhs" in cex else f": {cex.get('detail', '')}")
        )
        proof.not_covered = "—"
    else:
        ran = [c for c in checked if "error" not in c]
        sizes = "; ".join(", ".join(f"{k}={v}" for k, v in c["sizes"].items()) for c in ran)
        why = proof.reason or "method='instance' proves nothing at symbolic sizes"
        proof.message = f"unknown: {why}; " + (
            f"it holds exactly at every size checked ({sizes})" if ran else "no instance sizes could be derived"
        )
        errors = [str(c["error"]) for c in checked if "error" in c]
        if errors:
            proof.message += f" ({errors[0]})"
        proof.not_covered = "every size: the rules did not close the claim; only the sizes checked hold"
    proof.seconds = time.perf_counter() - t0
    return proof
