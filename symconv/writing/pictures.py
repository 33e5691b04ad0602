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
    "im2col_labels",
    "im2col_matrix",
    "same_alignment",
    "same_first_outputs",
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


def window_2d(size: tuple[int, int], kernel: tuple[int, int], out: tuple[int, int]) -> Callable[[Any], None]:
    """Three panels at output ``out`` of a symbolic ``size`` input: correlation reads ``w``, convolution
    ``rot180 w`` — not ``wᵀ``.

    Each cell of the window shows the product it contributes (an entry of ``x`` times a tap of ``w``), so the
    picture is the expansion of the output entry printed beside it. The first two panels come from the formula
    (``flip`` False / True); the third is the correlation with the transposed kernel, marked where it differs
    from the convolution.
    """
    h, wd = size
    kh, kw = kernel
    if kh != kw:
        raise SymconvError(f"figures: `kernel` must be square to compare rot180 with the transpose; got {kh}x{kw}")
    corr = taps_2d(size, kernel, out, flip=False)
    conv = taps_2d(size, kernel, out, flip=True)
    trans = [[(b, a) for (a, b) in row] for row in corr]  # correlation with wᵀ reads wᵀ[k0,k1] = w[k1,k0]
    at = f"[{out[0]},{out[1]}]"
    panels = [
        ("cross-correlation  x \u22c6 w\nreads w as stored", corr, f"= (x \u22c6 w){at}"),
        ("convolution  x \u2217 w\nreads w rotated 180\u00b0", conv, f"= (x \u2217 w){at}"),
        ("NOT the transpose: x \u22c6 w\u1d40\nreads w with its axes swapped", trans, f"= (x \u22c6 w\u1d40){at}"),
    ]

    def draw(fig: Any) -> None:
        axes = fig.subplots(1, 3)
        fig.suptitle(
            f"x is {h}\u00d7{wd}, w is {kh}\u00d7{kw}; the window of output {at}, each cell the product it adds",
            fontsize=10,
        )
        for ax, (title, taps, value) in zip(axes, panels):
            ax.set_xlim(-0.1, wd + 0.1)
            ax.set_ylim(-1.1, h + 0.1)
            ax.set_aspect("equal")
            ax.axis("off")
            ax.set_title(title, fontsize=9)
            for i in range(h):
                for j in range(wd):
                    a, b = i - out[0], j - out[1]
                    inside = 0 <= a < kh and 0 <= b < kw
                    label = f"x[{i},{j}]" + ("\n\u00b7" + _label(taps[a][b]) if inside else "")
                    _cell(ax, j, h - 1 - i, label, _FILL["hit"] if inside else _FILL["x"])
            wrong = taps is trans and trans != conv
            ax.text(
                wd / 2,
                -0.45,
                "sum " + value + ("\n\u2260 the convolution" if wrong else ""),
                ha="center",
                va="center",
                fontsize=9,
                color="#b2182b" if wrong else "black",
            )
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.78, wspace=0.12)

    return draw


def im2col_matrix(
    size: tuple[int, ...], kernel: tuple[int, ...], c_in: int, c_out: int = 1
) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]], dict[tuple[int, int], tuple[int, ...]]]:
    """The im2col view of a multi-channel correlation (any number of spatial axes), read from the formula.

    Returns the output positions (rows), the weight taps ``(c, *tap)`` (columns) and, per (row, column),
    the input entry ``(c, *position)`` it multiplies: ``y[o, n] = Σ_col W[o, col] · X_col[n, col]``.

    >>> rows, cols, cell = im2col_matrix((3, 3), (2, 2), 2)
    >>> len(rows), len(cols), cell[(1, 5)]
    (4, 8, (1, 0, 2))
    >>> im2col_matrix((3,), (2,), 2)[2][(1, 3)]
    (1, 2)
    """
    if len(size) != len(kernel):
        raise SymconvError(f"figures: `kernel` must have one size per axis of `size` {size}; got {kernel}")
    spec = ConvSpec(input_size=size, kernel_size=kernel, channels=(c_in, c_out))
    c = forward(spec)[0]
    x_shape = tuple(int(e) for e in c.operand("x").shape)
    w_shape = tuple(int(e) for e in c.operand("w").shape)
    y_shape = tuple(int(e) for e in c.result.shape)
    nd = len(size)
    rows = [tuple(int(v) for v in pos) for pos in np.ndindex(*y_shape[-nd:])]
    cols = [tuple(int(v) for v in tap) for tap in np.ndindex(c_in, *kernel)]
    cell: dict[tuple[int, int], tuple[int, ...]] = {}
    for r, pairs in window_pairs(c).items():
        o, *pos = (int(v) for v in np.unravel_index(r, y_shape))
        if o != 0:
            continue
        for i, j in pairs:
            xc = tuple(int(v) for v in np.unravel_index(i, x_shape))
            wc = tuple(int(v) for v in np.unravel_index(j, w_shape))
            cell[(rows.index(tuple(pos)), cols.index(wc[1:]))] = xc
    return rows, cols, cell


def im2col_labels(n: int, k: int, c_in: int, c_out: int) -> dict[str, list[list[str]]]:
    """The four matrices of the 1-D im2col picture as labels, with the batch index 0 of the notes' example.

    ``input`` (channel × position) ``x[0,c,n]``; ``X_col`` (output position × (channel, tap)), whose row
    ``n`` is the window of output ``n``; ``W_row`` (output channel × (channel, tap)) ``w[o,c,k]``; and
    ``y`` (output channel × position) ``y[0,o,n] = (W_row X_colᵀ)[o, n] + bias[o]``.

    >>> im2col_labels(3, 2, 2, 2)["X_col"][1]
    ['x[0,0,1]', 'x[0,0,2]', 'x[0,1,1]', 'x[0,1,2]']
    """
    rows, cols, cell = im2col_matrix((n,), (k,), c_in)

    def lab(name: str, idx: tuple[int, ...]) -> str:  # x and y carry the batch index 0; w has none
        return f"{name}[{','.join(str(i) for i in (idx if name == 'w' else (0, *idx)))}]"

    return {
        "input": [[lab("x", (ch, i)) for i in range(n)] for ch in range(c_in)],
        "X_col": [[lab("x", cell[(r, q)]) for q in range(len(cols))] for r in range(len(rows))],
        "W_row": [[lab("w", (o, *col)) for col in cols] for o in range(c_out)],
        "y": [[lab("y", (o, *pos)) for pos in rows] for o in range(c_out)],
    }


def im2col(n: int, k: int, c_in: int, c_out: int, out: int) -> Callable[[Any], None]:
    """The im2col (GEMM) view of a 1-D layer: the input volume, ``X_col``, ``W_row`` and ``y``.

    Top left the input (one row per channel) with the window of output position ``out``; below it
    ``X_col``, one row per output position (that window, flattened over channel and tap); top right
    ``W_row``, one row per output channel; below it ``y = W_row X_colᵀ`` (plus the bias). Every label comes
    from :func:`im2col_labels` (the formula), so the picture is the product the notes print.
    """
    mats = im2col_labels(n, k, c_in, c_out)
    n_out = len(mats["X_col"])
    cols = len(mats["X_col"][0])
    window = set(mats["X_col"][out])
    left, gap = 1.5, 1.9
    right = left + max(n, cols) + gap

    def grid(ax: Any, x0: float, y0: float, m: list[list[str]], fill: Callable[[int, int, str], str]) -> None:
        for r, row in enumerate(m):
            for q, lab in enumerate(row):
                _cell(ax, x0 + q, y0 + len(m) - 1 - r, lab, fill(r, q, lab))

    def names(ax: Any, x0: float, y0: float, count: int, fmt: str) -> None:
        for r in range(count):
            ax.text(x0 - 0.15, y0 + count - 1 - r + 0.5, fmt.format(r), ha="right", va="center", fontsize=9)

    def draw(fig: Any) -> None:
        ax = fig.subplots(1, 1)
        top, bottom = n_out + 1.2, 0.0
        height = top + c_in + 0.9
        ax.set_xlim(0, right + max(cols, n_out) + 0.4)
        ax.set_ylim(-0.1, height)
        ax.set_aspect("equal")
        ax.axis("off")
        t = 9
        ax.text(left, top + c_in + 0.25, f"input x[0]: {c_in} channels \u00d7 N = {n}", fontsize=t, va="bottom")
        names(ax, left, top, c_in, "c = {}")
        grid(ax, left, top, mats["input"], lambda r, q, lab: _FILL["hit"] if lab in window else _FILL["x"])
        ax.text(right, top + c_in + 0.25, "$W_{row}$: row o = kernel of output o", fontsize=t, va="bottom")
        names(ax, right, top, c_out, "o = {}")
        grid(ax, right, top, mats["W_row"], lambda r, q, lab: _FILL["w"])
        ax.text(left, bottom + n_out + 0.25, "$X_{col}$: row n = window of output n", fontsize=t, va="bottom")
        names(ax, left, bottom, n_out, "n = {}")
        grid(ax, left, bottom, mats["X_col"], lambda r, q, lab: _FILL["hit"] if r == out else _FILL["x"])
        ax.text(right, bottom + c_out + 0.25, "y[0] = $W_{row} X_{col}^{T}$ + bias", fontsize=t, va="bottom")
        names(ax, right, bottom, c_out, "o = {}")
        grid(ax, right, bottom, mats["y"], lambda r, q, lab: _FILL["now"] if q == out else _FILL["y"])
        fig.subplots_adjust(left=0.0, right=1.0, bottom=0.0, top=1.0)

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
    """The "stamp" (scatter) view of the transposed convolution of ``g`` (the notes' name for its input, the
    upstream gradient of chapter 4): each ``g[n]`` adds ``g[n]·w`` at offset ``s·n``; overlaps sum."""
    m_out, rows = stamp_rows(n_in, k, s)

    def draw(fig: Any) -> None:
        ax = fig.subplots(1, 1)
        height = n_in + 1.1
        ax.set_xlim(-2.4, m_out + 0.1)
        ax.set_ylim(-1.3, height)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(
            f"conv_transpose as stamps: g[n] \u00b7 w placed at s\u00b7n (s = {s}, K = {k}); overlaps add",
            fontsize=10,
        )
        ax.text(-0.2, n_in + 0.5, "m =", ha="right", va="center", fontsize=9)
        for m in range(m_out):
            ax.text(m + 0.5, n_in + 0.5, str(m), ha="center", va="center", fontsize=9)
        for n in range(n_in):
            yy = n_in - 1 - n
            ax.text(-0.2, yy + 0.5, f"g[{n}] \u00b7 w", ha="right", va="center", fontsize=9)
            for m in range(m_out):
                tap = rows[n].get(m)
                fill = _FILL["w"] if tap is not None else _FILL["blank"]
                _cell(ax, m, yy, "" if tap is None else f"g[{n}]\nw[{tap}]", fill)
        ax.text(-0.2, -0.6, "terms of y[m]", ha="right", va="center", fontsize=9)
        for m in range(m_out):
            hits = sum(1 for n in range(n_in) if m in rows[n])
            _cell(ax, m, -1.1, str(hits), _FILL["y"])
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.9)

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


def same_alignment(data: Path, x: Sequence[int], w: Sequence[int]) -> Callable[[Any], None]:
    """Per library: the padded input of 'same' with the even kernel ``w`` on ``x``, and the window of ``y[0]``.

    ``data`` is the recorded library table (``derivations/data/library_conventions.json``): each row's
    "'same', even kernel" cell gives the padding; the taps read come from the formula (the kernel read
    flipped for a convolution); a mirrored boundary (scipy.ndimage) shows the entry it repeats. Each row
    ends with the value of ``y[0]`` the picture implies (:func:`same_first_outputs`).
    """
    n, k = len(x), len(w)
    if k % 2:
        raise SymconvError(f"figures: `w` must have an even length for the 'same' alignment picture; got {k}")
    lines = _same_lines(data, n, k)
    first = same_first_outputs(data, x, w)
    width = n + 2 * (k - 1)

    def draw(fig: Any) -> None:
        ax = fig.subplots(1, 1)
        ax.set_xlim(-7.2, width + 3.2)
        ax.set_ylim(-0.1, 2.2 * len(lines) + 0.1)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"'same' with an even kernel: x = {list(x)}, w = {list(w)} (N = {n}, K = {k})", fontsize=10)
        for r, (label, lo, hi, taps, boundary) in enumerate(lines):
            yy = 2.2 * (len(lines) - 1 - r) + 1.05
            ax.text(-0.3, yy + 0.5, f"{label}\n(pad {lo} before, {hi} after)", ha="right", va="center", fontsize=8)
            for p in range(-lo, n + hi):
                col = p + (k - 1)
                q = _mirror(p, n) if boundary == "symmetric" else p
                if 0 <= p < n:
                    lab, fill = f"x[{p}]", _FILL["x"]
                elif q is not None and 0 <= q < n:
                    lab, fill = f"x[{q}]", _FILL["zero"]
                else:
                    lab, fill = "0", _FILL["zero"]
                _cell(ax, col, yy, lab, _FILL["hit"] if p in taps else fill)
                if p in taps:
                    _cell(ax, col, yy - 1.0, f"w[{taps[p]}]", _FILL["w"])
            ax.text(width + 0.3, yy - 0.5, f"y[0] = {first[label]}", ha="left", va="center", fontsize=9)
        fig.subplots_adjust(left=0.0, right=1.0, bottom=0.0, top=0.95)

    return draw


def _mirror(p: int, n: int) -> int:
    """The entry a 'symmetric' boundary (numpy's name; scipy.ndimage's 'reflect') repeats at position ``p``."""
    return -p - 1 if p < 0 else (2 * n - 1 - p if p >= n else p)


def _same_lines(data: Path, n: int, k: int) -> list[tuple[str, int, int, dict[int, int], str]]:
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
    return lines


def same_first_outputs(data: Path, x: Sequence[int], w: Sequence[int]) -> dict[str, int]:
    """Per row label of :data:`SAME_LIBRARIES`: ``y[0]`` of 'same' as the picture draws it (padded row, taps).

    >>> from symconv.writing.notes import derivations_dir
    >>> data = derivations_dir() / "data" / "library_conventions.json"
    >>> same_first_outputs(data, [1, 2, 3], [1, 10])["numpy.correlate"]
    10
    """
    n = len(x)
    out = {}
    for label, _lo, _hi, taps, boundary in _same_lines(data, n, len(w)):
        total = 0
        for p, tap in taps.items():
            q = _mirror(p, n) if boundary == "symmetric" else p
            total += (x[q] if 0 <= q < n else 0) * w[tap]
        out[label] = total
    return out
