"""Independent references for the agreement suite: numpy (no symconv) and PyTorch, on one parameter set.

The statement of a parameter set is a gradient identity of a correlation layer
(stride, dilation, per-side padding, padding mode, channels, groups, per axis):

* ``input``: ∂L/∂x = conv_transpose(g, w) cropped by the low padding, with an output_padding;
* ``weight``: ∂L/∂w = the correlation of the padded x with g, stride d and dilation s, cropped to K;

with L = Σ g · y. A claim variant perturbs the right side (the kernel flipped, the stride or the dilation
dropped, the output_padding one off, stride and dilation not swapped, the result read one tap off).

numpy: the gradient is the derivative of the forward layer computed EXACTLY from its values on basis vectors
(the forward is linear in x and in w), the claim by explicit scatter/gather loops over the taps. torch: the
gradient by autograd through ``F.pad`` and ``F.conv{1,2,3}d``, the claim by ``F.conv_transpose{n}d`` /
``F.conv{n}d``. Each returns True when the two sides are equal (same shape, same integers).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

NP_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
TORCH_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


@dataclass(frozen=True)
class PSet:
    """One parameter set: the statement, its hyper-parameters per axis, its sizes, and the claim's variant."""

    kind: str  # "input" or "weight"
    n: tuple[int, ...]
    k: tuple[int, ...]
    s: tuple[int, ...]
    d: tuple[int, ...]
    lo: tuple[int, ...]
    hi: tuple[int, ...]
    mode: str
    channels: tuple[int, int] | None
    groups: int
    variant: str | None
    #: the library theorem this set instantiates for the general prover (hashable), or None
    general: tuple[str, tuple[tuple[str, Any], ...], str | None] | None = None

    @property
    def nd(self) -> int:
        return len(self.n)

    @property
    def cin(self) -> int:
        return self.channels[0] if self.channels else 1

    @property
    def cout(self) -> int:
        return self.channels[1] if self.channels else 1

    @property
    def out(self) -> tuple[int, ...]:
        return tuple(
            (n + lo + hi - d * (k - 1) - 1) // s + 1
            for n, k, s, d, lo, hi in zip(self.n, self.k, self.s, self.d, self.lo, self.hi)
        )

    @property
    def output_padding(self) -> tuple[int, ...]:
        """The output_padding that gives N back (one more on axis 0 for the ``output_padding`` variant)."""
        op = [
            (n + lo + hi - d * (k - 1) - 1) % s
            for n, k, s, d, lo, hi in zip(self.n, self.k, self.s, self.d, self.lo, self.hi)
        ]
        if self.variant == "output_padding":
            op[0] += 1
        return tuple(op)

    def claim_sd(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Stride and dilation of the claim's operation."""
        one = (1,) * self.nd
        if self.kind == "input":
            return (one if self.variant == "no_stride" else self.s), (one if self.variant == "not_dilated" else self.d)
        # the weight gradient: stride d, dilation s (swapped), unless the variant keeps them
        return (self.s, self.d) if self.variant == "not_swapped" else (self.d, self.s)

    def describe(self) -> str:
        ch = f", channels {self.channels} groups {self.groups}" if self.channels else ""
        return (
            f"{self.kind} gradient, N={self.n} K={self.k} stride={self.s} dilation={self.d} pad=({self.lo}, {self.hi}) "
            f"mode={self.mode}{ch}, claim variant {self.variant}"
        )

    def arrays(self, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x (C_in, *N), w (C_out, C_in/G, *K), g (C_out, *out): random integers in [-999, 999].

        Wide enough that a false identity of degree 2 vanishes at them with probability ≤ 2/1999 (a narrow range
        made one-entry kernels zero one time in eleven), small enough that float64 sums stay exact (< 2^53).
        """
        rng = np.random.default_rng(seed)
        x = rng.integers(-999, 1000, (self.cin, *self.n))
        w = rng.integers(-999, 1000, (self.cout, self.cin // self.groups, *self.k))
        g = rng.integers(-999, 1000, (self.cout, *self.out))
        return x, w, g


# -- numpy ---------------------------------------------------------------------------------------------------


def _pad(p: PSet, x: np.ndarray) -> np.ndarray:
    pads = [(0, 0)] * (x.ndim - p.nd) + list(zip(p.lo, p.hi))
    return np.pad(x, pads, mode=NP_MODE[p.mode])  # type: ignore[call-overload]


def _forward(p: PSet, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """y[b, o, n] = Σ_{c,k} x_pad[b, grp·C_in/G + c, s·n + d·k] w[b, o, c, k]: a batch of inputs OR of weights."""
    xp = _pad(p, x)
    xlead, wlead = x.shape[: x.ndim - p.nd - 1], w.shape[: w.ndim - p.nd - 2]
    cin_g, cout_g = p.cin // p.groups, p.cout // p.groups
    y = np.zeros((*xlead, *wlead, p.cout, *p.out), dtype=np.int64)
    for o in range(p.cout):
        grp = o // cout_g
        for c in range(cin_g):
            for k in itertools.product(*(range(v) for v in p.k)):
                sl = tuple(slice(d * kk, d * kk + s * (m - 1) + 1, s) for kk, s, d, m in zip(k, p.s, p.d, p.out))
                tap = w[(..., o, c, *k)].reshape(wlead + (1,) * p.nd)
                y[(Ellipsis, o, *([slice(None)] * p.nd))] += xp[(..., grp * cin_g + c, *sl)] * tap
    return y


def gradient(p: PSet, x: np.ndarray, w: np.ndarray, g: np.ndarray) -> np.ndarray:
    """∂(Σ g·y)/∂x or ∂/∂w, exactly: the forward is linear in each, so the gradient is its value on basis vectors."""
    if p.kind == "input":
        ys = _forward(p, np.eye(x.size, dtype=np.int64).reshape(x.size, *x.shape), w)
    else:
        ys = _forward(p, x, np.eye(w.size, dtype=np.int64).reshape(w.size, *w.shape))
    return np.tensordot(ys, g, axes=g.ndim).reshape(x.shape if p.kind == "input" else w.shape)


def claim(p: PSet, x: np.ndarray, w: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The claimed right side, by explicit loops over the taps."""
    cs, cd = p.claim_sd()
    cin_g, cout_g = p.cin // p.groups, p.cout // p.groups
    if p.kind == "input":
        full = tuple((m - 1) * s + d * (k - 1) + 1 for m, s, d, k in zip(p.out, cs, cd, p.k))
        size = tuple(f - lo - hi + op for f, lo, hi, op in zip(full, p.lo, p.hi, p.output_padding))
        res = np.zeros((p.cin, *(max(f, lo + z) for f, lo, z in zip(full, p.lo, size))), dtype=np.int64)
        for o in range(p.cout):
            grp = o // cout_g
            for c in range(cin_g):
                for k in itertools.product(*(range(v) for v in p.k)):
                    kk = tuple(n - 1 - a for a, n in zip(k, p.k)) if p.variant == "flipped_kernel" else k
                    sl = tuple(slice(d * a, d * a + s * (m - 1) + 1, s) for a, s, d, m in zip(k, cs, cd, p.out))
                    res[(grp * cin_g + c, *sl)] += g[o] * w[(o, c, *kk)]
        return res[(slice(None), *(slice(lo, lo + z) for lo, z in zip(p.lo, size)))]
    xp = _pad(p, x)
    ext = np.zeros((p.cin, *(a + cs_ * m + cd_ * k for a, cs_, cd_, m, k in zip(xp.shape[1:], cs, cd, p.k, p.out))))
    ext[(slice(None), *(slice(0, a) for a in xp.shape[1:]))] = xp
    res = np.zeros((p.cout, cin_g, *p.k), dtype=np.int64)
    for o in range(p.cout):
        grp = o // cout_g
        for c in range(cin_g):
            for j in itertools.product(*(range(v) for v in p.k)):
                sl = tuple(slice(s * a, s * a + d * (m - 1) + 1, d) for a, s, d, m in zip(j, cs, cd, p.out))
                res[(o, c, *j)] = int(np.sum(ext[(grp * cin_g + c, *sl)] * g[o]))
    if p.variant == "off_by_one":  # read one tap further on axis 0: the last tap reads nothing
        shifted = np.zeros_like(res)
        shifted[:, :, : p.k[0] - 1] = res[:, :, 1:]
        res = shifted
    return res


def numpy_verdict(p: PSet, seed: int) -> bool:
    x, w, g = p.arrays(seed)
    a, b = gradient(p, x, w, g), claim(p, x, w, g)
    return a.shape == b.shape and bool(np.array_equal(a, b))


# -- torch ---------------------------------------------------------------------------------------------------


def torch_verdict(p: PSet, seed: int, torch: Any) -> bool:
    F = torch.nn.functional
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[p.nd]
    tconv = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[p.nd]
    x0, w0, g0 = (torch.tensor(a, dtype=torch.float64) for a in p.arrays(seed))
    pads = [v for lo, hi in reversed(list(zip(p.lo, p.hi))) for v in (lo, hi)]
    x = x0[None].clone().requires_grad_(p.kind == "input")
    w = w0.clone().requires_grad_(p.kind == "weight")
    xp = F.pad(x, pads, mode=TORCH_MODE[p.mode]) if any(pads) else x
    y = conv(xp, w, stride=p.s, dilation=p.d, groups=p.groups)
    (y * g0[None]).sum().backward()
    grad = (x.grad[0] if p.kind == "input" else w.grad).detach()
    cs, cd = p.claim_sd()
    if p.kind == "input":
        wk = torch.flip(w0, dims=list(range(2, 2 + p.nd))) if p.variant == "flipped_kernel" else w0
        full = tconv(g0[None], wk, stride=cs, dilation=cd, groups=p.groups)[0]
        size = [f - lo - hi + op for f, lo, hi, op in zip(full.shape[1:], p.lo, p.hi, p.output_padding)]
        grow = [max(0, lo + z - f) for lo, z, f in zip(p.lo, size, full.shape[1:])]
        full = F.pad(full, [v for e in reversed(grow) for v in (0, e)]) if any(grow) else full
        want = full[(slice(None), *(slice(lo, lo + z) for lo, z in zip(p.lo, size)))]
    else:
        xpd = xp.detach()[0]
        room = [cs_ * m + cd_ * k for cs_, cd_, m, k in zip(cs, cd, p.k, p.out)]
        xpd = F.pad(xpd[None], [v for e in reversed(room) for v in (0, e)])[0]
        cin_g, cout_g = p.cin // p.groups, p.cout // p.groups
        want = torch.zeros((p.cout, cin_g, *p.k), dtype=torch.float64)
        for o in range(p.cout):
            grp = o // cout_g
            for c in range(cin_g):
                r = conv(xpd[grp * cin_g + c][None, None], g0[o][None, None], stride=cs, dilation=cd)[0, 0]
                want[o, c] = r[tuple(slice(0, k) for k in p.k)]
        if p.variant == "off_by_one":
            shifted = torch.zeros_like(want)
            shifted[:, :, : p.k[0] - 1] = want[:, :, 1:]
            want = shifted
    return tuple(grad.shape) == tuple(want.shape) and bool(torch.equal(grad, want))
