r"""An :class:`~symconv.identification.Identification` as text, Markdown, LaTeX and window descriptions.

The formula is symconv's own contraction at symbolic sizes, printed by
:func:`symconv.display.tree.scatter` (the notes' notation), with the output range:

.. math:: y[n] \mathrel{+}= x[n + k - K + 1] \cdot w[K - 1 - k], \quad 0 \le n < N + K - 1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy

from symconv.core.formula import output_size
from symconv.display.tree import format_index, linear_size, scatter, size_symbols

if TYPE_CHECKING:
    from symconv.identification._result import AxisInfo, Identification

__all__ = [
    "BOUNDARY_NAMES",
    "axis_window",
    "formula_latex",
    "formula_text",
    "markdown",
    "rule_text",
    "same_side",
    "summary",
]

#: symconv's boundary names and what the libraries call them.
BOUNDARY_NAMES: dict[str, str] = {
    "none": "never reads outside x",
    "zeros": "torch 'zeros', scipy.ndimage 'constant' (cval=0), scipy.signal 'fill', numpy.pad 'constant'",
    "reflect": "torch 'reflect', scipy.ndimage 'mirror', numpy.pad 'reflect' (… x[2] x[1] | x[0] x[1] …)",
    "symmetric": "scipy.ndimage 'reflect', scipy.signal 'symm', numpy.pad 'symmetric' (… x[1] x[0] | x[0] x[1] …)",
    "replicate": "torch 'replicate', scipy.ndimage 'nearest', numpy.pad 'edge' (… x[0] x[0] | x[0] x[1] …)",
    "circular": "torch 'circular', scipy.ndimage 'wrap', scipy.signal 'wrap', numpy.pad 'wrap' (… x[N-1] | x[0] …)",
}


def rule_text(e: sympy.Expr | None) -> str | None:
    """A padding/offset rule as a person writes it: ``⌊(K - 1)/2⌋``, ``K - 1``, ``0``.

    >>> K = sympy.Symbol("K", integer=True, positive=True)
    >>> rule_text(sympy.floor((K - 1) / 2)), rule_text(K - 1), rule_text(sympy.Integer(0))
    ('⌊(K - 1)/2⌋', 'K - 1', '0')
    """
    if e is None:
        return None
    return format_index(sympy.expand(e), fmt="text")


def _rule_latex(e: sympy.Expr) -> str:
    return format_index(sympy.expand(e), fmt="latex")


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    """``⌊a⌋ + ⌈a⌉ = 2a`` for the half-integer ``a = d(K-1)/2`` of a 'same' padding."""
    expr = sympy.expand(expr)
    for f in expr.atoms(sympy.floor):
        g = sympy.ceiling(f.args[0])
        cf, cg = expr.coeff(f), expr.coeff(g)
        if cf != 0 and cf == cg:
            expr = sympy.expand(expr - cf * f - cg * g + 2 * cf * f.args[0])
    return expr


def same_side(a: AxisInfo) -> str | None:
    """Where an even kernel's extra padding goes in mode 'same': ``'end'``, ``'start'``, or None (no even case)."""
    if a.mode != "same" or a.pad_lo is None or a.dilation is None or a.dilation % 2 == 0:
        return None
    k = sympy.Symbol("K", integer=True, positive=True)
    lo = int(a.pad_lo.subs(k, 2))
    return "end" if lo == (a.dilation - 1) // 2 else "start"


def axis_window(a: AxisInfo) -> str:
    """One axis' window in words: mode (or paddings and offset), stride, dilation, boundary."""
    if a.mode == "same":
        side = same_side(a)
        text = "mode 'same'" + (
            f" (an even kernel's extra zero at the {side.upper() if side == 'end' else side})" if side else ""
        )
    elif a.mode is not None:
        text = f"mode {a.mode!r}"
    elif a.pad_lo is not None and a.pad_hi is not None:
        text = (
            f"no standard mode: p_lo = {rule_text(a.pad_lo)}, p_hi = {rule_text(a.pad_hi)} "
            f"(y[0] is full[{rule_text(a.offset)}])"
        )
    else:
        text = "a window that follows no rule"
    text += f", stride {a.stride if a.stride is not None else '?'}, dilation {a.dilation if a.dilation else '?'}"
    return text + f", boundary {a.boundary if a.boundary else 'unknown'}"


def _ranges(r: Identification, fmt: str) -> str:
    ns, ks = size_symbols(r.ndim)
    k = sympy.Symbol("K", integer=True, positive=True)
    names = ["n"] if r.ndim == 1 else [f"n_{i}" for i in range(r.ndim)]
    out = []
    for a, name, n_, k_ in zip(r.axes, names, ns, ks):
        assert a.pad_lo is not None and a.pad_hi is not None and a.stride is not None and a.dilation is not None
        m = output_size(n_, k_, a.stride or 1, a.dilation, a.pad_lo.subs(k, k_), a.pad_hi.subs(k, k_))
        size = linear_size(_tidy(m), (n_, k_), fmt)
        out.append(rf"0 \le {name} < {size}" if fmt == "latex" else f"0 ≤ {name} < {size}")
    return ", ".join(out)


def _pads(r: Identification, fmt: str) -> str:
    modes = sorted({a.boundary for a in r.axes if a.boundary not in (None, "none", "zeros")})
    if not modes:
        return ""
    return rf", \quad \text{{pad: {', '.join(modes)}}}" if fmt == "latex" else f"  (pad: {', '.join(modes)})"


def formula_latex(r: Identification) -> str | None:
    """The identified operation in LaTeX (the scatter form of symconv's contraction, with the output range)."""
    if r.formula is None:
        return None
    return scatter(r.formula, fmt="latex") + r", \quad " + _ranges(r, "latex") + _pads(r, "latex")


def formula_text(r: Identification) -> str | None:
    """The identified operation as text, e.g. ``y[n] += x[n + k]·w[k],  0 ≤ n < N - K + 1``."""
    if r.formula is None:
        return None
    return scatter(r.formula, fmt="text") + ",  " + _ranges(r, "text") + _pads(r, "text")


def _value(v: Any) -> str:
    if isinstance(v, tuple):
        return "(" + ", ".join(_value(t) for t in v) + ")"
    if isinstance(v, sympy.Expr):
        return rule_text(v) or "?"
    return "—" if v is None else str(v)


def _fields(r: Identification) -> list[tuple[str, str]]:
    rows = [
        ("operation", _value(r.operation)),
        ("mode", _value(r.mode)),
        ("offset", _value(r.offset)),
        ("stride", _value(r.stride)),
        ("dilation", _value(r.dilation)),
        ("conjugate", _value(r.conjugate)),
        ("boundary", _value(r.boundary)),
    ]
    if r.ndim > 1:
        rows.append(("flip on every axis", _value(r.flip_every_axis)))
    rows += [("bilinear", _value(r.bilinear)), ("exact", _value(r.exact))]
    return rows


def summary(r: Identification) -> str:
    """Plain text: the verdict, the fields, per-axis windows, the formula and the evidence."""
    lines = [f"{r.target}: {r.description}"]
    lines += [f"  {k:<19}{v}" for k, v in _fields(r)]
    if r.ndim > 1 and r.axes:
        lines += [f"  axis {a.axis}{'':<13}{_axis_op(a)}; {axis_window(a)}" for a in r.axes]
    f = formula_text(r)
    if f:
        lines.append(f"  {'formula':<19}{f}")
    lines.append("evidence:")
    lines += [f"  - [{e.decides}] {e.probe} → {e.observed}: {e.shows}" for e in r.evidence]
    return "\n".join(lines)


def _axis_op(a: AxisInfo) -> str:
    return a.operation or "neither"


def markdown(r: Identification) -> str:
    """Markdown for Jupyter: verdict, field table, formula, per-axis table, evidence list."""
    out = [f"**`{r.target}`**: {r.description}", "", "| field | value |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in _fields(r)]
    latex = formula_latex(r)
    if latex:
        out += ["", f"$${latex}$$"]
    if r.ndim > 1 and r.axes:
        out += ["", "| axis | operation | window |", "|---|---|---|"]
        out += [f"| {a.axis} | {_axis_op(a)} | {axis_window(a)} |" for a in r.axes]
    if r.boundary in BOUNDARY_NAMES and r.boundary not in ("none",):
        out += ["", f"Boundary `{r.boundary}`: {BOUNDARY_NAMES[r.boundary]}."]
    out += ["", "Evidence:", ""]
    out += [f"- *{e.decides}*: `{e.probe}` → {e.observed}: {e.shows}" for e in r.evidence]
    return "\n".join(out)
