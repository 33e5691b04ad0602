"""Chapter 1 — convolution vs cross-correlation: definitions, the flip, output lengths, modes.

Run alone: ``python derivations/ch1_definitions.py`` prints the chapter's Markdown.
"""

from __future__ import annotations

import sympy

from symconv import Array, convolve, correlate, derive, symbols
from symconv.arrays.ops import mode_padding
from symconv.compat import numpy as snp
from symconv.core.formula import output_size
from symconv.display.tree import Leaf, Matrix, Product, Sum, Vector, entry_latex
from symconv.writing.animation import conv2d_animation
from symconv.writing.derive import size_latex
from symconv.writing.document import Box, Chapter, Code, Figure, Math, Section, Table, Text
from symconv.writing.figures import legend, sliding_window
from symconv.writing.pictures import window_2d
from symconv.writing.stated import stated

N, K = sympy.symbols("N K", integer=True, positive=True)


def _break_before(latex: str, term: str) -> str:
    """A long right-hand side continued on a second ``align*`` line before ``term`` (if it occurs)."""
    head, sep, tail = latex.partition(term)
    return head + " \\\\\n&\\qquad" + sep + tail if sep else latex


def _checked(flag: bool) -> str:
    return "checked" if flag else "FAILS"


def _eq(flag: bool) -> str:
    """``=`` or ``\\ne`` (inside math), as a computed comparison came out."""
    return "=" if flag else "\\ne"


def _ints(a: Array) -> list[int]:
    return [int(v) for v in a.tolist()]


def _complex(a: Array) -> str:
    """A complex vector as Python prints a list of its entries: ``[(1+1j), -2j]``."""
    return "[" + ", ".join(repr(complex(sympy.N(v))) for v in a.tolist()) + "]"


def _named(line: str, lhs: str) -> str:
    """A computed definition line ``y[n] &= …`` with its left side named (which operation it defines)."""
    head, sep, rest = line.partition(" &= ")
    if not sep or not head.startswith("y["):
        raise ValueError(f"not a definition line: {line[:40]!r}")
    return lhs + sep + rest


def _rel(flag: bool) -> str:
    """The relation a computed comparison found: ``=`` or ``≠`` (as math)."""
    return "$=$" if flag else "$\\ne$"


def definitions() -> Section:
    x, w = symbols("x", 5), symbols("w", 3)
    corr, conv = derive("correlate", x, w), derive("convolve", x, w)
    x2, w2 = symbols("x", (3, 3)), symbols("w", (2, 2))
    corr2 = derive("correlate", x2, w2)
    return Section(
        "Definitions: two index formulas",
        [
            Text(
                "Indices are 0-based; in 2-D the origin is the top-left entry and the first index is the row. "
                "We write $x \\star w$ for **cross-correlation** (no flip: what PyTorch, TensorFlow and `jax.lax` "
                "call convolution) and $x \\ast w$ for **convolution** (the kernel is flipped: what numpy, "
                "scipy.signal and `jax.numpy` call convolution). For an input $x$ of length $N$ and a kernel $w$ of "
                "length $K$, in 'valid' mode (no padding: only windows inside $x$):"
            ),
            Math(
                _named(corr.steps[0].latex(), "(x \\star w)[n]")
                + " \\\\\n"
                + _named(conv.steps[0].latex(), "(x \\ast w)[n]")
            ),
            Text("In two dimensions each spatial axis gets its own output index $n_i$ and kernel index $k_i$:"),
            Math(_named(corr2.steps[0].latex(), "(x \\star w)[n_0, n_1]")),
            Text("Expanded for $N = 5$, $K = 3$ the two operations pair the same windows with opposite kernel orders:"),
            Math("x \\star w &= " + corr.steps[1].rhs.latex() + " \\\\\nx \\ast w &= " + conv.steps[1].rhs.latex()),
        ],
        items=(1,),
    )


def flip() -> Section:
    x, w = symbols("x", (3, 3)), symbols("w", (2, 2))
    conv = convolve(x, w)
    via_rot = correlate(x, w.flip())
    via_transpose = correlate(x, Array(w.numpy().T.copy()))
    rot_ok, tr_ok = conv.equals(via_rot), conv.equals(via_transpose)
    return Section(
        "The flip is a 180° rotation, not a transpose",
        [
            Text(
                "Convolution is correlation with the kernel reversed along every spatial axis. In 2-D that is the "
                "180° rotation $\\operatorname{rot180} w$, which is not the transpose $w^{\\mathsf T}$:"
            ),
            Math(
                "w &= "
                + Matrix(w.tolist()).latex()
                + ",\\quad \\operatorname{rot180} w = "
                + Matrix(w.flip().tolist()).latex()
                + ",\\quad w^{\\mathsf T} = "
                + Matrix(w.numpy().T.tolist()).latex()
            ),
            Text(
                "Both sides evaluated on a symbolic $3\\times 3$ input: "
                f"$x \\ast w {_eq(rot_ok)} x \\star \\operatorname{{rot180}} w$, but "
                f"$x \\ast w {_eq(tr_ok)} x \\star w^{{\\mathsf T}}$. The first entry of each:"
            ),
            Math(
                "(x \\ast w)[0, 0] &= " + entry_latex(conv[0, 0]) + " \\\\\n"
                "(x \\star w^{\\mathsf T})[0, 0] &= " + entry_latex(via_transpose[0, 0])
            ),
            Figure(
                "window_2d",
                "In 2-D, convolution reads the kernel rotated by 180°, not transposed: the window of output "
                "$[0, 0]$ on the $3 \\times 3$ input, each cell the product it adds to the entries printed above — "
                "for correlation, convolution and (wrongly) the transpose. Colours: "
                + legend({"hit": "the window, with the kernel tap each entry meets", "x": "the rest of $x$"})
                + ".",
                window_2d((3, 3), (2, 2), (0, 0)),
                size=(6.6, 3.0),
            ),
            Text(
                "Animated (in the Markdown edition; the PDF shows one frame): a convolution sliding its rotated kernel."
            ),
            conv2d_animation("anim_convolution", n=4, k=3, flip=True),
            *stated(
                "the flip",
                r"(x \ast w)[n] &= (x \star \operatorname{rot180} w)[n] \quad\text{for every output index } n,"
                "\n"
                r"\qquad (\operatorname{rot180} w)[k] = w[K - 1 - k].",
                [
                    Text(
                        "With stride $s$, dilation $d$ and padding $p$, window $n$ reads $x[sn + dk - p]$ at tap $k$ "
                        "(entries outside $x$ are 0). Convolution pairs that entry with $w[K - 1 - k]$:"
                    ),
                    Math(
                        r"(x \ast w)[n] &= \sum_{k=0}^{K-1} x[sn + dk - p]\, w[K - 1 - k] \\"
                        "\n"
                        r"&= \sum_{k=0}^{K-1} x[sn + dk - p]\, (\operatorname{rot180} w)[k] "
                        r"= (x \star \operatorname{rot180} w)[n]."
                    ),
                    Text(
                        "The first line is the definition of the convolution. The second writes its kernel factor "
                        "$w[K - 1 - k]$ as $(\\operatorname{rot180} w)[k]$ (the definition of "
                        "$\\operatorname{rot180}$) and reads the sum as the definition of the correlation with the "
                        "kernel $\\operatorname{rot180} w$. Only the kernel factor is renamed, so the window, the "
                        "stride, the dilation and the padding are the same on both sides. In N-D the same holds "
                        r"per axis, with every axis reversed together: that is $\operatorname{rot180}$. The machine "
                        "proofs are printed in 1-D and in 2-D; for more axes this per-axis argument is the proof."
                    ),
                ],
                "convolve_is_correlate_with_flipped_kernel",
                printed=(
                    {},
                    {"stride": "s", "dilation": "d"},
                    {"stride": "s", "dilation": "d", "padding": "p"},
                    {"ndim": 2},
                    {"ndim": 2, "stride": "s", "dilation": "d"},
                    {"ndim": 2, "stride": "s", "dilation": "d", "padding": "p"},
                ),
                hypotheses="For an input of length $N$, a kernel of length $K$ with $d(K - 1) + 1 \\le N + 2p$, "
                "and the same stride $s$, dilation $d$ and padding $p$ on both sides",
            ),
        ],
        items=(2,),
    )


#: the asymmetric example of section 1.3; its figure draws the same data
EXAMPLE_X, EXAMPLE_W = [1, 2, 0, -1], [1, 2, 3]


def example() -> Section:
    x, w = EXAMPLE_X, EXAMPLE_W
    a, b = derive("correlate", x, w), derive("convolve", x, w)
    return Section(
        "One asymmetric example, both ways",
        [
            Text(f"With $x = {x}$ and the asymmetric kernel $w = {w}$ the two operations give different numbers:"),
            Math(_named(a.body(), "(x \\star w)[n]").replace("y &=", "x \\star w &=", 1)),
            Math(_named(b.body(), "(x \\ast w)[n]").replace("y &=", "x \\ast w &=", 1)),
            Text("To run it yourself (numpy's `correlate` does not flip, its `convolve` does):"),
            Code(
                "import numpy as np\n"
                f"x, w = {x}, {w}\n"
                f"np.correlate(x, w, 'valid')   # {_ints(snp.correlate(x, w, 'valid'))}   correlation\n"
                f"np.convolve(x, w, 'valid')    # {_ints(snp.convolve(x, w, 'valid'))}    convolution: kernel reversed",
                "python",
            ),
            Figure(
                "sliding_window",
                f"The window at $n = 1$: correlation reads $w$ in order, convolution reads it reversed ($x = {x}$, "
                f"$w = {w}$; the bottom row is $y$). Colours: "
                + legend(
                    {
                        "hit": "the entries of $x$ in the window",
                        "x": "the other entries",
                        "w": "the kernel taps they meet",
                        "y": "the output $y[1]$",
                        "blank": "the other output",
                    }
                )
                + ".",
                sliding_window(x, w, 1),
            ),
        ],
        items=(3, 35),
    )


def _floor_half(numerator: sympy.Expr, ceil: bool = False) -> str:
    left, right = (r"\left\lceil", r"\right\rceil") if ceil else (r"\left\lfloor", r"\right\rfloor")
    return rf"{left} \frac{{{size_latex(numerator, (N, K))}}}{{2}} {right}"


def same_padding_matches(kmax: int = 12) -> bool:
    """The core's 'same' padding (``symconv.arrays.ops.mode_padding``) is (⌊(K−1)/2⌋, ⌈(K−1)/2⌉) for K = 1…kmax."""
    return all(
        mode_padding("correlate", "same", (k,), (1,), (1,)) == (((k - 1) // 2,), (-(-(k - 1) // 2),))
        for k in range(1, kmax + 1)
    )


def modes() -> Section:
    rows = []
    same_lo = sympy.floor((K - 1) / 2)
    # the size uses p_hi = K - 1 - p_lo (equal to the ceiling for integer K; checked by same_padding_matches)
    pads = {"valid": (0, 0), "same": (same_lo, K - 1 - same_lo), "full": (K - 1, K - 1)}
    shown = {
        "valid": ("0", "0"),
        "same": (_floor_half(K - 1), _floor_half(K - 1, ceil=True)),
        "full": (size_latex(K - 1, (N, K)), size_latex(K - 1, (N, K))),
    }
    for mode, (lo, hi) in pads.items():
        size = sympy.simplify(output_size(N, K, 1, 1, lo, hi))
        ex = correlate(list(range(1, 6)), [1, 10], mode)
        cells = [*shown[mode], size_latex(sympy.sympify(size), (N, K))]
        rows.append([f"'{mode}'", *(f"${c}$" for c in cells), str(len(ex)), str(ex.tolist())])
    d = derive("correlate", [1, 2, 3], [1, 10], mode="full")
    return Section(
        "Output lengths and modes",
        [
            Text(
                "A mode is a zero padding $(p_{lo}, p_{hi})$ of the input; the output length is "
                "$N + p_{lo} + p_{hi} - K + 1$ (stride 1, no dilation; the general formula is in chapter 5). "
                "The lengths below are the output-size formula evaluated with symbolic $N$, $K$; the example "
                "column is $x \\star w$ in that mode for $x = [1, 2, 3, 4, 5]$, $w = [1, 10]$. "
                "For an even kernel, 'same' needs an odd total padding: these notes, like PyTorch, put the extra zero "
                "at the end (its 'same' padding is $(\\lfloor (K-1)/2 \\rfloor, \\lceil (K-1)/2 \\rceil)$ for "
                f"every $K \\le 12$ — {'checked' if same_padding_matches() else 'not the case'}); chapter 6 "
                "compares the libraries."
            ),
            Table(
                ["mode", "$p_{lo}$", "$p_{hi}$", "length", "example length", "$x \\star w$"],
                rows,
                caption="The three modes: padding, output length, and an example.",
            ),
            Text(
                "A 'full' correlation worked out, for $x = [1, 2, 3]$ and $w = [1, 10]$: the padded zeros simply "
                "drop out of the sums."
            ),
            Math(d),
        ],
        items=(10,),
    )


def libraries() -> Section:
    f, h = [2, 1, 3, 5, 4], [1, -1]
    return Section(
        "Who computes which",
        [
            Text(
                "Deep-learning layers (PyTorch `conv1d/2d`, TensorFlow/Keras `Conv2D`, `jax.lax.conv_general_dilated`) "
                "compute $x \\star w$; `numpy.convolve`, `scipy.signal.convolve` and `jax.numpy.convolve` compute "
                f"$x \\ast w$. On the seed's data $f = {f}$, $h = {h}$, `np.convolve(f, h, 'valid')` gives "
                f"{snp.convolve(f, h, 'valid').tolist()} and a PyTorch or TensorFlow layer (`conv1d`) gives "
                f"{correlate(f, h).tolist()}. Chapter 6 has the full table, measured on the libraries."
            ),
        ],
        items=(4,),
    )


def learned() -> Section:
    w = symbols("w", (2, 2))
    x = symbols("x", (3, 3))
    same_family = convolve(x, w.flip()).equals(correlate(x, w))
    involution = w.flip().flip() == w
    return Section(
        "Why the flip does not matter for learned kernels — and where it does",
        [
            Text(
                "Since $x \\ast \\operatorname{rot180} w = x \\star w$ "
                f"({_checked(same_family)} on a symbolic $w$) and "
                f"$\\operatorname{{rot180}}(\\operatorname{{rot180}} w) = w$ "
                f"({_checked(involution)}), the map $w \\mapsto \\operatorname{{rot180}} w$ is a bijection of "
                "kernels: a layer "
                "that convolves can represent exactly the functions a layer that correlates can, and gradient descent "
                "simply learns the rotated kernel. Nothing about training changes."
            ),
            Text(
                "The flip matters whenever a kernel is not learned from scratch by the same operation: a fixed filter "
                "(Sobel, a derivative, a non-symmetric blur) copied from a signal-processing text; weights ported "
                "between a library that correlates and one that convolves; the transposed convolution (the "
                "upsampling layer, PyTorch's `ConvTranspose`: the adjoint of a correlation, defined in chapter 5), "
                "whose direct form uses the rotated kernel; and the backward pass, whose input gradient is a true "
                "convolution (chapter 4)."
            ),
        ],
        items=(5,),
    )


def _count_word(n: int) -> str:
    """A small count in words (``3`` → ``three``), the number itself beyond ten."""
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return words[n] if 0 <= n < len(words) else str(n)


def algebra() -> Section:
    a, b, c = symbols("a", 3), symbols("b", 2), symbols("c", 2)
    comm = convolve(a, b, "full").equals(convolve(b, a, "full"))
    assoc = convolve(convolve(a, b, "full"), c, "full").equals(convolve(a, convolve(b, c, "full"), "full"))
    ab, ba = correlate(a, b, "full"), correlate(b, a, "full")
    corr_comm = ab.equals(ba)
    corr_flip = ab.equals(ba.flip())
    x, u, v = symbols("x", 6), symbols("u", 2), symbols("v", 3)
    stacked = correlate(correlate(x, u), v)
    kernel = convolve(u, v, "full")
    direct = correlate(x, kernel)
    stack_ok = stacked.equals(direct)
    stack_corr = stacked.equals(correlate(x, correlate(u, v, "full")))
    return Section(
        "Algebra: commutativity, associativity, stacking",
        [
            Text(
                "Full convolution commutes and associates; full correlation does not commute but reverses. "
                "Each row below is computed on symbolic vectors: $a$ of length 3 and $b$, $c$ of length 2 for the "
                "first four rows, and for the stacking rows $x$, $u$, $v$ of lengths 6, 2, 3 (valid mode):"
            ),
            Table(
                ["left side", "relation", "right side", "mode"],
                [
                    ["$a \\ast b$", _rel(comm), "$b \\ast a$", "full"],
                    ["$(a \\ast b) \\ast c$", _rel(assoc), "$a \\ast (b \\ast c)$", "full"],
                    ["$a \\star b$", _rel(corr_comm), "$b \\star a$", "full"],
                    ["$a \\star b$", _rel(corr_flip), "$\\operatorname{rot180}(b \\star a)$", "full"],
                    ["$(x \\star u) \\star v$", _rel(stack_ok), "$x \\star (u \\ast v)$", "valid; $u \\ast v$ full"],
                    [
                        "$(x \\star u) \\star v$",
                        _rel(stack_corr),
                        "$x \\star (u \\star v)$",
                        "valid; $u \\star v$ full",
                    ],
                ],
                caption="Algebra of convolution and correlation, computed on symbolic vectors: full mode, and stacked "
                "valid correlations.",
            ),
            Text(
                "So two stacked correlation layers (no nonlinearity between them) are one correlation layer whose "
                "kernel is the true convolution of the two kernels. For $u$ of length 2, $v$ of length 3 and a "
                f"symbolic $x$ of length 6 (all {_count_word(len(stacked))} outputs "
                f"{'agree' if stack_ok else 'do not all agree'}), the combined "
                "kernel and the first output computed both ways:"
            ),
            Math(
                "u \\ast v &= "
                + Vector(kernel.tolist()).latex()
                + " \\\\\n((x \\star u) \\star v)[0] &= "
                + _break_before(entry_latex(stacked[0]), " + v[2]")
                + " \\\\\n(x \\star (u \\ast v))[0] &= "
                + _break_before(
                    Sum([Product([Leaf(x[t]), Leaf(kernel[t])]) for t in range(len(kernel))]).latex(), " + x[2]"
                )
            ),
            Text("The general statements, for all lengths $A$, $B$, $C \\ge 1$ of $a$, $b$, $c$ (full mode):"),
            *stated(
                "convolution commutes",
                r"(a \ast b)[m] &= (b \ast a)[m].",
                [
                    Text(
                        "Write the full convolution as $(a \\ast b)[m] = \\sum_j a[j]\\, b[m - j]$, a sum over all "
                        "integers $j$ with entries outside each vector equal to 0. Substitute $j \\to m - j$:"
                    ),
                    Math(r"(a \ast b)[m] &= \sum_j a[m - j]\, b[j] = (b \ast a)[m]."),
                ],
                "full_convolution_commutes",
            ),
            *stated(
                "swapping a correlation reverses it",
                r"(a \star b)[m] &= (b \star a)[A + B - 2 - m].",
                [
                    Text(
                        r"The full correlation is $(a \star b)[m] = \sum_j a[j]\, b[j - m + B - 1]$. Then "
                        r"$(b \star a)[A + B - 2 - m] = \sum_i b[i]\, a[i + m - B + 1]$; substitute "
                        "$i \\to j - m + B - 1$:"
                    ),
                    Math(r"(b \star a)[A + B - 2 - m] &= \sum_j b[j - m + B - 1]\, a[j] = (a \star b)[m]."),
                ],
                "full_correlation_swap_is_flip",
            ),
            *stated(
                "convolution associates",
                r"((a \ast b) \ast c)[m] &= (a \ast (b \ast c))[m].",
                [
                    Text("Expand both convolutions and substitute $j \\to i + l$ in the outer sum:"),
                    Math(
                        r"((a \ast b) \ast c)[m] &= \sum_j \sum_i a[i]\, b[j - i]\, c[m - j]"
                        r" = \sum_i a[i] \sum_l b[l]\, c[m - i - l] \\"
                        "\n"
                        r"&= \sum_i a[i]\, (b \ast c)[m - i] = (a \ast (b \ast c))[m]."
                    ),
                ],
                "full_convolution_associates",
            ),
            Box(
                "theorem",
                [
                    Text(
                        "For $x$ of length $N$, $u$ of length $U$, $v$ of length $V$ with $N \\ge U + V - 1$ "
                        "(valid mode; $u \\ast v$ full, of length $U + V - 1$):"
                    ),
                    Math(r"((x \star u) \star v)[n] &= (x \star (u \ast v))[n], \qquad 0 \le n \le N - U - V + 1."),
                ],
                title="stacked correlations",
            ),
            Box(
                "proof",
                [
                    Text("Expand both correlations and substitute $m = j + k$:"),
                    Math(
                        r"((x \star u) \star v)[n] &= \sum_{j=0}^{V-1} (x \star u)[n + j]\, v[j] "
                        r"= \sum_{j=0}^{V-1} \sum_{k=0}^{U-1} x[n + j + k]\, u[k]\, v[j] \\"
                        "\n"
                        r"&= \sum_{m=0}^{U+V-2} x[n + m] \sum_{j} u[m - j]\, v[j] = (x \star (u \ast v))[n],"
                    ),
                    Text(
                        "with $u$ taken as 0 outside $0 \\le m - j \\le U - 1$; the inner sum is $(u \\ast v)[m]$. "
                        "Every $x[n + m]$ read lies inside $x$ because $n + U + V - 2 \\le N - 1$. (This statement "
                        "has no machine proof in the appendix; the table above checks it at one size.)"
                    ),
                ],
            ),
        ],
        items=(6,),
    )


#: the complex example of this chapter (checked against numpy, scipy and torch in tests/test_notes_oracles.py)
A_COMPLEX, V_COMPLEX = [1 + sympy.I, 2, -sympy.I], [sympy.I, 1]


def complex_values() -> dict[str, Array]:
    """numpy's conjugating correlation both ways, and a layer's (non-conjugating) correlation, 'full' mode."""
    a, v = A_COMPLEX, V_COMPLEX
    return {
        "np.correlate(a, v)": snp.correlate(a, v, "full").expand(),
        "np.correlate(v, a)": snp.correlate(v, a, "full").expand(),
        "layer": correlate(a, v, "full").expand(),
    }


def complex_input() -> Section:
    vals = complex_values()
    np_c, np_swapped, dl = vals["np.correlate(a, v)"], vals["np.correlate(v, a)"], vals["layer"]
    swap_rule = np_swapped.equals(np_c.flip().applyfunc(sympy.conjugate))
    return Section(
        "Complex input: numpy conjugates, deep-learning layers do not",
        [
            Text(
                "`numpy.correlate(a, v)` (and scipy's `correlate` functions, `jax.numpy.correlate`) compute "
                "$c[k] = \\sum_n a[n + k]\\,\\overline{v[n]}$: the second argument is conjugated. Swapping the "
                "arguments reverses and conjugates the output. A correlation layer (PyTorch `conv1d` with a complex "
                "dtype, `jax.lax.conv_general_dilated`) does not conjugate; TensorFlow's layers refuse complex input "
                "(chapter 6). With $a = [1 + i, 2, -i]$, $v = [i, 1]$, 'full' mode:"
            ),
            Math(
                "\\texttt{np.correlate}(a, v) &= " + Vector(np_c.tolist()).latex() + " \\\\\n"
                "\\texttt{np.correlate}(v, a) &= "
                + Vector(np_swapped.tolist()).latex()
                + (" = \\overline{\\operatorname{rot180} \\texttt{np.correlate}(a, v)}" if swap_rule else "")
                + " \\\\\n"
                "a \\star v \\ (\\text{no conjugation}) &= " + Vector(dl.tolist()).latex()
            ),
            Code(
                "import numpy as np\n"
                "a, v = np.array([1+1j, 2, -1j]), np.array([1j, 1])\n"
                f"np.correlate(a, v, 'full')          # {_complex(np_c)}\n"
                f"np.correlate(v, a, 'full')          # {_complex(np_swapped)}\n"
                f"np.correlate(a, v.conj(), 'full')   # {_complex(dl)}  (no conjugation)",
                "python",
            ),
        ],
        items=(7,),
    )


def build() -> Chapter:
    """Chapter 1 as a :class:`~symconv.writing.document.Chapter`."""
    return Chapter(
        "ch1_definitions",
        "1. Convolution vs cross-correlation",
        [definitions(), flip(), example(), modes(), libraries(), learned(), algebra(), complex_input()],
        intro=(
            "Every value below is computed when the notes are built (chapter 7 says how); the human proofs link "
            "their machine proofs."
        ),
    )


if __name__ == "__main__":
    print(build().markdown())
