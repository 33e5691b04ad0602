"""Chapter 5 — stride, dilation, padding, transposed convolution and output_padding.

Run alone: ``python derivations/ch5_sizes.py`` prints the chapter's Markdown.
"""

from __future__ import annotations

import sympy

from symconv import Array, SymconvError, asarray, correlate, derive, symbols
from symconv.compat import torch as storch
from symconv.core.formula import ConvSpec, output_size, transpose, transpose_output_size
from symconv.display.tree import Indexed, Product
from symconv.writing.animation import conv2d_animation, stamp_animation
from symconv.writing.derive import size_latex
from symconv.writing.document import Chapter, Code, Figure, Math, Section, Table, Text
from symconv.writing.figures import legend, stride_dilation, transposed
from symconv.writing.pictures import stamp

# sizes N (input) and K (kernel) as everywhere in the notes; a is the output_padding of a transposed convolution
N, K, s, d, p, p_lo, p_hi, a = sympy.symbols("N K s d p p_lo p_hi a", integer=True, nonnegative=True)
#: the size of a transposed convolution's input g (the forward's output size)
N_g = sympy.Symbol("N_g", integer=True, nonnegative=True)


def grouped(expr: sympy.Expr, groups: list[sympy.Symbol], order: tuple[sympy.Symbol, ...], rest_first: bool) -> str:
    """LaTeX of a size expression with the ``groups`` symbols factored out: ``s(i - 1) + d(k - 1) + …``."""
    parts = sympy.collect(sympy.expand(expr), groups, evaluate=False)
    pieces = []
    for g in groups:
        if g in parts:
            c = parts[g]
            neg = bool(c.could_extract_minus_sign())
            pieces.append((neg, sympy.latex(g) + "(" + size_latex(-c if neg else c, order) + ")"))
    rest = parts.get(sympy.Integer(1), sympy.Integer(0))
    rest_s = size_latex(rest, order) if rest != 0 else ""
    out = rest_s if rest_first else ""
    for neg, body in pieces:
        out += (" - " if neg else (" + " if out else "")) + body
    if not rest_first and rest_s:
        out += (" - " + rest_s[1:]) if rest_s.startswith("-") else (" + " + rest_s)
    return out


def _eq(flag: bool) -> str:
    """``=`` or ``\\ne`` (inside math), as a computed comparison came out."""
    return "=" if flag else "\\ne"


# (N, K, s, p, d) and the case of Dumoulin & Visin's guide each one illustrates; what the floor drops (if
# anything) is added to the label by :func:`unread`, computed from the index formula, never typed
CASES = [
    (4, 3, 1, 0, 1, "no padding, unit stride: $o = N - K + 1$"),
    (5, 4, 1, 2, 1, "padding $p$, unit stride: $o = N - K + 2p + 1$"),
    (5, 3, 1, 1, 1, "half padding ($p = \\lfloor K/2 \\rfloor$, odd $K$): $o = N$"),
    (5, 3, 1, 2, 1, "full padding ($p = K - 1$): $o = N + K - 1$"),
    (5, 3, 2, 0, 1, "no padding, stride 2"),
    (6, 3, 2, 0, 1, "no padding, stride 2"),
    (5, 3, 2, 1, 1, "padding and stride"),
    (6, 3, 2, 1, 1, "padding and stride"),
    (7, 3, 1, 0, 2, "dilation: span $d(K-1)+1$"),
    (8, 3, 2, 1, 2, "dilation, padding and stride"),
]


def unread(n: int, k: int, s_: int, p_: int, d_: int) -> tuple[list[int], list[int], int]:
    """What no window reads, for a correlation with padding ``p_`` on both sides (the windows read the padded
    positions ``s n + d k``; ``x[j]`` sits at padded position ``j + p``): the inputs past the last window (the
    floor drops them), the inputs inside the windows' span that stride and dilation step over, and the number of
    trailing padding zeros past the last window."""
    o = int(output_size(n, k, s_, d_, p_, p_))
    read = {s_ * i + d_ * j for i in range(o) for j in range(k)}
    last = max(read)
    dropped = [j for j in range(n) if j + p_ > last]
    skipped = [j for j in range(n) if j + p_ <= last and j + p_ not in read]
    zeros = sum(1 for q in range(n + p_, n + 2 * p_) if q > last)
    return dropped, skipped, zeros


def _entries(js: list[int]) -> str:
    return ", ".join(f"$x[{j}]$" for j in js)


def case_label(n: int, k: int, s_: int, p_: int, d_: int, case: str) -> str:
    """A row's label: its case, then what no window reads — computed by :func:`unread`, never typed."""
    dropped, skipped, zeros = unread(n, k, s_, p_, d_)
    notes = []
    if dropped:
        notes.append(f"the floor drops {_entries(dropped)}")
    elif zeros:
        notes.append("the floor drops " + ("a padding zero" if zeros == 1 else f"{zeros} padding zeros") + ", no input")
    if skipped:
        notes.append(f"{_entries(skipped)} never read (stepped over)")
    return case + "".join(f"; {n_}" for n_ in notes)


def _numerator(size: sympy.Expr) -> sympy.Expr:
    """``A`` in ``floor(A / s) + 1`` (the expression returned by ``output_size``)."""
    fl = next(a for a in sympy.Add.make_args(size) if isinstance(a, sympy.floor))
    return sympy.expand(fl.args[0] * s)


def sizes() -> Section:
    general = output_size(N, K, s, d, p_lo, p_hi)
    rows = []
    for ii, kk, ss, pp, dd, case in CASES:
        o = int(output_size(ii, kk, ss, dd, pp, pp))
        y = correlate([1] * ii, [1] * kk, stride=ss, dilation=dd, padding=pp)
        rows.append(
            [
                case_label(ii, kk, ss, pp, dd, case),
                str(ii),
                str(kk),
                str(ss),
                str(pp),
                str(dd),
                str(dd * (kk - 1) + 1),
                str(o),
                str(len(y)),
            ]
        )
    return Section(
        "Output size",
        [
            Text(
                "Per axis, with input size $N$, kernel size $K$, stride $s$, dilation $d$ and zero padding "
                "$p_{lo}$ before and $p_{hi}$ after ($p$ on both sides in PyTorch's `padding=p`), the output size is "
                "(the size formula, printed with symbolic sizes):"
            ),
            Math(
                "o &= \\left\\lfloor \\frac{"
                + grouped(_numerator(general), [d], (N, p_lo, p_hi, K), True)
                + "}{s} \\right\\rfloor + 1"
            ),
            Text(
                "The floor matters whenever $s > 1$. Dilation $d = 1$ means no gaps (some texts say 'dilation 0'); "
                "the kernel then spans $d(K-1)+1$ inputs. Each row below: the formula, and the length of an actual "
                "correlation's output, for the cases of Dumoulin & Visin's guide (the test-suite checks the "
                "lengths against PyTorch `conv1d` and TensorFlow `tf.nn.conv1d`). Where the floor cuts the last "
                "partial window, the row says what is lost: an input (its gradient is then zero) or only a padding "
                "zero:"
            ),
            Table(
                ["case", "$N$", "$K$", "$s$", "$p$", "$d$", "span", "formula $o$", "computed length"],
                rows,
                caption="Output size: the formula against the length of a computed correlation.",
            ),
        ],
        items=(25, 26),
    )


def subsample() -> Section:
    x, w = symbols("x", 9), symbols("w", 3)
    strided = correlate(x, w, stride=2)
    sub = asarray(correlate(x, w).tolist()[::2])
    many = sorted({int(output_size(n, 3, 2)) for n in (7, 8)})
    dil = derive("correlate", x, w, dilation=2, stride=2)
    return Section(
        "Stride is subsampling; dilation spreads the kernel",
        [
            Text(
                "A strided correlation is the unit-stride correlation subsampled: $(x \\star_{s=2} w)[n] "
                f"{_eq(strided.equals(sub))} (x \\star w)[2n]$ (computed on a symbolic $x$ of length 9). "
                "Hence several input "
                f"sizes give one output size: $N = 7$ and $N = 8$ with $K = 3$, $s = 2$ both give $o = {many[0]}$ "
                f"({'one size' if len(many) == 1 else 'different sizes'}), and a transposed convolution must be told "
                "which one to restore (output_padding, below). With stride 2 and dilation 2 the definition and the "
                "expansion read:"
            ),
            Math(dil.body()),
            Figure(
                "stride_dilation",
                "Which inputs each output reads: stride 2, dilation 2, $K = 3$, $N = 9$; the cell in row $y[n]$, "
                "column $i$ names the tap $w[k]$ that multiplies $x[i]$ ($i = 2n + 2k$). Colours: "
                + legend({"w": "entries read", "zero": "entries skipped"})
                + ".",
                stride_dilation(9, 3, 2, 2),
                size=(6.4, 2.4),
            ),
            Text(
                "In 2-D (animated in the Markdown edition; the PDF shows one frame) the window jumps by the stride "
                "along each axis and, with padding, reads the zeros around the input:"
            ),
            conv2d_animation(
                "anim_conv2d_s2_p1",
                n=5,
                k=3,
                stride=2,
                padding=1,
                caption="A 3×3 kernel sliding over a 5×5 input with padding 1 and stride 2.",
            ),
        ],
        items=(26, 27, 35),
    )


def _zero_insert(x: list[sympy.Expr], s_: int) -> list[sympy.Expr]:
    out: list[sympy.Expr] = []
    for j, v in enumerate(x):
        out.append(v)
        if j < len(x) - 1:
            out += [sympy.Integer(0)] * (s_ - 1)
    return out


def transposed_conv() -> Section:
    spec = ConvSpec(input_size=(N_g,), kernel_size=(K,), stride=(s,), dilation=(d,), pad_lo=(p,), pad_hi=(p,))
    c = transpose(spec)[0]
    loop = {"n0": "n", "k0": "k"}
    lhs = Indexed("y", c.result_index, names=loop)
    rhs = Product([Indexed({"x": "g"}.get(f.operand, f.operand), f.index, names=loop) for f in c.factors])
    size = transpose_output_size(N_g, K, s, d, p, p, a)
    # the direct form, checked against symconv.compat.torch.conv_transpose1d
    checks = []
    for n_in, kk, ss, pp, dd, opad in ((3, 3, 2, 0, 1, 0), (3, 3, 2, 1, 1, 1), (4, 2, 3, 1, 2, 2), (2, 3, 1, 1, 1, 0)):
        x, w = symbols("x", n_in), symbols("w", kk)
        ref = storch.conv_transpose1d(
            x.reshape(1, 1, n_in), w.reshape(1, 1, kk), stride=ss, padding=pp, output_padding=opad, dilation=dd
        ).reshape(-1)
        z = asarray(_zero_insert(x.tolist(), ss))
        pad = dd * (kk - 1) - pp
        direct = correlate(z, w.flip(), dilation=dd, padding=((pad, pad + opad),))
        norot = correlate(z, w, dilation=dd, padding=((pad, pad + opad),))
        checks.append(
            [
                str(n_in),
                str(kk),
                str(ss),
                str(pp),
                str(dd),
                str(opad),
                str(len(ref)),
                "yes" if direct.equals(ref) else "NO",
                "yes" if norot.equals(ref) else "no",
            ]
        )
    # channels: rotate AND swap in/out
    xc, wc = symbols("x", (1, 2, 3)), symbols("w", (2, 3, 2))  # ConvTranspose layout (C_in, C_out, K)
    ref = storch.conv_transpose1d(xc, wc, stride=1)
    swapped = Array(wc.numpy().transpose(1, 0, 2)[:, :, ::-1].copy())
    direct = storch.conv1d(xc, swapped, padding=1)
    unswapped_ok = False
    try:
        unswapped_ok = storch.conv1d(xc, Array(wc.numpy()[:, :, ::-1].copy()), padding=1).equals(ref)
    except SymconvError:  # a shape mismatch also shows the swap is needed
        unswapped_ok = False
    return Section(
        "Transposed convolution",
        [
            Text(
                "The transposed convolution is defined as the adjoint of a correlation with the same hyper-parameters "
                "— the map $g \\mapsto \\partial L/\\partial x$ of chapter 4 — not as its inverse ('deconvolution' "
                "is a misnomer). Its formula is the forward one read as a scatter of its input $g$ "
                "(printed from the one index formula):"
            ),
            Math(lhs.latex() + " &\\mathrel{+}= " + rhs.latex()),
            Figure(
                "stamp",
                "conv_transpose with stride 2 as stamps: each entry $g[n]$ of its input adds the scaled kernel "
                "$g[n]\\,w$ at positions $2n, 2n + 1, 2n + 2$ of the output $y$; the bottom row counts the terms of "
                "each output $y[m]$. Colours: "
                + legend({"w": "the terms $g[n]\\,w[k]$", "blank": "no term", "y": "the count"})
                + ".",
                stamp(3, 3, 2),
                size=(6.4, 2.8),
            ),
            stamp_animation("anim_stamp", n=3, k=3, stride=2),
            Text(
                "Its input $g$ has size $N_g$ (the forward's output size) and $a$ is the output_padding; its "
                "output size is"
            ),
            Math("o &= " + grouped(size, [s, d], (N_g, K, p, a), False)),
            Text(
                "As a direct correlation: insert $s - 1$ zeros between inputs, pad $d(K-1) - p$ on both sides "
                "(plus output_padding at the end), and correlate with the kernel rotated by 180° (dilated by $d$). "
                "Each row compares this, on symbolic entries, with PyTorch's `conv_transpose1d` (the test-suite "
                "repeats it numerically with torch); the last column shows that without the rotation (as in "
                "Dumoulin & Visin's pictures) it fails:"
            ),
            Table(
                [
                    "$N_g$",
                    "$K$",
                    "$s$",
                    "$p$",
                    "$d$",
                    "output padding $a$",
                    "$o$",
                    "rotated: equal",
                    "not rotated: equal",
                ],
                checks,
                caption="The transposed convolution as a direct correlation, against PyTorch's `conv_transpose1d`.",
            ),
            Figure(
                "transposed",
                "Transposed convolution of $g$ ($s = 2$, $K = 3$) as a direct correlation: zeros between and around "
                "the entries of $g$, the kernel read rotated; row $y[m]$ shows the taps under the top row. Colours: "
                + legend(
                    {
                        "x": "entries of $g$",
                        "zero": "zeros and the taps that meet them",
                        "w": "taps that meet an entry of $g$",
                    }
                )
                + ".",
                transposed(3, 3, 2),
                size=(6.4, 3.4),
            ),
            Text(
                "With channels the kernel's in/out axes must also be swapped: PyTorch's ConvTranspose weight is "
                "$(C_{in}, C_{out}, K)$. For $x$ of shape $(1, 2, 3)$ and $w$ of shape $(2, 3, 2)$ (stride 1, no "
                "padding), `conv1d(x, swap(rot180 w), padding=1)`, with `swap` exchanging the first two axes, "
                f"{'equals' if direct.equals(ref) else 'does not equal'} `conv_transpose1d(x, w)`; rotated but not "
                f"swapped it {'equals it too' if unswapped_ok else 'does not'} (the test-suite repeats this with "
                "torch on random integers). In PyTorch:"
            ),
            Code(
                "import torch\n"
                "x, w = torch.randn(1, 2, 3), torch.randn(2, 3, 2)   # ConvTranspose weight: (C_in, C_out, K)\n"
                "a = torch.nn.functional.conv_transpose1d(x, w)\n"
                "b = torch.nn.functional.conv1d(x, w.transpose(0, 1).flip(-1), padding=1)   # swap, rotate\n"
                f"torch.allclose(a, b)   # {direct.equals(ref)}",
                "python",
            ),
        ],
        items=(28, 29, 35),
    )


def output_padding() -> Section:
    rows = []
    for ii, kk, ss, pp in ((8, 3, 2, 1), (7, 3, 2, 1), (10, 4, 3, 1), (9, 4, 3, 1), (11, 4, 3, 1)):
        o = int(output_size(ii, kk, ss, 1, pp, pp))
        opad = (ii + 2 * pp - (kk - 1) - 1) % ss
        back0 = int(transpose_output_size(o, kk, ss, 1, pp, pp, 0))
        back = int(transpose_output_size(o, kk, ss, 1, pp, pp, opad))
        rows.append([str(ii), str(kk), str(ss), str(pp), str(o), str(back0), str(opad), str(back)])
    ex = [int(c) for c in rows[0]]
    x = asarray([1, 2, 3, 4])
    w = asarray([1, 1])
    y = correlate(x, w)
    restored = storch.conv_transpose1d(y.reshape(1, 1, 3), w.reshape(1, 1, 2)).reshape(-1)
    return Section(
        "output_padding restores the shape, not the values",
        [
            Text(
                "Because several input sizes share one output size, the transposed convolution needs "
                "$a = (N + 2p - d(K-1) - 1) \\bmod s$ extra positions at the end to return to size $N$:"
            ),
            Table(
                ["$N$", "$K$", "$s$", "$p$", "forward $o$", "transpose with $a = 0$", "$a$", "transpose with $a$"],
                rows,
                caption="output_padding: the sizes a transposed convolution returns without it and with it.",
            ),
            Text("In PyTorch (the first row):"),
            Code(
                "import torch\n"
                f"F, w = torch.nn.functional, torch.ones(1, 1, {ex[1]})\n"
                f"y = F.conv1d(torch.ones(1, 1, {ex[0]}), w, stride={ex[2]}, padding={ex[3]})\n"
                f"y.shape[-1]   # {ex[4]}\n"
                f"F.conv_transpose1d(y, w, stride={ex[2]}, padding={ex[3]}).shape[-1]   # {ex[5]}\n"
                f"F.conv_transpose1d(y, w, stride={ex[2]}, padding={ex[3]}, output_padding={ex[6]}).shape[-1]   "
                f"# {ex[7]}",
                "python",
            ),
            Text(
                f"It restores the shape only: for $x = {x.tolist()}$, $w = {w.tolist()}$, the correlation gives "
                f"{y.tolist()} and the transposed convolution of that gives {restored.tolist()}, not $x$."
            ),
        ],
        items=(28, 30),
    )


def build() -> Chapter:
    """Chapter 5 as a :class:`~symconv.writing.document.Chapter`."""
    return Chapter(
        "ch5_sizes",
        "5. Stride, dilation, padding and transposed convolution",
        [sizes(), subsample(), transposed_conv(), output_padding()],
        intro="All sizes are per spatial axis; every number below is computed when the notes are built.",
    )


if __name__ == "__main__":
    print(build().markdown())
