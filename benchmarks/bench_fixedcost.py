r"""Benchmark: the fixed cost around the engines — the whole ``prove("instance")`` call against torch.

Workload (issues 10 and 11): ``theorem("correlate_grad_input_is_full_convolution",
ndim=2, in_channels=3, out_channels=3).prove("instance", input_size=[64, 64],
kernel_size=[5, 5])`` — the exact check that ∂L/∂x of a 3→3-channel valid
correlation is the full convolution of g with w, 1.6·10^6 terms. In ONE process,
torch and numpy's BLAS on one thread (``benchmarks/__init__.py`` sets the
thread variables before anything imports numpy or torch):

* torch, float64: forward + autograd backward (the reference), and the fuller
  workload of ``bench_backprop`` (+ the full convolution and the comparison);
* the exact engine alone on the two sides (``check_exact``);
* the whole call, at the same size again and at a new size every call (no
  per-size cache can help: sizes are fixed by integer evaluators built once);
* the fixed cost — the whole call with the engine answering from a store — at
  16² … 512² (1024² with ``--big``): it must not grow with the size, nothing
  but the engine scales;
* the first call for a new parameter set (its plan is built once, then shared).

Target: the whole call ≤ 3× torch forward + backward at 64² (issue 10).

Run: ``python -m benchmarks --only fixedcost`` (``--repeat 30`` for steadier minima).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from benchmarks._torch import input_gradient

TARGET_RATIO = 3.0
NAME = "correlate_grad_input_is_full_convolution"
CHANNELS = 3
KERNEL = 5


def best(f: Callable[[], Any], repeat: int) -> float:
    """Minimum wall time over ``repeat`` runs after one untimed warm-up run."""
    f()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def torch_fwd_bwd(side: int) -> Callable[[], None] | None:
    """torch, float64: y = conv2d(x, w), L = Σ g·y, backward (∂L/∂x)."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return input_gradient(side, CHANNELS, KERNEL, "fwd_bwd")


@contextlib.contextmanager
def _engine_stubbed() -> Iterator[None]:
    """The prover's call of ``check_exact`` answers from a store: what remains is the cost around the engine."""
    from symconv.engines.space import InstanceResult
    from symconv.proofs import _instances

    real = _instances.check_exact
    answer = InstanceResult(True, "instance", 0, 0.0, None, None)

    def stored(*args: Any, **kwargs: Any) -> Any:
        return answer

    _instances.check_exact = stored  # type: ignore[assignment]
    try:
        yield
    finally:
        _instances.check_exact = real


def mark(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_fixedcost")
    parser.add_argument("--repeat", type=int, default=15, help="timing repeats (the minimum is reported)")
    parser.add_argument("--big", action="store_true", help="also the fixed cost at 1024²")
    args, _ = parser.parse_known_args(argv)
    rep = max(1, args.repeat)

    from benchmarks.bench_backprop import torch_workload
    from symconv.engines.instance import check_exact
    from symconv.proofs import theorem
    from symconv.proofs._contract import engine_sides

    th = theorem(NAME, ndim=2, in_channels=CHANNELS, out_channels=CHANNELS)
    plan = th._shared_plan()
    part = plan.parts[0][0]

    def call(n: int) -> Callable[[], Any]:
        return lambda: th.prove("instance", input_size=[n, n], kernel_size=[KERNEL, KERNEL])

    def moving(n: int) -> Callable[[], Any]:
        """The call at a new size every time: N_0 = n, n + 1, …"""
        rows = iter(range(n, n + 10**6))
        return lambda: th.prove("instance", input_size=[next(rows), n], kernel_size=[KERNEL, KERNEL])

    def engine(n: int) -> Callable[[], Any]:
        sides = engine_sides(plan.recipes[part.title], part.ctx, dict(zip(part.ctx.params, (n, n, KERNEL, KERNEL))))
        assert sides is not None
        lhs, rhs, structure = sides
        return lambda: check_exact(lhs, rhs, structure=structure, progress=False)

    print(f"workload: {NAME}, ndim=2, {CHANNELS}→{CHANNELS} channels, kernel {KERNEL}×{KERNEL}; prove('instance')")
    print(f"timings: minimum of {rep} runs after a warm-up; torch and numpy's BLAS on one thread")
    fb = torch_fwd_bwd(64)
    full = torch_workload(64)
    t_fb = best(fb, rep) if fb is not None else math.nan
    t_full = best(full, rep) if full is not None else math.nan
    t_engine = best(engine(64), rep)
    t_call = best(call(64), rep)
    t_new = best(moving(40), rep)
    print(f"  torch forward + backward (float64)    {t_fb * 1e3:8.2f} ms   (the reference)")
    print(f"  torch + full convolution + compare    {t_full * 1e3:8.2f} ms   (bench_backprop's workload)")
    print(f"  exact engine alone (check_exact)      {t_engine * 1e3:8.2f} ms   {t_engine / t_fb:5.2f}× torch")
    print(f"  whole prove('instance') at 64²        {t_call * 1e3:8.2f} ms   {t_call / t_fb:5.2f}× torch")
    print(f"  whole call, a new size every call     {t_new * 1e3:8.2f} ms   (N = 40…, 64; the engine plans anew too)")
    ratio = t_call / t_fb
    print(
        f"  prove('instance') / torch fwd+bwd at 64² = {ratio:.2f}× (target ≤ {TARGET_RATIO:g}×) {mark(ratio <= 3)}"
        f"   (vs the fuller torch workload: {t_call / t_full:.2f}×)"
    )

    print("\nfixed cost: the whole call with the engine replaced by its stored answer, by size (only the engine grows)")
    fixed = {}
    for n in (16, 64, 256, 512) + ((1024,) if args.big else ()):
        with _engine_stubbed():
            fixed[n] = best(call(n), rep)
            fixed_new = best(moving(n), rep)
        print(f"  {n:>5}²  {fixed[n] * 1e3:7.3f} ms   (a new size every call: {fixed_new * 1e3:7.3f} ms)")
    grow = fixed[512] / fixed[16]
    print(f"  fixed cost 512² / 16² = {grow:.2f}× (target ≤ 1.5×: it does not scale with size) {mark(grow <= 1.5)}")

    t0 = time.perf_counter()
    fresh = theorem(NAME, ndim=2, in_channels=2, out_channels=4)
    fresh.prove("instance", input_size=[64, 64], kernel_size=[KERNEL, KERNEL])
    t_first = time.perf_counter() - t0
    t_again = best(lambda: fresh.prove("instance", input_size=[64, 64], kernel_size=[KERNEL, KERNEL]), rep)
    print(
        f"\nnew parameter set (2→4 channels): first call {t_first * 1e3:.1f} ms (its plan built once), "
        f"then {t_again * 1e3:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
