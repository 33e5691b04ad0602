"""The numeric path of ``symconv correlate/convolve`` (issue 11, start-up): same bytes as the sympy path, no sympy.

The fast path (symconv/cli/fast.py) must print exactly what the sympy path
prints — text, ``--json``, ``--latex`` — and exit with the same status for
every numeric input, mode, stride, dilation and padding the command line
accepts, including the inputs both refuse. The sympy path is the same command
with the fast path switched off.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from contextlib import nullcontext
from fractions import Fraction
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symconv import cli
from symconv.cli import fast

ROOT = Path(__file__).resolve().parent.parent


def _run(argv, *, numeric: bool):
    """(exit status, stdout, stderr) of ``symconv ARGV``, with the numeric path on or off."""
    out, err = io.StringIO(), io.StringIO()
    off = mock.patch.object(fast, "numeric_output", lambda args: None)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), off if not numeric else nullcontext():
        status = cli.main(argv)
    return status, out.getvalue(), err.getvalue()


def _token(v: Fraction, style: int) -> str:
    """``v`` typed in one of the spellings the grammar accepts: integer, ratio, decimal, exponent."""
    if v.denominator == 1 and style == 0:
        return str(v.numerator)
    if style == 1 or v.denominator not in (1, 2, 4, 5, 8, 10, 20, 25):
        return f"{v.numerator}/{v.denominator}"
    text = f"{float(v):.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


NUMBERS = st.one_of(
    st.integers(-9, 9).map(Fraction),
    st.fractions(min_value=-5, max_value=5, max_denominator=12),
    st.integers(-(10**30), 10**30).map(Fraction),
)


@st.composite
def operand_text(draw, shape):
    size = int(np.prod(shape))
    values = draw(st.lists(NUMBERS, min_size=size, max_size=size))
    styles = draw(st.lists(st.integers(0, 2), min_size=size, max_size=size))
    tokens = np.array([_token(v, s) for v, s in zip(values, styles)], dtype=object).reshape(shape)
    if len(shape) <= 2 and draw(st.booleans()):
        rows = tokens.reshape(-1, shape[-1]) if len(shape) == 2 else tokens.reshape(1, -1)
        return ";".join(",".join(r) for r in rows)
    return json.dumps(tokens.tolist()).replace('"', "")


def _per_axis(draw, ndim, low, high):
    if draw(st.booleans()):
        return str(draw(st.integers(low, high)))
    return ",".join(str(draw(st.integers(low, high))) for _ in range(ndim))


@st.composite
def commands(draw):
    ndim = draw(st.integers(1, 3))
    xshape = tuple(draw(st.lists(st.integers(1, 5), min_size=ndim, max_size=ndim)))
    wshape = tuple(draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim)))
    argv = [draw(st.sampled_from(["correlate", "convolve"])), draw(operand_text(xshape)), draw(operand_text(wshape))]
    mode = draw(st.sampled_from(["valid", "same", "full", None]))
    if mode is not None:
        argv += ["--mode", mode]
    if draw(st.booleans()):
        argv += ["--stride", _per_axis(draw, ndim, 1, 3)]
    if draw(st.booleans()):
        argv += ["--dilation", _per_axis(draw, ndim, 1, 2)]
    if draw(st.booleans()):
        if draw(st.booleans()):
            pad = str(draw(st.integers(0, 3)))
        else:
            sides = [draw(st.sampled_from(["{0}", "{0}:{1}"])) for _ in range(ndim)]
            pad = ",".join(s.format(draw(st.integers(0, 3)), draw(st.integers(0, 3))) for s in sides)
        argv += ["--padding", pad]
    fmt = draw(st.sampled_from([None, "--json", "--latex"]))
    return argv + ([fmt] if fmt else [])


@given(argv=commands())
def test_the_numeric_path_prints_what_the_sympy_path_prints(argv):
    fast_result = _run(argv, numeric=True)
    sympy_result = _run(argv, numeric=False)
    assert fast_result == sympy_result, argv


def test_the_property_reaches_the_numeric_path(capsys, monkeypatch):
    """A guard for the test above: for a numeric command the fast path answers (it is not always ``None``)."""
    seen = []
    real = fast.numeric_output

    def spy(args):
        seen.append(real(args))
        return seen[-1]

    monkeypatch.setattr(fast, "numeric_output", spy)
    assert cli.main(["correlate", "1/2,0.25,-3", "4,1e1", "--mode", "full", "--json"]) == 0
    assert seen and seen[0] is not None
    assert json.loads(capsys.readouterr().out)["values"] == [5, "9/2", -29, -12]


@pytest.mark.parametrize(
    "argv",
    [
        ["correlate", "1,2;3", "1"],  # ragged rows
        ["correlate", "[[1,2],[3]]", "[[1]]"],  # ragged nested list
        ["correlate", "1,2,3", "1,2,3,4"],  # the kernel does not fit
        ["correlate", "1,2,3", "1,2", "--mode", "same", "--stride", "2"],
        ["correlate", "1,2,3", "1,2", "--mode", "full", "--padding", "1"],
        ["correlate", "1,2,3", "1,2", "--stride", "0"],
        ["correlate", "1,2,3", "1;2"],  # different numbers of axes
        ["correlate", "1,2,3", "1,2", "--stride", str(2**62)],
        ["correlate", "1,2,3", "1,2", "--padding", str(2**62)],
    ],
)
def test_inputs_both_paths_refuse_give_the_same_one_line_error(argv):
    fast_result = _run(argv, numeric=True)
    assert fast_result == _run(argv, numeric=False)
    assert fast_result[0] == 2 and fast_result[1] == "" and fast_result[2].count("\n") == 1


def test_large_numbers_and_fractions_stay_exact(capsys):
    big = 10**40
    assert cli.main(["correlate", f"{big},1/3", "1/7"]) == 0
    out = capsys.readouterr().out
    assert out == f"Array([{Fraction(big, 7)}, 1/21])\n"


@given(
    entries=st.lists(NUMBERS.map(lambda v: v.numerator if v.denominator == 1 else v), min_size=1, max_size=40),
    rows=st.integers(1, 4),
)
def test_short_text_is_numpys_layout(entries, rows):
    from symconv.arrays.text import array_text, short_text

    n = len(entries) // rows or 1
    entries = entries[: n * rows] if len(entries) >= rows else entries
    shape = (len(entries) // n, n) if rows > 1 and len(entries) >= rows else (len(entries),)
    data = np.empty(len(entries), dtype=object)
    data[:] = entries
    text = short_text(entries, shape)
    assert text is None or text == array_text(data.reshape(shape))


def _imported(argv: list[str], module: str = "sympy") -> bool:
    code = (
        "import sys\nfrom symconv.cli import main\n"
        f"assert main({argv!r}) == 0\n"
        f"print('YES' if {module!r} in sys.modules else 'NO')\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True, timeout=300
    )
    return out.stdout.strip().splitlines()[-1] == "YES"


@pytest.mark.parametrize(
    "argv",
    [
        ["correlate", "2,1,3,5,4", "1,-1"],
        ["convolve", "1/2,0.5,3", "1,-1", "--mode", "full", "--json"],
        ["correlate", "[[1,2],[3,4]]", "1,0;0,1", "--mode", "same", "--latex"],
        ["correlate", "1,2,3,4,5", "1,2", "--stride", "2", "--dilation", "2", "--padding", "1:2"],
    ],
)
def test_a_numeric_one_liner_does_not_import_sympy(argv):
    assert not _imported(argv)


def test_the_seed_one_liner_does_not_import_numpy_either():
    """Its cost is Python's start-up and the argument parser: a fraction of the numpy one-liner's."""
    assert not _imported(["correlate", "2,1,3,5,4", "1,-1"], "numpy")
    assert not _imported(["convolve", "1,2;3,4", "1/2,1;0,2", "--mode", "full", "--json"], "numpy")


def test_the_probe_sees_sympy_when_it_is_needed():
    assert _imported(["correlate", "x:5", "1,-1"])
