"""The independent reader's findings on the notes' text (issue 13, second reading): each fixed item is checked
here against an oracle independent of symconv (plain loops, numpy, torch, jax) or against the seed itself.
"""

from __future__ import annotations

import re

import numpy as np
import peers
import pytest
from notes_build import generated, markdown_files

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
    prose = re.sub(r"\\texttt\{(?:[^{}]|\{\})*\}", "", prose)  # code keeps its straight quotes
    straight = re.findall(r"[\s(\[]'(?:valid|same|full|reflect|symmetric)'", prose)
    assert not straight, straight[:5]
    assert "`valid'" in prose and "`same'" in prose


def _tables(md: str) -> list[tuple[str, str]]:
    """(the line before the table's blank line, the header row) for every Markdown table."""
    lines = md.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            if i > 0 and lines[i - 1].startswith("|"):
                continue
            above = lines[i - 2] if i >= 2 and not lines[i - 1].strip() else lines[i - 1] if i else ""
            out.append((above, line))
    return out


def test_l1_every_table_of_the_body_has_a_caption():
    seen = 0
    for path in markdown_files(generated("a")):
        if path.name == "ch8_machine_proofs.md":
            continue
        for above, header in _tables(path.read_text(encoding="utf-8")):
            seen += 1
            assert above.startswith("*") and above.endswith("*") and len(above) > 2, (path.name, header)
    assert seen >= 20
    tex = (generated("a") / "notes.tex").read_text(encoding="utf-8")
    body = tex.split("\\appendix")[0]
    for table in re.findall(r"\\begin\{table\}.*?\\end\{table\}", body, re.S):
        assert "\\caption{" in table, table[:200]


# ---------------------------------------------------------------- MISMATCH, notation


def test_x6_same_with_stride_writes_sizes_N_and_K():
    sec = _flat(_section(_md("ch6_libraries.md"), "SAME with stride"))
    assert "\\lceil N/s \\rceil" in sec and "d(K-1) + 1 - N" in sec and "| $N$ | $K$ |" in sec
    assert "\\lceil n/s \\rceil" not in sec and "| $n$ |" not in sec and "d(k-1)" not in sec


def test_x7_x8_layouts_use_G_for_groups_and_the_maps_letters():
    sec = _flat(_section(_md("ch6_libraries.md"), "Weight layouts"))
    assert "C_{in}/G, K\\ldots" in sec and "/g" not in sec and "k\\ldots" not in sec
    assert "HIO in 1-D" not in sec and "WIO in 1-D" in sec and "OIW in 1-D" in sec


def test_x10_the_seed_question_is_quoted_verbatim():
    seed = (chapter_paths()[0].parent / "seed" / "convolution-vs-cross-correlation.txt").read_text(encoding="utf-8")
    for md in (_md("ch0_short_answer.md"), _md("ch2_seed.md")):
        for before, quote in re.findall(r"(?:(\S+ \S+) )?“([^”]*)”", _flat(md)):
            if before == "question 20987,":  # the post's title (on the site's page, not in its saved text)
                continue
            assert " ".join(quote.split()) in " ".join(seed.split()), quote


def test_x13_who_calls_what_convolution():
    sec = _flat(_section(_md("ch1_definitions.md"), "Definitions"))
    assert "what PyTorch, TensorFlow and `jax.lax` call convolution" in sec
    assert "what numpy, scipy.signal and `jax.numpy` call convolution" in sec
    jnp = peers.module("jax.numpy", "jax")
    x, w = [1.0, 2.0, 0.0], [1.0, 3.0]
    assert np.allclose(jnp.convolve(jnp.array(x), jnp.array(w), "valid"), np.convolve(x, w, "valid"))  # flips
    assert not np.allclose(np.convolve(x, w, "valid"), np.correlate(x, w, "valid"))


def test_x9_summary_writes_the_bias_gradient_as_bias():
    md = _md("ch7_summary.md")
    assert "\\partial L/\\partial b$" not in md and "\\partial L/\\partial\\,\\mathrm{bias}" in md


def test_t13_defining_formulas_name_their_operation():
    sec = _section(_md("ch1_definitions.md"), "Definitions")
    assert "(x \\star w)[n] &= \\sum_{k=0}^{K - 1} x[n + k] \\cdot w[k]" in sec
    assert "(x \\ast w)[n] &= \\sum_{k=0}^{K - 1} x[n + k] \\cdot w[K - 1 - k]" in sec
    assert "\ny[n] &=" not in sec
    ch2 = _md("ch2_seed.md")
    assert "(f \\ast h)[n] &=" in ch2 and "(f \\star h)[n] &=" in ch2 and "\ng[n] &=" not in ch2


# ---------------------------------------------------------------- TEACHING


def test_t2_no_tool_speak_in_the_body():
    for path in markdown_files(generated("a")):
        if path.name in ("ch7_summary.md", "ch8_machine_proofs.md", "index.md"):
            continue
        text = _flat(path.read_text(encoding="utf-8"))
        checked = re.findall(r"\$ (?:holds|does not hold)|\((?:holds|does not hold)|holds here|\| holds \|", text)
        assert not checked, (path.name, checked)  # a computed check reads = or ≠ in the math
        for word in ("symconv.", "`derive(", "backward_rule", "Derivation.matrix", "ConvSpec"):
            assert word not in text, (path.name, word)
    how = _flat(_section(_md("ch7_summary.md"), "How these notes were computed"))
    for name in ("symconv.derive", "symconv.compat.numpy", "symconv.grad", "symconv.identify", "record_libraries"):
        assert name in how, name


def test_t2_pytorch_refusal_is_pytorchs_message():
    torch = peers.module("torch")
    sec = _flat(_section(_md("ch6_libraries.md"), "SAME with stride"))
    with pytest.raises(RuntimeError) as info:
        torch.nn.functional.conv1d(torch.ones(1, 1, 5), torch.ones(1, 1, 3), stride=2, padding="same")
    quoted = re.search(r"“([^”]*)”", sec).group(1)
    assert quoted in str(info.value) and "got stride" not in sec


def _comment_values(md: str, call: str) -> str:
    """The comment after ``call`` in a snippet (the next line's comment when the call has none)."""
    lines = md.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith(call))
    line = lines[i] if "#" in lines[i] else lines[i + 1]
    return line.split("#", 1)[1].strip()


def test_t3_snippets_print_what_the_libraries_return():
    torch = peers.module("torch")
    jax = peers.module("jax")
    jnp = peers.module("jax.numpy", "jax")
    ch1 = _md("ch1_definitions.md")
    x, w = [1, 2, 0, -1], [1, 2, 3]
    assert _comment_values(ch1, "np.correlate(x, w, 'valid')").startswith(str(np.correlate(x, w).tolist()))
    assert _comment_values(ch1, "np.convolve(x, w, 'valid')").startswith(str(np.convolve(x, w, "valid").tolist()))
    ch5 = _md("ch5_sizes.md")
    assert _comment_values(ch5, "torch.allclose(a, b)") == "True"
    xt, wt = torch.randn(1, 2, 3, dtype=torch.float64), torch.randn(2, 3, 2, dtype=torch.float64)
    a = torch.nn.functional.conv_transpose1d(xt, wt)
    assert torch.allclose(a, torch.nn.functional.conv1d(xt, wt.transpose(0, 1).flip(-1), padding=1))
    F, k1 = torch.nn.functional, torch.ones(1, 1, 3)
    y = F.conv1d(torch.ones(1, 1, 8), k1, stride=2, padding=1)
    assert _comment_values(ch5, "y.shape[-1]") == str(y.shape[-1])
    assert _comment_values(ch5, "F.conv_transpose1d(y, w, stride=2, padding=1).shape") == str(
        F.conv_transpose1d(y, k1, stride=2, padding=1).shape[-1]
    )
    assert _comment_values(ch5, "F.conv_transpose1d(y, w, stride=2, padding=1, output_padding=1)") == str(
        F.conv_transpose1d(y, k1, stride=2, padding=1, output_padding=1).shape[-1]
    )
    ch6 = _md("ch6_libraries.md")
    xs, ws = [1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 10.0]
    assert _comment_values(ch6, "np.correlate(x, w, 'same')") == str([int(v) for v in np.correlate(xs, ws, "same")])
    assert _comment_values(ch6, "np.convolve(x, w, 'same')") == str([int(v) for v in np.convolve(xs, ws, "same")])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same = F.conv1d(torch.tensor([[xs]]), torch.tensor([[ws]]), padding="same")
    assert _comment_values(ch6, "torch.nn.functional.conv1d(torch.tensor([[x]])") == str(
        [int(v) for v in same.flatten().tolist()]
    )
    xj, wj, dn = jnp.array([[[1.0, 2.0, 3.0]]]), jnp.array([[[1.0, 2.0, 5.0]]]), ("NCH", "OIH", "NCH")
    plain = jax.lax.conv_transpose(xj, wj, (2,), "VALID", dimension_numbers=dn)
    flipped = jax.lax.conv_transpose(xj, wj, (2,), "VALID", dimension_numbers=dn, transpose_kernel=True)
    lines = [ln for ln in ch6.splitlines() if ln.startswith("    # [")]
    assert lines[0].split("#")[1].strip() == str([int(v) for v in np.asarray(plain).flatten()])
    assert lines[1].split("#")[1].strip().startswith(str([int(v) for v in np.asarray(flipped).flatten()]))


def test_t4_terms_are_defined_where_first_used():
    ch4 = _flat(_md("ch4_backprop.md"))
    assert ch4.index("**scatter**") < ch4.index("derived (scatter) formula")
    assert "general matrix–matrix multiplication" in ch4 and "contraction" not in ch4
    assert "x_{\\text{pad}}[i] = x[i - p]" in ch4
    assert ch4.index("output padding that restores the size: extra positions at the end") < ch4.index(
        "output padding 1 |"
    )
    ch1 = _flat(_md("ch1_definitions.md"))
    assert "the adjoint of a correlation, defined in chapter 5" in ch1


def test_t5_errata_hold_errors_only_and_the_remark_follows():
    sec = _flat(_section(_md("ch2_seed.md"), "Errata"))
    box, _, after = sec.partition("**Remark (not an error)")
    assert after and "not an error" not in box
    assert [int(n) for n in re.findall(r"\*\*(\d)\. ", box)] == [1, 2, 3, 4]


def test_t7_matrix_section_is_about_a_correlation_layer():
    md = _md("ch4_backprop.md")
    assert "## The matrix of a correlation layer" in md and "## The matrix of a convolution" not in md


def test_t8_no_capitals_for_emphasis_in_the_library_map():
    sec = _section(_md("ch6_libraries.md"), "The library map")
    assert not re.search(r"\b(END|AND)\b", sec)
    assert "at the end" in sec or "| end (" in sec


def test_t9_summary_formulas_say_valid_mode():
    md = _md("ch7_summary.md")
    corr = next(ln for ln in md.splitlines() if ln.startswith("| cross-correlation"))
    conv = next(ln for ln in md.splitlines() if ln.startswith("| convolution"))
    assert "valid mode" in corr and "0 \\le n \\le N - K" in corr and "valid mode" in conv


def test_t10_numpy_convolve_same_sentence_says_what_it_does():
    sec = _flat(_section(_md("ch6_libraries.md"), "'same' with an even kernel"))
    y0 = int(np.convolve([1, 2, 3, 4, 5], [1, 10], "same")[0])
    assert f"$y[0] = x[0] \\cdot w[0] = {y0}$" in sec and "moves the window too" not in sec


def test_t11_seed_attribution_links_the_licence():
    md = _flat(_md("ch2_seed.md"))
    assert "CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)" in md


# ---------------------------------------------------------------- the appendix


def _appendix_proofs() -> dict[str, str]:
    md = _md("ch8_machine_proofs.md")
    return {m.group(1): m.group(2) for m in re.finditer(r'<a id="([\w-]+)"></a>\n(.*?)(?=\n## |\Z)', md, re.S)}


def test_t6_x12_appendix_statements_are_mathematics():
    proofs = _appendix_proofs()
    assert proofs
    for anchor, text in proofs.items():
        head = re.sub(r"`[^`]*`", "", text.split("Status:")[0])  # the statement, without the theorem's code name
        assert "$$\\begin{aligned}" in head, anchor
        for plain in ("Σ_n", "e_i", "K−1−k", "convolve_full(", "correlate(x, flip(w))", "1·e_i"):
            assert plain not in head, (anchor, plain)
    toeplitz = proofs["proof-correlation_matrix_is_toeplitz"].split("Status:")[0]
    assert "C[i + 1, m + 1] &= C[i, m]" in toeplitz


def test_x11_x15_x16_no_padding_proofs_do_not_mention_p_or_groups():
    for anchor, text in _appendix_proofs().items():
        if "padding-p" in anchor:
            continue
        assert not re.search(r"\bp\b", text.replace("\\partial", "")), anchor
        assert "groups" not in text, anchor
    text = _appendix_proofs()["proof-conv_grad_input_is_transposed_conv-stride-s-dilation-d"]
    assert "(N − d(K−1) − 1) mod s" in text and "one channel" in text


def test_x17_each_hypothesis_is_printed_once():
    for anchor, text in _appendix_proofs().items():
        for line in re.findall(r"\*Hypotheses:\* (.*)", text):
            parts = re.findall(r"\$([^$]*)\$", line)
            assert len(parts) == len(set(parts)), (anchor, line)


def test_x14_one_legend_for_both_editions():
    tex = (generated("a") / "notes.tex").read_text(encoding="utf-8").split("\\appendix")[1]
    assert "\\gets" not in tex and "Engine:" not in tex and "check\\_exact" not in tex
    tags = re.findall(r"\\tag\{([^}]*)\}", tex)
    assert tags and not any("\\_" in t for t in tags), tags[:3]
    assert any(t.endswith("(claim side)") for t in tags)
    assert "(claim side)" in _md("ch8_machine_proofs.md").split("## ")[1]  # the legend names the marker
