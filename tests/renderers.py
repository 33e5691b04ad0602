"""The real renderers the tests hand generated math to: KaTeX (node) and latexmk (TeX Live).

Both are optional peers (``peers``): missing, they skip on a user's machine and fail in CI.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import peers
from notes_build import REPO

_KATEX = r"""
const katex = require(process.argv[process.argv.length - 1]);
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const errors = [];
for (const [src, display, where] of items) {
  try { katex.renderToString(src, {throwOnError: true, displayMode: display, strict: 'ignore'}); }
  catch (e) { errors.push(where + ': ' + e.message); }
}
process.stdout.write(JSON.stringify({count: items.length, errors}));
"""


def katex(items: list[tuple[str, bool, str]]) -> dict:
    """Render every ``(source, display?, where)`` with ``throwOnError``: ``{"count": n, "errors": [...]}``."""
    peers.program("katex", "node")
    d = REPO / "node_modules" / "katex"
    if not (d / "package.json").is_file():
        peers.missing("katex", f"{d} not found (run `npm ci`)")
    proc = subprocess.run(
        ["node", "-e", _KATEX, str(d)],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def latexmk(directory: Path, tex: str) -> str:
    """Compile ``directory/tex`` with ``latexmk -pdf -halt-on-error``; the log, after checking it has no error."""
    peers.program("latex", "latexmk", "pdflatex")
    proc = subprocess.run(
        ["latexmk", "-pdf", "-halt-on-error", "-interaction=nonstopmode", tex],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    log = (directory / Path(tex).with_suffix(".log")).read_text(encoding="latin-1")
    assert "Undefined control sequence" not in log and "LaTeX Error" not in log
    return log
