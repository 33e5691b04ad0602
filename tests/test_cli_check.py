"""``symconv check``: claims typed in a shell, decided (0 holds, 1 refuted, 3 unknown, 2 bad input).

The oracles are independent of symconv: numpy's own ``convolve``/``correlate``
and plain loops (tests/oracles/reference_conv.py).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import cli


def _run(argv, capsys):
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _json(argv, capsys):
    status, out, err = _run([*argv, "--json"], capsys)
    assert err == "", err
    return status, json.loads(out)


SEED_F = [2, 1, 3, 5, 4]


# -- the seed's own claims, as one-liners -----------------------------------------------------------------


def test_the_seed_snippet_kernel_is_refuted_with_both_outputs(capsys):
    """The seed's numpy snippet uses h2 = [-1, 2, 1]: convolution and correlation differ (both outputs shown)."""
    h = [-1, 2, 1]
    want_conv = np.convolve(SEED_F, h, "valid").tolist()
    want_corr = np.correlate(SEED_F, h, "valid").tolist()
    argv = ["check", "convolve(f, h) == correlate(f, h)", "--let", "f=2,1,3,5,4", "--let", "h=-1,2,1"]
    status, out, err = _run(argv, capsys)
    assert status == 1 and err == ""
    assert "REFUTED" in out
    assert f"left:    {want_conv}" in out and f"right:   {want_corr}" in out
    status, data = _json(argv, capsys)
    assert status == 1
    assert data["holds"] is False and data["status"] == "refuted"
    assert data["lhs"] == want_conv and data["rhs"] == want_corr
    first = next(i for i, (a, b) in enumerate(zip(want_conv, want_corr)) if a != b)
    assert data["counterexample"]["index"] == [first]
    assert (data["counterexample"]["lhs"], data["counterexample"]["rhs"]) == (want_conv[first], want_corr[first])


def test_the_symmetric_kernel_of_example_2_holds(capsys):
    argv = ["check", "convolve(f, h) == correlate(f, h)", "--let", "f=2,1,3,5,4", "--let", "h=[-1, 2, -1]"]
    status, data = _json(argv, capsys)
    assert status == 0 and data["holds"] is True
    assert data["lhs"] == data["rhs"] == np.convolve(SEED_F, [-1, 2, -1], "valid").tolist()


GRAD_X = "grad(correlate(x, w), x, g) == convolve(g, w, mode='full')"
GRAD_W_CONV = "grad(correlate(x, w), w, g) == convolve(x, g)"
GRAD_W_CORR = "grad(correlate(x, w), w, g) == correlate(x, g)"
CONCRETE = ["--let", "x=x:6", "--let", "w=w:3", "--let", "g=g:4"]


def test_correlation_forward_convolution_backward_holds_for_the_input_gradient(capsys):
    status, data = _json(["check", GRAD_X, *CONCRETE], capsys)
    assert (status, data["holds"], data["status"]) == (0, True, "proved")


def test_convolution_backward_is_refuted_for_the_weight_gradient(capsys):
    status, out, _ = _run(["check", GRAD_W_CONV, *CONCRETE], capsys)
    assert status == 1 and "REFUTED" in out and "counterexample: entry [0]" in out
    status, data = _json(["check", GRAD_W_CONV, *CONCRETE], capsys)
    c = data["counterexample"]
    assert status == 1 and data["holds"] is False
    # the witness is a concrete assignment at which the two sides differ (checked with plain loops here)
    w = c["witness"]
    x = [w.get(f"x_{i}", 0) for i in range(6)]
    g = [w.get(f"g_{i}", 0) for i in range(4)]
    assert sum(g[n] * x[n] for n in range(4)) == c["lhs_at_witness"]
    assert sum(g[n] * x[3 - n] for n in range(4)) == c["rhs_at_witness"]
    assert c["lhs_at_witness"] != c["rhs_at_witness"]


def test_the_weight_gradient_is_the_valid_correlation(capsys):
    status, data = _json(["check", GRAD_W_CORR, *CONCRETE], capsys)
    assert status == 0 and data["holds"] is True


def test_json_has_the_promised_keys(capsys):
    _, data = _json(["check", GRAD_X, *CONCRETE], capsys)
    assert {"holds", "status", "method", "counterexample", "certificate", "claim", "let", "assume"} <= set(data)
    assert data["let"] == {"x": "x:6", "w": "w:3", "g": "g:4"}


def test_latex_writes_the_relation(capsys):
    status, out, _ = _run(
        ["check", "convolve(f, h) == correlate(f, h)", "--let", "f=1,2,3", "--let", "h=1,2", "--latex"], capsys
    )
    assert status == 1 and r"\neq" in out and r"\texttt{" in out
    status, out, _ = _run(
        ["check", "convolve(f, h) == correlate(f, h)", "--let", "f=1,2,3", "--let", "h=1,1", "--latex"], capsys
    )
    assert status == 0 and r"\neq" not in out


# -- the language: arithmetic, lists, keywords, every function of the table ------------------------------------


@pytest.mark.parametrize(
    ("claim", "lets", "holds"),
    [
        ("convolve(x, w) == correlate(x, flip(w))", ["x=x:5", "w=w:3"], True),
        ("convolve(x, w) == correlate(x, w)", ["x=x:5", "w=w:3"], False),
        ("convolve(x, c) == correlate(x, c)", ["x=x:5", "c=w:3:centrosymmetric"], True),
        ("convolve(x, a) == -correlate(x, a)", ["x=x:5", "a=w:3:anticentrosymmetric"], True),
        ("inner(correlate(x, w), g) == inner(x, convolve(g, w, mode='full'))", ["x=x:6", "w=w:3", "g=g:4"], True),
        ("inner(correlate(x, w), g) == inner(x, correlate(g, w, mode='full'))", ["x=x:6", "w=w:3", "g=g:4"], False),
        ("sum(correlate(x, w)) == sum(x) * 0 + sum(correlate(x, w))", ["x=x:4", "w=w:2"], True),
        ("correlate(2*x + y, w) == 2*correlate(x, w) + correlate(y, w)", ["x=x:5", "y=y:5", "w=w:2"], True),
        ("correlate(x - y, w) == correlate(x, w) - correlate(y, w)", ["x=x:5", "y=y:5", "w=w:2"], True),
        ("correlate(x, w) / 2 == correlate(x, w * (1/2))", ["x=x:5", "w=w:2"], True),
        ("correlate(f, [1, -1]) == [1, -2, -2, 1]", ["f=2,1,3,5,4"], True),
        ("correlate(f, [1, -1]) == [1, -2, -2, 2]", ["f=2,1,3,5,4"], False),
        ("correlate(f, h, stride=2) == [1, 1]", ["f=2,1,3,5,4", "h=[-1, 0, 1]"], True),
        ("correlate(f, h, mode='same') == correlate(f, h, padding=[(1, 1)])", ["f=2,1,3,5,4", "h=1,2,3"], True),
        ("correlate(X, W) == [[-4, -4], [-4, -4]]", ["X=[[1,2,3],[4,5,6],[7,8,9]]", "W=1,0;0,-1"], True),
        ("correlate(X, W, dilation=(1, 2)) == correlate(X, W, dilation=[1, 2])", ["X=x:4x5", "W=w:2x2"], True),
        ("correlate(f, h) * a == correlate(f, h * a)", ["f=1,2,3", "h=1,1", "a=3/2"], True),
        ("correlate(f, h) == [3/2, 5/2]", ["f=1,2,3", "h=0.5,0.5"], True),
        ("correlate(f, h) == convolve(f, h, mode='full')", ["f=1,2,3", "h=1,1"], False),  # shapes differ
    ],
)
def test_claims_decided_exactly(claim, lets, holds, capsys):
    argv = ["check", claim]
    for spec in lets:
        argv += ["--let", spec]
    status, data = _json(argv, capsys)
    assert data["holds"] is holds, data
    assert status == (0 if holds else 1)


@settings(max_examples=40, deadline=None)
@given(
    f=st.lists(st.integers(-9, 9), min_size=3, max_size=8),
    h=st.lists(st.integers(-9, 9), min_size=1, max_size=3),
)
def test_agreement_claims_match_numpy(f, h):
    """`convolve(f, h) == correlate(f, h)` holds exactly when numpy's two results are equal."""
    import contextlib
    import io

    argv = ["check", "convolve(f, h) == correlate(f, h)", "--let", "f=" + ",".join(map(str, f))]
    argv += ["--let", "h=[" + ",".join(map(str, h)) + "]", "--json"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(argv)
    data = json.loads(out.getvalue())
    same = np.array_equal(np.convolve(f, h, "valid"), np.correlate(f, h, "valid"))
    assert status == (0 if same else 1)
    assert data["lhs"] == np.convolve(f, h, "valid").tolist()
    assert data["rhs"] == np.correlate(f, h, "valid").tolist()


@settings(max_examples=40, deadline=None)
@given(
    f=st.lists(st.integers(-50, 50), min_size=3, max_size=8),
    h=st.lists(st.integers(-50, 50), min_size=1, max_size=3),
    bump=st.integers(-1, 1),
    at=st.integers(0, 10),
)
def test_a_stated_result_is_checked_entry_by_entry(f, h, bump, at):
    """`correlate(f, h) == [numpy's values, one changed by bump]`: refuted exactly at that entry."""
    import contextlib
    import io

    want = np.correlate(f, h, "valid").tolist()
    stated = list(want)
    at %= len(stated)
    stated[at] += bump
    claim = "correlate(f, h) == [" + ", ".join(map(str, stated)) + "]"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(
            [
                "check",
                claim,
                "--let",
                "f=" + ",".join(map(str, f)),
                "--let",
                "h=[" + ",".join(map(str, h)) + "]",
                "--json",
            ]
        )
    data = json.loads(out.getvalue())
    assert status == (0 if bump == 0 else 1)
    if bump:
        assert data["counterexample"]["index"] == [at]
        assert data["counterexample"]["lhs"] == want[at]


# -- bad input: exit 2, one line, no traceback ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["check", "correlate(x, w)", "--let", "x=x:3", "--let", "w=w:2"], "'=='"),
        (["check", "correlate(x, w) == y"], "'x'"),
        (["check", "correlate(x,, w) == y"], "column 13"),
        (["check", "__import__('os') == 1"], "unknown function '__import__'"),
        (["check", "x.real == 1", "--let", "x=x:2"], "column 2"),
        (["check", "open('f') == 1"], "unknown function 'open'"),
        (["check", "(" * 200 + "x" + ")" * 200 + " == x", "--let", "x=x:2"], "nested more than"),
        (["check", "-" * 200 + "x == x", "--let", "x=x:2"], "nested more than"),
        (["check", "x + " * 5000 + "x == x", "--let", "x=x:2"], "characters long"),
        (["check", "x == x", "--let", "x"], "NAME=SPEC"),
        (["check", "x == x", "--let", "x=x:2", "--let", "x=x:3"], "bound twice"),
        (["check", "x == x", "--let", "correlate=x:2"], "function of the claim language"),
        (["check", "x == x", "--let", "x=x:2:symmetric"], "structure"),
        (["check", "x == x", "--let", "x=x:0"], "`shape`"),
        (["check", "x == x", "--let", "x=x:2.5"], "integer"),
        (["check", "x == x", "--let", "x=[[1,2],[3]]"], "rectangular"),
        (["check", "x == x", "--let", "x=[1,2"], "never closed"),
        (["check", "x == x", "--let", "x=1e5000"], "decimal digits"),
        (["check", "x == 1e5000", "--let", "x=1"], "decimal digits"),
        (["check", "x / y == x", "--let", "x=x:2", "--let", "y=y:2"], "divides by an exact number"),
        (["check", "x / 0 == x", "--let", "x=x:2"], "division by zero"),
        (["check", "correlate(x, w, mode=full) == x", "--let", "x=x:3", "--let", "w=w:2"], "quote words"),
        (["check", "correlate(x, w, mode='middle') == x", "--let", "x=x:3", "--let", "w=w:2"], "`mode`"),
        (["check", "correlate(x, w, frobnicate=1) == x", "--let", "x=x:3", "--let", "w=w:2"], "frobnicate"),
        (["check", "correlate(x, w) == x", "--let", "x=x:2", "--let", "w=w:3"], "kernel"),
        (["check", "'full' == x", "--let", "x=x:2"], "quoted word"),
        (["check", "x == 'a;b'", "--let", "x=x:2"], "quoted string"),
        (["check", "x == y", "--let", "x=x:2", "--let", "y=y:2", "--method", "magic"], "--method"),
        (["check", "x == y", "--let", "x=x:2", "--let", "y=y:2", "--json", "--latex"], "--latex"),
    ],
)
def test_bad_claims_exit_2_with_one_line(argv, needle, capsys):
    status, out, err = _run(argv, capsys)
    assert status == 2, (status, out, err)
    assert out == "" and err.startswith("symconv: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert needle in err, err


def test_the_claim_text_is_never_evaluated(monkeypatch, capsys):
    """Nothing on the path from the command line to the verdict calls eval/exec/sympify."""
    import builtins

    import sympy

    def forbidden(*args, **kwargs):
        raise AssertionError("a typed text reached eval/exec/sympify")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(sympy, "sympify", forbidden)
    status, _, err = _run(
        ["check", "convolve(f, h) == correlate(f, flip(h))", "--let", "f=1,2,3", "--let", "h=[1,2]"], capsys
    )
    assert status == 0, err
