"""Loose ends of the command line found by an attacker (issue 11 session): each case failed before its fix.

* ``symconv correlate x:5 x:3`` silently shared the symbols of the two operands;
* ``symconv correlate x:5x5x5x5x5x5x5x5 w:1x…`` expanded 390,625 symbolic terms for a minute and printed 19 MB;
* a number of thousands of digits was echoed whole in error messages (one very long line).
"""

from __future__ import annotations

import json
import re

import pytest

from symconv import cli


def _run(argv, capsys):
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    "argv",
    [
        ["correlate", "x:5", "x:3"],
        ["convolve", "a:4", "a:2", "--mode", "full"],
        ["correlate", "x:3x3", "x:2x2"],
        ["derive", "correlate", "x:5", "x:3"],
    ],
)
def test_two_operands_with_one_symbol_name_are_refused(argv, capsys):
    status, out, err = _run(argv, capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "`x` and `w` must be named apart" in err and "e.g. x:5 w:3" in err


def test_two_symbol_names_or_a_symbol_and_numbers_are_fine(capsys):
    assert _run(["correlate", "x:3", "w:2"], capsys)[:2] == (0, "Array([w_0*x_0 + w_1*x_1, w_0*x_1 + w_1*x_2])\n")
    assert _run(["correlate", "x:3", "1,2"], capsys)[:2] == (0, "Array([x_0 + 2*x_1, x_1 + 2*x_2])\n")
    assert _run(["correlate", "x:3", "x_0:2"], capsys)[0] == 0  # x_0, x_1 … and x_0_0, x_0_1: distinct names


def test_a_symbolic_result_beyond_max_terms_is_refused_before_it_is_built(capsys):
    status, out, err = _run(["correlate", "x:5x5x5x5x5x5x5x5", "w:1x1x1x1x1x1x1x1"], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1
    assert "390,625 symbolic terms" in err and "--max-terms 20,000" in err and "--max-terms 390625" in err


def test_max_terms_is_the_bound_and_can_be_raised(capsys):
    # correlate x:5 w:2 has 4 entries of 2 terms: 8 terms
    assert _run(["correlate", "x:5", "w:2", "--max-terms", "8"], capsys)[0] == 0
    status, _, err = _run(["correlate", "x:5", "w:2", "--max-terms", "7"], capsys)
    assert status == 2 and "8 symbolic terms" in err and "raise it with --max-terms 8" in err
    status, _, err = _run(["correlate", "x:5", "w:2", "--max-terms", "0"], capsys)
    assert status == 2 and "--max-terms: must be a positive integer" in err


def test_numbers_are_not_bound_by_max_terms(capsys):
    status, out, _ = _run(["correlate", ",".join(["1"] * 50), "1,1", "--max-terms", "1", "--json"], capsys)
    assert status == 0 and json.loads(out)["values"] == [2] * 49


BIG = "9" * 3000

ECHOES = [
    ["correlate", "1,2,3", "1", "--stride", f"-{BIG}"],
    ["correlate", "1,2,3", "1", "--padding", BIG],
    ["correlate", "1,2,3", "1", "--dilation", f"1,{BIG}"],
    ["correlate", "1,2,3", "1,2", "--mode", "same", "--stride", BIG],
    ["correlate", "x:3", "w:2", "--dilation", BIG],
    ["derive", "correlate", "x:3", "w:2", "--stride", f"-{BIG}"],
    ["shape", "torch.conv1d", "1x1x5", f"1x1x{BIG}"],
    ["shape", "torch.conv1d", "1x1x5", "1x1x3", "--groups", BIG],
    ["shape", "torch.conv_transpose1d", "1x1x5", "1x1x3", "--output-padding", BIG],
    ["shape", "correlate", "5", BIG],
    ["prove", "conv_grad_input_is_transposed_conv", "--stride", BIG],
    ["prove", "conv_grad_input_is_transposed_conv", "--groups", BIG, "--in-channels", "2", "--out-channels", "2"],
]


@pytest.mark.parametrize("argv", ECHOES, ids=lambda a: " ".join(t if len(t) < 20 else "BIG" for t in a))
def test_huge_numbers_are_echoed_by_their_digits_not_whole(argv, capsys):
    status, out, err = _run(argv, capsys)
    assert status == 2 and out == "" and err.count("\n") == 1
    assert len(err) < 500 and not re.search(r"[0-9]{100}", err), err[:300]
