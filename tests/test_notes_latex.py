"""The generated LaTeX document compiles with latexmk -pdf -halt-on-error."""

from __future__ import annotations

import re
import shutil

import peers
import renderers
from notes_build import generated


def test_tex_is_ascii_and_standalone():
    tex = (generated("a") / "notes.tex").read_text(encoding="utf-8")
    assert tex.isascii()
    for pkg in ("amsmath", "amssymb", "amsthm", "mathtools", "booktabs"):
        assert pkg in tex.split("\\begin{document}")[0]
    assert "\\begin{proof}" in tex or "\\newtheorem{theorem}" in tex
    assert tex.count("\\section{") == 9  # 0 short answer, 1-6, 7 summary, appendix
    assert tex.rstrip().endswith("\\end{document}")


def test_notes_compile_with_latexmk(tmp_path):
    peers.program("latex", "latexmk", "pdflatex")
    src = generated("a")
    shutil.copy(src / "notes.tex", tmp_path / "notes.tex")
    shutil.copytree(src / "figures", tmp_path / "figures")
    log = renderers.latexmk(tmp_path, "notes.tex")
    assert (tmp_path / "notes.pdf").stat().st_size > 10_000
    # Unicode in prose must be spelled for LaTeX, never silently dropped
    assert "Missing character" not in log
    assert "undefined" not in log.lower().replace("undefined control", "")
    # nothing runs off the page: no overfull box wider than 5 pt (issue 13)
    over = [float(m) for m in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert max(over, default=0.0) <= 5, sorted(over)[-5:]


def test_sections_are_numbered_once():
    tex = (generated("a") / "notes.tex").read_text(encoding="utf-8")
    titles = re.findall(r"\\section\{([^}]*)\}", tex)
    assert len(titles) == 9 and not any(re.match(r"\d+\.", t) for t in titles), titles
    index = (generated("a") / "index.md").read_text(encoding="utf-8")
    assert "[1. Convolution vs cross-correlation](ch1_definitions.md)" in index
    assert not re.search(r"^\d+\. \[\d+\.", index, re.M)
