"""Every proof renders: LaTeX ``align*`` with the rule names as tags (compiled with latexmk), Markdown whose
math KaTeX accepts (throwOnError), both index styles."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import peers
import pytest

from symconv import theorem, theorems

REPO = Path(__file__).resolve().parent.parent

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


def test_latex_is_align_with_one_tag_per_step(proofs):
    for p in proofs:
        if p.method != "general" or not p.holds:
            continue
        tex = p.latex()
        assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}") == len(p.parts)
        tags = re.findall(r"\\tag\{([^}]*)\}", tex)
        # every step is a displayed line tagged with its rule (claim-side steps marked with a left arrow)
        assert len(tags) == len(p.steps), p.theorem
        assert {t.split("\\ ")[0].replace("\\_", "_") for t in tags} == _rules(p), p.theorem
        assert r"\coloneqq" not in tex and r"\DeclareMathOperator" not in tex
        assert f"% not covered: {p.not_covered}" in tex


def test_markdown_names_every_rule_and_the_not_covered_line(proofs):
    for p in proofs:
        md = p.markdown()
        assert md.startswith(f"**Theorem** `{p.theorem}`") and f"Not covered: {p.not_covered}" in md
        assert f"Status: **{p.status}**" in md
        for rule in _rules(p):
            if rule != "entails_hypothesis":
                assert rf"\text{{{rule.replace('_', ' ')}" in md, (p.theorem, rule)


def test_latex_compiles_with_latexmk(proofs, tmp_path):
    peers.program("latex", "latexmk", "pdflatex")
    body = []
    for p in proofs:
        for style in ("brackets", "subscripts"):
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
    proc = subprocess.run(
        ["latexmk", "-pdf", "-halt-on-error", "-interaction=nonstopmode", "proofs.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    log = (tmp_path / "proofs.log").read_text(encoding="latin-1")
    assert "Undefined control sequence" not in log and "LaTeX Error" not in log


_KATEX = r"""
const katex = require(process.argv[process.argv.length - 1]);
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const errors = [];
for (const [src, where] of items) {
  try { katex.renderToString(src, {throwOnError: true, displayMode: true, strict: 'ignore'}); }
  catch (e) { errors.push(where + ': ' + e.message); }
}
process.stdout.write(JSON.stringify({count: items.length, errors}));
"""


def _katex(items: list[tuple[str, str]]) -> dict:
    peers.program("katex", "node")
    d = REPO / "node_modules" / "katex"
    if not (d / "package.json").is_file():
        peers.missing("katex", f"{d} not found (run `npm ci`)")
    proc = subprocess.run(
        ["node", "-e", _KATEX, str(d)],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_markdown_math_renders_with_katex(proofs):
    items = []
    for p in proofs:
        for style in ("brackets", "subscripts"):
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
