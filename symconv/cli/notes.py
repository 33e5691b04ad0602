"""``symconv notes``: generate the course notes (Markdown, LaTeX, PDF)."""

from __future__ import annotations

import argparse
from typing import Any

from symconv.core.errors import SymconvError

__all__ = ["register"]


def _formats(text: str) -> list[str]:
    from symconv.core.numbers import shown
    from symconv.writing.notes import FORMATS

    out = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in out if t not in FORMATS]
    if bad or not out:
        raise SymconvError(
            f"notes: `--format` must be a comma-separated subset of {','.join(FORMATS)}; got {shown(text)}"
        )
    return out


def _run(args: argparse.Namespace) -> int:
    from symconv.writing.notes import check_out, write_notes

    formats = _formats(args.format)
    out = check_out(args.out)
    files = write_notes(out, formats)
    print(f"symconv notes: wrote {len(files)} files to {args.out}")
    return 0


def register(sub: Any) -> None:
    """Add the ``notes`` sub-command."""
    p = sub.add_parser("notes", help="generate the course notes (Markdown, LaTeX, PDF)")
    p.add_argument("--out", required=True, help="output directory, e.g. docs/notes")
    p.add_argument("--format", default="md,tex,pdf", help="comma-separated: md,tex,pdf (pdf needs latexmk or pdflatex)")
    p.set_defaults(handler=_run)
