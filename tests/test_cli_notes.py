"""`symconv notes` from the command line."""

from __future__ import annotations

import peers
import pytest

from symconv.cli import main


@pytest.fixture(autouse=True)
def _matplotlib():
    """`symconv notes` draws its figures with matplotlib (required in CI, not skipped)."""
    peers.module("matplotlib")


def test_notes_writes_markdown_and_latex(tmp_path, capsys):
    assert main(["notes", "--out", str(tmp_path / "n"), "--format", "md,tex"]) == 0
    assert (tmp_path / "n" / "index.md").is_file()
    assert (tmp_path / "n" / "notes.tex").is_file()
    assert (tmp_path / "n" / "figures" / "transposed.svg").is_file()
    assert not (tmp_path / "n" / "notes.pdf").exists()
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["html", "md,docx", ""])
def test_bad_format_exits_2_with_a_message(tmp_path, capsys, fmt):
    assert main(["notes", "--out", str(tmp_path), "--format", fmt]) == 2
    err = capsys.readouterr().err
    assert "--format" in err and "md,tex,pdf" in err


def test_pdf_is_byte_identical_between_runs(tmp_path):
    peers.program("latex", "latexmk", "pdflatex")
    for run in ("a", "b"):
        assert main(["notes", "--out", str(tmp_path / run), "--format", "pdf"]) == 0
    a, b = (tmp_path / r / "notes.pdf" for r in ("a", "b"))
    assert a.stat().st_size > 10_000
    assert a.read_bytes() == b.read_bytes()
