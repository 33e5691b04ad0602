"""The second reading's polish items on the notes (issue 13, reader2 Batch 3): each checked on the generated text
(Markdown and LaTeX) with plain string and regex reads, independent of the code that writes it.
"""

from __future__ import annotations

import re

import peers
import pytest
from notes_build import generated


@pytest.fixture(autouse=True)
def _matplotlib():
    peers.module("matplotlib")


def _text(name: str) -> str:
    return (generated("a") / name).read_text(encoding="utf-8")


def _sections(md: str) -> list[tuple[str, str]]:
    """``(heading, body)`` of every ``##`` section."""
    out = []
    for sec in re.split(r"^## ", md, flags=re.M)[1:]:
        head, _, body = sec.partition("\n")
        out.append((head, body))
    return out


def _appendix_tex() -> str:
    tex = _text("notes.tex")
    return tex[tex.index("How to read a machine proof") :]


def _displays(md: str) -> list[list[str]]:
    return [
        m.group(1).strip().splitlines() for m in re.finditer(r"\$\$\\begin\{aligned\}(.*?)\\end\{aligned\}", md, re.S)
    ]


# ---------------------------------------------------------------- Y6: the 'only if' chains


def test_only_if_chains_say_zero_after_the_difference_is_rewritten():
    """'A − B = 0 for every x' then '= Σ …' asserts 0 = Σ …: the '= 0 for every x' ends the equalities, ⇒ follows."""
    md = _text("ch8_machine_proofs.md")
    chains = [d for d in _displays(md) if any("= 0 \\text{ for every } x" in ln for ln in d)]
    assert len(chains) >= 4, "the four 'only if' proofs (A.11-A.14)"
    for lines in chains:
        starts = [i for i, ln in enumerate(lines) if not ln.startswith("&\\qquad")]  # a step's first line
        said = next(i for i, ln in enumerate(lines) if "= 0 \\text{ for every } x" in ln)
        nxt = [i for i in starts if i > said]
        assert nxt and lines[nxt[0]].startswith("&\\Rightarrow"), lines[said : said + 3]
        assert said > starts[1], "'= 0 for every x' stands on the chain's first line"


# ---------------------------------------------------------------- Y1: the legend is the rules used


def _legend(md: str) -> set[str]:
    sec = dict(_sections(md))["How to read a machine proof"]
    return {ln.split(" | ")[0].strip("| ") for ln in sec.splitlines() if ln.startswith("| ") and "---" not in ln} - {
        "rule"
    }


def _used(md: str) -> set[str]:
    used = set()
    for tag in re.findall(r"&& \\text\{([^}]*)\}", md):
        for rule in tag.split(", "):
            used.add(re.sub(r" \((claim side|twice|\d+ times)\)", "", rule).strip())
    return used


def test_appendix_legend_lists_exactly_the_rules_its_proofs_use():
    md = _text("ch8_machine_proofs.md")
    used, legend = _used(md), _legend(md)
    assert {"compare coefficients", "entails hypothesis"} <= used
    assert used == legend, f"used but not explained: {used - legend}; explained, never used: {legend - used}"


# ---------------------------------------------------------------- Y3, Y2, Y4, U3, U4: the appendix's statements


def test_the_flip_has_one_name_in_the_appendix():
    assert "operatorname{flip}" not in _text("ch8_machine_proofs.md")
    assert "operatorname{flip}" not in _appendix_tex()


def _statement(body: str) -> str:
    return body.split("**Theorem.**", 1)[1].split("\\end{aligned}", 1)[0]


def test_two_d_statements_are_in_bold_multi_index_notation():
    two_d = [(h, b) for h, b in _sections(_text("ch8_machine_proofs.md")) if "(2-D" in h]
    assert len(two_d) >= 5
    for head, body in two_d:
        stmt = _statement(body)
        assert "\\boldsymbol{k}" in stmt, head
        assert not re.search(r"\[(n|k|K - 1 - k)\]", stmt), (head, stmt)


def test_two_d_symbolic_proofs_say_one_stride_dilation_padding_serves_both_axes():
    for head, body in _sections(_text("ch8_machine_proofs.md")):
        if "(2-D" in head and "symbolic" in head:
            assert re.search(r"the same [sdpa, ]+ on every axis", head), head
            assert "on both axes" in _statement(body), head


def test_not_covered_lines_are_statements_with_cross_references():
    md = _text("ch8_machine_proofs.md")
    for said in ("prove padding=0", "prove output_padding", ".prove().markdown()", "parameter `ndim=2`"):
        assert said not in md, said
    for line in re.findall(r"^Not covered.*$", md, flags=re.M):
        if "padding 0" in line or "mod s" in line:
            assert re.search(r"\]\(ch8_machine_proofs\.md#proof-[\w-]+\) covers", line), line
    tex = _appendix_tex()
    assert "Theorem~\\ref{proof-convolve_is_correlate_with_flipped_kernel-stride-s-dilation-d} (page~" in tex


def test_appendix_theorems_are_headed_by_their_statement_not_their_code_name():
    md = _text("ch8_machine_proofs.md")
    assert "**Theorem** `" not in md
    assert md.count("*name:* `") == md.count("**Theorem.**") > 20
    tex = _appendix_tex()
    assert not re.search(r"\\begin\{theorem\}\[[^\]]*\]\\label\{[^}]*\}\n\\texttt\{", tex)
    assert tex.count("{\\footnotesize name: \\texttt{") > 20


# ---------------------------------------------------------------- U1, U2, U5, Y7, Y8, U6: the body


def test_page_one_glosses_rot180_and_the_transposed_convolution():
    md = _text("ch0_short_answer.md")
    answer = " ".join(md.split("**Short answer.**", 1)[1].split("```", 1)[0].split())
    first = answer.index("rot180")
    assert "(\\operatorname{rot180} w)[k] = w[K - 1 - k]" in answer[first : first + 200], answer[first : first + 200]
    assert re.search(r"transposed convolution \(the upsampling layer; chapter 5\)", answer)


def test_theorem_1_proof_claims_no_substitution_it_does_not_make():
    """Its display is the definition, then w[K-1-k] renamed (rot180 w)[k]: no substitution k -> K-1-k is made."""
    md = _text("ch1_definitions.md")
    proof = md.split("**Theorem (the flip).**", 1)[1].split("*Machine proof:*", 1)[0]
    assert "substitution" not in proof
    assert "definition" in proof


def test_the_seed_is_named_by_site_and_question_title():
    md = " ".join(_text("ch2_seed.md").split())
    assert "Artificial Intelligence Stack Exchange" in md
    assert "“Do convolutional neural networks perform convolution or cross-correlation?”" in md
    # the only address given is the one found (an archived copy), none guessed
    urls = set(re.findall(r"https?://[^\s);]+", md))
    assert urls <= {
        "https://library.kiwix.org/ai.stackexchange.com_en_all_2020-10/A/question/20987.html",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    }, urls


def test_figure_1_uses_no_letters_the_notes_do_not_use():
    svg = (generated("a") / "figures" / "window_2d.svg").read_text(encoding="utf-8")
    assert "w[a,b]" not in svg and "w[b,a]" not in svg and "x[i,j]" not in svg


def test_algebra_table_caption_names_its_stacking_rows():
    md = _text("ch1_definitions.md")
    caption = re.search(r"^\*Algebra of [^*]*\*$", md, flags=re.M)
    assert caption and "stacked" in caption.group(0), caption


def test_tall_table_rows_are_spaced():
    """Table 14 (output sizes): its 'case' cells wrap over several lines, so its rows are spaced apart."""
    tex = _text("notes.tex")
    table = tex.split("\\caption{Output size: the formula against", 1)[1].split("\\end{tabular}", 1)[0]
    rows = table.split("\\midrule", 1)[1].split("\\bottomrule", 1)[0].strip().split("\n")
    assert len(rows) > 5 and all(r.endswith("\\addlinespace[3pt]") for r in rows[:-1]), rows[:2]


def test_table_captions_keep_off_the_top_rule():
    """V3: a caption above a table had no skip (its descenders touched the rule): the preamble sets one."""
    tex = _text("notes.tex")
    m = re.search(r"\\setlength\{\\belowcaptionskip\}\{(\d+(?:\.\d+)?)pt\}", tex.split("\\begin{document}")[0])
    assert m and float(m.group(1)) >= 3


def test_the_legend_refuses_a_rule_it_cannot_explain():
    from symconv import SymconvError
    from symconv.writing.notes import _load, chapter_paths

    ch8 = _load(next(p for p in chapter_paths() if p.name.startswith("ch8_")))
    with pytest.raises(SymconvError, match="does not explain"):
        ch8.legend({"definition", "a rule nobody wrote down"})
    assert [row[0] for row in ch8.legend({"equal", "definition"}).rows] == ["definition", "equal"]
