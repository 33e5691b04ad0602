"""Algebra: the adjoint, commutativity, the flip under swapping, associativity, and the Toeplitz structure."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.formula import (
    Contraction,
    ConvSpec,
    Operand,
    forward,
)
from symconv.gradients.grad import grad_contraction
from symconv.proofs._contract import Read, Recipe
from symconv.proofs._iverson import (
    Context,
    Derivative,
    Expr,
    Sum,
    Term,
    contraction_sum,
    inner_sum,
)
from symconv.proofs._params import _int
from symconv.proofs._parts import Deriver, Part
from symconv.proofs._registry import _CONV, Plan, register
from symconv.proofs.library._common import (
    _conv_params,
    _in,
    _names,
    _primed,
    _rename,
    _standard,
    _syms,
    _vars,
)
from symconv.proofs.library.gradients import _full_claim, _full_contraction

# -- adjoint and algebra ---------------------------------------------------------------


_ADJOINT = ("ndim", "padding", "in_channels", "out_channels", "groups")


@register(
    "correlate_adjoint_is_full_convolution",
    "⟨correlate(x, w), g⟩ = ⟨x, convolve_full(g, w)⟩ (valid correlation; its adjoint is full convolution, "
    "cropped by the padding; channels: over output channels with the weight's channel axes swapped)",
    _ADJOINT,
    {
        "no_flip": "the adjoint is taken to be full correlation",
        "off_by_one": "x is paired one position off",
        "wrong_mode": "the adjoint is taken to be a valid-mode convolution",
        "wrong_channel_transpose": "the adjoint reads the weight without swapping its channel axes",
    },
)
def _t_adjoint(params: Mapping[str, Any], variant: str | None) -> Plan:
    name = "correlate_adjoint_is_full_convolution"
    cv = _conv_params(name, params, _ADJOINT)
    ctx = Context(cv.params, (), tuple(cv.size_assumptions()))
    lhs = inner_sum(forward(cv.spec())[0], "g")
    m = _vars("m", cv.nd)
    names = list(_names("m", cv.nd))
    index: tuple[Affine, ...] = m
    ranges = [c for a, n in zip(m, cv.N) for c in _in(a, n)]
    if cv.channels:
        ci = Affine.var("ci")
        names.insert(0, "ci")
        index = (ci, *m)
        ranges += _in(ci, cv.cin)
    lead = len(index) - cv.nd
    at = (*index[:lead], *(a + cv.p for a in index[lead:]))
    inner = _full_claim(
        cv,
        variant != "no_flip",
        at,
        swap=variant != "wrong_channel_transpose",
        mode="valid" if variant == "wrong_mode" else "full",
    )
    shift = 1 if variant == "off_by_one" else 0
    paired = (*index[:lead], *(a + shift for a in index[lead:]))
    rhs = Sum((*names, *inner.variables), inner.guard + tuple(ranges), (Term("x", paired), *inner.factors))
    part = Part("adjoint", ctx, Expr.of(lhs), Expr.of(rhs), "=", [], tuple(cv.text()))
    st = f"Σ_n correlate(x, w)[n] g[n] = Σ_m x[m] convolve_full(g, w)[m{' + p' if cv.p != 0 else ''}]"
    recipes: dict[str, Recipe] = {}
    if shift == 0:  # x paired one off is not a contraction of the two: the Iverson expansion decides that variant
        fwd = forward(cv.spec())[0]
        out_names = tuple(f"r{i}" for i in range(len(fwd.result_index)))
        full = _full_contraction(
            cv,
            variant != "no_flip",
            swap=variant != "wrong_channel_transpose",
            mode="valid" if variant == "wrong_mode" else "full",
        )
        recipes[part.title] = Recipe(
            (Read(1, fwd, tuple(Affine.var(v) for v in out_names), Operand("g", fwd.result.shape), out_names),),
            (Read(1, full, at, Operand("x", fwd.operand("x").shape), tuple(names)),),
        )
    return Plan(st, [(part, _standard)], size_params={"input": cv.N, "kernel": cv.K}, recipes=recipes)


def _full_op(a: str, b: str, A: Sequence[Any], B: Sequence[Any], flip: bool) -> Contraction:
    pad = tuple(k - 1 for k in B)
    return _rename(
        forward(ConvSpec(input_size=A, kernel_size=B, pad_lo=pad, pad_hi=pad, flip=flip))[0], {"x": a, "w": b}
    )


def _algebra_params(name: str, params: Mapping[str, Any]) -> int:
    unknown = set(params) - {"ndim"}
    if unknown:
        raise SymconvError(f"{name}: unknown parameter(s) {sorted(unknown)}; this theorem takes ['ndim']")
    nd = _int(name, "ndim", params.get("ndim", 1), 1)
    if nd > 3:
        raise SymconvError(f"{name}: `ndim` must be 1, 2 or 3; got ndim={nd}")
    return nd


@register(
    "full_convolution_commutes",
    "convolve_full(a, b) = convolve_full(b, a)",
    ("ndim",),
    {"correlation": "the same claimed for full correlation (false)"},
)
def _t_comm(params: Mapping[str, Any], variant: str | None) -> Plan:
    nd = _algebra_params("full_convolution_commutes", params)
    A, B = _syms("A", nd), _syms("B", nd)
    m = _vars("m", nd)
    flip = variant != "correlation"
    ctx = Context((*A, *B), _names("m", nd), tuple(c for a, x, y in zip(m, A, B) for c in _in(a, x + y - 1)))
    lhs = contraction_sum(_full_op("a", "b", A, B, flip), m)
    c2 = _full_op("b", "a", B, A, flip)
    rhs = contraction_sum(c2, m, rename=_primed(c2))
    part = Part("commutes", ctx, Expr.of(lhs), Expr.of(rhs), "=", [], ("a, b of any sizes A, B ≥ 1",))
    recipe = Recipe((Read(1, _full_op("a", "b", A, B, flip), m),), (Read(1, c2, m),))
    return Plan(
        "(a ∗ b)[m] = (b ∗ a)[m] (full mode)",
        [(part, _standard)],
        size_params={"input": A, "kernel": B},
        recipes={part.title: recipe},
    )


@register(
    "full_correlation_swap_is_flip",
    "correlate_full(a, b) = flip(correlate_full(b, a))",
    ("ndim",),
    {"no_flip": "claimed without the flip"},
)
def _t_swap(params: Mapping[str, Any], variant: str | None) -> Plan:
    nd = _algebra_params("full_correlation_swap_is_flip", params)
    A, B = _syms("A", nd), _syms("B", nd)
    m = _vars("m", nd)
    ctx = Context((*A, *B), _names("m", nd), tuple(c for a, x, y in zip(m, A, B) for c in _in(a, x + y - 1)))
    lhs = contraction_sum(_full_op("a", "b", A, B, False), m)
    c2 = _full_op("b", "a", B, A, False)
    at = m if variant == "no_flip" else tuple(x + y - 2 - a for a, x, y in zip(m, A, B))
    rhs = contraction_sum(c2, at, rename=_primed(c2))
    part = Part("swap", ctx, Expr.of(lhs), Expr.of(rhs), "=", [], ("a, b of any sizes A, B ≥ 1",))
    recipe = Recipe((Read(1, _full_op("a", "b", A, B, False), m),), (Read(1, c2, at),))
    return Plan(
        "(a ⋆ b)[m] = (b ⋆ a)[A+B−2−m] (full mode)",
        [(part, _standard)],
        size_params={"input": A, "kernel": B},
        recipes={part.title: recipe},
    )


@register(
    "full_convolution_associates",
    "convolve_full(convolve_full(a, b), c) = convolve_full(a, convolve_full(b, c))",
    ("ndim",),
    {"correlation": "the same claimed for full correlation (false)", "off_by_one": "the inner result is read one off"},
)
def _t_assoc(params: Mapping[str, Any], variant: str | None) -> Plan:
    nd = _algebra_params("full_convolution_associates", params)
    A, B, C = _syms("A", nd), _syms("B", nd), _syms("C", nd)
    flip = variant != "correlation"
    m = _vars("m", nd)
    ctx = Context(
        (*A, *B, *C), _names("m", nd), tuple(c for a, x, y, z in zip(m, A, B, C) for c in _in(a, x + y + z - 2))
    )
    AB = tuple(x + y - 1 for x, y in zip(A, B))
    BC = tuple(y + z - 1 for y, z in zip(B, C))
    outer_l = _full_op("ab", "c", AB, C, flip)
    lhs = contraction_sum(outer_l, m)
    inner_l = _full_op("a", "b", A, B, flip)
    at_l = _names("p", nd)
    shift = 1 if variant == "off_by_one" else 0
    body_l = contraction_sum(
        inner_l, tuple(Affine.var(v) + shift for v in at_l), rename={v.name: v.name + "i" for v in inner_l.variables}
    )
    outer_r = _full_op("a", "bc", A, BC, flip)
    rhs = contraction_sum(outer_r, m, rename=_primed(outer_r))
    inner_r = _full_op("b", "c", B, C, flip)
    body_r = contraction_sum(
        inner_r, tuple(Affine.var(v) for v in at_l), rename={v.name: v.name + "j" for v in inner_r.variables}
    )
    fl = [t.operand for t in lhs.factors].index("ab")
    fr = [t.operand for t in rhs.factors].index("bc")

    def strategy(dv: Deriver) -> None:
        dv.apply("definition", "lhs", sum=0, factor=fl, body=body_l, at=list(at_l))
        dv.apply("definition", "rhs", sum=0, factor=fr, body=body_r, at=list(at_l))
        _standard(dv)

    defs = (("ab", body_l, tuple(at_l)), ("bc", body_r, tuple(at_l)))
    part = Part("associates", ctx, Expr.of(lhs), Expr.of(rhs), "=", [], ("a, b, c of any sizes ≥ 1",), defs)
    return Plan("((a ∗ b) ∗ c)[m] = (a ∗ (b ∗ c))[m] (full mode)", [(part, strategy)])


@register(
    "correlation_matrix_is_toeplitz",
    "the matrix M[n, m] = ∂y[n]/∂x[m] of y = correlate(x, w) is Toeplitz (doubly-block Toeplitz in 2-D; "
    "with channels, every channel block)",
    _CONV,
    {
        "off_by_one": "claimed constant along (n+1, m) instead of the diagonal",
        "anti_diagonal": "claimed constant along the anti-diagonal (n+1, m−s)",
    },
)
def _t_toeplitz(params: Mapping[str, Any], variant: str | None) -> Plan:
    name = "correlation_matrix_is_toeplitz"
    cv = _conv_params(name, params, _CONV)
    fwd = forward(cv.spec())[0]
    parts: list[tuple[Part, Callable[[Deriver], None]]] = []
    recipes: dict[str, Recipe] = {}
    for axis in range(cv.nd):
        n, m = _vars("i", cv.nd), _vars("m", cv.nd)
        e = [1 if a == axis else 0 for a in range(cv.nd)]
        step_m = {"off_by_one": 0, "anti_diagonal": -cv.s}.get(variant or "", cv.s)
        assume = cv.size_assumptions()
        for a in range(cv.nd):
            assume += _in(n[a], cv.out_size[a] - e[a]) + _in(m[a], cv.N[a] - e[a] * cv.s)
        # with channels: the block (output channel co, input channel ci) of M
        head: tuple[Affine, ...] = ()
        heads: tuple[str, ...] = ()
        if cv.channels:
            heads = ("co", "ci")
            head = (Affine.var("co"), Affine.var("ci"))
            assume += _in(head[0], cv.cout) + _in(head[1], cv.cin)
        ctx = Context(cv.params, (*heads, *_names("i", cv.nd), *_names("m", cv.nd)), tuple(assume))
        lhs = Derivative(
            Expr.of(contraction_sum(fwd, (*head[:1], *(a + b for a, b in zip(n, e))))),
            "x",
            (*head[1:], *(a + b * step_m for a, b in zip(m, e))),
        )
        rhs = Derivative(Expr.of(contraction_sum(fwd, (*head[:1], *n), rename=_primed(fwd))), "x", (*head[1:], *m))
        title = (
            "Toeplitz"
            if cv.nd == 1
            else ("blocks along axis 0 are Toeplitz" if axis == 0 else f"Toeplitz along axis {axis}")
        )
        parts.append((Part(title, ctx, lhs, rhs, "=", [], tuple(cv.text())), _standard))
        jac = _jacobian(fwd)
        lead_y, lead_x = head[:1], head[1:]
        at_l = (*lead_y, *(a + b for a, b in zip(n, e)), *lead_x, *(a + b * step_m for a, b in zip(m, e)))
        recipes[title] = Recipe((Read(1, jac, at_l),), (Read(1, jac, (*lead_y, *n, *lead_x, *m)),))
    st = f"M[n + e_i, m + {cv.s}·e_i] = M[n, m] on every axis i (constant along diagonals)"
    return Plan(st, parts, size_params={"input": cv.N, "kernel": cv.K}, recipes=recipes)


def _jacobian(c: Contraction, wrt: str = "x") -> Contraction:
    """``M[y index, wrt index] = ∂y/∂wrt``: the gradient contraction with the upstream's index moved into the result.

    The upstream factor ``g[ρ]`` of :func:`~symconv.gradients.grad.grad_contraction` carries exactly the result's range
    guard, so as result axes it says the same; the remaining factors are the entries of ``M``.
    """
    gx = grad_contraction(c, wrt)
    g = gx.factors[0]
    return replace(
        gx,
        result=Operand("M", (*c.result.shape, *gx.result.shape)),
        result_index=(*g.index, *gx.result_index),
        factors=gx.factors[1:],
        operands=tuple(o for o in gx.operands if o.name != g.operand),
    )
