"""Every math fragment of the Markdown notes renders with KaTeX (throwOnError: true)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import peers
from notes_build import REPO, generated, markdown_files, math_fragments

SCRIPT = r"""
const katex = require(process.argv[process.argv.length - 1]);
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const errors = [];
for (const [src, display, where] of items) {
  try { katex.renderToString(src, {throwOnError: true, displayMode: display, strict: 'ignore'}); }
  catch (e) { errors.push(where + ': ' + e.message); }
}
process.stdout.write(JSON.stringify({count: items.length, errors}));
"""


def _katex_dir() -> Path:
    peers.program("katex", "node")
    d = REPO / "node_modules" / "katex"
    if not (d / "package.json").is_file():
        peers.missing("katex", f"{d} not found (run `npm ci`)")
    return d


def _render(items: list[tuple[str, bool, str]]) -> dict:
    proc = subprocess.run(
        ["node", "-e", SCRIPT, str(_katex_dir())],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


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
