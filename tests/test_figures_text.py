"""Every figure of the notes tells the story of the text around it (issue 13).

Each figure is drawn as the notes draw it (the chapter scripts' own ``Figure`` blocks) and read back from
matplotlib's artists: the labels, the fills and the font sizes a student sees. Checks: the numbers, sizes
and symbols of a figure are the ones of the sentence and the displayed mathematics it illustrates; every
colour drawn is named in the caption and every colour named is drawn; legends describe only what is there;
every label is readable at the printed size and fits its cell.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Any

import numpy as np
import peers
import pytest
from notes_build import REPO

from symconv.writing.notes import PREAMBLE, _load, chapter_paths

FIGURE_CHAPTERS = ("ch1_", "ch4_", "ch5_", "ch6_")
#: The smallest readable size of a label in the PDF, in points.
MIN_PRINTED_PT = 7.0
_LABEL = re.compile(r"\b([A-Za-z])\[([^\]]*)\]")


@functools.cache
def _chapters() -> dict[str, Any]:
    return {p.name: _load(p).build() for p in chapter_paths() if p.name.startswith(FIGURE_CHAPTERS)}


@functools.cache
def _figures() -> dict[str, Any]:
    return {f.name: f for ch in _chapters().values() for f in ch.figures()}


def _chapter(prefix: str) -> Any:
    return next(ch for name, ch in _chapters().items() if name.startswith(prefix))


FIGURE_NAMES = [
    "window_2d",
    "anim_convolution",
    "sliding_window",
    "backward_dx",
    "backward_dw",
    "im2col",
    "stride_dilation",
    "anim_conv2d_s2_p1",
    "stamp",
    "anim_stamp",
    "transposed",
    "same_alignment",
]


def test_the_list_of_figures_is_complete():
    assert sorted(_figures()) == sorted(FIGURE_NAMES)


def _draw(block: Any, frame: int | None = None) -> Any:
    """``block`` drawn into a matplotlib figure of its size (``frame`` of an animation), laid out."""
    peers.module("matplotlib")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from symconv.writing.figures import _mpl

    _mpl()
    fig = Figure(figsize=block.size)
    FigureCanvasAgg(fig)
    (block.draw if frame is None else lambda f: block.frame(f, frame))(fig)
    fig.canvas.draw()
    return fig


def _frames(block: Any) -> list[Any]:
    """The still and, for an animation, every frame."""
    return [_draw(block)] + [_draw(block, i) for i in range(getattr(block, "count", 0))]


@functools.cache
def _notes_frames(name: str) -> list[Any]:
    """:func:`_frames` of the notes' figure ``name`` (drawn once per session; the tests only read them)."""
    return _frames(_figures()[name])


def _texts(fig: Any) -> list[Any]:
    """The texts a reader sees: the figure's, and each axes' labels and titles (the axes are off: no ticks)."""
    texts = list(fig.texts)
    for ax in fig.axes:
        assert not ax.axison, "the figures draw cells, not plots"
        texts += [*ax.texts, ax.title]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _cells(fig: Any) -> list[Any]:
    from matplotlib.patches import Rectangle

    return [p for ax in fig.axes for p in ax.patches if isinstance(p, Rectangle)]


def _printed_scale(block: Any) -> float:
    """How much the PDF scales ``block``: the fraction of ``\\linewidth`` its LaTeX asks for over the figure's
    width — or, with ``keepaspectratio`` and a height bound, the bound over its height if that is smaller. The
    page is the notes' (letter unless a4paper; margins of the preamble's geometry)."""
    tex = block.latex()
    m = re.search(r"\\includegraphics\[([^\]]*)\]", tex)
    assert m, tex
    opts = m.group(1)
    width = re.search(r"width=([\d.]*)\\(?:line|text)width", opts)
    assert width, opts
    margin = re.search(r"margin=([\d.]+)cm", PREAMBLE)
    pad = 2 * float(margin.group(1)) / 2.54 if margin else 2.0
    paper_w, paper_h = (8.27, 11.69) if "a4paper" in PREAMBLE else (8.5, 11.0)
    scale = float(width.group(1) or 1) * (paper_w - pad) / block.size[0]
    height = re.search(r"height=([\d.]*)\\textheight", opts)
    if height and "keepaspectratio" in opts:
        scale = min(scale, float(height.group(1) or 1) * (paper_h - pad) / block.size[1])
    return scale


# --- readability ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_every_label_is_readable_at_the_printed_size(name):
    block = _figures()[name]
    scale = _printed_scale(block)
    fig = _draw(block)
    small = sorted({(round(t.get_fontsize() * scale, 1), t.get_text()) for t in _texts(fig)})[:3]
    assert small[0][0] >= MIN_PRINTED_PT, f"{name}: printed at {scale:.2f}x, smallest labels {small}"


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_every_cell_label_fits_its_cell(name):
    for fig in _notes_frames(name):  # the still and every frame of an animation
        _labels_fit(name, fig)


def _labels_fit(name: str, fig: Any) -> None:
    renderer = fig.canvas.get_renderer()
    boxes = [(c.get_window_extent(renderer), c.axes) for c in _cells(fig)]
    for t in _texts(fig):
        tb = t.get_window_extent(renderer)
        cx, cy = (tb.x0 + tb.x1) / 2, (tb.y0 + tb.y1) / 2
        inside = [b for b, ax in boxes if ax is t.axes and b.x0 < cx < b.x1 and b.y0 < cy < b.y1]
        for b in inside:
            assert tb.width <= b.width + 1 and tb.height <= b.height + 1, (
                f"{name}: label {t.get_text()!r} ({tb.width:.0f}x{tb.height:.0f} px) overflows its cell "
                f"({b.width:.0f}x{b.height:.0f} px)"
            )


# --- colours: every caption names what is drawn, and only that -----------------------------------------


def _fills(figs: list[Any]) -> set[str]:
    from matplotlib.colors import to_hex

    return {to_hex(c.get_facecolor()) for fig in figs for c in _cells(fig)}


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_every_caption_names_exactly_the_colours_drawn(name):
    from symconv.writing.figures import COLOUR_NAMES

    block = _figures()[name]
    drawn = _fills(_notes_frames(name))
    assert drawn <= set(COLOUR_NAMES), f"{name}: a fill without a name: {drawn - set(COLOUR_NAMES)}"
    named = {h for h, colour in COLOUR_NAMES.items() if re.search(rf"\b{colour}:", block.caption)}
    assert named == drawn, (
        f"{name}: drawn but not in the caption: {[COLOUR_NAMES[h] for h in drawn - named]}; "
        f"in the caption but not drawn: {[COLOUR_NAMES[h] for h in named - drawn]}"
    )


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_the_animation_legend_follows_the_padding(padding):
    from symconv.writing.animation import conv2d_animation

    anim = conv2d_animation("a", n=3, k=2, padding=padding)
    frames = _frames(anim)
    words = " ".join(t.get_text() for fig in frames for t in _texts(fig)) + " " + anim.caption
    assert ("zero padding" in words or "padded by" in words) == (padding > 0), words
    grey = {c for c in _fills(frames)} & {"#e0e0e0"}
    assert bool(grey) == (padding > 0)


# --- the figures' data are the text's ---------------------------------------------------------------------


def _rows(ax: Any) -> list[list[str]]:
    """The cell labels of one axes, row by row from the top, left to right."""
    by_y: dict[float, list[tuple[float, str]]] = {}
    for t in ax.texts:
        x, y = t.get_position()
        if t.get_text().strip() and t.get_ha() == "center":
            by_y.setdefault(round(y, 3), []).append((x, t.get_text()))
    return [[s for _, s in sorted(by_y[y])] for y in sorted(by_y, reverse=True)]


def test_the_sliding_window_figure_draws_the_example_it_sits_in():
    ch1 = _load(REPO / "derivations" / "ch1_definitions.py")
    x, w = ch1.EXAMPLE_X, ch1.EXAMPLE_W
    section = next(s for s in _chapter("ch1_").sections if "sliding_window" in [f.name for f in s.figures()])
    text = section.markdown()
    assert f"$x = {x}$" in text and f"$w = {w}$" in text  # the example the section computes
    fig = _draw(_figures()["sliding_window"])
    for ax, oracle in zip(fig.axes, (np.correlate(x, w, "valid"), np.convolve(x, w, "valid"))):
        rows = _rows(ax)
        assert rows[0] == [str(v) for v in x]
        assert rows[-1] == [str(v) for v in oracle]
        assert {int(v.split("= ")[-1]) for v in rows[1]} == set(w)


def _math_terms(md: str, lhs: str) -> set[str]:
    """The products of a displayed sum ``lhs &= a b + c d ...`` in the Markdown, each as sorted factors."""
    line = next(ln for ln in md.splitlines() if ln.startswith(lhs))
    body = line.split("&=", 1)[1].rstrip(" \\")
    return {" ".join(sorted(f"{a}[{b.replace(' ', '')}]" for a, b in _LABEL.findall(t))) for t in body.split(" + ")}


def test_the_2d_window_figure_is_the_expansion_printed_above_it():
    md = _chapter("ch1_").markdown()
    conv = _math_terms(md, "(x \\ast w)[0, 0]")
    trans = _math_terms(md, "(x \\star w^{\\mathsf T})[0, 0]")
    fig = _draw(_figures()["window_2d"])
    panels = []
    for ax in fig.axes:
        products = [t.get_text() for t in ax.texts if "\u00b7" in t.get_text() and "\n" in t.get_text()]
        panels.append({" ".join(sorted(f"{a}[{b}]" for a, b in _LABEL.findall(p))) for p in products})
    assert panels[1] == conv, (panels[1], conv)
    assert panels[2] == trans, (panels[2], trans)


def _bmatrix(md: str, name: str) -> list[list[str]]:
    m = re.search(re.escape(name) + r" &= \\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", md)
    assert m, name
    return [[c.strip().replace(" ", "") for c in row.split("&")] for row in m.group(1).split("\\\\")]


def test_the_im2col_figure_is_the_product_printed_above_it():
    md = _chapter("ch4_").markdown()
    x_col, w_row = _bmatrix(md, "X_{col}"), _bmatrix(md, "W_{row}")
    fig = _draw(_figures()["im2col"])
    labels = Counter(t.get_text() for t in _texts(fig) if _LABEL.fullmatch(t.get_text()))
    xs = Counter(v for row in x_col for v in row)
    assert Counter({k: v for k, v in labels.items() if k.startswith("x[")}) == xs + Counter(set(xs))
    assert Counter({k: v for k, v in labels.items() if k.startswith("w[")}) == Counter(v for r in w_row for v in r)
    ys = {k for k in labels if k.startswith("y[")}
    assert len(ys) == len(w_row) * len(x_col)  # one output per (output channel, output position)


def test_the_transposed_convolution_figures_use_the_chapters_symbol():
    md = _chapter("ch5_").markdown()
    m = re.search(r"\\mathrel\{\+\}= (\w)\[n\]", md)
    assert m, "the scatter formula of the transposed convolution"
    sym = m.group(1)
    assert f"Its input ${sym}$" in md
    for name in ("stamp", "anim_stamp", "transposed"):
        block = _figures()[name]
        words = [t.get_text() for fig in _notes_frames(name) for t in _texts(fig)] + [block.caption]
        operands = {a for w in words for a, _ in _LABEL.findall(w)}
        assert sym in operands and operands <= {sym, "w", "y"}, (name, sorted(operands))


def test_the_same_alignment_figure_gives_the_tables_first_entries():
    from symconv.writing.pictures import SAME_LIBRARIES, same_first_outputs

    ch6 = _load(REPO / "derivations" / "ch6_libraries.py")
    md = _chapter("ch6_").markdown()
    table = dict(re.findall(r"^\| `([^`]+)` \| \[(-?\d+),", md, flags=re.M))
    assert f"$x = {ch6.X}$, $w = {ch6.W}$" in md
    first = same_first_outputs(ch6.LIBRARY_DATA, ch6.X, ch6.W)
    shown = [label for label, _ in SAME_LIBRARIES if label in table]
    assert len(shown) >= 5
    for label in shown:
        assert first[label] == int(table[label]), label
    fig = _draw(_figures()["same_alignment"])
    drawn = [t.get_text() for t in _texts(fig) if t.get_text().startswith("y[0] = ")]
    assert drawn == [f"y[0] = {first[label]}" for label, _ in SAME_LIBRARIES]
    title = fig.axes[0].get_title()
    assert f"x = {ch6.X}" in title and f"w = {ch6.W}" in title


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_no_two_labels_overlap(name):
    for fig in _notes_frames(name):
        renderer = fig.canvas.get_renderer()
        boxes = [(t.get_text(), t.get_window_extent(renderer).shrunk(0.98, 0.9)) for t in _texts(fig)]
        clashes = [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1 :] if ba.overlaps(bb)]
        assert not clashes, f"{name}: overlapping labels {clashes[:3]}"


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_every_label_is_inside_the_figure(name):
    for fig in _notes_frames(name):
        renderer = fig.canvas.get_renderer()
        page = fig.bbox
        for t in _texts(fig):
            b = t.get_window_extent(renderer)
            assert b.x0 >= page.x0 - 1 and b.x1 <= page.x1 + 1 and b.y0 >= page.y0 - 1 and b.y1 <= page.y1 + 1, (
                f"{name}: {t.get_text()!r} is cut off at the figure's edge"
            )
