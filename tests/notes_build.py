"""Generate the course notes once per test session (shared by the notes tests)."""

from __future__ import annotations

import functools
import re
import tempfile
from pathlib import Path

from symconv.writing.notes import write_notes

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "docs" / "notes"


@functools.cache
def generated(tag: str = "a") -> Path:
    """The notes (md, tex, figures) generated into a fresh temporary directory; ``tag`` names a separate run."""
    out = Path(tempfile.mkdtemp(prefix=f"symconv-notes-{tag}-"))
    write_notes(out, ("md", "tex"))
    return out


def markdown_files(root: Path) -> list[Path]:
    return sorted(root.glob("*.md"))


_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_CODE = re.compile(r"`[^`\n]*`")
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"\$([^$\n]+)\$")


def math_fragments(md: str) -> list[tuple[str, bool]]:
    """Every math fragment of a Markdown text: (source, display?) — code blocks and spans excluded."""
    text = _FENCE.sub("", md)
    text = _CODE.sub("", text)
    out = [(m.group(1), True) for m in _DISPLAY.finditer(text)]
    rest = _DISPLAY.sub("", text)
    out += [(m.group(1), False) for m in _INLINE.finditer(rest)]
    return out
