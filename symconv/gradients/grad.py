r"""Gradients, derived — never written down.

Two derivations of the same fact, for two scales:

* :func:`grad` differentiates a symbolic :class:`~symconv.Array` entry by
  entry (local reverse mode): for :math:`L = \sum_j g_j\, y_j`,

  .. math:: \frac{\partial L}{\partial x_m} = \sum_j g_j\, \frac{\partial y_j}{\partial x_m},

  where each :math:`\partial y_j / \partial x_m` differentiates ONE output
  entry (never one huge expression per variable): the sum and power rules on
  its monomials, ``sympy.diff`` for any other term.
* :func:`grad_contraction` derives the gradient of a multilinear
  :class:`~symconv.core.formula.Contraction` as re-labelled index structure: the
  factor for ``wrt`` is removed, its index becomes the result index, and the
  old result becomes the factor ``g``:

  .. math::

     y[\phi_0(v)] \mathrel{+}= x[\phi_x(v)]\, w[\phi_w(v)]
     \;\Longrightarrow\;
     \frac{\partial L}{\partial x}[\phi_x(v)] \mathrel{+}= g[\phi_0(v)]\, w[\phi_w(v)].

>>> import symconv
>>> x, w = symconv.symbols("x", 4), symconv.symbols("w", 2)
>>> grad(symconv.correlate(x, w), x).tolist()
[g_0*w_0, g_0*w_1 + g_1*w_0, g_1*w_1 + g_2*w_0, g_2*w_1]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import sympy

from symconv.arrays.array import Array, operand, symbols
from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, Factor, Operand
from symconv.core.latexsafe import check_name
from symconv.core.limits import guard
from symconv.core.numbers import shown
from symconv.core.public import public

__all__ = ["grad", "grad_contraction", "permute_operand", "reindex_operand", "rename_operands"]


@public
def grad_contraction(c: Contraction, wrt: str, upstream: str = "g", *, result: str | None = None) -> Contraction:
    r"""The gradient of :math:`L = \sum g \cdot c` with respect to operand ``wrt``, as a contraction.

    .. math::

       \frac{\partial L}{\partial\, \mathrm{wrt}}[\phi_{\mathrm{wrt}}(v)] \mathrel{+}=
       g[\phi_0(v)] \prod_{i \ne \mathrm{wrt}} \mathrm{operand}_i[\phi_i(v)]

    The roles swap: the factor reading ``wrt`` is removed and its index (and
    boundary fold, if any) becomes the result index; the old result becomes
    the factor ``upstream`` (first). The loop box is unchanged, so the
    gradient has exactly as many terms as the forward contraction.

    >>> from symconv.core.formula import ConvSpec, forward
    >>> gx = grad_contraction(forward(ConvSpec(input_size=(5,), kernel_size=(3,)))[0], "x")
    >>> gx.result.name, [str(a) for a in gx.result_index], [f.operand for f in gx.factors]
    ('grad_x', ['k0 + n0'], ['g', 'w'])

    Parameters
    ----------
    c : Contraction
        A multilinear contraction (``wrt`` read by exactly one factor).
    wrt : str
        The operand to differentiate with respect to.
    upstream : str
        Name of the upstream gradient operand (shape of ``c``'s result).
    result : str, optional
        Name of the gradient's result (default ``"grad_" + wrt``).

    See also
    --------
    grad, symconv.backward_rule
    """
    where = "grad_contraction"
    if not isinstance(wrt, str):
        raise SymconvError(f"{where}: `wrt` must be an operand name (str); got {shown(wrt)}")
    if not isinstance(c, Contraction):
        raise SymconvError(f"{where}: `c` must be a Contraction (symconv.core.formula.forward); got {type(c).__name__}")
    check_name(where, "name for `upstream`", upstream)
    if result is not None:
        check_name(where, "name for `result`", result)
    names = [op.name for op in c.operands]
    if wrt not in names:
        raise SymconvError(
            f"{where}: `wrt` (={shown(wrt)}) must be an operand of {shown(c.name)}; its operands are {names}"
        )
    if upstream in names:
        raise SymconvError(
            f"{where}: `upstream` (={shown(upstream)}) must not already be an operand of {shown(c.name)}"
        )
    hits = [i for i, f in enumerate(c.factors) if f.operand == wrt]
    if len(hits) != 1:
        raise SymconvError(
            f"{where}: the contraction must be multilinear in `wrt` (={shown(wrt)}): exactly one factor may read it; "
            f"got {len(hits)}"
        )
    fw = c.factors[hits[0]]
    if fw.conjugate:
        raise SymconvError(f"{where}: cannot differentiate with respect to the conjugated operand {shown(wrt)}")
    rest = tuple(f for i, f in enumerate(c.factors) if i != hits[0])
    g = Factor(upstream, c.result_index, boundary=c.result_boundary)
    w_op = c.operand(wrt)
    others = tuple(op for op in c.operands if op.name != wrt)
    params = dict(c.params)
    params.update({"gradient_of": c.name, "wrt": wrt})
    return Contraction(
        name=f"grad_{wrt}_{c.name}",
        result=Operand(result or f"grad_{wrt}", w_op.shape),
        result_index=fw.index,
        variables=c.variables,
        factors=(g, *rest),
        operands=(Operand(upstream, c.result.shape), *others),
        params=params,
        result_boundary=fw.boundary,
    )


def grad_contractions(terms: Sequence[Contraction], wrt: str, upstream: str = "g") -> tuple[Contraction, ...]:
    """:func:`grad_contraction` of every term that reads ``wrt`` (the others contribute zero)."""
    return tuple(grad_contraction(c, wrt, upstream) for c in terms if any(f.operand == wrt for f in c.factors))


# -- pure re-labelling helpers (no formula is written here) -------------------


def rename_operands(c: Contraction, mapping: Mapping[str, str]) -> Contraction:
    """Rename operands (and the result, if its name is a key of ``mapping``).

    >>> from symconv.core.formula import ConvSpec, forward
    >>> c = rename_operands(forward(ConvSpec(input_size=(3,), kernel_size=(2,)))[0], {"x": "g"})
    >>> [f.operand for f in c.factors]
    ['g', 'w']
    """

    def m(name: str) -> str:
        return mapping.get(name, name)

    return replace(
        c,
        result=Operand(m(c.result.name), c.result.shape),
        factors=tuple(replace(f, operand=m(f.operand)) for f in c.factors),
        operands=tuple(Operand(m(o.name), o.shape) for o in c.operands),
    )


def permute_operand(c: Contraction, name: str, axes: Sequence[int]) -> Contraction:
    """Read operand (or result) ``name`` through an axis permutation: the new axis ``i`` is old axis ``axes[i]``.

    >>> from symconv.core.formula import ConvSpec, forward
    >>> c = forward(ConvSpec(input_size=(3,), kernel_size=(2,), batch=1, channels=(1, 1)))[0]
    >>> permute_operand(c, "x", (1, 0, 2)).operand("x").shape
    (1, 1, 3)
    """
    axes = tuple(axes)
    if name == c.result.name:
        rb = c.result_boundary
        return replace(
            c,
            result=Operand(name, tuple(c.result.shape[a] for a in axes)),
            result_index=tuple(c.result_index[a] for a in axes),
            result_boundary=None if rb is None else tuple(rb[a] for a in axes),
        )
    factors = tuple(
        replace(
            f,
            index=tuple(f.index[a] for a in axes),
            boundary=None if f.boundary is None else tuple(f.boundary[a] for a in axes),
        )
        if f.operand == name
        else f
        for f in c.factors
    )
    ops = tuple(Operand(o.name, tuple(o.shape[a] for a in axes)) if o.name == name else o for o in c.operands)
    return replace(c, factors=factors, operands=ops)


def reindex_operand(
    c: Contraction, name: str, f: Callable[[tuple[Affine, ...]], tuple[Affine, ...]], shape: Sequence[Any] | None = None
) -> Contraction:
    """Replace the index tuple of operand (or result) ``name`` by ``f(index)`` (e.g. a flip or a channel offset)."""
    if name == c.result.name:
        res = c.result if shape is None else Operand(name, tuple(shape))
        return replace(c, result=res, result_index=f(c.result_index))
    factors = tuple(replace(x, index=f(x.index)) if x.operand == name else x for x in c.factors)
    ops = (
        c.operands
        if shape is None
        else tuple(Operand(o.name, tuple(shape)) if o.name == name else o for o in c.operands)
    )
    return replace(c, factors=factors, operands=ops)


# -- the symbolic route: differentiate entry by entry ---------------------------


@public
def grad(y: Any, wrt: Any, upstream: Any = None) -> Array:
    r"""Gradient of :math:`L = \sum_j \mathrm{upstream}_j\, y_j` with respect to every entry of ``wrt``.

    .. math:: \frac{\partial L}{\partial w_m} = \sum_j g_j\, \frac{\partial y_j}{\partial w_m}

    Derived by differentiation of each output entry that contains the
    variable (local reverse mode: the sum and power rules on its monomials,
    ``sympy.diff`` for any other term), so it works for any array
    built by symconv's operations — correlation, convolution, layers with
    stride, dilation, padding modes, channels, groups, batch and bias, and
    the transposed convolution.

    >>> import symconv
    >>> x, w = symconv.symbols("x", 5), symconv.symbols("w", 3)
    >>> y = symconv.correlate(x, w)
    >>> grad(y, w, upstream=[1, 2, 0]).subs(dict(zip(x.tolist(), [2, 1, 3, 5, 4]))).tolist()
    [4, 7, 13]

    Parameters
    ----------
    y : Array
        The output (any shape).
    wrt : Array
        Distinct sympy symbols; the result has its shape.
    upstream : array-like, optional
        :math:`\partial L/\partial y`, shaped like ``y``; default
        ``symbols("g", y.shape)``.

    See also
    --------
    grad_contraction, symconv.backward_rule
    """
    where = "grad"
    if not isinstance(y, Array):
        y = operand(where, "y", y)
    if not isinstance(wrt, Array):
        raise SymconvError(
            f"{where}: `wrt` must be a symconv Array of symbols (see symconv.symbols); got {type(wrt).__name__}"
        )
    wflat = list(wrt.numpy().flat)
    for e in wflat:
        if not isinstance(e, sympy.Symbol):
            raise SymconvError(f"{where}: every entry of `wrt` must be a sympy Symbol; got {shown(e)}")
    if len(set(wflat)) != len(wflat):
        raise SymconvError(f"{where}: the entries of `wrt` must be distinct symbols")
    if upstream is None:
        g = symbols("g", y.shape if y.ndim else 1).numpy().reshape(y.shape)
        clash = sorted(str(s) for s in set(g.flat) & (y.free_symbols | set(wflat)))
        if clash:
            raise SymconvError(
                f"{where}: the default upstream gradient symbols g_… already occur in `y` or `wrt` "
                f"({', '.join(clash[:3])}); pass `upstream` explicitly"
            )
    else:
        ga = operand(where, "upstream", upstream)
        if ga.shape != y.shape:
            raise SymconvError(f"{where}: `upstream` must have the shape of `y` (={y.shape}); got shape {ga.shape}")
        g = ga.numpy()
        inside = sorted((ga.free_symbols & set(wflat)), key=str)
        if inside:
            raise SymconvError(
                f"{where}: `upstream` must not contain the variables of `wrt` (it is dL/dy, held constant while "
                f"differentiating); it contains {', '.join(str(s) for s in inside[:3])}"
            )
    position = {s: i for i, s in enumerate(wflat)}
    terms = sum(len(sympy.Add.make_args(e)) for e in y.numpy().flat)
    guard(where, "symbolic_terms", terms, "symbolic terms in `y`", alternative=_GRAD_ALTERNATIVE)
    conjugated = sorted(
        {str(c.args[0]) for e in y.numpy().flat for c in e.atoms(sympy.conjugate) if c.args[0] in position}
    )
    if conjugated:
        raise SymconvError(
            f"{where}: `y` is not holomorphic in `wrt`: it contains conjugate({conjugated[0]}) "
            "(numpy/scipy correlate conjugate their second argument); declare the symbols real, "
            "e.g. symbols('v', n, real=True), to differentiate"
        )
    parts: list[list[sympy.Expr]] = [[] for _ in wflat]
    for yj, gj in zip(y.numpy().flat, g.flat):
        if gj == 0 or not (yj.free_symbols & position.keys()):
            continue
        for s, d in _partials(yj, position).items():
            # distribute over the terms of d (exact); _expanded_sum expands whatever is not a monomial
            parts[position[s]].extend(sympy.Mul(gj, t) for t in sympy.Add.make_args(d))
    out = np.empty(len(wflat), dtype=object)
    out[:] = [_expanded_sum(p) for p in parts]
    return Array._of(out.reshape(wrt.shape))


_GRAD_ALTERNATIVE = (
    "symconv.backward_rule derives the gradient of an operation once, as index structure, at any size; "
    "symconv.grad_contraction does the same for a contraction"
)


def _expanded_sum(terms: list[sympy.Expr]) -> sympy.Expr:
    """``expand(Add(*terms))``, skipping ``expand`` when every term already is a monomial."""
    total = sympy.Add(*terms) if terms else sympy.Integer(0)
    for t in sympy.Add.make_args(total):
        for f in sympy.Mul.make_args(t):
            atom = f.base if f.is_Pow and f.exp.is_Integer else f
            if not (atom.is_Symbol or atom.is_Number or atom is sympy.I):
                return sympy.expand(total)
    return total


def _partials(e: sympy.Expr, wrt: Mapping[sympy.Symbol, int]) -> dict[sympy.Symbol, sympy.Expr]:
    r"""Every non-zero :math:`\partial e/\partial s` for the symbols ``s`` of ``wrt`` in ``e``.

    The sum rule, then for each monomial the power rule
    :math:`\partial (c\, s^p\, r)/\partial s = p\, c\, s^{p-1} r`; any other
    term (a symbol of ``wrt`` inside a function or a non-integer power) is
    differentiated by ``sympy.diff``. Same result as ``sympy.diff`` per
    symbol, without its generic machinery on every (entry, symbol) pair.

    >>> a, b = sympy.symbols("a b")
    >>> sorted(_partials(3 * a**2 * b + b + 1, {a: 0, b: 1}).items(), key=str)
    [(a, 6*a*b), (b, 3*a**2 + 1)]
    """
    out: dict[sympy.Symbol, list[sympy.Expr]] = {}
    for term in sympy.Add.make_args(e):
        factors = sympy.Mul.make_args(term)
        simple = True
        powers: list[tuple[int, sympy.Symbol, int]] = []
        for i, f in enumerate(factors):
            base, p = f.as_base_exp()
            if base in wrt and p.is_Integer and p > 0:
                powers.append((i, base, int(p)))
            elif f.free_symbols & wrt.keys():
                simple = False
                break
        if not simple:
            for s in term.free_symbols & wrt.keys():
                d = sympy.diff(term, s)
                if d != 0:
                    out.setdefault(s, []).append(d)
            continue
        for i, s, p in powers:
            rest = factors[:i] + factors[i + 1 :]
            lowered = (s ** (p - 1),) if p > 1 else ()
            out.setdefault(s, []).append(sympy.Mul(p, *rest, *lowered))
    return {s: sympy.Add(*ds) for s, ds in out.items()}
