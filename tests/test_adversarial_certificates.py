"""Standing adversarial suite: automated tamperings of real certificates, and hand-built forgeries.

Real certificates of library theorems (equalities, a gradient, a definition, an "iff" with an only-if
half, a symbolic-looking stride/dilation swap, a Toeplitz statement) are tampered with by many kinds of
edit — rule names, indices, guards, relations, statements, parameters, renamed variables (renames to
parameter and free-index names included), deleted fields, swapped, deleted and repeated steps, signs,
operands, instance checks — drawn from a fixed seed (the same sample every run), and every tampered
certificate is checked by :meth:`symconv.Certificate.check`.

Whether a tampered certificate is still "semantically the same proof" is decided HERE, by how it was
made, never by asking the checker:

* SAME — the proof's content is unchanged up to
  (a) an alpha-renaming of a bound variable, throughout its part, to a fresh name that clashes with no
  parameter, free index or other variable;
  (b) the order of two adjacent non-closing steps that rewrite different sides (independent rewrites);
  (c) a stored side condition's ``status`` or ``bounded`` (display only: the replay decides them);
  a SAME certificate may replay ok (it need not: the checker may be stricter than alpha-equivalence);
* RELABELLED — the theorem's name changed to one outside the library: the same parts, so it may replay
  ok, but then ONLY with ``library=False``;
* DIFFERENT — everything else: it must never replay ok.

No check may raise. The counts are printed at the end of the run (tests/conftest.py).
"""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import forgeries
import pytest
import suite_counts

from symconv import Certificate, theorem
from symconv.proofs import RULES, CheckReport, _solver

#: The library certificates tampered with: (theorem, parameters).
SOURCES = [
    ("full_convolution_commutes", {}),
    ("correlate_grad_input_is_full_convolution", {}),
    ("convolve_is_correlate_with_flipped_kernel", {}),
    ("convolve_equals_correlate_iff_centrosymmetric", {}),
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": 2, "dilation": 3}),
    ("correlation_matrix_is_toeplitz", {}),
]
SEED = 20240808
#: Tamperings drawn per certificate and kind (a kind with fewer sites gives what it has).
PER_KIND = 8

SAME, RELABELLED, DIFFERENT = "same", "relabelled", "different"


@dataclass
class Mutant:
    kind: str
    where: str
    data: dict[str, Any]
    verdict: str


Path = tuple[Any, ...]


def _walk(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, (*path, i))


def _get(node: Any, path: Path) -> Any:
    for key in path:
        node = node[key]
    return node


def _edit(data: dict[str, Any], path: Path, fn: Callable[[Any, Any], None]) -> dict[str, Any]:
    """A deep copy of ``data`` with ``fn(parent, key)`` applied at ``path``."""
    out = copy.deepcopy(data)
    fn(_get(out, path[:-1]), path[-1])
    return out


def _setter(value: Any) -> Callable[[Any, Any], None]:
    def fn(parent: Any, key: Any) -> None:
        parent[key] = copy.deepcopy(value)

    return fn


def _delete(parent: Any, key: Any) -> None:
    del parent[key]


def _in_conditions(path: Path) -> bool:
    return "conditions" in path


def _is_sum(node: Any) -> bool:
    return isinstance(node, dict) and {"v", "g", "f", "c"} <= set(node)


def _rename(node: Any, old: str, new: str) -> Any:
    """Every string ``old`` (a value or a key) replaced by ``new``."""
    if isinstance(node, str):
        return new if node == old else node
    if isinstance(node, list):
        return [_rename(v, old, new) for v in node]
    if isinstance(node, dict):
        return {(new if k == old else k): _rename(v, old, new) for k, v in node.items()}
    return node


def _steps(data: dict[str, Any]) -> list[tuple[int, int, dict[str, Any]]]:
    return [(p, s, step) for p, part in enumerate(data["parts"]) for s, step in enumerate(part["steps"])]


def _names(data: dict[str, Any]) -> set[str]:
    return {n for _, v in _walk(data) if isinstance(v, str) for n in [v]}


def mutants(data: dict[str, Any], rng: random.Random) -> list[Mutant]:
    """Every kind of tampering of one certificate, ``PER_KIND`` sites each (drawn with ``rng``)."""
    kinds: dict[str, list[Callable[[], Mutant]]] = {}

    def add(kind: str, where: str, make: Callable[[], dict[str, Any]], verdict: str = DIFFERENT) -> None:
        kinds.setdefault(kind, []).append(lambda: Mutant(kind, where, make(), verdict))

    steps = _steps(data)
    nodes = list(_walk(data))
    # rule names
    for p, s, step in steps:
        for rule in [*RULES, "magic"]:
            if rule != step["rule"]:
                add(
                    "rule",
                    f"part {p} step {s}: {step['rule']} -> {rule}",
                    lambda p=p, s=s, r=rule: _edit(data, ("parts", p, "steps", s, "rule"), _setter(r)),
                )
    # integer literals of indices, offsets and coefficients (statement, steps, arguments, definitions)
    for path, node in nodes:
        if path and path[0] == "parts" and isinstance(node, dict) and set(node) == {"i"} and not _in_conditions(path):
            for delta in (1, -1):
                add(
                    "index",
                    f"{path}: {node['i']} -> {node['i'] + delta}",
                    lambda path=path, v=node["i"] + delta: _edit(data, path, _setter({"i": v})),
                )
        if _is_sum(node) and not _in_conditions(path):
            for c in (-node["c"], 2 * node["c"], 0):
                add(
                    "coefficient",
                    f"{path}: c {node['c']} -> {c}",
                    lambda path=path, c=c: _edit(data, (*path, "c"), _setter(c)),
                )
    # guards: a constraint dropped or its operator flipped (sums, identities, hypotheses' domains, assumptions)
    for path, node in nodes:
        if (
            path
            and path[-1] in ("g", "domain", "assumptions")
            and isinstance(node, list)
            and node
            and isinstance(node[0], dict)
        ):
            for i, con in enumerate(node):
                add("guard", f"{path}[{i}] dropped", lambda path=path, i=i: _edit(data, (*path, i), _delete))
                flipped = {**con, "op": "==" if con.get("op") == ">=" else ">="}
                add(
                    "guard",
                    f"{path}[{i}] op flipped",
                    lambda path=path, i=i, f=flipped: _edit(data, (*path, i), _setter(f)),
                )
    # relations
    for p, part in enumerate(data["parts"]):
        for rel in ("=", "⇒", "≠", "≤", ""):
            if rel != part["relation"]:
                add(
                    "relation",
                    f"part {p}: {part['relation']} -> {rel!r}",
                    lambda p=p, rel=rel: _edit(data, ("parts", p, "relation"), _setter(rel)),
                )
    # statements: sides swapped or replaced, titles, the words, the claims
    for p, part in enumerate(data["parts"]):
        add(
            "statement",
            f"part {p}: sides swapped",
            lambda p=p, part=part: _edit(data, ("parts", p), _setter({**part, "lhs": part["rhs"], "rhs": part["lhs"]})),
        )
        add(
            "statement",
            f"part {p}: rhs := lhs",
            lambda p=p, part=part: _edit(data, ("parts", p, "rhs"), _setter(part["lhs"])),
        )
        add("statement", f"part {p}: title", lambda p=p: _edit(data, ("parts", p, "title"), _setter("another title")))
        if part["assumptions"]:
            add(
                "statement",
                f"part {p}: assumption words",
                lambda p=p: _edit(data, ("parts", p, "assumptions", 0), _setter("N ≥ 1")),
            )
    for key, value in (
        ("statement", "0 = 1"),
        ("not_covered", "nothing"),
        ("status", "bounded"),
        ("status", "refuted"),
        ("method", "instance"),
    ):
        add("statement", f"{key} := {value!r}", lambda key=key, value=value: _edit(data, (key,), _setter(value)))
    others = [n for n, _ in SOURCES if n != data["theorem"]]
    add("statement", "theorem := another library theorem", lambda: _edit(data, ("theorem",), _setter(others[0])))
    add(
        "statement",
        "theorem := its own variant",
        lambda: _edit(data, ("theorem",), _setter(data["theorem"] + " [variant off_by_one]")),
    )
    add(
        "relabel",
        "theorem := a name outside the library",
        lambda: _edit(data, ("theorem",), _setter("my_own_theorem")),
        RELABELLED,
    )
    # parameters
    for params in (
        {"ndim": 2},
        {"ndim": 3},
        {**data["params"], "padding": 1},
        {**data["params"], "bogus": 1},
        {"stride": 3, "dilation": 2},
    ):
        if params != data["params"]:
            add("params", f"params := {params}", lambda params=params: _edit(data, ("params",), _setter(params)))
    # renamed bound variables (throughout their part): to a parameter, a free index, a sibling, or a fresh name
    taken = _names(data)
    for p, part in enumerate(data["parts"]):
        ctx = part["ctx"]["context"]
        for path, node in _walk(part):
            if not _is_sum(node) or _in_conditions(path):
                continue
            for b in node["v"]:
                targets = [(q, DIFFERENT) for q in ctx["params"]] + [(f, DIFFERENT) for f in ctx["free"]]
                targets += [(v, DIFFERENT) for v in node["v"] if v != b]
                targets += [(f"q{len(taken)}", SAME)]
                for new, verdict in targets:
                    add(
                        "rename",
                        f"part {p}: bound `{b}` -> `{new}`",
                        lambda p=p, b=b, new=new: _edit(data, ("parts", p), _setter(_rename(data["parts"][p], b, new))),
                        verdict,
                    )
    # deleted fields, at every level
    for path, node in nodes:
        if not isinstance(node, dict) or not path or path[0] not in ("parts", "instance_checks"):
            if path == ():
                for key in node:
                    add("delete", f"top-level `{key}`", lambda key=key: _edit(data, (key,), _delete))
            continue
        for key in node:
            display = _in_conditions(path) and key in ("status", "bounded")
            add(
                "delete",
                f"{path}.{key}",
                lambda path=path, key=key: _edit(data, (*path, key), _delete),
                SAME if display else DIFFERENT,
            )
    # steps swapped, deleted, repeated; sides flipped
    for p, part in enumerate(data["parts"]):
        ss = part["steps"]
        for s in range(len(ss)):
            add("step", f"part {p} step {s} deleted", lambda p=p, s=s: _edit(data, ("parts", p, "steps", s), _delete))
            add(
                "step",
                f"part {p} step {s} repeated",
                lambda p=p, s=s, ss=ss: _edit(
                    data, ("parts", p, "steps"), _setter([*ss[: s + 1], ss[s], *ss[s + 1 :]])
                ),
            )
            other = "rhs" if ss[s]["side"] == "lhs" else "lhs"
            add(
                "step",
                f"part {p} step {s} side -> {other}",
                lambda p=p, s=s, o=other: _edit(data, ("parts", p, "steps", s, "side"), _setter(o)),
            )
            if s + 1 < len(ss):
                a, b = ss[s], ss[s + 1]
                closing = {"equal", "entails_hypothesis"}
                independent = a["side"] != b["side"] and not ({a["rule"], b["rule"]} & closing)
                swapped = [*ss[:s], b, a, *ss[s + 2 :]]
                add(
                    "swap",
                    f"part {p} steps {s}, {s + 1} swapped",
                    lambda p=p, sw=swapped: _edit(data, ("parts", p, "steps"), _setter(sw)),
                    SAME if independent else DIFFERENT,
                )
    # stored side conditions: their words (compared) and their status (display only)
    for path, node in nodes:
        if isinstance(node, dict) and "text" in node and _in_conditions(path):
            add(
                "condition",
                f"{path}: text changed",
                lambda path=path, t=node["text"]: _edit(data, (*path, "text"), _setter(t + " ")),
            )
            add(
                "condition",
                f"{path}: status := unknown",
                lambda path=path: _edit(data, (*path, "status"), _setter("unknown")),
                SAME,
            )
    # operands, conjugation, hypothesis signs
    for path, node in nodes:
        if isinstance(node, dict) and {"a", "i", "conj"} <= set(node) and not _in_conditions(path):
            add("operand", f"{path}: {node['a']} -> z", lambda path=path: _edit(data, (*path, "a"), _setter("z")))
            add(
                "operand",
                f"{path}: conj flipped",
                lambda path=path, c=node["conj"]: _edit(data, (*path, "conj"), _setter(not c)),
            )
        if isinstance(node, dict) and "sign" in node and "domain" in node:
            add(
                "operand",
                f"{path}: hypothesis sign flipped",
                lambda path=path, s=node["sign"]: _edit(data, (*path, "sign"), _setter(-s)),
            )
    # exact instance checks
    for i, c in enumerate(data["instance_checks"]):
        at = ("instance_checks", i)
        terms = int(c.get("terms", 0))
        add("instance", f"check {i}: holds := false", lambda at=at: _edit(data, (*at, "holds"), _setter(False)))
        add(
            "instance",
            f"check {i}: method := randomized",
            lambda at=at: _edit(data, (*at, "method"), _setter("randomized")),
        )
        add("instance", f"check {i}: engine renamed", lambda at=at: _edit(data, (*at, "engine"), _setter("trust me")))
        add(
            "instance",
            f"check {i}: terms + 1",
            lambda at=at, t=terms: _edit(data, (*at, "terms"), _setter(t + 1)),
        )
        first = next(iter(c["sizes"]))
        for v in (0, -1, 10**12):  # out of range, or beyond the cost limits (another valid size would verify)
            add(
                "instance",
                f"check {i}: size {first} := {v}",
                lambda at=at, first=first, v=v: _edit(data, (*at, "sizes", first), _setter(v)),
            )
        add(
            "instance",
            f"check {i}: size {first} dropped",
            lambda at=at, first=first: _edit(data, (*at, "sizes", first), _delete),
        )
        add("instance", f"check {i}: part renamed", lambda at=at: _edit(data, (*at, "part"), _setter("no such part")))
    for p, part in enumerate(data["parts"]):
        keep = [c for c in data["instance_checks"] if c["part"] != part["title"]]
        add("instance", f"no check of part {p}", lambda keep=keep: _edit(data, ("instance_checks",), _setter(keep)))

    out: list[Mutant] = []
    for kind in sorted(kinds):
        makers = kinds[kind]
        for make in rng.sample(makers, min(PER_KIND, len(makers))):
            out.append(make())
    return out


@dataclass
class Outcome:
    mutant: Mutant
    report: CheckReport | None
    error: str = ""


def _run(m: Mutant) -> Outcome:
    try:
        return Outcome(m, Certificate(m.data).check())
    except Exception as exc:  # the point of the suite: there must be none
        return Outcome(m, None, f"{type(exc).__name__}: {exc}")


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    rng = random.Random(SEED)
    out = []
    for name, params in SOURCES:
        data = json.loads(theorem(name, **params).prove().certificate.to_json())
        assert Certificate(data).check().ok, name
        out += [_run(m) for m in mutants(data, rng)]
    return out


@pytest.fixture(scope="module")
def forged() -> list[Outcome]:
    builders = {
        "captured variant (bound K_0, N_0 capture the sizes)": forgeries.captured_variant,
        "captured variant with its status restored": lambda: {**forgeries.captured_variant(), "status": "proved"},
        "tail sum Σ_0^N = Σ_{N-4}^N (reindex to N)": forgeries.captured_sum,
        "equality relabelled '≠'": forgeries.wrong_relation,
        "'0 = 1' without parts": forgeries.no_parts,
        "library proof, statement text '0 = 1'": forgeries.wrong_statement_text,
        "one more term, closed on the right side": forgeries.closed_on_the_right,
        "Pell: bounded check passed off as proved": forgeries.pell,
        "Pell without status": lambda: forgeries.without(forgeries.pell(), "status"),
        "library proof, status deleted and no instance checks": lambda: {
            **forgeries.without(forgeries.library(), "status"),
            "instance_checks": [],
        },
    }
    out = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_solver, "TIMEOUT_MS", 300)  # the Pell forgery: z3 gives up quickly either way
        for what, build in builders.items():
            out.append(_run(Mutant("forgery", what, build(), DIFFERENT)))
    return out


def test_no_tampered_certificate_replays_ok_unless_it_is_the_same_proof(outcomes, forged):
    every = outcomes + forged
    crashes = [(o.mutant.kind, o.mutant.where, o.error) for o in every if o.report is None]
    assert not crashes, crashes[:5]
    accepted = [o for o in every if o.report is not None and o.report.ok]
    wrong = [(o.mutant.kind, o.mutant.where) for o in accepted if o.mutant.verdict == DIFFERENT]
    assert not wrong, wrong
    relabelled = [o for o in accepted if o.mutant.verdict == RELABELLED]
    assert all(not o.report.library and o.report.theorem is None for o in relabelled)  # type: ignore[union-attr]
    assert all("\n" not in o.report.message for o in every if o.report is not None)

    different = [o for o in outcomes if o.mutant.verdict == DIFFERENT]
    kinds = Counter(o.mutant.kind for o in outcomes)
    same_ok = Counter(o.mutant.kind for o in accepted if o.mutant.kind != "forgery")
    assert len(outcomes) >= 500 and len(different) >= 500, (len(outcomes), len(different))
    assert len(kinds) >= 12
    suite_counts.record(
        "certificate tamperings",
        f"{len(outcomes)} automated over {len(SOURCES)} library certificates ({len(kinds)} kinds: "
        f"{', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}); {len(different)} change the proof: "
        f"all rejected; {len(outcomes) - len(different)} same proof or relabelled: "
        f"{sum(same_ok.values())} replayed ok "
        f"({', '.join(f'{k} {n}' for k, n in sorted(same_ok.items())) or 'none'}); "
        f"{len(forged)} hand-built forgeries: all rejected; 0 crashes",
    )


def test_the_same_proof_is_not_rejected_for_its_form(outcomes):
    """The criterion has teeth both ways: commuting independent rewrites keeps a certificate valid."""
    swaps = [o for o in outcomes if o.mutant.kind == "swap" and o.mutant.verdict == SAME]
    assert all(o.report is not None and o.report.ok for o in swaps), [o.mutant.where for o in swaps]
