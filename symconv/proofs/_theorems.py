r"""The theorem library: statements about convolution and correlation, proved for all sizes.

Every theorem builds its two sides independently: the DERIVATION side from
the one definition (:func:`symconv.core.formula.forward` /
:func:`~symconv.core.formula.transpose` with symbolic sizes), the CLAIM side from
the named operation it states (full convolution, transposed convolution,
valid correlation with stride and dilation swapped, …). So a wrong claim
(:meth:`Theorem.variant`) really fails.

>>> from symconv.proofs._theorems import theorem
>>> p = theorem("correlate_grad_input_is_full_convolution").prove()
>>> p.holds, [s.rule for s in p.steps][:2]
(True, ['differentiate_under_sum', 'collapse_kronecker_delta'])
>>> theorem("correlate_grad_input_is_full_convolution").variant("no_flip").prove().holds
False
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import sympy

from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.core.formula import (
    Contraction,
    ConvSpec,
    Factor,
    Operand,
    Var,
    flip_index,
    forward,
    forward_output_size,
    transpose,
)
from symconv.engines.instance import DEFAULT_PRIME, check_exact, check_randomized
from symconv.gradients.grad import grad_contraction, reindex_operand, rename_operands
from symconv.proofs._contract import Read, Recipe, degree, engine_sides
from symconv.proofs._cost import guard_circular, guard_instance, guard_trials
from symconv.proofs._evaluate import ArrayFn, array_values, monomials, random_sizes, values
from symconv.proofs._iverson import (
    Constraint,
    Context,
    Derivative,
    Expr,
    Hypothesis,
    Sum,
    Term,
    contraction_sum,
    inner_sum,
)
from symconv.proofs._proof import Deriver, Part, Proof, _hyp_arrays, check_notation
from symconv.proofs._rules import RULES, RuleError
from symconv.proofs._serial import param_symbol
from symconv.proofs._sizes import derive_sizes

__all__ = ["Theorem", "parameters", "theorem", "theorems", "variants"]


# -- small builders ------------------------------------------------------------------


def _syms(letter: str, nd: int) -> tuple[sympy.Symbol, ...]:
    return tuple(param_symbol(letter if nd == 1 else f"{letter}_{i}") for i in range(nd))


def _vars(prefix: str, nd: int) -> tuple[Affine, ...]:
    return tuple(Affine.var(f"{prefix}{i}") for i in range(nd))


def _names(prefix: str, nd: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(nd))


def _primed(c: Contraction, mark: str = "'") -> dict[str, str]:
    return {v.name: v.name + mark for v in c.variables}


def _in(a: Affine, size: Any) -> list[Constraint]:
    return [Constraint.le(0, a), Constraint.lt(a, Affine.constant(size) if not isinstance(size, Affine) else size)]


def _rename(c: Contraction, operands: Mapping[str, str]) -> Contraction:
    return replace(
        c,
        factors=tuple(replace(f, operand=operands.get(f.operand, f.operand)) for f in c.factors),
        operands=tuple(Operand(operands.get(o.name, o.name), o.shape) for o in c.operands),
    )


@dataclass
class Plan:
    """What a theorem builds: its parts with a strategy each, and what instance sizes mean."""

    statement: str
    parts: list[tuple[Part, Callable[[Deriver], None]]]
    not_covered: str = "—"
    notes: tuple[str, ...] = ()
    size_params: Mapping[str, tuple[sympy.Symbol, ...]] = field(default_factory=dict)
    instance_only: bool = False
    instance: Callable[[Mapping[str, tuple[int, ...]]], tuple[bool, str, int]] | None = None
    #: Per part title: its sides as contractions of the one definition, for the coefficient engines.
    recipes: Mapping[str, Recipe] = field(default_factory=dict)


# -- parameters ----------------------------------------------------------------------

_COMMON = ("ndim",)
_CONV = ("ndim", "stride", "dilation", "padding", "in_channels", "out_channels", "groups")


@dataclass(frozen=True)
class _Info:
    name: str
    statement: str
    params: tuple[str, ...]
    variants: Mapping[str, str]
    build: Callable[..., Plan]


_LIBRARY: dict[str, _Info] = {}


def _register(
    name: str, statement: str, params: Sequence[str], variants: Mapping[str, str]
) -> Callable[[Callable[..., Plan]], Callable[..., Plan]]:
    def deco(fn: Callable[..., Plan]) -> Callable[..., Plan]:
        _LIBRARY[name] = _Info(name, statement, tuple(params), dict(variants), fn)
        return fn

    return deco


def _int(theorem_name: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SymconvError(f"{theorem_name}: `{name}` must be an integer ≥ {minimum}; got {value!r}")
    if value < minimum:
        raise SymconvError(f"{theorem_name}: `{name}` must be ≥ {minimum}; got {name}={value}")
    return int(value)


#: A symbolic hyper-parameter is a letter (optionally followed by digits) that is not an index letter
#: of the proofs (``n k m i j u q o c``) nor a size letter of the convolution theorems (``N K``).
_SYMBOL_NAME = re.compile(r"[a-zA-Z][0-9]*")
_RESERVED_LETTERS = set("nkmijuqocNK")


def _hyper(theorem_name: str, name: str, value: Any, minimum: int) -> int | sympy.Symbol:
    """An integer hyper-parameter, or a symbolic one given by its NAME (``stride="s"``): all values ≥ 1."""
    if isinstance(value, sympy.Symbol):
        value = value.name
    if isinstance(value, str):
        if not _SYMBOL_NAME.fullmatch(value) or value[0] in _RESERVED_LETTERS:
            raise SymconvError(
                f"{theorem_name}: a symbolic `{name}` must be a letter optionally followed by digits, not one of "
                f"{''.join(sorted(_RESERVED_LETTERS))} (index and size letters), like {name}='s'; got {value!r}"
            )
        return param_symbol(value)
    return _int(theorem_name, name, value, minimum)


def _plain(value: Any) -> Any:
    """A parameter as JSON data: a symbol by its name."""
    return value.name if isinstance(value, sympy.Symbol) else value


@dataclass
class _Conv:
    """Hyper-parameters of a convolution theorem, sizes symbolic."""

    name: str
    nd: int = 1
    s: Any = 1
    d: Any = 1
    p: Any = 0
    op: int = 0
    cin: Any = None
    cout: Any = None
    groups: int = 1

    def __post_init__(self) -> None:
        self.N = _syms("N", self.nd)
        self.K = _syms("K", self.nd)
        if (self.cin is None) != (self.cout is None):
            raise SymconvError(f"{self.name}: give both `in_channels` and `out_channels`, or neither")
        symbolic = [
            a for a, v in (("in_channels", self.cin), ("out_channels", self.cout)) if isinstance(v, sympy.Symbol)
        ]
        if symbolic and self.groups != 1:
            raise SymconvError(
                f"{self.name}: symbolic {', '.join(f'`{a}`' for a in symbolic)} need `groups` (={self.groups}) to be 1"
            )
        if self.cin is not None and self.cout is not None and not symbolic:
            for arg, val in (("in_channels", self.cin), ("out_channels", self.cout)):
                if val % self.groups:
                    raise SymconvError(f"{self.name}: `{arg}` (={val}) must be divisible by `groups` (={self.groups})")
        elif self.groups != 1:
            raise SymconvError(f"{self.name}: `groups` (={self.groups}) needs `in_channels` and `out_channels`")

    @property
    def channels(self) -> bool:
        return self.cin is not None

    @property
    def cin_g(self) -> Any:
        """Input channels per group."""
        return self.cin if isinstance(self.cin, sympy.Symbol) else self.cin // self.groups

    @property
    def cout_g(self) -> Any:
        """Output channels per group."""
        return self.cout if isinstance(self.cout, sympy.Symbol) else self.cout // self.groups

    @property
    def symbolic(self) -> tuple[sympy.Symbol, ...]:
        """The symbolic hyper-parameters (stride, dilation, padding, channels given by name), each once."""
        out: list[sympy.Symbol] = []
        for v in (self.s, self.d, self.p, self.cin, self.cout):
            if isinstance(v, sympy.Symbol) and v not in out:
                out.append(v)
        return tuple(out)

    @property
    def params(self) -> tuple[sympy.Symbol, ...]:
        """Every parameter of the statement: sizes, then symbolic hyper-parameters."""
        return (*self.N, *self.K, *self.symbolic)

    def spec(self, flip: bool = False, **over: Any) -> ConvSpec:
        kw: dict[str, Any] = dict(
            input_size=self.N,
            kernel_size=self.K,
            stride=(self.s,) * self.nd,
            dilation=(self.d,) * self.nd,
            pad_lo=(self.p,) * self.nd,
            pad_hi=(self.p,) * self.nd,
            flip=flip,
            channels=(self.cin, self.cout) if self.channels else None,
            groups=self.groups,
        )
        kw.update(over)
        return ConvSpec(**kw)

    @property
    def out_size(self) -> tuple[sympy.Expr, ...]:
        return forward_output_size(self.spec())

    def size_assumptions(self) -> list[Constraint]:
        """The forward output is non-empty on every axis."""
        return [
            Constraint.le(Affine.constant(self.d * (k - 1) + 1), Affine.constant(n + 2 * self.p))
            for n, k in zip(self.N, self.K)
        ]

    def text(self) -> list[str]:
        """The assumptions in words, with this theorem's stride, dilation and padding put in (1 and 0 omitted)."""
        given = (("stride", self.s, 1), ("dilation", self.d, 1), ("padding", self.p, 0))
        hyper = [f"{what} {v}" for what, v, trivial in given if v != trivial]
        head = f"N ≥ {_min_size(self.d, self.p)} on every axis (non-empty output)"
        out = [head + (f"; {', '.join(hyper)}" if hyper else "")]
        if self.channels:
            out.append(f"channels {self.cin} → {self.cout}, groups {self.groups}")
        if self.symbolic:
            out.append(f"symbolic {', '.join(v.name for v in self.symbolic)}: every integer ≥ 1")
        return out


def _linear_text(terms: Sequence[tuple[Any, str]], const: Any) -> str:
    """``Σ coeff·name + const`` in words: ``2K − 3``, ``d(K−1) + 1 − 2p``-style pieces stay as given."""
    out = ""
    for c, name in terms:
        if c == 0:
            continue
        mag = "" if abs(c) == 1 else str(abs(c))
        out += (" − " if c < 0 else (" + " if out else "")) + mag + name
    if const != 0 or not out:
        out += (" − " if const < 0 else (" + " if out else "")) + str(abs(const))
    return out.lstrip(" +") if not out.startswith(" − ") else "−" + out[3:]


def _min_size(d: Any, p: Any) -> str:
    """The smallest input size with a non-empty output, ``d(K−1) + 1 − 2p``, with numeric ``d``, ``p`` put in."""
    if isinstance(d, sympy.Symbol) or isinstance(p, sympy.Symbol):
        dk = "K" if d == 1 else f"{d}(K−1) + 1"
        pad = "" if p == 0 else (f" − 2{p}" if isinstance(p, sympy.Symbol) else f" − {2 * p}")
        return dk + pad
    return _linear_text([(d, "K")], 1 - d - 2 * p)


def _conv_params(name: str, params: Mapping[str, Any], allowed: Sequence[str]) -> _Conv:
    unknown = set(params) - set(allowed)
    if unknown:
        hint = ""
        if unknown & {"stride", "dilation"}:
            hint = (
                " (with a stride or dilation the gradients are conv_grad_input_is_transposed_conv and "
                "conv_grad_weight_swaps_stride_and_dilation)"
            )
        raise SymconvError(f"{name}: unknown parameter(s) {sorted(unknown)}; this theorem takes {list(allowed)}{hint}")
    nd = _int(name, "ndim", params.get("ndim", 1), 1)
    if nd > 3:
        raise SymconvError(f"{name}: `ndim` must be 1, 2 or 3; got ndim={nd}")
    cin = params.get("in_channels")
    cout = params.get("out_channels")
    return _Conv(
        name,
        nd,
        _hyper(name, "stride", params.get("stride", 1), 1),
        _hyper(name, "dilation", params.get("dilation", 1), 1),
        _hyper(name, "padding", params.get("padding", 0), 0),
        _int(name, "output_padding", params.get("output_padding", 0), 0),
        None if cin is None else _hyper(name, "in_channels", cin, 1),
        None if cout is None else _hyper(name, "out_channels", cout, 1),
        _int(name, "groups", params.get("groups", 1), 1),
    )


def _standard(dv: Deriver) -> None:
    """Differentiate, sift every delta on both sides, reindex the claim, equal."""
    if isinstance(dv.cur["lhs"], Derivative):
        dv.apply("differentiate_under_sum", "lhs")
    if isinstance(dv.cur["rhs"], Derivative):
        dv.apply("differentiate_under_sum", "rhs")
    dv.sift("lhs")
    dv.sift("rhs")
    dv.align("rhs")
    dv.close()


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
    st = f"∂L/∂x[m] = full {what} of g with w at m + p (L = Σ g·y, y = {'convolve' if flip else 'correlate'}(x, w))"
    if cv.channels:
        st += "; channels: Σ over output channels with the weight's channel axes swapped"
    part = Part("input gradient", ctx, start, Expr.of(claim), "=", [], tuple(cv.text()))
    full = _full_contraction(
        cv, claim_flip, swap=variant != "wrong_channel_transpose", mode="valid" if variant == "wrong_mode" else "full"
    )
    recipe = Recipe((_grad_read(cv, flip, "x", index),), (Read(1, full, at),))
    return Plan(st, [(part, _standard)], "—", size_params={"input": cv.N, "kernel": cv.K}, recipes={part.title: recipe})


@_register(
    "correlate_grad_input_is_full_convolution",
    "∂L/∂x of y = correlate(x, w) is the full CONVOLUTION of g = ∂L/∂y with w (cropped by the padding)",
    ("ndim", "padding", "in_channels", "out_channels", "groups"),
    _GI_VARIANTS,
)
def _t_cgi(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _grad_input_full("correlate_grad_input_is_full_convolution", False, params, variant)


@_register(
    "convolve_grad_input_is_full_correlation",
    "∂L/∂x of y = convolve(x, w) is the full CORRELATION of g with w (cropped by the padding)",
    ("ndim", "padding", "in_channels", "out_channels", "groups"),
    _GI_VARIANTS,
)
def _t_vgi(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _grad_input_full("convolve_grad_input_is_full_correlation", True, params, variant)


@_register(
    "conv_grad_input_is_transposed_conv",
    "∂L/∂x of a correlation with stride, dilation, padding, groups is the transposed convolution of g "
    "(same hyper-parameters, output_padding = (N + 2p − d(K−1) − 1) mod s)",
    (*_CONV, "output_padding"),
    {
        "no_stride": "the claim's transposed convolution has stride 1",
        "not_dilated": "the claim's kernel is not dilated",
        "flipped_kernel": "the claim flips the kernel",
        "wrong_channel_transpose": "the claim reads the weight with its channel axes swapped",
    },
)
def _t_tgi(params: Mapping[str, Any], variant: str | None) -> Plan:
    name = "conv_grad_input_is_transposed_conv"
    cv = _conv_params(name, params, (*_CONV, "output_padding"))
    if not isinstance(cv.s, sympy.Symbol) and cv.op >= cv.s:
        raise SymconvError(f"{name}: `output_padding` (={cv.op}) must be smaller than `stride` (={cv.s})")
    start, ctx, index = _grad_input_start(cv, False)
    mods = [
        Constraint.eq(Affine.constant(sympy.Mod(n + 2 * cv.p - cv.d * (k - 1) - 1, cv.s)), cv.op)
        for n, k in zip(cv.N, cv.K)
    ]
    if isinstance(cv.s, sympy.Symbol):
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
    claim = contraction_sum(tc, index, rename=_primed(tc))
    st = "∂L/∂x = conv_transpose(g, w) with the forward's stride, dilation, padding and groups"
    text = (*cv.text(), *_output_padding_text(cv))
    part = Part("input gradient", ctx, start, Expr.of(claim), "=", [], text)
    recipe = Recipe((_grad_read(cv, False, "x", index),), (Read(1, tc, index),))
    return Plan(st, [(part, _standard)], "—", size_params={"input": cv.N, "kernel": cv.K}, recipes={part.title: recipe})


def _output_padding_text(cv: _Conv) -> list[str]:
    """How ``output_padding`` restricts N (nothing at stride 1: every N fits)."""
    if cv.s == 1:
        return []
    if isinstance(cv.d, sympy.Symbol) or isinstance(cv.p, sympy.Symbol):
        return [f"output_padding {cv.op} = (N + 2p − d(K−1) − 1) mod {cv.s}: only such N on every axis"]
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


@_register(
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
    plan.statement = "∂L/∂w[k] = Σ_n g[n] x[n + k − p]: valid correlation of (padded) x with g"
    return plan


@_register(
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


@_register(
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
    plan.statement = "∂L/∂w[k] = Σ_n g[n] x[d·k + s·n − p]: correlation of x with g, stride d, dilation s, cropped to K"
    return plan


# -- the flip -------------------------------------------------------------------------


def _flip_body(cv: _Conv, axes: Sequence[int], at: Sequence[str]) -> Sum:
    q = [Affine.var(a) for a in at]
    lead = len(q) - cv.nd
    guard: list[Constraint] = []
    idx: list[Affine] = list(q[:lead])
    if cv.channels:
        assert cv.cin is not None and cv.cout is not None
        guard += _in(q[0], cv.cout) + _in(q[1], cv.cin_g)
    for i in range(cv.nd):
        a = q[lead + i]
        guard += _in(a, cv.K[i])
        idx.append(cv.K[i] - 1 - a if i in axes else a)
    return Sum((), tuple(guard), (Term("w", tuple(idx)),))


@_register(
    "convolve_is_correlate_with_flipped_kernel",
    "convolve(x, w) = correlate(x, flip(w)), flip reversing EVERY spatial axis (any stride, dilation, padding, groups)",
    _CONV,
    {"no_flip": "flip(w) is taken to be w", "one_axis": "flip(w) reverses only the first axis (ndim ≥ 2)"},
)
def _t_flip(params: Mapping[str, Any], variant: str | None) -> Plan:
    name = "convolve_is_correlate_with_flipped_kernel"
    cv = _conv_params(name, params, _CONV)
    i = _vars("i", cv.nd)
    free = list(_names("i", cv.nd))
    assume = cv.size_assumptions() + [c for a, o in zip(i, cv.out_size) for c in _in(a, o)]
    index: tuple[Affine, ...] = i
    if cv.channels:
        co = Affine.var("co")
        free.insert(0, "co")
        assume += _in(co, cv.cout)
        index = (co, *i)
    ctx = Context(cv.params, tuple(free), tuple(assume))
    lhs = contraction_sum(forward(cv.spec(flip=True))[0], index)
    cc = _rename(forward(cv.spec(flip=False))[0], {"w": "flip(w)"})
    rhs = contraction_sum(cc, index, rename=_primed(cc))
    axes = () if variant == "no_flip" else ((0,) if variant == "one_axis" else tuple(range(cv.nd)))
    at = (
        tuple(f"q{a}" for a in range(len(index) - cv.nd + cv.nd))
        if False
        else tuple([*(["qo", "qc"] if cv.channels else []), *_names("q", cv.nd)])
    )
    body = _flip_body(cv, axes, at)
    fidx = [t.operand for t in rhs.factors].index("flip(w)")

    def strategy(dv: Deriver) -> None:
        dv.apply("definition", "rhs", sum=0, factor=fidx, body=body, at=list(at))
        _standard(dv)

    part = Part("flip", ctx, Expr.of(lhs), Expr.of(rhs), "=", [], tuple(cv.text()), (("flip(w)", body, at),))
    lead = 2 if cv.channels else 0

    def flip_w(ix: tuple[Affine, ...]) -> tuple[Affine, ...]:
        return (*ix[:lead], *(flip_index(cv.K[a], ix[lead + a]) if a in axes else ix[lead + a] for a in range(cv.nd)))

    corr_flipped = reindex_operand(forward(cv.spec(flip=False))[0], "w", flip_w)
    recipe = Recipe((Read(1, forward(cv.spec(flip=True))[0], index),), (Read(1, corr_flipped, index),))
    return Plan(
        "convolve(x, w)[n] = correlate(x, flip(w))[n] with flip(w)[k] = w[K−1−k]",
        [(part, strategy)],
        size_params={"input": cv.N, "kernel": cv.K},
        recipes={part.title: recipe},
    )


# -- centro-symmetry -----------------------------------------------------------------


def _symmetry(cv: _Conv, sign: int, axes: Sequence[int], domain_extra: int = 0) -> Hypothesis:
    """``w[(o, c,) u] = sign · w[(o, c,) K−1−u]`` on the kernel's domain (with channels: every kernel slice)."""
    u = _vars("u", cv.nd)
    dom = [c for i, (a, k) in enumerate(zip(u, cv.K)) for c in _in(a, k + (domain_extra if i == 0 else 0))]
    rhs = tuple(k - 1 - a if i in axes else a for i, (a, k) in enumerate(zip(u, cv.K)))
    names = _names("u", cv.nd)
    lead: tuple[Affine, ...] = ()
    if cv.channels:
        assert cv.cin is not None and cv.cout is not None
        lead = (Affine.var("uo"), Affine.var("uc"))
        dom = _in(lead[0], cv.cout) + _in(lead[1], cv.cin_g) + dom
        names = ("uo", "uc", *names)
    name = "centrosymmetric" if sign == 1 else "anticentrosymmetric"
    return Hypothesis(name, names, tuple(dom), "w", (*lead, *u), (*lead, *rhs), sign)


def _iff(name: str, sign: int, params: Mapping[str, Any], variant: str | None) -> Plan:
    cv = _conv_params(name, params, _CONV)
    axes = (0,) if variant == "one_axis" else tuple(range(cv.nd))
    hyp = _symmetry(cv, sign, axes)
    i = _vars("i", cv.nd)
    free = list(_names("i", cv.nd))
    assume = cv.size_assumptions() + [c for a, o in zip(i, cv.out_size) for c in _in(a, o)]
    index: tuple[Affine, ...] = i
    chan: list[Constraint] = []
    if cv.channels:  # one output channel `co` of the forward op
        co = Affine.var("co")
        free.insert(0, "co")
        chan = _in(co, cv.cout)
        assume += chan
        index = (co, *i)
    hyps = () if variant == "hypothesis_dropped" else (hyp,)
    ctx = Context(cv.params, tuple(free), tuple(assume), hyps)
    conv = contraction_sum(forward(cv.spec(flip=True))[0], index)
    cc = forward(cv.spec(flip=False))[0]
    corr = contraction_sum(cc, index, rename=_primed(cc)).scaled(sign)

    def if_strategy(dv: Deriver) -> None:
        dv.sift("lhs")
        dv.sift("rhs")
        if hyps:
            wi = [t.operand for t in dv.cur["lhs"].sums[0].factors].index("w")
            dv.apply("apply_hypothesis", "lhs", sum=0, factor=wi, hypothesis=hyp.name)
        dv.align("rhs")
        dv.close()

    kind = "centrosymmetric" if sign == 1 else "anti-centrosymmetric"
    rel = "" if sign == 1 else "−"
    part1 = Part(
        f"if w is {kind}",
        ctx,
        Expr.of(conv),
        Expr.of(corr),
        "=",
        [],
        (
            *cv.text(),
            f"w[{'o, c, ' if cv.channels else ''}k] = {rel}w[{'o, c, ' if cv.channels else ''}K−1−k] for 0 ≤ k < K "
            f"(all axes flipped together{'; every kernel slice w[o, c]' if cv.channels else ''})",
        ),
    )
    # only if: at the first output whose window lies inside the input
    nstar = tuple(-(-cv.p // cv.s) for _ in range(cv.nd))
    claim_h = _symmetry(cv, sign, tuple(range(cv.nd)), 1 if variant == "domain_off_by_one" else 0)
    inside = [
        Constraint.le(Affine.constant(cv.s * n0 - cv.p + cv.d * (k - 1) + 1), Affine.constant(n))
        for n0, n, k in zip(nstar, cv.N, cv.K)
    ]
    ctx2 = Context(cv.params, ("co",) if cv.channels else (), tuple(cv.size_assumptions() + inside + chan))
    at = (*index[: len(index) - cv.nd], *(Affine.constant(n0) for n0 in nstar))
    diff = Expr.of(contraction_sum(forward(cv.spec(flip=True))[0], at), contraction_sum(cc, at).scaled(-sign))

    def only_if_strategy(dv: Deriver) -> None:
        dv.sift("lhs")
        e = dv.cur["lhs"]
        if e.sums[0].factors != e.sums[1].factors or set(e.sums[0].variables) != set(e.sums[1].variables):
            dv.align("lhs", only=["x"], target=Expr.of(e.sums[0], e.sums[0]))
        dv.apply("compare_coefficients", "lhs", operand="x")
        dv.apply("entails_hypothesis", "lhs", claim=claim_h.name, hypothesis=claim_h)

    part2 = Part(
        f"only if: equality for every x forces w {kind}",
        ctx2,
        diff,
        claim_h,
        "⇒",
        [],
        (*cv.text(), f"the window at output {list(nstar)} lies inside the input"),
    )
    notes: tuple[str, ...] = ()
    if sign == -1:
        notes = (
            "complex kernels: numpy's correlate conjugates its second argument, so numpy's convolve(x, w) = "
            "−numpy.correlate(x, w) for every x iff w = −conj(flip(w)) (and = iff w = conj(flip(w))); "
            "CNN libraries do not conjugate and the statement above holds verbatim",
        )
    else:
        notes = (
            "complex kernels: against numpy's conjugating correlate the condition is w = conj(flip(w)); "
            "CNN libraries do not conjugate",
        )
    st = f"convolve(x, w) = {rel}correlate(x, w) for every x ⟺ w[k] = {rel}w[K−1−k] (N-D: all axes flipped together)"
    nc = "the 'only if' direction assumes some output window lies entirely inside the input (true in valid mode)"
    recipe = Recipe((Read(1, forward(cv.spec(flip=True))[0], index),), (Read(sign, cc, index),), hypothesis=bool(hyps))
    return Plan(
        st,
        [(part1, if_strategy), (part2, only_if_strategy)],
        nc,
        notes,
        {"input": cv.N, "kernel": cv.K},
        recipes={part1.title: recipe},
    )


_IFF_VARIANTS = {
    "hypothesis_dropped": "no symmetry hypothesis",
    "one_axis": "symmetry along the first axis only (ndim ≥ 2)",
    "domain_off_by_one": "the forced symmetry is claimed on 0 ≤ k ≤ K (one too many)",
}


@_register(
    "convolve_equals_correlate_iff_centrosymmetric",
    "convolve(x, w) = correlate(x, w) for every x iff w is centrosymmetric (w = flip(w), all axes together)",
    _CONV,
    _IFF_VARIANTS,
)
def _t_centro(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _iff("convolve_equals_correlate_iff_centrosymmetric", 1, params, variant)


@_register(
    "convolve_equals_minus_correlate_iff_anticentrosymmetric",
    "convolve(x, w) = −correlate(x, w) for every x iff w = −flip(w)",
    _CONV,
    _IFF_VARIANTS,
)
def _t_anti(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _iff("convolve_equals_minus_correlate_iff_anticentrosymmetric", -1, params, variant)


# -- adjoint and algebra ---------------------------------------------------------------


_ADJOINT = ("ndim", "padding", "in_channels", "out_channels", "groups")


@_register(
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


@_register(
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


@_register(
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


@_register(
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


@_register(
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


# -- circular (instance-only) ---------------------------------------------------------


def _circular_instance(
    name: str, correlation: bool, nd: int, wrong: bool = False
) -> Callable[[Mapping[str, tuple[int, ...]]], tuple[bool, str, int]]:
    def run(sizes: Mapping[str, tuple[int, ...]]) -> tuple[bool, str, int]:
        n = sizes["input"]
        if len(n) != nd:
            raise SymconvError(f"{name}: `input_size` must have {nd} entries (ndim={nd}); got {list(n)}")
        guard_circular(name, n)
        total = int(np.prod(n))
        if total**4 >= 2**63:  # pragma: no cover - the cost guard refuses long before
            raise SymconvError(f"{name}: input size {list(n)} is beyond 64-bit group-ring keys")
        spec = ConvSpec(
            input_size=n,
            kernel_size=n,
            pad_lo=tuple(0 if correlation else k - 1 for k in n),
            pad_hi=tuple(k - 1 if correlation else 0 for k in n),
            flip=not correlation,
            padding_mode="circular",
        )
        from symconv.engines.terms import iter_terms

        c = forward(spec)[0]
        blocks = list(iter_terms(c))
        r = np.concatenate([t.result for t in blocks])
        xi = np.concatenate([t.factors[0] for t in blocks])
        wi = np.concatenate([t.factors[1] for t in blocks])
        # ω^(f·a): the exponent of the total-th root of unity, per axis ω^(total/N_i)
        coords = np.array(np.unravel_index(np.arange(total), n), dtype=np.int64).T
        scale = np.array([total // k for k in n], dtype=np.int64)
        expo = ((coords * scale) @ coords.T) % total
        f = np.arange(total, dtype=np.int64)
        # DFT(y)[f] = Σ_terms ω^(f·r) x[xi] w[wi]: the monomials (f, x entry, w entry, power of ω)
        lhs = ((f[:, None] * total + xi[None, :]) * total + wi[None, :]) * total + expo[:, r]
        # DFT(x)[f] · DFT(w)[f] (or its conjugate): Σ_a Σ_b ω^(f·a ± f·b) x[a] w[b]
        sign = -1 if correlation != wrong else 1
        power = (expo[:, :, None] + sign * expo[:, None, :]) % total
        rhs = ((f[:, None, None] * total + f[None, :, None]) * total + f[None, None, :]) * total + power
        ok = bool(np.array_equal(np.sort(lhs, axis=None), np.sort(rhs, axis=None)))
        return ok, "" if ok else "the two sides differ as elements of ℤ[ω][x, w]", int(lhs.size + rhs.size)

    return run


def _circular(name: str, correlation: bool, params: Mapping[str, Any], variant: str | None) -> Plan:
    nd = _algebra_params(name, params)
    st = (
        "DFT(circular_correlate(x, w)) = DFT(x) · conj(DFT(w)) for real w"
        if correlation
        else "DFT(circular_convolve(x, w)) = DFT(x) · DFT(w)"
    )
    nc = (
        "general sizes are NOT covered: the rules do not reach reindexing modulo N; the statement is checked "
        "exactly at concrete sizes (both sides as elements of the group ring ℤ[ℤ_N][x, w], which implies equality "
        "for the N-th root of unity)"
    )
    return Plan(
        st,
        [],
        nc,
        instance_only=True,
        instance=_circular_instance(name, correlation, nd, variant is not None),
        size_params={"input": ()},
    )


@_register(
    "circular_convolution_theorem",
    "the DFT turns circular convolution into a pointwise product",
    ("ndim",),
    {"conjugated": "claimed as DFT(x) · conj(DFT(w))"},
)
def _t_circ(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _circular("circular_convolution_theorem", False, params, variant)


@_register(
    "circular_correlation_theorem",
    "the DFT turns circular correlation into a product with the conjugate DFT (real kernel)",
    ("ndim",),
    {"not_conjugated": "claimed as DFT(x) · DFT(w)"},
)
def _t_circ_corr(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _circular("circular_correlation_theorem", True, params, variant)


# -- the public face ------------------------------------------------------------------


def theorems() -> list[tuple[str, str]]:
    """Every theorem of the library: ``(name, one-line statement)``.

    >>> names = [n for n, _ in theorems()]
    >>> "convolve_equals_correlate_iff_centrosymmetric" in names
    True
    """
    return [(i.name, i.statement) for i in _LIBRARY.values()]


def parameters(name: str) -> list[str]:
    """The parameters theorem ``name`` takes (``ndim``, ``stride``, …).

    >>> parameters("full_convolution_commutes")
    ['ndim']
    """
    return list(_info(name).params)


def variants(name: str) -> dict[str, str]:
    """The FALSE variants of theorem ``name`` (variant → what is wrong), for soundness checks.

    >>> sorted(variants("full_correlation_swap_is_flip"))
    ['no_flip']
    """
    return dict(_info(name).variants)


def _info(name: str) -> _Info:
    if not isinstance(name, str) or name not in _LIBRARY:
        raise SymconvError(
            f"theorem: `name` must be one of the library's theorems (see `symconv theorems`); got {name!r}"
        )
    return _LIBRARY[name]


def theorem(name: str, **params: Any) -> Theorem:
    r"""A theorem of the library with its parameters (``ndim``, ``stride``, ``dilation``, ``padding``, …).

    .. math:: \frac{\partial L}{\partial x[m]} = \sum_k g[m-k]\, w[k]

    (for example ``correlate_grad_input_is_full_convolution``).

    >>> theorem("conv_grad_weight_swaps_stride_and_dilation", stride=2, dilation=3).prove().holds
    True

    Parameters
    ----------
    name : str
        One of :func:`theorems`.
    **params
        The theorem's parameters; unknown ones are an error.

    See also
    --------
    theorems, symconv.Proof
    """
    _info(name)
    t = Theorem(name, {k: _plain(v) for k, v in params.items()})
    t.plan()  # validate now
    return t


@dataclass
class Theorem:
    """A theorem with its parameters; :meth:`prove` establishes (or refutes) it."""

    name: str
    params: dict[str, Any]
    variant_name: str | None = None

    @property
    def statement(self) -> str:
        """The one-line statement."""
        return _LIBRARY[self.name].statement

    @property
    def parameters(self) -> list[str]:
        """The parameters this theorem takes (``theorem(name, **params)``), e.g. ``ndim``, ``stride``.

        >>> theorem("conv_grad_input_is_transposed_conv").parameters
        ['ndim', 'stride', 'dilation', 'padding', 'in_channels', 'out_channels', 'groups', 'output_padding']
        """
        return list(_LIBRARY[self.name].params)

    @property
    def variants(self) -> dict[str, str]:
        """The FALSE variants this theorem knows (name → what is wrong), for :meth:`variant`.

        >>> theorem("full_correlation_swap_is_flip").variants
        {'no_flip': 'claimed without the flip'}
        """
        return dict(_LIBRARY[self.name].variants)

    def variant(self, name: str) -> Theorem:
        """A FALSE variant of the claim (for soundness checks): ``no_flip``, ``off_by_one``, …"""
        if name not in _LIBRARY[self.name].variants:
            raise SymconvError(f"{self.name}: `variant` must be one of {sorted(self.variants)}; got {name!r}")
        return Theorem(self.name, dict(self.params), name)

    def plan(self) -> Plan:
        """Build the statement's parts (validates the parameters)."""
        return _LIBRARY[self.name].build(self.params, self.variant_name)

    def prove(
        self,
        method: str = "general",
        *,
        input_size: Sequence[int] | None = None,
        kernel_size: Sequence[int] | None = None,
        trials: int = 3,
        seed: int = 0,
        notation: str = "bracket",
    ) -> Proof:
        r"""Prove the theorem: ``general`` (all sizes), ``instance`` (exact, given sizes) or ``randomized``.

        ``general`` rewrites the statement with the named rules, the solver
        deciding every side condition, for every size at once; ``instance``
        compares both sides as exact polynomials at ``input_size`` /
        ``kernel_size``; ``randomized`` evaluates them ``trials`` times at
        random points modulo the engine's prime :math:`p` (error
        :math:`\le (\deg/p)^{\mathrm{trials}}`, ``deg`` the identity's
        degree). Without sizes, the instance methods (and the exact checks
        that complete a general proof) use sizes DERIVED from the statement's
        assumptions: the smallest GENERIC ones — every size ≥ 2, unequal along
        axes and between operands, several sets — where a wrong claim cannot
        hide (:mod:`symconv.proofs._sizes`). Where the statement is a
        contraction of the one definition (gradients, full/transposed
        convolutions, flips, the Jacobian of the Toeplitz theorem, symmetry
        hypotheses as ``structure``), both go through
        :func:`symconv.check_exact` / :func:`symconv.check_randomized`;
        otherwise (associativity, the "only if" rank, the DFT theorems, a few
        false variants) through the exact expansion of the statement.
        ``engine`` and each instance check say which. Every instance check is
        costed first: beyond the limits of :func:`symconv.limits` it is
        refused before it runs.

        A false :meth:`variant` that comes out holding — its parameters or the
        given sizes make it say what the theorem says (no channels to swap, a
        stride of 1, a kernel of size 1 that no flip can change) — gets the
        status ``'coincides'``: it is not refuted, and not "proved" either.

        >>> theorem("full_convolution_commutes").prove().status
        'proved'
        >>> p = theorem("full_convolution_commutes").prove("instance", input_size=[6], kernel_size=[3])
        >>> p.holds, p.engine
        (True, 'coefficient engine (check_exact)')
        >>> theorem("conv_grad_input_is_transposed_conv").variant("no_stride").prove().status
        'coincides'
        """
        if method not in ("general", "instance", "randomized"):
            raise SymconvError(f"prove: `method` must be 'general', 'instance' or 'randomized'; got {method!r}")
        check_notation("prove", notation)
        _int("prove", "trials", trials, 1)
        _int("prove", "seed", seed, 0)
        guard_trials(trials)
        if method == "general" and (input_size is not None or kernel_size is not None):
            raise SymconvError(
                "prove: `input_size`/`kernel_size` go with method='instance' or 'randomized'; a general proof has no "
                f"sizes (got input_size={input_size!r}, kernel_size={kernel_size!r})"
            )
        symbolic = sorted(k for k, v in self.params.items() if isinstance(v, str))
        if method != "general" and symbolic and (input_size is not None or kernel_size is not None):
            raise SymconvError(
                f"prove: an instance check at given sizes needs numeric {', '.join(f'`{k}`' for k in symbolic)}; got "
                f"{', '.join(f'{k}={self.params[k]!r}' for k in symbolic)} (a symbol is proved by method='general')"
            )
        t0 = time.perf_counter()
        plan = self.plan()
        name = self.name + (f" [variant {self.variant_name}]" if self.variant_name else "")
        proof = Proof(
            name,
            plan.statement or self.statement,
            dict(self.params),
            method,
            "unproved",
            not_covered=plan.not_covered,
            notes=plan.notes,
            notation=notation,
        )
        if self.variant_name is not None and _same_statement(plan, Theorem(self.name, dict(self.params)).plan()):
            proof.status = "coincides"
            proof.message = (
                f"the variant {self.variant_name!r} ({self.variants[self.variant_name]}) states exactly what the "
                f"theorem states at these parameters ({_show_params(self.params)}): it is not false here, so it "
                "shows nothing; choose parameters where it differs (see `theorem.variants`)"
            )
            proof.not_covered = "nothing is claimed: the variant coincides with the theorem"
            proof.seconds = time.perf_counter() - t0
            return proof
        if method == "general" and not plan.instance_only:
            checks = [(part, sz) for part, _ in plan.parts for sz in _derived(plan, part, 2)]
            for part, sz in checks:  # cost the completing checks before any work
                guard_instance(part, sz, "instance", 1, plan.recipes.get(part.title), completing=True)
            self._general(plan, proof, checks)
        else:
            if method == "general":
                proof.method = "instance"
            self._instances(
                plan, proof, method if method != "general" else "instance", input_size, kernel_size, trials, seed
            )
        if self.variant_name is not None and proof.status == "proved":
            where = "for every size" if proof.method == "general" else f"at every size checked ({_show_checks(proof)})"
            proof.status = "coincides"
            proof.message = (
                f"the variant {self.variant_name!r} ({self.variants[self.variant_name]}) holds {where}: there it "
                "coincides with the theorem (a degenerate size, such as a kernel of size 1 that no flip changes, "
                "hides what it gets wrong), so it shows nothing; leave the sizes out for derived generic ones, or "
                "give sizes ≥ 2, unequal along axes and between operands"
            )
            proof.not_covered = "nothing is claimed: the variant coincides with the theorem at the sizes checked"
        proof.seconds = time.perf_counter() - t0
        return proof

    # -- general ---------------------------------------------------------------------
    def _general(self, plan: Plan, proof: Proof, checks: Sequence[tuple[Part, dict[sympy.Symbol, int]]]) -> None:
        proof.engine = "rules + z3 (all sizes)"
        for part, strategy in plan.parts:
            proof.parts.append(part)
            dv = Deriver(part)
            try:
                strategy(dv)
            except RuleError as exc:
                proof.status = "unproved"
                proof.message = f"{part.title}: {exc}"
                refutation = _refute(part, exc.counterexample)
                if refutation:
                    proof.status = "refuted"
                    proof.message += f"; refuted: {refutation}"
                return
        proof.status = "proved"
        bounded = [(part.title, c) for part, _ in plan.parts for s in part.steps for c in s.conditions]
        bounded = [(t, c) for t, c in bounded if c.status == "unknown"]
        if bounded:  # the solver said "unknown": a bounded check stood in, and that is all we claim
            proof.status = "bounded"
            what = "; ".join(f"{t}: {c.text} [{c.bounded}]" for t, c in bounded)
            proof.message = (
                f"the solver answered 'unknown' on {len(bounded)} side condition(s); each holds within its bounded "
                f"check only: {what}"
            )
            outside = f"sizes outside the bounded check of {len(bounded)} side condition(s) ({bounded[0][1].bounded})"
            proof.not_covered = outside if plan.not_covered == "—" else f"{plan.not_covered}; {outside}"
        for part, sz in checks:  # exact instance checks at derived generic sizes complete the certificate
            ok, msg, extra = _instance_part(part, sz, "instance", 1, 0, plan.recipes.get(part.title))
            proof.instance_checks.append(
                {
                    "part": part.title,
                    "sizes": {k.name: v for k, v in sz.items()},
                    "holds": ok,
                    "method": "instance",
                    **extra,
                }
            )
            if not ok:  # pragma: no cover - a rule bug would show here
                proof.status = "refuted"
                proof.message = f"{part.title}: exact instance check fails at {sz}: {msg}"
        proof.engine = "rules + z3 (all sizes); instance checks: " + _engines(proof.instance_checks)

    # -- instances -------------------------------------------------------------------
    def _instances(
        self,
        plan: Plan,
        proof: Proof,
        method: str,
        input_size: Sequence[int] | None,
        kernel_size: Sequence[int] | None,
        trials: int,
        seed: int,
    ) -> None:
        proof.method = method
        if plan.instance is not None:
            self._circular_runs(plan, proof, input_size, kernel_size)
            return
        sizes = _instance_sizes(self.name, plan, input_size, kernel_size)
        runs = [
            (part, sz)
            for part, _ in plan.parts
            for sz in (sizes or _derived(plan, part, 3))
            if _satisfies(part, sz)  # given sizes: a part whose assumptions they miss is not about them
        ]
        for part, sz in runs:  # cost every check before any runs
            guard_instance(part, sz, method, trials, plan.recipes.get(part.title))
        ok_all = True
        for part, sz in runs:
            ok, msg, extra = _instance_part(part, sz, method, trials, seed, plan.recipes.get(part.title))
            proof.instance_checks.append(
                {
                    "part": part.title,
                    "sizes": {k.name: v for k, v in sz.items()},
                    "holds": ok,
                    "method": method,
                    **extra,
                }
            )
            if not ok:
                ok_all = False
                proof.message = f"{part.title} at {', '.join(f'{k}={v}' for k, v in sz.items())}: {msg}"
        if ok_all and not proof.instance_checks:
            texts = "; ".join(t for part, _ in plan.parts for t in part.assumptions_text)
            raise SymconvError(
                f"{self.name}: `input_size` (={list(input_size or ())}) and `kernel_size` (={list(kernel_size or ())}) "
                f"must satisfy the theorem's assumptions ({texts})"
            )
        proof.status = "proved" if ok_all else "refuted"
        proof.engine = _engines(proof.instance_checks)
        if method == "randomized":
            deg = max(int(c.get("degree", 1)) for c in proof.instance_checks)
            proof.not_covered = (
                f"randomized: each check may miss a difference with probability ≤ (deg/p)^{trials}, "
                f"p = {DEFAULT_PRIME}, deg = {deg} (the identity's degree)"
            )
        else:
            proof.not_covered = "sizes other than those checked"

    def _circular_runs(
        self, plan: Plan, proof: Proof, input_size: Sequence[int] | None, kernel_size: Sequence[int] | None
    ) -> None:
        """The DFT theorems: exact group-ring checks at the given size, or at generic sizes (≥ 3, unequal axes)."""
        assert plan.instance is not None
        nd = int(self.params.get("ndim", 1))
        given = [] if input_size is None else [tuple(_int(self.name, "input_size", v, 1) for v in input_size)]
        if given and len(given[0]) != nd:
            raise SymconvError(f"{self.name}: `input_size` must have {nd} entries (ndim={nd}); got {list(given[0])}")
        if kernel_size is not None and (input_size is None or list(kernel_size) != list(input_size)):
            raise SymconvError(
                f"{self.name}: the kernel of a circular theorem has the input's size (the DFTs are multiplied entry "
                f"by entry); leave `kernel_size` out or make it equal `input_size`; got kernel_size={list(kernel_size)}"
                f", input_size={None if input_size is None else list(input_size)}"
            )
        # 3, 4, 5 cyclically along the axes: a size ≤ 2 has a real root of unity, where a conjugate is invisible
        runs = given or [tuple(3 + (a + k) % 3 for a in range(nd)) for k in range(3)]
        for r in runs:
            guard_circular(self.name, r)
        ok_all = True
        for r in runs:
            ok, msg, terms = plan.instance({"input": r})
            proof.instance_checks.append({"sizes": {"N": list(r)}, "holds": ok, "terms": terms, "method": "instance"})
            if not ok:
                ok_all = False
                proof.message = f"N={list(r)}: {msg}"
        proof.status = "proved" if ok_all else "refuted"
        proof.engine = ENGINE_GROUP_RING
        for c in proof.instance_checks:
            c["engine"] = ENGINE_GROUP_RING


def _derived(plan: Plan, part: Part, count: int) -> list[dict[sympy.Symbol, int]]:
    """Generic sizes for ``part``: derived from its assumptions, every shape and loop of its contractions ≥ 2."""
    recipe = plan.recipes.get(part.title)
    extents: list[Any] = []
    for r in (*recipe.lhs, *recipe.rhs) if recipe is not None else ():
        for o in (*r.c.operands, r.c.result):
            extents += list(o.shape)
        extents += [v.extent for v in r.c.variables]
    return derive_sizes(part.ctx, count, extents)


def _same_statement(a: Plan, b: Plan) -> bool:
    """Whether two plans state the same thing, part by part (a variant that changes nothing at its parameters)."""
    if a.instance_only or b.instance_only or len(a.parts) != len(b.parts):
        return False
    for (pa, _), (pb, _) in zip(a.parts, b.parts):
        if (pa.title, pa.lhs, pa.rhs, pa.ctx, pa.relation, pa.definitions) != (
            pb.title,
            pb.lhs,
            pb.rhs,
            pb.ctx,
            pb.relation,
            pb.definitions,
        ):
            return False
    return dict(a.recipes) == dict(b.recipes)


def _show_params(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items()) or "the defaults"


def _show_checks(proof: Proof) -> str:
    return "; ".join(", ".join(f"{k}={v}" for k, v in c["sizes"].items()) for c in proof.instance_checks)


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
        v = int(as_expr(c.expr.const).subs(sizes))
        if (c.op == "==" and v != 0) or (c.op != "==" and v < 0):
            return False
    return True


def _mirror(hyp: Hypothesis, sizes: Mapping[sympy.Symbol, int]) -> Callable[[tuple[int, ...]], tuple[int, ...]]:
    """``idx ↦ rhs(idx)`` of a hypothesis (its left side is the identity), in plain integers at ``sizes``."""
    rows = [
        (
            int(as_expr(a.const).subs(sizes)),
            [(hyp.variables.index(v), int(as_expr(c).subs(sizes))) for v, c in a.coeffs],
        )
        for a in hyp.rhs
    ]

    def fn(idx: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(const + sum(c * idx[i] for i, c in terms) for const, terms in rows)

    return fn


def _canon(
    mono: tuple[tuple[str, tuple[int, ...]], ...], hyp: Hypothesis | None, mirror: Callable[..., tuple[int, ...]]
) -> tuple[int, tuple[Any, ...]]:
    """Reduce a monomial modulo a symmetry hypothesis: ``w[k] → sign·w[min(k, mirror k)]``."""
    if hyp is None:
        return 1, mono
    sign = 1
    out = []
    for op, idx in mono:
        if op == hyp.operand:
            mir = mirror(tuple(idx))
            if mir < idx:
                idx = mir
                sign *= hyp.sign
            elif mir == idx and hyp.sign == -1:
                return 0, mono
        out.append((op, idx))
    return sign, tuple(sorted(out))


def _rank(rows: Sequence[Sequence[int]], ncols: int) -> int:
    """Exact rank of an integer matrix (over ℚ)."""
    from sympy.polys.domains import QQ
    from sympy.polys.matrices import DomainMatrix

    if not rows or not ncols:
        return 0
    return int(DomainMatrix([[QQ(v) for v in r] for r in rows], (len(rows), ncols), QQ).rank())


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
    part = replace(part, lhs=_unfold(part.lhs, part), rhs=_unfold(part.rhs, part), definitions=())
    ctx = part.ctx
    hyp = ctx.hypotheses[0] if ctx.hypotheses else None
    if method == "randomized":
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
    ok, msg, extra = _expansion(part, sizes, hyp)
    return ok, msg, {"engine": ENGINE_EXPANSION, **extra}


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
    part: Part, sizes: Mapping[sympy.Symbol, int], hyp: Hypothesis | None
) -> tuple[bool, str, dict[str, Any]]:
    ctx = part.ctx
    la = monomials(part.lhs, ctx, sizes)
    rb = monomials(part.rhs, ctx, sizes)  # type: ignore[arg-type]
    if hyp is not None:
        la, rb = _reduce(la, hyp, sizes), _reduce(rb, hyp, sizes)
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
    mono: Mapping[tuple[Any, ...], int], hyp: Hypothesis, sizes: Mapping[sympy.Symbol, int]
) -> dict[tuple[Any, ...], int]:
    out: dict[tuple[Any, ...], int] = {}
    mirror = _mirror(hyp, sizes)
    for (free, m), c in mono.items():
        sign, m2 = _canon(m, hyp, mirror)
        if sign:
            out[(free, m2)] = out.get((free, m2), 0) + sign * c
    return {k: v for k, v in out.items() if v}


def _instance_only_if(part: Part, sizes: Mapping[sympy.Symbol, int]) -> tuple[bool, str, dict[str, Any]]:
    """Exactly: the linear forms in w that must vanish (coefficients of every x) span the hypothesis."""
    hyp = part.rhs
    assert isinstance(hyp, Hypothesis)
    mono = monomials(part.lhs, part.ctx, sizes)  # type: ignore[arg-type]
    forms: dict[Any, dict[Any, int]] = {}
    cols: dict[Any, int] = {}
    for (free, m), c in mono.items():  # one linear form in w per (free point, entry of x) that must vanish
        x = (free, next(idx for op, idx in m if op == "x"))
        w = next(idx for op, idx in m if op == hyp.operand)
        forms.setdefault(x, {})[w] = forms.get(x, {}).get(w, 0) + c
        cols.setdefault(w, len(cols))
    hyp_forms = []
    ks = [int(as_expr(s).subs(sizes)) for s in _kernel_sizes(hyp)]
    mirror = _mirror(hyp, sizes)
    for u in np.ndindex(*ks):
        here = tuple(int(x) for x in u)
        mir = mirror(here)
        f = {here: 1}
        f[mir] = f.get(mir, 0) - hyp.sign
        hyp_forms.append(f)
        for w in f:
            cols.setdefault(w, len(cols))
    a_rows = [[f.get(w, 0) for w in cols] for f in forms.values()]
    h_rows = [[f.get(w, 0) for w in cols] for f in hyp_forms]
    ok = _rank(a_rows, len(cols)) == _rank(a_rows + h_rows, len(cols))
    return ok, "" if ok else "equality for every x does not force the hypothesis at these sizes", {"forms": len(forms)}


def _kernel_sizes(h: Hypothesis) -> list[sympy.Expr]:
    out = []
    for v in h.variables:
        ub = next(c for c in h.domain if c.expr.coeff(v) == -1)
        out.append(ub.expr.const + 1)
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
