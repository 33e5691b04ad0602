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
small sizes with random integer arrays (:mod:`symconv.proofs._replay`); it
demands the format, the library's statement and the exact instance checks
whatever the certificate says or leaves out (:mod:`symconv.proofs._verify`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from symconv.core.errors import SymconvError
from symconv.proofs import _serial, _verify
from symconv.proofs._parts import Part, Step
from symconv.proofs._replay import CheckReport, replay

__all__ = ["Certificate", "CheckReport", "Proof", "replay"]


@dataclass
class Certificate:
    """The JSON-serialisable record of a proof: everything :meth:`Proof.check` needs to replay it."""

    data: dict[str, Any]

    def to_json(self, indent: int | None = None) -> str:
        """The certificate as JSON text."""
        return json.dumps(self.data, indent=indent, ensure_ascii=False)

    @staticmethod
    def from_json(text: str) -> Certificate:
        """Load a certificate (data only; nothing in it is executed).

        Anything that is not a certificate's JSON text is a one-line :class:`~symconv.SymconvError`:

        >>> Certificate.from_json(None)
        Traceback (most recent call last):
        ...
        symconv.SymconvError: certificate: expected JSON text (a str); got NoneType
        """
        return Certificate(_verify.load(text))

    def parts(self) -> list[Part]:
        """Decode the parts (statement, context, steps); a SymconvError when malformed."""
        if not isinstance(self.data, dict):
            raise SymconvError(f"certificate: the data must be a JSON object; got {type(self.data).__name__}")
        try:
            return _verify.decode_parts(self.data)
        except RecursionError:
            raise SymconvError(f"certificate: nested too deeply (more than {_verify.MAX_DEPTH} levels)") from None

    def check(self, *, trials: int = 2, seed: int = 0) -> CheckReport:
        """Check the certificate: its format, its statement, the replay and its exact instance checks.

        Never raises on a malformed or tampered certificate: the report says
        what is wrong. ``status`` is ``"verified"``, ``"bounded"`` or
        ``"failed"`` and ``ok`` is True only when verified; ``library`` says
        whether it is a certificate of a library theorem (see
        :meth:`Proof.check`).

        >>> from symconv import theorem
        >>> data = theorem("full_convolution_commutes").prove().certificate.data
        >>> r = Certificate(data).check()
        >>> r.ok, r.status, r.library, r.theorem
        (True, 'verified', True, 'full_convolution_commutes')
        >>> Certificate({**data, "params": {"ndim": 2}}).check().message
        "certificate: part 'commutes' does not state what full_convolution_commutes states"
        >>> r = Certificate({**data, "theorem": "my_own"}).check()
        >>> r.ok, r.library, r.theorem
        (True, False, None)
        """
        return _verify.check(self.data, trials=trials, seed=seed)


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
    #: How the result was established — the rules and solver, and the engine of every instance check.
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
        arrays; then the stored exact instance checks are re-run (one per
        part at least). The whole replay may spend at most
        ``symconv.limits(solver_seconds=...)`` of solver time.

        ``status`` is ``"verified"`` (``ok``), ``"bounded"`` (every step
        re-derived but some side condition holds only within a bounded
        search: never ok) or ``"failed"``. An instance or randomized result
        has no steps to replay: checking it is a :class:`SymconvError`.

        >>> from symconv import theorem
        >>> r = theorem("full_correlation_swap_is_flip").prove().check()
        >>> r.ok, r.status, r.steps, r.library
        (True, 'verified', 4, True)
        """
        if self.method != "general":
            # an engine's verdict has no steps to replay, and restating a stored verdict would confirm nothing
            raise SymconvError(
                f"check: a {self.method} result has no proof to replay (the engine decided it when it ran); "
                f"prove(method={self.method!r}, ...) again to decide it afresh, or prove() for a certificate"
            )
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
