r"""Benchmark: start-up of ``symconv --help``, ``import symconv`` and a one-line correlation.

Each command runs in a fresh interpreter (``sys.executable``), ``--repeat``
times; the median wall time is printed beside the median of ``python -c pass``
measured in the same run, the floor every Python command pays.

Targets: ``symconv --help`` ≤ 0.3 s on the 2-core machines (issue 9); a numeric
``symconv correlate 2,1,3,5,4 1,-1`` ≤ 2× the numpy one-liner, without sympy (issue 11:
its exact numbers are computed with Python integers, symconv/cli/fast.py). A user
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
#: `import symconv` loads its names lazily: it may cost at most this much above `python -c pass`
TARGET_IMPORT_ABOVE_PYTHON = 0.1
#: a one-line numeric correlation pays numpy (for the layout), never sympy or the prover: ≤ this × the numpy one-liner
TARGET_CORRELATE_VS_NUMPY = 2.0
#: modules a one-line correlation must not import (the prover's solver, the figures' plotting, the peers)
HEAVY = ("z3", "matplotlib", "torch", "scipy")

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
    print(f"target: symconv --help ≤ {TARGET_HELP_SECONDS} s: {help_s:.3f} s — {_mark(help_s <= TARGET_HELP_SECONDS)}")
    above = results["import symconv"] - floor
    print(
        f"target: import symconv ≤ python -c pass + {TARGET_IMPORT_ABOVE_PYTHON} s: +{above:.3f} s — "
        f"{_mark(above <= TARGET_IMPORT_ABOVE_PYTHON)}"
    )
    ratio = results["symconv correlate 2,1,3,5,4 1,-1"] / results["numpy one-liner (reference)"]
    print(
        f"target: symconv correlate 2,1,3,5,4 1,-1 ≤ {TARGET_CORRELATE_VS_NUMPY:g}× the numpy one-liner: "
        f"{ratio:.2f}× — {_mark(ratio <= TARGET_CORRELATE_VS_NUMPY)}"
    )
    heavy = _heavy_imports(COMMANDS["symconv correlate 2,1,3,5,4 1,-1"][1])
    print(f"target: symconv correlate imports none of {', '.join(HEAVY)}: {heavy or 'none'} — {_mark(not heavy)}")
    sym = _heavy_imports(COMMANDS["symconv correlate 2,1,3,5,4 1,-1"][1], ("sympy",))
    print(f"target: symconv correlate on numbers does not import sympy: {sym or 'none'} — {_mark(not sym)}")
    return 0


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def _heavy_imports(code: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of ``heavy`` a fresh interpreter running ``code`` has imported."""
    probe = f"{code}\nimport sys\nprint(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True).stdout
    last = out.strip().splitlines()[-1] if out.strip() else ""
    return [m for m in last.split(",") if m in heavy]


if __name__ == "__main__":
    sys.exit(main())
