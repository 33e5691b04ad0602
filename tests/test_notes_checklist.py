"""Each of the 35 NOTES-CHECKLIST items is covered: a section marks it and shows what the item asks for.

Expected fragments are written here from the checklist itself (not from symconv); numbers are
recomputed with numpy.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from notes_build import generated, markdown_files

pytest.importorskip("matplotlib")


def _vec(a) -> str:
    return str([int(v) for v in a])


def _latex_vec(a) -> str:
    return "[" + ",\\ ".join(str(int(v)) for v in a) + "]"


X3, W3 = [1, 2, 0, -1], [1, 2, 3]
FIVE, EVEN = [1, 2, 3, 4, 5], [1, 10]

FRAGMENTS: dict[int, list[str]] = {
    1: ["x \\star w", "x \\ast w", "0-based", "\\sum_{k=0}^{K - 1} x[n + k] \\cdot w[k]"],
    2: ["\\operatorname{rot180} w", "does not hold"],
    3: [_latex_vec(np.correlate(X3, W3, "valid")), _latex_vec(np.convolve(X3, W3, "valid"))],
    4: ["PyTorch", "`numpy.convolve`", "correlation $\\star$"],
    5: ["bijection", "ported", "transposed convolution"],
    6: ["commutes", "associates", "TRUE convolution of the two kernels"],
    7: ["conjugat", "does not conjugate"],
    8: ["centrosymmetric", "$[[1,2],[2,1]]$", "Gaussian", "symmetric matrix"],
    9: ["Sobel", "opposite sign"],
    10: ["'valid'", "'same'", "'full'"],
    11: [_vec(np.correlate(FIVE, EVEN, "same")), "[21, 32, 43, 54, 5]"],
    12: ["\\lceil n/s \\rceil", "refuses"],
    13: ["circulant", "'wrap'", "padding_mode"],
    14: ["Toeplitz", "doubly block Toeplitz"],
    15: ["\\langle C x, g\\rangle = \\langle x, C^{\\mathsf T} g\\rangle$ holds"],
    16: ["im2col", "bias"],
    17: ["full convolution of g with w"],
    18: ["valid correlation of x with g", "INPUT gradient only"],
    19: ["sum of g over batch and positions"],
    20: ["channel axes swap"],
    21: ["transposed convolution of g with w", "stride and dilation swapped", "never read"],
    22: ["cropped by the padding", "Dilation 2"],
    23: ["SCATTER", "GATHER", "\\mathrel{+}="],
    24: ["autograd"],
    25: ["\\left\\lfloor", "p_{lo}", "p_{hi}"],
    26: ["dilation 0", "d(k-1)+1"],
    27: ["subsampled", "one output size"],
    28: ["misnomer", "adjoint"],
    29: ["ROTATED", "swapped", "not rotated"],
    30: ["output_padding", "\\bmod s"],
    31: ["HWIO", "ConvTranspose", "dimension_numbers"],
    32: ["transpose_kernel=False"],
    33: ["| function | operation | default mode |", "jax.lax", "scipy.ndimage"],
    34: ["checked against", "torch"],
    35: [f"figures/{n}.svg" for n in ("sliding_window", "stride_dilation", "transposed", "backward_dx", "backward_dw")],
}


def _sections() -> dict[int, str]:
    """Item → the concatenated text of every section marked with it."""
    out: dict[int, str] = {}
    for path in markdown_files(generated("a")):
        for sec in re.split(r"^## ", path.read_text(encoding="utf-8"), flags=re.M)[1:]:
            m = re.search(r"<!-- checklist: ([\d ]+) -->", sec)
            if m:
                for item in map(int, m.group(1).split()):
                    out[item] = out.get(item, "") + sec
    return out


def test_fragment_table_lists_all_35_items():
    assert sorted(FRAGMENTS) == list(range(1, 36))


@pytest.mark.parametrize("item", range(1, 36))
def test_item_is_marked_and_covered(item):
    sections = _sections()
    assert item in sections, f"no section is marked with checklist item {item}"
    for frag in FRAGMENTS[item]:
        assert frag in sections[item], f"item {item}: {frag!r} missing from its sections"


def test_latex_carries_the_same_markers():
    tex = (generated("a") / "notes.tex").read_text(encoding="utf-8")
    marked = {int(i) for m in re.findall(r"% checklist: ([\d ]+)", tex) for i in m.split()}
    assert marked == set(range(1, 36))


def test_no_computed_check_failed():
    """Chapters print FAILS / NO / 'does not establish' when a symconv check does not come out as stated."""
    for path in markdown_files(generated("a")):
        md = path.read_text(encoding="utf-8")
        assert "FAILS" not in md, path.name
        assert "| NO |" not in md, path.name
        assert "Status: **refuted**" not in md, path.name
