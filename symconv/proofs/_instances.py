"""Instance checks of a statement at concrete sizes: sizes that satisfy its assumptions, the engine that
decides each part (the coefficient engines on its contractions, or the Iverson-sum expansion), and
the counterexample a refutation names."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import sympy

from symconv.core.errors import SymconvError
from symconv.core.limits import guard
from symconv.engines.instance import DEFAULT_PRIME, check_exact, check_randomized
from symconv.proofs._compiled import size_int, small_plan
from symconv.proofs._contract import Recipe, degree, engine_sides
from symconv.proofs._evaluate import (
    ArrayFn,
    _eval_affine,
    _points,
    array_values,
    linear_forms,
    monomials,
    random_sizes,
    values,
)
from symconv.proofs._iverson import (
    Context,
    Derivative,
    Expr,
    Hypothesis,
    Sum,
    Term,
)
from symconv.proofs._params import _int
from symconv.proofs._parts import Part
from symconv.proofs._registry import (
    Plan,
)
from symconv.proofs._replay import _hyp_arrays
from symconv.proofs._rules import RULES
from symconv.proofs._sizes import derive_sizes
from symconv.proofs._unfold import orbit_reduce, unfolded_monomials


def _instance_sizes(
    name: str, plan: Plan, input_size: Sequence[int] | None, kernel_size: Sequence[int] | None
) -> list[dict[sympy.Symbol, int]]:
    syms = plan.size_params
    if input_size is None and kernel_size is None:
        return []
    if not syms:
        raise SymconvError(
            f"{name}: its sizes are not an input and a kernel size (it is about {len(plan.parts[0][0].ctx.params)} "
            "sizes); leave `input_size`/`kernel_size` out: generic sizes are derived from its assumptions"
        )
    out: dict[sympy.Symbol, int] = {}
    for key, given in (("input", input_size), ("kernel", kernel_size)):
        if given is None:
            raise SymconvError(f"{name}: give both `input_size` and `kernel_size` for an instance check")
        want = syms.get(key, ())
        vals = [_int(name, f"{key}_size", v, 1) for v in given]
        if len(vals) != len(want):
            raise SymconvError(f"{name}: `{key}_size` must have {len(want)} entries (one per axis); got {list(given)}")
        out.update(zip(want, vals))
    return [out]


def _satisfies(part: Part, sizes: Mapping[sympy.Symbol, int]) -> bool:
    for c in part.ctx.assumptions:
        if c.expr.variables:
            continue
        v = size_int(c.expr.const, sizes)
        if (c.op == "==" and v != 0) or (c.op != "==" and v < 0):
            return False
    return True


class _Echelon:
    """Rows of integers in echelon form (sparse: ``{column: value}``), for exact ranks over ℚ.

    Fraction-free elimination: a row is reduced by a basis row with the same
    leading column as ``b[c]·row − row[c]·b`` (integers only; the leading
    column cancels, later columns only remain), then divided by the gcd of its
    entries (the row space is unchanged, the integers stay small). A row that
    reduces to nothing lies in the span of the basis; otherwise it joins it.
    No fraction, no rounding: the rank is exact.
    """

    def __init__(self) -> None:
        # leading column -> (its value, the other entries): a basis row with a positive lead, coprime entries
        self.basis: dict[Any, tuple[int, tuple[tuple[Any, int], ...]]] = {}

    def add(self, row: Mapping[Any, int], owned: bool = False) -> bool:
        """Whether ``row`` is independent of the rows added before (it then joins the basis). ``owned``: ``row``
        is a dict of non-zero Python integers that may be changed."""
        r: dict[Any, int] = row if owned else {c: int(v) for c, v in row.items() if v}  # type: ignore[assignment]
        basis = self.basis
        while r:
            lead = min(r)
            b = basis.get(lead)
            if b is None:  # a new leading column
                g = math.gcd(*r.values())
                if r[lead] < 0:
                    g = -g
                if g != 1:
                    r = {c: v // g for c, v in r.items()}
                f = r.pop(lead)
                basis[lead] = (f, tuple(r.items()))
                return True
            f, rest = b
            k = r.pop(lead)  # f·r − k·b: the lead cancels
            if f != 1:
                r = {c: f * v for c, v in r.items()}
            for c, v in rest:
                nv = r.get(c, 0) - k * v
                if nv:
                    r[c] = nv
                else:
                    del r[c]
            if r and f != 1:
                g = math.gcd(*r.values())
                if g > 1:
                    r = {c: v // g for c, v in r.items()}
        return False


def _rank(rows: Sequence[Sequence[int]], ncols: int) -> int:
    """Exact rank of an integer matrix (over ℚ), by fraction-free elimination in Python integers (:class:`_Echelon`).

    >>> _rank([[1, 2], [2, 4]], 2), _rank([[0, 0]], 2), _rank([[2, 1], [1, 3]], 2), _rank([], 3)
    (1, 0, 2, 0)
    """
    ech = _Echelon()
    return sum(ech.add({j: r[j] for j in range(ncols) if r[j]}) for r in rows)


def _unfold(side: Any, part: Part) -> Any:
    """Replace every defined array of the statement by its definition (the ``definition`` rule)."""
    if not part.definitions or not isinstance(side, Expr):
        return side
    defs = {name: (body, at) for name, body, at in part.definitions}
    changed = True
    while changed:
        changed = False
        for i, s in enumerate(side.sums):
            hit = next((j for j, t in enumerate(s.factors) if t.operand in defs), None)
            if hit is not None:
                body, at = defs[s.factors[hit].operand]
                side, _ = RULES["definition"](side, part.ctx, sum=i, factor=hit, body=body, at=list(at))
                changed = True
                break
    return side


def _engines(checks: Sequence[Mapping[str, Any]]) -> str:
    """The distinct engines of ``checks``, in order of use."""
    return "; ".join(dict.fromkeys(str(c.get("engine", "")) for c in checks if c.get("engine")))


#: The engine names an instance check reports.
ENGINE_EXACT = "coefficient engine (check_exact)"
ENGINE_RANDOMIZED = "coefficient engine (check_randomized)"
ENGINE_EXPANSION = "Iverson-sum expansion (exact polynomials)"
ENGINE_EVALUATION = "Iverson-sum evaluation modulo p"
ENGINE_RANK = "exact rank over the rationals of the coefficient forms (Iverson-sum expansion)"
ENGINE_GROUP_RING = "group-ring expansion of the terms (iter_terms), exact"


def _instance_part(
    part: Part,
    sizes: Mapping[sympy.Symbol, int],
    method: str,
    trials: int,
    seed: int,
    recipe: Recipe | None = None,
) -> tuple[bool, str, dict[str, Any]]:
    """One instance check of a part at concrete ``sizes``: ``(holds, message, extra)``, ``extra["engine"]`` says how.

    A part with a :class:`Recipe` goes through the coefficient engines
    (:func:`symconv.engines.instance.check_exact` / ``check_randomized``) on contractions of
    the one definition; otherwise (or where the recipe does not express the
    statement at these sizes) the Iverson sums are expanded exactly or evaluated modulo p.
    """
    if part.relation == "⇒":
        ok, msg, extra = _instance_only_if(part, sizes)
        return ok, msg, {"engine": ENGINE_RANK, **extra}
    sides = engine_sides(recipe, part.ctx, sizes) if recipe is not None else None
    if sides is not None:
        lhs, rhs, structure = sides
        if method == "randomized":
            r = check_randomized(lhs, rhs, trials=trials, seed=seed, structure=structure, progress=False)
            deg = degree((lhs, rhs))
            bound = f"({deg}/{DEFAULT_PRIME})^{trials}" if r.holds else 0
            extra = {"engine": ENGINE_RANDOMIZED, "terms": r.terms, "error_bound": bound, "degree": deg}
            return r.holds, r.counterexample or "", extra
        r = check_exact(lhs, rhs, structure=structure, progress=False)
        return r.holds, r.counterexample or "", {"engine": ENGINE_EXACT, "terms": r.terms}
    if method != "randomized":
        # the exact check reads definitions and hypotheses itself (symconv.proofs._unfold), not through the rules
        ok, msg, extra = _expansion(part, sizes, None)
        return ok, msg, {"engine": ENGINE_EXPANSION, **extra}
    part = replace(part, lhs=_unfold(part.lhs, part), rhs=_unfold(part.rhs, part), definitions=())
    ctx = part.ctx
    deg = _iverson_degree(part)
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        s = int(rng.integers(1 << 30))
        arrays: dict[str, ArrayFn] = {op: _uniform(op, s) for op in _operands(part)}
        arrays.update({k: _modp(f) for k, f in _hyp_arrays(ctx, sizes, s).items()})
        a = values(part.lhs, ctx, sizes, s, arrays, modulus=DEFAULT_PRIME)
        b = values(part.rhs, ctx, sizes, s, arrays, modulus=DEFAULT_PRIME)  # type: ignore[arg-type]
        if a != b:
            bad = next(k for k in sorted(set(a) | set(b)) if a.get(k, 0) != b.get(k, 0))
            return (
                False,
                f"differ at free index {bad}",
                {"engine": ENGINE_EVALUATION, "error_bound": 0, "degree": deg},
            )
    bound = f"({deg}/{DEFAULT_PRIME})^{trials}"
    return True, "", {"engine": ENGINE_EVALUATION, "error_bound": bound, "degree": deg}


def _iverson_degree(part: Part) -> int:
    """The degree of ``lhs − rhs`` as a polynomial in the arrays' entries (a derivative drops one factor)."""
    deg = 1
    for side in (part.lhs, part.rhs):
        if isinstance(side, Derivative):
            deg = max([deg, *(len(s.factors) - 1 for s in side.expr.sums)])
        elif isinstance(side, Expr):
            deg = max([deg, *(len(s.factors) for s in side.sums)])
    return deg


def _expansion(
    part: Part, sizes: Mapping[sympy.Symbol, int], hyp: Hypothesis | None = None
) -> tuple[bool, str, dict[str, Any]]:
    """Both sides as exact polynomials in the input arrays (defined arrays unfolded independently of the
    ``definition`` rule), reduced modulo every hypothesis of the context (``hyp`` is ignored: all count)."""
    ctx = part.ctx
    la = unfolded_monomials(part.lhs, ctx, sizes, part.definitions)
    rb = unfolded_monomials(part.rhs, ctx, sizes, part.definitions)  # type: ignore[arg-type]
    if ctx.hypotheses:
        la, rb = _reduce(la, ctx.hypotheses, sizes), _reduce(rb, ctx.hypotheses, sizes)
    if la != rb:
        bad = next(iter(sorted((set(la) ^ set(rb)) | {k for k in la if la[k] != rb.get(k)}, key=str)))
        return (
            False,
            f"the coefficient of {bad[1]} at free index {bad[0]} differs: {la.get(bad, 0)} vs {rb.get(bad, 0)}",
            {"terms": len(la) + len(rb)},
        )
    return True, "", {"terms": len(la) + len(rb)}


def _uniform(op: str, seed: int) -> ArrayFn:
    def fn(idx: Sequence[np.ndarray]) -> np.ndarray:
        return array_values(op, seed, idx, 0, DEFAULT_PRIME - 1)

    return fn


def _modp(f: ArrayFn) -> ArrayFn:
    def fn(idx: Sequence[np.ndarray]) -> np.ndarray:
        return np.asarray(f(idx)) % DEFAULT_PRIME

    return fn


def _operands(part: Part) -> set[str]:
    out: set[str] = set()
    for side in (part.lhs, part.rhs):
        e = side.expr if isinstance(side, Derivative) else side
        if isinstance(e, Expr):
            out |= {t.operand for s in e.sums for t in s.factors}
    return out


def _reduce(
    mono: Mapping[tuple[Any, ...], int], hyp: Hypothesis | Sequence[Hypothesis], sizes: Mapping[sympy.Symbol, int]
) -> dict[tuple[Any, ...], int]:
    """``mono`` modulo the hypotheses (one or several): every entry to ``sign·w[orbit minimum]`` under the group
    the mirrors generate, an orbit with a sign conflict to 0 (:func:`symconv.proofs._unfold.orbit_reduce`)."""
    return orbit_reduce(mono, (hyp,) if isinstance(hyp, Hypothesis) else tuple(hyp), sizes)


def _instance_only_if(part: Part, sizes: Mapping[sympy.Symbol, int]) -> tuple[bool, str, dict[str, Any]]:
    """Exactly: the linear forms in w that must vanish (the coefficient of every entry of the other arrays, at
    every free point) span the hypothesis' forms ``w[lhs(u)] − sign·w[rhs(u)]`` at every ``u`` of its domain.

    The other arrays' entries are independent: a hypothesis of the context about one of them is refused (their
    coefficients need not vanish one by one); one about ``w`` adds its forms to those that vanish.
    """
    hyp = part.rhs
    assert isinstance(hyp, Hypothesis)
    w_op = hyp.operand
    constrained = [h.name for h in part.ctx.hypotheses if h.operand != w_op]
    if constrained:
        raise SymconvError(
            f"proof: an 'only if' instance check takes the inputs' entries as independent; the hypothesis "
            f"{constrained[0]!r} constrains one"
        )
    # one linear form in w per (free point, entry of the inputs) that must vanish
    found = linear_forms(part.lhs, part.ctx, sizes, w_op) if isinstance(part.lhs, Expr) else None
    forms: dict[Any, dict[Any, int]] = {}
    if found is not None:  # small sums: in one pass over their points
        forms = found  # type: ignore[assignment]
    else:
        mono = monomials(part.lhs, part.ctx, sizes)  # type: ignore[arg-type]
        for (free, m), c in mono.items():
            ws = [idx for op, idx in m if op == w_op]
            if len(ws) != 1:
                raise SymconvError(
                    f"proof: an 'only if' instance check needs one factor {w_op} per term; got {len(ws)}"
                )
            x = (free, tuple((op, idx) for op, idx in m if op != w_op))
            forms.setdefault(x, {})[ws[0]] = forms.get(x, {}).get(ws[0], 0) + c
    a_rows = [*forms.values()]
    for h in part.ctx.hypotheses:
        a_rows += _hypothesis_forms(h, part.ctx, sizes)
    h_rows = _hypothesis_forms(hyp, part.ctx, sizes)
    cols: dict[Any, int] = {}  # the entries of w, numbered (integer columns: a cheaper elimination)
    a_int = [{cols.setdefault(w, len(cols)): v for w, v in f.items() if v} for f in a_rows]
    h_int = [{cols.setdefault(w, len(cols)): v for w, v in f.items() if v} for f in h_rows]
    guard(  # the elimination's work, at most rows × columns × rank integer operations
        "proof: the 'only if' rank",
        "engine_terms",
        (len(a_rows) + len(h_rows)) * len(cols) ** 2,
        "integer operations of the exact elimination",
        alternative="smaller kernel sizes show the same",
    )
    ech = _Echelon()  # rank(A) = rank(A + H) iff every hypothesis form lies in the span of A's forms
    for f in a_int:
        ech.add(f, owned=True)
    ok = not any(ech.add(f, owned=True) for f in h_int)
    return ok, "" if ok else "equality for every x does not force the hypothesis at these sizes", {"forms": len(forms)}


#: The domain of a hypothesis as a sum (its two sides as factors), by the identity of the hypothesis and the
#: context: the compiled plan of :func:`symconv.proofs._compiled.small_plan` is then found again.
_DOMAINS: dict[tuple[int, int], tuple[Hypothesis, Context, Sum, Context]] = {}


def _domain(h: Hypothesis, ctx: Context) -> tuple[Sum, Context]:
    hit = _DOMAINS.get((id(h), id(ctx)))
    if hit is not None and hit[0] is h and hit[1] is ctx:
        return hit[2], hit[3]
    sides = (Term(h.operand, tuple(h.lhs)), Term(h.operand, tuple(h.rhs)))
    dom, none = Sum(h.variables, h.domain, sides), Context(ctx.params, (), ())
    if len(_DOMAINS) > 256:
        _DOMAINS.clear()
    _DOMAINS[(id(h), id(ctx))] = (h, ctx, dom, none)
    return dom, none


def _hypothesis_forms(h: Hypothesis, ctx: Context, sizes: Mapping[sympy.Symbol, int]) -> list[dict[Any, int]]:
    """``w[lhs(u)] − sign·w[rhs(u)]`` at every point ``u`` of the hypothesis' domain (enumerated exactly)."""
    dom, none = _domain(h, ctx)
    plan = small_plan(dom, none, sizes)
    if plan is not None and plan.reads is not None:  # both sides' indices per point, kept with the plan
        pairs = [idx for _, idx in plan.reads]
    elif plan is not None and plan.maps is not None:
        lat, rat = plan.evaluators  # type: ignore[misc]
        pairs = [(lat(p), rat(p)) for p in plan.points()]
    else:
        env, n = _points(dom, none, sizes)
        lhs = [_eval_affine(a, env, sizes, n).tolist() for a in h.lhs]
        rhs = [_eval_affine(a, env, sizes, n).tolist() for a in h.rhs]
        pairs = [(tuple(a[p] for a in lhs), tuple(a[p] for a in rhs)) for p in range(n)]
    out = []
    for here, mir in pairs:
        f = {here: 1}
        f[mir] = f.get(mir, 0) - h.sign
        out.append(f)
    return out


def _refute(part: Part, cex: Mapping[str, int] | None) -> str:
    """Look for concrete sizes where the two sides differ (exact integers)."""
    if part.relation != "=":
        return ""
    rng = np.random.default_rng(1)
    candidates: list[dict[sympy.Symbol, int]] = []
    if cex:
        sz = {p: int(cex[p.name]) for p in part.ctx.params if p.name in cex}
        if len(sz) == len(part.ctx.params) and all(v <= 6 for v in sz.values()) and _satisfies(part, sz):
            candidates.append(sz)
    try:
        candidates += [random_sizes(part.ctx, rng, max_size=4) for _ in range(12)]
        candidates += derive_sizes(part.ctx, 3)  # generic sizes where a wrong claim cannot hide
    except SymconvError:
        pass
    tried: list[dict[sympy.Symbol, int]] = []
    for sz in candidates:
        if sz in tried:
            continue
        tried.append(sz)
        seed = int(rng.integers(1 << 30))
        arrays = _hyp_arrays(part.ctx, sz, seed)
        try:
            a = values(part.lhs, part.ctx, sz, seed, arrays)
            b = values(part.rhs, part.ctx, sz, seed, arrays)  # type: ignore[arg-type]
        except SymconvError:
            continue
        if a != b:
            bad = next(k for k in sorted(set(a) | set(b)) if a.get(k, 0) != b.get(k, 0))
            where = ", ".join(f"{k}={v}" for k, v in sz.items())
            free = ", ".join(f"{n}={v}" for n, v in zip(part.ctx.free, bad))
            diff = f"{a.get(bad, 0)} vs {b.get(bad, 0)}"
            return f"at {where}{'; ' + free if free else ''} the two sides differ ({diff} with random integer inputs)"
    return ""
