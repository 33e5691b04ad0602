"""The PDF of the notes as a reader sees it (issue 13): the short answer on one page, no heading stranded at the
foot of a page, no page left half empty by a figure, every float beside the text that points to it.

The PDF is read with poppler's ``pdftotext`` (``pdf_pages``), the headings' pages from LaTeX's ``.toc`` and the
floats' pages from its ``.aux``; without LaTeX or poppler the tests skip (they fail in CI, where both are peers).
"""

from __future__ import annotations

import re

import pdf_pages
import pytest
from notes_build import generated

#: A page (other than a chapter's last) whose text reaches less far down than this is "left half empty".
MIN_FILL = 0.4
#: Lines of its text a heading keeps below it on its page.
MIN_LINES_AFTER_HEADING = 3


@pytest.fixture(scope="module")
def pdf() -> pdf_pages.Compiled:
    return pdf_pages.compiled()


def _section_pages(pdf: pdf_pages.Compiled) -> dict[str, int]:
    return {h.number: h.page for h in pdf.headings if h.level == "section"}


def test_short_answer_fits_on_its_first_page(pdf):
    """Chapter 0 (with its backward table) is page 1 (a newcomer reads only page 1), and the contents follow."""
    pages = _section_pages(pdf)
    first = pages["0"]
    assert first == 1, f"the short answer starts on page {first}"
    assert pdf.body(2) and pdf.body(2)[0].text.strip() == "Contents", "the short answer runs over page 1"
    # page 1 carries no page number (its text block is enlarged by three lines): every line on it is text
    assert pdf.pages[0][-1].text.strip() != "1", "a page number under the short answer's table"
    text = " ".join(line.text for line in pdf.pages[0])
    assert "valid correlation of x with g" in text  # the last row of its backward table
    assert re.search(r"Table 1: Gradients of", text), "the backward table floated off the short answer's page"


def test_no_heading_is_stranded_at_the_foot_of_a_page(pdf):
    stranded = []
    for h in pdf.headings:
        line = pdf.heading_line(h)
        after = [ln for ln in pdf.body(h.page) if ln.top > line.bottom]
        if len(after) < MIN_LINES_AFTER_HEADING:
            stranded.append(f"{h.number} {h.title} (page {h.page}: {len(after)} lines after it)")
    assert not stranded, stranded


def _chapter_ends(pdf: pdf_pages.Compiled) -> set[int]:
    """Pages after which a chapter opens on a fresh page (its heading is that page's first line), and the last."""
    ends = {len(pdf.pages)}
    for h in pdf.headings:
        if h.level == "section" and pdf.body(h.page) and pdf.body(h.page)[0] == pdf.heading_line(h):
            ends.add(h.page - 1)
    return ends


def test_no_chapter_opens_in_the_last_quarter_of_a_page(pdf):
    """A chapter's heading comes with a quarter page of its text below it, or opens the next page."""
    low = pdf_pages.TEXT_TOP + 0.75 * (pdf_pages.TEXT_BOTTOM - pdf_pages.TEXT_TOP)
    late = [
        f"{h.number} {h.title} (page {h.page})"
        for h in pdf.headings
        if h.level == "section" and pdf.heading_line(h).top > low
    ]
    assert not late, late


def test_map_tables_break_identifiers_only_between_module_names(pdf):
    """In the library map (Tables 17-18) a long name wraps only after a dot: never inside "conv_transpose2d"."""
    captions = r"Table \d+: (What each function computes|Where each function puts the edges)"
    pages = [p for p in range(1, len(pdf.pages) + 1) if re.search(captions, pdf_pages.text(pdf, p))]
    assert pages, "the map tables are not in the PDF"
    broken = [w for p in pages for line in pdf.body(p) for w in line.text.split() if w.endswith("_")]
    assert not broken, broken


def test_no_page_is_left_half_empty(pdf):
    """A figure that does not fit leaves no hole: text flows on (pages that end a chapter may be short)."""
    start = _section_pages(pdf)["0"]
    ends = _chapter_ends(pdf)
    empty = [
        f"page {p}: {pdf.fill(p):.0%} filled"
        for p in range(start, len(pdf.pages) + 1)
        if p not in ends and pdf.fill(p) < MIN_FILL
    ]
    assert not empty, empty


def test_the_last_page_is_not_nearly_empty(pdf):
    assert len(pdf.body(len(pdf.pages))) > 3, [ln.text for ln in pdf.body(len(pdf.pages))]


_POINTER = re.compile(r"(?:\(|; )((?:Figure|Table)s? [\d, and]+)(?=[);])")


def _pointers(text: str) -> list[tuple[str, int]]:
    """``("Figure", 3)`` for every "(Figure 3)", "(Figures 4 and 5)", "(Table 2; Figure 3)" on a page."""
    out = []
    for m in _POINTER.finditer(text):
        kind = m.group(1).split()[0].rstrip("s")
        out += [(kind, int(n)) for n in re.findall(r"\d+", m.group(1))]
    return out


def test_every_float_is_pointed_to_and_set_near_its_text(pdf):
    """Every figure and captioned table is named by number in its text ("… (Figure 3).") and printed near it
    (a table on that page or the next), never after the chapter its text is in ends."""
    aux = (pdf.pdf.parent / "notes.aux").read_text(encoding="latin-1")
    floats = {
        ("Figure" if kind == "fig" else "Table", int(num)): int(page)
        for kind, num, page in re.findall(r"\\newlabel\{(fig|tab):[^}]*\}\{\{(\d+)\}\{(\d+)\}", aux)
    }
    assert floats, "no labelled figure or table in the notes"
    pointed: dict[tuple[str, int], int] = {}
    for page in range(1, len(pdf.pages) + 1):
        text = " ".join(line.text for line in pdf.body(page))
        for ref in _pointers(text):
            pointed.setdefault(ref, page)
    unpointed = sorted(set(floats) - set(pointed))
    assert not unpointed, f"not named by their text: {unpointed}"
    # a table is set on the page of its text or the next; a figure (several may queue up behind each other in a
    # section with many of them: §5.3 has four floats for two thirds of a page of text) at most three pages later
    late = {"Table": 1, "Figure": 3}
    far = {
        f"{k} {n}": (pointed[(k, n)], page)
        for (k, n), page in floats.items()
        if not 0 <= page - pointed[(k, n)] <= late[k]
    }
    assert not far, f"(page of the text, page of the float): {far}"
    chapters = sorted(_section_pages(pdf).values())
    for (kind, num), page in floats.items():
        ref = pointed[(kind, num)]
        nxt = [p for p in chapters if p > ref]
        assert not nxt or page <= nxt[0], f"{kind} {num} (page {page}) left its chapter (text on page {ref})"


def test_no_overfull_line_wider_than_5pt(pdf):
    over = [float(m) for m in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", pdf.log)]
    assert max(over, default=0.0) <= 5, sorted(over)[-5:]


# ---------------------------------------------------------------- the source the PDF is made from


def test_floats_are_not_pinned_where_they_were_declared():
    """[H] keeps a figure where it is declared and leaves the rest of the page empty when it does not fit."""
    tex = (generated("a") / "notes.tex").read_text(encoding="utf-8")
    assert "\\begin{figure}[H]" not in tex
    assert len(re.findall(r"\\begin\{figure\}\[htbp\]", tex)) == tex.count("\\begin{figure}")


def test_library_map_is_tables_a_page_can_hold():
    """The chapter-6 map is split by question: no table of it has more than four columns (it had seven)."""
    md = (generated("a") / "ch6_libraries.md").read_text(encoding="utf-8")
    section = md.split("## The library map", 1)[1].split("\n## ", 1)[0]
    headers = [ln for ln in section.splitlines() if ln.startswith("|---")]
    assert len(headers) >= 2 and all(ln.count("|") - 1 <= 4 for ln in headers), headers


def test_listings_print_straight_quotes(pdf):
    """A snippet copied from the PDF runs: its quotes are ' (U+0027), not typographic ones."""
    text = " ".join(line.text for line in pdf.pages[0])
    assert "np.convolve(f, h, 'valid')" in text, text
