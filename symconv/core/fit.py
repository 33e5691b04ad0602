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

__all__ = ["DISPLAY_WIDTH", "TEXT_WIDTH", "break_line", "break_text", "latex_width", "wrap_items"]

#: Columns of symconv's plain-text renderings (``print(derive(...))``, ``print(backward_rule(...))``).
TEXT_WIDTH = 100
#: Characters of display math (10 pt, an ``article``'s 345 pt line) that fit on one line, with a margin.
DISPLAY_WIDTH = 58.0

_CMD = re.compile(r"\\([a-zA-Z]+|.)")
_WIDE = {"qquad": 4.0, "quad": 2.0, "sum": 1.5, "frac": 0.0, "left": 0.0, "right": 0.0, "bigl": 0.0, "bigr": 0.0}
_ZERO = {"text": 0.0, "mathrm": 0.0, "operatorname": 0.0, "mathit": 0.0, "tag": 0.0, "notag": 0.0}
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

#: Break points, most preferred first: between entries, guard conjuncts, sum terms, product factors.
_LEVELS = ((r",\ ", r",\qquad "), (r" \wedge ",), (" + ", " - "), (r" \cdot ", r" \, "))


def _cuts(src: str, tokens: tuple[str, ...]) -> list[int]:
    """Positions where ``src`` may be cut before one of ``tokens`` (outside braces and index brackets)."""
    out = []
    brace = index = 0
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            if brace == 0 and index == 0 and i > 0 and any(src.startswith(t, i) for t in tokens):
                out.append(i)
            m = _CMD.match(src, i)
            i = m.end() if m else i + 1
            if m and m.group(1) in _DELIMS and i < len(src) and src[i] in "[]()":
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
        elif brace == 0 and index == 0 and i > 0 and any(src.startswith(t, i) for t in tokens):
            out.append(i)
        i += 1
    return out


def _fill(
    src: str,
    limit: float,
    level: int,
    levels: tuple[tuple[str, ...], ...] = _LEVELS,
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
        for t in _LEVELS[0]:
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
            pieces = _fill(it, limit - 2, 2)
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


_TEXT_LEVELS = ((", ",), (" + ", " - "), ("·",))


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
