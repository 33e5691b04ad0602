r"""Animated figures of the course notes (Dumoulin & Visin style), as GIF with a still frame for the PDF.

An :class:`Animation` is a :class:`~symconv.writing.document.Figure` block:
the Markdown/HTML edition shows ``figures/<name>.gif``, the LaTeX edition
the still frame ``figures/<name>.pdf`` (also saved as ``.svg``). The frames
read the windows from the operation's contraction
(:func:`symconv.core.formula.forward` / :func:`~symconv.core.formula.transpose`
through :func:`symconv.writing.figures.window_pairs`), never from hand-typed
coordinates. GIF bytes are deterministic: the frames are rasterised by Agg
and encoded by Pillow with no timestamps.

>>> frames = conv2d_windows(5, 3, stride=2, padding=1)
>>> len(frames), frames[1][0], frames[1][1][(0, 2)], frames[1][1][(2, 4)]
(9, (0, 1), (0, 0), (2, 2))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from symconv.core.errors import SymconvError
from symconv.core.formula import ConvSpec, forward, transpose
from symconv.writing.document import Figure, RenderContext
from symconv.writing.figures import _FILL, _cell, _mpl, legend, save_figure, window_pairs

__all__ = [
    "STAMP_LEGEND",
    "Animation",
    "conv2d_animation",
    "conv2d_legend",
    "conv2d_windows",
    "save_animation",
    "stamp_animation",
]

#: Frames per second of the GIFs; the last frame is held for ``_HOLD`` frames.
FPS = 2
_HOLD = 3
_DPI = 100


@dataclass(frozen=True)
class Animation(Figure):
    """A figure with frames: ``frame(fig, i)`` draws frame ``i`` of ``count``; ``draw`` is the still (for the PDF).

    Markdown shows the GIF, LaTeX the still frame; :func:`save_animation` writes both.
    """

    frame: Callable[[Any, int], None] = field(default=lambda fig, i: None, compare=False)
    count: int = 1

    def markdown(self, ctx: RenderContext | None = None) -> str:
        d = (ctx or RenderContext()).figure_dir
        return f"![{self.caption}]({d}/{self.name}.gif)\n\n*Figure (animated): {self.caption}*"


def save_animation(anim: Animation, path_stem: Path) -> list[Path]:
    """Write ``path_stem``.gif (every frame) and the still frame as .svg and .pdf; returns the files."""
    Fig = _mpl()
    from matplotlib.animation import PillowWriter

    if anim.count < 1:
        raise SymconvError(f"notes: animation `count` must be at least 1; got {anim.count}")
    gif = path_stem.with_suffix(".gif")
    fig = Fig(figsize=anim.size)
    writer = _writer(PillowWriter)(fps=FPS)
    with writer.saving(fig, str(gif), _DPI):
        for i in [*range(anim.count), *([anim.count - 1] * _HOLD)]:
            fig.clear()
            anim.frame(fig, i)
            writer.grab_frame(facecolor="white")
    return [gif, *save_figure(anim.draw, anim.size, path_stem)]


def gif_producer() -> str:
    """The software that rasterises and encodes the GIFs, written into each GIF as its comment."""
    import matplotlib
    import PIL

    return f"symconv figure; Matplotlib v{matplotlib.__version__}, Pillow v{PIL.__version__}"


def _writer(base: Any) -> Any:
    class _Writer(base):  # type: ignore[misc,valid-type]
        """PillowWriter that names the drawing software in the GIF (so a comparison knows who drew it)."""

        def finish(self) -> None:
            self._frames[0].save(
                self.outfile,
                save_all=True,
                append_images=self._frames[1:],
                duration=int(1000 / self.fps),
                loop=0,
                comment=gif_producer(),
            )

    return _Writer


Window = tuple[tuple[int, int], dict[tuple[int, int], tuple[int, int]]]


def conv2d_windows(n: int, k: int, *, stride: int = 1, padding: int = 0, flip: bool = False) -> list[Window]:
    """Per output position ``(i, j)`` (row-major): padded input cell → kernel tap ``(a, b)`` it meets.

    Padded coordinates: input entry ``x[r, c]`` sits at ``(r + padding, c + padding)``. The windows come
    from the formula on the padded input (zero padding only adds the zero cells around it).
    """
    size = n + 2 * padding
    if size < k:
        raise SymconvError(f"notes: the padded input ({size}) must be at least the kernel ({k})")
    spec = ConvSpec(input_size=(size, size), kernel_size=(k, k), stride=(stride, stride), flip=flip)
    c = forward(spec)[0]
    wo = int(c.result.shape[1])
    out: list[Window] = []
    pairs = window_pairs(c)
    for r in sorted(pairs):
        cells = {divmod(i, size): divmod(j, k) for i, j in pairs[r]}
        out.append((divmod(r, wo), cells))
    return out


def _box(ax: Any, width: float, height: float) -> None:
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(-0.2, height + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")


def conv2d_legend(padding: int) -> str:
    """The colour key of :func:`conv2d_animation`, naming only what its frames draw (grey only with padding).

    >>> "padding" in conv2d_legend(0), "grey: zero padding" in conv2d_legend(1)
    (False, True)
    """
    meaning = {"x": "entries of $x$", "hit": "the window of the current output, each cell naming the tap it meets"}
    if padding:
        meaning["zero"] = "zero padding"
    meaning |= {"now": "the current output", "y": "outputs already computed", "blank": "outputs still to come"}
    return legend(meaning)


def conv2d_animation(
    name: str, n: int = 5, k: int = 3, *, stride: int = 1, padding: int = 0, flip: bool = False, caption: str = ""
) -> Animation:
    """The kernel sliding over a padded ``n×n`` input (left), filling the output (right), one frame per output.

    Each covered cell names the kernel tap it meets, so the convolution (``flip=True``) visibly reads
    the kernel rotated by 180°. The still frame (PDF) is the second output position. The caption ends
    with the colour key of :func:`conv2d_legend` (zero padding named only when there is some).
    """
    windows = conv2d_windows(n, k, stride=stride, padding=padding, flip=flip)
    size = n + 2 * padding
    ho = max(p[0] for p, _ in windows) + 1
    wo = max(p[1] for p, _ in windows) + 1
    op = "convolution (kernel rotated 180\u00b0)" if flip else "cross-correlation"
    title = f"{op}: N = {n}, K = {k}, stride {stride}, padding {padding} \u2192 {ho}\u00d7{wo}"
    panel = f"input {n}\u00d7{n}" + (f", padded by {padding}" if padding else "")

    def frame(fig: Any, t: int) -> None:
        (oi, oj), cells = windows[t]
        ax0, ax1 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [size, max(wo, 2)]})
        fig.suptitle(title, fontsize=10)
        _box(ax0, size, size)
        ax0.set_title(panel, fontsize=9)
        for r in range(size):
            for c in range(size):
                pad = not (padding <= r < n + padding and padding <= c < n + padding)
                tap = cells.get((r, c))
                label = f"w[{tap[0]},{tap[1]}]" if tap else ""
                color = _FILL["hit"] if tap else (_FILL["zero"] if pad else _FILL["x"])
                _cell(ax0, c, size - 1 - r, label, color, edge="#999999" if pad else "#333333")
        _box(ax1, max(wo, 2), size)
        ax1.set_title(f"output y[{oi},{oj}]", fontsize=9)
        for i in range(ho):
            for j in range(wo):
                done = (i, j) <= (oi, oj)
                color = _FILL["y"] if done else _FILL["blank"]
                if (i, j) == (oi, oj):
                    color = _FILL["now"]
                _cell(ax1, j, size - 1 - i, f"y[{i},{j}]" if done else "", color)
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=1 - 0.75 / height, wspace=0.08)

    height = 0.5 * size + 0.9
    return Animation(
        name=name,
        caption=f"{(caption or title).rstrip('.')}. Colours: {conv2d_legend(padding)}.",
        draw=lambda fig: frame(fig, min(1, len(windows) - 1)),
        size=(6.4, height),
        frame=frame,
        count=len(windows),
    )


#: The colour key of :func:`stamp_animation` (its still frame is the last one: every stamp placed).
STAMP_LEGEND = legend(
    {
        "new": "the stamp $g[n]\\,w$ added in this frame",
        "w": "stamps added before",
        "blank": "no term",
        "y": "the number of terms each output $y[m]$ has so far",
    }
)


def stamp_animation(name: str, n: int = 3, k: int = 3, *, stride: int = 2, caption: str = "") -> Animation:
    """The transposed convolution of ``g`` as stamps: frame ``t`` adds ``g[t]·w`` at ``stride·t``; overlaps sum.

    ``g`` is the notes' name of the transposed convolution's input (the upstream gradient of chapter 4).
    The still frame (PDF) is the last one (every stamp placed).
    """
    c = transpose(ConvSpec(input_size=(n,), kernel_size=(k,), stride=(stride,)))[0]
    m_out = int(c.result.shape[0])
    rows: dict[int, dict[int, int]] = {i: {} for i in range(n)}
    for m, pairs in window_pairs(c).items():
        for i, tap in pairs:
            rows[i][m] = tap
    title = f"conv_transpose (stride {stride}, K = {k}): each g[n] adds g[n]\u00b7w at {stride}n; overlaps add"

    def frame(fig: Any, t: int) -> None:
        ax = fig.subplots(1, 1)
        ax.set_xlim(-2.2, m_out + 0.2)
        ax.set_ylim(-1.6, n + 1.2)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title, fontsize=10)
        ax.text(-0.2, n + 0.5, "m =", ha="right", va="center", fontsize=9)
        for m in range(m_out):
            ax.text(m + 0.5, n + 0.5, str(m), ha="center", va="center", fontsize=9)
        for i in range(n):
            yy = n - 1 - i
            ax.text(-0.2, yy + 0.5, f"g[{i}]\u00b7w", ha="right", va="center", fontsize=9)
            for m in range(m_out):
                tap = rows[i].get(m) if i <= t else None
                fill = (_FILL["new"] if i == t else _FILL["w"]) if tap is not None else _FILL["blank"]
                _cell(ax, m, yy, "" if tap is None else f"g[{i}]\nw[{tap}]", fill)
        ax.text(-0.2, -0.9, "terms of y[m]", ha="right", va="center", fontsize=9)
        for m in range(m_out):
            got = [i for i in range(min(t, n - 1) + 1) if m in rows[i]]
            _cell(ax, m, -1.4, str(len(got)) if got else "", _FILL["y"] if got else _FILL["blank"])
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.88)

    return Animation(
        name=name,
        caption=f"{(caption or title).rstrip('.')}. Colours: {STAMP_LEGEND}.",
        draw=lambda fig: frame(fig, n - 1),
        size=(6.4, 0.5 * (n + 2.8) + 0.5),
        frame=frame,
        count=n,
    )
