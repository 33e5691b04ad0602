r"""``derive``: a worked derivation of one operation, from its index formula.

Everything shown comes from the operation's :class:`~symconv.core.formula.Contraction`
(the one definition in ``symconv.core.formula``): the definition line is that
contraction printed with symbolic sizes; the expansion lists its terms as
:func:`~symconv.engines.terms.iter_terms` enumerates them; the matrix form places
the same terms in a matrix. Nothing here writes a formula of its own.

.. math::

    y[n] = \sum_{k=0}^{K-1} x[n + k]\, w[k]
    \quad\Longrightarrow\quad
    y = [x[0]\cdot w[0] + x[1]\cdot w[1],\ \dots]

>>> d = derive("convolve", [2, 1, 3, 5, 4], [1, -1], kernel_first=True)
>>> print(d.text())
y[n] = Σ_{k=0}^{K - 1} w[K - 1 - k]·x[n + k],  0 ≤ n < N - K + 1
y = [w[1]·x[0] + w[0]·x[1], w[1]·x[1] + w[0]·x[2], w[1]·x[2] + w[0]·x[3], w[1]·x[3] + w[0]·x[4]]
  = [(-1)·2 + 1·1, (-1)·1 + 1·3, (-1)·3 + 1·5, (-1)·5 + 1·4]
  = [-2 + 1, -1 + 3, -3 + 5, -5 + 4]
  = [-1, 2, 2, -1]
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from symconv.arrays.array import Array, operand
from symconv.arrays.ops import MODES, plain_spec
from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, ConvSpec, forward
from symconv.core.latexsafe import check_latex, check_text
from symconv.core.numbers import shown
from symconv.core.public import public
from symconv.core.validate import check_choice, check_expandable
from symconv.display.tree import (
    Chain,
    Indexed,
    Leaf,
    Matrix,
    Node,
    Product,
    Raw,
    Step,
    Sum,
    Vector,
    linear_size,
    loop_names,
    scatter,
    size_symbols,
)
from symconv.engines.terms import expand, iter_terms

__all__ = ["OPS", "Derivation", "backward_cells", "derive", "scatter_latex", "size_latex"]

#: Operations :func:`derive` knows, by name.
OPS = ("correlate", "convolve")


#: Parameters of the core operations that a hand-style derivation does not show, and what to use instead.
_NOT_SHOWN = {
    "padding_mode": "non-zero boundaries are not written out by hand; use symconv.correlate / ConvSpec.padding_mode",
    "groups": "channels and groups: use symconv.compat.torch.conv1d/conv2d and print its entries",
    "bias": "channels and bias: use symconv.compat.torch.conv1d/conv2d and print its entries",
}


def _op_name(op: Any) -> str:
    name = op if isinstance(op, str) else getattr(op, "__name__", repr(op))
    if name in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d"):
        raise SymconvError(
            f"derive: `op` must be one of {', '.join(map(repr, OPS))} (one channel, written out by hand); got "
            f"{shown(name)}: for layers with channels use symconv.compat.torch.{name} and print its entries"
        )
    return check_choice("derive", "op", name, OPS)


def size_latex(expr: sympy.Expr, order: Sequence[sympy.Symbol] = ()) -> str:
    """LaTeX of a size expression, linear parts in ``order`` (``N - K + 1``, not ``- K + N + 1``).

    >>> N, K = sympy.symbols("N K")
    >>> size_latex(N - K + 1, (N, K))
    'N - K + 1'
    """
    return linear_size(expr, order, "latex")


@dataclass(frozen=True)
class Derivation:
    r"""A worked derivation: definition, expansion, numbers substituted, result.

    Build one with :func:`derive`. Render with :meth:`latex` (``align*``),
    :meth:`markdown` (KaTeX-safe ``aligned``) or :meth:`text`; ``.matrix()``
    gives the operation's (doubly block) Toeplitz matrix.
    """

    op: str
    spec: ConvSpec
    contraction: Contraction
    x: Array
    w: Array
    result: Array
    steps: tuple[Step, ...]
    notation: str = "bracket"
    names: tuple[str, str, str] = ("x", "w", "y")

    # -- rendering ---------------------------------------------------------------
    def body(self, notation: str | None = None, *, definition: bool = True) -> str:
        """The LaTeX lines (``&=`` aligned) shared by :meth:`latex` and :meth:`markdown`.

        ``definition=False`` leaves out the first line (the index formula).
        """
        steps = self.steps if definition else self.steps[1:]
        return Chain(steps).latex(notation or self.notation)

    def latex(self, notation: str | None = None) -> str:
        r"""The derivation as a LaTeX ``align*`` environment (amsmath)."""
        return "\\begin{align*}\n" + self.body(notation) + "\n\\end{align*}"

    def markdown(self, notation: str | None = None) -> str:
        r"""The derivation as ``$$\begin{aligned}…\end{aligned}$$`` (renders with KaTeX and MathJax)."""
        return "$$\n\\begin{aligned}\n" + self.body(notation) + "\n\\end{aligned}\n$$"

    def text(self, notation: str | None = None) -> str:
        """The derivation as plain text."""
        return Chain(self.steps).text(notation or self.notation)

    def __str__(self) -> str:
        return self.text()

    def _repr_latex_(self) -> str:
        return "$$\\begin{aligned}\n" + self.body() + "\n\\end{aligned}$$"

    # -- matrix form -------------------------------------------------------------
    def matrix(self) -> sympy.Matrix:
        """The matrix ``T`` with ``y.flat = T @ x.flat``: Toeplitz (1-D) or doubly block Toeplitz (2-D).

        Built from the contraction's terms: term ``(r, i, j)`` adds ``w.flat[j]``
        to ``T[r, i]``. Non-square in 'valid' mode.
        """
        rows = int(np.prod(self.result.shape))
        T = sympy.zeros(rows, self.x.size)
        wf = self.w.numpy().reshape(-1)
        xi_pos = [f.operand for f in self.contraction.factors].index("x")
        wi_pos = [f.operand for f in self.contraction.factors].index("w")
        for t in iter_terms(self.contraction):
            for r, i, j in zip(t.result.tolist(), t.factors[xi_pos].tolist(), t.factors[wi_pos].tolist()):
                T[r, i] += wf[j]
        return T

    def matrix_step(self, notation: str | None = None) -> Step:
        """``y = T x`` as a display :class:`~symconv.display.tree.Step` (column vectors)."""
        T = self.matrix()
        xs = [[v] for v in self.x.numpy().reshape(-1)]
        ys = [[v] for v in self.result.numpy().reshape(-1)]
        lhs = Matrix(ys)
        return Step(
            lhs,
            Raw(
                Matrix(T.tolist()).latex() + " " + Matrix(xs).latex(),
                Matrix(T.tolist()).text() + " " + Matrix(xs).text(),
            ),
        )

    def matrix_latex(self, environment: str = "align*") -> str:
        """The matrix form ``y = T x`` as ``align*`` (or ``aligned`` inside ``$$``)."""
        body = Chain([self.matrix_step()]).latex(self.notation)
        if environment == "aligned":
            return "$$\n\\begin{aligned}\n" + body + "\n\\end{aligned}\n$$"
        return "\\begin{align*}\n" + body + "\n\\end{align*}"

    # -- backward table ----------------------------------------------------------
    def backward(self) -> Any:
        """The backward table of this operation: :func:`symconv.backward_rule` with the same sizes.

        Its ``.markdown()``/``.latex()`` render the table; every row is derived
        from the same forward formula and checked by exact instances.
        """
        try:
            rule = importlib.import_module("symconv").backward_rule
        except AttributeError:
            raise SymconvError(
                "derive: `backward` needs symconv.backward_rule (the gradients module), which this install lacks"
            ) from None
        s = self.spec
        ints = lambda t: tuple(int(v) for v in t)  # noqa: E731
        return rule(
            self.op,
            input_size=ints(s.input_size),
            kernel_size=ints(s.kernel_size),
            stride=ints(s.stride),  # type: ignore[arg-type]
            dilation=ints(s.dilation),  # type: ignore[arg-type]
            padding=tuple(zip(ints(s.pad_lo), ints(s.pad_hi))),  # type: ignore[arg-type]
        )


_GRADIENT_LATEX = {
    "x": r"\partial L/\partial x",
    "w": r"\partial L/\partial w",
    "b": r"\partial L/\partial\,\mathrm{bias}",
}
_VERIFIED = re.compile(r"^exact instance check at input sizes (.*) \((\d+) terms\)$")


def _verified_text(v: str) -> str:
    """``exact instance check at input sizes (5,), (6,) (72 terms)`` → ``… input sizes 5, 6 (72 terms)``."""
    m = _VERIFIED.match(v)
    if not m:
        return v
    sizes = re.sub(r"\((\d+),\)", r"\1", m.group(1))
    return f"exact instance check, input sizes {sizes} ({m.group(2)} terms)"


_GRADIENT_CELL = {"b": r"$\partial L/\partial\,\mathrm{bias}$"}


def scatter_latex(c: Contraction, result: str | None = None, notation: str = "bracket") -> str:
    r"""A contraction as the scatter loop a person writes: ``dx[n + k] += g[n]·w[k]``.

    The LaTeX of :func:`symconv.display.tree.scatter`: loop variables in loop order
    (``n + k``, never ``k + n``), a ``groups=1`` group index dropped.

    .. math:: \frac{\partial L}{\partial x}[n + k] \mathrel{+}= g[n] \cdot w[k]

    >>> from symconv import backward_rule
    >>> row = backward_rule("correlate", input_size=5, kernel_size=3).rows[0]
    >>> print(scatter_latex(row.derived[0], "dx"))
    dx[n + k] \mathrel{+}= g[n] \cdot w[k]
    """
    return scatter(c, result, notation, "latex")


def _param_text(v: Any) -> str:
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return _param_text(v[0])
        return "(" + ", ".join(_param_text(t) for t in v) + ")"
    return str(v)


def backward_cells(rule: Any, notation: str = "bracket") -> list[list[str]]:
    r"""The rows of a :class:`~symconv.BackwardRule` as table cells in the notes' markup.

    Columns: gradient, derived scatter formula (:func:`scatter_latex`), named
    operation, parameters, how it was verified, theorem.

    >>> from symconv import backward_rule
    >>> cells = backward_cells(backward_rule("correlate", input_size=5, kernel_size=3))
    >>> print(cells[1][1])
    $\partial L/\partial w[k] \mathrel{+}= g[n] \cdot x[n + k]$
    >>> cells[1][2]
    'valid correlation of x with g'
    """
    out = []
    for r in rule.rows:
        wrt = r.gradient.rsplit("d", 1)[-1]
        lhs = _GRADIENT_LATEX.get(wrt, rf"\partial L/\partial {wrt}")
        formula = r";\ ".join(scatter_latex(c, lhs, notation) for c in r.derived)
        params = ", ".join(f"{k}={_param_text(v)}" for k, v in r.parameters.items())
        out.append(
            [
                _GRADIENT_CELL.get(wrt, rf"$\partial L/\partial {wrt}$"),
                f"${formula}$",
                r.operation,
                params.replace("_", " ") if params else "—",
                _verified_text(r.verified),
                f"`{r.theorem}`" if r.theorem else "—",
            ]
        )
    return out


def _term_lists(c: Contraction) -> list[list[tuple[int, int]]]:
    """Per flat output position, the (x position, w position) pairs in loop order."""
    size = int(np.prod([int(v) for v in c.result.shape]))
    out: list[list[tuple[int, int]]] = [[] for _ in range(size)]
    xi = [f.operand for f in c.factors].index("x")
    wi = [f.operand for f in c.factors].index("w")
    for t in iter_terms(c):
        for r, i, j in zip(t.result.tolist(), t.factors[xi].tolist(), t.factors[wi].tolist()):
            out[r].append((i, j))
    return out


def _shape_node(items: list[Node], shape: tuple[int, ...], per_line: int | None) -> Node:
    if len(shape) == 1:
        return Vector(items, per_line=per_line if per_line is not None else _fit(items))
    return Matrix([items[r * shape[1] : (r + 1) * shape[1]] for r in range(shape[0])])


def _definition(
    op: str, spec: ConvSpec, names: tuple[str, str, str], kernel_first: bool, mode: str, explicit: bool
) -> Step:
    nd = spec.ndim
    N, K = size_symbols(nd)
    if explicit:
        lo: tuple[Any, ...] = tuple(spec.pad_lo)  # type: ignore[arg-type]
        hi: tuple[Any, ...] = tuple(spec.pad_hi)  # type: ignore[arg-type]
    else:
        span = [int(d) * (k - 1) for d, k in zip(spec.dilation, K)]  # type: ignore[arg-type]
        if mode == "valid":
            lo = hi = (0,) * nd
        elif mode == "full":
            lo = hi = tuple(span)
        else:
            lo = tuple(sympy.floor(t / 2) for t in span)
            hi = tuple(t - a for t, a in zip(span, lo))
    sym = ConvSpec(
        input_size=N, kernel_size=K, stride=spec.stride, dilation=spec.dilation, pad_lo=lo, pad_hi=hi, flip=spec.flip
    )
    c = forward(sym)[0]
    loop = loop_names(nd)
    order = [v.name for v in c.variables]
    xn, wn, yn = names
    fx = next(f for f in c.factors if f.operand == "x")
    fw = next(f for f in c.factors if f.operand == "w")
    ix = Indexed(xn, fx.index, names=loop, order=order)
    iw = Indexed(wn, fw.index, names=loop, order=order)
    prod = Product([iw, ix] if kernel_first else [ix, iw])
    kvars = [v for v in c.variables if v.name.startswith("k")]
    nvars = [v for v in c.variables if v.name.startswith("n")]
    sums_l = "".join(rf"\sum_{{{loop[v.name]}=0}}^{{{linear_size(v.extent - 1, N + K, 'latex')}}} " for v in kvars)
    sums_t = "".join(f"Σ_{{{loop[v.name]}=0}}^{{{linear_size(v.extent - 1, N + K, 'text')}}} " for v in kvars)
    bounds_l, bounds_t = [], []
    for i, v in enumerate(nvars):
        st = int(spec.stride[i])  # type: ignore[index]
        if st == 1:
            bounds_l.append(linear_size(v.extent, N + K, "latex"))
            bounds_t.append(linear_size(v.extent, N + K, "text"))
        else:
            num = N[i] + lo[i] + hi[i] - int(spec.dilation[i]) * (K[i] - 1) - 1  # type: ignore[index]
            bounds_l.append(rf"\left\lfloor \frac{{{linear_size(num, N + K, 'latex')}}}{{{st}}} \right\rfloor + 1")
            bounds_t.append(f"⌊({linear_size(num, N + K, 'text')})/{st}⌋ + 1")
    rng_l = r",\ ".join(rf"0 \le {loop[v.name]} < {b}" for v, b in zip(nvars, bounds_l))
    rng_t = ", ".join(f"0 ≤ {loop[v.name]} < {b}" for v, b in zip(nvars, bounds_t))
    lhs = Indexed(yn, [Affine.var(v.name) for v in nvars], names=loop)
    guard_l = (
        r"\\ &\qquad(\text{entries of } " + xn + r" \text{ outside its range are } 0)"
        if any(str(p) != "0" for p in lo)
        else ""
    )
    guard_t = f"  ({xn} = 0 outside its range)" if guard_l else ""
    return Step(lhs, _Definition(sums_l, sums_t, prod, rng_l + guard_l, rng_t + guard_t))


@dataclass(frozen=True, eq=False)
class _Definition(Node):
    """The definition's right-hand side, printed in either index notation."""

    sums_l: str
    sums_t: str
    prod: Product
    tail_l: str
    tail_t: str

    def latex(self, notation: str = "bracket") -> str:
        return self.sums_l + self.prod.latex(notation) + r",\qquad " + self.tail_l

    def text(self, notation: str = "bracket") -> str:
        return self.sums_t + self.prod.text(notation) + ",  " + self.tail_t


#: Printed characters that fit on one display line of the notes (the left-hand side included).
_DISPLAY_CHARS = 84


def _fit(items: list[Node]) -> int | None:
    """Entries per line so that a vector line fits the page: ``None`` when the whole line fits."""
    widths = [len(t.text()) + 2 for t in items]
    if not widths or sum(widths) + 8 <= _DISPLAY_CHARS:
        return None
    return max(1, (_DISPLAY_CHARS - 8) // max(widths))


def _label(label: Any) -> Raw | str | None:
    """``derive(label=...)``: None, a LaTeX fragment (also the text), or a (LaTeX, text) pair; all checked."""
    if label is None:
        return None
    if isinstance(label, str):
        return check_latex("derive", "label", label) or None
    if isinstance(label, tuple) and len(label) == 2 and all(isinstance(t, str) for t in label):
        return Raw(check_latex("derive", "label", label[0]), check_text("derive", "label", label[1]))
    raise SymconvError(f"derive: `label` must be None, a string or a (latex, text) pair of strings; got {shown(label)}")


def _is_number(e: Any) -> bool:
    return bool(as_expr(e).is_number)


@public
def derive(
    op: Any,
    x: Any,
    w: Any,
    mode: str = "valid",
    *,
    stride: Any = 1,
    dilation: Any = 1,
    padding: Any = None,
    kernel_first: bool = False,
    notation: str = "bracket",
    names: Sequence[str] = ("x", "w", "y"),
    label: str | tuple[str, str] | None = None,
    per_line: int | None = None,
    **params: Any,
) -> Derivation:
    r"""Derive ``op(x, w)`` index by index, from the operation's one index formula.

    .. math:: y[n] = \sum_k x[s\,n + d\,k - p_{lo}]\; w[k \text{ or } K-1-k]

    The lines are: the definition (the contraction printed with symbolic
    sizes ``N``, ``K``), the expansion in terms of entries, the entries
    substituted (unless ``x`` and ``w`` are distinct plain symbols), and — when
    they hold numbers — the products evaluated and the result.

    >>> print(derive("correlate", [2, 1, 3, 5, 4], [1, -1], kernel_first=True).steps[2].rhs)
    [1·2 + (-1)·1, 1·1 + (-1)·3, 1·3 + (-1)·5, 1·5 + (-1)·4]
    >>> derive("correlate", [1, 2], [3], notation="subscript").steps[1].rhs.latex("subscript")
    '[x_{0} \\cdot w_{0},\\ x_{1} \\cdot w_{0}]'

    Parameters
    ----------
    op : {'correlate', 'convolve'} or the function itself
    x, w : array-like or :class:`~symconv.Array`
        1-D or 2-D input and kernel (numbers, symbols, or a mix).
    mode, stride, dilation, padding :
        As in :func:`symconv.correlate`.
    kernel_first : bool
        Write each product kernel-first (``w·x``), as many hand computations do.
    notation : {'bracket', 'subscript'}
        ``x[n + k]`` or ``x_{n + k}``.
    names : (input, kernel, output) names used in the display.
    label : str or (latex, text), optional
        Left-hand side of the expansion (default: the output name).
    per_line : int, optional
        Break the expanded vectors after this many entries in LaTeX (default:
        as many as fit on a line of the notes, per line of the derivation).
    **params :
        Anything else (``padding_mode``, ``groups``, ``bias`` …) raises a
        :class:`~symconv.SymconvError` that names the parameter and what to use
        instead; channels belong to ``symconv.compat.torch``.

    See also
    --------
    symconv.correlate, symconv.convolve, Derivation.matrix
    """
    name = _op_name(op)
    for key in params:
        why = _NOT_SHOWN.get(key, "derive takes mode, stride, dilation, padding and the display options")
        raise SymconvError(f"derive: parameter `{key}` is not supported ({why}); got {key}={shown(params[key])}")
    if per_line is not None and (isinstance(per_line, bool) or not isinstance(per_line, int) or per_line < 1):
        raise SymconvError(f"derive: `per_line` must be None or an integer ≥ 1; got per_line={shown(per_line)}")
    if notation not in ("bracket", "subscript"):
        raise SymconvError(f"derive: `notation` must be 'bracket' or 'subscript'; got {shown(notation)}")
    if (
        isinstance(names, str)
        or not isinstance(names, Sequence)
        or len(names) != 3
        or not all(isinstance(s, str) and s for s in names)
    ):
        raise SymconvError(
            f"derive: `names` must be three non-empty strings (input, kernel, output); got {shown(names)}"
        )
    for text in names:
        check_latex("derive", "names", text)
    lhs_label = _label(label)
    if not isinstance(kernel_first, (bool, np.bool_)):
        raise SymconvError(f"derive: `kernel_first` must be True or False; got {shown(kernel_first)}")
    check_choice("derive", "mode", mode, MODES)
    xa, wa = operand("derive", "x", x), operand("derive", "w", w)
    if xa.ndim > 2:
        raise SymconvError(f"derive: `x` must be 1-D or 2-D for a hand-style derivation; got x.ndim={xa.ndim}")
    spec = plain_spec(name, xa, wa, mode, stride, dilation, padding, flip=name == "convolve")
    check_expandable("derive", forward(spec))
    c = forward(spec)[0]
    nm = (names[0], names[1], names[2])
    steps: list[Step] = [_definition(name, spec, nm, kernel_first, mode, padding is not None)]
    terms = _term_lists(c)
    shape = tuple(int(v) for v in c.result.shape)
    xshape, wshape = xa.shape, wa.shape
    xf, wf = xa.numpy().reshape(-1), wa.numpy().reshape(-1)

    def pair(a: Node, b: Node) -> Product:
        return Product([b, a] if kernel_first else [a, b])

    sym_items: list[Node] = [
        Sum(
            [
                pair(Indexed(nm[0], np.unravel_index(i, xshape)), Indexed(nm[1], np.unravel_index(j, wshape)))
                for i, j in t
            ]
        )
        for t in terms
    ]
    steps.append(Step(lhs_label or nm[2], _shape_node(sym_items, shape, per_line)))
    result = Array._of(expand(forward(spec), {"x": xa.numpy(), "w": wa.numpy()}))
    numeric = all(_is_number(v) for v in xf) and all(_is_number(v) for v in wf)
    plain = all(isinstance(v, sympy.Symbol) for v in (*xf, *wf)) and len(set(xf) | set(wf)) == len(xf) + len(wf)
    if not plain:
        subst = [Sum([pair(Leaf(xf[i]), Leaf(wf[j])) for i, j in t]) for t in terms]
        steps.append(Step(None, _shape_node(list(subst), shape, per_line)))
    if numeric:
        prods = [Sum([Leaf(xf[i] * wf[j]) for i, j in t]) for t in terms]
        if any(len(t) > 1 for t in terms):
            steps.append(Step(None, _shape_node(list(prods), shape, per_line)))
        steps.append(Step(None, _shape_node([Leaf(v) for v in result.numpy().reshape(-1)], shape, per_line)))
    return Derivation(name, spec, c, xa, wa, result, tuple(steps), notation, nm)
