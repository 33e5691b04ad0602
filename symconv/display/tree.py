r"""Hand-style arithmetic: a tiny display layer printing LaTeX and plain text.

A person writes ``(-1)·2 + 1·1``, not sympy's ``-2 + 1`` collapsed to ``-1``.
Unevaluated sympy trees cannot be trusted to keep such a form (DESIGN.md §5),
so the structure lives here — :class:`Product`, :class:`Sum`,
:class:`Vector`, :class:`Matrix`, :class:`Indexed`, :class:`Step` — and
``sympy.latex`` is called only for the leaves.

.. math:: [(-1)\cdot 2 + 1\cdot 1,\ (-1)\cdot 1 + 1\cdot 3] = [-1,\ 2]

>>> row = Vector([Sum([Product([-1, 2]), Product([1, 1])]), Sum([Product([-1, 1]), Product([1, 3])])])
>>> print(row)
[(-1)·2 + 1·1, (-1)·1 + 1·3]
>>> print(Chain([Step(None, row), Step(None, Vector([-1, 2]))]).text())
[(-1)·2 + 1·1, (-1)·1 + 1·3] = [-1, 2]

Index maps print in the notes' notation, a setting (``"bracket"``:
``x[n + k]``, or ``"subscript"``: ``x_{n+k}``), variables in loop order then
the constant:

>>> from symconv.core.affine import Affine
>>> n, k = Affine.var("n0"), Affine.var("k0")
>>> print(Indexed("x", (n + k,), names={"n0": "n", "k0": "k"}))
x[n + k]
>>> Indexed("x", (n + k,), names={"n0": "n", "k0": "k"}).latex(notation="subscript")
'x_{n + k}'

See also
--------
symconv.derive : a whole derivation built from these pieces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from symconv.arrays.array import _entry
from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.latexsafe import check_latex
from symconv.core.numbers import shown
from symconv.core.public import public

__all__ = [
    "NOTATIONS",
    "Chain",
    "Indexed",
    "Leaf",
    "Matrix",
    "Node",
    "Product",
    "Raw",
    "Step",
    "Sum",
    "Vector",
    "entry_latex",
    "entry_text",
    "format_index",
    "loop_names",
    "node",
    "scatter",
]

#: Index notations: ``x[n + k]`` or ``x_{n + k}``.
NOTATIONS = ("bracket", "subscript")

_SUM, _PRODUCT, _ATOM = 1, 2, 3


def _check_notation(notation: str) -> str:
    if notation not in NOTATIONS:
        raise SymconvError(
            f"display: `notation` must be one of {', '.join(map(repr, NOTATIONS))}; got {shown(notation)}"
        )
    return notation


class Node:
    """A displayable piece of hand-written mathematics."""

    precedence = _ATOM

    def latex(self, notation: str = "bracket") -> str:
        """LaTeX source (math mode)."""
        raise NotImplementedError

    def text(self, notation: str = "bracket") -> str:
        """Plain text (Unicode ``·``, ``Σ``)."""
        raise NotImplementedError

    def is_negative(self) -> bool:
        """True when the printed form starts with a minus sign."""
        return False

    def negated(self) -> Node:
        """The node with its leading sign removed (only for negative nodes)."""
        raise SymconvError(f"display: cannot negate {type(self).__name__}")

    def __str__(self) -> str:
        return self.text()

    def _repr_latex_(self) -> str:
        return "$" + self.latex() + "$"


# Entry symbols made by ``symconv.symbols``: ``x_3`` (1-D) and ``w_{0,1}`` (N-D).
_ENTRY = re.compile(r"^([a-z][A-Za-z]*)_(?:(\d+)|\{(\d+(?:,\d+)*)\})$")


def _entry_names(expr: sympy.Basic, notation: str, latex: bool = True) -> dict[sympy.Symbol, str]:
    """LaTeX names of the array-entry symbols in ``expr`` for ``notation`` (``x_3`` → ``x[3]``)."""
    out: dict[sympy.Symbol, str] = {}
    for s in expr.free_symbols:
        m = _ENTRY.match(str(s))
        if m:
            idx = (m.group(2) or m.group(3)).split(",")
            name = m.group(1)
            base = rf"\mathrm{{{name}}}" if latex and len(name) > 1 else name  # bias[0], not b·i·a·s
            out[s] = f"{base}[{', '.join(idx)}]" if notation == "bracket" else f"{base}_{{{','.join(idx)}}}"
    return out  # type: ignore[return-value]


def entry_latex(expr: Any, notation: str = "bracket") -> str:
    r"""LaTeX of a sympy expression whose array entries print in the notes' index notation.

    Entries of :func:`symconv.symbols` arrays (``x_3``, ``w_{0,1}``; lower-case
    names) print as ``x[3]``, ``w[0, 1]`` (``"bracket"``) or ``x_{3}``,
    ``w_{0,1}`` (``"subscript"``); everything else is ``sympy.latex``.

    >>> x0, w1 = sympy.symbols("x_0 w_1")
    >>> entry_latex(2 * x0 * w1)
    '2 w[1] x[0]'
    >>> entry_latex(2 * x0 * w1, "subscript")
    '2 w_{1} x_{0}'
    """
    _check_notation(notation)
    e = _entry(expr, exact=False, where="entry_latex: `expr`")
    return sympy.latex(e, symbol_names=_entry_names(e, notation))


def entry_text(expr: Any, notation: str = "bracket") -> str:
    """Plain-text counterpart of :func:`entry_latex` (``x[3]`` or ``x_3``).

    >>> entry_text(sympy.Symbol("w_{0,1}") + 1)
    'w[0, 1] + 1'
    """
    _check_notation(notation)
    e = _entry(expr, exact=False, where="entry_text: `expr`")
    if notation == "subscript":
        return str(e)
    names = _entry_names(e, notation, latex=False)
    return str(e.xreplace({s: sympy.Symbol(n) for s, n in names.items()}))


def node(value: Any) -> Node:
    """``value`` as a :class:`Node` (numbers and sympy expressions become :class:`Leaf`)."""
    if isinstance(value, Node):
        return value
    return Leaf(value)


@dataclass(frozen=True, eq=False)
class Leaf(Node):
    """A number or sympy expression, printed by ``sympy.latex`` / ``str``; array entries
    (``x_3``) in the index notation (:func:`entry_latex`)."""

    value: Any

    def __post_init__(self) -> None:
        v = self.value
        if isinstance(v, str):
            raise SymconvError("display: a Leaf takes a number or a sympy expression, not a string")
        object.__setattr__(self, "value", v if isinstance(v, sympy.Basic) else _entry(v, exact=False, where="display"))

    @property
    def precedence(self) -> int:  # type: ignore[override]
        v = self.value
        if isinstance(v, sympy.Add) or (v.is_number and not v.is_real):
            return _SUM
        if isinstance(v, sympy.Mul) or (v.is_Rational and not v.is_Integer):
            return _PRODUCT
        return _ATOM

    def is_negative(self) -> bool:
        v = self.value
        if v.is_number and v.is_real:
            return bool(v < 0)
        return bool(isinstance(v, sympy.Mul) and v.could_extract_minus_sign())

    def negated(self) -> Node:
        return Leaf(-self.value)

    def latex(self, notation: str = "bracket") -> str:
        return entry_latex(self.value, notation)

    def text(self, notation: str = "bracket") -> str:
        return entry_text(self.value, notation)


def _wrap(n: Node, inner: str, fmt: str) -> str:
    return f"\\left({inner}\\right)" if fmt == "latex" else f"({inner})"


@dataclass(frozen=True, eq=False)
class Product(Node):
    """``a·b·c`` with negative or compound factors in parentheses: ``(-1)·2``."""

    factors: Sequence[Any]
    precedence = _PRODUCT

    def __post_init__(self) -> None:
        object.__setattr__(self, "factors", tuple(node(f) for f in self.factors))
        if not self.factors:
            raise SymconvError("display: a Product needs at least one factor")

    def _parts(self, fmt: str, notation: str) -> list[str]:
        out = []
        for f in self.factors:
            s = f.latex(notation) if fmt == "latex" else f.text(notation)
            frac = fmt == "latex" and isinstance(f, Leaf) and f.value.is_Rational
            if (f.precedence <= _PRODUCT and len(self.factors) > 1 and not frac) or f.is_negative():
                s = f"({s})"
            out.append(s)
        return out

    def latex(self, notation: str = "bracket") -> str:
        return r" \cdot ".join(self._parts("latex", notation))

    def text(self, notation: str = "bracket") -> str:
        return "·".join(self._parts("text", notation))


@dataclass(frozen=True, eq=False)
class Sum(Node):
    """``a + b - c``: a negative number after the first term prints as ``- c``.

    Products keep their own parentheses, so ``(-1)·2 + 1·1`` stays as written.
    """

    terms: Sequence[Any]
    precedence = _SUM

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(node(t) for t in self.terms))

    def _render(self, fmt: str, notation: str) -> str:
        if not self.terms:
            return "0"
        pieces: list[str] = []
        for i, t in enumerate(self.terms):
            neg = i > 0 and isinstance(t, Leaf) and t.is_negative()
            body = t.negated() if neg else t
            s = body.latex(notation) if fmt == "latex" else body.text(notation)
            if i > 0 and body.precedence <= _SUM:
                s = f"({s})"
            pieces.append(s if i == 0 else (" - " if neg else " + ") + s)
        return "".join(pieces)

    def is_negative(self) -> bool:
        return False

    def latex(self, notation: str = "bracket") -> str:
        return self._render("latex", notation)

    def text(self, notation: str = "bracket") -> str:
        return self._render("text", notation)


@dataclass(frozen=True, eq=False)
class Vector(Node):
    """``[a, b, c]``; with ``per_line`` the LaTeX breaks after that many entries
    (for use inside ``align*``/``aligned``)."""

    items: Sequence[Any]
    per_line: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(node(t) for t in self.items))

    def latex(self, notation: str = "bracket") -> str:
        parts = [t.latex(notation) for t in self.items]
        if self.per_line and len(parts) > self.per_line:
            rows = [r",\ ".join(parts[i : i + self.per_line]) for i in range(0, len(parts), self.per_line)]
            return "[" + r",\\ &\qquad ".join(rows) + "]"
        return "[" + r",\ ".join(parts) + "]"

    def text(self, notation: str = "bracket") -> str:
        return "[" + ", ".join(t.text(notation) for t in self.items) + "]"


@dataclass(frozen=True, eq=False)
class Matrix(Node):
    """A matrix of nodes: ``bmatrix`` in LaTeX, rows in brackets in text."""

    rows: Sequence[Sequence[Any]]

    def __post_init__(self) -> None:
        rows = tuple(tuple(node(v) for v in r) for r in self.rows)
        if not rows or len({len(r) for r in rows}) != 1:
            raise SymconvError("display: a Matrix needs non-empty rows of equal length")
        object.__setattr__(self, "rows", rows)

    def latex(self, notation: str = "bracket") -> str:
        body = r" \\ ".join(" & ".join(v.latex(notation) for v in r) for r in self.rows)
        return r"\begin{bmatrix} " + body + r" \end{bmatrix}"

    def text(self, notation: str = "bracket") -> str:
        return "[" + ", ".join("[" + ", ".join(v.text(notation) for v in r) + "]" for r in self.rows) + "]"


def _coeff_parts(c: sympy.Expr, fmt: str) -> tuple[bool, str]:
    """Sign and printed magnitude of an affine coefficient (``''`` for 1)."""
    neg = bool(c.could_extract_minus_sign())
    mag = -c if neg else c
    if mag == 1:
        return neg, ""
    s = sympy.latex(mag) if fmt == "latex" else str(mag)
    if isinstance(mag, sympy.Add):
        s = f"({s})"
    return neg, s


#: Loop order used when none is given: batch, group, channels, outputs, inputs, taps.
_LOOP_PREFIXES = ("b", "grp", "o", "c", "n", "m", "k")


def _default_rank(v: str) -> tuple[int, str]:
    for i, p in enumerate(_LOOP_PREFIXES):
        if v == p or (v.startswith(p) and v[len(p) :].isdigit()):
            return i, v
    return len(_LOOP_PREFIXES), v


def _constant(c: sympy.Expr, fmt: str) -> str:
    """A size term of an index: ``⌊(K - 1)/2⌋`` as a person writes it, else sympy's printing."""
    if isinstance(c, (sympy.floor, sympy.ceiling)):
        num, den = sympy.fraction(sympy.together(c.args[0]))
        top = format_index(Affine.constant(sympy.expand(num)), fmt=fmt)
        if fmt == "latex":
            left, right = ("lfloor", "rfloor") if isinstance(c, sympy.floor) else ("lceil", "rceil")
            return rf"\left\{left} \frac{{{top}}}{{{sympy.latex(den)}}} \right\{right}"
        left, right = ("⌊", "⌋") if isinstance(c, sympy.floor) else ("⌈", "⌉")
        return f"{left}({top})/{den}{right}"
    return sympy.latex(c) if fmt == "latex" else str(c)


@public
def format_index(
    a: Affine | int | sympy.Expr,
    names: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    fmt: str = "text",
) -> str:
    r"""Print an affine index map: loop variables in ``order``, then the constant.

    When every variable has a negative coefficient the constant goes first,
    as a person writes a flip: ``K - 1 - k``.

    >>> n, k = Affine.var("n"), Affine.var("k")
    >>> format_index(2 * n + k - 1, order=["n", "k"])
    '2n + k - 1'
    >>> K = sympy.Symbol("K")
    >>> format_index(Affine.constant(K - 1) - k, fmt="latex")
    'K - 1 - k'
    """
    if not isinstance(a, Affine):
        a = Affine.constant(a if isinstance(a, sympy.Expr) else int(a))
    names = names or {}
    variables = list(a.variables)
    if order is not None:
        rank = {v: i for i, v in enumerate(order)}
        variables.sort(key=lambda v: (rank.get(v, len(rank)), v))
    else:
        variables.sort(key=_default_rank)
    terms: list[tuple[bool, str]] = []
    for v in variables:
        neg, mag = _coeff_parts(a.coeff(v), fmt)
        name = names.get(v, v)
        sep = r"\," if fmt == "latex" and mag and not mag.isdigit() and not mag.endswith(")") else ""
        if fmt == "text" and mag and not mag.isdigit() and not mag.endswith(")"):
            sep = "·"
        terms.append((neg, f"{mag}{sep}{name}"))
    const = a.const
    cterms: list[tuple[bool, str]] = []
    if const != 0:
        for t in sympy.Add.make_args(const) if isinstance(const, sympy.Add) else (const,):
            neg = bool(t.could_extract_minus_sign())
            mag = -t if neg else t
            cterms.append((neg, _constant(mag, fmt)))
        # sympy orders symbols before numbers only sometimes; put numbers last
        cterms.sort(key=lambda p: p[1].lstrip("-").isdigit())
    if terms and all(neg for neg, _ in terms) and cterms and not cterms[0][0]:
        seq = cterms + terms
    else:
        seq = terms + cterms
    if not seq:
        return "0"
    out = ("-" if seq[0][0] else "") + seq[0][1]
    for neg, s in seq[1:]:
        out += (" - " if neg else " + ") + s
    return out


@dataclass(frozen=True, eq=False)
class Indexed(Node):
    """``name[i, j]`` (``"bracket"``) or ``name_{i, j}`` (``"subscript"``).

    ``indices`` are :class:`~symconv.core.affine.Affine` maps or integers;
    ``names`` renames loop variables, ``order`` is the loop order.
    """

    name: str
    indices: Sequence[Any]
    names: Mapping[str, str] = field(default_factory=dict)
    order: Sequence[str] | None = None
    conjugate: bool = False

    def __post_init__(self) -> None:
        check_latex("display.Indexed", "name", self.name)

    def _idx(self, fmt: str) -> list[str]:
        return [format_index(i, self.names, self.order, fmt) for i in self.indices]

    def latex(self, notation: str = "bracket") -> str:
        _check_notation(notation)
        base = rf"\overline{{{self.name}}}" if self.conjugate else self.name
        idx = ", ".join(self._idx("latex"))
        return f"{base}[{idx}]" if notation == "bracket" else f"{base}_{{{idx}}}"

    def text(self, notation: str = "bracket") -> str:
        _check_notation(notation)
        base = f"conj({self.name})" if self.conjugate else self.name
        idx = ", ".join(self._idx("text"))
        return f"{base}[{idx}]" if notation == "bracket" else f"{base}_{{{idx}}}"


@dataclass(frozen=True, eq=False)
class Raw(Node):
    """Pre-rendered pieces (``latex``, ``text``) for symbols such as ``Σ_k``."""

    latex_src: str
    text_src: str
    precedence = _ATOM

    def latex(self, notation: str = "bracket") -> str:
        return self.latex_src

    def text(self, notation: str = "bracket") -> str:
        return self.text_src


@dataclass(frozen=True, eq=False)
class Step(Node):
    """One line of a chain: ``lhs = rhs`` justified by ``rule`` (``lhs`` None: continue)."""

    lhs: Any
    rhs: Any
    rule: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "rhs", node(self.rhs))
        if isinstance(self.lhs, str):
            object.__setattr__(self, "lhs", Raw(self.lhs, self.lhs))
        elif self.lhs is not None:
            object.__setattr__(self, "lhs", node(self.lhs))

    def latex(self, notation: str = "bracket") -> str:
        return Chain([self]).latex(notation)

    def text(self, notation: str = "bracket") -> str:
        return Chain([self]).text(notation)


def _rule_latex(rule: str) -> str:
    safe = rule.replace("\\", "").replace("{", "").replace("}", "").replace("_", r"\_").replace("&", r"\&")
    return rf"\qquad\text{{[{safe}]}}"


@dataclass(frozen=True, eq=False)
class Chain(Node):
    """Equal-sign chain of :class:`Step` lines; LaTeX body for ``align*``/``aligned``."""

    steps: Sequence[Step]

    def latex(self, notation: str = "bracket") -> str:
        from symconv.core.fit import DISPLAY_WIDTH, break_line, latex_width

        lines = []
        for i, st in enumerate(self.steps):
            lhs = st.lhs.latex(notation) + " " if st.lhs is not None else ""
            rel = "&= " if (i > 0 or st.lhs is not None) else "&"
            room = DISPLAY_WIDTH - latex_width(lhs) - 2
            rhs = st.rhs
            if isinstance(rhs, Matrix) and latex_width(rhs.latex(notation)) > room:
                rhs = Vector([Vector(r) for r in rhs.rows])  # a bmatrix cannot break: nested lists can
            line = f"{lhs}{rel}{break_line(rhs.latex(notation), room)}"
            if st.rule:
                line += _rule_latex(st.rule)
            lines.append(line)
        return " \\\\\n".join(lines)

    def text(self, notation: str = "bracket") -> str:
        """Plain text, each line cut to ``TEXT_WIDTH`` (100) columns after commas or before signs."""
        from symconv.core.fit import TEXT_WIDTH, break_text

        out: list[str] = []
        pad = 0
        for i, st in enumerate(self.steps):
            rule = f"    [{st.rule}]" if st.rule else ""
            if st.lhs is not None:
                lhs = st.lhs.text(notation)
                pad = len(lhs)
                out.append(f"{lhs} = {st.rhs.text(notation)}{rule}")
            elif i == 0:
                out.append(f"{st.rhs.text(notation)}{rule}")
            elif pad:
                out.append(f"{' ' * pad} = {st.rhs.text(notation)}{rule}")
            else:
                out[-1] += f" = {st.rhs.text(notation)}{rule}"
        return "\n".join(ln for line in out for ln in break_text(line, TEXT_WIDTH, pad + 4))


# -- contractions as scatter loops ------------------------------------------------


def loop_names(ndim: int) -> dict[str, str]:
    """Display names of a contraction's loop variables: ``n``, ``k`` in 1-D; ``n_0``, ``k_0``, … in N-D.

    >>> loop_names(1), loop_names(2)["k1"]
    ({'n0': 'n', 'k0': 'k'}, 'k_1')
    """
    if ndim == 1:
        return {"n0": "n", "k0": "k"}
    out = {}
    for i in range(ndim):
        out[f"n{i}"] = f"n_{i}"
        out[f"k{i}"] = f"k_{i}"
    return out


def scatter(c: Any, result: str | tuple[str, str] | None = None, notation: str = "bracket", fmt: str = "latex") -> str:
    r"""A contraction (:class:`symconv.core.formula.Contraction`) as the scatter loop a person writes.

    .. math:: r[\phi_0(v)] \mathrel{+}= \prod_i a_i[\phi_i(v)]
              \quad (v \in \text{box, every index in range})

    Loop variables print in loop order (batch, group, channels, outputs, taps:
    ``n + k``, never ``k + n``); a group index that only takes the value 0
    (``groups=1``) is dropped; a padded read shows as ``pad(x)[…]`` and a
    folded result as ``fold(…)``. ``result`` renames the result: a name, or a
    ``(latex, text)`` pair such as ``(r"\frac{\partial L}{\partial x}", "dL/dx")``.
    ``fmt`` is ``"latex"`` or ``"text"``.

    >>> from symconv.core.formula import ConvSpec, forward
    >>> scatter(forward(ConvSpec(input_size=(5,), kernel_size=(3,), stride=(2,)))[0], fmt="text")
    'y[n] += x[2n + k]·w[k]'
    """
    if fmt not in ("latex", "text"):
        raise SymconvError(f"display: `fmt` must be 'latex' or 'text'; got {shown(fmt)}")
    nd = sum(1 for v in c.variables if v.name.startswith("n") and v.name[1:].isdigit())
    names = loop_names(max(nd, 1))
    zero = {v.name: Affine.constant(0) for v in c.variables if v.name == "grp" and v.extent == 1}
    order = [v.name for v in c.variables]

    def render(name: str, index: Sequence[Affine], conjugate: bool = False) -> str:
        idx = [i.substitute(zero) for i in index] if zero else list(index)
        ix = Indexed(name, idx, names=names, order=order, conjugate=conjugate)
        return ix.latex(notation) if fmt == "latex" else ix.text(notation)

    def padded(name: str, boundary: Any) -> str:
        if not boundary or all(b is None for b in boundary):
            return name
        return rf"\operatorname{{pad}}({name})" if fmt == "latex" else f"pad({name})"

    if isinstance(result, tuple):
        label = result[0] if fmt == "latex" else result[1]
    else:
        label = result or c.result.name
    lhs = render(label, c.result_index)
    if c.result_boundary and any(b is not None for b in c.result_boundary):
        lhs = rf"\operatorname{{fold}}({lhs})" if fmt == "latex" else f"fold({lhs})"
    factors = [render(padded(f.operand, f.boundary), f.index, f.conjugate) for f in c.factors]
    if fmt == "latex":
        return lhs + r" \mathrel{+}= " + r" \cdot ".join(factors)
    return lhs + " += " + "·".join(factors)


# -- sizes ---------------------------------------------------------------------------


def size_symbols(ndim: int) -> tuple[tuple[sympy.Symbol, ...], tuple[sympy.Symbol, ...]]:
    """The size symbols of the notes: ``N``, ``K`` in 1-D, ``N_0, N_1, …`` and ``K_0, K_1, …`` in N-D.

    >>> size_symbols(1), size_symbols(2)[0]
    (((N,), (K,)), (N_0, N_1))
    """
    if ndim == 1:
        return (sympy.Symbol("N", integer=True, positive=True),), (sympy.Symbol("K", integer=True, positive=True),)
    ns = tuple(sympy.Symbol(f"N_{i}", integer=True, positive=True) for i in range(ndim))
    ks = tuple(sympy.Symbol(f"K_{i}", integer=True, positive=True) for i in range(ndim))
    return ns, ks


def linear_size(expr: sympy.Expr, order: Sequence[sympy.Symbol], fmt: str) -> str:
    """Print ``expr`` linear in size symbols in ``order`` (``N - K + 1``), else via sympy."""
    expr = sympy.expand(expr)
    fallback = sympy.latex(expr) if fmt == "latex" else str(expr)
    syms = sorted(expr.free_symbols, key=str)
    if expr.is_Integer or not expr.is_polynomial(*syms):
        return fallback
    if any(sympy.Poly(expr, *syms).degree(s) > 1 for s in syms):
        return fallback
    coeffs = {str(s): expr.coeff(s) for s in expr.free_symbols}
    if any(c.free_symbols for c in coeffs.values()):
        return sympy.latex(expr) if fmt == "latex" else str(expr)
    const = expr.subs({s: 0 for s in expr.free_symbols})
    a = Affine._make({k: v for k, v in coeffs.items()}, const)
    names = {str(s): sympy.latex(s) for s in syms} if fmt == "latex" else None
    return format_index(a, names=names, order=[str(s) for s in order], fmt=fmt)
