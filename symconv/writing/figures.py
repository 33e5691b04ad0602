"""Figures of the course notes, drawn from the operations' terms.

Every picture reads which input entry meets which kernel tap from
:func:`symconv.engines.terms.iter_terms` on the operation's contraction, so a
figure cannot disagree with the formula. matplotlib is an optional
dependency (the ``docs`` extra) and is imported only when a figure is saved.

>>> sorted(window_pairs(forward(ConvSpec(input_size=(5,), kernel_size=(2,), flip=True))[0])[1])
[(1, 1), (2, 0)]
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, ConvSpec, forward, transpose
from symconv.engines.terms import iter_terms

__all__ = [
    "COLOUR_NAMES",
    "FONT_MIN",
    "backward_dw",
    "backward_dx",
    "legend",
    "save_figure",
    "sliding_window",
    "stride_dilation",
    "transposed",
    "window_pairs",
]


def window_pairs(c: Contraction) -> dict[int, list[tuple[int, int]]]:
    """Per output position: the (input position, kernel position) pairs of the contraction."""
    names = [f.operand for f in c.factors]
    xi, wi = names.index("x"), names.index("w")
    out: dict[int, list[tuple[int, int]]] = {}
    for t in iter_terms(c):
        for r, i, j in zip(t.result.tolist(), t.factors[xi].tolist(), t.factors[wi].tolist()):
            out.setdefault(r, []).append((i, j))
    return out


def _mpl() -> Any:
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the install
        raise SymconvError(
            "notes: figures need matplotlib (pip install 'symconv[docs]'); it is not installed"
        ) from None
    matplotlib.rcParams["svg.hashsalt"] = "symconv"
    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["pdf.fonttype"] = 42
    matplotlib.rcParams["font.family"] = "DejaVu Sans"
    return Figure


def save_figure(draw: Callable[[Any], None], size: tuple[float, float], path_stem: Path) -> list[Path]:
    """Draw into a new figure and save ``path_stem``.svg and .pdf deterministically (an unchanged figure is
    copied from the cache of :mod:`symconv.writing.figcache`, byte for byte)."""
    from symconv.writing.figcache import cached_save

    return cached_save(draw, size, path_stem, _draw_and_save)


def _draw_and_save(draw: Callable[[Any], None], size: tuple[float, float], path_stem: Path) -> list[Path]:
    Figure = _mpl()
    fig = Figure(figsize=size)
    draw(fig)
    svg, pdf = path_stem.with_suffix(".svg"), path_stem.with_suffix(".pdf")
    fig.savefig(svg, format="svg", metadata={"Date": None})
    # PDF font subsetting depends on fontTools too: name both versions, so a byte comparison knows
    # whether the same software drew the committed figure
    fig.savefig(pdf, format="pdf", metadata={"CreationDate": None, "ModDate": None, "Producer": _producer()})
    return [svg, pdf]


def _producer() -> str:
    import fontTools
    import matplotlib

    return f"Matplotlib pdf backend v{matplotlib.__version__}, fontTools v{fontTools.version}"


#: The fills of the cells, by role; every caption names the colours its figure draws (:func:`legend`).
_FILL = {
    "x": "#dbe9f6",
    "hit": "#6baed6",
    "w": "#fde2c4",
    "new": "#fdae6b",
    "zero": "#e0e0e0",
    "y": "#d9f0d3",
    "now": "#74c476",
    "blank": "#ffffff",
}

#: What a reader calls each fill (no name is part of another, so a caption names each one unambiguously).
COLOUR_NAMES = {
    "#dbe9f6": "light blue",
    "#6baed6": "dark blue",
    "#fde2c4": "light orange",
    "#fdae6b": "dark orange",
    "#e0e0e0": "grey",
    "#d9f0d3": "light green",
    "#74c476": "dark green",
    "#ffffff": "white",
}

#: Smallest font of any figure, in points at the figure's own size; the figures are drawn at about the
#: printed width (the PDF's text width), so this is the printed size too (tests check it per figure).
FONT_MIN = 8


def legend(meaning: dict[str, str]) -> str:
    """A caption's colour key: ``{fill role: meaning}`` → ``"light blue: ...; dark blue: ..."``.

    >>> legend({"x": "entries of $x$", "hit": "the window"})
    'light blue: entries of $x$; dark blue: the window'
    """
    unknown = sorted(set(meaning) - set(_FILL))
    if unknown:
        raise SymconvError(f"figures: `meaning` names no fill of the figures: {unknown}; fills are {sorted(_FILL)}")
    return "; ".join(f"{COLOUR_NAMES[_FILL[role]]}: {text}" for role, text in meaning.items())


def _cell(
    ax: Any, x: float, y: float, label: str, color: str, *, edge: str = "#333333", fontsize: float = FONT_MIN
) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=color, edgecolor=edge, linewidth=1))
    ax.text(x + 0.5, y + 0.5, label, ha="center", va="center", fontsize=fontsize, linespacing=0.9)


def _frame(ax: Any, width: float, height: float, title: str) -> None:
    ax.set_xlim(-2.2, width + 0.5)
    ax.set_ylim(-0.3, height + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def sliding_window(x: list[int], w: list[int], n: int) -> Callable[[Any], None]:
    """Correlation vs convolution at output ``n``: the kernel as read (flipped for convolution)."""

    def draw(fig: Any) -> None:
        axes = fig.subplots(1, 2)
        for ax, flip in zip(axes, (False, True)):
            spec = ConvSpec(input_size=(len(x),), kernel_size=(len(w),), flip=flip)
            c = forward(spec)[0]
            pairs = dict(window_pairs(c)[n])
            ys = [sum(x[i] * w[j] for i, j in window_pairs(c)[r]) for r in sorted(window_pairs(c))]
            _frame(ax, len(x), 3.2, ("convolution  x * w" if flip else "cross-correlation  x \u22c6 w") + f",  n = {n}")
            ax.text(-0.2, 2.7, "x", ha="right", va="center", fontsize=10)
            ax.text(-0.2, 1.5, "w read", ha="right", va="center", fontsize=9)
            ax.text(-0.2, 0.3, "y", ha="right", va="center", fontsize=10)
            for i, v in enumerate(x):
                _cell(ax, i, 2.2, str(v), _FILL["hit"] if i in pairs else _FILL["x"])
            for i, j in pairs.items():
                _cell(ax, i, 1.0, f"w[{j}]\n= {w[j]}", _FILL["w"])
            for r, v in enumerate(ys):
                _cell(ax, r, -0.2, str(v), _FILL["y"] if r == n else _FILL["blank"])
        fig.tight_layout()

    return draw


def stride_dilation(n_in: int, k: int, s: int, d: int) -> Callable[[Any], None]:
    """One row per output: the input cells read with stride ``s`` and dilation ``d``."""

    def draw(fig: Any) -> None:
        ax = fig.subplots(1, 1)
        spec = ConvSpec(input_size=(n_in,), kernel_size=(k,), stride=(s,), dilation=(d,))
        pairs = window_pairs(forward(spec)[0])
        rows = len(pairs)
        _frame(
            ax,
            n_in,
            rows + 1.2,
            f"stride $s = {s}$, dilation $d = {d}$, $K = {k}$: span $d(K-1)+1 = {d * (k - 1) + 1}$",
        )
        ax.text(-0.2, rows + 0.6, "x[i], i =", ha="right", va="center", fontsize=9)
        for i in range(n_in):
            ax.text(i + 0.5, rows + 0.6, str(i), ha="center", va="center", fontsize=FONT_MIN)
        for r in sorted(pairs):
            yy = rows - 1 - r
            ax.text(-0.2, yy + 0.5, f"y[{r}]", ha="right", va="center", fontsize=9)
            used = dict(pairs[r])
            for i in range(n_in):
                _cell(ax, i, yy, f"w[{used[i]}]" if i in used else "", _FILL["w"] if i in used else _FILL["zero"])
        fig.tight_layout()

    return draw


def transposed(n_in: int, k: int, s: int) -> Callable[[Any], None]:
    """Transposed convolution of ``g`` (the notes' name for its input) as a direct correlation: zero-inserted
    ``g``, rotated kernel."""

    def draw(fig: Any) -> None:
        ax = fig.subplots(1, 1)
        spec = ConvSpec(input_size=(n_in,), kernel_size=(k,), stride=(s,))
        c = transpose(spec)[0]
        pairs = window_pairs(c)  # output m -> (position n of g, kernel tap k)
        m_out = int(c.result.shape[0])
        pad = k - 1
        z_len = (n_in - 1) * s + 1 + 2 * pad
        rows = m_out
        _frame(
            ax,
            z_len,
            rows + 1.4,
            f"conv_transpose of $g$ ($s = {s}$, $K = {k}$, $d = 1$, $p = 0$): insert $s-1$ zeros,\n"
            f"pad $d(K-1)-p = {pad}$ on both sides, read $w$ rotated 180\u00b0",
        )
        for p in range(z_len):
            q = p - pad
            is_x = q >= 0 and q % s == 0 and q // s < n_in
            _cell(ax, p, rows + 0.2, f"g[{q // s}]" if is_x else "0", _FILL["x"] if is_x else _FILL["zero"])
        for m in range(m_out):
            yy = rows - 1 - m
            ax.text(-0.2, yy + 0.5, f"y[{m}]", ha="right", va="center", fontsize=9)
            taps = {pad + nn * s: kk for nn, kk in pairs.get(m, [])}
            for t in range(k):
                p = m + t
                label = f"w[{k - 1 - t}]"
                _cell(ax, p, yy, label, _FILL["w"] if p in taps else _FILL["zero"])
                if p in taps and taps[p] != k - 1 - t:
                    raise SymconvError("figures: the transposed picture disagrees with the formula")
        fig.tight_layout()

    return draw


def _grid(
    title: str, rows: int, cols: int, label: Callable[[int, int], str], rname: str, cname: str
) -> Callable[[Any], None]:
    def draw(fig: Any) -> None:
        ax = fig.subplots(1, 1)
        _frame(ax, cols, rows + 1.2, title)
        for j in range(cols):
            ax.text(j + 0.5, rows + 0.6, f"{cname}[{j}]", ha="center", va="center", fontsize=FONT_MIN)
        for r in range(rows):
            yy = rows - 1 - r
            ax.text(-0.2, yy + 0.5, f"{rname}[{r}]", ha="right", va="center", fontsize=9)
            for j in range(cols):
                lab = label(r, j)
                _cell(ax, j, yy, lab, _FILL["w"] if lab else _FILL["zero"])
        fig.tight_layout()

    return draw


def backward_dx(n_in: int, k: int) -> Callable[[Any], None]:
    """dL/dx[m] = Σ_n g[n] w[m - n]: row m of Cᵀ reads g through the flipped kernel."""
    pairs = window_pairs(forward(ConvSpec(input_size=(n_in,), kernel_size=(k,)))[0])
    table = {(i, r): j for r, ps in pairs.items() for i, j in ps}
    return _grid(
        r"$\partial L/\partial x[m] = \sum_n g[n]\, w[m-n]$  (full convolution of g with w)",
        n_in,
        len(pairs),
        lambda m, n: f"w[{table[(m, n)]}]" if (m, n) in table else "",
        "\u2202L/\u2202x",
        "g",
    )


def backward_dw(n_in: int, k: int) -> Callable[[Any], None]:
    """dL/dw[k] = Σ_n g[n] x[n + k]: row k reads x through a window of g, no flip."""
    pairs = window_pairs(forward(ConvSpec(input_size=(n_in,), kernel_size=(k,)))[0])
    table = {(j, r): i for r, ps in pairs.items() for i, j in ps}
    return _grid(
        r"$\partial L/\partial w[k] = \sum_n g[n]\, x[n+k]$  (valid correlation of x with g: no flip)",
        k,
        len(pairs),
        lambda kk, n: f"x[{table[(kk, n)]}]" if (kk, n) in table else "",
        "\u2202L/\u2202w",
        "g",
    )
