"""Chapter 0 — the short answer: what a CNN layer computes, why convolution has a flip, the backward rule.

One page a newcomer can read alone. Every equality shown is computed by symconv when the notes are built
(and its general form proved: the theorems are linked from chapters 1 and 4).

Run alone: ``python derivations/ch0_short_answer.py`` prints the chapter's Markdown.
"""

from __future__ import annotations

import numpy as np
import sympy

from symconv import backward_rule, convolve, correlate, symbols
from symconv.compat import numpy as snp
from symconv.compat import torch as storch
from symconv.writing.document import Chapter, Code, Math, Section, Table, Text

# the seed's data (chapter 2): f = [2, 1, 3, 5, 4], h = [1, -1]
F, H = [2, 1, 3, 5, 4], [1, -1]
#: the seed's question, quoted verbatim (tests check it is a substring of the stored seed)
SEED_QUESTION = (
    "Does a CNN perform the convolution or cross-correlation operation? What is the difference between the "
    "convolution and cross-correlation operations?"
)


def _ints(a: object) -> list[int]:
    return [int(v) for v in np.asarray(a).reshape(-1).tolist()]


#: What the convolution theorem's check computes (chapter 0's FFT example).
FFT_CHECK = "checked with numpy's FFT, $x = [1, 2, 0, -1]$, $w = [1, 2, 3, 0]$"


def _is(flag: bool, verb: str) -> str:
    """``equals`` when the check holds, ``does not equal`` (said plainly) when it fails."""
    return verb if flag else f"does not {verb.removesuffix('s')}"


def _unless(flag: bool) -> str:
    """Nothing when a computed check holds; a plain warning in the sentence when it does not."""
    return "" if flag else " (the check of this failed)"


def _checked(flag: bool, what: str) -> str:
    """The parenthesis after a claim: what was checked, or that the check failed."""
    return what if flag else f"the check failed: {what.removeprefix('both ')}"


def textbook_is_flipped_valid(n: int = 5, k: int = 3) -> tuple[bool, bool]:
    """(textbook sum = symconv's full convolution, its valid part = correlation with the reversed kernel).

    The textbook sum is written here as a plain loop over m (an oracle independent of symconv's formula).
    """
    x, w = symbols("x", n), symbols("w", k)
    xs, ws = x.tolist(), w.tolist()
    textbook = [
        sympy.expand(sum((xs[m] * ws[i - m] for m in range(n) if 0 <= i - m < k), sympy.Integer(0)))
        for i in range(n + k - 1)
    ]
    full = [sympy.expand(v) for v in convolve(x, w, mode="full").tolist()]
    valid = [sympy.expand(v) for v in correlate(x, w.flip()).tolist()]
    return textbook == full, textbook[k - 1 : n] == valid


def why_flip() -> tuple[bool, bool, bool, list[int], list[int], bool]:
    """Commutativity, associativity and the swap rule of correlation (symbolic), impulse responses, and the
    convolution theorem (numbers)."""
    a, b, c = symbols("a", 3), symbols("b", 2), symbols("c", 2)
    commutes = convolve(a, b, mode="full").equals(convolve(b, a, mode="full"))
    associates = convolve(convolve(a, b, mode="full"), c, mode="full").equals(
        convolve(a, convolve(b, c, mode="full"), mode="full")
    )
    swap_reverses = correlate(a, b, mode="full").equals(correlate(b, a, mode="full").flip())
    h = [1, 2, 3]
    conv_impulse = _ints(convolve([1], h, mode="full").tolist())
    corr_impulse = _ints(correlate([1], h, mode="full").tolist())
    # the convolution theorem, on a circular convolution computed by a plain loop
    x, w = [1, 2, 0, -1], [1, 2, 3, 0]
    circ = [sum(x[m] * w[(i - m) % 4] for m in range(4)) for i in range(4)]
    fft = np.rint(np.fft.ifft(np.fft.fft(x) * np.fft.fft(w)).real).astype(int).tolist()
    return commutes, associates, swap_reverses, conv_impulse, corr_impulse, circ == fft


def short_answer() -> Section:
    np_conv = _ints(snp.convolve(F, H, "valid").tolist())
    np_corr = _ints(snp.correlate(F, H, "valid").tolist())
    torch_out = _ints(storch.conv1d(np.array(F).reshape(1, 1, -1), np.array(H).reshape(1, 1, -1)).tolist())
    return Section(
        "The question, and the short answer",
        [
            Text(f"A question on Artificial Intelligence Stack Exchange (chapter 2) asks: “{SEED_QUESTION}”"),
            Text(
                "**Short answer.** A convolutional layer in PyTorch, TensorFlow/Keras or JAX computes a "
                "**cross-correlation**: it slides the kernel over the input and takes dot products, without "
                "reversing the kernel. A **convolution** (mathematics, signal processing, numpy's `convolve`) "
                "reverses the kernel first. For a learned kernel this does not matter: as "
                "$w \\mapsto \\operatorname{rot180} w$ (the kernel reversed, $(\\operatorname{rot180} w)[k] = "
                "w[K - 1 - k]$ in 1-D; rotated by 180° in 2-D) is a bijection of kernels, convolving and correlating "
                "layers represent the same functions; the network just learns the reversed kernel. It matters for a "
                "kernel from elsewhere (a Sobel filter, weights ported between libraries), in the transposed "
                "convolution (the upsampling layer; chapter 5), and in the backward pass: for $y = x \\star w$, "
                "a loss $L$ and the upstream gradient $g = \\partial L/\\partial y$, $\\partial L/\\partial x$ is "
                "the full (true) convolution of $g$ with $w$ and $\\partial L/\\partial w$ the correlation of $x$ "
                "with $g$ (no flip)."
            ),
            Text("On the seed's data ('valid' keeps only the windows wholly inside the input, $N - K + 1$ outputs):"),
            Code(
                "import numpy as np, torch; f, h = [2., 1., 3., 5., 4.], [1., -1.]\n"
                f"np.convolve(f, h, 'valid')    # {np_conv}   (kernel reversed)\n"
                f"np.correlate(f, h, 'valid')   # {np_corr}   (kernel as is)\n"
                "torch.nn.functional.conv1d(torch.tensor([[f]]), torch.tensor([[h]]))\n"
                f"                              # {torch_out}   (a correlation)",
                "python",
            ),
        ],
        items=(),
    )


def definition() -> Section:
    full_ok, valid_ok = textbook_is_flipped_valid()
    return Section(
        "The textbook definition, and where the flip is",
        [
            Text(
                "For an input $x$ of length $N$ and a kernel $w$ of length $K$ (indices from 0, entries outside "
                "are 0), the textbook convolution is $(x \\ast w)[n] = \\sum_{m} x[m]\\, w[n - m]$, "
                "$0 \\le n \\le N + K - 2$. Only the terms with $0 \\le n - m \\le K - 1$ can be non-zero; put "
                "$m = n - (K - 1) + k$, so $n - m = K - 1 - k$ and $k = 0, \\dots, K-1$. The outputs whose window "
                "lies inside the input, $n = K - 1, \\dots, N - 1$, renumbered from 0, are the 'valid' form:"
            ),
            Math(
                r"y[n] &= \sum_{k=0}^{K-1} x[n + k]\, w[K - 1 - k] = (x \star \operatorname{rot180} w)[n], "
                r"\qquad 0 \le n \le N - K,"
            ),
            Text(
                "where $(x \\star w)[n] = \\sum_k x[n + k]\\, w[k]$ is the cross-correlation: the same window, the "
                "kernel read forwards. So **convolution = cross-correlation with the kernel reversed** "
                "(in 2-D: rotated by 180°, not transposed; "
                f"{_checked(full_ok and valid_ok, 'checked on symbolic entries for $N = 5$, $K = 3$')}, "
                "proved for all sizes in chapter 1)."
            ),
        ],
        items=(),
    )


def why() -> Section:
    commutes, associates, swap_reverses, conv_imp, corr_imp, fft_ok = why_flip()
    return Section(
        "Why the flip exists",
        [
            Text(
                "The flip makes convolution the natural operation of linear, shift-invariant systems. "
                "**Commutativity and associativity:** $a \\ast b = b \\ast a$, $(a \\ast b) \\ast c = a \\ast "
                f"(b \\ast c)$ ({_checked(commutes and associates, 'both checked on symbolic vectors')}); correlation "
                f"has neither: in 'full' mode $a \\star b$ is $b \\star a$ reversed{_unless(swap_reverses)}. "
                "**Impulse response:** a filter with impulse response $h$ maps $x$ to $x \\ast h$; for "
                f"$h = [1, 2, 3]$, $[1] \\ast h = {conv_imp}$ while $[1] \\star h = "
                f"{corr_imp}$ (both in 'full' mode: every output overlapping the input). "
                "**The convolution theorem:** the discrete Fourier transform turns circular convolution, "
                "$(x \\ast_N w)[n] = \\sum_{m=0}^{N-1} x[m]\\, w[(n - m) \\bmod N]$, into a product: "
                "$\\mathcal F(x \\ast_N w) = \\mathcal F(x) \\cdot \\mathcal F(w)$ "
                f"({_checked(fft_ok, FFT_CHECK)})."
            ),
        ],
        items=(),
    )


def backward() -> Section:
    rule = backward_rule("correlate", input_size=5, kernel_size=3)
    by = {r.gradient: r.operation for r in rule.rows}
    return Section(
        "The backward rule in one table",
        [
            Text(
                "The folk rule 'correlation forward, convolution backward' holds for $\\partial L/\\partial x$ "
                "only; $\\partial L/\\partial w$ is again a correlation:"
            ),
            Table(
                ["gradient", "is", "formula"],
                [
                    [
                        "$\\partial L/\\partial x$",
                        by["dL/dx"],
                        "$\\partial L/\\partial x[m] = \\sum_k g[m - k]\\, w[k]$",
                    ],
                    [
                        "$\\partial L/\\partial w$",
                        by["dL/dw"],
                        "$\\partial L/\\partial w[k] = \\sum_n x[n + k]\\, g[n]$",
                    ],
                ],
                caption="Gradients of $y = x \\star w$ (valid, stride 1), derived by symconv (chapter 4 proves them).",
            ),
        ],
        items=(),
    )


def build() -> Chapter:
    """Chapter 0 as a :class:`~symconv.writing.document.Chapter`."""
    return Chapter(
        "ch0_short_answer",
        "0. The short answer",
        [short_answer(), definition(), why(), backward()],
        one_page=True,
    )


if __name__ == "__main__":
    print(build().markdown())
