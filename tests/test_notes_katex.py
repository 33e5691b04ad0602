"""Every math fragment of the Markdown notes renders with KaTeX (throwOnError: true)."""

from __future__ import annotations

import renderers
from notes_build import generated, markdown_files, math_fragments

_render = renderers.katex


def test_fragment_extraction_finds_display_and_inline_math():
    md = "a $x$ b `$no$`\n\n$$\n\\begin{aligned}y\\end{aligned}\n$$\n\n```\n$no$\n```\n"
    assert math_fragments(md) == [("\n\\begin{aligned}y\\end{aligned}\n", True), ("x", False)]


def test_katex_rejects_a_bad_fragment():
    out = _render([("\\notamacro{x}", False, "probe"), ("x^{", False, "probe2"), ("x_0", True, "ok")])
    assert len(out["errors"]) == 2


def test_every_math_fragment_of_the_notes_renders():
    items = []
    for path in markdown_files(generated("a")):
        md = path.read_text(encoding="utf-8")
        assert "\\coloneqq" not in md and "\\DeclareMathOperator" not in md
        items += [(src, display, f"{path.name}#{i}") for i, (src, display) in enumerate(math_fragments(md))]
    assert len(items) > 150
    out = _render(items)
    assert out["count"] == len(items)
    assert out["errors"] == []
