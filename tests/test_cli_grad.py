"""``symconv grad``, ``symconv derive``, ``--json`` on correlate/convolve, nested-list arrays and ``--version``.

Oracles: numpy's ``correlate``/``convolve``/``convolve2d``-free plain loops; the
gradient rows are compared with what the API (``symconv.backward_rule``) derives.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symconv
from symconv import cli


def _run(argv, capsys):
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# -- grad ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "wrt", "name"),
    [
        ("correlate", "input", "full convolution of g with w"),
        ("correlate", "weight", "valid correlation of x with g"),
        ("convolve", "input", "full correlation of g with w"),
        ("convolve", "weight", "flipped valid correlation of x with g"),
        ("conv1d", "bias", "sum of g over batch and positions"),
    ],
)
def test_grad_names_the_derived_gradient(op, wrt, name, capsys):
    status, out, err = _run(["grad", op, "--wrt", wrt], capsys)
    assert (status, err) == (0, "")
    assert f"= {name}" in out
    label = {"input": "dL/dx", "weight": "dL/dw", "bias": "dL/dbias"}[wrt]
    assert out.count(label + "[") == 1  # only the requested gradient's formula


def test_grad_json_is_the_api_table(capsys):
    argv = ["grad", "conv2d", "--input-size", "5,6", "--kernel-size", "3", "--stride", "2", "--channels", "2,4"]
    status, out, _ = _run([*argv, "--groups", "2", "--json"], capsys)
    want = symconv.backward_rule("conv2d", input_size=(5, 6), kernel_size=3, stride=2, channels=(2, 4), groups=2)
    assert status == 0 and json.loads(out) == want.to_dict()
    rows = json.loads(out)["rows"]
    assert [r["gradient"] for r in rows] == ["dL/dx", "dL/dw", "dL/db"]
    assert rows[0]["operation"] == "transposed convolution of g with w"


def test_grad_latex_and_markdown(capsys):
    status, out, _ = _run(["grad", "correlate", "--latex"], capsys)
    assert status == 0 and r"\begin{tabularx}{\linewidth}" in out and r"\partial L/\partial w" in out
    status, out, _ = _run(["grad", "correlate", "--markdown", "--wrt", "weight"], capsys)
    assert status == 0 and out.startswith("| gradient |") and out.count("\n| dL/d") == 1


def test_grad_with_padding_and_dilation_matches_the_api(capsys):
    status, out, _ = _run(["grad", "correlate", "--padding", "1:2", "--dilation", "2", "--json"], capsys)
    want = symconv.backward_rule("correlate", padding=((1, 2),), dilation=2)
    assert status == 0 and json.loads(out) == want.to_dict()
    status, out, _ = _run(["grad", "conv1d", "--no-bias", "--json"], capsys)
    assert status == 0 and [r["gradient"] for r in json.loads(out)["rows"]] == ["dL/dx", "dL/dw"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["grad"], "OP"),
        (["grad", "fft"], "OP"),
        (["grad", "correlate", "--wrt", "bias"], "--wrt bias"),
        (["grad", "conv1d", "--wrt", "bias", "--no-bias"], "no bias"),
        (["grad", "correlate", "--wrt", "x"], "--wrt"),
        (["grad", "correlate", "--stride", "0"], "`stride`"),
        (["grad", "correlate", "--input-size", "1:2"], "`--input-size`"),
        (["grad", "conv2d", "--channels", "3"], "`--channels`"),
        (["grad", "conv2d", "--channels", "3,4", "--groups", "2"], "divisible"),
        (["grad", "correlate", "--groups", "2"], "layer options"),
        (["grad", "correlate", "--input-size", "100000,100000"], "terms"),
    ],
)
def test_grad_bad_input_is_one_line(argv, needle, capsys):
    status, out, err = _run(argv, capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and needle in err, err


# -- derive ----------------------------------------------------------------------------------------------


def test_derive_prints_the_seed_derivation(capsys):
    status, out, _ = _run(["derive", "convolve", "--kernel-first", "2,1,3,5,4", "--", "-1,2,-1"], capsys)
    assert status == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("y[n] = Σ_{k=0}^{K - 1} w[K - 1 - k]·x[n + k]")
    assert lines[-1] == "  = " + str(np.convolve([2, 1, 3, 5, 4], [-1, 2, -1], "valid").tolist())


@settings(max_examples=25, deadline=None)
@given(
    x=st.lists(st.lists(st.integers(-9, 9), min_size=3, max_size=3), min_size=3, max_size=4),
    w=st.lists(st.lists(st.integers(-9, 9), min_size=2, max_size=2), min_size=1, max_size=2),
)
def test_derive_json_result_matches_plain_loops(x, w):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(["derive", "correlate", json.dumps(x), json.dumps(w), "--json", "--matrix"])
    data = json.loads(out.getvalue())
    kr, kc = len(w), len(w[0])
    want = [
        [sum(x[i + a][j + b] * w[a][b] for a in range(kr) for b in range(kc)) for j in range(3 - kc + 1)]
        for i in range(len(x) - kr + 1)
    ]
    assert status == 0 and data["result"] == want and data["shape"] == [len(want), len(want[0])]
    flat = [v for row in x for v in row]
    assert [sum(t * v for t, v in zip(row, flat)) for row in data["matrix"]] == [v for r in want for v in r]


def test_derive_latex_markdown_and_backward(capsys):
    status, out, _ = _run(["derive", "correlate", "1,2,3", "1,-1", "--latex", "--backward"], capsys)
    assert status == 0 and out.startswith(r"\begin{align*}") and r"\begin{tabularx}" in out
    status, out, _ = _run(["derive", "correlate", "x:4", "w:2", "--markdown", "--notation", "subscript"], capsys)
    assert status == 0 and out.startswith("$$") and "x_{0}" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["derive", "correlate", "1,2,3"], "required"),
        (["derive", "fft", "1,2,3", "1"], "OP"),
        (["derive", "correlate", "x:2x2x2", "w:1x1x1"], "1-D or 2-D"),
        (["derive", "correlate", "[1,2", "1"], "never closed"),
        (["derive", "correlate", "1,2", "1,2,3"], "kernel"),
        (["derive", "correlate", "1,2,3", "1", "--notation", "greek"], "--notation"),
        (["derive", "correlate", "1,2,3", "1", "--json", "--latex"], "--latex"),
    ],
)
def test_derive_bad_input_is_one_line(argv, needle, capsys):
    status, out, err = _run(argv, capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and needle in err, err


# -- correlate / convolve: --json and nested lists ------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    x=st.lists(st.integers(-99, 99), min_size=2, max_size=9),
    w=st.lists(st.integers(-99, 99), min_size=1, max_size=3),
    mode=st.sampled_from(["valid", "same", "full"]),
    op=st.sampled_from(["correlate", "convolve"]),
)
def test_json_values_match_numpy(x, w, mode, op):
    import contextlib
    import io

    if len(w) > len(x):
        w = w[: len(x)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main([op, json.dumps(x), json.dumps(w), "--mode", mode, "--json"])
    data = json.loads(out.getvalue())
    if mode == "same":  # PyTorch's 'same' (an even kernel's extra zero at the end): a cut of numpy's full result
        full = getattr(np, op)(x, w, "full").tolist()
        start = (len(w) - 1) - (len(w) - 1) // 2
        want = full[start : start + len(x)]
    else:
        want = getattr(np, op)(x, w, mode).tolist()
    assert status == 0
    assert set(data) == {"op", "mode", "stride", "dilation", "padding", "shape", "values"}
    assert data["values"] == want and data["shape"] == [len(want)] and data["op"] == op


def test_json_keeps_rationals_and_symbols_exact(capsys):
    status, out, _ = _run(["convolve", "[1/3, 2]", "[1, 0.5]", "--json"], capsys)
    assert status == 0 and json.loads(out)["values"] == ["13/6"]
    status, out, _ = _run(["correlate", "x:3", "w:2", "--json"], capsys)
    assert json.loads(out)["values"] == ["w_0*x_0 + w_1*x_1", "w_0*x_1 + w_1*x_2"]


def test_nested_lists_are_arrays_of_any_rank(capsys):
    """`"[[1,2],[3,4]]"` was refused; it now means what `1,2;3,4` means, and 3-D works too."""
    status, a, _ = _run(["correlate", "[[1,2,3],[4,5,6]]", "[[1,0],[0,-1]]"], capsys)
    status2, b, _ = _run(["correlate", "1,2,3;4,5,6", "1,0;0,-1"], capsys)
    assert (status, status2) == (0, 0) and a == b == "Array([[-4, -4]])\n"
    cube = np.arange(8).reshape(2, 2, 2).tolist()
    status, out, _ = _run(["correlate", json.dumps(cube), "[[[1]],[[1]]]", "--json"], capsys)
    want = [[[cube[0][i][j] + cube[1][i][j] for j in range(2)] for i in range(2)]]
    assert status == 0 and json.loads(out)["values"] == want


def test_the_row_syntax_and_nested_lists_are_documented_in_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["correlate", "--help"])
    out = capsys.readouterr().out
    assert "1,2;3,4" in out and "[[1,2],[3,4]]" in out and "--json" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out == f"symconv {symconv.__version__}\n"
