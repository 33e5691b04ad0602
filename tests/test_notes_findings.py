"""The independent reader's findings on the notes' text (issue 13, second reading): each fixed item is checked
here against an oracle independent of symconv (plain loops, numpy, torch, jax) or against the seed itself.
"""

from __future__ import annotations

import re

import numpy as np
import peers
import pytest
from notes_build import generated

from symconv.writing.notes import _load, chapter_paths


@pytest.fixture(autouse=True)
def _matplotlib():
    peers.module("matplotlib")


def _md(name: str) -> str:
    return (generated("a") / name).read_text(encoding="utf-8")


def _flat(text: str) -> str:
    return re.sub(r"\s*\n>?\s*", " ", text)


def _section(md: str, title: str) -> str:
    for sec in re.split(r"^## ", md, flags=re.M)[1:]:
        if sec.startswith(title):
            return sec
    raise AssertionError(f"no section {title!r}")


def _rows(sec: str) -> list[list[str]]:
    lines = [ln for ln in sec.splitlines() if ln.startswith("| ") and not ln.startswith("|---")]
    return [[c.strip() for c in ln.strip("|").split(" | ")] for ln in lines[1:]]


def chapter(prefix: str):
    return _load(next(p for p in chapter_paths() if p.name.startswith(prefix)))


# ---------------------------------------------------------------- MATH


def _reads(n: int, k: int, s: int, p: int, d: int) -> np.ndarray:
    """How many windows read each input: the gradient of the sum of the outputs (a plain loop over the windows)."""
    count = np.zeros(n, dtype=int)
    padded = n + 2 * p
    start = 0
    while start + d * (k - 1) < padded:
        for t in range(k):
            j = start + d * t - p
            if 0 <= j < n:
                count[j] += 1
        start += s
    return count


def test_m1_size_rows_say_an_input_is_dropped_only_when_its_gradient_is_zero():
    rows = _rows(_section(_md("ch5_sizes.md"), "Output size"))
    assert rows
    seen_padding_only = False
    for row in rows:
        n, k, s, p, d = (int(c) for c in row[1:6])
        zero = [j for j, c in enumerate(_reads(n, k, s, p, d)) if c == 0]
        named = [int(j) for j in re.findall(r"\$x\[(\d+)\]\$", row[0])]
        assert named == zero, (row[0], zero)
        assert "drops an input" not in row[0]
        if not zero and "padding zero" in row[0]:
            seen_padding_only = True
            assert p > 0
    assert seen_padding_only  # the N = 6, p = 1 row: the floor drops padding, every input is read
    torch = peers.module("torch")
    x = torch.ones(1, 1, 6, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.conv1d(x, torch.ones(1, 1, 3, dtype=torch.float64), stride=2, padding=1).sum().backward()
    assert x.grad.flatten().tolist() == _reads(6, 3, 2, 1, 1).tolist() == [1, 2, 1, 2, 1, 1]


def test_m2_summary_calls_the_transposed_convolution_the_adjoint_of_the_correlation():
    torch = peers.module("torch")
    n, k, s, p = 7, 3, 2, 1
    w = np.arange(1.0, k + 1)
    o = (n + 2 * p - k) // s + 1
    corr = np.zeros((o, n))  # y = C x for y[i] = sum_t x[s i + t - p] w[t]
    for i in range(o):
        for t in range(k):
            if 0 <= s * i + t - p < n:
                corr[i, s * i + t - p] += w[t]
    g = np.arange(1.0, o + 1)
    tc = (
        torch.nn.functional.conv_transpose1d(
            torch.tensor(g.reshape(1, 1, -1)), torch.tensor(w.reshape(1, 1, -1)), stride=s, padding=p
        )
        .flatten()
        .numpy()
    )
    assert np.allclose(tc, corr.T @ g)  # the adjoint of the correlation, not of the convolution (w reversed)
    conv = np.zeros((o, n))
    for i in range(o):
        for t in range(k):
            if 0 <= s * i + t - p < n:
                conv[i, s * i + t - p] += w[k - 1 - t]
    assert not np.allclose(tc, conv.T @ g)
    row = next(ln for ln in _md("ch7_summary.md").splitlines() if ln.startswith("| transposed conv"))
    assert "adjoint of the layer's correlation $x \\star w$" in row and "adjoint of the convolution" not in row


def test_m3_stacking_statement_has_a_general_proof_and_says_which_sizes_were_checked():
    sec = _flat(_section(_md("ch1_definitions.md"), "Algebra"))
    assert "x$, $u$, $v$ of lengths 6, 2, 3" in sec
    assert "**Theorem (stacked correlations).**" in sec and "N \\ge U + V - 1" in sec
    assert "substitute $m = j + k$" in sec
    rng = np.random.default_rng(3)
    for n, u_len, v_len in ((6, 2, 3), (9, 3, 4), (5, 1, 5)):
        x, u, v = rng.integers(-5, 6, n), rng.integers(-5, 6, u_len), rng.integers(-5, 6, v_len)
        assert np.array_equal(np.correlate(np.correlate(x, u), v), np.correlate(x, np.convolve(u, v)))


def test_m4_correlation_swap_reverses_only_in_full_mode():
    a, b = np.array([1, 2, 0, -1]), np.array([3, 1])
    assert np.array_equal(np.correlate(a, b, "full"), np.correlate(b, a, "full")[::-1])
    md = _flat(_md("ch0_short_answer.md"))
    assert "correlation has neither: in 'full' mode $a \\star b$ is $b \\star a$ reversed" in md
    assert "has neither: $a \\star b$ is $b \\star a$ reversed" not in md


def test_m5_jax_valid_transposed_convolution_is_full_only_up_to_stride_k():
    jax = peers.module("jax")
    jnp = peers.module("jax.numpy", "jax")
    torch = peers.module("torch")
    x, w = [1.0, 2.0, 3.0], [1.0, 10.0]
    dn = ("NCH", "OIH", "NCH")
    for s in (1, 2, 3, 4):
        j = jax.lax.conv_transpose(jnp.array([[x]]), jnp.array([[w]]), (s,), "VALID", dimension_numbers=dn)
        t = torch.nn.functional.conv_transpose1d(torch.tensor([[x]]), torch.tensor([[w]]), stride=s)
        extra = np.asarray(j).size - t.numel()
        assert extra == max(s - len(w), 0), s
        assert chapter("ch6_").valid_transpose_extra(len(w), (s,)) == {s: extra}
    row = next(ln for ln in _md("ch6_libraries.md").splitlines() if ln.startswith("| `jax.lax.conv_transpose`"))
    assert "at stride $s \\le K$; for $s > K$ it adds $s - K$ zeros at the end" in row


# ---------------------------------------------------------------- LAYOUT


def test_l4_quoted_words_open_with_an_opening_quote_in_latex():
    tex = (generated("a") / "notes.tex").read_text(encoding="utf-8")
    prose = re.sub(r"\\begin\{verbatim\}.*?\\end\{verbatim\}", "", tex, flags=re.S)
    straight = re.findall(r"[\s(\[]'(?:valid|same|full|reflect|symmetric)'", prose)
    assert not straight, straight[:5]
    assert "`valid'" in prose and "`same'" in prose
