"""symconv's benchmarks: ``python -m benchmarks`` runs every ``bench_*.py`` module's ``main()``.

Apples to apples: importing this package pins numpy's BLAS, OpenMP and torch to
ONE thread (``SYMCONV_BENCH_THREADS`` to choose another count). The thread
variables are set here, before any benchmark imports numpy or torch, since the
libraries read them once when they load; :func:`pin_torch` sets torch's own
count once torch is imported.
"""

from __future__ import annotations

import os

THREADS = os.environ.get("SYMCONV_BENCH_THREADS", "1")
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
for _var in THREAD_VARIABLES:
    os.environ[_var] = THREADS


def pin_torch() -> str:
    """Set torch's intra-op threads to :data:`THREADS` (if torch is installed); what was set, for the log."""
    try:
        import torch
    except ImportError:
        return "torch not installed"
    torch.set_num_threads(int(THREADS))
    return f"torch {torch.get_num_threads()} thread(s)"
