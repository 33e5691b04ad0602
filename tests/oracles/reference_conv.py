"""Independent plain-loop references for the tests (NO symconv code).

Forward convolution layers and transposed convolutions written as explicit
loops over integer positions, and gradients of a linear map obtained exactly
from it: for ``L(x) = Σ g · f(x)`` linear in ``x``, ``∂L/∂x[m] = L(e_m)``.
Works with ints, floats or sympy numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def fold(i: int, n: int, mode: str) -> int | None:
    """Where a padded read at position ``i`` lands in an input of length ``n`` (None: zero)."""
    if 0 <= i < n:
        return i
    if mode == "zeros":
        return None
    if mode == "replicate":
        return 0 if i < 0 else n - 1
    if mode == "circular":
        return i % n
    if mode == "reflect":
        while i < 0 or i >= n:
            i = -i if i < 0 else 2 * (n - 1) - i
        return i
    raise ValueError(mode)


def out_size(n: int, k: int, s: int, d: int, lo: int, hi: int) -> int:
    return (n + lo + hi - d * (k - 1) - 1) // s + 1


def conv_layer(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    *,
    stride: Sequence[int],
    dilation: Sequence[int],
    pad: Sequence[tuple[int, int]],
    groups: int = 1,
    mode: str = "zeros",
    flip: bool = False,
) -> np.ndarray:
    """PyTorch-style layer: x (B, Cin, *N), w (Cout, Cin/groups, *K) -> (B, Cout, *out). Correlation unless flip."""
    B, cin = x.shape[:2]
    cout = w.shape[0]
    nd = x.ndim - 2
    N, K = x.shape[2:], w.shape[2:]
    outs = [out_size(N[i], K[i], stride[i], dilation[i], *pad[i]) for i in range(nd)]
    cin_g, cout_g = cin // groups, cout // groups
    y = np.zeros((B, cout, *outs), dtype=object)
    for bb in range(B):
        for o in range(cout):
            grp = o // cout_g
            for pos in itertools.product(*(range(v) for v in outs)):
                acc: Any = 0 if b is None else b[o]
                for c in range(cin_g):
                    for k in itertools.product(*(range(v) for v in K)):
                        src = []
                        for i in range(nd):
                            src.append(fold(stride[i] * pos[i] + dilation[i] * k[i] - pad[i][0], N[i], mode))
                        if any(v is None for v in src):
                            continue
                        kk = tuple(K[i] - 1 - k[i] for i in range(nd)) if flip else k
                        acc = acc + x[(bb, grp * cin_g + c, *src)] * w[(o, c, *kk)]
                y[(bb, o, *pos)] = acc
    return y


def conv_transpose_layer(
    x: np.ndarray,
    w: np.ndarray,
    *,
    stride: Sequence[int],
    dilation: Sequence[int],
    pad: Sequence[int],
    output_padding: Sequence[int],
    groups: int = 1,
) -> np.ndarray:
    """PyTorch ConvTranspose: x (B, Cin, *N), w (Cin, Cout/groups, *K) -> (B, Cout, *out), by scattering."""
    B, cin = x.shape[:2]
    cout_g = w.shape[1]
    nd = x.ndim - 2
    N, K = x.shape[2:], w.shape[2:]
    outs = [(N[i] - 1) * stride[i] - 2 * pad[i] + dilation[i] * (K[i] - 1) + output_padding[i] + 1 for i in range(nd)]
    cin_g = cin // groups
    y = np.zeros((B, cout_g * groups, *outs), dtype=object)
    for bb in range(B):
        for ci in range(cin):
            grp = ci // cin_g
            for pos in itertools.product(*(range(v) for v in N)):
                for co in range(cout_g):
                    for k in itertools.product(*(range(v) for v in K)):
                        dst = tuple(stride[i] * pos[i] + dilation[i] * k[i] - pad[i] for i in range(nd))
                        if all(0 <= dst[i] < outs[i] for i in range(nd)):
                            y[(bb, grp * cout_g + co, *dst)] += x[(bb, ci, *pos)] * w[(ci, co, *k)]
    return y


def linear_grad(f: Callable[[np.ndarray], np.ndarray], shape: Sequence[int], g: np.ndarray) -> np.ndarray:
    """∂/∂z of Σ g·f(z) for f LINEAR in z, exactly: the value at each basis vector."""
    out = np.zeros(tuple(shape), dtype=object)
    for m in np.ndindex(*shape):
        e = np.zeros(tuple(shape), dtype=object)
        e[m] = 1
        out[m] = int(np.sum(g * f(e)))
    return out
