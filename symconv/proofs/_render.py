r"""Proofs as LaTeX ``align*`` (rule names as ``\tag{...}``) and as KaTeX-safe Markdown.

Indices print as ``x[n + k]`` (``index_style='brackets'``) or ``x_{n + k}``
(``'subscripts'``), variables in the order of the sum, the constant last —
never sympy's ``{x}_{- k + n}``. Nothing here needs ``\coloneqq`` or
``\DeclareMathOperator``.

>>> from symconv.core.affine import Affine
>>> affine_latex(Affine.var("m0") - Affine.var("k0"), nd=1)
'm - k'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.core.fit import DISPLAY_WIDTH, break_line
from symconv.proofs._iverson import EQ, Constraint, Derivative, Expr, Hypothesis, Pointwise, Side, Sum, Term
from symconv.proofs._multiindex import project, project_context

__all__ = [
    "affine_latex",
    "hypotheses",
    "hypotheses_latex",
    "notation",
    "proof_latex",
    "proof_markdown",
    "proof_notebook_latex",
    "side_latex",
]

#: Free channel indices print barred, so they never read like the bound channel variables ``c``, ``o``.
_CHANNEL_NAMES = {"ci": r"\bar{c}", "co": r"\bar{o}", "cw": r"\bar{c}", "grp": r"\gamma"}


def var_latex(name: str, nd: int) -> str:
    """``n0`` → ``n`` (1-D) or ``n_0``; ``k0'`` → ``k'``; ``k0j`` → ``k''``; ``nd=0``: the multi-index ``𝐧``."""
    prime = ""
    base = name
    while base.endswith("'"):
        prime += "'"
        base = base[:-1]
    if base in _CHANNEL_NAMES:
        return _CHANNEL_NAMES[base] + prime
    suffix = ""
    if base and base[-1] in "ij" and len(base) > 1 and base[-2].isdigit():
        suffix = "''" if base[-1] == "i" else "'''"
        base = base[:-1]
    head = base.rstrip("0123456789")
    digits = base[len(head) :]
    head = {"grp": r"\gamma"}.get(head, head)
    if digits and nd == 0:  # multi-index form (see _multiindex): the axis-0 name stands for the tuple
        return rf"\boldsymbol{{{head}}}{prime}{suffix}"
    if not digits or nd == 1:
        return head + prime + suffix
    return f"{head}{prime}{suffix}_{{{digits}}}"


def _sum_latex(e: sympy.Expr) -> str:
    """A sum with its positive terms first and the numbers last in each sign (``N - K - 1``)."""
    terms = sorted(sympy.Add.make_args(sympy.expand(e)), key=lambda t: (t.is_Number, str(t)))
    pos = [t for t in terms if not t.could_extract_minus_sign()]
    neg = [-t for t in terms if t.could_extract_minus_sign()]
    out = " + ".join(_latex(t) for t in pos) if pos else ""
    for t in neg:
        out = f"{out} - {_latex(t)}" if out else f"-{_latex(t)}"
    return out or "0"


def _latex(e: sympy.Expr) -> str:
    r"""``sympy.latex``, but a floor reads ``\left\lfloor \frac{N - K}{2} \right\rfloor`` (one fraction, ordered)."""
    e = as_expr(e)
    if isinstance(e, sympy.floor):
        num, den = sympy.fraction(sympy.together(e.args[0]))
        inner = _sum_latex(num) if den == 1 else rf"\frac{{{_sum_latex(num)}}}{{{sympy.latex(den)}}}"
        return rf"\left\lfloor {inner} \right\rfloor"
    if isinstance(e, sympy.Mul) and any(isinstance(f, sympy.floor) for f in e.args):
        return " ".join(_latex(f) for f in e.args)
    return sympy.latex(e)


def _coeff(c: sympy.Expr) -> tuple[bool, str]:
    """(negative?, magnitude as LaTeX, '' for 1)."""
    c = as_expr(c)
    neg = bool(c.could_extract_minus_sign())
    mag = -c if neg else c
    if mag == 1:
        return neg, ""
    s = _latex(mag)
    if isinstance(mag, sympy.Add):
        s = rf"\left({s}\right)"
    return neg, s + " "


_POSITIONS = set("nimpr")
_TAPS = set("kjuq")


def _ordered(a: Affine, order: Sequence[str] | None) -> list[tuple[str, Any]]:
    """The variables of ``a``: positions before taps, each in loop ``order`` (the sum's variables), free ones after."""
    rank = {v: i for i, v in enumerate(order or ())}

    def key(vc: tuple[str, Any]) -> tuple[int, int, str]:
        # positions (n, m, i, …) before kernel taps (k, j, …), as the notes write x[n + k] and g[m − k]
        role = 0 if vc[0][:1] in _POSITIONS else (1 if vc[0][:1] in _TAPS else 2)
        return role, rank.get(vc[0], len(rank)), vc[0]

    return sorted(a.coeffs, key=key)


def affine_latex(a: Affine, nd: int = 1, order: Sequence[str] | None = None) -> str:
    """An affine index as LaTeX: positive variables, constants, then negative variables (``K - 1 - k``).

    Variables print in loop ``order`` (the notes' ``x[n + k]``, ``x[2n + k]``), the rest alphabetically.

    >>> n, k = Affine.var("n0"), Affine.var("k0")
    >>> affine_latex(k + 2 * n, order=["n0", "k0"])
    '2 n + k'
    """
    pos_v: list[tuple[bool, str]] = []
    neg_v: list[tuple[bool, str]] = []
    for v, c in _ordered(a, order):
        neg, mag = _coeff(c)
        (neg_v if neg else pos_v).append((neg, mag + var_latex(v, nd)))
    const = as_expr(a.const)
    pos_c: list[tuple[bool, str]] = []
    neg_c: list[tuple[bool, str]] = []
    if const != 0:
        terms = sorted(sympy.Add.make_args(const), key=lambda t: (t.is_Number, str(t)))
        for term in terms:
            neg = bool(term.could_extract_minus_sign())
            (neg_c if neg else pos_c).append((neg, _latex(-term if neg else term)))
    parts = pos_v + pos_c + neg_c + neg_v
    if not parts:
        return "0"
    out = ("-" if parts[0][0] else "") + parts[0][1]
    for neg, s in parts[1:]:
        out += (" - " if neg else " + ") + s
    return out


def _term(t: Term, nd: int, style: str, order: Sequence[str] | None = None) -> str:
    inner = ", ".join(affine_latex(a, nd, order) for a in t.index)
    name = _operand(t.operand)
    if t.conjugate:
        name = rf"\overline{{{name}}}"
    return f"{name}_{{{inner}}}" if style == "subscripts" else f"{name}[{inner}]"


def _operand(name: str) -> str:
    if name == "flip(w)":
        return r"\operatorname{flip}(w)"
    if len(name) > 1:
        return rf"(\mathit{{{name[0]}}} * \mathit{{{name[1:]}}})"
    return name


def _constraint(c: Constraint, nd: int, order: Sequence[str] | None = None) -> str:
    pos = Affine._make({v: k for v, k in c.expr.coeffs if not as_expr(k).could_extract_minus_sign()}, sympy.Integer(0))
    neg = Affine._make({v: -k for v, k in c.expr.coeffs if as_expr(k).could_extract_minus_sign()}, sympy.Integer(0))
    const = as_expr(c.expr.const)
    if pos.coeffs:
        left, right = pos, neg - Affine.constant(const)
    else:
        left, right = -Affine.constant(const) * -1 if False else Affine.constant(const), neg
        left, right = right, left
        rel = r"\le" if c.op != EQ else "="
        return f"{affine_latex(left, nd, order)} {rel} {affine_latex(right, nd, order)}"
    rel = r"\ge" if c.op != EQ else "="
    return f"{affine_latex(left, nd, order)} {rel} {affine_latex(right, nd, order)}"


def _ranges(guard: Sequence[Constraint], nd: int, order: Sequence[str] | None = None) -> list[str]:
    """Pair ``v ≥ a`` with ``v ≤ b`` into ``a ≤ v ≤ b`` where a single variable has coefficient ±1."""
    lower: dict[str, Affine] = {}
    upper: dict[str, Affine] = {}
    used: set[int] = set()
    for i, c in enumerate(guard):
        if c.op == EQ:
            continue
        for v, k in c.expr.coeffs:
            if k == 1 and v not in lower:
                lower[v] = -(c.expr - Affine.var(v))
                lower[f"#{v}"] = Affine.constant(i)
                break
            if k == -1 and v not in upper:
                upper[v] = c.expr + Affine.var(v)
                upper[f"#{v}"] = Affine.constant(i)
                break
    out = []
    for v in [k for k in lower if not k.startswith("#")]:
        if v in upper:
            lo, hi = affine_latex(lower[v], nd, order), affine_latex(upper[v], nd, order)
            out.append(f"{lo} \\le {var_latex(v, nd)} \\le {hi}")
            used |= {int(lower[f"#{v}"].const), int(upper[f"#{v}"].const)}
    for i, c in enumerate(guard):
        if i not in used:
            out.append(_constraint(c, nd, order))
    return out


def sum_latex(s: Sum, nd: int, style: str, first: bool = True) -> str:
    """One Iverson sum."""
    sign = "-" if s.coeff < 0 else ("" if first else "+")
    mag = "" if abs(s.coeff) == 1 else f"{abs(s.coeff)} "
    head = ""
    if s.variables:
        head = r"\sum_{" + ", ".join(var_latex(v, nd) for v in s.variables) + "} "
    guard = _ranges(s.guard, nd, s.variables)
    bracket = (r"\left[" + r" \wedge ".join(guard) + r"\right] ") if guard else ""
    body = r" \, ".join(_term(t, nd, style, s.variables) for t in s.factors) or "1"
    return f"{sign} {mag}{head}{bracket}{body}".strip()


def side_latex(side: Side | Hypothesis, nd: int = 1, style: str = "brackets") -> str:
    """A statement side as LaTeX."""
    if isinstance(side, Expr):
        if not side.sums:
            return "0"
        return " ".join(sum_latex(s, nd, style, i == 0) for i, s in enumerate(side.sums))
    if isinstance(side, Derivative):
        wrt = _term(Term(side.operand, side.index), nd, style)
        return rf"\frac{{\partial}}{{\partial {wrt}}} \left( {side_latex(side.expr, nd, style)} \right)"
    if isinstance(side, Pointwise):
        vs = ", ".join(var_latex(v, nd) for v in side.variables)
        guard = r" \wedge ".join(_ranges(side.guard, nd, side.variables))
        terms = " ".join(
            (
                ("-" if c < 0 else ("" if i == 0 else "+"))
                + ("" if abs(c) == 1 else f"{abs(c)} ")
                + r" \, ".join(_term(t, nd, style, side.variables) for t in f)
            )
            for i, (c, f) in enumerate(side.terms)
        )
        return rf"\forall {vs}:\ \left[{guard}\right] \Rightarrow {terms} = 0"
    if isinstance(side, Hypothesis):
        vs = ", ".join(var_latex(v, nd) for v in side.variables)
        dom = r" \wedge ".join(_ranges(side.domain, nd, side.variables))
        sign = "" if side.sign == 1 else "-"
        lhs = _term(Term(side.operand, side.lhs), nd, style, side.variables)
        rhs = _term(Term(side.operand, side.rhs), nd, style, side.variables)
        return rf"\forall {vs}:\ \left[{dom}\right] \Rightarrow {lhs} = {sign}{rhs}"
    raise TypeError(type(side).__name__)


def _tag(rule: str, reverse: bool = False) -> str:
    r"""A rule name as ``\tag`` text, in words; a step applied to the claim is marked ``(claim side)``."""
    name = rule.replace("_", " ")  # the rule's name in words, as the Markdown edition prints it
    return name + (" (claim side)" if reverse else "")


def _times(count: int) -> str:
    return "twice" if count == 2 else f"{count} times"


def _render(nd: int, style: str, vectors: bool) -> Any:
    """``side -> (LaTeX, exact multi-index form used?)``: the multi-index form where the side allows it."""

    def render(side: Any) -> tuple[str, bool]:
        if vectors:
            p = project(side, nd)
            if p is not None:
                return side_latex(p, 0, style), True
        return side_latex(side, nd, style), False

    return render


def _lines(part: Any, nd: int, style: str, vectors: bool = False) -> list[tuple[str, str, str]]:
    """``(relation, expression, rule)`` per displayed line, one chain from the start to the claim.

    With ``vectors`` (an N-D proof), a line that is not axis-uniform and is followed by the same rule (the rule
    applied on one axis, then on the next) is not printed: the next line carries the rule with its count.
    """
    render = _render(nd, style, vectors)
    lines: list[tuple[str, str, bool, str]] = [("", render(part.lhs)[0], True, "")]
    lhs_steps = [s for s in part.steps if s.side == "lhs"]
    rhs_steps = [s for s in part.steps if s.side == "rhs"]
    if part.relation == "⇒":
        # the difference is rewritten first; the last equality says it is 0 for every x, and only then ⇒
        said = False
        for s in lhs_steps:
            if s.rule in ("compare_coefficients", "entails_hypothesis") and not said:
                rel, expr, uni, rule = lines[-1]
                lines[-1] = (rel, expr + r" = 0 \text{ for every } x", uni, rule)
                said = True
            if s.rule == "entails_hypothesis":
                lines.append((r"\Rightarrow", *render(part.rhs), s.rule))
            else:
                rel = r"\Rightarrow" if s.rule == "compare_coefficients" else "="
                lines.append((rel, *render(s.after), s.rule))
        if not said:
            rel, expr, uni, rule = lines[-1]
            lines[-1] = (rel, expr + r" = 0 \text{ for every } x", uni, rule)
    else:
        for s in lhs_steps:
            if s.rule == "equal":
                cur, uni = render(rhs_steps[-1].after if rhs_steps else part.rhs)
                rel, expr, was, rule = lines[-1]
                if expr == cur:  # the claim reads exactly as the last line: `equal` justifies that line, no repeat
                    lines[-1] = (rel, expr, was, f"{rule}, equal" if rule else "equal")
                else:
                    lines.append(("=", cur, uni, "equal"))
            else:
                lines.append(("=", *render(s.after), s.rule))
        for s in reversed(rhs_steps):
            lines.append(("=", *render(s.before), s.rule + "*"))
    return _merged(lines) if vectors else [(rel, expr, rule) for rel, expr, _, rule in lines]


def _first_rule(rule: str) -> str:
    """The rule a line's tag starts with (``"collapse_kronecker_delta, equal"`` → its first rule), side mark kept."""
    return rule.rstrip("*").split(", ")[0] + ("*" if rule.endswith("*") else "")


def _merged(lines: list[tuple[str, str, bool, str]]) -> list[tuple[str, str, str]]:
    """Drop each non-uniform line whose next line (same relation) starts with the same rule; count its uses."""
    out: list[tuple[str, str, bool, str, int]] = []
    for rel, expr, uni, rule in lines:
        count = 1
        while (
            len(out) > 1
            and rule
            and not out[-1][2]
            and out[-1][0] == rel
            and "," not in out[-1][3]
            and out[-1][3] == _first_rule(rule)
        ):
            count += out.pop()[4]
        out.append((rel, expr, uni, rule, count))
    done = []
    for rel, expr, _, rule, count in out:
        if count > 1:
            star = "*" if rule.endswith("*") else ""
            first, _, rest = rule.rstrip("*").partition(", ")
            rule = f"{first} ({_times(count)})" + (f", {rest}" if rest else "") + star
        done.append((rel, expr, rule))
    return done


def _nd(proof: Any) -> int:
    return int(proof.params.get("ndim", 1))


def _vectors(proof: Any, vectors: bool | None) -> bool:
    return _nd(proof) >= 2 if vectors is None else bool(vectors) and _nd(proof) >= 2


def _context(part: Any, nd: int, vectors: bool) -> tuple[Sequence[str], Sequence[Constraint], Sequence[Any], int]:
    """A part's free indices, assumptions, hypotheses and the ``nd`` to print them with (0: multi-index)."""
    ctx = part.ctx
    if vectors:
        got = project_context(ctx.free, ctx.assumptions, nd)
        hyps = [project(h, nd) for h in ctx.hypotheses]
        if got is not None and all(h is not None for h in hyps):
            return got[0], got[1], hyps, 0
    return ctx.free, ctx.assumptions, ctx.hypotheses, nd


def hypotheses(part: Any, nd: int = 1, vectors: bool = False) -> list[str]:
    r"""Every hypothesis the part's proof uses, as LaTeX math: the range of each free index and every
    assumption of its context (the domain the prover works in), then its named hypotheses.

    The rules may use these (a guard that differs from another only outside this domain is equal to it
    here), so a printed proof states them all.
    """
    free, assumptions, hyps, shown = _context(part, nd, vectors)
    out = _ranges(assumptions, shown, free)
    out += [side_latex(h, shown) for h in hyps]
    return list(dict.fromkeys(out))  # each hypothesis once (two parts of the context may state the same range)


def _free_names(part: Any, nd: int, vectors: bool) -> str:
    free, _, _, shown = _context(part, nd, vectors)
    return ", ".join(f"${var_latex(v, shown)}$" for v in free)


def hypotheses_latex(part: Any, nd: int = 1, vectors: bool = False) -> str:
    r"""A paragraph stating :func:`hypotheses` (each formula in its own ``$…$``, so the line can break)."""
    names = _free_names(part, nd, vectors)
    # \land, not \wedge: a paragraph is not an align line to be cut at its conjunctions
    where = ", ".join(f"${h}$".replace(r" \wedge ", r" \land ") for h in hypotheses(part, nd, vectors))
    where = where or "no further assumption"
    head = f"for all integers {names} with " if names else ""
    return r"\noindent\textit{Hypotheses:} " + head + where + "; every size parameter is a positive integer."


def notation(nd: int) -> str:
    r"""The multi-index convention of an ``nd``-D proof printed with bold letters (Markdown with ``$…$``)."""
    axes = ", ".join(f"n_{{{j}}}" for j in range(nd))
    sizes = ", ".join(f"N_{{{j}}}" for j in range(nd))
    index = ", ".join(f"n_{{{j}}} + k_{{{j}}}" for j in range(nd))
    return (
        f"a bold letter is a tuple over the {nd} axes, $\\boldsymbol{{n}} = ({axes})$, "
        f"$\\boldsymbol{{N}} = ({sizes})$;\na condition on bold letters holds on every axis, a sum over a bold "
        f"letter runs over all its axes, and $x[\\boldsymbol{{n}} + \\boldsymbol{{k}}] = x[{index}]$.\nA line "
        "with subscripts is written axis by axis. A rule applied once per axis (or per sum) is printed once, "
        "after its last use, with the number of uses."
    )


def _notation_at(out: list[str], at: int, nd: int, paragraph: str) -> None:
    """Insert the multi-index convention at ``out[at]`` when a line of ``out`` uses it."""
    if any("\\boldsymbol" in line for line in out[at:]):
        out.insert(at, paragraph.format(notation(nd)))


def proof_latex(proof: Any, style: str = "brackets", vectors: bool | None = None) -> str:
    """LaTeX: a comment header, then one ``align*`` per part with ``\\tag{rule}`` per step.

    A tag ending in ``*`` is a step applied to the claim, read backwards. An N-D proof prints its
    axis-uniform lines in multi-index form (``vectors``, default for ``ndim`` ≥ 2; see :func:`notation`).
    """
    nd = _nd(proof)
    vec = _vectors(proof, vectors)
    out = [f"% Theorem {proof.theorem}: {proof.statement}", f"% status: {proof.status}; method: {proof.method}"]
    if proof.engine:
        out.append(f"% engine: {proof.engine}")
    first = len(out)
    for part in proof.parts:
        out.append(
            f"% {part.title}" + (f" — assuming {'; '.join(part.assumptions_text)}" if part.assumptions_text else "")
        )
        out.append(hypotheses_latex(part, nd, vec))
        out.append(r"\begin{align*}")
        rows = []
        for rel, expr, rule in _lines(part, nd, style, vec):
            tag = rf" \tag{{{_tag(rule.rstrip('*'), rule.endswith('*'))}}}" if rule else r" \notag"
            rows.append(f"  &{rel} {break_line(expr, DISPLAY_WIDTH - 2)}{tag}")
        out.append(" \\\\\n".join(rows))
        out.append(r"\end{align*}")
    _notation_at(out, first, nd, r"\noindent\textit{{Notation:}} {}")
    out.append(f"% not covered: {proof.not_covered}")
    return "\n".join(out) + "\n"


def _hypotheses_markdown(part: Any, nd: int, vectors: bool = False) -> str:
    names = _free_names(part, nd, vectors)
    where = ", ".join(f"${h}$" for h in hypotheses(part, nd, vectors)) or "no further assumption"
    head = f"for all integers {names} with " if names else ""
    return "*Hypotheses:* " + head + where + "; every size parameter is a positive integer."


def proof_markdown(proof: Any, style: str = "brackets", vectors: bool | None = None) -> str:
    """Markdown with KaTeX-safe ``$$\\begin{aligned}…\\end{aligned}$$`` (rule names in a text column); a step's
    continuation lines are separate source lines."""
    nd = _nd(proof)
    vec = _vectors(proof, vectors)
    out = [f"**Theorem** `{proof.theorem}`: {proof.statement}", "", f"Status: **{proof.status}** ({proof.method})."]
    if proof.message:
        out += ["", f"> {proof.message}"]
    first = len(out)
    for part in proof.parts:
        out += [
            "",
            f"*{part.title}*" + (f" — assuming {'; '.join(part.assumptions_text)}." if part.assumptions_text else ""),
        ]
        out += ["", _hypotheses_markdown(part, nd, vec)]
        rows = []
        for rel, expr, rule in _lines(part, nd, style, vec):
            label = (
                rf"&& \text{{{rule.rstrip('*').replace('_', ' ')}{' (claim side)' if rule.endswith('*') else ''}}}"
                if rule
                else ""
            )
            broken = break_line(expr, DISPLAY_WIDTH - 2).replace(r" \\ &\qquad ", " \\\\\n&\\qquad ")
            rows.append(f"&{rel} {broken} {label}".rstrip())
        out += ["", "$$\\begin{aligned}", " \\\\\n".join(rows), "\\end{aligned}$$"]
    if first < len(out):
        _notation_at(out, first, nd, "\n*Notation:* {}")
    if proof.instance_checks:
        ok = sum(1 for c in proof.instance_checks if c.get("holds"))
        out += ["", f"Instance checks: {ok}/{len(proof.instance_checks)} hold."]
    for n in proof.notes:
        out += ["", f"Note: {n}"]
    out += ["", f"Not covered: {proof.not_covered}"]
    return "\n".join(out) + "\n"


def _text(s: str) -> str:
    r"""Plain words for ``\text{...}``: TeX specials escaped."""
    for a, b in (("\\", r"\backslash "), ("{", r"\{"), ("}", r"\}"), ("_", r"\_"), ("#", r"\#"), ("%", r"\%")):
        s = s.replace(a, b)
    s = s.replace("&", r"\&").replace("$", r"\$").replace("^", r"\^{}")
    # KaTeX has no text-mode middle dot or ≠ (a not_covered text says "… mod s ≠ 0"): leave \text for them
    return s.replace("·", r"}\cdot\text{").replace("≠", r"}\neq\text{")


def proof_notebook_latex(proof: Any, style: str = "brackets", vectors: bool | None = None) -> str:
    r"""Jupyter's ``text/latex``: display math only — the statement and status as ``\text`` lines, then each
    part as ``aligned`` with the rule names in a text column (what :meth:`Proof.markdown` shows)."""
    nd = _nd(proof)
    vec = _vectors(proof, vectors)
    head = [
        rf"\textbf{{Theorem}}\ \texttt{{{_text(proof.theorem)}}}\text{{: {_text(proof.statement)}}}",
        rf"\text{{Status: }}\textbf{{{_text(proof.status)}}}\text{{ ({_text(proof.method)})}}",
    ]
    if proof.message:
        head.append(rf"\text{{{_text(proof.message)}}}")
    out = ["$$\\begin{array}{l}" + r" \\ ".join(head) + "\\end{array}$$"]
    for part in proof.parts:
        title = part.title + (f" — assuming {'; '.join(part.assumptions_text)}" if part.assumptions_text else "")
        rows = []
        for rel, expr, rule in _lines(part, nd, style, vec):
            label = rf"&& \text{{{_text(rule.rstrip('*').replace('_', ' '))}}}" if rule else ""
            rows.append(f"&{rel} {expr} {label}".rstrip())
        out.append(rf"$$\text{{{_text(title)}}}$$")
        hyp = r",\ ".join(hypotheses(part, nd, vec))
        if hyp:
            out.append(rf"$$\text{{Hypotheses: }} {hyp}$$")
        out.append("$$\\begin{aligned}" + " \\\\\n".join(rows) + "\\end{aligned}$$")
    out.append(rf"$$\text{{Not covered: {_text(proof.not_covered)}}}$$")
    return "\n".join(out) + "\n"
