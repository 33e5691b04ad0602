r"""How wide the notes' markup prints: the column widths of a LaTeX table, the width of a display line.

Rough estimates in characters (a math command counts as one glyph), enough to choose between ``l`` and
wrapping ``p`` columns and to know when a proof line must break.

>>> round(visible_width("`ab` and $x_0$"), 1)
9.6
>>> column_spec([["a", "b"], ["c", "d"]])
'll'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["MARKUP", "column_spec", "rigid_width", "row_gap", "visible_width"]

#: The notes' three-rule markup: ``$math$``, `` `code` `` and ``**bold**``.
MARKUP = re.compile(r"(\$[^$]+\$|`[^`]+`|\*\*[^*]+\*\*)")

#: Characters of ``\small`` text that fit on one line of the notes (A4, 2.2 cm margins), with column gaps.
_LINE_CHARS = 84
#: The same in ``\footnotesize`` (used, with narrower column gaps, for tables that do not fit).
_LINE_CHARS_TIGHT = 96
_MATH_CMD = re.compile(r"\\[a-zA-Z]+|[{}^_&$\\]")


def visible_width(cell: str) -> float:
    """Rough printed width of a cell in characters (math commands count as one glyph)."""
    width = 0.0
    for piece in MARKUP.split(cell):
        if piece.startswith("$") and piece.endswith("$") and len(piece) > 1:
            body = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"\1", piece[1:-1])
            width += 0.8 * len(_MATH_CMD.sub("x", body).replace("x x", "x").replace(" ", ""))
        elif piece.startswith("`") and piece.endswith("`"):
            width += 1.1 * (len(piece) - 2)
        else:
            width += len(piece.replace("**", ""))
    return width


def rigid_width(cell: str) -> float:
    """Width of the widest piece of a cell that cannot wrap: a formula, or a word (code breaks only at ``.``,
    between module names: a name is never broken inside)."""
    widths = [visible_width(m) for m in re.findall(r"\$[^$]+\$", cell)]
    for word in re.sub(r"\$[^$]+\$", " ", cell).split():
        parts = re.split(r"[.]", word) if "`" in word else [word]
        widths += [1.1 * len(p.strip("`")) for p in parts]
    return max(widths, default=0.0)


def column_spec(rows: Sequence[Sequence[str]]) -> str:
    """``l`` columns when the table fits the line; otherwise ragged-right ``p`` columns sized to the content."""
    n = len(rows[0])
    natural = [max(visible_width(r[i]) for r in rows) for i in range(n)]
    if sum(natural) <= _LINE_CHARS - 2.5 * n:
        return "l" * n
    line = _LINE_CHARS_TIGHT
    # a formula or a word does not wrap: its column is at least that wide
    rigid = [max(rigid_width(r[i]) for r in rows) for i in range(n)]
    budget = line - 1.3 * n
    # every column wraps; a column is at least as wide as its widest unbreakable piece (or 6 characters)
    floor_w = [max(r + 1, 6.0) for r in rigid]
    # narrow columns first get all they need (no wrapping), the wide ones share what is left equally
    share = [0.0] * n
    left = budget
    for done, i in enumerate(sorted(range(n), key=lambda i: natural[i])):
        share[i] = min(natural[i] + 1, left / (n - done))
        left -= share[i]
    share = [max(f, sh) for f, sh in zip(floor_w, share)]
    excess = sum(share) - budget
    if excess > 0:
        slack = [sh - f for sh, f in zip(share, floor_w)]
        total = sum(slack) or 1.0
        share = [sh - excess * sl / total for sh, sl in zip(share, slack)]
    spec = [f">{{\\raggedright\\arraybackslash}}p{{{0.97 * sh / line:.3f}\\linewidth}}" for sh in share]
    return "".join(spec)


def row_gap(rows: Sequence[Sequence[str]], spec: str) -> bool:
    r"""Whether the rows of a table with column ``spec`` need space between them: some cell wraps over three
    lines or more, so that a reader could not tell its rows apart without it.

    >>> row_gap([["a", "b"]], "ll")
    False
    >>> row_gap([["a " * 40, "b"]], r"p{0.200\linewidth}p{0.700\linewidth}")
    True
    """
    shares = [float(w) / 0.97 * _LINE_CHARS_TIGHT for w in re.findall(r"p\{([\d.]+)\\linewidth\}", spec)]
    if len(shares) != len(rows[0]):
        return False
    return any(visible_width(c) > 2 * sh for r in rows for c, sh in zip(r, shares))
