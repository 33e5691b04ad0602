"""The committed notes (docs/notes) are exactly what `symconv notes` generates, and generation is deterministic."""

from __future__ import annotations

import re
from pathlib import Path

import peers
import pytest
from notes_build import GOLDEN, generated


@pytest.fixture(autouse=True)
def _matplotlib():
    """The notes draw their figures with matplotlib (required in CI, not skipped)."""
    peers.module("matplotlib")


def _files(root: Path) -> list[str]:
    """Every generated file except a top-level PDF (not committed)."""
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and not (p.suffix == ".pdf" and p.parent == root)
    )


#: The notes state the library versions they were generated (and checked) with; the committed notes
#: were generated on one machine, a user's may have other versions or none of the optional peers.
#: The golden comparison is therefore modulo those version numbers (the oracle tests check that the
#: generated notes state the installed ones).
_VERSION = re.compile(r"\b(numpy|scipy|torch|jax|tensorflow) (?:\d[\w.]*|not installed)")


def _unversioned(text: str) -> str:
    return _VERSION.sub(r"\1 <version>", text)


def _mpl_version(svg: Path) -> str | None:
    m = re.search(r"Matplotlib v([\w.]+)", svg.read_text(encoding="utf-8"))
    return m.group(1) if m else None


def test_generation_is_byte_identical_between_runs():
    a, b = generated("a"), generated("b")
    assert _files(a) == _files(b)
    for rel in _files(a):
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_text_outputs_match_the_committed_golden_files():
    out = generated("a")
    text = [r for r in _files(out) if r.endswith((".md", ".tex"))]
    assert {"index.md", "notes.tex", "ch1_definitions.md", "ch6_libraries.md"} <= set(text)
    assert sorted(r for r in _files(GOLDEN) if r.endswith((".md", ".tex"))) == text, "files added or removed"
    for rel in text:
        new, old = (out / rel).read_text(encoding="utf-8"), (GOLDEN / rel).read_text(encoding="utf-8")
        assert _unversioned(new) == _unversioned(old), (
            f"{rel} differs from docs/notes: run `make notes` and review the diff"
        )


def test_figures_match_the_committed_ones_for_the_same_matplotlib():
    import matplotlib

    out = generated("a")
    figs = sorted(p.name for p in (out / "figures").iterdir())
    assert figs == sorted(p.name for p in (GOLDEN / "figures").iterdir())
    assert {"sliding_window.svg", "transposed.pdf", "backward_dx.svg", "backward_dw.svg", "stride_dilation.svg"} <= set(
        figs
    )
    committed = _mpl_version(GOLDEN / "figures" / "sliding_window.svg")
    if committed != matplotlib.__version__:
        pytest.skip(f"figures were generated with matplotlib {committed}, this is {matplotlib.__version__}")
    for name in figs:
        if name.endswith(".pdf"):
            # the PDF's font subset is fontTools' work: compare only what the same fontTools wrote
            made, here = _producer(GOLDEN / "figures" / name), _producer(out / "figures" / name)
            if made != here:
                pytest.skip(f"{name} was drawn by {made}, this is {here}")
        assert (out / "figures" / name).read_bytes() == (GOLDEN / "figures" / name).read_bytes(), name


def _producer(pdf: Path) -> str:
    m = re.search(rb"/Producer \(([^)]*)\)", pdf.read_bytes())
    return m.group(1).decode() if m else "unknown"


def test_only_the_stated_versions_are_masked():
    sentence = "checked, with numpy 2.4.6, scipy 1.17.1, torch not installed, jax 0.10.2, tensorflow 2.21.0 (the"
    assert _unversioned(sentence) == (
        "checked, with numpy <version>, scipy <version>, torch <version>, jax <version>, tensorflow <version> (the"
    )
    assert _unversioned("[1, -2]") == "[1, -2]"
    assert _unversioned("torch autograd") == "torch autograd"
