"""Chapter 4 — backpropagation: the matrix view, the exact backward table, and the folk rule.

Run alone: ``python derivations/ch4_backprop.py`` prints the chapter's Markdown.
"""

from __future__ import annotations

import re

import sympy

from symconv import Array, asarray, backward_rule, convolve, correlate, derive, grad, symbols
from symconv.compat import torch as storch
from symconv.core.formula import ConvSpec, forward
from symconv.display.tree import Indexed, Matrix, Product, Vector, entry_latex
from symconv.writing.derive import backward_cells
from symconv.writing.document import Chapter, Code, Figure, Math, Section, Table, Text
from symconv.writing.figures import backward_dw, backward_dx, legend, window_pairs
from symconv.writing.pictures import im2col
from symconv.writing.stated import stated

# the numeric example of this chapter (checked against torch autograd in tests/test_notes_oracles.py)
X, W, G = [2, 1, 3, 5, 4], [1, -1, 2], [1, 2, -1]


_PAD = {"padding": "p"}

BACKWARD_HEADER = ["gradient", "derived (scatter) formula", "named operation", "parameters"]
#: a padding that the rule's operation name spells as a Python tuple, e.g. ``((1, 1),)``
_TUPLE_PAD = re.compile(r"\(\((\d+), (\d+)\),\)")


def _cells(rule: object) -> list[list[str]]:
    """The rule's rows without the verification column (how a check ran is not what a student needs)."""
    rows = []
    for gradient, formula, operation, params, _verified, _theorem in backward_cells(rule):
        operation = _TUPLE_PAD.sub(lambda m: f"{m.group(1)} at the start, {m.group(2)} at the end", operation)
        rows.append([gradient, formula, operation, _params(params)])
    return rows


#: parameters a backward table need not print (their default values)
_DEFAULTS = {"groups=1", "output padding=0", "crop=(0, 0)", "padding=(0, 0)"}
_PARAM_WORDS = {
    "channels=kernel in/out axes swapped": "the kernel's in/out channel axes swapped",
    "axes=batch, spatial": "over the batch and spatial axes",
}


def _params(cell: str) -> str:
    """A backward rule's parameter cell in words: ``stride=2, crop=(1, 1)`` → ``stride 2, crop 1 at each end``,
    defaults (groups 1, no crop or padding, output padding 0) left out.

    >>> _params("stride=1, dilation=2, crop=(0, 0), output padding=1, groups=1")
    'stride 1, dilation 2, output padding 1'
    >>> _params("mode=full, dilation=2, crop=(1, 2)")
    "mode 'full', dilation 2, crop 1 at the start, 2 at the end"
    """
    out = []
    for part in re.split(r", (?=[a-z ]+=)", cell):
        if part in _DEFAULTS:
            continue
        name, _, value = part.partition("=")
        pair = re.fullmatch(r"\((\d+), (\d+)\)", value)
        if part in _PARAM_WORDS:
            out.append(_PARAM_WORDS[part])
        elif pair:
            out.append(f"{name} {pair[1]} at the start, {pair[2]} at the end")
        elif name == "mode":
            out.append(f"mode '{value}'")
        else:
            out.append(f"{name} {value}")
    return ", ".join(out)


def backward_table(rule: object, caption: str) -> Table:
    """A backward rule as a captioned table of the notes (formulas in the notes' index notation)."""
    return Table(BACKWARD_HEADER, _cells(rule), caption=caption)


def general_kernel_cells(op: str, n: int = 5) -> list[list[str]]:
    """The rule's cells with the kernel size written as ``K``: computed at K = 3 and K = 4, and checked to be the
    same table once ``K - 1`` is substituted by 2 and by 3 (a formula is never printed for one K as if general)."""
    general = None
    for k in (3, 4):
        cells = _cells(backward_rule(op, input_size=n, kernel_size=k))
        text = [[c.replace(f"[{k - 1} - k]", "[K - 1 - k]") for c in row] for row in cells]
        if general is not None and text != general:
            raise ValueError(f"the backward table of {op} depends on K beyond K - 1 - k: {text} vs {general}")
        general = text
    assert general is not None
    return general


def _eq(flag: bool) -> str:
    """``=`` or ``\\ne`` (inside math), as a computed comparison came out."""
    return "=" if flag else "\\ne"


def numeric_gradients() -> tuple[list[int], list[int]]:
    """dL/dx and dL/dw of L = Σ g·(x ⋆ w) for the chapter's numbers, by symconv.grad."""
    x, w = symbols("x", len(X)), symbols("w", len(W))
    y = correlate(x, w)
    env = dict(zip(x.tolist() + w.tolist(), X + W))
    dx = grad(y, x, upstream=G).subs(env)
    dw = grad(y, w, upstream=G).subs(env)
    return [int(v) for v in dx.tolist()], [int(v) for v in dw.tolist()]


def _circulant(n: int, k: int) -> sympy.Matrix:
    """The matrix of a correlation with circular padding, built from the contraction's terms."""
    p = (k - 1) // 2
    spec = ConvSpec(input_size=(n,), kernel_size=(k,), pad_lo=(p,), pad_hi=(k - 1 - p,), padding_mode="circular")
    c = forward(spec)[0]
    w = symbols("w", k).tolist()
    T = sympy.zeros(int(c.result.shape[0]), n)
    for r, pairs in window_pairs(c).items():
        for i, j in pairs:
            T[r, i] += w[j]
    return T


def matrices() -> Section:
    d1 = derive("correlate", symbols("x", 5), symbols("w", 3))
    d2 = derive("correlate", symbols("x", (3, 3)), symbols("w", (2, 2)))
    T1, T2 = d1.matrix(), d2.matrix()
    circ = _circulant(4, 3)
    same = derive("correlate", symbols("x", 4), symbols("w", 3), mode="same").matrix()
    return Section(
        "The matrix of a correlation layer",
        [
            Text(
                "A correlation is linear in $x$: $y = C x$, where $C[n, m] = \\partial y[n] / \\partial x[m]$ is the "
                "weight with which output $n$ reads input $m$ (0 if it does not read it). For $N = 5$, $K = 3$ "
                f"('valid') $C$ is a ${T1.rows} \\times {T1.cols}$ Toeplitz matrix (constant diagonals; not square):"
            ),
            Math("C &= " + Matrix(T1.tolist()).latex()),
            Text(
                f"In 2-D ($3 \\times 3$ input, $2 \\times 2$ kernel, input flattened row by row) it is a "
                f"${T2.rows} \\times {T2.cols}$ doubly block Toeplitz matrix: a Toeplitz arrangement of "
                "Toeplitz blocks."
            ),
            Math("C_{2D} &= " + Matrix(T2.tolist()).latex()),
            Text(
                f"Zero padding in 'same' mode makes $C$ square (${same.rows} \\times {same.cols}$ for $N = 4$, "
                "$K = 3$) but it stays Toeplitz: its corners are cut off by the zeros. Only circular padding makes it "
                "circulant, each row the previous one rotated ($N = 4$, $K = 3$, padding 1 on each side, PyTorch's "
                "`padding_mode='circular'`):"
            ),
            Math("C_{\\text{circ}} &= " + Matrix(circ.tolist()).latex()),
            *stated(
                "the matrix is Toeplitz",
                r"C[n + 1, m + 1] &= C[n, m] \quad\text{whenever } 0 \le n,\ n + 1 \le N - K"
                r"\ \text{and}\ 0 \le m,\ m + 1 \le N - 1.",
                [
                    Text("The entry $C[n, m] = \\partial y[n] / \\partial x[m]$ of $y = x \\star w$ is"),
                    Math(
                        r"C[n, m] &= \sum_{k=0}^{K-1} w[k]\, [n + k = m] "
                        r"= \begin{cases} w[m - n] & 0 \le m - n \le K - 1, \\ 0 & \text{otherwise,} \end{cases}"
                    ),
                    Text(
                        "which depends on $m - n$ only, so it is unchanged when $n$ and $m$ both grow by 1 (inside "
                        "the index ranges above: the hypotheses of the statement)."
                    ),
                ],
                "correlation_matrix_is_toeplitz",
                hypotheses="For $y = x \\star w$ (valid mode) with $x$ of length $N$, $w$ of length $K \\le N$, "
                "and $C$ the $(N - K + 1) \\times N$ matrix with $y = C x$",
            ),
        ],
        items=(13, 14),
    )


def adjoint() -> Section:
    x, w, g = symbols("x", 5), symbols("w", 3), symbols("g", 3)
    d = derive("correlate", x, w)
    C = d.matrix()
    xm, gm = sympy.Matrix(x.tolist()), sympy.Matrix(g.tolist())
    inner = sympy.expand((C * xm).dot(gm) - xm.dot(C.T * gm)) == 0
    ct_g = asarray(_col(C.T * gm))
    full = ct_g.equals(convolve(g, w, "full"))
    rot = ct_g.equals(correlate(g, w.flip(), "full"))
    ct = storch.conv_transpose1d(g.reshape(1, 1, 3), w.reshape(1, 1, 3)).reshape(5)
    tconv = ct_g.equals(ct)
    dx = grad(correlate(x, w), x, upstream=g)
    return Section(
        "The transpose is the transposed convolution and the input gradient",
        [
            Text(
                "For $L = \\langle C x, g \\rangle$ the input gradient is $C^{\\mathsf T} g$. The transposed "
                "convolution (PyTorch's `conv_transpose1d`, defined in chapter 5) is exactly this map "
                "$g \\mapsto C^{\\mathsf T} g$. Computed with symbolic $x$ ($N = 5$), $w$ ($K = 3$) and $g$:"
            ),
            Math(
                f"\\langle C x, g\\rangle &{_eq(inner)} \\langle x, C^{{\\mathsf T}} g\\rangle \\\\\n"
                f"C^{{\\mathsf T}} g &{_eq(full)} g \\ast_{{\\text{{full}}}} w "
                f"{_eq(rot)} g \\star_{{\\text{{full}}}} \\operatorname{{rot180}} w "
                f"{_eq(tconv)} \\texttt{{conv\\_transpose1d}}(g, w) "
                f"{_eq(dx.equals(ct_g))} \\frac{{\\partial L}}{{\\partial x}} \\\\\n"
                "&= " + Vector(ct_g.tolist()).latex()
            ),
            *stated(
                "the adjoint of a correlation",
                r"\langle x \star w,\ g \rangle &= \langle x,\ g \ast_{\text{full}} w \rangle,"
                r"\quad\text{i.e. } C^{\mathsf T} g = g \ast_{\text{full}} w.",
                [
                    Text("Expand the inner product and substitute $m = n + k$ (so $n = m - k$):"),
                    Math(
                        r"\langle x \star w, g \rangle &= \sum_n g[n] \sum_k x[n + k]\, w[k] "
                        r"= \sum_m x[m] \sum_k g[m - k]\, w[k] = \langle x, g \ast_{\text{full}} w \rangle,"
                    ),
                    Text("with $g$ taken as 0 outside $0 \\le n \\le N - K$."),
                ],
                "correlate_adjoint_is_full_convolution",
                hypotheses="For $x$ of length $N$, $w$ of length $K \\le N$ and $g$ of length $N - K + 1$",
            ),
        ],
        items=(15, 17, 28),
    )


def _col(m: sympy.Matrix) -> list[sympy.Expr]:
    return [m[i, 0] for i in range(m.rows)]


def table() -> Section:
    dx, dw = numeric_gradients()
    return Section(
        "The backward table, for both forward conventions",
        [
            Text(
                "Differentiating the forward formula and naming the operation that results gives the tables below. "
                "The derived formula is a **scatter**: each product is added into the gradient entry its index "
                "names, $dx[n + k] \\mathrel{+}= g[n]\\, w[k]$, over every $n$ and $k$ (section 4.8 turns it into "
                "a gather, one entry at a time). Forward $y = x \\star w$ (what deep-learning layers compute):"
            ),
            Table(BACKWARD_HEADER, general_kernel_cells("correlate"), caption="Backward rule of $y = x \\star w$."),
            Text("Forward $y = x \\ast w$ (a true convolution):"),
            Table(BACKWARD_HEADER, general_kernel_cells("convolve"), caption="Backward rule of $y = x \\ast w$."),
            Text(
                "In numbers, with PyTorch's autograd (the comments are the exact gradients, computed when the notes "
                "are built; the test-suite runs this very computation in PyTorch):"
            ),
            Code(
                "import torch\n"
                f"x = torch.tensor([[{X}]], dtype=torch.float, requires_grad=True)\n"
                f"w = torch.tensor([[{W}]], dtype=torch.float, requires_grad=True)\n"
                f"g = torch.tensor([[{G}]], dtype=torch.float)\n"
                "torch.nn.functional.conv1d(x, w).backward(g)\n"
                f"x.grad   # {dx}\n"
                f"w.grad   # {dw}",
                "python",
            ),
            Figure(
                "backward_dx",
                "Input gradient $C^{\\mathsf T} g$ ($N = 5$, $K = 3$): row $m$ of $C^{\\mathsf T}$ reads $g$ through "
                "the flipped kernel; the cell in row $m$, column $g[n]$ is $w[m - n]$. Colours: "
                + legend({"w": "kernel taps", "zero": "zero entries of the matrix"})
                + ".",
                backward_dx(5, 3),
                size=(6.4, 3.2),
            ),
            Figure(
                "backward_dw",
                "Weight gradient ($N = 5$, $K = 3$): row $k$ reads $x[n + k]$ against $g[n]$, no flip (a valid "
                "correlation of $x$ with $g$). Colours: " + legend({"w": "the entry of $x$ each $g[n]$ meets"}) + ".",
                backward_dw(5, 3),
                size=(6.4, 2.2),
            ),
        ],
        items=(17, 18, 24, 35),
    )


def proofs() -> Section:
    return Section(
        "The general proofs",
        [
            Text(
                "The table's identifications hold for every size, not only the sizes it was computed at. Each proof "
                "below is three lines: write the loss, differentiate, and let the delta pick the surviving terms. "
                "Padding $p \\ge 0$ on both sides: the forward reads $x[n + k - p]$ (0 outside $x$)."
            ),
            *stated(
                "input gradient of a correlation",
                r"\frac{\partial L}{\partial x[m]} &= \sum_{k=0}^{K-1} g[m + p - k]\, w[k] "
                r"= (g \ast_{\text{full}} w)[m + p].",
                [
                    Math(
                        r"\frac{\partial L}{\partial x[m]} &= \sum_n g[n] \frac{\partial y[n]}{\partial x[m]} "
                        r"= \sum_n \sum_k g[n]\, w[k]\, [n + k - p = m] \\"
                        "\n"
                        r"&= \sum_k g[m + p - k]\, w[k] = (g \ast_{\text{full}} w)[m + p],"
                    ),
                    Text("with $g$ taken as 0 outside its range: the full convolution, cropped by the padding."),
                ],
                "correlate_grad_input_is_full_convolution",
                printed=({}, _PAD),
                hypotheses="For $y = x \\star w$ with padding $p$, $L$ with $g = \\partial L/\\partial y$",
            ),
            *stated(
                "weight gradient of a correlation",
                r"\frac{\partial L}{\partial w[k]} &= \sum_n x[n + k - p]\, g[n] = (x_{\text{pad}} \star g)[k].",
                [
                    Math(
                        r"\frac{\partial L}{\partial w[k]} &= \sum_n g[n] \frac{\partial y[n]}{\partial w[k]} "
                        r"= \sum_n g[n]\, x[n + k - p],"
                    ),
                    Text(
                        "a valid correlation of the padded input with $g$ (the window slides over $x$, $g$ is the "
                        "kernel): no flip."
                    ),
                ],
                "correlate_grad_weight_is_valid_correlation",
                printed=({}, _PAD),
                hypotheses="Same setting, with $x_{\\text{pad}}[i] = x[i - p]$ the padded input (0 outside $x$)",
            ),
            *stated(
                "input gradient of a convolution",
                r"\frac{\partial L}{\partial x[m]} &= (g \star_{\text{full}} w)[m].",
                [
                    Math(
                        r"\frac{\partial L}{\partial x[m]} &= \sum_k g[m - k]\, w[K - 1 - k] "
                        r"= \sum_{k} g[m - K + 1 + k]\, w[k] = (g \star_{\text{full}} w)[m],"
                    ),
                    Text("by the substitution $k \\to K - 1 - k$."),
                ],
                "convolve_grad_input_is_full_correlation",
                hypotheses="For $y = x \\ast w$ (valid, no padding)",
            ),
            *stated(
                "weight gradient of a convolution",
                r"\frac{\partial L}{\partial w[k]} &= (x \star_{\text{valid}} g)[K - 1 - k].",
                [
                    Text("Tap $k$ of $w$ meets $x[n + K - 1 - k]$ in output $n$ (substitute $k \\to K - 1 - k$):"),
                    Math(
                        r"\frac{\partial L}{\partial w[k]} &= \sum_n g[n]\, x[n + K - 1 - k] "
                        r"= (x \star_{\text{valid}} g)[K - 1 - k]."
                    ),
                ],
                "convolve_grad_weight_is_flipped_valid_correlation",
                hypotheses="Same setting",
            ),
        ],
        items=(17, 18),
    )


def folk() -> Section:
    rows = []
    for op, sym in (("correlate", "$x \\star w$"), ("convolve", "$x \\ast w$")):
        rule = backward_rule(op, input_size=5, kernel_size=3)
        by = {r.gradient: r.operation for r in rule.rows}
        rows.append([sym, by["dL/dx"], by["dL/dw"]])
    return Section(
        "Where the folk rule is true, and where not",
        [
            Text(
                "'Correlation forward, convolution backward' is true for the input gradient only. The weight gradient "
                "of a correlation layer is again a correlation (of the input with $g$, no flip). From the backward "
                "tables above:"
            ),
            Table(
                ["forward", "$\\partial L/\\partial x$", "$\\partial L/\\partial w$"],
                rows,
                caption="The folk rule checked: what each gradient is, for both forward conventions.",
            ),
        ],
        items=(17, 18),
    )


def channels() -> Section:
    x = symbols("x", (1, 2, 3))
    w = symbols("w", (2, 2, 2))
    b = symbols("bias", 2)
    y = storch.conv1d(x, w, b)
    # im2col: one row per output position (all channels' window), one row of W per output channel
    cols = [[x[0, c, n + k] for c in range(2) for k in range(2)] for n in range(2)]
    wrow = [[w[o, c, k] for c in range(2) for k in range(2)] for o in range(2)]
    gemm = (sympy.Matrix(wrow) * sympy.Matrix(cols).T).tolist()
    im2col_ok = all(sympy.expand(gemm[o][n] + b[o] - y[0, o, n]) == 0 for o in range(2) for n in range(2))
    rule = backward_rule("conv1d", input_size=4, kernel_size=2, channels=(2, 2), bias=True, batch=2)
    g = symbols("g", (1, 2, 2))
    dx = grad(y, x, upstream=g)
    ok = all(
        Array(dx.numpy()[0, c]).equals(
            convolve(Array(g.numpy()[0, 0]), Array(w.numpy()[0, c]), "full")
            + convolve(Array(g.numpy()[0, 1]), Array(w.numpy()[1, c]), "full")
        )
        for c in range(2)
    )
    db = grad(y, b, upstream=g)
    db_ok = db.equals(asarray([g[0, 0, 0] + g[0, 0, 1], g[0, 1, 0] + g[0, 1, 1]]))
    return Section(
        "Channels, bias and batch",
        [
            Text(
                "A layer sums over input channels, has one kernel per (output, input) channel pair and one bias per "
                "output channel: $y[b, o, n] = \\mathrm{bias}[o] + \\sum_c \\sum_k x[b, c, n + k]\\, w[o, c, k]$. "
                "With 2 input and 2 output channels (PyTorch's `conv1d`, weight of shape $(C_{out}, C_{in}, K)$), "
                "the first output is"
            ),
            Math("y[0, 0, 0] &= " + entry_latex(y[0, 0, 0])),
            Text(
                "The im2col view (“image to columns”, how libraries run a layer as one GEMM, a general "
                "matrix–matrix multiplication): write every window of $x$ (all input channels) as a row of "
                "$X_{col}$ and every output channel's kernel as a row of $W_{row}$; the layer is one matrix product "
                f"plus the bias, $y[0, o, n] {_eq(im2col_ok)} (W_{{row}} X_{{col}}^{{\\mathsf T}})[o, n] + "
                "\\mathrm{bias}[o]$ for every $o$, $n$:"
            ),
            Math("X_{col} &= " + Matrix(cols).latex() + ", \\\\\nW_{row} &= " + Matrix(wrow).latex()),
            Figure(
                "im2col",
                "The layer above as a picture: the input volume ($N = 3$, 2 channels), $X_{col}$ (row $n$ is the "
                "window of output $n$ over all channels), $W_{row}$ and $y = W_{row} X_{col}^{\\mathsf T}$ + bias. "
                "Colours: "
                + legend(
                    {
                        "hit": "the window of output $n = 1$",
                        "x": "the rest of $x$",
                        "w": "weights",
                        "now": "the outputs of that window",
                        "y": "the others",
                    }
                )
                + ".",
                im2col(3, 2, 2, 2, 1),
                size=(6.6, 3.0),
            ),
            Text("The backward table of the layer:"),
            backward_table(rule, "Backward rule of a layer with 2 input and 2 output channels."),
            Text(
                "The channel axes swap in the input gradient: $\\partial L/\\partial x[c] "
                f"{_eq(ok)} \\sum_o g[o] \\ast_{{\\text{{full}}}} w[o, c]$; $\\partial "
                f"L/\\partial\\,\\mathrm{{bias}}[o] {_eq(db_ok)} "
                "\\sum_{b, n} g[b, o, n]$ (computed exactly)."
            ),
        ],
        items=(16, 19, 20),
    )


def strided() -> Section:
    x, w, g = symbols("x", 6), symbols("w", 3), symbols("g", 2)
    y = correlate(x, w, stride=2)
    dx = grad(y, x, upstream=g)
    rule_s = backward_rule("correlate", input_size=6, kernel_size=3, stride=2)
    rule_d = backward_rule("correlate", input_size=7, kernel_size=2, dilation=2, padding=1)
    return Section(
        "Stride, padding and dilation in the backward pass",
        [
            Text(
                "With stride 2, $N = 6$, $K = 3$: $(N - K) \\bmod s = 1$, so the last input is never read and its "
                "gradient is identically zero:"
            ),
            Math("\\frac{\\partial L}{\\partial x} &= " + Vector(dx.tolist()).latex()),
            Text(
                "The table: the input gradient is a transposed convolution with the same stride (and the output "
                "padding that restores the size: extra positions at the end of its output, section 5.4); the weight "
                "gradient correlates $x$ with $g$ with stride and dilation swapped ($g$ dilated by $s$):"
            ),
            backward_table(
                rule_s, "Backward rule for stride 2, $N = 6$, $K = 3$ (output padding $(N - K) \\bmod 2 = 1$)."
            ),
            Text("Dilation 2 with padding 1: the input gradient is cropped by the padding; dilation appears in both:"),
            backward_table(rule_d, "Backward rule for dilation 2, padding 1, $N = 7$, $K = 2$."),
            Text(
                "In general, with stride $s$, dilation $d$ and padding $p$ the forward is "
                "$y[n] = \\sum_k x[sn + dk - p]\\, w[k]$, and both gradients follow from it in one line each:"
            ),
            *stated(
                "input gradient with stride, dilation and padding",
                r"\frac{\partial L}{\partial x[m]} &= \sum_n \sum_k g[n]\, w[k]\, [sn + dk - p = m] "
                r"= \operatorname{conv\_transpose}(g, w)[m],",
                [
                    Text(
                        "Differentiate $L = \\sum_n g[n]\\, y[n]$: each $g[n]$ is stamped, times the kernel with "
                        "taps $d$ apart, at positions $sn - p, sn - p + d, \\dots$ — which is the definition of the "
                        "transposed convolution with stride $s$, dilation $d$ and padding $p$ (chapter 5). Read as "
                        "a gather over $m$, it is a correlation of $g$ dilated by $s$ with $\\operatorname{rot180} w$."
                    ),
                ],
                "conv_grad_input_is_transposed_conv",
                printed=(
                    {"stride": "s", "dilation": "d"},
                    {"stride": "s", "dilation": "d", "padding": "p"},
                    {"stride": "s", "dilation": "d", "output_padding": "a"},
                    {"stride": "s", "dilation": "d", "padding": "p", "output_padding": "a"},
                ),
                hypotheses="For $y = x \\star w$ with stride $s$, dilation $d$, padding $p$, "
                "$N + 2p \\ge d(K - 1) + 1$, and the transposed convolution with output padding "
                "$a = (N + 2p - d(K - 1) - 1) \\bmod s$ (the proofs cover every $N$: $a = 0$ in one, "
                "$1 \\le a < s$ in another), one input and one output channel",
            ),
            *stated(
                "weight gradient: stride and dilation swap",
                r"\frac{\partial L}{\partial w[k]} &= \sum_n g[n]\, x[dk + sn - p].",
                [
                    Text(
                        "Differentiate $L$ with respect to $w[k]$: only the factor $w[k]$ goes. In the remaining "
                        "sum, read $k$ as the output index (it steps through $x$ by $d$: the stride) and $n$ as the "
                        "tap (it steps by $s$: the dilation) — a correlation of $x$ with $g$, stride $d$, dilation "
                        "$s$, padding $p$, cropped to $K$ outputs."
                    ),
                ],
                "conv_grad_weight_swaps_stride_and_dilation",
                printed=({"stride": "s", "dilation": "d"}, {"stride": "s", "dilation": "d", "padding": "p"}),
                hypotheses="Same setting, but every $N$ with $N + 2p \\ge d(K - 1) + 1$ (no condition on "
                "$(N + 2p - d(K - 1) - 1) \\bmod s$)",
            ),
        ],
        items=(21, 22),
    )


def scatter() -> Section:
    g, w = symbols("g", 3), symbols("w", 3)
    gather = derive("convolve", g, w, mode="full", names=("g", "w", "dx"))
    dx = grad(correlate(symbols("x", 5), w), symbols("x", 5), upstream=g)
    same = dx.equals(gather.result)
    rule = backward_rule("correlate", input_size=5, kernel_size=3)
    derived = rule.rows[0].derived[0]
    loop = {"n0": "n", "k0": "k"}
    lhs = Indexed("dx", derived.result_index, names=loop)
    rhs = Product([Indexed(f.operand, f.index, names=loop) for f in derived.factors])
    return Section(
        "Scatter vs gather: where the rotation comes from",
        [
            Text(
                "The derived gradient (the table's first row, printed from the derived sum) is a scatter "
                "over every $n, k$ — the same index map as the forward pass, no flip anywhere:"
            ),
            Math(lhs.latex() + " &\\mathrel{+}= " + rhs.latex()),
            Text(
                "The 180° rotation appears only when the loop is rewritten as a gather over each input index "
                "$m = n + k$: $dx[m] = \\sum_k g[m - k]\\, w[k]$ for $0 \\le m \\le N - 1$ ($g$, of length "
                "$N - K + 1$, taken as 0 outside its range), which is the full convolution $g \\ast_{\\text{full}} w$. "
                "For $N = 5$, $K = 3$:"
            ),
            Math(gather.body(definition=False)),
            Text(f"and this {'equals' if same else 'does not equal'} the scattered gradient (computed exactly)."),
        ],
        items=(23,),
    )


def build() -> Chapter:
    """Chapter 4 as a :class:`~symconv.writing.document.Chapter`."""
    return Chapter(
        "ch4_backprop",
        "4. Backpropagation",
        [matrices(), adjoint(), table(), proofs(), folk(), channels(), strided(), scatter()],
        intro=(
            "Notation: $y$ is the layer output, $g = \\partial L/\\partial y$ the upstream gradient, and "
            "every gradient below is derived from the forward formula and checked exactly."
        ),
    )


if __name__ == "__main__":
    print(build().markdown())
