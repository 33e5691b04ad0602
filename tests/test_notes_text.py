"""The notes' text, read as a student would (issue 13): a one-page answer first, statements no wider than the
proofs printed for them, one notation, and Markdown a browser can show without scrolling.

Expected values are recomputed here with numpy (and torch when installed), not taken from symconv.
"""

from __future__ import annotations

import re

import numpy as np
import peers
import pytest
from notes_build import generated, markdown_files


@pytest.fixture(autouse=True)
def _matplotlib():
    peers.module("matplotlib")


def _md(name: str) -> str:
    return (generated("a") / name).read_text(encoding="utf-8")


def _flat(text: str) -> str:
    """Markdown with its line breaks (and block-quote markers) joined: phrases survive line wrapping."""
    return re.sub(r"\s*\n>?\s*", " ", text)


def _section(md: str, title: str) -> str:
    for sec in re.split(r"^## ", md, flags=re.M)[1:]:
        if sec.startswith(title):
            return sec
    raise AssertionError(f"no section {title!r}")


# ---------------------------------------------------------------- layout of the Markdown


def test_no_markdown_line_exceeds_400_characters():
    for path in markdown_files(generated("a")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert len(line) <= 400, f"{path.name}:{n} has {len(line)} characters"


def test_no_control_characters_from_a_lost_backslash():
    """`"\\ast"` written as `"\ast"` in a chapter script is a BEL character in the notes."""
    out = generated("a")
    for path in [*markdown_files(out), out / "notes.tex"]:
        text = path.read_text(encoding="utf-8")
        bad = [hex(ord(c)) for c in text if ord(c) < 32 and c != "\n"]
        assert not bad, f"{path.name}: {bad[:5]}"


# ---------------------------------------------------------------- order: short answer first, summary, appendix


def test_chapters_open_with_the_short_answer_and_close_with_summary_then_appendix():
    index = _md("index.md")
    links = re.findall(r"\]\((ch\d+_\w+)\.md\)", index)
    assert links[0] == "ch0_short_answer" and links[-2:] == ["ch7_summary", "ch8_machine_proofs"], links


def test_short_answer_answers_the_seed_question_on_its_own():
    md = _flat(_md("ch0_short_answer.md"))
    assert "cross-correlation" in md and "reverses the kernel" in md
    assert "\\sum_{m} x[m]\\, w[n - m]" in md  # the textbook definition
    assert "m = n - (K - 1) + k" in md  # its index shift to the valid form
    for why in ("Commutativity", "associativity", "Impulse response", "convolution theorem", "bijection"):
        assert why in md, why
    table = _section(_md("ch0_short_answer.md"), "The backward rule")
    assert "full convolution of g with w" in table and "valid correlation of x with g" in table


def test_short_answer_snippet_shows_what_the_libraries_return():
    md = _md("ch0_short_answer.md")
    f, h = [2.0, 1.0, 3.0, 5.0, 4.0], [1.0, -1.0]
    assert f"# {[int(v) for v in np.convolve(f, h, 'valid')]}" in md
    assert f"# {[int(v) for v in np.correlate(f, h, 'valid')]}" in md
    torch = peers.module("torch")
    out = torch.nn.functional.conv1d(torch.tensor([[f]]), torch.tensor([[h]])).reshape(-1)
    assert f"# {[int(v) for v in out.tolist()]}   (a correlation)" in md


def test_backward_snippet_values_are_torch_autograd():
    md = _md("ch4_backprop.md")
    torch = peers.module("torch")
    x = torch.tensor([[[2.0, 1, 3, 5, 4]]], requires_grad=True)
    w = torch.tensor([[[1.0, -1, 2]]], requires_grad=True)
    torch.nn.functional.conv1d(x, w).backward(torch.tensor([[[1.0, 2, -1]]]))
    assert f"x.grad   # {[int(v) for v in x.grad.reshape(-1).tolist()]}" in md
    assert f"w.grad   # {[int(v) for v in w.grad.reshape(-1).tolist()]}" in md


# ---------------------------------------------------------------- statements no wider than the printed proofs


def _links(md: str) -> list[str]:
    return re.findall(r"\(ch8_machine_proofs\.md#([\w-]+)\)", md)


def test_every_proof_link_has_its_anchor_and_every_appendix_proof_is_linked():
    anchors = set(re.findall(r'<a id="([\w-]+)"></a>', _md("ch8_machine_proofs.md")))
    linked = {a for p in markdown_files(generated("a")) for a in _links(p.read_text(encoding="utf-8"))}
    assert linked and linked <= anchors, sorted(linked - anchors)
    assert anchors <= linked, sorted(anchors - linked)


def test_body_has_no_machine_proofs():
    for path in markdown_files(generated("a")):
        if path.name != "ch8_machine_proofs.md":
            assert "Status: **proved**" not in path.read_text(encoding="utf-8"), path.name


def test_the_flip_links_a_proof_for_symbolic_stride_dilation_and_padding():
    sec = _section(_md("ch1_definitions.md"), "The flip is a 180")
    assert "proof-convolve_is_correlate_with_flipped_kernel-stride-s-dilation-d-padding-p" in _links(sec)
    assert "proof-convolve_is_correlate_with_flipped_kernel" in _links(sec)  # padding 0
    heading = "## The flip (1-D, symbolic stride s ≥ 1, symbolic dilation d ≥ 1, symbolic padding p ≥ 1)"
    assert heading in _md("ch8_machine_proofs.md")


def test_strided_gradient_theorems_link_general_proofs_not_stride_2():
    sec = _section(_md("ch4_backprop.md"), "Stride, padding and dilation")
    for name in ("conv_grad_input_is_transposed_conv", "conv_grad_weight_swaps_stride_and_dilation"):
        assert f"proof-{name}-stride-s-dilation-d" in _links(sec)
        assert f"proof-{name}-stride-s-dilation-d-padding-p" in _links(sec)
    assert "stride 2;" not in _md("ch8_machine_proofs.md")


def test_gradient_theorems_with_padding_link_padding_proofs():
    sec = _section(_md("ch4_backprop.md"), "The general proofs")
    for name in ("correlate_grad_input_is_full_convolution", "correlate_grad_weight_is_valid_correlation"):
        assert f"proof-{name}-padding-p" in _links(sec) and f"proof-{name}" in _links(sec)


def test_symmetric_kernel_theorems_say_what_their_printed_proof_covers():
    md = _flat(_md("ch3_symmetric.md"))
    assert md.count("The machine proofs are printed for 1-D and for 2-D") == 2
    assert md.count("They do not cover every number of axes: for N-D the argument is the human one above") == 2
    assert "N-D: all axes flipped together" not in md  # the library's N-D statement over a 1-D proof


def test_n_d_statements_link_their_printed_2d_proofs():
    """Issue 13: 'Theorems 5/6 say N-D but print 1-D' — the 2-D machine proofs are printed and linked."""
    ch3 = _md("ch3_symmetric.md")
    for name in (
        "convolve_equals_correlate_iff_centrosymmetric",
        "convolve_equals_minus_correlate_iff_anticentrosymmetric",
    ):
        assert f"proof-{name}-ndim-2" in _links(ch3)
    ch1 = _md("ch1_definitions.md")
    flip = "convolve_is_correlate_with_flipped_kernel"
    assert f"proof-{flip}-ndim-2" in _links(ch1)
    assert f"proof-{flip}-ndim-2-stride-s-dilation-d-padding-p" in _links(ch1)
    assert "The machine proofs are printed in 1-D and in 2-D" in _flat(ch1)
    app = _md("ch8_machine_proofs.md")
    assert "## Convolution equals correlation (2-D, stride 1, dilation 1, no padding)" in app
    sec = _section(app, "Convolution equals correlation (2-D")
    assert "\\boldsymbol{n}" in sec and "*Notation:*" in sec and "n_{1}" in sec


def test_the_transposed_conv_gradient_is_printed_for_every_output_padding():
    sec = _section(_md("ch4_backprop.md"), "Stride, padding and dilation")
    name = "conv_grad_input_is_transposed_conv"
    assert f"proof-{name}-stride-s-dilation-d-output_padding-a" in _links(sec)
    assert f"proof-{name}-stride-s-dilation-d-padding-p-output_padding-a" in _links(sec)
    assert "not covered by the machine proofs" not in _flat(sec)
    app = _md("ch8_machine_proofs.md")
    assert "symbolic output padding a with 1 ≤ a < s" in app


def test_toeplitz_statement_prints_its_index_ranges():
    sec = _flat(_section(_md("ch4_backprop.md"), "The matrix of a correlation layer"))
    assert "C[n + 1, m + 1] &= C[n, m]" in sec and "n + 1 \\le N - K" in sec and "m + 1 \\le N - 1" in sec


# ---------------------------------------------------------------- notation


def test_sizes_are_N_and_K_in_chapter_5():
    md = _md("ch5_sizes.md")
    assert "$op$" not in md and "| $i$ |" not in md and "$k$ |" not in md
    assert "d(K-1)+1" in md and "$a = (N + 2p - d(K-1) - 1) \\bmod s$" in _flat(md)


def test_gather_does_not_redefine_N():
    sec = _section(_md("ch4_backprop.md"), "Scatter vs gather")
    assert "N + K - 1" not in sec and "$N - K + 1$" in sec


def test_backward_tables_are_general_in_K_and_have_no_tool_jargon():
    md = _md("ch4_backprop.md")
    assert "w[2 - k]" not in md and "w[K - 1 - k]" in md
    assert "terms)" not in md and "exact instance check" not in md
    assert "((1, 1),)" not in md


def test_output_padding_is_stated_for_the_size_it_holds_for():
    sec = _section(_md("ch4_backprop.md"), "Stride, padding and dilation")
    n, k, s = 6, 3, 2
    assert f"output padding {(n - k) % s} |" in sec and f"$N = {n}$, $K = {k}$" in sec
    assert "input sizes 6, 7, 8" not in sec


def test_square_is_not_only_circular():
    sec = _flat(_section(_md("ch4_backprop.md"), "The matrix of a correlation layer"))
    assert "Only circular padding makes it square" not in sec
    assert "square" in sec and "circulant" in sec


def test_erratum_2_is_a_notation_inconsistency():
    md = _flat(_md("ch2_seed.md"))
    assert "factors wrong" not in md and "not an error" in md
    assert 1 * 2 == 2 * 1  # the value the seed's line computes is right


def test_figure_1_draws_its_example():
    sec = _flat(_section(_md("ch1_definitions.md"), "One asymmetric example"))
    x, w = re.search(r"With \$x = (\[[^$]*\])\$ and the asymmetric kernel \$w = (\[[^$]*\])\$", sec).groups()
    caption = re.search(r"\*Figure: The window at (.*?)\*", sec).group(1)
    assert f"$x = {x}$" in caption and f"$w = {w}$" in caption  # the drawn data: tests/test_figures_text.py


# ---------------------------------------------------------------- the seed


def test_seed_is_typeset_not_shown_as_latex_source_and_is_attributed():
    md = _md("ch2_seed.md")
    assert "\\begin{align}" not in md and "\\\\ [" not in md and "$$f" not in md
    assert "f \\circledast h = g_1 &= \\bigl[" in md  # the seed's own derivation, typeset
    flat = _flat(md)
    assert "Stack Exchange" in flat and "CC BY-SA" in flat


def test_seed_quotes_are_short():
    """Quoted seed text is a phrase or a line, never a passage (the rest is paraphrased)."""
    md = _md("ch2_seed.md")
    quotes = re.findall(r"“([^”]*)”", md)
    fences = re.findall(r"```text\n(.*?)```", md, re.S)
    assert quotes and all(len(q) < 120 for q in quotes), quotes
    assert all(len(f) < 200 for f in fences), [len(f) for f in fences]


def test_no_internal_module_paths_in_the_body():
    for path in markdown_files(generated("a")):
        text = path.read_text(encoding="utf-8")
        assert "symconv/core" not in text and "symconv.core." not in text, path.name
        assert ": holds" not in text and "(holds)" not in text, path.name


def test_pdf_section_numbers_are_the_chapter_numbers_the_text_cites():
    """The text says 'chapter 4'; the PDF must number that chapter 4 too (the short answer is chapter 0)."""
    tex = (generated("a") / "notes.tex").read_text(encoding="utf-8")
    body = tex.split("\\begin{document}")[1]
    assert body.index("\\setcounter{section}{-1}") < body.index("\\section{")


# ---------------------------------------------------------------- statements no wider than their proofs (review)


def _transposed_output_padding(n: int, k: int, s: int, d: int, p: int) -> int:
    """The output padding a transposed convolution needs to return size n (numpy oracle, by trial)."""
    m = (n + 2 * p - d * (k - 1) - 1) // s + 1
    for a in range(s):
        g = np.zeros((m - 1) * s + 1)
        if len(g) + d * (k - 1) - 2 * p + a == n:
            return a
    raise AssertionError("no output padding fits")


def test_strided_input_gradient_theorem_is_stated_for_every_output_padding():
    """The machine proofs cover output padding 0 in one proof and a symbolic 1 ≤ a < s in another: the theorem
    states the output padding as the remainder, and each appendix proof names exactly the N it leaves out."""
    assert _transposed_output_padding(6, 3, 2, 1, 0) == 1  # such N exist: a proof for them is needed
    sec = _flat(_section(_md("ch4_backprop.md"), "Stride, padding and dilation"))
    assert "$a = (N + 2p - d(K - 1) - 1) \\bmod s$" in sec
    appendix = _md("ch8_machine_proofs.md")
    for anchor, rem in (
        ("stride-s-dilation-d", "N − d(K−1) − 1"),
        ("stride-s-dilation-d-padding-p", "N + 2p − d(K−1) − 1"),
    ):
        name = "proof-conv_grad_input_is_transposed_conv"
        for op, gap in (
            (
                "",
                f"N with ({rem}) mod s ≠ 0, which [the same statement with a symbolic output padding a]"
                f"(ch8_machine_proofs.md#{name}-{anchor}-output_padding-a) covers",
            ),
            (
                "-output_padding-a",
                f"N with ({rem}) mod s = 0, which [the same statement without output padding]"
                f"(ch8_machine_proofs.md#{name}-{anchor}) covers",
            ),
        ):
            tag = f'<a id="{name}-{anchor}{op}"></a>'
            proof = appendix.split(tag)[1].split("\n## ")[0]
            covered = re.search(r"Not covered here: (.*)", proof).group(1)
            assert gap in covered, covered


def test_every_symbolic_padding_proof_has_its_padding_0_twin():
    """A symbolic padding p means p ≥ 1 (an output padding a: 1 ≤ a < s); the appendix says p = 0 (a = 0) is the
    twin printed without it: it must exist."""
    from symconv.writing.stated import PRINTED

    for name, params in PRINTED:
        for key in ("padding", "output_padding"):
            if isinstance(params.get(key), str):
                twin = {k: v for k, v in params.items() if k != key}
                assert (name, twin) in PRINTED, (name, params)


def test_the_flip_is_stated_for_the_sizes_and_parameters_its_proofs_cover():
    sec = _flat(_section(_md("ch1_definitions.md"), "The flip is a 180"))
    assert "proof-convolve_is_correlate_with_flipped_kernel-stride-s-dilation-d)" in sec  # symbolic s, d; p = 0
    assert "K \\le N$" not in sec and "$d(K - 1) + 1 \\le N + 2p$" in sec


def test_stacking_example_counts_its_outputs():
    sec = _flat(_section(_md("ch1_definitions.md"), "Algebra"))
    n_out = len(np.correlate(np.correlate(np.ones(6), np.ones(2), "valid"), np.ones(3), "valid"))
    words = {3: "three", 4: "four"}
    assert f"symbolic $x$ of length 6 (all {words[n_out]} outputs agree)" in sec


def test_summary_same_row_names_the_functions_it_reports():
    row = next(line for line in _md("ch7_summary.md").splitlines() if line.startswith("| 'same', even $K$"))
    x, w = [1, 2, 3, 4, 5], [1, 10]
    corr = [int(v) for v in np.correlate(x, w, "same")]
    conv = [int(v) for v in np.convolve(x, w, "same")]
    assert f"jax.numpy `correlate`: {corr}" in row and f"numpy `convolve`: {conv}" in row
    assert "numpy: [" not in row and "PyTorch, TF, JAX:" not in row
    torch = peers.module("torch")
    t = torch.tensor([[x]], dtype=torch.float64)
    k = torch.tensor([[w]], dtype=torch.float64)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = [int(v) for v in torch.nn.functional.conv1d(t, k, padding="same").reshape(-1).tolist()]
    assert f"(padding 'same'): {layer}" in row


def test_short_answer_states_the_backward_rule_and_its_modes():
    short = _flat(_section(_md("ch0_short_answer.md"), "The question, and the short answer"))
    assert "full (true) convolution of $g$ with $w$" in short and "correlation of $x$ with $g$ (no flip)" in short
    assert short.index("'valid' keeps only") < short.index("'valid')")  # defined before the snippet uses it
    md = _flat(_md("ch0_short_answer.md"))
    assert "as $m$ runs over the input, $k$ runs over" not in md  # the range of k comes from w[n − m] ≠ 0
    assert "$0 \\le n - m \\le K - 1$" in md
    full = [int(v) for v in np.correlate([1], [1, 2, 3], "full")]
    assert f"$[1] \\star h = {full}$ (both in 'full' mode" in md


def test_circular_convolution_has_its_own_symbol():
    """ch2 reads the seed's ⊛ as ordinary convolution: the circular one must be written differently."""
    md = _flat(_md("ch0_short_answer.md"))
    assert "\\circledast" not in md and "x \\ast_N w" in md and "\\bmod N]" in md


def test_no_prover_log_residue_in_prose():
    for path in markdown_files(generated("a")):
        if path.name == "ch8_machine_proofs.md":
            continue
        text = _flat(path.read_text(encoding="utf-8"))
        assert not re.search(r"(?<!full )\(true\)", text), path.name  # 'full (true) convolution' is prose
        for residue in (": true, true", ": true)", "FALSE", ".prove()`: proved", "by the users its comments name"):
            assert residue not in text, (path.name, residue)
        capitals = r"\b(?:NOT|TRUE|EVERY|ALL|ALSO|NO|ONLY|INPUT|ROTATED|SWAPPED|SCATTER|GATHER|DEFINED)\b"
        shouted = re.findall(capitals, text)
        assert not shouted, (path.name, shouted)  # emphasis is said in words, not in capitals
