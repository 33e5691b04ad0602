r"""Benchmark: start-up of ``symconv --help``, ``import symconv`` and a one-line correlation.

Each command runs in a fresh interpreter (``sys.executable``), ``--repeat``
times; the median wall time is printed beside the median of ``python -c pass``
measured in the same run, the floor every Python command pays.

Target (issue 9): ``symconv --help`` ≤ 0.3 s on the 2-core machines. A user
typing it should not wait for sympy, numpy and z3: the package's names load on
first use, and each sub-command imports what it needs only when it runs.

Run: ``python -m benchmarks --only startup`` (``--repeat 15`` for steadier medians).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

TARGET_HELP_SECONDS = 0.3

COMMANDS: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "symconv --help": ["-c", "import sys; from symconv.cli import main; sys.exit(main(['--help']))"],
    "import symconv": ["-c", "import symconv"],
    "import symconv; symconv.correlate": ["-c", "import symconv; symconv.correlate"],
    "symconv correlate 2,1,3,5,4 1,-1": [
        "-c",
        "import sys; from symconv.cli import main; sys.exit(main(['correlate', '2,1,3,5,4', '1,-1']))",
    ],
    "numpy one-liner (reference)": ["-c", "import numpy; print(numpy.correlate([2, 1, 3, 5, 4], [1, -1]))"],
}


def _median_seconds(args: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_startup")
    parser.add_argument("--repeat", type=int, default=7)
    args, _ = parser.parse_known_args(argv)
    results = {name: _median_seconds(cmd, args.repeat) for name, cmd in COMMANDS.items()}
    floor = results["python -c pass"]
    print(f"{'command':<40} {'median s':>9} {'× python -c pass':>17}")
    for name, secs in results.items():
        print(f"{name:<40} {secs:9.3f} {secs / floor:17.1f}")
    help_s = results["symconv --help"]
    verdict = "met" if help_s <= TARGET_HELP_SECONDS else "NOT met"
    print(f"target: symconv --help ≤ {TARGET_HELP_SECONDS} s: {help_s:.3f} s — {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
