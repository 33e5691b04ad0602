"""``symconv identify TARGET [--ndim N] [--json]``: presets, MODULE:FUNCTION, and one-line errors."""

from __future__ import annotations

import json
import sys

import pytest

from symconv.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


def test_preset_text(capsys):
    status, out, err = _run(["identify", "numpy.correlate"], capsys)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == (
        "numpy.correlate: correlation (no kernel flip); mode 'valid', stride 1, dilation 1, boundary none; "
        "the kernel w is conjugated"
    )
    assert "  formula            y[n] += x[n + k]·conj(w)[k],  0 ≤ n < N - K + 1" in lines
    assert "evidence:" in lines


def test_preset_json_and_mode(capsys):
    status, out, _ = _run(["identify", "numpy.convolve", "--mode", "same", "--json"], capsys)
    d = json.loads(out)
    assert status == 0 and d["target"] == "numpy.convolve (mode=same)"
    assert (d["operation"], d["mode"]) == ("convolution", "same")
    assert d["axes"][0]["pad_lo"] == "⌈(K - 1)/2⌉"  # numpy: the even kernel's extra zero at the start


def test_user_function_with_ndim(tmp_path, monkeypatch, capsys):
    (tmp_path / "symconv_cli_user_xyz.py").write_text(
        "def corr2(x, w):\n"
        "    from numpy.lib.stride_tricks import sliding_window_view as v\n"
        "    return (v(x, w.shape) * w[::-1, ::-1]).sum(axis=(-2, -1))\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "symconv_cli_user_xyz", raising=False)
    status, out, _ = _run(["identify", "symconv_cli_user_xyz:corr2", "--ndim", "2", "--json"], capsys)
    d = json.loads(out)
    assert status == 0 and (d["operation"], d["mode"], d["flip_every_axis"]) == ("convolution", "valid", True)


def test_list(capsys):
    status, out, _ = _run(["identify", "--list"], capsys)
    assert status == 0
    assert out.splitlines()[0].split()[0] == "numpy.convolve"
    assert any(line.startswith("tensorflow.nn.conv2d") and "--mode valid|same" in line for line in out.splitlines())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["identify"], "identify: give a TARGET (a preset name or MODULE:FUNCTION), or --list"),
        (["identify", "numpy.convolv"], "identify: unknown preset 'numpy.convolv'; did you mean numpy.convolve"),
        (["identify", "numpy.convolve", "--ndim", "2"], "identify: preset 'numpy.convolve' takes ndim=1; got ndim=2"),
        (["identify", "numpy.convolve", "--ndim", "two"], "identify: argument --ndim: invalid int value: 'two'"),
        (["identify", "numpy.correlate", "--mode", "SAME"], "identify: preset 'numpy.correlate' `mode` must be one of"),
        (["identify", "os:system('echo hi')"], "identify: TARGET must be a preset name or MODULE:FUNCTION"),
        (["identify", "no_such_module_symconv_cli:f"], "identify: cannot import module 'no_such_module_symconv_cli'"),
        (["identify", "numpy:convolve", "--ndim", "2"], "identify: `fn` (numpy:convolve) must accept numpy arrays"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, message, capsys):
    status, out, err = _run(argv, capsys)
    assert status == 2 and out == ""
    assert err.startswith(f"symconv: error: {message}") and err.count("\n") == 1 and "Traceback" not in err
