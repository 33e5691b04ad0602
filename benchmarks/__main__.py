"""Run every ``benchmarks/bench_*.py`` module's ``main(argv)`` in one process.

``python -m benchmarks [--only NAME] [ARGS...]``: unknown arguments (such as
``--big``) are passed to every benchmark, which ignores what it does not know.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def discover() -> list[str]:
    """Names of the benchmark modules, sorted."""
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; the exit status is non-zero if any of them failed to run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", action="append", default=[], help="run only this benchmark (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args, rest = parser.parse_known_args(argv)
    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        names = [n for n in names if n in args.only or n.removeprefix("bench_") in args.only]
    from benchmarks import THREAD_VARIABLES, THREADS, pin_torch

    print(f"threads: {', '.join(THREAD_VARIABLES)} = {THREADS}; {pin_torch()}", flush=True)
    status = 0
    for name in names:
        print(f"=== {name} ===", flush=True)
        t0 = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        rc = module.main(list(rest))
        print(f"=== {name}: {time.perf_counter() - t0:.1f} s ===\n", flush=True)
        status = status or int(rc or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
