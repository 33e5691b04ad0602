"""Chapter 3 — symmetric kernels: when convolution equals correlation, and when it is its negative.

Run alone: ``python derivations/ch3_symmetric.py`` prints the chapter's Markdown.
"""

from __future__ import annotations

import sympy

from symconv import Array, asarray, convolve, correlate, derive, symbols, theorem
from symconv.compat import numpy as snp
from symconv.display.tree import Matrix, Vector, entry_latex
from symconv.writing.document import Chapter, Math, Section, Table, Text
from symconv.writing.stated import stated

w0, w1, w2 = sympy.symbols("w_0 w_1 w_2")


def _status_2d(name: str) -> str:
    """What the printed machine proofs cover, in words: 1-D and 2-D printed, 3-D proved when the notes are built,
    every number of axes only by the human argument."""
    for nd in (2, 3):
        status = theorem(name, ndim=nd).prove().status
        if status != "proved":
            return (
                f"The machine proof is printed in 1-D; the {nd}-D statement is not proved (the prover's status: "
                f"{status})."
            )
    return (
        "The machine proofs are printed for 1-D and for 2-D (the statement above with $k$ and $K - 1 - k$ read "
        "as pairs of indices); the 3-D statement is proved too (when the notes are built; not printed). They do "
        "not cover every number of axes: for N-D the argument is the human one above, the substitution "
        "$k \\to K - 1 - k$ made on each axis separately."
    )


def _word(flag: bool) -> str:
    return "yes" if flag else "no"


def one_d() -> Section:
    x = symbols("x", 5)
    centro = [w0, w1, w0]
    general = [w0, w1, w2]
    corr = derive("correlate", x, centro, label=(r"x \star w", "x ⋆ w"))
    conv = derive("convolve", x, centro, label=(r"x \ast w", "x ∗ w"))
    diff = sympy.factor(convolve(x, general)[0] - correlate(x, general)[0])
    same = convolve(x, centro).equals(correlate(x, centro))
    return Section(
        "One dimension: equal exactly for palindromic kernels",
        [
            Text(
                f"Take the structured kernel $w = {Vector(centro).latex()}$ (a palindrome: $w[2] = w[0]$) and a "
                "symbolic input. Expanded, with the kernel's entries substituted, the two operations "
                f"{'agree' if same else 'do not agree'} entry by entry:"
            ),
            Math(corr.body(definition=False) + " \\\\\n" + conv.body(definition=False)),
            Text(
                f"Conversely, for a general kernel ${Vector(general).latex()}$ the difference of the first outputs "
                "factors as below (computed): it vanishes for every input only when "
                "$w[0] = w[2]$. "
                "So for $K = 3$, convolution equals correlation for all inputs if and only if the kernel is a "
                "palindrome; in general, iff $w[k] = w[K-1-k]$ for every $k$."
            ),
            Math("(x \\ast w)[0] - (x \\star w)[0] &= " + entry_latex(diff)),
            *stated(
                "when convolution equals correlation",
                r"x \ast w = x \star w \ \text{for every input } x \quad\iff\quad w[k] = w[K - 1 - k] "
                r"\ \text{for every } k.",
                [
                    Text("Subtract the two index formulas (valid mode):"),
                    Math(
                        r"(x \ast w)[n] - (x \star w)[n] &= "
                        r"\sum_{k=0}^{K-1} x[n + k]\, \bigl(w[K - 1 - k] - w[k]\bigr)."
                    ),
                    Text(
                        "If $w[K - 1 - k] = w[k]$ for every $k$, every term is 0. Conversely, take for $x$ the "
                        "input that is 1 at position $j$ and 0 elsewhere, $0 \\le j \\le K - 1$: then "
                        "$(x \\ast w)[0] - (x \\star w)[0] = w[K - 1 - j] - w[j]$, which must be 0 for every $j$. "
                        "In N-D, $k$ and $K - 1 - k$ are multi-indices (every axis reversed): the condition is "
                        "$\\operatorname{rot180} w = w$."
                    ),
                ],
                "convolve_equals_correlate_iff_centrosymmetric",
                printed=({}, {"ndim": 2}),
                hypotheses="For an input of length $N$ and a kernel of length $K \\le N$ (valid mode; the 'only if' "
                "needs a window inside the input)",
            ),
            Text(_status_2d("convolve_equals_correlate_iff_centrosymmetric")),
        ],
        items=(8,),
    )


def _props(w: list[list[int]] | Array) -> tuple[bool, bool, bool]:
    a = asarray(w)
    rot = a.flip() == a
    transpose = Array(a.numpy().T.copy()) == a
    rows = all(list(r) == list(r)[::-1] for r in a.tolist())
    cols = all(list(c) == list(c)[::-1] for c in zip(*a.tolist()))
    return rot, transpose, rows and cols


def two_d() -> Section:
    x = symbols("x", (4, 4))
    kernels = {
        "Gaussian $\\frac{1}{16}[[1,2,1],[2,4,2],[1,2,1]]$": asarray([[1, 2, 1], [2, 4, 2], [1, 2, 1]])
        * sympy.Rational(1, 16),
        "$[[1,2],[2,1]]$": asarray([[1, 2], [2, 1]]),
        "$[[1,2],[2,3]]$ (symmetric matrix)": asarray([[1, 2], [2, 3]]),
        "$[[1,2,1],[0,0,0],[1,2,1]]$": asarray([[1, 2, 1], [0, 0, 0], [1, 2, 1]]),
        "$[[0,1,0],[2,0,2],[0,1,0]]$": asarray([[0, 1, 0], [2, 0, 2], [0, 1, 0]]),
        "Sobel $G_x = [[-1,0,1],[-2,0,2],[-1,0,1]]$": asarray([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    }
    rows = []
    for name, w in kernels.items():
        rot, tr, axes = _props(w)
        conv, corr = convolve(x, w), correlate(x, w)
        rows.append([name, _word(rot), _word(tr), _word(axes), _word(conv.equals(corr)), _word(conv.equals(-corr))])
    return Section(
        "Two dimensions: centrosymmetry, not matrix symmetry",
        [
            Text(
                "In N-D the flip reverses every axis, so the condition is $\\operatorname{rot180} w = w$ "
                "(centrosymmetry). Each row below is computed on a symbolic $4 \\times 4$ "
                "input. A symmetric "
                "matrix ($w = w^{\\mathsf T}$) is not enough; symmetry along every axis is sufficient but "
                "not necessary "
                "($[[1,2],[2,1]]$ is centrosymmetric without being symmetric along either axis)."
            ),
            Table(
                [
                    "kernel $w$",
                    "$\\operatorname{rot180} w = w$",
                    "$w = w^{\\mathsf T}$",
                    "symmetric along each axis",
                    "$x \\ast w = x \\star w$",
                    "$x \\ast w = -(x \\star w)$",
                ],
                rows,
                caption="2-D kernels: which symmetry makes convolution equal correlation (or minus it).",
            ),
        ],
        items=(8,),
    )


def anti() -> Section:
    x = symbols("x", 5)
    k = [w0, 0, -w0]
    corr = derive("correlate", x, k, label=(r"x \star w", "x ⋆ w"))
    conv = derive("convolve", x, k, label=(r"x \ast w", "x ∗ w"))
    neg = convolve(x, k).equals(-correlate(x, k))
    sobel = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    img = [[0, 0, 1, 1]] * 4
    c_img, v_img = correlate(img, sobel), convolve(img, sobel)
    return Section(
        "Anti-centrosymmetric kernels: convolution is minus correlation",
        [
            Text(
                "If $\\operatorname{rot180} w = -w$ then $x \\ast w = x \\star \\operatorname{rot180} w = "
                "-(x \\star w)$. "
                f"With the structured kernel $w = {Vector(k).latex()}$, entry by entry "
                f"({'checked' if neg else 'the check failed'}):"
            ),
            Math(corr.body(definition=False) + " \\\\\n" + conv.body(definition=False)),
            *stated(
                "when convolution is minus correlation",
                r"x \ast w = -(x \star w) \ \text{for every input } x \quad\iff\quad w[k] = -w[K - 1 - k] "
                r"\ \text{for every } k.",
                [
                    Text("Add the two index formulas (valid mode):"),
                    Math(
                        r"(x \ast w)[n] + (x \star w)[n] &= "
                        r"\sum_{k=0}^{K-1} x[n + k]\, \bigl(w[K - 1 - k] + w[k]\bigr)."
                    ),
                    Text(
                        "Every term is 0 when $w[K - 1 - k] = -w[k]$; with the one-hot input at position $j$ the "
                        "sum is $w[K - 1 - j] + w[j]$, so the condition is also necessary. In N-D: "
                        "$\\operatorname{rot180} w = -w$."
                    ),
                ],
                "convolve_equals_minus_correlate_iff_anticentrosymmetric",
                printed=({}, {"ndim": 2}),
                hypotheses="For an input of length $N$ and a kernel of length $K \\le N$ (valid mode)",
            ),
            Text(_status_2d("convolve_equals_minus_correlate_iff_anticentrosymmetric")),
            Text(
                "The seed's $[1, -1]$ and the Sobel filters are of this kind, so an edge detector copied from an image "
                "processing text (which convolves) into a CNN layer (which correlates) reports every edge with the "
                "opposite sign. On a vertical step edge:"
            ),
            Math(
                "x &= " + Matrix(img).latex() + ",\\quad G_x = " + Matrix(sobel).latex() + " \\\\\n"
                "x \\star G_x &= "
                + Matrix(c_img.tolist()).latex()
                + ",\\quad x \\ast G_x = "
                + Matrix(v_img.tolist()).latex()
            ),
        ],
        items=(9,),
    )


def complex_kernels() -> Section:
    i = sympy.I
    x = [1, 2 * i, 3, -i]
    herm = [1 + i, 2, 1 - i]
    centro = [i, 1, i]
    rows = []
    for name, v in (("$[1+i, 2, 1-i]$", herm), ("$[i, 1, i]$", centro)):
        np_conv, np_corr = snp.convolve(x, v, "valid"), snp.correlate(x, v, "valid")
        dl_conv, dl_corr = convolve(x, v), correlate(x, v)
        rows.append(
            [
                name,
                "$" + np_conv.expand().latex() + "$",
                "$" + np_corr.expand().latex() + "$",
                "$" + dl_corr.expand().latex() + "$",
                _word(np_conv.equals(np_corr)),
                _word(dl_conv.equals(dl_corr)),
            ]
        )
    return Section(
        "Complex kernels: numpy and PyTorch need different symmetries",
        [
            Text(
                "numpy's `correlate` conjugates the kernel, a correlation layer (PyTorch `conv1d` with a "
                "complex dtype) "
                "does not. So numpy's `convolve` equals its `correlate` iff $\\operatorname{rot180} w = \\overline{w}$ "
                "(conjugate-centrosymmetric), while the layer's correlation equals a true convolution iff "
                "$\\operatorname{rot180} w = w$. With $x = [1, 2i, 3, -i]$ ('valid'; every value checked against "
                "numpy and PyTorch in the test-suite):"
            ),
            Table(
                [
                    "kernel",
                    "np.convolve",
                    "np.correlate",
                    "layer $x \\star w$",
                    "np: conv = corr",
                    "layer: conv = corr",
                ],
                rows,
                caption="Complex kernels: numpy's conjugating correlation against a layer's.",
            ),
        ],
        items=(7, 8),
    )


def build() -> Chapter:
    """Chapter 3 as a :class:`~symconv.writing.document.Chapter`."""
    return Chapter(
        "ch3_symmetric",
        "3. Symmetric kernels",
        [one_d(), two_d(), anti(), complex_kernels()],
        intro="When does the flip make no difference? Exactly when the kernel equals its own 180° rotation.",
    )


if __name__ == "__main__":
    print(build().markdown())
