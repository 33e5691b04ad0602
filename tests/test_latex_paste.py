"""LaTeX a user pastes: every ``.latex()`` compiles in a bare ``article`` under ``symconv.latex_preamble()``
and fits the text width (no overfull box > 5 pt); plain-text renderings fit 100 columns; a printed proof
states every hypothesis it uses."""

from __future__ import annotations

import re

import peers
import pytest
import renderers
from hypothesis import given, settings
from hypothesis import strategies as st

import symconv as sc

#: Overfull boxes up to this many points are tolerable (the issue's threshold).
OVERFULL_PT = 5.0


def _compile(tmp_path, name: str, bodies: list[str]) -> None:
    peers.program("latex", "latexmk", "pdflatex")
    doc = (
        "\\documentclass{article}\n"
        + sc.latex_preamble()
        + "\\begin{document}\n"
        + "\n\n\\bigskip\n\n".join(bodies)
        + "\n\\end{document}\n"
    )
    (tmp_path / f"{name}.tex").write_text(doc, encoding="utf-8")
    log = renderers.latexmk(tmp_path, f"{name}.tex")
    over = [float(m) for m in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert max(over, default=0.0) <= OVERFULL_PT, (name, sorted(over)[-5:])


def test_latex_preamble_is_public_and_names_what_the_output_uses():
    pre = sc.latex_preamble()
    assert "latex_preamble" in sc.__all__
    for pkg in ("amsmath", "amssymb", "booktabs", "tabularx", "array"):
        assert pkg in pre, pkg
    assert "\\documentclass" not in pre and "\\begin{document}" not in pre


_RULES = [
    ("correlate", {}),
    ("convolve", {"stride": 2}),
    ("conv1d", {"stride": 2, "dilation": 2, "padding": 1}),
    ("conv2d", {}),
    ("conv2d", {"stride": 2}),
    ("conv2d", {"stride": 2, "dilation": 2, "padding": 1, "groups": 2, "channels": (2, 4)}),
    ("conv3d", {"stride": 2}),
]


def test_backward_rule_tables_compile_and_fit(tmp_path):
    _compile(tmp_path, "rules", [sc.backward_rule(op, **kw).latex() for op, kw in _RULES])


def test_derivations_compile_and_fit(tmp_path):
    x2 = sc.symbols("x", 25).reshape(5, 5)
    w2 = sc.symbols("w", 9).reshape(3, 3)
    bodies = [
        sc.derive("correlate", [2, 1, 3, 5, 4], [1, -1]).latex(),
        sc.derive("convolve", list(range(1, 13)), [1, 2, 3, 4], padding=2).latex(),
        sc.derive("correlate", x2, w2, stride=2).latex(),
        sc.derive("convolve", x2, w2, padding=1).latex(),
        sc.derive("correlate", sc.symbols("x", 16), sc.symbols("w", 3), stride=2, dilation=2).latex(),
    ]
    _compile(tmp_path, "derivations", bodies)


def test_proofs_compile_and_fit(tmp_path):
    bodies = [
        sc.theorem("correlation_matrix_is_toeplitz").prove().latex(),
        sc.theorem("correlation_matrix_is_toeplitz", ndim=2).prove().latex(),
        sc.theorem("full_convolution_commutes").prove().latex(),
        sc.theorem("conv_grad_input_is_transposed_conv", stride=2).prove().latex(),
        sc.theorem("conv_grad_weight_swaps_stride_and_dilation", ndim=2, stride=2).prove().latex(),
    ]
    _compile(tmp_path, "proofs", bodies)


def test_arrays_compile_and_fit(tmp_path):
    arrays = [
        sc.symbols("x", 60),
        sc.symbols("x", 144).reshape(12, 12),
        sc.symbols("x", 30 * 30).reshape(30, 30),
        sc.symbols("x", 2000),
        sc.correlate(sc.symbols("x", 12), sc.symbols("w", 3)),
        sc.correlate(sc.symbols("x", 36).reshape(6, 6), sc.symbols("w", 9).reshape(3, 3)),
        sc.symbols("x", 2 * 3 * 12).reshape(2, 3, 12),
        sc.asarray(list(range(-40, 40))),
    ]
    _compile(tmp_path, "arrays", [f"\\[ {a.latex()} \\]" for a in arrays])


def test_a_long_array_keeps_every_entry_unless_numpy_would_summarise():
    tex = sc.symbols("x", 60).latex()
    assert all(f"x_{{{i}}}" in tex for i in range(60))
    big = sc.symbols("x", 2000).latex()
    assert "x_{0}" in big and "x_{1999}" in big and "\\ldots" in big and "x_{1000}" not in big


_OPS = st.sampled_from(["correlate", "convolve", "conv1d", "conv2d"])


@given(
    op=_OPS,
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    padding=st.integers(0, 2),
    bias=st.booleans(),
)
@settings(max_examples=25, deadline=None)
def test_plain_text_backward_rules_fit_100_columns(op, stride, dilation, padding, bias):
    kw = {"stride": stride, "dilation": dilation, "padding": padding}
    if op.startswith("conv") and op[-2:] in ("1d", "2d"):
        kw["bias"] = bias
    try:
        rule = sc.backward_rule(op, **kw)
    except sc.SymconvError:
        return  # a combination the operation refuses (e.g. the kernel does not fit)
    text = str(rule)
    assert max(len(line) for line in text.splitlines()) <= 100, text
    for row in rule.rows:  # nothing is lost by the wrapping
        assert row.theorem is None or row.theorem in text.replace("\n", "")


def test_the_seed_example_prints_within_100_columns():
    text = str(sc.backward_rule("conv2d", stride=2))
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "conv_grad_input_is_transposed_conv" in text and "transposed convolution of g with w" in text


@given(n=st.integers(3, 40), k=st.integers(1, 3), stride=st.integers(1, 3))
@settings(max_examples=20, deadline=None)
def test_plain_text_derivations_fit_100_columns(n, k, stride):
    k = min(k, n)
    d = sc.derive("correlate", sc.symbols("x", n), sc.symbols("w", k), stride=stride)
    assert max(len(line) for line in str(d).splitlines()) <= 100
    d2 = sc.derive("convolve", list(range(1, n + 1)), list(range(1, k + 1)))
    text = str(d2)
    assert max(len(line) for line in text.splitlines()) <= 100
    # the wrapped result still lists every output value, in order
    last = text.split("= [")[-1].replace("\n", " ")
    values = [int(v) for v in re.sub(r"\s+", "", last.rstrip(" ]")).split(",")]
    assert values == [int(v) for v in d2.result.tolist()]


def test_a_2d_derivation_prints_within_100_columns():
    d = sc.derive("correlate", sc.symbols("x", 25).reshape(5, 5), sc.symbols("w", 9).reshape(3, 3), stride=2)
    assert max(len(line) for line in str(d).splitlines()) <= 100


def test_toeplitz_proof_prints_the_domain_it_assumes():
    """Theorem 7: the step `equal` identifies guards that differ at i = -1 and m = N - 1: true only because
    the free indices range over 0 ≤ i ≤ N - K - 1 and 0 ≤ m ≤ N - 2, which must therefore be printed."""
    proof = sc.theorem("correlation_matrix_is_toeplitz").prove()
    tex, md = proof.latex(), proof.markdown()
    for out in (tex, md):
        assert "Hypotheses:" in out
        assert "0 \\le i \\le N - K - 1" in out and "0 \\le m \\le N - 2" in out
    assert "Hypotheses:" in proof._repr_latex_()


@pytest.mark.parametrize(
    "name,params",
    [
        ("correlation_matrix_is_toeplitz", {}),
        ("correlation_matrix_is_toeplitz", {"ndim": 2}),
        ("full_convolution_commutes", {}),
        ("conv_grad_input_is_transposed_conv", {"stride": 2}),
    ],
)
def test_every_free_index_and_assumption_of_a_proof_is_printed(name, params):
    from symconv.proofs._render import hypotheses, var_latex

    proof = sc.theorem(name, **params).prove()
    tex = proof.latex()
    nd = int(proof.params.get("ndim", 1))
    for part in proof.parts:
        shown = hypotheses(part, nd)
        assert len(shown) >= len(part.ctx.free) or not part.ctx.free
        for h in shown:
            assert h.replace(" \\wedge ", " \\land ") in tex, h
        for v in part.ctx.free:
            assert f"${var_latex(v, nd)}$" in tex, v
