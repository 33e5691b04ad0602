"""Circular convolution and correlation and the DFT (instance-only: the rules do not reindex modulo N)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from symconv.core.errors import SymconvError
from symconv.core.formula import (
    ConvSpec,
    forward,
)
from symconv.proofs._cost import guard_circular
from symconv.proofs._registry import Plan, register
from symconv.proofs.library.algebra import _algebra_params

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


@register(
    "circular_convolution_theorem",
    "the DFT turns circular convolution into a pointwise product",
    ("ndim",),
    {"conjugated": "claimed as DFT(x) · conj(DFT(w))"},
)
def _t_circ(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _circular("circular_convolution_theorem", False, params, variant)


@register(
    "circular_correlation_theorem",
    "the DFT turns circular correlation into a product with the conjugate DFT (real kernel)",
    ("ndim",),
    {"not_conjugated": "claimed as DFT(x) · DFT(w)"},
)
def _t_circ_corr(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _circular("circular_correlation_theorem", True, params, variant)
