"""The new figures of the notes (2-D window, im2col, stamps, 'same' alignment, animations) agree with
independent oracles (plain loops, numpy, the libraries themselves), and the GIFs are deterministic."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import peers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from notes_build import REPO

from symconv.writing import animation, pictures

DATA = REPO / "derivations" / "data" / "library_conventions.json"
X = [1, 2, 3, 4, 5]
W = [1, 10, 100, 1000]


def _corr2d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    kh, kw = w.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1), dtype=object)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = sum(x[i + a, j + b] * w[a, b] for a in range(kh) for b in range(kw))
    return out


@given(st.integers(2, 5), st.integers(2, 5), st.integers(1, 3), st.integers(1, 3), st.data())
@settings(max_examples=30, deadline=None)
def test_2d_convolution_reads_the_kernel_rotated_not_transposed(h, wd, kh, kw, data):
    kh, kw = min(kh, h), min(kw, wd)
    out = (data.draw(st.integers(0, h - kh)), data.draw(st.integers(0, wd - kw)))
    corr = pictures.taps_2d((h, wd), (kh, kw), out, flip=False)
    conv = pictures.taps_2d((h, wd), (kh, kw), out, flip=True)
    assert corr == [[(a, b) for b in range(kw)] for a in range(kh)]
    assert conv == [[(kh - 1 - a, kw - 1 - b) for b in range(kw)] for a in range(kh)]


def test_rot180_differs_from_transpose_in_the_pictures_window():
    """The notes' picture (3x3 input, 2x2 kernel, output [0, 0]): its taps give the convolution and the
    correlation with the transpose (plain loops), and the two differ."""
    x = np.array([[1, 2, 0], [0, 3, 2], [3, 0, 1]])
    w = np.array([[1, 2], [3, 4]])
    corr = pictures.taps_2d((3, 3), (2, 2), (0, 0), flip=False)
    conv = pictures.taps_2d((3, 3), (2, 2), (0, 0), flip=True)
    trans = [[(b, a) for (a, b) in row] for row in corr]

    def value(taps):
        return sum(x[a, b] * w[taps[a][b]] for a in range(2) for b in range(2))

    assert value(conv) == _corr2d(x, np.flip(w))[0, 0]
    assert value(trans) == _corr2d(x, w.T)[0, 0]
    assert value(conv) != value(trans)
    pictures.window_2d((3, 3), (2, 2), (0, 0))  # builds without error


@pytest.mark.parametrize("size,kernel,c_in", [((3, 3), (2, 2), 2), ((4, 3), (2, 3), 1), ((3, 4), (3, 2), 3)])
def test_im2col_matrix_times_weights_is_the_multichannel_correlation(size, kernel, c_in):
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, (c_in, *size))
    w = rng.integers(-3, 4, (c_in, *kernel))
    rows, cols, cell = pictures.im2col_matrix(size, kernel, c_in)
    col = np.array([[x[cell[(r, k)]] for k in range(len(cols))] for r in range(len(rows))])
    vec = np.array([w[c, a, b] for c, a, b in cols])
    y = col @ vec
    expect = sum(_corr2d(x[c], w[c]) for c in range(c_in))
    assert [int(v) for v in y] == [int(expect[i, j]) for i, j in rows]


@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3))
@settings(max_examples=30, deadline=None)
def test_stamps_sum_to_the_transposed_convolution(n, k, s):
    m_out, rows = pictures.stamp_rows(n, k, s)
    x = np.arange(1, n + 1)
    w = np.array([10**j for j in range(k)])
    y = np.zeros(m_out, dtype=np.int64)
    for i, r in rows.items():
        for m, tap in r.items():
            y[m] += x[i] * w[tap]
    up = np.zeros((n - 1) * s + 1, dtype=np.int64)
    up[::s] = x
    assert y.tolist() == np.convolve(up, w).tolist()  # zero insertion, then a full convolution


def _first_output(function: str, w: list[int]) -> int:
    """y[0] of the library's 'same' on X, w as the picture draws it (padded row, taps of the window)."""
    rows = pictures._library_rows(DATA)
    row = rows[function]
    lo, _ = pictures.same_padding(row, len(w))
    flip = row["operation"] == "convolution"
    n = len(X)
    total = 0
    for t in range(len(w)):
        p = t - lo
        tap = len(w) - 1 - t if flip else t
        if 0 <= p < n:
            v = X[p]
        elif row["boundary"] == "symmetric":
            v = X[-p - 1] if p < 0 else X[2 * n - 1 - p]
        else:
            v = 0
        total += v * w[tap]
    label = next(lab for lab, f in pictures.SAME_LIBRARIES if f == function)
    assert pictures.same_first_outputs(DATA, X, w)[label] == total  # the value the figure prints
    return total


EVEN_KERNELS = pytest.mark.parametrize("w", [W, [1, 10]], ids=["K4", "K2"])


@EVEN_KERNELS
def test_same_alignment_rows_match_numpy(w):
    assert _first_output("numpy.correlate", w) == int(np.correlate(X, w, "same")[0])
    assert _first_output("numpy.convolve", w) == int(np.convolve(X, w, "same")[0])


@EVEN_KERNELS
def test_same_alignment_rows_match_scipy(w):
    signal = peers.module("scipy.signal", "scipy")
    ndimage = peers.module("scipy.ndimage", "scipy")
    assert _first_output("scipy.signal.correlate", w) == int(signal.correlate(X, w, "same")[0])
    assert _first_output("scipy.signal.correlate2d", w) == int(signal.correlate2d([X], [w], "same")[0][0])
    assert _first_output("scipy.ndimage.correlate", w) == int(ndimage.correlate(np.array(X), np.array(w))[0])
    assert _first_output("scipy.ndimage.convolve", w) == int(ndimage.convolve(np.array(X), np.array(w))[0])


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@EVEN_KERNELS
def test_same_alignment_rows_match_torch(w):
    torch = peers.module("torch")
    x = torch.tensor([[X]], dtype=torch.float64)
    kernel = torch.tensor([[w]], dtype=torch.float64)
    y = torch.nn.functional.conv1d(x, kernel, padding="same")
    assert _first_output("torch.nn.functional.conv1d", w) == int(y[0, 0, 0])


def test_same_padding_needs_a_recorded_side():
    from symconv import SymconvError

    with pytest.raises(SymconvError, match="records no 'same' alignment"):
        pictures.same_padding({"function": "torch.nn.functional.conv_transpose1d", "same_even_kernel": "—"}, 4)


@pytest.mark.parametrize("n,k,s,p", [(5, 3, 1, 0), (5, 3, 2, 1), (4, 2, 2, 0), (3, 3, 1, 1)])
def test_animation_windows_are_the_padded_correlation(n, k, s, p):
    windows = animation.conv2d_windows(n, k, stride=s, padding=p)
    size = n + 2 * p
    out = (size - k) // s + 1
    assert [pos for pos, _ in windows] == [(i, j) for i in range(out) for j in range(out)]
    for (i, j), cells in windows:
        assert cells == {(s * i + a, s * j + b): (a, b) for a in range(k) for b in range(k)}
    flipped = animation.conv2d_windows(n, k, stride=s, padding=p, flip=True)
    for (_, c1), (_, c2) in zip(windows, flipped):
        assert c2 == {q: (k - 1 - a, k - 1 - b) for q, (a, b) in c1.items()}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_gif_bytes_are_identical_between_runs(tmp_path):
    peers.module("matplotlib")
    image = peers.module("PIL.Image", "matplotlib")
    anims = [animation.conv2d_animation("a", 4, 3, stride=1, padding=1), animation.stamp_animation("b", 3, 2)]
    for anim in anims:
        (tmp_path / "one").mkdir(exist_ok=True)
        (tmp_path / "two").mkdir(exist_ok=True)
        one = animation.save_animation(anim, tmp_path / "one" / anim.name)
        two = animation.save_animation(anim, tmp_path / "two" / anim.name)
        assert [p.suffix for p in one] == [".gif", ".svg", ".pdf"]
        for a, b in zip(one, two):
            assert _digest(a) == _digest(b), a.name
        with image.open(one[0]) as im:
            assert im.n_frames >= 2


def test_animation_block_shows_the_gif_in_markdown_and_the_still_in_latex():
    anim = animation.stamp_animation("stamp_anim", 3, 3, stride=2, caption="Stamps")
    assert "](figures/stamp_anim.gif)" in anim.markdown()
    assert "figures/stamp_anim.pdf" in anim.latex()
    assert anim.figures() == [anim]
