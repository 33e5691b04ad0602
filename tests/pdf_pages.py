"""Read a compiled PDF page by page (poppler's ``pdftotext -bbox-layout``): its text lines with their heights,
and where LaTeX put each heading (the ``.toc`` file), to test the layout of the notes as a reader sees it.

Independent of symconv: it reads only the PDF and LaTeX's own table of contents.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import peers
import renderers
from notes_build import generated

#: The text block of the notes (A4, ``geometry`` margins 2.2 cm, 11pt article) in PDF points from the page's top:
#: its top edge and its height (``\textheight`` = 669.78 TeX points); the page number sits below it.
TEXT_TOP = 2.2 / 2.54 * 72
TEXT_BOTTOM = TEXT_TOP + 669.78 * 72 / 72.27


@dataclass(frozen=True)
class Line:
    """One text line of a page: its words and its vertical extent (points from the top)."""

    text: str
    top: float
    bottom: float


@dataclass(frozen=True)
class Heading:
    """A section or subsection as the ``.toc`` records it: level, number, title (LaTeX source) and page."""

    level: str
    number: str
    title: str
    page: int


@dataclass(frozen=True)
class Compiled:
    pdf: Path
    log: str
    headings: list[Heading]
    pages: list[list[Line]]

    def body(self, page: int) -> list[Line]:
        """The lines of a page (1-based) inside the text block: the page number below it is left out."""
        return [ln for ln in self.pages[page - 1] if ln.top < TEXT_BOTTOM]  # the number's top is 20 pt lower

    def fill(self, page: int) -> float:
        """How far down the text block a page's text reaches (0 empty, 1 full)."""
        lines = self.body(page)
        if not lines:
            return 0.0
        return min(1.0, (max(ln.bottom for ln in lines) - TEXT_TOP) / (TEXT_BOTTOM - TEXT_TOP))

    def heading_line(self, h: Heading) -> Line:
        """The line of page ``h.page`` that starts with the heading's number and first word."""

        def key(text: str) -> str:  # letters and digits only: quotes and escapes differ between TeX and PDF
            return re.sub(r"[^A-Za-z0-9]", "", text)

        words = re.sub(r"\\[a-zA-Z]+|\\.|[{}$^]", " ", h.title).split()
        start = key(h.number) + (key(words[0]) if words else "")
        hits = [ln for ln in self.body(h.page) if key(ln.text).startswith(start)]
        assert hits, f"heading {h.number} {h.title!r} not found on page {h.page}"
        return hits[0]


def _headings(toc: str) -> list[Heading]:
    out = []
    for m in re.finditer(r"\\contentsline \{(section|subsection)\}\{\\numberline \{([^}]*)\}(.*)\}\{(\d+)\}", toc):
        out.append(Heading(m.group(1), m.group(2), m.group(3), int(m.group(4))))
    return out


def _pages(pdf: Path) -> list[list[Line]]:
    proc = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, timeout=120, check=True
    )
    # read as text, not XML: math glyphs come out as control characters an XML parser refuses
    rx = re.compile(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>', re.S)
    pages = []
    for page in re.split(r"<page ", proc.stdout)[1:]:
        pieces = []
        for m in rx.finditer(page):
            words = re.findall(r"<word [^>]*>(.*?)</word>", m.group(4), re.S)
            pieces.append((float(m.group(2)), float(m.group(1)), float(m.group(3)), html.unescape(" ".join(words))))
        # pdftotext puts a heading's number and its title in separate blocks: one row per baseline
        rows: list[list[tuple[float, float, float, str]]] = []
        for piece in sorted(pieces):
            if rows and (abs(piece[0] - rows[-1][0][0]) < 1.5 or abs(piece[2] - rows[-1][0][2]) < 1.5):
                rows[-1].append(piece)
            else:
                rows.append([piece])
        pages.append(
            [
                Line(" ".join(p[3] for p in sorted(row, key=lambda p: p[1])), row[0][0], max(p[2] for p in row))
                for row in rows
            ]
        )
    return pages


def text(pdf: Compiled, page: int) -> str:
    """The words of a page (1-based), its lines joined by spaces."""
    return " ".join(line.text for line in pdf.pages[page - 1])


@functools.cache
def compiled() -> Compiled:
    """The generated notes compiled once with latexmk (skipped without LaTeX or poppler, failing in CI)."""
    peers.program("latex", "latexmk", "pdflatex", "pdftotext")
    src = generated("a")
    # a folder of its own: the generated notes stay exactly what the golden tests compare
    work = Path(tempfile.mkdtemp(prefix="symconv-notes-pdf-"))
    shutil.copy(src / "notes.tex", work / "notes.tex")
    shutil.copytree(src / "figures", work / "figures")
    renderers.latexmk(work, "notes.tex")
    log = (work / "notes.log").read_text(encoding="latin-1")
    toc = (work / "notes.toc").read_text(encoding="latin-1")
    return Compiled(work / "notes.pdf", log, _headings(toc), _pages(work / "notes.pdf"))
