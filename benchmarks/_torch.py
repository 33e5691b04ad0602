"""The torch reference workloads of the benchmarks (one place): the 2-D input-gradient identity.

For ``y = conv2d(x, w)`` (a correlation), ``L = Σ g·y`` and random float64 inputs of ``channels``
channels: ``fwd_bwd`` runs the forward pass and autograd's backward; ``identity`` also forms the full
convolution of ``g`` with ``w`` and compares (what symconv's engines decide exactly); ``sides`` forms the
two sides without autograd. ``None`` when torch is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def input_gradient(side: int, channels: int, kernel: int, kind: str = "identity") -> Callable[[], Any] | None:
    """A callable running the torch workload ``kind`` (``"identity"``, ``"fwd_bwd"`` or ``"sides"``)."""
    try:
        import torch
    except ImportError:
        return None
    gen = torch.Generator().manual_seed(0)
    out = side - kernel + 1
    x = torch.randn(1, channels, side, side, dtype=torch.float64, generator=gen, requires_grad=True)
    w = torch.randn(channels, channels, kernel, kernel, dtype=torch.float64, generator=gen)
    g = torch.randn(1, channels, out, out, dtype=torch.float64, generator=gen)
    F = torch.nn.functional

    def full() -> Any:
        return F.conv2d(g, torch.flip(w, dims=(2, 3)).transpose(0, 1), padding=kernel - 1)

    def fwd_bwd() -> None:
        x.grad = None
        (F.conv2d(x, w) * g).sum().backward()

    def identity() -> bool:
        fwd_bwd()
        return bool(torch.allclose(x.grad, full()))

    def sides() -> bool:
        with torch.no_grad():
            return bool(torch.allclose(F.conv_transpose2d(g, w), full()))

    return {"identity": identity, "fwd_bwd": fwd_bwd, "sides": sides}[kind]
