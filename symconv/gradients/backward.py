r"""The backward table: every gradient of a layer, derived, named, and checked.

:func:`backward_rule` differentiates the ONE forward formula of an operation
(:func:`symconv.gradients.grad.grad_contraction` on :func:`symconv.core.formula.forward`),
then identifies each gradient with a named operation built from the same
formula module — a full or transposed convolution, a correlation with stride
and dilation swapped — and proves the identification with the exact instance
engine at several sizes. For ``y = x ⋆ w`` (correlation, what deep-learning
libraries call convolution) and :math:`g = \partial L/\partial y`:

.. math::

   \frac{\partial L}{\partial x} = g \ast_{\mathrm{full}} w, \qquad
   \frac{\partial L}{\partial w} = x \star_{\mathrm{valid}} g, \qquad
   \frac{\partial L}{\partial b} = \textstyle\sum g .

>>> rule = backward_rule("correlate", input_size=5, kernel_size=3)
>>> [(r.gradient, r.operation, r.verified.startswith("exact")) for r in rule.rows]
[('dL/dx', 'full convolution of g with w', True), ('dL/dw', 'valid correlation of x with g', True)]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import sympy

from symconv.arrays.ops import mode_padding
from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.formula import (
    Boundary,
    Contraction,
    ConvSpec,
    Factor,
    Operand,
    Var,
    flip_index,
    forward,
    output_size,
    transpose,
    transpose_output_padding,
)
from symconv.core.numbers import shown
from symconv.core.public import public
from symconv.core.validate import _is_int, check_choice, check_int, check_window, per_axis, per_side
from symconv.display.tree import scatter
from symconv.engines.instance import Side, check_exact
from symconv.gradients.grad import grad_contractions, reindex_operand, rename_operands
from symconv.gradients.table import _GRADIENT_LABEL, TEXT_WIDTH, _fmt, rule_latex, rule_text

__all__ = ["BackwardRow", "BackwardRule", "backward_rule"]

OPS = ("correlate", "convolve", "conv1d", "conv2d", "conv3d")
#: backward_rule checks every identification exactly at three sizes; beyond this it refuses.
MAX_TERMS = 10**8
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


# -- display of a contraction -------------------------------------------------------


# -- the table -------------------------------------------------------------------


@dataclass(frozen=True)
class BackwardRow:
    """One gradient: derived formula, the named operation it equals, and how that was verified."""

    gradient: str
    formula: str
    operation: str
    parameters: dict[str, Any]
    verified: str
    theorem: str | None
    derived: tuple[Contraction, ...] = field(repr=False, compare=False)
    named: tuple[Contraction, ...] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the contractions are summarised by their LaTeX)."""
        return {
            "gradient": self.gradient,
            "formula": self.formula,
            "operation": self.operation,
            "parameters": {k: _jsonable(v) for k, v in self.parameters.items()},
            "verified": self.verified,
            "theorem": self.theorem,
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, (tuple, list)):
        return [_jsonable(x) for x in v]
    if isinstance(v, sympy.Basic):
        return int(v) if v.is_Integer else str(v)  # type: ignore[attr-defined]
    return v


@dataclass(frozen=True)
class BackwardRule:
    """The backward table of one operation: ``rows`` of :class:`BackwardRow`."""

    op: str
    params: dict[str, Any]
    rows: tuple[BackwardRow, ...]

    @property
    def holds(self) -> bool:
        """True when every identification was verified."""
        return all(r.verified.startswith("exact") for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        """The table as plain data."""
        return {
            "op": self.op,
            "params": {k: _jsonable(v) for k, v in self.params.items()},
            "rows": [r.to_dict() for r in self.rows],
        }

    def to_json(self, **kwargs: Any) -> str:
        """The table as JSON (``kwargs`` go to :func:`json.dumps`)."""
        kwargs.setdefault("indent", 2)
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    def _cells(self) -> list[list[str]]:
        out = []
        for r in self.rows:
            params = ", ".join(f"{k}={_fmt(v)}" for k, v in r.parameters.items())
            out.append([r.gradient, r.formula, r.operation, params, r.verified, r.theorem or "—"])
        return out

    def text(self, width: int = TEXT_WIDTH) -> str:
        """A plain-text table (formulas in readable ASCII) no wider than ``width`` columns.

        When the six columns do not fit, each gradient becomes a block: its derived formula, then the
        named operation, parameters, verification and theorem on wrapped, indented lines.
        """
        return rule_text(self, width)

    def markdown(self) -> str:
        """A Markdown table (formulas as inline math)."""
        head = "| gradient | derived formula | named operation | parameters | verified | theorem |"
        sep = "|---|---|---|---|---|---|"
        body = [
            f"| {c[0]} | ${c[1]}$ | {c[2]} | {c[3]} | {c[4]} | {('`' + c[5] + '`') if c[5] != '—' else '—'} |"
            for c in self._cells()
        ]
        return "\n".join([head, sep, *body])

    def latex(self) -> str:
        r"""A booktabs ``tabularx`` as wide as the line, its columns wrapping (see :func:`symconv.latex_preamble`)."""
        return rule_latex(self)

    def _repr_markdown_(self) -> str:
        """Jupyter shows the table as Markdown with inline math."""
        return self.markdown()

    def __str__(self) -> str:
        return self.text()


# -- derivation and identification ------------------------------------------------


@dataclass(frozen=True)
class _Layer:
    op: str
    nd: int
    flip: bool
    n: tuple[int, ...]
    k: tuple[int, ...]
    s: tuple[int, ...]
    d: tuple[int, ...]
    lo: tuple[int, ...]
    hi: tuple[int, ...]
    mode: str
    batch: int | None
    channels: tuple[int, int] | None
    groups: int
    bias: bool

    def spec(self, n: tuple[int, ...] | None = None) -> ConvSpec:
        return ConvSpec(
            input_size=n or self.n,
            kernel_size=self.k,
            stride=self.s,
            dilation=self.d,
            pad_lo=self.lo,
            pad_hi=self.hi,
            flip=self.flip,
            batch=self.batch,
            channels=self.channels,
            groups=self.groups,
            padding_mode=self.mode,
            bias=self.bias,
        )

    def out(self, n: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(
            int(output_size(n[i], self.k[i], self.s[i], self.d[i], self.lo[i], self.hi[i])) for i in range(self.nd)
        )

    def output_padding(self, n: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(
            int(transpose_output_padding(n[i], self.k[i], self.s[i], self.d[i], self.lo[i], self.hi[i]))
            for i in range(self.nd)
        )

    @property
    def plain_stride_one(self) -> bool:
        return all(v == 1 for v in self.s) and self.mode == "zeros" and self.channels is None


def _lead(layer: _Layer) -> int:
    return (layer.batch is not None) + (layer.channels is not None)


def _input_gradient(layer: _Layer, n: tuple[int, ...]) -> tuple[str, Side, dict[str, Any], str | None]:
    """The named operation equal to dL/dx: full convolution/correlation or transposed convolution."""
    out = layer.out(n)
    if layer.plain_stride_one:
        # stride 1: a full-mode forward operation with the kernel flipped relative to the forward op
        span = tuple(layer.d[i] * (layer.k[i] - 1) for i in range(layer.nd))
        lo = tuple(span[i] - layer.lo[i] for i in range(layer.nd))
        hi = tuple(span[i] - layer.hi[i] for i in range(layer.nd))
        spec = ConvSpec(input_size=out, kernel_size=layer.k, dilation=layer.d, pad_lo=lo, pad_hi=hi)
        spec = replace(spec, flip=not layer.flip, output_size=n)
        c = rename_operands(forward(spec)[0], {"x": "g"})
        kind = "correlation" if layer.flip else "convolution"
        name = f"full {kind} of g with w"
        if any(layer.lo) or any(layer.hi):
            name += f", cropped by the padding {_pad_text(layer)}"
        params: dict[str, Any] = {"mode": "full", "dilation": layer.d} if any(v != 1 for v in layer.d) else {}
        if not params:
            params = {"mode": "full"}
        if any(layer.lo) or any(layer.hi):
            params["crop"] = _pad_pairs(layer)
        theorem = (
            "convolve_grad_input_is_full_correlation" if layer.flip else "correlate_grad_input_is_full_convolution"
        )
        return name, [(1, c)], params, theorem
    op = layer.output_padding(n)
    spec = replace(layer.spec(out), padding_mode="zeros", bias=False)
    c = transpose(spec, output_padding=op)[0]
    name = "transposed convolution of g with w"
    if layer.flip:
        name += " (kernel flipped)"
    params = {"stride": layer.s, "dilation": layer.d, "crop": _pad_pairs(layer), "output_padding": op}
    if layer.channels is not None:
        params["channels"] = "kernel in/out axes swapped" + (" per group" if layer.groups != 1 else "")
        params["groups"] = layer.groups
    if layer.mode != "zeros":
        # the gradient of a folded (reflect/replicate/circular) read: scatter into the padded range, fold back
        nd, lead = layer.nd, _lead(layer)
        c = transpose(replace(spec, pad_lo=(0,) * nd, pad_hi=(0,) * nd), output_padding=(0,) * nd)[0]
        rb = (None,) * lead + tuple(
            Boundary(layer.mode, sympy.Integer(layer.lo[i]), sympy.Integer(layer.hi[i])) for i in range(nd)
        )

        def shift(index: tuple[Affine, ...]) -> tuple[Affine, ...]:
            return index[:lead] + tuple(index[lead + i] - layer.lo[i] for i in range(nd))

        res_shape = tuple(c.result.shape[:lead]) + tuple(sympy.Integer(v) for v in n)
        c = reindex_operand(c, c.result.name, shift, res_shape)
        c = replace(c, result_boundary=rb)
        name += f", its {layer.mode}-padded border folded back"
        channel_info: dict[str, Any] = {k: params[k] for k in ("channels", "groups") if k in params}
        params = {"stride": layer.s, "dilation": layer.d, "padding_mode": layer.mode, "fold": _pad_pairs(layer)}
        params.update(channel_info)
    c = rename_operands(c, {"x": "g"})
    return name, [(1, c)], params, "conv_grad_input_is_transposed_conv"


def _pad_pairs(layer: _Layer) -> tuple[tuple[int, int], ...]:
    return tuple((layer.lo[i], layer.hi[i]) for i in range(layer.nd))


def _pad_text(layer: _Layer) -> str:
    return _fmt(_pad_pairs(layer))


def _weight_gradient(layer: _Layer, n: tuple[int, ...]) -> tuple[str, Side, dict[str, Any], str | None]:
    """The named operation equal to dL/dw: x correlated with g, stride and dilation swapped."""
    out = layer.out(n)
    nd = layer.nd
    base = ConvSpec(
        input_size=n,
        kernel_size=out,
        stride=layer.d,
        dilation=layer.s,
        pad_lo=layer.lo,
        pad_hi=layer.hi,
        padding_mode=layer.mode,
        output_size=layer.k,
    )
    side: list[tuple[int, Contraction]] = []
    if layer.channels is None:
        side.append((1, rename_operands(forward(base)[0], {"w": "g"})))
    else:
        # per group: batch plays the role of the contracted channel, input channels the role of the batch
        assert layer.batch is not None
        cin, cout = layer.channels
        cin_g, cout_g = cin // layer.groups, cout // layer.groups
        B = layer.batch
        for grp in range(layer.groups):
            spec = replace(base, batch=cin_g, channels=(B, cout_g))
            c = rename_operands(forward(spec)[0], {"w": "g"})

            def x_idx(ix: tuple[Affine, ...], grp: int = grp) -> tuple[Affine, ...]:
                return (ix[1], ix[0] + grp * cin_g, *ix[2:])

            def g_idx(ix: tuple[Affine, ...], grp: int = grp) -> tuple[Affine, ...]:
                return (ix[1], ix[0] + grp * cout_g, *ix[2:])

            def r_idx(ix: tuple[Affine, ...], grp: int = grp) -> tuple[Affine, ...]:
                return (ix[1] + grp * cout_g, ix[0], *ix[2:])

            c = reindex_operand(c, "x", x_idx, _ints((B, cin, *n)))
            c = reindex_operand(c, "g", g_idx, _ints((B, cout, *out)))
            c = reindex_operand(c, "y", r_idx, _ints((cout, cin_g, *layer.k)))
            side.append((1, c))
    if layer.flip:
        lead = 0 if layer.channels is None else 2

        def flip_k(ix: tuple[Affine, ...]) -> tuple[Affine, ...]:
            return ix[:lead] + tuple(flip_index(layer.k[i], ix[lead + i]) for i in range(nd))

        side = [(a, reindex_operand(c, "y", flip_k)) for a, c in side]
    swapped = any(v != 1 for v in layer.s) or any(v != 1 for v in layer.d)
    padded = any(layer.lo) or any(layer.hi)
    if layer.flip:
        name = "flipped valid correlation of x with g"
        theorem = "convolve_grad_weight_is_flipped_valid_correlation"
    else:
        name = "valid correlation of x with g"
        theorem = "correlate_grad_weight_is_valid_correlation"
    params: dict[str, Any] = {"mode": "valid"}
    if swapped or padded or layer.channels is not None or layer.mode != "zeros":
        theorem = "conv_grad_weight_swaps_stride_and_dilation"
        name = ("flipped " if layer.flip else "") + "correlation of x with g"
        if swapped:
            name += ", stride and dilation swapped"
        params = {"stride": layer.d, "dilation": layer.s, "padding": _pad_pairs(layer), "output_size": layer.k}
        if layer.mode != "zeros":
            params["padding_mode"] = layer.mode
        if layer.channels is not None:
            name += ", summed over the batch, per (out, in) channel pair" + (" per group" if layer.groups != 1 else "")
            params["groups"] = layer.groups
    return name, side, params, theorem


def _ints(values: Sequence[int]) -> tuple[sympy.Expr, ...]:
    return tuple(sympy.Integer(int(v)) for v in values)


def _bias_gradient(layer: _Layer, n: tuple[int, ...]) -> tuple[str, Side, dict[str, Any], str | None]:
    """dL/db = Σ over batch and positions of g (a plain reduction)."""
    assert layer.channels is not None
    out = layer.out(n)
    cout = layer.channels[1]
    vars_: list[Var] = []
    index: list[Affine] = []
    if layer.batch is not None:
        vars_.append(Var("b", sympy.Integer(layer.batch)))
        index.append(Affine.var("b"))
    vars_.append(Var("o", sympy.Integer(cout)))
    index.append(Affine.var("o"))
    for i in range(layer.nd):
        vars_.append(Var(f"n{i}", sympy.Integer(out[i])))
        index.append(Affine.var(f"n{i}"))
    g_shape = ((layer.batch,) if layer.batch is not None else ()) + (cout, *out)
    c = Contraction(
        "sum",
        Operand("y", (sympy.Integer(cout),)),
        (Affine.var("o"),),
        tuple(vars_),
        (Factor("g", tuple(index)),),
        (Operand("g", _ints(g_shape)),),
    )
    return "sum of g over batch and positions", [(1, c)], {"axes": "batch, spatial"}, None


def _verify(layer: _Layer, wrt: str, builder: Any, sizes: Sequence[tuple[int, ...]]) -> tuple[str, Side, Side]:
    total = 0
    first: tuple[Side, Side] | None = None
    for n in sizes:
        derived = tuple((1, c) for c in grad_contractions(forward(layer.spec(n)), wrt))
        _, named, _, _ = builder(layer, n)
        res = check_exact(list(derived), named)
        if first is None:
            first = (list(derived), named)
        if not res.holds:
            return f"FAILED at input size {_fmt(n)}: {res.counterexample}", first[0], first[1]
        total += res.terms
    assert first is not None
    shown = ", ".join(_fmt(n) for n in sizes)
    return f"exact instance check at input sizes {shown} ({total:,} terms)", first[0], first[1]


def _sizes(layer: _Layer) -> list[tuple[int, ...]]:
    """The given input size and two larger ones that change the stride remainder."""
    out = [layer.n]
    for extra in (1, 2):
        out.append(tuple(v + extra for v in layer.n))
    return out


@public
def backward_rule(
    op: str,
    *,
    input_size: Any = None,
    kernel_size: Any = None,
    stride: Any = 1,
    dilation: Any = 1,
    padding: Any = 0,
    padding_mode: str = "zeros",
    channels: tuple[int, int] | None = None,
    groups: int = 1,
    batch: int | None = None,
    bias: bool | None = None,
    ndim: int | None = None,
) -> BackwardRule:
    r"""Derive every gradient of ``op``, identify each as a named operation, and prove it at instances.

    .. math::

       y = x \star w \;\Rightarrow\;
       \frac{\partial L}{\partial x} = \mathrm{conv\_transpose}_{s,d,p}(g, w),\quad
       \frac{\partial L}{\partial w} = x \star_{\,\mathrm{stride}=d,\ \mathrm{dilation}=s} g

    >>> rule = backward_rule("convolve", input_size=5, kernel_size=3)
    >>> for row in rule.rows:
    ...     print(row.gradient, "=", row.operation, "|", row.theorem)
    dL/dx = full correlation of g with w | convolve_grad_input_is_full_correlation
    dL/dw = flipped valid correlation of x with g | convolve_grad_weight_is_flipped_valid_correlation
    >>> rule.rows[1].formula
    '\\frac{\\partial L}{\\partial w}[2 - k] \\mathrel{+}= g[n] \\cdot x[n + k]'

    Parameters
    ----------
    op : {'correlate', 'convolve', 'conv1d', 'conv2d', 'conv3d'}
        ``correlate``/``convolve`` act on plain signals; ``convNd`` are
        PyTorch-style layers (correlation, batch and channel axes, bias).
    input_size, kernel_size : int or tuple of int
        Spatial sizes of the instance (defaults 7 and 3 per axis).
    stride, dilation, padding
        As for :func:`symconv.correlate`: padding is an int, one per axis, or
        (lo, hi) pairs, or ``'valid'``/``'same'`` (and ``'full'`` for
        ``correlate``/``convolve``).
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        The boundary (layers only).
    channels : (int, int)
        ``(C_in, C_out)`` for layers (default ``(2, 2)``).
    groups, batch, bias
        Layer options (defaults 1, 1, True).
    ndim : int
        Number of spatial axes for ``correlate``/``convolve`` (default: from the sizes, else 1).

    See also
    --------
    symconv.grad, symconv.check_exact
    """
    check_choice("backward_rule", "op", op, OPS)
    layer = _parse(
        op, input_size, kernel_size, stride, dilation, padding, padding_mode, channels, groups, batch, bias, ndim
    )
    sizes = _sizes(layer)
    rows = []
    wrts = [("x", "dL/dx", _input_gradient), ("w", "dL/dw", _weight_gradient)]
    if layer.bias:
        wrts.append(("bias", "dL/db", _bias_gradient))
    for wrt, label, builder in wrts:
        verified, derived, named = _verify(layer, wrt, builder, sizes)
        name, _, params, theorem = builder(layer, layer.n)
        formula = scatter(derived[0][1], _GRADIENT_LABEL[label])
        rows.append(
            BackwardRow(
                gradient=label,
                formula=formula,
                operation=name,
                parameters=params,
                verified=verified,
                theorem=theorem,
                derived=tuple(c for _, c in derived),
                named=tuple(c for _, c in named),
            )
        )
    shown: dict[str, Any] = {"input_size": layer.n, "kernel_size": layer.k}
    for key, val, default in (
        ("stride", layer.s, 1),
        ("dilation", layer.d, 1),
    ):
        if any(v != default for v in val):
            shown[key] = val
    if any(layer.lo) or any(layer.hi):
        shown["padding"] = _pad_pairs(layer)
    if layer.mode != "zeros":
        shown["padding_mode"] = layer.mode
    if layer.channels is not None:
        shown.update({"channels": layer.channels, "groups": layer.groups, "batch": layer.batch, "bias": layer.bias})
    return BackwardRule(op, shown, tuple(rows))


def _sym(wrt: str) -> str:
    return "b" if wrt == "bias" else wrt


def _parse(
    op: str,
    input_size: Any,
    kernel_size: Any,
    stride: Any,
    dilation: Any,
    padding: Any,
    padding_mode: str,
    channels: Any,
    groups: Any,
    batch: Any,
    bias: Any,
    ndim: Any,
) -> _Layer:
    where = f"backward_rule({shown(op)})"
    layer_op = op.startswith("conv") and op[-1] == "d"
    if ndim is not None:
        ndim = check_int(where, "ndim", ndim, minimum=1)
    check_choice(where, "padding_mode", padding_mode, _PADDING_MODES)
    if bias is not None and not isinstance(bias, bool):
        raise SymconvError(f"{where}: `bias` must be True, False or None; got {shown(bias)}")
    if layer_op:
        nd = int(op[4])
        if ndim is not None and ndim != nd:
            raise SymconvError(f"{where}: `ndim` (={shown(ndim)}) must be {nd} for {op}")
    else:
        given: int | None = None if ndim is None else int(ndim)
        for v in (input_size, kernel_size):
            if given is None and isinstance(v, Sequence) and not isinstance(v, str):
                given = len(v)
        nd = 1 if given is None else given
        if not 1 <= nd <= 8:
            raise SymconvError(f"{where}: `ndim` must be an integer from 1 to 8; got {shown(ndim)}")
        plain_groups = _is_int(groups) and groups == 1
        if channels is not None or batch is not None or not plain_groups or bias:
            raise SymconvError(
                f"{where}: `channels`, `groups`, `batch` and `bias` are layer options (use conv1d/conv2d/conv3d); "
                f"got channels={shown(channels)}, groups={shown(groups)}, batch={shown(batch)}, bias={shown(bias)}"
            )
        if padding_mode != "zeros":
            raise SymconvError(f"{where}: `padding_mode` (={shown(padding_mode)}) other than 'zeros' needs a layer op")
    n = per_axis(where, "input_size", 7 if input_size is None else input_size, nd, minimum=1)
    k = per_axis(where, "kernel_size", 3 if kernel_size is None else kernel_size, nd, minimum=1)
    s = per_axis(where, "stride", stride, nd, minimum=1)
    d = per_axis(where, "dilation", dilation, nd, minimum=1)
    if isinstance(padding, str):
        named = ("valid", "same") if layer_op else ("valid", "same", "full")
        check_choice(where, "padding", padding, named)
        if padding == "same" and any(v != 1 for v in s):
            raise SymconvError(f"{where}: padding='same' needs `stride` = 1 on every axis; got stride={s}")
        lo, hi = mode_padding(where, padding, k, d, s)
    else:
        lo, hi = per_side(where, "padding", padding, nd)
    check_window(where, n, k, d, lo, hi, padding_mode=padding_mode)
    ch: tuple[int, int] | None = None
    b: int | None = None
    g = 1
    with_bias = False
    if layer_op:
        g = check_int(where, "groups", groups, minimum=1)
        pair = (2, 2) if channels is None else channels
        if isinstance(pair, np.ndarray):
            pair = tuple(pair.tolist())
        if not (isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2):
            raise SymconvError(f"{where}: `channels` must be a pair (in_channels, out_channels); got {shown(channels)}")
        cin = check_int(where, "channels", pair[0], minimum=1)
        cout = check_int(where, "channels", pair[1], minimum=1)
        if cin % g or cout % g:
            raise SymconvError(
                f"{where}: `in_channels` (={shown(cin)}) and `out_channels` (={shown(cout)}) "
                f"must be divisible by `groups` (={shown(g)})"
            )
        ch = (cin, cout)
        b = check_int(where, "batch", 1 if batch is None else batch, minimum=1)
        with_bias = True if bias is None else bias
    values = [*n, *k, *s, *d, *lo, *hi, *(ch or ()), b or 1]
    if max(values) >= 2**62:
        raise SymconvError(f"{where}: every size and parameter must be below 2**62; got {max(values)}")
    largest = tuple(v + 2 for v in n)  # the largest of the three verified sizes
    terms = (b or 1) * (ch[1] * (ch[0] // g) if ch else 1)
    for i in range(nd):
        terms *= int(output_size(largest[i], k[i], s[i], d[i], lo[i], hi[i])) * k[i]
    if terms > MAX_TERMS:
        raise SymconvError(
            f"{where}: the exact check would enumerate {terms:,} terms (> {MAX_TERMS:,}), a fixed cap: each "
            "identification is checked exactly at three sizes; the identification does not depend on the sizes: "
            "use smaller `input_size`/`channels`/`batch`, or symconv.theorem(...).prove() for every size at once"
        )
    return _Layer(op, nd, op == "convolve", n, k, s, d, lo, hi, padding_mode, b, ch, g, with_bias)
