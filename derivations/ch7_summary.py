"""Chapter 7 — the summary page: every result of the notes in one table, with where it is proved.

Run alone: ``python derivations/ch7_summary.py`` prints the chapter's Markdown.
"""

from __future__ import annotations

import numpy as np
import sympy

from symconv import backward_rule, correlate, derive, symbols
from symconv.compat import numpy as snp
from symconv.compat import scipy as ssp
from symconv.compat import torch as storch
from symconv.writing.document import Chapter, Section, Table, Text


def _ints(a: object) -> list[int]:
    return [int(v) for v in np.asarray(a).reshape(-1).tolist()]


def adjoint_of(n: int = 7, k: int = 3, stride: int = 2, padding: int = 1) -> str:
    """Which forward map PyTorch's ``conv_transpose1d`` is the adjoint of: ``C^T g`` for the matrix ``C`` of the
    correlation and of the convolution (same stride and padding), compared with the transposed convolution."""
    x, w = symbols("x", n), symbols("w", k)
    found = []
    for op, name in (("correlate", "correlation $x \\star w$"), ("convolve", "convolution $x \\ast w$")):
        C = derive(op, x, w, stride=stride, padding=padding).matrix()
        g = symbols("g", C.rows)
        ct_g = C.T * sympy.Matrix(g.tolist())
        tc = storch.conv_transpose1d(g.reshape(1, 1, C.rows), w.reshape(1, 1, k), stride=stride, padding=padding)
        tc_flat = tc.reshape(-1).tolist()
        if len(tc_flat) == n and all(sympy.expand(ct_g[i] - tc_flat[i]) == 0 for i in range(n)):
            found.append(name)
    return found[0] if len(found) == 1 else "NOT IDENTIFIED: " + ", ".join(found)


def summary() -> Section:
    plain = {r.gradient: r.operation for r in backward_rule("correlate", input_size=5, kernel_size=3).rows}
    strided = {r.gradient: r.operation for r in backward_rule("correlate", input_size=7, kernel_size=3, stride=2).rows}
    x, w = [1, 2, 3, 4, 5], [1, 10]
    np_same = _ints(snp.correlate(x, w, "same").tolist())
    sp_same = _ints(ssp.correlate(x, w, "same").tolist())
    np_conv_same = _ints(snp.convolve(x, w, "same").tolist())
    layer_same = _ints(correlate(x, w, mode="same").tolist())
    arrays = (
        f"numpy, scipy.signal, jax.numpy `correlate`: {np_same}"
        if sp_same == np_same
        else f"numpy, jax.numpy `correlate`: {np_same}; scipy.signal `correlate`: {sp_same}"
    )
    same_row = (
        f"{arrays}; torch `conv1d`, tf `conv1d`, `jax.lax.conv_general_dilated` (padding 'same'): {layer_same}; "
        f"numpy `convolve`: {np_conv_same} (for $x = {x}$, $w = {w}$)"
    )
    rows = [
        [
            "cross-correlation",
            "$(x \\star w)[n] = \\sum_k x[n + k]\\, w[k]$, valid mode $0 \\le n \\le N - K$ "
            "(layers of PyTorch, TF/Keras, JAX)",
            "1",
        ],
        [
            "convolution",
            "$(x \\ast w)[n] = \\sum_k x[n + k]\\, w[K - 1 - k]$ (valid mode), i.e. "
            "$x \\ast w = x \\star \\operatorname{rot180} w$ (numpy, scipy.signal, jax.numpy `convolve`)",
            "0, 1",
        ],
        ["the flip in 2-D", "a 180° rotation of the kernel (every axis reversed), not a transpose", "1"],
        [
            "conv = corr",
            "exactly when $\\operatorname{rot180} w = w$ (centrosymmetric); conv = −corr when "
            "$\\operatorname{rot180} w = -w$",
            "3",
        ],
        ["learned kernels", "the flip does not matter: $w \\mapsto \\operatorname{rot180} w$ is a bijection", "0, 1"],
        [
            "output length",
            "valid $N - K + 1$, same $N$, full $N + K - 1$; in general "
            "$\\lfloor (N + p_{lo} + p_{hi} - d(K-1) - 1)/s \\rfloor + 1$",
            "1, 5",
        ],
        ["'same', even $K$", same_row, "6"],
        ["$\\partial L/\\partial x$", f"{plain['dL/dx']}; with stride: {strided['dL/dx']}", "4"],
        [
            "$\\partial L/\\partial w$",
            f"{plain['dL/dw']} (no flip); with stride $s$, dilation $d$: {strided['dL/dw']}",
            "4",
        ],
        ["$\\partial L/\\partial\\,\\mathrm{bias}$", "the sum of $g$ over batch and positions", "4"],
        [
            "transposed conv",
            f"the adjoint of the layer's {adjoint_of()} with the same stride, padding and dilation "
            "(not an inverse): insert $s - 1$ zeros, pad $d(K-1) - p$, correlate with the rotated kernel, "
            "in/out channels swapped",
            "5",
        ],
        ["complex input", "numpy and scipy conjugate the second argument of `correlate`; layers do not", "1, 6"],
    ]
    return Section(
        "Everything on one page",
        [
            Text(
                "Sizes $N$ (input) and $K$ (kernel), stride $s$, dilation $d$, padding $p$; "
                "$g = \\partial L/\\partial y$."
            ),
            Table(["topic", "result", "chapter"], rows, caption="The results of these notes."),
            Text(
                "Every result above is computed, or proved by machine, when the notes are built; the appendix "
                "prints the machine proofs, each for exactly the parameters its heading names."
            ),
        ],
    )


def how_computed() -> Section:
    """The one place where the notes name symconv's API: how every value was computed and where it is checked."""
    return Section(
        "How these notes were computed",
        [
            Text(
                "Every number, table, expansion, gradient and machine proof in these notes is computed when the "
                "notes are built; the prose, the theorem statements and the short human proofs in the body are "
                "written by hand, and each theorem but the stacking one of section 1.7 (checked at one size) links the "
                "machine proof of its statement. The chapters are Python scripts (`derivations/ch*.py`) "
                "that call the symconv package when the notes are built. `symconv.derive` prints each index formula "
                "and expansion from the one formula each operation has; `symconv.correlate` and `symconv.convolve` "
                "compute on symbolic or integer entries, exactly; `symconv.compat.numpy`, `symconv.compat.scipy` "
                "and `symconv.compat.torch` model those libraries' conventions exactly (so a snippet's commented "
                "output is computed, not pasted); `symconv.grad` and `symconv.backward_rule` differentiate the forward "
                "formula and name the result; `symconv.theorem(name).prove()` produces the machine proofs of the "
                "appendix; and `symconv.identify` measured the library map of chapter 6 "
                "(`python -m derivations.record_libraries` records it, with the library versions). The test-suite "
                "re-checks every value against the libraries themselves: `tests/test_notes_oracles.py` (numbers), "
                "`tests/test_notes_libraries.py` (the map), `tests/test_notes_checklist.py` (the topics covered) and "
                "`tests/test_notes_findings.py` (the independent readers' findings)."
            ),
        ],
    )


def build() -> Chapter:
    """Chapter 7 as a :class:`~symconv.writing.document.Chapter`."""
    return Chapter("ch7_summary", "7. Summary", [summary(), how_computed()])


if __name__ == "__main__":
    print(build().markdown())
