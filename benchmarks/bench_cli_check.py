r"""Benchmark: ``symconv check`` against ``symconv.prove`` of the same claim built in Python.

The command line adds a fixed cost around the prover: argparse (every
sub-command's parser), the safe grammar, the ``--let`` bindings, printing.
Measured in ONE process, ``cli.main([...])`` (output discarded) against
``symconv.prove(lhs, rhs)`` built in Python, median of ``--repeat`` runs; the
target is on that fixed cost, which does not grow with the claim:

* the issue's example at symbolic sizes,
  ``grad(correlate(x, w), x, g) == convolve(g, w, mode='full')``: overhead ≤ 0.15 s;
* a concrete claim of 10^6 terms a side (``x=x:2000``, ``w=w:1000``), decided by the
  exact engine: under 1 s, overhead ≤ 0.15 s.

Run: ``python -m benchmarks --only cli_check`` (``--repeat 5`` for steadier medians).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

TARGET_OVERHEAD_S = 0.15
TARGET_S = 1.0


def _median(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _cli(argv: list[str]) -> Callable[[], int]:
    from symconv import cli

    def run() -> int:
        with contextlib.redirect_stdout(io.StringIO()):
            status = cli.main(argv)
        if status != 0:
            raise RuntimeError(f"symconv {' '.join(argv)} exited {status}")
        return status

    return run


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main(argv: Sequence[str] | None = None) -> int:
    import symconv as sc

    parser = argparse.ArgumentParser(prog="bench_cli_check", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is reported)")
    args, _ = parser.parse_known_args(argv)
    rep = max(1, args.repeat)

    claim = "grad(correlate(x, w), x, g) == convolve(g, w, mode='full')"
    cli_argv = ["check", claim, "--let", "x=x:N", "--let", "w=w:K", "--let", "g=g:N-K+1"]

    def api() -> Any:
        N, K = sc.sizes("N K")
        x, w, g = sc.symbols("x", N), sc.symbols("w", K), sc.symbols("g", N - K + 1)
        return sc.prove(sc.grad(sc.correlate(x, w), x, g), sc.convolve(g, w, mode="full"))

    t_api, t_cli = _median(api, rep), _median(_cli(cli_argv), rep)
    over = t_cli - t_api
    print(
        f"symconv check (symbolic sizes) {t_cli:.3f} s vs symconv.prove {t_api:.3f} s ({t_cli / t_api:.2f}×): "
        f"overhead {over:.3f} s (target ≤ {TARGET_OVERHEAD_S} s) {_mark(over <= TARGET_OVERHEAD_S)}"
    )

    from symconv.claims import Leaf

    n, k = 2000, 1000
    concrete = ["check", "convolve(x, w) == correlate(x, flip(w))", "--let", f"x=x:{n}", "--let", f"w=w:{k}"]

    def api_concrete() -> Any:
        x, w = Leaf("x", (n,)), Leaf("w", (k,))
        return sc.prove(sc.convolve(x, w), sc.correlate(x, sc.flip(w)))

    t_api, t_cli = _median(api_concrete, rep), _median(_cli(concrete), rep)
    terms = (n - k + 1) * k
    over = t_cli - t_api
    print(
        f"symconv check (concrete, {terms:,} terms a side) {t_cli:.3f} s (target < {TARGET_S:.0f} s) vs "
        f"symconv.prove {t_api:.3f} s: overhead {over:.3f} s (target ≤ {TARGET_OVERHEAD_S} s) "
        f"{_mark(t_cli < TARGET_S and over <= TARGET_OVERHEAD_S)}"
    )
    return 0
