"""Chapter 2 — the seed's worked examples, reproduced exactly, with an errata box.

The seed is the Q&A this project started from (``derivations/seed/``). Its
passages are quoted verbatim; every number is then recomputed by symconv and
compared with what the seed claims (parsed from the quoted text).

Run alone: ``python derivations/ch2_seed.py`` prints the chapter's Markdown.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import sympy

from symconv import convolve, correlate, derive, grad, symbols
from symconv.compat import numpy as snp
from symconv.display.tree import Vector
from symconv.writing.document import Box, Chapter, Code, Math, Section, Table, Text

SEED = Path(__file__).resolve().parent / "seed" / "convolution-vs-cross-correlation.txt"
F, H, H2, H2_SNIPPET = [2, 1, 3, 5, 4], [1, -1], [-1, 2, -1], [-1, 2, 1]


def seed_text() -> str:
    """The seed, as stored in the repository."""
    return SEED.read_text(encoding="utf-8")


def passage(start: str, end: str) -> str:
    """The seed's text from the line starting with ``start`` up to (not including) the line starting with ``end``."""
    lines = seed_text().splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith(start))
    j = next(n for n in range(i + 1, len(lines)) if lines[n].startswith(end))
    return "\n".join(lines[i:j]).strip("\n")


def _wrap(text: str) -> str:
    out = []
    for line in text.splitlines():
        out += textwrap.wrap(line, 88, break_long_words=False, break_on_hyphens=False) or [""]
    return "\n".join(out)


def claimed(block: str) -> list[list[int]]:
    r"""The result vectors the seed writes as ``[a, b, c] \in \mathbb{R}^{1 \times n}``."""
    found = re.findall(r"&=\\\\ \[([-\d, ]+)\] \\in \\mathbb\{R\}", block)
    return [[int(t) for t in m.split(",")] for m in found]


def first_expansion(block: str) -> str:
    """The first bracketed expansion line the seed writes in an ``align`` block (``*`` for products)."""
    m = re.search(r"&=\\\\ \[(.*?), \\\\", block)
    if m is None:
        raise ValueError("seed: no expansion found")
    return m.group(1)


def _computed(op: str, f: list[int], h: list[int], label: tuple[str, str]) -> Math:
    """The derivation of ``op`` on the seed's data, its defining line named by the operation (``(f ∗ h)[n] = …``)."""
    d = derive(op, f, h, kernel_first=True, names=("f", "h", "g"), label=label)
    body = str(d.body())
    head, sep, rest = body.partition(" &= ")
    if head != "g[n]":
        raise ValueError(f"the derivation does not start with g[n]: {body[:40]!r}")
    return Math("(" + label[0].split(" = ")[0] + ")[n]" + sep + rest)


#: Where the seed comes from, said once (its text is CC BY-SA: short quotes only, the rest paraphrased).
SOURCE = (
    "a question-and-answer post on Artificial Intelligence Stack Exchange, question 20987, “Do convolutional neural "
    "networks perform convolution or cross-correlation?” (an archived copy: "
    "https://library.kiwix.org/ai.stackexchange.com_en_all_2020-10/A/question/20987.html; its answers are by the "
    "users nbro and Recessive, as the signed comments under them show), licensed under CC BY-SA 4.0 "
    "(https://creativecommons.org/licenses/by-sa/4.0/); "
    "the quotes below are short and marked, the rest is paraphrased"
)


def seed_aligns(block: str) -> list[list[str]]:
    r"""The steps of each ``\begin{align}`` of a seed passage: the label, then every ``&=`` step, as written."""
    out = []
    for body in re.findall(r"\\begin\{align\}(.*?)\\end\{align\}", block, re.S):
        steps = [" ".join(s.replace("\\\\", " ").split()) for s in body.split("&=")]
        out.append([s for s in steps if s])
    return out


def rendered(steps: list[str]) -> Math:
    r"""A seed derivation typeset (not shown as LaTeX source): its own symbols, ``*`` as ``\cdot``, one step a line."""
    lines = [_seed_latex(s).replace("[", "\\bigl[").replace("]", "\\bigr]") for s in steps]
    return Math(f"{lines[0]} &= {lines[1]}" + "".join(f" \\\\\n&= {line}" for line in lines[2:]))


def _claims_table(names: tuple[str, str], seed_results: list[list[int]], ours: list[list[int]]) -> Table:
    return Table(
        ["result", "the seed claims", "symconv computes", "agree"],
        [[n, str(s), str(o), "yes" if s == o else "NO"] for n, s, o in zip(names, seed_results, ours)],
        caption="The seed's results against symconv's.",
    )


def example1() -> Section:
    block = passage("Example 1", "Notes")
    conv = derive("convolve", F, H, kernel_first=True)
    corr = derive("correlate", F, H, kernel_first=True)
    seed_results = claimed(block)
    ours = [[int(v) for v in conv.result.tolist()], [int(v) for v in corr.result.tolist()]]
    seed_conv, seed_corr = seed_aligns(block)
    return Section(
        "Example 1, as the seed writes it",
        [
            Text(
                f"The seed is {SOURCE}. It writes $\\circledast$ for convolution and $\\otimes$ for cross-correlation "
                "(these notes: $\\ast$ and $\\star$). Its Example 1 takes $f = [2, 1, 3, 5, 4]$ and the kernel "
                "$h = [1, -1]$, no padding, stride 1, and computes the convolution by multiplying each window of $f$ "
                "with the “horizontally flipped kernel” $[-1, 1]$ (a quote), and the cross-correlation with $h$ as is. "
                "Its two derivations, typeset as it writes them:"
            ),
            rendered(seed_conv),
            rendered(seed_corr),
            Text("Recomputed, with each product written kernel-first as the seed does:"),
            _computed("convolve", F, H, (r"f \ast h = g_1", "f ∗ h = g_1")),
            _computed("correlate", F, H, (r"f \star h = g_2", "f ⋆ h = g_2")),
            _claims_table(("$g_1 = f \\ast h$", "$g_2 = f \\star h$"), seed_results, ours),
        ],
        items=(3,),
    )


def example2() -> Section:
    block = passage("Example 2", "CNNs have learnable kernels")
    conv = derive("convolve", F, H2, kernel_first=True)
    corr = derive("correlate", F, H2, kernel_first=True)
    seed_results = claimed(block)
    ours = [[int(v) for v in conv.result.tolist()], [int(v) for v in corr.result.tolist()]]
    seed_conv, seed_corr = seed_aligns(block)
    return Section(
        "Example 2 (symmetric kernel), as the seed writes it",
        [
            Text(
                "Example 2 uses the kernel $h_2 = [-1, 2, -1]$, “symmetric around the middle element”, and finds "
                "that both operations give the same result. Its derivations, typeset:"
            ),
            rendered(seed_conv),
            rendered(seed_corr),
            Text("Recomputed:"),
            _computed("convolve", F, H2, (r"f \ast h_2 = g_3", "f ∗ h_2 = g_3")),
            _computed("correlate", F, H2, (r"f \star h_2 = g_4", "f ⋆ h_2 = g_4")),
            _claims_table(("$g_3 = f \\ast h_2$", "$g_4 = f \\star h_2$"), seed_results, ours),
        ],
        items=(8,),
    )


#: The printed results in the comments of the seed's snippets (``# g1 = [-1.  2.  2. -1.]``).
_COMMENT = re.compile(r"#[^\n\[]*\[([-\d., ]+)\]")


def commented(code: str) -> list[list[int]]:
    """The vectors the seed's code comments say are printed, as integers."""
    return [[int(float(t)) for t in m.replace(",", " ").split()] for m in _COMMENT.findall(code)]


def snippets() -> Section:
    code = passage("import numpy as np", "However, NumPy")
    tf = passage("import tensorflow as tf", "Further reading")
    np_said, tf_said = commented(code), commented(tf)
    conv, corr = snp.convolve(F, H, "valid").tolist(), snp.correlate(F, H, "valid").tolist()
    agree = np_said == [conv, corr] and tf_said[0] == correlate(F, H).tolist()
    return Section(
        "The seed's code",
        [
            Text(
                'The seed\'s numpy snippet calls `np.convolve(f, h, mode="valid")` and `np.correlate(f, h, '
                f'mode="valid")` and says, in its comments, that they print {np_said[0]} and {np_said[1]}. It also '
                f"defines `{_line(code, 'h2 =')}` and never uses it (erratum 1). Its TensorFlow snippet reshapes $f$ "
                'and $h$ for `tf.nn.conv1d(f, h, stride=1, padding="VALID")` and says it prints '
                f"{tf_said[0]}. Run today, with the values computed when these notes are built:"
            ),
            Code(
                "import numpy as np, tensorflow as tf\n"
                f"f, h = np.array({[float(v) for v in F]}), np.array({[float(v) for v in H]})\n"
                f"np.convolve(f, h, 'valid')    # {conv}\n"
                f"np.correlate(f, h, 'valid')   # {corr}\n"
                "x = tf.reshape(tf.constant(f, tf.float32), [1, -1, 1])   # (batch, width, channels)\n"
                "w = tf.reshape(tf.constant(h, tf.float32), [-1, 1, 1])   # (width, in, out)\n"
                f"tf.nn.conv1d(x, w, stride=1, padding='VALID')             # {correlate(F, H).tolist()}",
                "python",
            ),
            Text(
                f"The values in the comments {'are' if agree else 'are not'} what the calls return: "
                f"numpy's `convolve` reverses the kernel, `np.correlate` and `tf.nn.conv1d` do not "
                f"(both give {correlate(F, H).tolist()}). The test-suite runs this very `tf.nn.conv1d` call, and "
                "the PyTorch and JAX layers, on the same data."
            ),
        ],
        items=(4,),
    )


def _eq(flag: bool) -> str:
    """``=`` or ``\\ne`` in math, as a computed comparison came out."""
    return "=" if flag else "\\ne"


def _line(code: str, start: str) -> str:
    """The one line of the seed's code starting with ``start`` (a short quote)."""
    return next(line.strip() for line in code.splitlines() if line.strip().startswith(start))


def _seed_latex(product_sum: str) -> str:
    """The seed's ``(-1)*2 + 1*2`` as LaTeX with the same factors (``*`` becomes ``\\cdot``)."""
    return " ".join(product_sum.split()).replace(" * ", "*").replace("*", r" \cdot ")


def errata() -> Section:
    ex2 = passage("Example 2", "CNNs have learnable kernels")
    seed_first = first_expansion(ex2)
    ours_first = derive("convolve", F, H2, kernel_first=True).steps[2].rhs.items[0]
    seed_dot = _seed_latex(seed_first)
    # the value of the seed's line (its products parsed, never evaluated as code) against symconv's first entry
    seed_value = sum(int(u) * int(v) for u, v in re.findall(r"\(?(-?\d+)\)?\s*\*\s*\(?(-?\d+)\)?", seed_first))
    same_value = seed_value == int(convolve(F, H2).tolist()[0])
    c_snip, r_snip = snp.convolve(F, H2_SNIPPET, "valid").tolist(), snp.correlate(F, H2_SNIPPET, "valid").tolist()
    c_ok, r_ok = snp.convolve(F, H2, "valid").tolist(), snp.correlate(F, H2, "valid").tolist()
    w0 = sympy.Symbol("w_0")
    anti = [w0, -w0]
    x = symbols("x", 5)
    neg = convolve(x, anti).equals(-correlate(x, anti))
    flipped_is_neg = [sympy.expand(a + b) == 0 for a, b in zip(reversed(anti), anti)]
    ws = symbols("w", 2)
    y = correlate(x, ws)
    g = symbols("g", 4)
    dx, dw = grad(y, x, upstream=g), grad(y, ws, upstream=g)
    dx_conv = dx.equals(convolve(g, ws, "full"))
    dw_corr = dw.equals(correlate(x, g))
    dw_conv = dw.equals(convolve(x, g))
    sym_matrix = [[1, 2], [2, 3]]
    sm_equal = convolve(symbols("x", (3, 3)), sym_matrix).equals(correlate(symbols("x", (3, 3)), sym_matrix))
    return Section(
        "Errata",
        [
            Box(
                "errata",
                [
                    Text("The seed's results are right; four points need correcting or adding."),
                    Text(
                        "**1. The numpy snippet's kernel is not symmetric.** It defines "
                        f"`h2 = np.array([-1., 2., 1.])`, not Example 2's $h_2 = {H2}$, and then never uses it. "
                        f"Had it been used: `np.convolve(f, h2, 'valid')` = {c_snip} and "
                        f"`np.correlate(f, h2, 'valid')` = {r_snip} differ, so the snippet's `h2` does not "
                        f"illustrate Example 2 (with $h_2 = {H2}$ both give {c_ok} and {r_ok})."
                    ),
                    Text(
                        "**2. Why $[1, -1]$ gives exact negatives.** The seed observes that $g_1 = -g_2$ but does not "
                        "say why. $h = [1, -1]$ is anti-symmetric: its flip is its negative "
                        f"({'checked' if all(flipped_is_neg) else 'FAILS'} for $[w_0, -w_0]$), so "
                        "$f \\ast h = f \\star \\operatorname{rot180} h = f \\star (-h) = -(f \\star h)$; "
                        f"on a symbolic $x$ of length 5, $x \\ast [w_0, -w_0] {_eq(neg)} -(x \\star [w_0, -w_0])$. "
                        "Chapter 3 proves the general statement (anti-centrosymmetric kernels)."
                    ),
                    Text(
                        "**3. 'Symmetric around the middle element' in 2-D means centrosymmetric.** A kernel equal to "
                        "its transpose is not enough: for $w = [[1, 2], [2, 3]]$ ($w = w^{\\mathsf T}$), "
                        f"$x \\ast w {_eq(sm_equal)} x \\star w$ (computed on a symbolic $3 \\times 3$ "
                        "input). The condition is "
                        "$\\operatorname{rot180} w = w$ (chapter 3)."
                    ),
                    Text(
                        "**4. 'Correlation forward, convolution backward' is only half true.** For $y = x \\star w$ "
                        "and $g = \\partial L/\\partial y$, differentiated exactly for $N = 5$, $K = 2$: "
                        f"$\\partial L/\\partial x {_eq(dx_conv)} g \\ast_{{\\text{{full}}}} w$ "
                        "(a convolution: the half that is true), "
                        f"$\\partial L/\\partial w {_eq(dw_corr)} x \\star_{{\\text{{valid}}}} g$ and "
                        f"$\\partial L/\\partial w {_eq(dw_conv)} x \\ast_{{\\text{{valid}}}} g$: the weight gradient "
                        "is a correlation. Chapter 4 has the general proofs."
                    ),
                ],
                title="what the seed gets wrong or leaves out",
            ),
            Text(
                f"**Remark (not an error): Example 2's first line mixes the factor order.** The seed writes "
                f"`{seed_first}`, i.e. ${seed_dot}$, for the first entry (both operations). Its other terms "
                f"put the kernel value first; the middle one does not: kernel-first it reads "
                f"${ours_first.latex()}$, the kernel's middle value $h_2[1] = 2$ times $f[1] = 1$. Since "
                f"$1 \\cdot 2 = 2 \\cdot 1$ the value is {'the same' if same_value else 'not the same'} "
                "(computed): an inconsistency of notation only. The seed's next line (`-2 + 2 + -3`) and its "
                "results are right."
            ),
            Text("The seed's last answer, verbatim:"),
            Code(passage("So to summarise", "| improve"), "text"),
            Text("The gradients of erratum 4 (symbolic $x$, $w$, $g$):"),
            Math(
                "\\frac{\\partial L}{\\partial x} &= " + Vector(dx.tolist()).latex() + " \\\\\n"
                "\\frac{\\partial L}{\\partial w} &= " + Vector(dw.tolist()).latex()
            ),
        ],
        items=(9, 17, 18),
    )


def build() -> Chapter:
    """Chapter 2 as a :class:`~symconv.writing.document.Chapter`."""
    return Chapter(
        "ch2_seed",
        "2. The seed's worked examples, checked",
        [example1(), example2(), snippets(), errata()],
        intro=(
            "This project started from a question-and-answer post on convolution vs cross-correlation. Its worked "
            "examples are typeset below as it writes them (short quotes attributed; the rest paraphrased), then "
            "recomputed."
        ),
    )


if __name__ == "__main__":
    print(build().markdown())
