"""docs/claims.md is real: its pycon blocks run as one doctest and print what the page shows."""

from __future__ import annotations

import doctest
import io
import re
from pathlib import Path

import symconv as sc

PAGE = Path(__file__).resolve().parent.parent / "docs" / "claims.md"


def _source() -> str:
    out, inside = [], False
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        fence = line.startswith("```")
        if fence:
            inside = line == "```pycon"
        out.append(line if inside and not fence else "")
    return "\n".join(out) + "\n"


def test_claims_page_examples_print_what_the_page_shows():
    assert len(re.findall(r"^```pycon$", PAGE.read_text(encoding="utf-8"), flags=re.M)) >= 6
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    test = doctest.DocTestParser().get_doctest(_source(), {}, "docs/claims.md", str(PAGE), 0)
    out = io.StringIO()
    try:
        runner.run(test, out=out.write)
    finally:
        sc.sizes("N K")  # the page declared N >= K: forget it for the other tests
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) print something else:\n{out.getvalue()}"
    assert result.attempted >= 20
