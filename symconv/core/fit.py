r"""Fit displayed LaTeX to the text width: estimate a line's printed width, break it at safe points.

symconv's ``.latex()`` output goes into a plain ``article`` (see
:func:`symconv.latex_preamble`); a line of an ``align*`` cannot break by itself,
so long ones are cut here into ``\\ &\qquad`` continuation lines. Cuts fall only
between list entries (``,\ ``), between the conjuncts of a guard (``\wedge``),
before a ``+``/``-`` of a sum or before a ``\cdot``/``\,`` product — never inside
braces or an index ``x[…]``. ``\left…\right`` pairs become ``\bigl…\bigr`` on a
cut line (they need not balance per line).

>>> latex_width(r"x[n + k] \cdot w[k]")
13.4
>>> print(break_line(r"a + b + c + d", 10.5))
a + b \\ &\qquad + c + d
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["DISPLAY_WIDTH", "TEXT_WIDTH", "break_line", "break_text", "latex_width", "wrap_items"]

#: Columns of symconv's plain-text renderings (``print(derive(...))``, ``print(backward_rule(...))``).
TEXT_WIDTH = 100
#: Characters of display math (10 pt, an ``article``'s 345 pt line) that fit on one line, with a margin.
DISPLAY_WIDTH = 58.0

_CMD = re.compile(r"\\([a-zA-Z]+|.)")
_WIDE = {"qquad": 4.0, "quad": 2.0, "sum": 1.5, "frac": 0.0, "left": 0.0, "right": 0.0, "bigl": 0.0, "bigr": 0.0}
_ZERO = {
    "text": 0.0,
    "mathrm": 0.0,
    "operatorname": 0.0,
    "mathit": 0.0,
    "boldsymbol": 0.0,
    "mathbf": 0.0,
    "tag": 0.0,
    "notag": 0.0,
}
_SPACE = {",": 0.3, " ": 0.5, ";": 0.4, "!": 0.0, "\\": 0.0}
#: Relations and binary operators: a glyph with space on both sides.
_OPS_WORDS = "le ge leq geq ne neq wedge land lor vee cdot times to Rightarrow mapsto equiv star ast pm mp in"
_OPS = frozenset(_OPS_WORDS.split(" "))


def latex_width(src: str) -> float:
    r"""Rough printed width of math ``src`` in characters (subscripts count 0.7, ``\frac`` its numerator)."""
    src = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: max(m.group(1), m.group(2), key=len), src)
    width = 0.0
    sub = 0
    depth: list[bool] = []
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            m = _CMD.match(src, i)
            assert m is not None
            name = m.group(1)
            if name in _SPACE:
                width += _SPACE[name]
            elif name in _WIDE:
                width += _WIDE[name]
            elif name in _ZERO:
                pass
            elif name in _OPS:
                width += 0.8 if sub else 2.2
            else:
                width += 0.7 if sub else 1.0
            i = m.end()
            continue
        if ch in "_^":
            if i + 1 < len(src) and src[i + 1] == "{":
                depth.append(True)
                sub += 1
                i += 2
                continue
            i += 1
            width += 0.7  # a single sub/superscript character follows
            i += 1
            continue
        if ch == "{":
            depth.append(False)
        elif ch == "}":
            if depth and depth.pop():
                sub -= 1
        elif ch in " &":
            pass
        elif ch in "+-=<>":
            width += 2.2 if not sub else 0.8
        else:
            width += 0.7 if sub else 1.0
        i += 1
    return round(width, 2)


_DELIMS = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr"}


class _Level(NamedTuple):
    """Cut points of one preference: before ``tokens`` (after them with ``after``), and with ``outside``
    only outside a guard's ``\\bigl[ … \\bigr]`` (a guard is cut at its conjunctions first)."""

    tokens: tuple[str, ...]
    outside: bool = False
    after: bool = False


_COMMAS = (r",\ ", r",\qquad ")
#: Break points, most preferred first: between the summands of a sum of sums, between entries, between a
#: guard's conjuncts, after a guard, between the terms of an index sum, between product factors — and, for a
#: single conjunct wider than a line, at its own signs.
_LEVELS = (
    _Level((r" + \sum", r" - \sum")),
    _Level(_COMMAS),
    _Level((r" \wedge ",)),
    _Level((r"\bigr] ",), after=True),
    _Level((" + ", " - "), outside=True),
    _Level((r" \cdot ", r" \, "), outside=True),
    _Level((" + ", " - ")),
)


def _cuts(src: str, level: _Level) -> list[int]:
    """Positions where ``src`` may be cut at ``level`` (never inside braces or index brackets)."""
    out = []
    brace = index = guard = 0
    i = 0

    def hit(i: int) -> None:
        if brace or index or i == 0 or (level.outside and guard):
            return
        for t in level.tokens:
            if src.startswith(t, i):
                if not level.after:
                    out.append(i)
                elif i + len(t) < len(src):
                    out.append(i + len(t))
                return

    while i < len(src):
        ch = src[i]
        if ch == "\\":
            hit(i)
            m = _CMD.match(src, i)
            i = m.end() if m else i + 1
            if m and m.group(1) in _DELIMS and i < len(src) and src[i] in "[]()":
                if src[i] == "[":
                    guard += 1
                elif src[i] == "]":
                    guard -= 1
                i += 1  # a sized delimiter (a guard's bracket), not an index
            continue
        if ch == "{":
            brace += 1
        elif ch == "}":
            brace -= 1
        elif ch == "[" and i > 0 and (src[i - 1].isalnum() or src[i - 1] in "}')"):
            index += 1
        elif ch == "]" and index:
            index -= 1
        else:
            hit(i)
        i += 1
    return out


def _fill(
    src: str,
    limit: float,
    level: int,
    levels: tuple[_Level, ...] = _LEVELS,
    width: Callable[[str], float] = latex_width,
) -> list[str]:
    """Greedy lines of ``src`` no wider than ``limit`` where possible, cutting at ``levels[level:]``."""
    if width(src) <= limit or level >= len(levels):
        return [src]
    cuts = _cuts(src, levels[level])
    if not cuts:
        return _fill(src, limit, level + 1, levels, width)
    pieces = []
    start = 0
    for c in cuts:
        pieces.append(src[start:c])
        start = c
    pieces.append(src[start:])
    lines: list[str] = []
    cur = ""
    for p in pieces:
        if cur and width(cur + p) > limit:
            lines.append(cur)
            cur = p
        else:
            cur += p
    lines.append(cur)
    out: list[str] = []
    for line in lines:
        out += _fill(line, limit, level + 1, levels, width)
    return out


#: The first level cutting at a sum's signs (an entry of a list wider than a line starts there).
_SIGNS = 4


def break_line(src: str, limit: float = DISPLAY_WIDTH, *, indent: float = 4.0) -> str:
    r"""``src`` (one ``align*`` line's content after its ``&``) cut into ``\\ &\qquad`` continuation lines.

    A comma cut keeps its comma on the line before; a sum or product cut starts the next line with its
    sign. A line that fits is returned unchanged.
    """
    if latex_width(src) <= limit:
        return src
    if "\\\\" in src:  # already broken by its author: fit each of its lines
        return "\\\\".join(break_line(seg, limit, indent=indent) for seg in src.split("\\\\"))
    src = src.replace(r"\left[", r"\bigl[").replace(r"\right]", r"\bigr]")
    src = src.replace(r"\left(", r"\bigl(").replace(r"\right)", r"\bigr)")
    lines = _fill(src, limit - indent, 0)
    out: list[str] = []
    for i, line in enumerate(lines):
        for t in _COMMAS:
            if line.startswith(t):  # the comma stays at the end of the previous line
                out[-1] += ","
                line = line[len(t) :]
        out.append(line.strip() if i else line.rstrip())
    return r" \\ &\qquad ".join(out)


def wrap_items(items: list[str], limit: float = DISPLAY_WIDTH) -> list[str]:
    r"""Entries joined by ``,\ `` into greedy lines no wider than ``limit`` (an entry wider stays whole).

    >>> wrap_items(["a", "b", "c"], 4)
    ['a,\\ b,', 'c']
    """
    lines: list[str] = []
    cur = ""
    for it in items:
        if latex_width(it) > limit:  # an entry wider than the line: cut it before its signs, indented
            if cur:
                lines.append(cur + ",")
            pieces = _fill(it, limit - 2, _SIGNS)
            lines += [pieces[0], *(r"\quad " + p.strip() for p in pieces[1:])]
            cur = ""
            continue
        nxt = it if not cur else cur + r",\ " + it
        if cur and latex_width(nxt) > limit:
            lines.append(cur + ",")
            cur = it
        else:
            cur = nxt
    if cur:
        lines.append(cur)
    return lines


_TEXT_LEVELS = (_Level((", ",)), _Level((" + ", " - ")), _Level(("·",)))


def break_text(src: str, width: int, indent: int) -> list[str]:
    """Plain text ``src`` cut into lines of at most ``width`` columns (where a cut exists), continuation
    lines indented by ``indent`` spaces: cuts after a list's commas, then before a sum's signs.

    >>> break_text("y = [a + b, c + d, e + f]", 15, 5)
    ['y = [a + b,', '     c + d,', '     e + f]']
    """
    if len(src) <= width:
        return [src]
    lines = _fill(src, width - indent, 0, _TEXT_LEVELS, lambda t: float(len(t)))
    out: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith(", ") and out:
            out[-1] += ","
            line = line[2:]
        out.append(line.rstrip() if i == 0 else " " * indent + line.strip())
    return out
