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
    c = data["counterexample"]
    assert c["at"] == [first]
    assert (int(c["lhs"]), int(c["rhs"])) == (want_conv[first], want_corr[first])
    assert [int(v) for v in c["lhs_value"]] == want_conv and [int(v) for v in c["rhs_value"]] == want_corr


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
    assert status == 1 and data["holds"] is False
    # the first differing entry, against plain loops: dL/dw[0] = sum_n g[n] x[n]; convolve(x, g)[0] = sum_n g[n] x[3-n]
    c = data["counterexample"]
    terms = lambda text: sorted(t.strip() for t in text.split("+"))  # noqa: E731
    assert terms(c["lhs"]) == sorted(f"g[{n}]*x[{n}]" for n in range(4))
    assert terms(c["rhs"]) == sorted(f"g[{n}]*x[{3 - n}]" for n in range(4))


def test_the_weight_gradient_is_the_valid_correlation(capsys):
    status, data = _json(["check", GRAD_W_CORR, *CONCRETE], capsys)
    assert status == 0 and data["holds"] is True


def test_json_has_the_promised_keys(capsys):
    _, data = _json(["check", GRAD_X, *CONCRETE], capsys)
    assert {"holds", "status", "method", "counterexample", "certificate", "claim", "let", "assume"} <= set(data)
    assert data["let"] == {"x": "x:6", "w": "w:3", "g": "g:4"}


def test_latex_writes_the_relation(capsys):
    argv = ["check", "convolve(f, h) == correlate(f, h)", "--let", "f=1,2,3"]
    status, out, _ = _run([*argv, "--let", "h=1,2", "--latex"], capsys)
    assert status == 1 and r"\neq" in out and "% counterexample: entry [0]: left 4, right 5" in out
    status, out, _ = _run([*argv, "--let", "h=1,1", "--latex"], capsys)
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
        ("correlate(f, h) / 2 == correlate(f, h * (1/2))", ["f=1,2,3,4", "h=3,1"], True),
        ("correlate(f, [1, -1]) == [1, -2, -2, 1]", ["f=2,1,3,5,4"], True),
        ("correlate(f, [1, -1]) == [1, -2, -2, 2]", ["f=2,1,3,5,4"], False),
        ("correlate(f, h, stride=2) == [1, 1]", ["f=2,1,3,5,4", "h=[-1, 0, 1]"], True),
        ("correlate(f, h, mode='same') == correlate(f, h, padding=[(1, 1)])", ["f=2,1,3,5,4", "h=1,2,3"], True),
        ("correlate(X, W) == [[-4, -4], [-4, -4]]", ["X=[[1,2,3],[4,5,6],[7,8,9]]", "W=1,0;0,-1"], True),
        ("correlate(X, W, dilation=(1, 2)) == correlate(X, W, dilation=[1, 2])", ["X=x:4x5", "W=w:2x2"], True),
        ("correlate(f, h) * a == correlate(f, h * a)", ["f=1,2,3", "h=1,1", "a=3/2"], True),
        ("correlate(f, h) == [3/2, 5/2]", ["f=1,2,3", "h=0.5,0.5"], True),
        ("conv1d(x, w) == correlate(x, w)", ["x=x:1,1,6", "w=w:1,1,3"], True),
        ("conv1d(x, w) == convolve(x, w)", ["x=x:1,1,N", "w=w:1,1,K"], False),
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
        assert data["counterexample"]["at"] == [at]
        assert int(data["counterexample"]["lhs"]) == want[at]


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
        (["check", "correlate(x, w) == x", "--let", "x=x:2", "--let", "w=w:3"], "shape"),
        (["check", "correlate(x, w) / 2 == x", "--let", "x=x:3", "--let", "w=w:2"], "integer"),
        (["check", "'full' == x", "--let", "x=x:2"], "quoted word"),
        (
            ["check", "correlate(f, h) == convolve(f, h, mode='full')", "--let", "f=1,2,3", "--let", "h=1,1"],
            "same shape",
        ),
        (["check", "correlate(x) == x", "--let", "x=x:3"], "`w`"),
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

    numbers = ["check", "convolve(f, h) == correlate(f, flip(h))", "--let", "f=1,2,3", "--let", "h=[1,2]"]
    symbolic = ["check", GRAD_X, "--let", "x=x:N", "--let", "w=w:K", "--let", "g=g:N-K+1", "--assume", "N >= 2*K"]
    for argv in (numbers, symbolic):  # first without the patch: importing a module exec()s its code
        assert _run(argv, capsys)[0] == 0
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(sympy, "sympify", forbidden)
    for argv in (numbers, symbolic):
        status, _, err = _run(argv, capsys)
        assert status == 0, err


# -- symbolic sizes: proved for every size, refuted with the sizes, never proved from instances ----------------

SYMBOLIC = ["--let", "x=x:N", "--let", "w=w:K", "--let", "g=g:N-K+1"]


def test_the_issue_example_is_proved_for_all_sizes_and_its_certificate_replays(capsys):
    from symconv.proofs import Certificate

    status, out, _ = _run(["check", GRAD_X, *SYMBOLIC], capsys)
    assert status == 0 and "HOLDS (proved)" in out and "method:  general" in out
    assert "proof outline" in out and "differentiate under sum" in out
    status, data = _json(["check", GRAD_X, *SYMBOLIC], capsys)
    assert (status, data["holds"], data["status"], data["method"]) == (0, True, "proved", "general")
    report = Certificate.from_json(json.dumps(data["certificate"])).check()
    assert report.ok, report.message


def test_convolution_backward_for_the_weight_is_refuted_at_small_sizes(capsys):
    status, data = _json(["check", GRAD_W_CONV, *SYMBOLIC], capsys)
    assert status == 1 and data["holds"] is False
    c = data["counterexample"]
    n, k = c["sizes"]["N"], c["sizes"]["K"]
    i = c["at"]["i0"]
    # plain loops at the sizes found: dL/dw[i] = sum_n g[n] x[n + i]; convolve(x, g)[i] = sum_n g[n] x[i + (N-K) - n]
    terms = lambda text: sorted(t.strip() for t in text.split("+"))  # noqa: E731
    assert terms(c["lhs"]) == sorted(f"g[{m}]*x[{m + i}]" for m in range(n - k + 1))
    assert terms(c["rhs"]) != terms(c["lhs"])


def test_a_centrosymmetric_kernel_makes_both_operations_agree_for_all_sizes(capsys):
    claim = "convolve(x, c) == correlate(x, c)"
    status, data = _json(["check", claim, "--let", "x=x:N", "--let", "c=w:K:centrosymmetric"], capsys)
    assert (status, data["status"]) == (0, "proved")
    status, data = _json(["check", claim, "--let", "x=x:N", "--let", "c=w:K"], capsys)
    assert (status, data["status"]) == (1, "refuted")


def test_assumptions_reach_the_statement(capsys):
    argv = ["check", "correlate(x, w) == convolve(x, flip(w))", "--let", "x=x:N", "--let", "w=w:K"]
    status, data = _json([*argv, "--assume", "N >= 2*K"], capsys)
    assert status == 0 and "-2*K + N >= 0" in data["statement"]


def test_instances_never_prove_a_symbolic_claim(capsys):
    status, out, _ = _run(["check", GRAD_X, *SYMBOLIC, "--method", "instance"], capsys)
    assert status == 3 and "UNKNOWN" in out and "reason:" in out
    status, data = _json(["check", GRAD_X, *SYMBOLIC, "--method", "instance"], capsys)
    assert status == 3 and data["holds"] is None and data["status"] == "unknown"


def test_symbolic_sizes_in_two_dimensions(capsys):
    argv = ["check", "correlate(X, W) == convolve(X, flip(W))", "--let", "X=x:H,V", "--let", "W=w:A,B"]
    status, data = _json(argv, capsys)
    assert status == 0 and data["holds"] is True


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["check", "x == x", "--let", "x=x:N", "--assume", "M >= 1"], "`--assume`"),
        (["check", "x == x", "--let", "x=x:N", "--assume", "N >= x"], "`--assume`"),
        (["check", "x == x", "--let", "x=x:N", "--assume", "N >= 1/2"], "+ - *"),
        (["check", "x == x", "--let", "x=x:N", "--let", "N=1"], "size"),
        (["check", "x == x", "--let", "x=x:N/2"], "+ - *"),
        (["check", "x == x", "--let", "x=x:correlate"], "function"),
        (["check", "correlate(x, w, stride=s) == x", "--let", "x=x:N", "--let", "w=w:K"], "not bound"),
    ],
)
def test_bad_symbolic_input_exits_2(argv, needle, capsys):
    status, out, err = _run(argv, capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and needle in err, err


def test_a_claim_on_the_command_line_neither_reads_nor_resets_relations_declared_in_python(capsys):
    """`symconv.sizes("N K", assume=...)` in the same process is not the shell's business, either way."""
    import symconv as sc
    from symconv.claims.sizes import assumed

    N, K = sc.sizes("N K", assume="N >= 3*K")
    try:
        before = assumed({N, K})
        status, data = _json(["check", "correlate(x, w) == convolve(x, flip(w))", *SYMBOLIC[:4]], capsys)
        assert status == 0 and "3*K" not in data["statement"]
        assert assumed({N, K}) == before and before
    finally:
        sc.sizes("N K")  # leave the registry as it was found: no relations for N, K
