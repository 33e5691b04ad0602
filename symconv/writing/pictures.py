r"""More figures of the course notes: 2-D windows, im2col, the transposed "stamp", 'same' alignment.

Like :mod:`symconv.writing.figures`, every picture reads which input entry
meets which kernel tap from the operation's contraction
(:func:`symconv.writing.figures.window_pairs` over
:func:`symconv.core.formula.forward` / :func:`~symconv.core.formula.transpose`),
never from hand-typed coordinates; each function returns ``draw(fig)`` for
:func:`~symconv.writing.figures.save_figure` or a
:class:`~symconv.writing.document.Figure` block.

The 2-D convolution reads the kernel rotated by 180°, not transposed:

>>> taps_2d((3, 3), (2, 2), (0, 0), flip=True)
[[(1, 1), (1, 0)], [(0, 1), (0, 0)]]
>>> taps_2d((3, 3), (2, 2), (0, 0), flip=False)
[[(0, 0), (0, 1)], [(1, 0), (1, 1)]]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symconv.core.errors import SymconvError
from symconv.core.formula import ConvSpec, forward, transpose
from symconv.writing.figures import _FILL, _cell, window_pairs

__all__ = [
    "SAME_LIBRARIES",
    "im2col",
    "im2col_matrix",
    "same_alignment",
    "same_padding",
    "stamp",
    "stamp_rows",
    "taps_2d",
    "window_2d",
]


def taps_2d(
    size: tuple[int, int], kernel: tuple[int, int], out: tuple[int, int], *, flip: bool
) -> list[list[tuple[int, int]]]:
    """The kernel tap ``(a, b)`` read at each window cell ``(i, j)`` of output ``out`` (rows of the window)."""
    spec = ConvSpec(input_size=size, kernel_size=kernel, flip=flip)
    c = forward(spec)[0]
    wo = int(c.result.shape[1])
    pairs = dict(window_pairs(c)[out[0] * wo + out[1]])
    kw = kernel[1]
    cells = {divmod(i, size[1]): divmod(j, kw) for i, j in pairs.items()}
    top, left = min(cells)
    return [[cells[(top + a, left + b)] for b in range(kernel[1])] for a in range(kernel[0])]


def _label(tap: tuple[int, int]) -> str:
    return f"w[{tap[0]},{tap[1]}]"


def window_2d(x: Sequence[Sequence[int]], w: Sequence[Sequence[int]], out: tuple[int, int]) -> Callable[[Any], None]:
    """Three panels at output ``out``: correlation reads ``w``, convolution ``rot180(w)`` — not ``wᵀ``.

    The first two panels come from the formula (``flip`` False / True); the third is the correlation with
    the transposed kernel, shown crossed out where it differs from the convolution.
    """
    h, wd = len(x), len(x[0])
    kh, kw = len(w), len(w[0])
    if kh != kw:
        raise SymconvError(f"figures: `w` must be square to compare rot180 with the transpose; got {kh}x{kw}")
    wt = [[w[b][a] for b in range(kh)] for a in range(kw)]
    corr = taps_2d((h, wd), (kh, kw), out, flip=False)
    conv = taps_2d((h, wd), (kh, kw), out, flip=True)
    trans = [[(b, a) for (a, b) in row] for row in corr]  # correlation with wᵀ reads wᵀ[a,b] = w[b,a]

    def total(taps: list[list[tuple[int, int]]], ker: Sequence[Sequence[int]]) -> int:
        return sum(x[out[0] + a][out[1] + b] * ker[taps[a][b][0]][taps[a][b][1]] for a in range(kh) for b in range(kw))

    panels = [
        ("cross-correlation  x \u22c6 w\nreads w as stored", corr, total(corr, w)),
        ("convolution  x * w\nreads w rotated 180\u00b0", conv, total(conv, w)),
        ("NOT the transpose\nx \u22c6 w\u1d40 reads w[b,a]", trans, total(corr, wt)),
    ]

    def draw(fig: Any) -> None:
        axes = fig.subplots(1, 3)
        fig.suptitle(f"x is {h}\u00d7{wd}, w = {[list(r) for r in w]}; the window of y[{out[0]},{out[1]}]", fontsize=9)
        for ax, (title, taps, value) in zip(axes, panels):
            ax.set_xlim(-0.3, wd + 0.3)
            ax.set_ylim(-1.4, h + 0.3)
            ax.set_aspect("equal")
            ax.axis("off")
            ax.set_title(title, fontsize=9)
            for i in range(h):
                for j in range(wd):
                    a, b = i - out[0], j - out[1]
                    inside = 0 <= a < kh and 0 <= b < kw
                    label = f"{x[i][j]}" + ("\n\u00b7" + _label(taps[a][b]) if inside else "")
                    _cell(ax, j, h - 1 - i, label, _FILL["hit"] if inside else _FILL["x"])
            wrong = taps is trans and trans != conv
            ax.text(
                wd / 2,
                -0.8,
                f"y[{out[0]},{out[1]}] = {value}" + ("  (\u2260 convolution)" if wrong else ""),
                ha="center",
                va="center",
                fontsize=9,
                color="#b2182b" if wrong else "black",
            )
        fig.tight_layout()

    return draw


def im2col_matrix(
    size: tuple[int, int], kernel: tuple[int, int], c_in: int, c_out: int = 1
) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]], dict[tuple[int, int], tuple[int, int, int]]]:
    """The im2col view of a multi-channel correlation, read from the formula.

    Returns the output positions (rows), the weight taps ``(c, a, b)`` (columns) and, per (row, column),
    the input entry ``(c, i, j)`` it multiplies: ``y[o, n] = Σ_col W[o, col] · X_col[n, col]``.

    >>> rows, cols, cell = im2col_matrix((3, 3), (2, 2), 2)
    >>> len(rows), len(cols), cell[(1, 5)]
    (4, 8, (1, 0, 2))
    """
    spec = ConvSpec(input_size=size, kernel_size=kernel, channels=(c_in, c_out))
    c = forward(spec)[0]
    x_shape = tuple(int(e) for e in c.operand("x").shape)
    w_shape = tuple(int(e) for e in c.operand("w").shape)
    y_shape = tuple(int(e) for e in c.result.shape)
    rows = [(int(i), int(j)) for i, j in np.ndindex(*y_shape[-2:])]
    cols = [(int(ch), int(a), int(b)) for ch, a, b in np.ndindex(c_in, *kernel)]
    cell: dict[tuple[int, int], tuple[int, int, int]] = {}
    for r, pairs in window_pairs(c).items():
        o, *pos = np.unravel_index(r, y_shape)
        if int(o) != 0:
            continue
        for i, j in pairs:
            xc = tuple(int(v) for v in np.unravel_index(i, x_shape))
            wc = tuple(int(v) for v in np.unravel_index(j, w_shape))
            cell[(rows.index((int(pos[0]), int(pos[1]))), cols.index((wc[1], wc[2], wc[3])))] = (xc[0], xc[1], xc[2])
    return rows, cols, cell


def im2col(size: tuple[int, int], kernel: tuple[int, int], c_in: int, out: tuple[int, int]) -> Callable[[Any], None]:
    """Left: the input volume (``c_in`` channels) with the receptive field of ``out``; right: im2col.

    Each row of the im2col matrix is one output position's receptive field, flattened over
    (channel, kernel row, kernel column); the convolution layer is that matrix times the flattened
    weights of each output channel.
    """
    rows, cols, cell = im2col_matrix(size, kernel, c_in)
    h, wd = size
    hit_row = rows.index(out)
    field = {cell[(hit_row, k)] for k in range(len(cols))}

    def draw(fig: Any) -> None:
        ax0, ax1 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [c_in * (wd + 0.8), len(cols) + 1.8]})
        ax0.set_aspect("equal")
        ax0.axis("off")
        ax0.set_title(f"input volume: {c_in} channels \u00d7 {h} \u00d7 {wd}", fontsize=9)
        gap = wd + 0.8
        for ch in range(c_in):
            ax0.text(ch * gap + wd / 2, h + 0.3, f"channel {ch}", ha="center", va="bottom", fontsize=8)
            for i in range(h):
                for j in range(wd):
                    lab = f"x[{ch},{i},{j}]"
                    _cell(ax0, j + ch * gap, h - 1 - i, lab, _FILL["hit"] if (ch, i, j) in field else _FILL["x"])
        ax0.set_xlim(-0.3, gap * c_in)
        ax0.set_ylim(-0.3, h + 1.0)
        ax1.set_aspect("equal")
        ax1.axis("off")
        ax1.set_title(
            "im2col: one row per output position, one column per tap w[c,a,b];\n"
            "cell (c, i, j) is the entry x[c,i,j] it multiplies; y = X_col \u00b7 vec(w)",
            fontsize=9,
        )
        n_r, n_c = len(rows), len(cols)
        for k, (ch, a, b) in enumerate(cols):
            ax1.text(k + 0.5, n_r + 0.4, f"w[{ch},{a},{b}]", ha="center", va="bottom", fontsize=6, rotation=60)
        for r, (i, j) in enumerate(rows):
            yy = n_r - 1 - r
            ax1.text(-0.2, yy + 0.5, f"y[{i},{j}]", ha="right", va="center", fontsize=8)
            for k in range(n_c):
                ch, ii, jj = cell[(r, k)]
                _cell(ax1, k, yy, f"{ch},{ii},{jj}", _FILL["hit"] if r == hit_row else _FILL["x"])
        ax1.set_xlim(-1.6, n_c + 0.2)
        ax1.set_ylim(-0.3, n_r + 1.8)
        fig.tight_layout()

    return draw


def stamp_rows(n_in: int, k: int, s: int) -> tuple[int, dict[int, dict[int, int]]]:
    """The transposed convolution as stamps: per input ``n``, output position ``m`` → kernel tap.

    >>> stamp_rows(3, 3, 2)
    (7, {0: {0: 0, 1: 1, 2: 2}, 1: {2: 0, 3: 1, 4: 2}, 2: {4: 0, 5: 1, 6: 2}})
    """
    c = transpose(ConvSpec(input_size=(n_in,), kernel_size=(k,), stride=(s,)))[0]
    m_out = int(c.result.shape[0])
    rows: dict[int, dict[int, int]] = {n: {} for n in range(n_in)}
    for m, pairs in window_pairs(c).items():
        for n, tap in pairs:
            rows[n][m] = tap
    return m_out, {n: dict(sorted(r.items())) for n, r in rows.items()}


def stamp(n_in: int, k: int, s: int) -> Callable[[Any], None]:
    """The "stamp" (scatter) view: each ``x[n]`` adds ``x[n]·w`` at offset ``s·n``; overlaps sum."""
    m_out, rows = stamp_rows(n_in, k, s)

    def draw(fig: Any) -> None:
        ax = fig.subplots(1, 1)
        height = n_in + 1.6
        ax.set_xlim(-2.4, m_out + 0.3)
        ax.set_ylim(-1.3, height)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(
            f"conv_transpose as stamps: x[n] \u00b7 w placed at s\u00b7n (s = {s}, K = {k}); overlaps add",
            fontsize=10,
        )
        for m in range(m_out):
            ax.text(m + 0.5, n_in + 0.5, str(m), ha="center", va="center", fontsize=8)
        for n in range(n_in):
            yy = n_in - 1 - n
            ax.text(-0.2, yy + 0.5, f"x[{n}] \u00b7 w", ha="right", va="center", fontsize=9)
            for m in range(m_out):
                tap = rows[n].get(m)
                _cell(ax, m, yy, "" if tap is None else f"x[{n}]\nw[{tap}]", _FILL["w"] if tap is not None else "white")
        ax.text(-0.2, -0.6, "terms of y[m]", ha="right", va="center", fontsize=9)
        for m in range(m_out):
            hits = sum(1 for n in range(n_in) if m in rows[n])
            _cell(ax, m, -1.1, str(hits), _FILL["y"])
        fig.tight_layout()

    return draw


#: The rows of the 'same' picture: (label, function recorded in derivations/data/library_conventions.json).
SAME_LIBRARIES = (
    ("numpy.correlate", "numpy.correlate"),
    ("numpy.convolve", "numpy.convolve"),
    ("scipy.signal.correlate", "scipy.signal.correlate"),
    ("scipy.signal.correlate2d", "scipy.signal.correlate2d"),
    ("scipy.ndimage.correlate", "scipy.ndimage.correlate"),
    ("scipy.ndimage.convolve", "scipy.ndimage.convolve"),
    ("torch conv1d(padding='same')", "torch.nn.functional.conv1d"),
    ("tf.nn.conv1d 'SAME'", "tensorflow.nn.conv1d"),
)


def same_padding(row: dict[str, Any], k: int) -> tuple[int, int]:
    """``(lo, hi)`` of a recorded library row's 'same' for an (even) kernel of size ``k``.

    >>> same_padding({"function": "f", "same_even_kernel": "extra zero at the END"}, 4)
    (1, 2)
    """
    side = str(row.get("same_even_kernel", ""))
    total = k - 1
    if side.endswith("start"):
        return total - total // 2, total // 2
    if side.endswith("END"):
        return total // 2, total - total // 2
    raise SymconvError(f"figures: {row.get('function')} records no 'same' alignment; got {side!r}")


def _library_rows(data: Path) -> dict[str, dict[str, Any]]:
    rows = json.loads(data.read_text(encoding="utf-8"))["rows"]
    return {r["function"]: r for r in rows}


def same_alignment(data: Path, n: int = 5, k: int = 4) -> Callable[[Any], None]:
    """Per library: the padded input of 'same' with an even kernel, and the window of ``y[0]``.

    ``data`` is the recorded library table (``derivations/data/library_conventions.json``): each row's
    "'same', even kernel" cell gives the padding; the taps read come from the formula (the kernel read
    flipped for a convolution); a mirrored boundary (scipy.ndimage) shows the entry it repeats.
    """
    if k % 2:
        raise SymconvError(f"figures: `k` must be even for the 'same' alignment picture; got {k}")
    rows = _library_rows(data)
    missing = [f for _, f in SAME_LIBRARIES if f not in rows]
    if missing:
        raise SymconvError(f"figures: {data.name} has no row for {', '.join(missing)}")
    lines = []
    for label, function in SAME_LIBRARIES:
        row = rows[function]
        lo, hi = same_padding(row, k)
        flip = row["operation"] == "convolution"
        # the window of y[0] on the padded row, from the formula on a padded copy ('valid' over N + lo + hi)
        c = forward(ConvSpec(input_size=(n + lo + hi,), kernel_size=(k,), flip=flip))[0]
        taps = {i - lo: j for i, j in window_pairs(c)[0]}
        lines.append((label, lo, hi, taps, str(row.get("boundary", "zeros"))))
    width = n + 2 * (k - 1)

    def draw(fig: Any) -> None:
        ax = fig.subplots(1, 1)
        ax.set_xlim(-7.5, width + 0.3)
        ax.set_ylim(-0.3, 2.2 * len(lines) + 0.6)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"'same' with an even kernel (N = {n}, K = {k}): where the extra padding goes", fontsize=10)
        for r, (label, lo, hi, taps, boundary) in enumerate(lines):
            yy = 2.2 * (len(lines) - 1 - r) + 1.05
            ax.text(-0.3, yy + 0.5, f"{label}\n(pad {lo} before, {hi} after)", ha="right", va="center", fontsize=7)
            for p in range(-lo, n + hi):
                col = p + (k - 1)
                if 0 <= p < n:
                    lab, fill = f"x[{p}]", _FILL["x"]
                elif boundary == "symmetric":
                    q = -p - 1 if p < 0 else 2 * n - 1 - p
                    lab, fill = f"x[{q}]", _FILL["zero"]
                else:
                    lab, fill = "0", _FILL["zero"]
                _cell(ax, col, yy, lab, _FILL["hit"] if p in taps else fill)
                if p in taps:
                    _cell(ax, col, yy - 1.0, f"w[{taps[p]}]", _FILL["w"])
        fig.tight_layout()

    return draw
