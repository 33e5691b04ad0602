"""``symconv theorems`` and ``symconv prove``: output formats, flags, and the exit status 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from symconv import cli, theorems
from symconv.proofs._registry import variants


def _run(argv, capsys):
    status = cli.main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


def test_theorems_lists_every_theorem(capsys):
    status, out, _ = _run(["theorems"], capsys)
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == [n for n, _ in theorems()]


def test_theorems_variants_lists_every_false_variant(capsys):
    status, out, _ = _run(["theorems", "--variants"], capsys)
    assert status == 0
    for name, _ in theorems():
        for v in variants(name):
            assert f"--variant {v}:" in out
    status, out, _ = _run(["theorems", "--json"], capsys)
    rows = json.loads(out)
    assert {r["name"] for r in rows} == {n for n, _ in theorems()}
    assert all(r["variants"] and r["parameters"][0] == "ndim" for r in rows)


def test_prove_json_has_the_fields_and_exit_0(capsys):
    status, out, _ = _run(["prove", "conv_grad_weight_swaps_stride_and_dilation", "--stride", "2", "--json"], capsys)
    assert status == 0
    d = json.loads(out)
    for key in ("theorem", "holds", "method", "steps", "certificate", "not_covered", "seconds"):
        assert key in d
    assert d["holds"] is True and d["method"] == "general" and d["params"] == {"stride": 2}
    assert d["steps"][-1]["rule"] == "equal" and 0 < d["seconds"] < 5


def test_seconds_exclude_imports(capsys):
    """`seconds` is time proving: a fresh process spends longer in total than the proof it reports."""
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-m", "symconv", "prove", "full_convolution_commutes", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["seconds"] < wall


@pytest.mark.parametrize(
    "argv",
    [
        ["prove", "correlate_grad_input_is_full_convolution", "--variant", "no_flip"],
        [
            "prove",
            "conv_grad_weight_swaps_stride_and_dilation",
            "--stride",
            "2",
            "--dilation",
            "3",
            "--variant",
            "not_swapped",
        ],
        ["prove", "convolve_equals_correlate_iff_centrosymmetric", "--ndim", "2", "--variant", "one_axis", "--json"],
        ["prove", "conv_grad_input_is_transposed_conv", "--stride", "s", "--variant", "no_stride"],
        [
            "prove",
            "correlate_grad_weight_is_valid_correlation",
            "--ndim",
            "2",
            "--variant",
            "flipped",
            "--method",
            "instance",
            "--input-size",
            "6,5",
            "--kernel-size",
            "3,2",
        ],
    ],
)
def test_a_false_variant_exits_1(argv, capsys):
    status, out, err = _run(argv, capsys)
    assert status == 1 and not err
    if "--json" in argv:
        d = json.loads(out)
        assert d["holds"] is False and d["message"]
    else:
        assert "Status: **refuted**" in out or "Status: **unproved**" in out


def test_symbolic_stride_on_the_command_line(capsys):
    status, out, _ = _run(
        ["prove", "conv_grad_weight_swaps_stride_and_dilation", "--stride", "s", "--dilation", "d", "--json"], capsys
    )
    assert status == 0
    d = json.loads(out)
    assert d["params"] == {"stride": "s", "dilation": "d"} and d["holds"]
    assert {"s", "d"} <= set(d["certificate"]["parts"][0]["ctx"]["context"]["params"])


def test_symbolic_channels_on_the_command_line(capsys):
    argv = ["prove", "convolve_is_correlate_with_flipped_kernel", "--in-channels", "C", "--out-channels", "O", "--json"]
    status, out, _ = _run(argv, capsys)
    d = json.loads(out)
    assert status == 0 and d["holds"] and d["params"] == {"in_channels": "C", "out_channels": "O"}
    status, _, err = _run([*argv[:-1], "--groups", "2"], capsys)
    assert status == 2 and "need `groups` (=2) to be 1" in err


def test_latex_and_check(capsys):
    status, out, _ = _run(["prove", "full_convolution_commutes", "--latex"], capsys)
    assert status == 0 and out.count(r"\begin{align*}") == 1 and r"\tag{reindex (claim side)}" in out
    status, out, _ = _run(["prove", "full_convolution_commutes", "--check"], capsys)
    assert status == 0 and "Replay: ok" in out


def test_instance_method_on_the_command_line(capsys):
    argv = ["prove", "correlate_grad_input_is_full_convolution", "--ndim", "2", "--method", "instance"]
    status, out, _ = _run([*argv, "--input-size", "8,8", "--kernel-size", "3,3", "--json"], capsys)
    d = json.loads(out)
    assert status == 0 and d["method"] == "instance"
    assert d["instance_checks"][0]["sizes"] == {"N_0": 8, "N_1": 8, "K_0": 3, "K_1": 3}


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["prove", "nope"], "`name` must be one of"),
        (["prove", "full_convolution_commutes", "--ndim", "x"], "`--ndim` must be an integer; got 'x'"),
        (["prove", "full_convolution_commutes", "--ndim", "4"], "`ndim` must be 1, 2 or 3; got ndim=4"),
        (["prove", "full_convolution_commutes", "--variant", "zzz"], "`variant` must be one of ['correlation']"),
        (["prove", "correlate_grad_input_is_full_convolution", "--stride", "2"], "unknown parameter(s) ['stride']"),
        (
            ["prove", "conv_grad_weight_swaps_stride_and_dilation", "--stride", "0"],
            "`stride` must be ≥ 1; got stride=0",
        ),
        (["prove", "conv_grad_weight_swaps_stride_and_dilation", "--stride", "n"], "a symbolic `stride` must be"),
        (["prove", "full_convolution_commutes", "--input-size", "3"], "go with --method instance or randomized"),
        (
            ["prove", "full_convolution_commutes", "--method", "instance", "--input-size", "3,a", "--kernel-size", "2"],
            "`--input-size` must be integers separated by commas",
        ),
        (["prove", "full_convolution_commutes", "--method", "magic"], "invalid choice: 'magic'"),
        (["prove", "full_convolution_commutes", "--json", "--latex"], "not allowed with argument"),
    ],
)
def test_bad_input_exits_2_with_a_message_naming_the_argument(argv, needle, capsys):
    status, out, err = _run(argv, capsys)
    assert status == 2 and not out
    assert err.startswith("symconv: error: ") and needle in err and "Traceback" not in err


def test_bad_input_has_no_traceback_in_a_real_process():
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "symconv",
            "prove",
            "conv_grad_input_is_transposed_conv",
            "--stride",
            "2",
            "--output-padding",
            "2",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "`output_padding` (=2) must be smaller than `stride` (=2)" in res.stderr


def test_prove_notation_as_derive(capsys):
    status, br, _ = _run(["prove", "full_convolution_commutes", "--latex"], capsys)
    assert status == 0 and "a[m + k + 1 - B]" in br
    status, sub, _ = _run(["prove", "full_convolution_commutes", "--latex", "--notation", "subscript"], capsys)
    assert status == 0 and "a_{m + k + 1 - B}" in sub and "a[" not in sub
    status, _, err = _run(["prove", "full_convolution_commutes", "--subscripts"], capsys)
    assert status == 2 and "unrecognized arguments: --subscripts" in err
    status, _, err = _run(["prove", "full_convolution_commutes", "--notation", "subscripts"], capsys)
    assert status == 2 and "invalid choice: 'subscripts'" in err


def test_prove_instance_at_scale_names_the_engine_and_is_fast(capsys):
    t0 = time.perf_counter()
    argv = ["prove", "conv_grad_input_is_transposed_conv", "--ndim", "2", "--method", "instance"]
    status, out, _ = _run([*argv, "--input-size", "64,64", "--kernel-size", "5,5", "--json"], capsys)
    assert time.perf_counter() - t0 < 5  # issue 3: was ~11 s through the Iverson expansion
    d = json.loads(out)
    assert status == 0 and d["holds"] and d["engine"] == "coefficient engine (check_exact)"
    assert d["instance_checks"][0]["terms"] == 2 * 60 * 60 * 25
    argv = ["prove", "conv_grad_input_is_transposed_conv", "--ndim", "2", "--stride", "2", "--method", "randomized"]
    status, out, _ = _run([*argv, "--input-size", "64,64", "--kernel-size", "5,5", "--json"], capsys)
    assert status == 2  # (64 − 5) mod 2 = 1: stride 2 needs output_padding 1 at N = 64
    status, out, err = _run([*argv, "--input-size", "64,64", "--kernel-size", "5,5"], capsys)
    assert status == 2 and "only N with (N − K) mod 2 = 0" in err
    status, out, _ = _run(
        [*argv, "--output-padding", "1", "--input-size", "64,64", "--kernel-size", "5,5", "--json"], capsys
    )
    d = json.loads(out)
    assert status == 0 and d["engine"] == "coefficient engine (check_randomized)"
    assert "(deg/p)^3, p = 1048573, deg = 2" in d["not_covered"]


def test_prove_a_symbolic_output_padding(capsys):
    argv = ["prove", "conv_grad_input_is_transposed_conv", "--stride", "s", "--output-padding", "a", "--check"]
    status, out, _ = _run(argv, capsys)
    assert status == 0 and "1 ≤ a < s" in out and "Replay: ok" in out
    status, _, err = _run(["prove", "conv_grad_input_is_transposed_conv", "--output-padding", "a"], capsys)
    assert status == 2 and "symbolic `output_padding` (a ≥ 1) must be smaller than `stride`" in err
