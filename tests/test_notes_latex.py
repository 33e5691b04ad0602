"""The generated LaTeX document compiles with latexmk -pdf -halt-on-error."""

from __future__ import annotations

import shutil
import subprocess

import peers
from notes_build import generated


def test_tex_is_ascii_and_standalone():
    tex = (generated("a") / "notes.tex").read_text(encoding="utf-8")
    assert tex.isascii()
    for pkg in ("amsmath", "amssymb", "amsthm", "mathtools", "booktabs"):
        assert pkg in tex.split("\\begin{document}")[0]
    assert "\\begin{proof}" in tex or "\\newtheorem{theorem}" in tex
    assert tex.count("\\section{") == 6
    assert tex.rstrip().endswith("\\end{document}")


def test_notes_compile_with_latexmk(tmp_path):
    peers.program("latex", "latexmk", "pdflatex")
    src = generated("a")
    shutil.copy(src / "notes.tex", tmp_path / "notes.tex")
    shutil.copytree(src / "figures", tmp_path / "figures")
    proc = subprocess.run(
        ["latexmk", "-pdf", "-halt-on-error", "-interaction=nonstopmode", "notes.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (tmp_path / "notes.pdf").stat().st_size > 10_000
    log = (tmp_path / "notes.log").read_text(encoding="latin-1")
    assert "Undefined control sequence" not in log
    assert "LaTeX Error" not in log
