"""The command line's shell: usage errors are one line and exit 2; a closed pipe is no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from symconv import cli


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["correlate", "1,2", "1", "--mode", "bad"],
            "symconv: error: correlate: argument --mode: invalid choice: 'bad'",
        ),
        ([], "symconv: error: the following arguments are required: COMMAND"),
        (["frobnicate"], "symconv: error: argument COMMAND: invalid choice: 'frobnicate'"),
        (["prove"], "symconv: error: prove: the following arguments are required"),
    ],
)
def test_usage_errors_name_the_subcommand_once_and_exit_2(argv, message, capsys):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(message)
    assert "symconv: error: symconv" not in captured.err
    assert captured.err.count("\n") == 1


def test_help_lists_every_registered_subcommand(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("correlate", "convolve", "notes", "theorems", "prove", "shape", "output-padding"):
        assert command in out


def test_a_reader_that_goes_away_is_not_a_traceback():
    """`symconv theorems | head -0`: the pipe is closed before symconv writes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "symconv", "theorems"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == cli.EXIT_OUTPUT  # 74, never 1 (which means "claim false")
    assert err == "", err  # the reader went away on purpose: nothing to report
