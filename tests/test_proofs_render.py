"""Every proof renders: LaTeX ``align*`` with the rule names as tags (compiled with latexmk), Markdown whose
math KaTeX accepts (throwOnError), both index styles."""

from __future__ import annotations

import itertools
import re

import peers
import pytest
import renderers

from symconv import theorem, theorems

CH = {"in_channels": 4, "out_channels": 6, "groups": 2}
RICH = {
    "correlate_grad_input_is_full_convolution": {"ndim": 2, "padding": "p", **CH},
    "conv_grad_input_is_transposed_conv": {"ndim": 2, "stride": "s", "dilation": 2, "padding": 1, **CH},
    "conv_grad_weight_swaps_stride_and_dilation": {"ndim": 2, "stride": "s", "dilation": "d", **CH},
    "convolve_equals_correlate_iff_centrosymmetric": {"ndim": 2, "stride": 2, **CH},
    "convolve_equals_minus_correlate_iff_anticentrosymmetric": {"in_channels": "C", "out_channels": "O"},
    "correlation_matrix_is_toeplitz": {"ndim": 2, "stride": "s", **CH},
}


@pytest.fixture(scope="module")
def proofs():
    out = [theorem(name, **RICH.get(name, {})).prove() for name, _ in theorems()]
    out.append(theorem("correlate_grad_input_is_full_convolution").variant("no_flip").prove())  # a refutation
    return out


def _rules(proof) -> set[str]:
    return {s.rule for s in proof.steps}


_RULE_COUNT = re.compile(r" \((twice|(\d+) times)\)$")


def _uses(rule: str) -> int:
    m = _RULE_COUNT.search(rule)
    return 1 if m is None else (2 if m.group(1) == "twice" else int(m.group(2)))


def test_latex_is_align_with_one_tag_per_step(proofs):
    for p in proofs:
        if p.method != "general" or not p.holds:
            continue
        tex = p.latex()
        assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}") == len(p.parts)
        tags = re.findall(r"\\tag\{([^}]*)\}", tex)
        # every step is a displayed line tagged with its rule (claim-side steps marked "(claim side)"); a closing
        # `equal` whose claim reads exactly as the last line justifies that line instead of repeating it
        # an N-D proof prints a rule applied once per axis once, with its count: "rule (twice)", "rule (4 times)"
        # rule names are printed in words, a claim-side step marked "(claim side)" (as in the Markdown edition)
        raw = [r.removesuffix(" (claim side)") for t in tags for r in t.split(", ")]
        uses = [_uses(r) for r in raw]
        named = [_RULE_COUNT.sub("", r).replace(" ", "_") for r in raw]
        assert sum(uses) == len(p.steps), p.theorem
        assert set(named) == _rules(p), p.theorem
        assert sum(uses) - sum(", equal" in t for t in tags) - len(tags) == sum(u - 1 for u in uses), p.theorem
        assert r"\coloneqq" not in tex and r"\DeclareMathOperator" not in tex
        assert f"% not covered: {p.not_covered}" in tex


def test_markdown_names_every_rule_and_the_not_covered_line(proofs):
    for p in proofs:
        md = p.markdown()
        assert md.startswith(f"**Theorem** `{p.theorem}`") and f"Not covered: {p.not_covered}" in md
        assert f"Status: **{p.status}**" in md
        labels = [r for t in re.findall(r"&& \\text\{([^}]*)\}", md) for r in t.split(", ")]
        for rule in _rules(p):
            if rule != "entails_hypothesis":
                assert any(lab.startswith(rule.replace("_", " ")) for lab in labels), (p.theorem, rule)


def test_latex_compiles_with_latexmk(proofs, tmp_path):
    peers.program("latex", "latexmk", "pdflatex")
    body = []
    for p in proofs:
        for style in ("bracket", "subscript"):
            tex = p.latex(style)
            # the header comments carry the Unicode statement; the document proper must be ASCII
            assert "\n".join(line for line in tex.splitlines() if not line.startswith("%")).isascii()
            body.append(tex)
    doc = "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage[utf8]{inputenc}",
            r"\usepackage{amsmath,amssymb}",
            r"\usepackage[margin=1cm,paperwidth=80cm,paperheight=200cm]{geometry}",
            r"\begin{document}",
            *body,
            r"\end{document}",
        ]
    )
    (tmp_path / "proofs.tex").write_text(doc, encoding="utf-8")
    renderers.latexmk(tmp_path, "proofs.tex")


def _katex(items: list[tuple[str, str]]) -> dict:
    """Render display-math blocks ``(source, where)`` with KaTeX."""
    return renderers.katex([(src, True, where) for src, where in items])


def test_markdown_math_renders_with_katex(proofs):
    items = []
    for p in proofs:
        for style in ("bracket", "subscript"):
            blocks = re.findall(r"\$\$(.+?)\$\$", p.markdown(style), re.S)
            assert len(blocks) == len(p.parts)
            items += [(b, f"{p.theorem}/{style}#{i}") for i, b in enumerate(blocks)]
    probe = _katex([(r"\begin{aligned} x &= \notamacro \end{aligned}", "probe")])
    assert len(probe["errors"]) == 1  # the renderer really rejects bad input
    out = _katex(items)
    assert out["count"] == len(items) and not out["errors"], out["errors"][:3]


def test_floors_print_as_one_ordered_fraction():
    md = theorem("conv_grad_input_is_transposed_conv", stride=2).prove().markdown()
    assert r"\left\lfloor \frac{N - K}{2} \right\rfloor" in md
    tex = theorem("conv_grad_weight_swaps_stride_and_dilation", stride="s", dilation="d").prove().latex()
    assert r"\left\lfloor \frac{N + d - K d - 1}{s} \right\rfloor" in tex
    assert r"\frac{N}{s}" not in tex  # never the expanded form ⌊N/s + d/s − …⌋


def test_closing_equal_does_not_repeat_the_last_line():
    """No displayed line is the same expression twice in a row: `equal` then tags the line it closes."""
    for name in ("full_convolution_commutes", "correlate_grad_input_is_full_convolution"):
        p = theorem(name).prove()
        for block in re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", p.latex(), re.S):
            exprs = [re.sub(r"\\(tag|notag).*$", "", row).lstrip("&= ").strip() for row in block.split(" \\\\\n")]
            assert all(a != b for a, b in itertools.pairwise(exprs)), exprs
    tex = theorem("correlate_grad_input_is_full_convolution").prove().latex()
    assert "equal}" in tex  # the closing step is still named


def test_indices_print_in_loop_order():
    """The notes' order: the outer loop variable first (`x[n + k]`, `x[2 n + k]`), never `x[k + n]`."""
    tex = theorem("convolve_is_correlate_with_flipped_kernel").prove().latex()
    assert "x[n + k]" in tex and "k + n" not in tex
    assert "n + k \\ge 0" in tex or "-n \\le k" in tex
    tex2 = theorem("convolve_is_correlate_with_flipped_kernel", stride=2).prove().latex()
    assert "x[2 n + k]" in tex2 and "k + 2 n" not in tex2


def test_notebook_display_is_the_rendered_proof():
    """Jupyter shows the proof (statement, status, aligned steps), not a dataclass repr."""
    p = theorem("correlate_grad_input_is_full_convolution", ndim=2).prove()
    tex = p._repr_latex_()
    assert r"\texttt{correlate\_grad\_input\_is\_full\_convolution}" in tex
    assert r"\textbf{proved}" in tex and tex.count(r"\begin{aligned}") == len(p.parts)
    assert "Not covered" in tex and "Proof(" not in tex
    assert p._repr_markdown_() == p.markdown()
    bad = theorem("full_convolution_commutes").variant("correlation").prove()
    assert r"\textbf{refuted}" in bad._repr_latex_()
    blocks = [b for q in (p, bad) for b in re.findall(r"\$\$(.+?)\$\$", q._repr_latex_(), re.S)]
    out = _katex([(b, f"notebook#{i}") for i, b in enumerate(blocks)])
    assert out["count"] == len(blocks) and not out["errors"], out["errors"]
    formatters = peers.module("IPython.core.formatters", "nbclient")
    data, _ = formatters.DisplayFormatter().format(p)
    assert data["text/latex"] == tex and data["text/markdown"] == p.markdown()


def test_notebook_display_of_every_library_proof_renders_with_katex(proofs):
    blocks = []
    for p in proofs:
        tex = p._repr_latex_()
        assert tex.count(r"\begin{aligned}") == len(p.parts), p.theorem
        blocks += [(b, f"{p.theorem}#{i}") for i, b in enumerate(re.findall(r"\$\$(.+?)\$\$", tex, re.S))]
    out = _katex(blocks)
    assert out["count"] == len(blocks) and not out["errors"], out["errors"][:3]
