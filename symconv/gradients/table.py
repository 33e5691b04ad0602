"""Renderings of a backward table that fit: plain text within 100 columns, LaTeX as wide as the line."""

from __future__ import annotations

import textwrap
from typing import Any

from symconv.display.tree import scatter

__all__ = ["TEXT_WIDTH", "rule_latex", "rule_text"]

#: Columns of the plain-text renderings (``print(backward_rule(...))``).
TEXT_WIDTH = 100

#: How each gradient's result is written: (LaTeX, text).
_GRADIENT_LABEL = {
    "dL/dx": (r"\frac{\partial L}{\partial x}", "dL/dx"),
    "dL/dw": (r"\frac{\partial L}{\partial w}", "dL/dw"),
    "dL/db": (r"\frac{\partial L}{\partial\,\mathrm{bias}}", "dL/dbias"),
}


def _fmt(v: Any) -> str:
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(_fmt(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    return str(v)


def _wrap(text: str, width: int, indent: str) -> str:
    """``text`` wrapped at spaces to ``width`` columns, continuation lines indented by ``indent``."""
    return (
        "\n".join(textwrap.wrap(text, width, subsequent_indent=indent, break_long_words=True, break_on_hyphens=False))
        or text
    )


def rule_text(rule: Any, width: int = TEXT_WIDTH) -> str:
    """Plain text of a backward table within ``width`` columns (see :meth:`BackwardRule.text`)."""
    head = ["gradient", "derived formula", "named operation", "parameters", "verified", "theorem"]
    rows = [
        [c[0], scatter(r.derived[0], _GRADIENT_LABEL[r.gradient], fmt="text"), *c[2:]]
        for c, r in zip(rule._cells(), rule.rows)
    ]
    args = ", ".join(f"{k}={_fmt(v)}" for k, v in rule.params.items())
    title = _wrap(f"backward rule of {rule.op}({args})", width, " " * (len(f"backward rule of {rule.op}(")))
    widths = [max(len(x[i]) for x in [head, *rows]) for i in range(len(head))]
    if sum(widths) + 2 * (len(widths) - 1) <= width:
        line = "  ".join("-" * w for w in widths)
        fmt = "  ".join("{:<" + str(w) + "}" for w in widths)
        return "\n".join([title, fmt.format(*head), line, *(fmt.format(*r).rstrip() for r in rows)])
    out = [title]
    for r in rows:
        out += ["", _wrap(f"{r[0]}  {r[1]}", width, " " * (len(r[0]) + 2))]
        for label, value in zip(head[2:], r[2:]):
            out.append(_wrap(f"    {label}: {value}", width, " " * (len(label) + 6)))
    return "\n".join(out)


def rule_latex(rule: Any) -> str:
    r"""The ``tabularx`` of a backward table (see :meth:`BackwardRule.latex`)."""

    def esc(s: str) -> str:
        s = s.replace("_", r"\_\allowbreak{}").replace("→", r"$\to$").replace("Σ", r"$\Sigma$")
        return s.replace(", ", r", \allowbreak{}").replace("=", r"=\allowbreak{}")

    grad_tex = {"dL/dx": r"$\partial L/\partial x$", "dL/dw": r"$\partial L/\partial w$"}
    grad_tex["dL/db"] = r"$\partial L/\partial\,\mathrm{bias}$"
    # relative column widths (they sum to the number of columns, as tabularx's \hsize needs)
    share = (0.65, 1.6, 1.0, 1.05, 0.8, 0.9)
    cols = "".join(rf">{{\raggedright\arraybackslash\hsize={w}\hsize}}X" for w in share)
    lines = [
        r"\noindent{\footnotesize\setlength{\tabcolsep}{3pt}%",
        rf"\begin{{tabularx}}{{\linewidth}}{{@{{}}{cols}@{{}}}}",
        r"\toprule",
        r"gradient & derived formula & named operation & parameters & verified & theorem \\",
        r"\midrule",
    ]
    for c in rule._cells():
        cells = [grad_tex.get(c[0], esc(c[0])), f"${c[1]}$", esc(c[2]), esc(c[3]), esc(c[4])]
        cells.append(r"\texttt{" + esc(c[5]) + "}" if c[5] != "—" else "---")
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabularx}}"]
    return "\n".join(lines)
