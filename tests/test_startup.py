"""Start-up does not pay for the prover (issue 11): structural checks of what a fresh interpreter imports.

Never timed: each case runs in a fresh ``python`` and reports which of the
heavy modules ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("z3", "matplotlib", "torch", "scipy")

CASES = {
    "import symconv": "import symconv",
    "symconv.correlate on small numbers": (
        "import symconv; symconv.correlate([2, 1, 3, 5, 4], [1, -1]); symconv.convolve([1, 2], [3, 4], mode='full')"
    ),
    "the CLI's correlate": "from symconv.cli import main; main(['correlate', '2,1,3,5,4', '1,-1'])",
    "the CLI's --help": ("from symconv.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"),
    "import symconv.proofs": "import symconv.proofs",
    "an instance check at given sizes": (
        "from symconv.proofs import theorem; "
        "assert theorem('correlate_grad_input_is_full_convolution', ndim=2)"
        ".prove('instance', input_size=[9, 8], kernel_size=[3, 2]).holds"
    ),
}


def _imported(code: str) -> list[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env, check=True, timeout=300
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", list(CASES))
def test_start_up_does_not_import_the_prover_or_the_figures(case):
    assert _imported(CASES[case]) == []


def test_the_probe_sees_an_import():
    assert _imported("import z3") == ["z3"]
