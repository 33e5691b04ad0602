"""Quotes in the notes' LaTeX: a straight opening quote in prose becomes LaTeX's opening quote."""

from __future__ import annotations

import re

__all__ = ["open_quotes"]

#: A straight single quote that opens a quotation: after a space or an opening bracket, before a letter.
_OPENING = re.compile(r"(?<=[\s(\[/])'(?=\w)")


def open_quotes(text: str, before: str) -> str:
    r"""Prose's opening straight quotes as LaTeX's opening quote (`` ` ``), so 'valid' is typeset as ‘valid’
    rather than with two closing quotes; an apostrophe (numpy's) is unchanged. ``before``: the LaTeX that
    precedes ``text`` in the paragraph ("" at its start).

    >>> open_quotes("mode ('valid' or 'same'), numpy's", "")
    "mode (`valid' or `same'), numpy's"
    >>> open_quotes("'s value", "$")
    "'s value"
    """
    return _OPENING.sub("`", (before[-1:] or " ") + text)[1:]
