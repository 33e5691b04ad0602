r"""Floats of the PDF edition point back to their text: "(Figure~3)" at the end of the paragraph they illustrate.

A figure or captioned table floats (LaTeX may set it at the top of the next page), so the paragraph that
introduces it names it by number. :func:`attach` adds that pointer to the nearest paragraph before the float
(or after it, when none comes before) inside the same section, just before its final punctuation.

>>> attach(["Two ways to slide a kernel:", "FIG"], [("", ""), ("Figure", "fig:a")], [True, False])
['Two ways to slide a kernel (Figure~\\ref{fig:a}):', 'FIG']
>>> attach(["Both sizes (chapter 5).", "TAB"], [("", ""), ("Table", "tab:b")], [True, False])[0]
'Both sizes (chapter 5; Table~\\ref{tab:b}).'
>>> pointer([("Figure", "fig:a"), ("Figure", "fig:b"), ("Table", "tab:c")])
'(Figures~\\ref{fig:a} and~\\ref{fig:b}; Table~\\ref{tab:c})'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["attach", "pointer"]

_END = re.compile(r"(?P<punct>[.:;,]?)(?P<tail>\s*(\\end\{itemize\})?\s*)$")


def pointer(refs: Sequence[tuple[str, str]]) -> str:
    """``(Figure~\\ref{…})`` for ``(kind, label)`` pairs; several of a kind share one word (``Figures … and …``)."""
    kinds: dict[str, list[str]] = {}
    for kind, label in refs:
        kinds.setdefault(kind, []).append("\\ref{" + label + "}")
    parts = []
    for kind, labels in kinds.items():
        if len(labels) == 1:
            parts.append(f"{kind}~{labels[0]}")
        else:
            parts.append(f"{kind}s~" + ", ~".join(labels[:-1]) + " and~" + labels[-1])
    return "(" + "; ".join(parts) + ")"


def _append(tex: str, refs: Sequence[tuple[str, str]]) -> str:
    m = _END.search(tex)
    assert m is not None  # the pattern matches the empty end of any string
    head = tex[: m.start()]
    if head.endswith(")"):  # "… (chapter 4) (Table 1)" reads as "… (chapter 4; Table 1)"
        return head[:-1] + "; " + pointer(refs)[1:] + m.group("punct") + m.group("tail")
    return head + " " + pointer(refs) + m.group("punct") + m.group("tail")


def attach(rendered: Sequence[str], refs: Sequence[tuple[str, str]], prose: Sequence[bool]) -> list[str]:
    """The LaTeX of a section's blocks with a pointer to every float in the nearest paragraph.

    ``refs[i]`` is ``(kind, label)`` when block ``i`` floats (``("", "")`` otherwise); ``prose[i]`` says
    whether block ``i`` is a paragraph that can carry a pointer. A float with no paragraph in its section
    gets a sentence of its own.
    """
    out = list(rendered)
    by_prose: dict[int, list[tuple[str, str]]] = {}
    alone: dict[int, list[tuple[str, str]]] = {}
    for i, (kind, label) in enumerate(refs):
        if not label:
            continue
        before = [j for j in range(i - 1, -1, -1) if prose[j]]
        after = [j for j in range(i + 1, len(refs)) if prose[j]]
        target = before[0] if before else after[0] if after else None
        (alone.setdefault(i, []) if target is None else by_prose.setdefault(target, [])).append((kind, label))
    for j, group in by_prose.items():
        out[j] = _append(out[j], group)
    for i, group in alone.items():
        out[i] = "See " + pointer(group)[1:-1] + ".\n\n" + out[i]
    return out
