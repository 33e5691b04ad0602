"""Standing adversarial suite, part 4 (issue 8): the same inputs give the same bytes, whatever the hash seed.

Three fresh processes, ``PYTHONHASHSEED`` = 0, 1 and ``random`` (so also three separate runs), each:

* generate the course notes with ``symconv notes --out DIR --format md,tex`` (every file, figures included;
  the PDF format is not built);
* print ``symconv prove … --json`` for proofs, refutations (with the solver's counterexample), symbolic
  hyper-parameters, replays (``--check``) and the instance / randomized methods;
* serialise the certificate (``Proof.certificate.to_json()``) of every library theorem's default proof.

Everything must be byte-identical across the three processes. The ONE field excluded is the wall-clock
``seconds`` of ``prove --json`` (removed from the top-level JSON object before comparing; the rest of the
object, key order included, is compared as printed). Certificates carry no time and are compared as is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import adversarial_counts
import peers
import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = ("0", "1", "random")

PROVE = [
    ["prove", "conv_grad_input_is_transposed_conv", "--stride", "2", "--output-padding", "1", "--json", "--check"],
    ["prove", "convolve_equals_correlate_iff_centrosymmetric", "--ndim", "2", "--json"],
    ["prove", "correlate_grad_input_is_full_convolution", "--variant", "no_flip", "--json"],
    ["prove", "convolve_equals_correlate_iff_centrosymmetric", "--variant", "domain_off_by_one", "--json"],
    ["prove", "conv_grad_weight_swaps_stride_and_dilation", "--stride", "s", "--dilation", "d", "--json"],
    ["prove", "correlation_matrix_is_toeplitz", "--ndim", "2", "--in-channels", "2", "--out-channels", "2", "--json"],
    ["prove", "full_convolution_commutes", "--method", "randomized", "--json"],
    ["prove", "correlate_adjoint_is_full_convolution", "--ndim", "2", "--method", "instance", "--json"],
    ["prove", "circular_correlation_theorem", "--json"],
]

#: Run in each fresh process: notes, `prove --json` through the CLI entry point, every library certificate.
DRIVER = r"""
import contextlib, io, json, sys
from symconv import cli, theorem, theorems

out_dir, report = sys.argv[1], sys.argv[2]
with contextlib.redirect_stdout(io.StringIO()):
    assert cli.main(["notes", "--out", out_dir, "--format", "md,tex"]) == 0
result = {"prove": [], "certificates": {}}
for argv in json.loads(sys.argv[3]):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        status = cli.main(argv)
    result["prove"].append([status, buf.getvalue()])
for name, _ in theorems():
    result["certificates"][name] = theorem(name).prove().certificate.to_json()
with open(report, "w", encoding="utf-8") as f:
    json.dump(result, f)
"""

COUNTED: list[str] = []


def _summary() -> list[str]:
    return COUNTED


@pytest.fixture(scope="session", autouse=True)
def _counts(request):
    yield
    adversarial_counts.report(request.config, "adversarial suite: determinism", _summary())


def _without_seconds(text: str) -> str:
    """``prove --json`` output with the wall-clock ``seconds`` removed (everything else as printed, in order)."""
    data = json.loads(text)
    assert isinstance(data.pop("seconds"), float)
    return json.dumps(data, ensure_ascii=False)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_notes_json_and_certificates_are_byte_identical_across_hash_seeds():
    peers.module("matplotlib")  # the notes draw their figures with it (required in CI)
    tmp = Path(tempfile.mkdtemp(prefix="symconv-determinism-"))
    procs = []
    for seed in SEEDS:
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        tag = seed
        cmd = [
            sys.executable,
            "-c",
            DRIVER,
            str(tmp / f"notes-{tag}"),
            str(tmp / f"report-{tag}.json"),
            json.dumps(PROVE),
        ]
        procs.append(subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for seed, proc in zip(SEEDS, procs):
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, (seed, err.decode()[-2000:])

    notes = {seed: _files(tmp / f"notes-{seed}") for seed in SEEDS}
    reports = {seed: json.loads((tmp / f"report-{seed}.json").read_text("utf-8")) for seed in SEEDS}
    first = SEEDS[0]
    assert len(notes[first]) >= 10 and any(n.endswith(".tex") for n in notes[first])
    for seed in SEEDS[1:]:
        assert sorted(notes[seed]) == sorted(notes[first]), f"PYTHONHASHSEED={seed}: other files"
        for rel, data in notes[first].items():
            assert notes[seed][rel] == data, f"notes/{rel} differs between PYTHONHASHSEED={first} and {seed}"
        for argv, (s0, a), (s1, b) in zip(PROVE, reports[first]["prove"], reports[seed]["prove"]):
            assert s0 == s1, argv
            assert _without_seconds(a) == _without_seconds(b), f"{' '.join(argv)}: PYTHONHASHSEED={first} vs {seed}"
        for name, cert in reports[first]["certificates"].items():
            assert reports[seed]["certificates"][name] == cert, (
                f"certificate of {name}: PYTHONHASHSEED={first} vs {seed}"
            )
    statuses = [s for s, _ in reports[first]["prove"]]
    assert 0 in statuses and 1 in statuses  # proofs and refutations both compared
    COUNTED.append(
        f"{len(notes[first])} notes files, {len(PROVE)} `prove --json` outputs (without `seconds`) and "
        f"{len(reports[first]['certificates'])} certificates byte-identical across PYTHONHASHSEED={', '.join(SEEDS)}"
    )
