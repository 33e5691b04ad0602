"""What the theorem families share: small builders of index maps, and the parameters of a convolution."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy

from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.formula import (
    Contraction,
    ConvSpec,
    Operand,
    forward_output_size,
)
from symconv.proofs._iverson import (
    Constraint,
    Derivative,
)
from symconv.proofs._params import _hyper, _int
from symconv.proofs._parts import Deriver
from symconv.proofs._serial import param_symbol

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
class _Conv:
    """Hyper-parameters of a convolution theorem, sizes symbolic."""

    name: str
    nd: int = 1
    s: Any = 1
    d: Any = 1
    p: Any = 0
    op: Any = 0
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
        for v in (self.s, self.d, self.p, self.op, self.cin, self.cout):
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
        _hyper(name, "output_padding", params.get("output_padding", 0), 0),
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
