"""The ``correlate`` / ``convolve`` sub-commands: closed forms, per-axis parameters, explicit padding."""

from __future__ import annotations

import numpy as np
import pytest

from symconv import cli


def _out(argv, capsys):
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out.strip(), captured.err.strip()


def test_seed_examples(capsys):
    assert _out(["correlate", "2,1,3,5,4", "1,-1"], capsys) == (0, "Array([1, -2, -2, 1])", "")
    assert _out(["convolve", "2,1,3,5,4", "1,-1"], capsys) == (0, "Array([-1, 2, 2, -1])", "")


def test_explicit_per_side_padding_matches_numpy(capsys):
    status, out, _ = _out(["correlate", "2,1,3,5,4", "1,-1", "--padding", "1:2"], capsys)
    want = np.correlate(np.pad([2, 1, 3, 5, 4], (1, 2)), [1, -1], "valid").tolist()
    assert status == 0 and out == f"Array({want})"


def test_per_axis_stride_and_padding_in_2d(capsys):
    status, out, _ = _out(
        ["correlate", "1,2,3;4,5,6;7,8,9", "1,0;0,1", "--stride", "2,1", "--padding", "0,1:0"], capsys
    )
    x = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    xp = np.pad(x, ((0, 0), (1, 0)))
    want = [[int(xp[i, j] + xp[i + 1, j + 1]) for j in range(3)] for i in range(0, 2, 2)]
    assert status == 0 and out == f"Array({want})"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["correlate", "x:5", "w:2", "--padding", "a"], "`--padding` must be integers"),
        (["correlate", "x:5", "w:2", "--stride", "2.5"], "`--stride` must be integers"),
        (["correlate", "x:5", "w:2", "--padding", "1:2:3"], "entries must be N or LO:HI"),
        (["correlate", "x:5", "w:2", "--mode", "full", "--padding", "1"], "not both"),
        (["convolve", "x:5", "w:2", "--dilation", "0"], "`dilation` must be ≥ 1"),
    ],
)
def test_bad_parameters_exit_2_with_one_line(argv, needle, capsys):
    status, out, err = _out(argv, capsys)
    assert status == 2 and out == "" and needle in err and err.count("\n") == 0
