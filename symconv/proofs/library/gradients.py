"""The gradients: the input gradient is a full (or transposed) convolution; the weight gradient a valid
correlation with stride and dilation swapped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.core.formula import (
    Contraction,
    ConvSpec,
    Factor,
    Operand,
    Var,
    forward,
    transpose,
)
from symconv.core.numbers import shown
from symconv.gradients.grad import grad_contraction, reindex_operand, rename_operands
from symconv.proofs._contract import Read, Recipe
from symconv.proofs._iverson import (
    Constraint,
    Context,
    Derivative,
    Expr,
    Sum,
    contraction_sum,
    inner_sum,
)
from symconv.proofs._parts import Part
from symconv.proofs._registry import _CONV, Plan, register
from symconv.proofs.library._common import (
    _Conv,
    _conv_params,
    _in,
    _linear_text,
    _names,
    _primed,
    _rename,
    _standard,
    _vars,
)

# -- gradients -------------------------------------------------------------------------


def _grad_read(cv: _Conv, flip: bool, wrt: str, index: tuple[Affine, ...]) -> Read:
    """∂L/∂wrt of L = Σ g·y, y the forward operation: the gradient contraction of the one definition."""
    return Read(1, grad_contraction(forward(cv.spec(flip=flip))[0], wrt), index)


def _grad_input_start(cv: _Conv, flip: bool) -> tuple[Derivative, Context, tuple[Affine, ...]]:
    fwd = forward(cv.spec(flip=flip))[0]
    m = _vars("m", cv.nd)
    free = list(_names("m", cv.nd))
    assume = cv.size_assumptions() + [c for a, n in zip(m, cv.N) for c in _in(a, n)]
    index: tuple[Affine, ...] = m
    if cv.channels:
        ci = Affine.var("ci")
        free.insert(0, "ci")
        assume += _in(ci, cv.cin)
        index = (ci, *m)
    ctx = Context(cv.params, tuple(free), tuple(assume))
    return Derivative(Expr.of(inner_sum(fwd, "g")), "x", index), ctx, index


def _swap_weight_channels(c: Contraction, cv: _Conv, swap: bool) -> Contraction:
    """Read the weight with its channel axes swapped: ``w[grp·(C_out/G) + c, o]`` (layout of the forward op)."""
    if not cv.channels or not swap:
        return c
    assert cv.cin is not None and cv.cout is not None
    wf = next(f for f in c.factors if f.operand == "w")
    new_idx = (Affine.var("grp") * cv.cout_g + Affine.var("c"), Affine.var("o"), *wf.index[2:])
    w_op = Operand("w", (as_expr(cv.cout), as_expr(cv.cin_g), *cv.K))
    return replace(
        c,
        factors=tuple(Factor("w", new_idx) if f.operand == "w" else f for f in c.factors),
        operands=tuple(w_op if o.name == "w" else o for o in c.operands),
    )


def _full_contraction(cv: _Conv, flip: bool, swap: bool = True, mode: str = "full") -> Contraction:
    """The full (or valid) convolution/correlation of ``g`` with ``w`` (channels swapped), from the one definition."""
    pad = tuple(k - 1 for k in cv.K) if mode == "full" else (0,) * cv.nd
    spec = ConvSpec(
        input_size=cv.out_size,
        kernel_size=cv.K,
        pad_lo=pad,
        pad_hi=pad,
        flip=flip,
        channels=(cv.cout, cv.cin) if cv.channels else None,
        groups=cv.groups,
    )
    return rename_operands(_swap_weight_channels(forward(spec)[0], cv, swap), {"x": "g"})


def _full_claim(cv: _Conv, flip: bool, at: Sequence[Affine], swap: bool = True, mode: str = "full") -> Sum:
    c = _full_contraction(cv, flip, swap, mode)
    return contraction_sum(c, at, rename=_primed(c))


_GI_VARIANTS = {
    "no_flip": "the claim's kernel is not flipped",
    "wrong_mode": "the claim is a valid-mode (not full) operation",
    "off_by_one": "the claim is cropped one position off",
    "wrong_channel_transpose": "the claim reads the weight without swapping its channel axes",
}


def _grad_input_full(name: str, flip: bool, params: Mapping[str, Any], variant: str | None) -> Plan:
    cv = _conv_params(name, params, ("ndim", "padding", "in_channels", "out_channels", "groups"))
    start, ctx, index = _grad_input_start(cv, flip)
    shift = 1 if variant == "off_by_one" else 0
    at = (*index[: len(index) - cv.nd], *(a + cv.p + shift for a in index[len(index) - cv.nd :]))
    claim_flip = (not flip) if variant != "no_flip" else flip
    claim = _full_claim(
        cv,
        claim_flip,
        at,
        swap=variant != "wrong_channel_transpose",
        mode="valid" if variant == "wrong_mode" else "full",
    )
    what = "convolution" if not flip else "correlation"
    st = (
        f"∂L/∂x[m] = full {what} of g with w at {_plus('m', cv.p)} "
        f"(L = Σ g·y, y = {'convolve' if flip else 'correlate'}(x, w))"
    )
    if cv.channels:
        st += "; channels: Σ over output channels with the weight's channel axes swapped"
    part = Part("input gradient", ctx, start, Expr.of(claim), "=", [], tuple(cv.text()))
    full = _full_contraction(
        cv, claim_flip, swap=variant != "wrong_channel_transpose", mode="valid" if variant == "wrong_mode" else "full"
    )
    recipe = Recipe((_grad_read(cv, flip, "x", index),), (Read(1, full, at),))
    return Plan(st, [(part, _standard)], "—", size_params={"input": cv.N, "kernel": cv.K}, recipes={part.title: recipe})


@register(
    "correlate_grad_input_is_full_convolution",
    "∂L/∂x of y = correlate(x, w) is the full CONVOLUTION of g = ∂L/∂y with w (cropped by the padding)",
    ("ndim", "padding", "in_channels", "out_channels", "groups"),
    _GI_VARIANTS,
)
def _t_cgi(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _grad_input_full("correlate_grad_input_is_full_convolution", False, params, variant)


@register(
    "convolve_grad_input_is_full_correlation",
    "∂L/∂x of y = convolve(x, w) is the full CORRELATION of g with w (cropped by the padding)",
    ("ndim", "padding", "in_channels", "out_channels", "groups"),
    _GI_VARIANTS,
)
def _t_vgi(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _grad_input_full("convolve_grad_input_is_full_correlation", True, params, variant)


@register(
    "conv_grad_input_is_transposed_conv",
    "∂L/∂x of a correlation with stride, dilation, padding, groups is the transposed convolution of g "
    "(same hyper-parameters, output_padding = (N + 2p − d(K−1) − 1) mod s)",
    (*_CONV, "output_padding"),
    {
        "no_stride": "the claim's transposed convolution has stride 1",
        "not_dilated": "the claim's kernel is not dilated",
        "flipped_kernel": "the claim flips the kernel",
        "wrong_channel_transpose": "the claim reads the weight with its channel axes swapped",
        "output_padding_first": (
            "the claim puts the output padding before the first position instead of after the last "
            "(wrong only when it is not 0)"
        ),
    },
)
def _t_tgi(params: Mapping[str, Any], variant: str | None) -> Plan:
    name = "conv_grad_input_is_transposed_conv"
    cv = _conv_params(name, params, (*_CONV, "output_padding"))
    if isinstance(cv.op, sympy.Symbol):
        if cv.s == 1:
            raise SymconvError(
                f"{name}: a symbolic `output_padding` ({cv.op} ≥ 1) must be smaller than `stride`: give a stride "
                f"≥ 2 or a symbolic one; got stride=1"
            )
    elif not isinstance(cv.s, sympy.Symbol) and cv.op >= cv.s:
        raise SymconvError(f"{name}: `output_padding` (={shown(cv.op)}) must be smaller than `stride` (={shown(cv.s)})")
    start, ctx, index = _grad_input_start(cv, False)
    mods = [
        Constraint.eq(Affine.constant(sympy.Mod(n + 2 * cv.p - cv.d * (k - 1) - 1, cv.s)), cv.op)
        for n, k in zip(cv.N, cv.K)
    ]
    if isinstance(cv.s, sympy.Symbol) or isinstance(cv.op, sympy.Symbol):
        mods.append(Constraint.lt(cv.op, Affine.constant(cv.s)))  # output_padding < stride
    ctx = replace(ctx, assumptions=ctx.assumptions + tuple(mods))
    over: dict[str, Any] = {"input_size": cv.out_size}
    if variant == "no_stride":
        over["stride"] = (1,) * cv.nd
    if variant == "not_dilated":
        over["dilation"] = (1,) * cv.nd
    if variant == "flipped_kernel":
        over["flip"] = True
    tc = _rename(transpose(cv.spec(**over), (cv.op,) * cv.nd)[0], {"x": "g"})
    if variant == "wrong_channel_transpose":
        tc = _swap_weight_channels(tc, cv, True)
    at = index
    if variant == "output_padding_first":  # claim[m] = conv_transpose(g, w)[m − a]: the padding at the start
        at = (*index[: len(index) - cv.nd], *(i - cv.op for i in index[len(index) - cv.nd :]))
    claim = contraction_sum(tc, at, rename=_primed(tc))
    st = "∂L/∂x = conv_transpose(g, w) with the forward's " + (
        "stride, dilation, padding and groups"
        if cv.channels
        else (
            "stride, dilation and padding (one channel)"
            if cv.p != 0
            else "stride and dilation (no padding, one channel)"
        )
    )
    text = (*cv.text(), *_output_padding_text(cv))
    part = Part("input gradient", ctx, start, Expr.of(claim), "=", [], text)
    recipe = Recipe((_grad_read(cv, False, "x", index),), (Read(1, tc, at),))
    return Plan(
        st,
        [(part, _standard)],
        _output_padding_gap(cv),
        size_params={"input": cv.N, "kernel": cv.K},
        recipes={part.title: recipe},
    )


def _output_padding_gap(cv: _Conv) -> str:
    """What the proof leaves out: the N whose transposed convolution needs another ``output_padding``.

    At stride 1 every N has output_padding 0 (nothing left out); otherwise only N with
    (N + 2p − d(K−1) − 1) mod s = output_padding are proved.
    """
    if cv.s == 1:
        return "—"
    # one output_padding serves every axis: in N-D, remainders that differ between axes fit no proof
    axes = "" if cv.nd == 1 else "; in N-D also every N whose remainders differ between axes (one output_padding)"
    if isinstance(cv.op, sympy.Symbol):
        a = cv.op
        return (
            f"N with ({_remainder(cv)}) mod {cv.s} = 0 (a symbolic output_padding {a} is proved for every "
            f"1 ≤ {a} < {cv.s}; prove output_padding=0 for those N){axes}"
        )
    gap = f"N with output_padding a = ({_remainder(cv)}) mod {cv.s} ≠ {cv.op} (prove output_padding=a for them)"
    return gap + axes


def _plus(index: str, p: Any) -> str:
    """``m + p`` (``m`` at padding 0): an index shifted by the padding, as a statement prints it."""
    return index if p == 0 else f"{index} + {p}"


def _minus(index: str, p: Any) -> str:
    """``n + k − p`` (``n + k`` at padding 0)."""
    return index if p == 0 else f"{index} − {p}"


def _remainder(cv: _Conv) -> str:
    """``N + 2p − d(K−1) − 1`` with the padding and dilation this proof has (``N − d(K−1) − 1`` at padding 0).

    >>> _remainder(_Conv("t", s=sympy.Symbol("s"), d=sympy.Symbol("d")))
    'N − d(K−1) − 1'
    """
    pad = "" if cv.p == 0 else (" + 2p" if isinstance(cv.p, sympy.Symbol) else f" + {2 * cv.p}")
    dil = "(K−1)" if cv.d == 1 else f"{cv.d}(K−1)"
    return f"N{pad} − {dil} − 1"


def _output_padding_text(cv: _Conv) -> list[str]:
    """How ``output_padding`` restricts N (nothing at stride 1: every N fits)."""
    if cv.s == 1:
        return []
    if isinstance(cv.op, sympy.Symbol):
        a = cv.op
        return [f"output_padding {a} = ({_remainder(cv)}) mod {cv.s}, 1 ≤ {a} < {cv.s}: such N on every axis"]
    if isinstance(cv.d, sympy.Symbol) or isinstance(cv.p, sympy.Symbol):
        return [f"output_padding {cv.op} = ({_remainder(cv)}) mod {cv.s}: only such N on every axis"]
    rem = _linear_text([(1, "N"), (-cv.d, "K")], 2 * cv.p + cv.d - 1)
    return [
        f"stride {cv.s} with output_padding {cv.op}: only N with ({rem}) mod {cv.s} = {cv.op} on every axis "
        f"(the other N need output_padding = ({rem}) mod {cv.s})"
    ]


def _grad_weight(name: str, flip: bool, params: Mapping[str, Any], variant: str | None, allowed: Sequence[str]) -> Plan:
    cv = _conv_params(name, params, allowed)
    fwd = forward(cv.spec(flip=flip))[0]
    j = _vars("j", cv.nd)
    free = list(_names("j", cv.nd))
    assume = cv.size_assumptions() + [c for a, k in zip(j, cv.K) for c in _in(a, k)]
    index: tuple[Affine, ...] = j
    if cv.channels:
        assert cv.cin is not None and cv.cout is not None
        co, cw = Affine.var("co"), Affine.var("cw")
        free = ["co", "cw", *free]
        assume += _in(co, cv.cout) + _in(cw, cv.cin_g)
        index = (co, cw, *j)
    ctx = Context(cv.params, tuple(free), tuple(assume))
    start = Derivative(Expr.of(inner_sum(fwd, "g")), "w", index)
    swap = variant != "not_swapped"
    dil = cv.s if swap else cv.d
    # wrong_mode: a FULL correlation (padded by the whole extent of g) read at the same taps
    pad = tuple(cv.p + (dil * (o - 1) if variant == "wrong_mode" else 0) for o in cv.out_size)
    cs = ConvSpec(
        input_size=cv.N,
        kernel_size=cv.out_size,
        stride=((cv.d if swap else cv.s),) * cv.nd,
        dilation=(dil,) * cv.nd,
        pad_lo=pad,
        pad_hi=pad,
        output_size=cv.K,
    )
    c = _rename(forward(cs)[0], {"w": "g"})
    plain = c
    flip_out = flip != (variant in ("no_flip", "flipped"))
    shift = 1 if variant == "off_by_one" else 0
    at = tuple((k - 1 - a + shift if flip_out else a + shift) for a, k in zip(j, cv.K))
    extra: list[Constraint] = []
    if cv.channels:
        assert cv.cin is not None and cv.cout is not None
        ig, og = cv.cin_g, cv.cout_g
        grp = Affine.var("grp")
        c = replace(
            c,
            variables=(Var("grp", sympy.Integer(cv.groups)), *c.variables),
            factors=tuple(
                Factor("x", (grp * ig + index[1], *f.index)) if f.operand == "x" else Factor("g", (index[0], *f.index))
                for f in c.factors
            ),
            operands=tuple(
                Operand(o.name, ((as_expr(cv.cin),) if o.name == "x" else (as_expr(cv.cout),)) + o.shape)
                for o in c.operands
            ),
        )
        extra = [Constraint.le(grp * og, index[0]), Constraint.lt(index[0], grp * og + og)]
    claim = contraction_sum(c, at, rename=_primed(c))
    rn = _primed(c)
    extra = [x.substitute({v: Affine.var(rn[v]) for v in rn}) for x in extra]
    claim = Sum(claim.variables, claim.guard + tuple(extra), claim.factors, claim.coeff)
    part = Part("weight gradient", ctx, start, Expr.of(claim), "=", [], tuple(cv.text()))
    named = _channel_weight_gradient(plain, cv) if cv.channels else plain
    recipe = Recipe((_grad_read(cv, flip, "w", index),), (Read(1, named, (*index[: len(index) - cv.nd], *at)),))
    return Plan("", [(part, _standard)], "—", size_params={"input": cv.N, "kernel": cv.K}, recipes={part.title: recipe})


def _channel_weight_gradient(c: Contraction, cv: _Conv) -> Contraction:
    """The per-channel correlation ``c`` of x with g, with channel loops: result ``[grp·O/G + o, c, j]``."""
    ig, og = cv.cin_g, cv.cout_g
    grp, o, ch = Affine.var("grp"), Affine.var("o"), Affine.var("c")
    c = replace(
        c, variables=(Var("grp", sympy.Integer(cv.groups)), Var("o", as_expr(og)), Var("c", as_expr(ig)), *c.variables)
    )
    c = reindex_operand(c, "x", lambda ix: (grp * ig + ch, *ix), (as_expr(cv.cin), *cv.N))
    c = reindex_operand(c, "g", lambda ix: (grp * og + o, *ix), (as_expr(cv.cout), *cv.out_size))
    return reindex_operand(c, c.result.name, lambda ix: (grp * og + o, ch, *ix), (as_expr(cv.cout), as_expr(ig), *cv.K))


@register(
    "correlate_grad_weight_is_valid_correlation",
    "∂L/∂w of y = correlate(x, w) is the VALID CORRELATION of x with g (no flip), cropped to K",
    ("ndim", "padding", "in_channels", "out_channels", "groups"),
    {
        "flipped": "the claim flips the result",
        "off_by_one": "the claim is read one tap off",
        "wrong_mode": "the claim is a full (not valid) correlation",
    },
)
def _t_cgw(params: Mapping[str, Any], variant: str | None) -> Plan:
    name = "correlate_grad_weight_is_valid_correlation"
    plan = _grad_weight(name, False, params, variant, ("ndim", "padding", "in_channels", "out_channels", "groups"))
    cv = _conv_params(name, params, ("ndim", "padding", "in_channels", "out_channels", "groups"))
    padded = "" if cv.p == 0 else "(padded) "
    plan.statement = f"∂L/∂w[k] = Σ_n g[n] x[{_minus('n + k', cv.p)}]: valid correlation of {padded}x with g"
    return plan


@register(
    "convolve_grad_weight_is_flipped_valid_correlation",
    "∂L/∂w of y = convolve(x, w) is the valid correlation of x with g, FLIPPED",
    ("ndim", "padding", "in_channels", "out_channels", "groups"),
    {
        "no_flip": "the claim does not flip the result",
        "off_by_one": "the claim is read one tap off",
        "wrong_mode": "the claim is a full (not valid) correlation",
    },
)
def _t_vgw(params: Mapping[str, Any], variant: str | None) -> Plan:
    name = "convolve_grad_weight_is_flipped_valid_correlation"
    plan = _grad_weight(name, True, params, variant, ("ndim", "padding", "in_channels", "out_channels", "groups"))
    plan.statement = "∂L/∂w[k] = corr_valid(x, g)[K−1−k]"
    return plan


@register(
    "conv_grad_weight_swaps_stride_and_dilation",
    "∂L/∂w of a correlation with stride s and dilation d is the correlation of x with g with stride d and dilation s",
    _CONV,
    {
        "not_swapped": "the claim keeps stride s and dilation d",
        "off_by_one": "the claim is read one tap off",
        "wrong_mode": "the claim is a full (not valid) correlation",
    },
)
def _t_sgw(params: Mapping[str, Any], variant: str | None) -> Plan:
    name = "conv_grad_weight_swaps_stride_and_dilation"
    plan = _grad_weight(name, False, params, variant, _CONV)
    cv = _conv_params(name, params, _CONV)
    plan.statement = (
        f"∂L/∂w[k] = Σ_n g[n] x[{_minus('d·k + s·n', cv.p)}]: correlation of x with g, stride d, dilation s, "
        "cropped to K"
    )
    return plan
