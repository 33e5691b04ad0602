r"""Benchmark: the backprop identity ∂L/∂x = full convolution of g with w, checked at scale.

Workload (DESIGN.md §1): a 2-D multi-channel valid cross-correlation
``y = x ⋆ w`` (input 64×64, kernel 5×5, 3 → 3 channels), loss
:math:`L = \sum g \cdot y`, and the claim

.. math:: \frac{\partial L}{\partial x}[c, m] = \sum_{o, k} g[o, m - k]\, w[o, c, k]

(the full convolution of g with w, channel axes swapped). ``T`` = multiply
terms = outputs × kernel taps × channel pairs = 810,000. In ONE process:

* the exact instance engine (canonical integer coefficient arrays);
* the randomized engine (Schwartz–Zippel modulo a prime; 1 trial and 8);
* torch autograd, float64, one thread (the physical-limit proxy: forward,
  backward, the full convolution, and the comparison), and, stricter, torch
  computing the two sides only (``conv_transpose2d`` and the full ``conv2d``);
* naive sympy at T = 2,304 (build L, differentiate by every input, expand);

then the ratios, a scaling table of the exact engine (T = 10^3 … 10^7, or
10^8 with ``--big``) with the fitted exponent, and the peak memory.

Apples to apples: torch runs on one thread, and so does numpy's BLAS
(``openblas_set_num_threads(1)`` on the library numpy loaded; restored at
the end). Every timing is the minimum over the same number of runs after one
warm-up run (the 10^8-term row: one run).

Run: ``python -m benchmarks`` (or ``--only backprop --big``).
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import math
import os
import resource
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy

from benchmarks._torch import input_gradient
from symconv.core.formula import Contraction, ConvSpec, forward
from symconv.engines.instance import check_exact, check_randomized
from symconv.gradients.grad import grad_contraction, permute_operand, rename_operands

KERNEL = 5
CHANNELS = 3


def identity(side: int, channels: int = CHANNELS, kernel: int = KERNEL) -> tuple[Contraction, Contraction, int]:
    """(derived ∂L/∂x, full convolution of g with w, T) for a ``side``×``side`` input."""
    spec = ConvSpec(input_size=(side, side), kernel_size=(kernel, kernel), batch=1, channels=(channels, channels))
    dx = grad_contraction(forward(spec)[0], "x")
    out = side - kernel + 1
    # full convolution: a forward op on g (channels out -> in), flipped kernel, padding K-1, weight in/out swapped
    full = ConvSpec(
        input_size=(out, out),
        kernel_size=(kernel, kernel),
        pad_lo=(kernel - 1,) * 2,
        flip=True,
        batch=1,
        channels=(channels, channels),
    )
    rhs = permute_operand(rename_operands(forward(full)[0], {"x": "g"}), "w", (1, 0, 2, 3))
    return dx, rhs, out * out * kernel * kernel * channels * channels


def best(f: Callable[[], Any], repeat: int, *, warmup: bool = True) -> tuple[float, Any]:
    """Minimum wall time over ``repeat`` runs after one untimed warm-up run (and the last result)."""
    times = []
    res = f() if warmup else None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = f()
        times.append(time.perf_counter() - t0)
    return min(times), res


def _numpy_blas() -> tuple[str, Callable[[], int], Callable[[int], None]] | None:
    """(name, get, set) for the thread count of the OpenBLAS that numpy loaded, if it is one."""
    libdir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libdir, "*openblas*"))):
        lib = ctypes.CDLL(path)
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and set_ is not None:
                    set_.argtypes = [ctypes.c_int]
                    return os.path.basename(path), get, set_
    return None


def pin_threads(n: int) -> tuple[str, Callable[[], None]]:
    """Pin torch and numpy's BLAS to ``n`` threads; a description and a function that restores them."""
    done: list[str] = []
    undo: list[Callable[[], None]] = []
    try:
        import torch

        before = torch.get_num_threads()
        torch.set_num_threads(n)
        done.append(f"torch {torch.get_num_threads()} (was {before})")
        undo.append(lambda: torch.set_num_threads(before))
    except ImportError:
        done.append("torch not installed")
    blas = _numpy_blas()
    if blas is not None:
        name, get, set_ = blas
        was = get()
        set_(n)
        done.append(f"numpy BLAS {get()} (was {was}; {name})")
        undo.append(lambda: set_(was))
    else:
        done.append("numpy BLAS: not OpenBLAS, not pinned")

    def restore() -> None:
        for f in undo:
            f()

    return ", ".join(done), restore


def torch_workload(side: int, *, autograd: bool = True) -> Callable[[], bool] | None:
    """torch, float64: forward + autograd backward + the full convolution + compare, or only the two sides."""
    return input_gradient(side, CHANNELS, KERNEL, "identity" if autograd else "sides")


def naive_sympy(side: int = 18, kernel: int = 3) -> tuple[float, int, bool]:
    """DESIGN §1's baseline: build L as one sympy expression, ``diff`` by every input, ``expand``."""
    out = side - kernel + 1
    x = [sympy.Symbol(f"x_{i}_{j}") for i in range(side) for j in range(side)]
    w = [sympy.Symbol(f"w_{i}_{j}") for i in range(kernel) for j in range(kernel)]
    g = [sympy.Symbol(f"g_{i}_{j}") for i in range(out) for j in range(out)]

    def X(i: int, j: int) -> Any:
        return x[i * side + j]

    def W(i: int, j: int) -> Any:
        return w[i * kernel + j]

    def G(i: int, j: int) -> Any:
        return g[i * out + j] if 0 <= i < out and 0 <= j < out else 0

    t0 = time.perf_counter()
    L = sympy.Add(
        *[
            G(a, b) * sympy.Add(*[X(a + i, b + j) * W(i, j) for i in range(kernel) for j in range(kernel)])
            for a in range(out)
            for b in range(out)
        ]
    )
    ok = True
    for m in range(side):
        for n in range(side):
            d = sympy.expand(sympy.diff(L, X(m, n)))
            full = sympy.Add(*[G(m - i, n - j) * W(i, j) for i in range(kernel) for j in range(kernel)])
            ok = ok and sympy.expand(d - full) == 0
    return time.perf_counter() - t0, out * out * kernel * kernel, ok


def peak_rss_gib() -> float:
    """Peak resident memory of this process so far, GiB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1 << 20) if sys.platform != "darwin" else kb / (1 << 30)


def fit_exponent(ts: Sequence[float], secs: Sequence[float]) -> float:
    """Least-squares slope of log(seconds) against log(T)."""
    lx, ly = np.log(np.asarray(ts, float)), np.log(np.asarray(secs, float))
    return float(np.polyfit(lx, ly, 1)[0])


def mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_backprop")
    parser.add_argument("--big", action="store_true", help="include the 10^8-term exact instance in the scaling table")
    parser.add_argument("--repeat", type=int, default=10, help="timing repeats (minimum is reported)")
    parser.add_argument("--skip-sympy", action="store_true", help="skip the naive sympy baseline (~10-60 s)")
    parser.add_argument("--threads", type=int, default=1, help="threads for torch and numpy's BLAS (default 1)")
    args, _ = parser.parse_known_args(argv)
    pinned, restore = pin_threads(max(1, args.threads))
    try:
        return _run(args, pinned)
    finally:
        restore()


def _run(args: argparse.Namespace, pinned: str) -> int:
    rep = max(1, args.repeat)
    print("workload: ∂L/∂x = full convolution of g with w; x 64×64, w 5×5, 3→3 channels, batch 1")
    print(f"threads: {pinned}; timings: minimum of {rep} runs after a warm-up")
    dx, rhs, T = identity(64)
    t_exact, r_exact = best(lambda: check_exact([(1, dx)], [(1, rhs)]), rep)
    t_rand1, r_rand1 = best(lambda: check_randomized([(1, dx)], [(1, rhs)], trials=1), rep)
    t_rand8, r_rand8 = best(lambda: check_randomized([(1, dx)], [(1, rhs)], trials=8), rep)
    assert r_exact.holds and r_rand1.holds and r_rand8.holds, "the identity must hold"
    torch_run = torch_workload(64)
    torch_sides = torch_workload(64, autograd=False)
    t_torch = t_sides = math.nan
    if torch_run is not None and torch_sides is not None:
        t_torch, ok = best(torch_run, rep)
        t_sides, ok2 = best(torch_sides, rep)
        assert ok and ok2
    print(f"T = {T:,} multiply terms (each side enumerates its own terms; {r_exact.terms:,} in all)")
    print(f"  exact engine            {t_exact * 1e3:9.2f} ms   {T / t_exact:12,.0f} terms/s")
    print(f"  randomized, 1 trial     {t_rand1 * 1e3:9.2f} ms   error bound {float(r_rand1.error_bound):.1e}")
    print(f"  randomized, 8 trials    {t_rand8 * 1e3:9.2f} ms   error bound {float(r_rand8.error_bound):.1e}")
    print(f"  torch autograd float64  {t_torch * 1e3:9.2f} ms   (forward, backward, full conv, compare)")
    print(f"  torch, the two sides    {t_sides * 1e3:9.2f} ms   (conv_transpose2d, full conv, compare; stricter)")
    if torch_run is not None:
        print(
            f"  ratio exact / torch        = {t_exact / t_torch:7.1f}×   target ≤ 10×: {mark(t_exact <= 10 * t_torch)}"
            f"   (vs the two sides: {t_exact / t_sides:.1f}×)"
        )
        print(
            f"  ratio randomized / torch   = {t_rand1 / t_torch:7.1f}×   target ≤ 3×: {mark(t_rand1 <= 3 * t_torch)}"
            f"   (vs the two sides: {t_rand1 / t_sides:.1f}×; 8 trials: {t_rand8 / t_torch:.1f}×)"
        )

    # naive sympy at T = 2,304 versus the exact engine on the same identity
    dx_s, rhs_s, T_s = identity(18, channels=1, kernel=3)
    t_small, _ = best(lambda: check_exact([(1, dx_s)], [(1, rhs_s)]), rep)
    if not args.skip_sympy:
        t_sym, T_sym, ok = naive_sympy()
        assert ok and T_sym == T_s
        print(
            f"naive sympy at T = {T_sym:,}: {t_sym:.2f} s ({T_sym / t_sym:,.0f} terms/s); "
            f"exact engine: {t_small * 1e3:.2f} ms"
        )
        same_t = t_sym / t_small
        per_term = (T / t_exact) / (T_sym / t_sym)
        print(f"  speed-up at the same T     = {same_t:11,.0f}×   target ≥ 10^4: {mark(same_t >= 1e4)}")
        print(f"  speed-up in terms/s (T=810k vs sympy) = {per_term:,.0f}×")

    # scaling table
    sides = [6, 11, 25, 71, 215] + ([671] if args.big else [])
    print("\nscaling of the exact engine (and one randomized trial):")
    print(f"  {'T':>13}  {'exact s':>9}  {'terms/s':>12}  {'randomized s':>12}  {'peak RSS GiB':>12}")
    ts, secs = [], []
    for side in sides:
        a, b, t_terms = identity(side)
        warm = t_terms < 5 * 10**7  # the 10^8-term row: one run, no warm-up
        reps = rep if warm else 1
        t_e, r = best(lambda a=a, b=b: check_exact([(1, a)], [(1, b)]), reps, warmup=warm)
        assert r.holds
        t_r, rr = best(lambda a=a, b=b: check_randomized([(1, a)], [(1, b)], trials=1), reps, warmup=warm)
        assert rr.holds
        ts.append(t_terms)
        secs.append(t_e)
        print(f"  {t_terms:>13,}  {t_e:9.4f}  {t_terms / t_e:12,.0f}  {t_r:12.4f}  {peak_rss_gib():12.2f}", flush=True)
    big = [(t, s) for t, s in zip(ts, secs) if t >= 10**5]
    k_all = fit_exponent(ts, secs)
    k_big = fit_exponent([t for t, _ in big], [s for _, s in big]) if len(big) >= 2 else math.nan
    print(f"  fitted exponent (T ≥ 10^5) = {k_big:.2f}   target ≤ 1.1: {mark(k_big <= 1.1)}   (all T: {k_all:.2f})")
    if args.big:
        print(f"  10^8-term exact instance: {secs[-1]:.1f} s, peak RSS {peak_rss_gib():.2f} GiB (target ≤ 24 GiB)")
    else:
        print("  (add --big for the 10^8-term instance)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
