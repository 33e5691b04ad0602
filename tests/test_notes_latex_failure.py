"""When LaTeX fails, `symconv notes` names the first TeX error with its line and context, and keeps the
log where the message says it is (issue 13: once only "LaTeX failed on notes.tex (exit 12)" pointing at a
deleted temporary folder)."""

from __future__ import annotations

import re

import peers
import pytest

from symconv import SymconvError
from symconv.writing import notes

BROKEN = r"""\documentclass{article}
\begin{document}
Fine so far.

A deliberately broken line: \thismacrodoesnotexist{argument} and more text.
\end{document}
"""


def test_first_tex_error_reads_message_line_and_context():
    log = (
        "This is pdfTeX\n(./notes.tex\n! Undefined control sequence.\n"
        "l.5 A deliberately broken line: \\thismacrodoesnotexist\n"
        "                                                     {argument} and more text.\n"
        "! Emergency stop.\n"
    )
    msg = notes.first_tex_error(log, BROKEN.splitlines())
    assert msg.splitlines()[0] == "! Undefined control sequence."
    assert "l.5 A deliberately broken line: \\thismacrodoesnotexist" in msg
    assert "{argument} and more text." in msg
    assert "notes.tex line 5: A deliberately broken line" in msg
    assert "Emergency stop" not in msg  # the FIRST error only
    assert notes.first_tex_error("no error here\n") == ""


def test_a_broken_document_reports_its_first_error_and_keeps_the_log(tmp_path):
    peers.program("latex", "latexmk", "pdflatex")
    out = tmp_path / "out"
    out.mkdir()
    tex = out / "notes.tex"
    tex.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(SymconvError) as info:
        notes._pdf(tex, out)
    msg = str(info.value)
    assert "LaTeX failed on notes.tex" in msg
    assert "! Undefined control sequence." in msg
    assert "l.5 " in msg and "notes.tex line 5:" in msg and "\\thismacrodoesnotexist" in msg
    m = re.search(r"the full log is (\S+)", msg)
    assert m, msg
    kept = out / "notes.log"
    assert m.group(1) == str(kept.resolve())
    assert kept.is_file() and "Undefined control sequence" in kept.read_text(encoding="latin-1")
    # fixed, the next run succeeds and removes the kept log of the failed one
    tex.write_text(BROKEN.replace("\\thismacrodoesnotexist{argument}", "an argument"), encoding="utf-8")
    assert notes._pdf(tex, out) == out / "notes.pdf"
    assert not kept.exists()
