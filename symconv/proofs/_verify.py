"""Checking a certificate: what it must contain, what it must state, and everything re-run.

:func:`check` demands the same things whatever the certificate says or leaves
out:

* the format: every field (``theorem``, ``statement``, ``params``,
  ``method='general'``, ``status``, ``parts`` — at least one —,
  ``instance_checks``, ``not_covered``), every step with its stored side
  conditions; a missing field is a failure, never a check skipped;
* the statement: for a certificate that names a library theorem, its parts,
  definitions and wording are exactly what the library builds for its
  parameters, and its statement text and not-covered line are the library's;
  any other certificate is reported with ``library=False`` (its statement is
  its own parts, nothing more);
* the replay (:func:`symconv.proofs._replay.replay`): every step re-derived,
  every side condition re-decided, the relation the closing rules establish;
* the claims: ``status`` is what the replay gives (``proved`` for a verified
  replay, ``bounded`` for a bounded one);
* the exact instance checks: at least one for EVERY part, each re-run (its
  stored result is never read as a result).

Loading (:func:`load`) turns any text into data or a one-line
:class:`~symconv.SymconvError`: not text, not JSON, nested deeper than
:data:`MAX_DEPTH`, an integer beyond Python's digit limit, ``NaN``, an object with a key twice (parsers
differ on which value counts: the checker and a reader must see one certificate).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sympy

from symconv.core.errors import SymconvError
from symconv.core.limits import current
from symconv.proofs import _serial
from symconv.proofs._iverson import Sum
from symconv.proofs._replay import CheckReport, failed, replay
from symconv.proofs._rules import Condition

if TYPE_CHECKING:
    from symconv.proofs._parts import Part
    from symconv.proofs._registry import Plan

__all__ = ["MAX_DEPTH", "MAX_INSTANCE_CHECKS", "REQUIRED", "check", "decode_parts", "load"]

#: The deepest nesting of lists and objects a certificate may have (real ones stay below 30).
MAX_DEPTH = 100
#: The most exact instance checks a certificate may ask the replay to re-run.
MAX_INSTANCE_CHECKS = 64
#: The fields every certificate has, and their JSON types.
REQUIRED: dict[str, type] = {
    "theorem": str,
    "statement": str,
    "params": dict,
    "method": str,
    "status": str,
    "parts": list,
    "instance_checks": list,
    "not_covered": str,
}
_KINDS: dict[type, str] = {str: "a string", dict: "an object", list: "a list"}
_TOO_DEEP = f"certificate: nested too deeply to be a certificate (more than {MAX_DEPTH} levels)"


def _short(value: Any, n: int = 60) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer past Python's digit limit
        text = f"<{type(value).__name__}>"
    return text if len(text) <= n else text[: n - 1] + "…"


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are distinct: with a key twice, parsers differ on which value counts."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SymconvError(f"certificate: an object has the key `{key[:40]}` twice (which value would count?)")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise SymconvError(f"certificate: {name} is not a JSON number")


def load(text: Any) -> dict[str, Any]:
    """Parse certificate text into data: a JSON object, or a one-line SymconvError (never another exception).

    >>> load(None)
    Traceback (most recent call last):
    ...
    symconv.SymconvError: certificate: expected JSON text (a str); got NoneType
    >>> load("[" * 100000)
    Traceback (most recent call last):
    ...
    symconv.SymconvError: certificate: nested too deeply to be a certificate (more than 100 levels)
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise SymconvError("certificate: the bytes are not UTF-8 text") from None
    if not isinstance(text, str):
        raise SymconvError(f"certificate: expected JSON text (a str); got {type(text).__name__}")
    try:
        data = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique)
    except json.JSONDecodeError as exc:
        raise SymconvError(f"certificate: not valid JSON ({exc})") from None
    except RecursionError:
        raise SymconvError(_TOO_DEEP) from None
    except ValueError as exc:  # an integer literal past Python's digit limit
        if isinstance(exc, SymconvError):
            raise
        raise SymconvError(f"certificate: a number is too large ({' '.join(str(exc).split())[:120]})") from None
    if _data_depth(data) > MAX_DEPTH:
        raise SymconvError(_TOO_DEEP)
    if not isinstance(data, dict) or "parts" not in data:
        raise SymconvError("certificate: a JSON object with `parts` is required")
    return data


def _data_depth(data: Any) -> int:
    """The nesting depth of lists and mappings (iterative: any depth is measured without recursion)."""
    if not isinstance(data, (Mapping, list, tuple)):
        return 0
    best = 1
    stack = [(data, 1)]
    while stack:
        x, d = stack.pop()
        for v in x.values() if isinstance(x, Mapping) else x:
            if isinstance(v, (Mapping, list, tuple)):
                if d + 1 > best:
                    best = d + 1
                    if best > MAX_DEPTH:
                        return best
                stack.append((v, d + 1))
    return best


def _format_problem(data: Any) -> str:
    if not isinstance(data, Mapping):
        return f"certificate: the data must be a JSON object; got {type(data).__name__}"
    for key, kind in REQUIRED.items():
        if key not in data:
            return f"certificate: the field `{key}` is missing (a certificate states it; nothing is assumed)"
        if not isinstance(data[key], kind):
            return f"certificate: `{key}` must be {_KINDS[kind]}; got {_short(data[key])}"
    if data["method"] != "general":
        got = _short(data["method"])
        return f"certificate: `method` must be 'general' (rules and solver: a proof to replay); got {got}"
    if data["status"] not in ("proved", "bounded"):
        got = _short(data["status"])
        return f"certificate: `status` must be 'proved' or 'bounded' (what a replay can confirm); got {got}"
    if not data["parts"]:
        return "certificate: no parts: it proves nothing"
    return ""


def _require(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, Mapping):
        raise SymconvError(f"certificate: {where} must be an object; got {_short(obj)}")
    if key not in obj:
        raise SymconvError(f"certificate: {where} has no `{key}`")
    return obj[key]


def _text(obj: Any, key: str, where: str) -> str:
    value = _require(obj, key, where)
    if not isinstance(value, str):
        raise SymconvError(f"certificate: `{key}` of {where} must be a string; got {_short(value)}")
    return value


def _list(obj: Any, key: str, where: str) -> list[Any]:
    value = _require(obj, key, where)
    if not isinstance(value, list):
        raise SymconvError(f"certificate: `{key}` of {where} must be a list; got {_short(value)}")
    return value


def decode_parts(data: Mapping[str, Any]) -> list[Part]:
    """The parts of certificate data (statement, context, definitions, steps); a SymconvError when malformed."""
    from symconv.proofs._parts import Part, Step

    out = []
    for i, p in enumerate(_list(data, "parts", "the certificate")):
        where = f"part {i + 1}"
        part = Part(
            _text(p, "title", where),
            _serial.decode(_require(p, "ctx", where)),
            _serial.side(_require(p, "lhs", where)),
            _serial.decode(_require(p, "rhs", where)),
            _text(p, "relation", where),
        )
        defs = []
        for d in _list(p, "definitions", where):
            body = _serial.decode(_require(d, "body", f"a definition of {where}"))
            if not isinstance(body, Sum):
                raise SymconvError(f"certificate: a definition's `body` in {where} must be a sum")
            names = _list(d, "at", f"a definition of {where}")
            if not all(isinstance(a, str) for a in names):
                raise SymconvError(f"certificate: a definition's `at` in {where} must list index names")
            defs.append((_text(d, "operand", f"a definition of {where}"), body, tuple(names)))
        part.definitions = tuple(defs)
        assumptions = _list(p, "assumptions", where)
        if not all(isinstance(a, str) for a in assumptions):
            raise SymconvError(f"certificate: `assumptions` of {where} must be strings")
        part.assumptions_text = tuple(assumptions)
        for j, s in enumerate(_list(p, "steps", where)):
            at = f"step {j + 1} of {where}"
            args = _serial.decode(_require(s, "args", at))
            if not isinstance(args, dict):
                raise SymconvError(f"certificate: `args` of {at} must be a map")
            conds = tuple(
                Condition(_text(c, "text", f"a side condition of {at}"), str(c.get("status", "")))
                for c in _list(s, "conditions", at)
            )
            part.steps.append(
                Step(
                    _text(s, "rule", at),
                    args,
                    _serial.side(_require(s, "before", at)),
                    _serial.side(_require(s, "after", at)),
                    _text(s, "side", at),
                    conds,
                )
            )
        out.append(part)
    return out


# -- the library's statement -------------------------------------------------------------


def _library(data: Mapping[str, Any], parts: Sequence[Part]) -> tuple[str, Plan | None]:
    """('' or what is wrong, the library's plan when the certificate names a library theorem)."""
    from symconv.proofs._registry import _LIBRARY, build_plan

    name, variant = _name(data)
    if name not in _LIBRARY:
        spelled = _skeleton(str(data["theorem"]).partition("[variant")[0])
        if any(spelled == _skeleton(known) for known in _LIBRARY):
            # a library name spelled otherwise would pass as a hand-made certificate with the library's words
            shown = ascii(str(data["theorem"]))[:80]  # escapes show what the eye does not: \u0441 for a Cyrillic c
            return f"certificate: {shown} is spelled unlike the library's theorem (a look-alike name)", None
        return "", None  # a proof built by hand: its statement is what its parts say
    if variant is not None and variant not in _LIBRARY[name].variants:
        return f"certificate: {name} has no variant {_short(variant)}", None
    try:
        plan = build_plan(name, dict(data["params"]), variant)
    except SymconvError as exc:
        return f"certificate: the theorem's parameters are invalid: {exc}", None
    if plan.instance_only:
        return f"certificate: {name} has no general proof to replay", None
    want = [p for p, _ in plan.parts]
    if len(want) != len(parts):
        return f"certificate: {len(parts)} part(s), the theorem {name} has {len(want)}", None
    for a, b in zip(parts, want):
        if (a.lhs, a.rhs, a.ctx, a.relation, a.title) != (b.lhs, b.rhs, b.ctx, b.relation, b.title):
            return f"certificate: part {a.title!r} does not state what {name} states", None
        if a.definitions != b.definitions:
            return f"certificate: part {a.title!r} does not define its arrays as {name} does", None
        if a.assumptions_text != b.assumptions_text:
            return f"certificate: part {a.title!r} words its assumptions unlike {name}", None
    if data["statement"] != (plan.statement or _LIBRARY[name].statement):
        return "certificate: the statement text is not the theorem's", None
    return "", plan


#: Letters of other scripts drawn like Latin ones (Cyrillic, Greek), and digits like letters: one skeleton.
_LOOKALIKE = str.maketrans(
    "асеорхуіјѕԁһкмнтвԛԝаεοραντιкυχζβη0123456789",
    "aceopxyijsdhkmhtbqwaeopavtikuxzbnolzeasbtbg",
)


def _skeleton(name: str) -> str:
    """``name`` as it LOOKS: compatibility forms folded (NFKC), case folded, look-alike letters mapped, every
    mark, format character (zero-width space …), space and punctuation dropped."""
    import unicodedata

    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name)).casefold()
    return "".join(ch for ch in text.translate(_LOOKALIKE) if ch.isalnum() and unicodedata.category(ch)[0] != "M")


def _name(data: Mapping[str, Any]) -> tuple[str, str | None]:
    name = str(data["theorem"])
    if " [variant " in name and name.endswith("]"):
        base, _, rest = name.partition(" [variant ")
        return base, rest[:-1]
    return name, None


def _not_covered_problem(data: Mapping[str, Any], plan: Plan) -> str:
    nc = data["not_covered"]
    if data["status"] == "bounded":
        ok = "bounded check" in nc and (plan.not_covered == "—" or nc.startswith(plan.not_covered))
    else:
        ok = nc == plan.not_covered
    return "" if ok else f"certificate: the not-covered line {_short(nc)} is not what the proof leaves uncovered"


# -- instance checks ------------------------------------------------------------------------


def _instances(data: Mapping[str, Any], parts: Sequence[Part], plan: Plan | None) -> tuple[str, int]:
    """Re-run the stored exact instance checks, at least one per part (never trusting a stored result)."""
    from symconv.proofs._cost import guard_instance
    from symconv.proofs._instances import _instance_part, _satisfies

    recipes: Mapping[str, Any] = plan.recipes if plan is not None else {}
    checks = data["instance_checks"]
    if len(checks) > MAX_INSTANCE_CHECKS:
        return f"certificate: {len(checks)} instance checks; at most {MAX_INSTANCE_CHECKS} are re-run", 0
    by_title = {p.title: p for p in parts}
    seen: set[str] = set()
    done: dict[str, list[dict[sympy.Symbol, int]]] = {}
    for i, c in enumerate(checks):
        where = f"certificate: instance check {i + 1}"
        if not isinstance(c, dict) or c.get("part") not in by_title or not isinstance(c.get("sizes"), dict):
            return f"{where}: must name a part and its sizes", 0
        part = by_title[c["part"]]
        sizes: dict[sympy.Symbol, int] = {}
        for k, v in c["sizes"].items():
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                return f"{where}: size {_short(k, 20)}={_short(v, 20)} must be a positive integer", 0
            sizes[_serial.param_symbol(k)] = v
        if set(sizes) != set(part.ctx.params) or not _satisfies(part, sizes):
            return (
                f"{where}: sizes {_short(c['sizes'])} do not fix the parameters of {part.title!r} within its "
                "assumptions",
                0,
            )
        if c.get("method") != "instance":
            return f"{where}: `method` must be 'instance' (an exact check); got {_short(c.get('method'))}", 0
        try:  # the sizes are the certificate's: costed (symconv.core.limits) before anything is re-run
            guard_instance(part, sizes, "instance", 1, recipes.get(part.title))
            ok, msg, extra = _instance_part(part, sizes, "instance", 1, 0, recipes.get(part.title))
        except (SymconvError, ArithmeticError) as exc:
            return f"{where}: cannot be re-run: {exc}", 0
        same_engine = c.get("engine", extra.get("engine")) == extra.get("engine")
        if plan is not None and not same_engine:
            return f"{where}: stored engine {_short(c.get('engine'))}, the re-run uses {extra.get('engine')!r}", 0
        # a hand-made certificate's checks re-run by the Iverson expansion: their term counts differ
        if same_engine and "terms" in c and c["terms"] != extra.get("terms"):
            return f"{where}: stored {_short(c['terms'])} terms, the re-run counts {extra.get('terms')}", 0
        if not ok or c.get("holds") is not True:
            return f"{where} at {c['sizes']}: re-run gives holds={ok}, stored holds={_short(c.get('holds'))} {msg}", 0
        seen.add(part.title)
        done.setdefault(part.title, []).append(sizes)
    missing = [p.title for p in parts if p.title not in seen]
    if missing:
        return f"certificate: no exact instance check for part(s) {missing} (one per part is required)", 0
    own = 0
    for part in parts:  # and at sizes the CHECKER chooses: a forger picks sizes where a false claim holds
        msg, ran = _own_sizes(part, plan, done.get(part.title, []))
        if msg:
            return msg, 0
        own += ran
    return "", len(checks) + own


def _own_sizes(part: Part, plan: Plan | None, done: Sequence[Mapping[sympy.Symbol, int]]) -> tuple[str, int]:
    """('' or why the part is refused, how many checks ran): the part's claim re-checked exactly at the smallest
    GENERIC sizes derived from its assumptions (:func:`symconv.proofs._sizes.derive_sizes`: every size ≥ 2 and
    sizes apart where the assumptions allow), whatever sizes the certificate chose; skipped where a stored check
    already ran at those very sizes."""
    from symconv.proofs._cost import guard_instance
    from symconv.proofs._instances import _instance_part
    from symconv.proofs._sizes import derive_sizes, part_extents

    recipe = plan.recipes.get(part.title) if plan is not None else None
    extents: list[Any] = list(part_extents(part)) if recipe is None else []
    for r in (*recipe.lhs, *recipe.rhs) if recipe is not None else ():  # as the prover derives them
        for o in (*r.c.operands, r.c.result):
            extents += list(o.shape)
        extents += [v.extent for v in r.c.variables]
    where = f"certificate: part {part.title!r} at the checker's own sizes"
    try:
        sizes = derive_sizes(part.ctx, 2, extents)[0]  # the first of the prover's two (its cache, its order)
    except SymconvError as exc:
        return f"{where}: none can be derived from its assumptions ({_exc_text(exc)}): nothing to check it at", 0
    if any(dict(d) == sizes for d in done):
        return "", 0
    shown = ", ".join(f"{k}={v}" for k, v in sizes.items())
    try:
        guard_instance(part, sizes, "instance", 1, recipe)
        ok, msg, _ = _instance_part(part, sizes, "instance", 1, 0, recipe)
    except (SymconvError, ArithmeticError) as exc:
        return f"{where} ({shown}): cannot be re-run: {_exc_text(exc)}", 0
    if not ok:
        return f"{where} ({shown}): the claim FAILS there ({msg}); the stored checks chose sizes where it holds", 0
    return "", 1


# -- the whole check --------------------------------------------------------------------


def check(data: Any, *, trials: int = 2, seed: int = 0) -> CheckReport:
    """Check certificate data (see the module); a report whatever the data, never an exception."""
    _arguments(trials, seed)
    try:
        return _check(data, trials, seed)
    except RecursionError:
        return failed(_TOO_DEEP, 0, trials)
    except (SymconvError, KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError) as exc:
        return failed(f"malformed certificate: {type(exc).__name__}: {_exc_text(exc)}", 0, trials)


def _exc_text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except ValueError:
        text = type(exc).__name__
    return " ".join(text.split())[:300]


def _arguments(trials: Any, seed: Any) -> None:
    limit = current().trials
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= limit:
        raise SymconvError(f"check: `trials` must be an integer in [1, {limit}]; got {_short(trials)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SymconvError(f"check: `seed` must be a non-negative integer; got {_short(seed)}")


def _check(data: Any, trials: int, seed: int) -> CheckReport:
    if isinstance(data, Mapping) and data.get("status") == "coincides":
        # a variant that says what its theorem says at these parameters claims nothing: nothing to replay
        name = str(data.get("theorem", ""))
        library = _library_name(name)
        msg = "certificate: status 'coincides': the variant says what its theorem says here; nothing is claimed"
        return CheckReport(False, 0, trials, msg, 0, "failed", library, name if library else None)
    msg = _format_problem(data)
    if msg:
        return failed(msg, 0, trials)
    try:
        parts = decode_parts(data)
    except SymconvError as exc:
        return failed(_exc_text(exc), 0, trials)
    msg, plan = _library(data, parts)
    if msg:
        return failed(msg, 0, trials)
    library = plan is not None
    theorem = str(data["theorem"]) if library else None

    def report(ok: bool, status: str, message: str, steps: int, bounded: int) -> CheckReport:
        return CheckReport(ok, steps, trials, message, bounded, status, library, theorem)

    r = replay(parts, trials=trials, seed=seed)
    if r.status == "failed":
        return report(False, "failed", r.message, r.steps, r.bounded)
    # the status claimed must be one the replay supports: "proved" only when verified ("bounded" claims less)
    if data["status"] == "proved" and r.status != "verified":
        msg = f"certificate: status 'proved', but the replay gives {r.status!r}"
        return report(False, "failed", msg, r.steps, r.bounded)
    if plan is not None:
        msg = _not_covered_problem(data, plan)
        if msg:
            return report(False, "failed", msg, r.steps, r.bounded)
    msg, count = _instances(data, parts, plan)
    if msg:
        return report(False, "failed", msg, r.steps, r.bounded)
    text = r.message + f"; {count} exact instance check(s) re-run"
    if not library:
        text += "; not a library theorem: the statement is the certificate's own parts"
    return report(r.ok, r.status, text, r.steps, r.bounded)


def _library_name(name: str) -> bool:
    """Whether ``name`` (``theorem [variant v]``) names a theorem of the library and one of its variants."""
    from symconv.proofs._registry import _LIBRARY

    base, _, rest = name.partition(" [variant ")
    info = _LIBRARY.get(base)
    return info is not None and (not rest or rest.removesuffix("]") in info.variants)
