r"""LaTeX of arrays that fits a line: vectors wrap inside their brackets, wide matrices elide columns.

>>> import numpy as np, sympy
>>> array_latex(np.array([sympy.Integer(1), sympy.Integer(2)], dtype=object))
'\\left[ 1, \\ 2 \\right]'
>>> from fractions import Fraction
>>> array_latex(np.array([1, Fraction(-1, 2)], dtype=object), number_latex)
'\\left[ 1, \\ - \\frac{1}{2} \\right]'
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from symconv.core.fit import DISPLAY_WIDTH, latex_width, wrap_items

__all__ = ["array_latex", "number_latex"]


def number_latex(value: int | Fraction) -> str:
    r"""``sympy.latex`` of an exact rational, without sympy: ``-2``, ``\frac{7}{3}``, ``- \frac{1}{2}``.

    >>> number_latex(Fraction(-1, 2)), number_latex(7)
    ('- \\frac{1}{2}', '7')
    """
    q = Fraction(value)
    if q.denominator == 1:
        return str(q.numerator)
    sign = "- " if q.numerator < 0 else ""
    return rf"{sign}\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"


#: Entries beyond which a vector prints its first and last three (numpy's summarisation threshold).
_SUMMARY = 1000
#: Rows of a matrix beyond which it prints its first and last three.
_MAX_ROWS = 20


def _wrapped(items: list[str]) -> str:
    r"""``[a, b, …]`` on one line, or wrapped into lines of an ``array`` inside the brackets."""
    one = r"\left[ " + r", \ ".join(items) + r" \right]"
    if latex_width(one) <= DISPLAY_WIDTH:
        return one
    return _lines(wrap_items(items, DISPLAY_WIDTH - 4))


def _lines(rows: list[str]) -> str:
    """Lines (each ending in its comma) stacked in brackets: a list too long for one line."""
    # `{}` after each `\\`: a line starting with `[` must not read as the optional argument `\\[…]`
    return r"\left[ \begin{array}{@{}l@{}} " + r" \\ {}".join(rows) + r" \end{array} \right]"


def array_latex(data: np.ndarray, entry: Callable[[Any], str] | None = None) -> str:
    """LaTeX of an object array (see :meth:`symconv.Array.latex`); ``entry`` prints one entry (``sympy.latex``)."""
    if entry is None:
        import sympy

        entry = sympy.latex
    if data.ndim == 0:
        return entry(data[()])
    if data.ndim == 1:
        items = [entry(e) for e in data]
        if len(items) > _SUMMARY:
            items = [*items[:3], r"\ldots", *items[-3:]]
        return _wrapped(items)
    if data.ndim == 2:
        cells = [[entry(e) for e in row] for row in data]
        if len(cells) > _MAX_ROWS:
            dots = [r"\vdots"] * len(cells[0])
            cells = [*cells[:3], dots, *cells[-3:]]
        ncols = len(cells[0])
        keep = ncols
        while True:
            if keep >= ncols:
                shown = cells
            else:
                left, right = (keep + 1) // 2, keep // 2
                shown = [[*r[:left], r"\cdots", *(r[ncols - right :] if right else [])] for r in cells]
            body = r" \\ ".join(" & ".join(r) for r in shown)
            out = r"\begin{bmatrix} " + body + r" \end{bmatrix}"
            widths = [max(latex_width(r[j]) + 2.2 for r in shown) for j in range(len(shown[0]))]
            if sum(widths) <= DISPLAY_WIDTH:
                return out
            if keep <= 2:  # entries too wide for any matrix: the rows as lists, one under the other
                lines: list[str] = []
                for i, r in enumerate(cells):
                    sub = wrap_items(r, DISPLAY_WIDTH - 6)
                    sub[0], sub[-1] = "[" + sub[0], sub[-1] + ("]," if i < len(cells) - 1 else "]")
                    lines += sub
                return _lines(lines)
            keep = min(keep, ncols) - 1
    return _wrapped([array_latex(data[i], entry) for i in range(data.shape[0])])
