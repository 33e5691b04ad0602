r"""A tiny document model for the course notes, rendered to Markdown and LaTeX.

Chapter scripts in ``derivations/`` return :class:`Chapter` objects built from
these blocks; the equations inside come from symconv calls
(:func:`symconv.derive`, proofs, tables), never typed by hand. Prose uses a
three-rule markup shared by both outputs: ``$…$`` inline math, `` `code` ``
and ``**bold**``.

>>> ch = Chapter("demo", "Demo", [Section("Flip", [Text("Use `np.flip`: $w[K-1-k]$.")], items=(2,))])
>>> print(ch.markdown().splitlines()[3])
<!-- checklist: 2 -->
>>> print(Text("50% of `a_b` is $x_0$").latex())
50\% of \texttt{a\_b} is $x_0$
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from symconv._errors import SymconvError

__all__ = [
    "Block",
    "Box",
    "Chapter",
    "Code",
    "Figure",
    "Math",
    "ProofBlock",
    "Raw",
    "Section",
    "Table",
    "Text",
    "markup_latex",
    "proved",
]

# Characters pdflatex cannot take as text: their LaTeX spelling.
_UNICODE = {
    "—": "---",
    "–": "--",
    "’": "'",
    "‘": "`",
    "“": "``",
    "”": "''",
    "×": r"$\times$",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "≠": r"$\ne$",
    "·": r"$\cdot$",
    "→": r"$\to$",
    "↦": r"$\mapsto$",
    "⇔": r"$\Leftrightarrow$",
    "∂": r"$\partial$",
    "Σ": r"$\Sigma$",
    "−": "-",
    "…": r"\dots{}",
    "⋆": r"$\star$",
    "∗": r"$\ast$",
    "≡": r"$\equiv$",
    "∎": r"$\blacksquare$",
    "°": r"$^\circ$",
    "⌊": r"$\lfloor$",
    "⌋": r"$\rfloor$",
    "⌈": r"$\lceil$",
    "⌉": r"$\rceil$",
    "•": r"\textbullet{}",
    "✓": r"$\checkmark$",
    "⟺": r"$\iff$",
    "ℤ": r"$\mathbb{Z}$",
    "′": "'",
    "∧": r"$\wedge$",
    "⟨": r"$\langle$",
    "⟩": r"$\rangle$",
    "∈": r"$\in$",
    "⊆": r"$\subseteq$",
    "∀": r"$\forall$",
    "∃": r"$\exists$",
    "✗": r"$\times$",
}
_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "$": r"\$",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
_MARKUP = re.compile(r"(\$[^$]+\$|`[^`]+`|\*\*[^*]+\*\*)")


def _escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[ch])
        elif ch in _UNICODE:
            out.append(_UNICODE[ch])
        elif ord(ch) > 127:
            raise SymconvError(f"notes: character {ch!r} has no LaTeX spelling; add it to _UNICODE")
        else:
            out.append(ch)
    return "".join(out)


def markup_latex(src: str) -> str:
    r"""Convert the notes' markup to LaTeX text: escape prose, keep ``$math$``.

    >>> markup_latex("**Note** `x[0]` ≤ $y$")
    '\\textbf{Note} \\texttt{x[0]} $\\le$ $y$'
    """
    parts = []
    for piece in _MARKUP.split(src):
        if not piece:
            continue
        if piece.startswith("$") and piece.endswith("$") and len(piece) > 1:
            parts.append(piece)
        elif piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
            parts.append(r"\texttt{" + _escape(piece[1:-1]) + "}")
        elif piece.startswith("**") and piece.endswith("**") and len(piece) > 3:
            parts.append(r"\textbf{" + markup_latex(piece[2:-2]) + "}")
        else:
            parts.append(_escape(piece))
    return "".join(parts)


class Block:
    """A piece of a chapter with a Markdown and a LaTeX rendering."""

    def markdown(self, ctx: RenderContext) -> str:
        raise NotImplementedError

    def latex(self, ctx: RenderContext) -> str:
        raise NotImplementedError

    def figures(self) -> list[Figure]:
        """Figures inside this block (to be drawn next to the output)."""
        return []


@dataclass
class RenderContext:
    """Where figures live relative to the document."""

    figure_dir: str = "figures"


@dataclass(frozen=True)
class Text(Block):
    """A paragraph of prose in the notes' markup."""

    src: str

    def markdown(self, ctx: RenderContext | None = None) -> str:
        return self.src

    def latex(self, ctx: RenderContext | None = None) -> str:
        return markup_latex(self.src)


def _aligned_body(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "body"):
        return str(obj.body())
    raise SymconvError(f"notes: Math takes LaTeX lines or an object with .body(); got {type(obj).__name__}")


@dataclass(frozen=True)
class Math(Block):
    r"""Display math: ``align*`` in LaTeX, ``$$\begin{aligned}…\end{aligned}$$`` in Markdown.

    ``content`` is the body with ``&`` alignment points and ``\\`` line
    breaks, or an object with ``.body()`` (a :class:`~symconv.Derivation`).
    """

    content: Any

    def markdown(self, ctx: RenderContext | None = None) -> str:
        return "$$\n\\begin{aligned}\n" + _aligned_body(self.content) + "\n\\end{aligned}\n$$"

    def latex(self, ctx: RenderContext | None = None) -> str:
        return "\\begin{align*}\n" + _aligned_body(self.content) + "\n\\end{align*}"


@dataclass(frozen=True)
class Raw(Block):
    """Pre-rendered content from a symconv object (e.g. a backward table): Markdown and LaTeX."""

    md: str
    tex: str
    wide: bool = False

    def markdown(self, ctx: RenderContext | None = None) -> str:
        return self.md

    def latex(self, ctx: RenderContext | None = None) -> str:
        if self.wide:
            return "\\begin{center}\n\\resizebox{\\linewidth}{!}{%\n" + self.tex + "%\n}\n\\end{center}"
        return self.tex


@dataclass(frozen=True)
class ProofBlock(Block):
    """A proved theorem (``symconv.theorem(...).prove()``): its own Markdown; in LaTeX, theorem and proof
    environments around its ``align*`` steps (its ``%`` header lines become prose)."""

    proof: Any

    def __post_init__(self) -> None:
        if not getattr(self.proof, "holds", False):
            raise SymconvError(f"notes: only proved theorems go into the notes; got status {self.proof.status!r}")

    def markdown(self, ctx: RenderContext | None = None) -> str:
        return str(self.proof.markdown()).strip()

    def latex(self, ctx: RenderContext | None = None) -> str:
        out: list[str] = []
        opened = False
        for line in str(self.proof.latex()).splitlines():
            if line.startswith("% Theorem ") and not opened:
                name, _, stmt = line[len("% Theorem ") :].partition(": ")
                out += ["\\begin{theorem}[\\texttt{" + _escape(name) + "}]", markup_latex(stmt), "\\end{theorem}"]
                out.append("\\begin{proof}\\footnotesize")
                opened = True
            elif line.startswith("%"):
                if not opened:
                    out.append("\\begin{proof}")
                    opened = True
                text = line.lstrip("%").strip()
                out += ["", markup_latex(text[:1].upper() + text[1:]) + ".", ""]
            else:
                if not opened:
                    out.append("\\begin{proof}")
                    opened = True
                out.append(_TAG.sub(_tag_text, line))
        out.append("\\end{proof}")
        return "\n".join(out)


_TAG = re.compile(r"\\tag\{(.*)\}")
_MATH_IN_TAG = re.compile(r"(\\[a-zA-Z]+arrow)")


def _tag_text(m: re.Match[str]) -> str:
    """``\\tag`` typesets its argument as text: wrap math-only commands (arrows) in ``$…$``."""
    return "\\tag{" + _MATH_IN_TAG.sub(r"$\1$", m.group(1)) + "}"


def proved(thm: Any) -> Block:
    """A theorem's proof as a block — or, when symconv's prover does not establish it, a sentence saying so."""
    proof = thm.prove()
    if getattr(proof, "holds", False):
        return ProofBlock(proof)
    return Text(
        f"(symconv's prover does not establish `{thm.name}` in this version — status: {proof.status}; "
        "the computed checks in this section stand on their own.)"
    )


@dataclass(frozen=True)
class Code(Block):
    """A verbatim listing (code, or quoted source text)."""

    src: str
    lang: str = ""

    def markdown(self, ctx: RenderContext | None = None) -> str:
        return f"```{self.lang}\n{self.src}\n```"

    def latex(self, ctx: RenderContext | None = None) -> str:
        for ch in self.src:
            if ord(ch) > 127:
                raise SymconvError(f"notes: verbatim listings must be ASCII; found {ch!r}")
        return "{\\small\n\\begin{verbatim}\n" + self.src + "\n\\end{verbatim}\n}"


@dataclass(frozen=True)
class Table(Block):
    """A table with a header row; cells in the notes' markup."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""

    def markdown(self, ctx: RenderContext | None = None) -> str:
        lines = []
        if self.caption:
            lines += [f"*{self.caption}*", ""]
        lines.append("| " + " | ".join(self.header) + " |")
        lines.append("|" + "|".join("---" for _ in self.header) + "|")
        for r in self.rows:
            if len(r) != len(self.header):
                raise SymconvError(
                    f"notes: table row {list(r)!r} has {len(r)} cells; the header has {len(self.header)}"
                )
            lines.append("| " + " | ".join(r) + " |")
        return "\n".join(lines)

    def latex(self, ctx: RenderContext | None = None) -> str:
        cols = "l" * len(self.header)
        out = ["\\begin{table}[htbp]", "\\centering", "\\small"]
        if self.caption:
            out.append("\\caption{" + markup_latex(self.caption) + "}")
        out += [f"\\begin{{tabular}}{{{cols}}}", "\\toprule"]
        out.append(" & ".join(markup_latex(h) for h in self.header) + " \\\\")
        out.append("\\midrule")
        for r in self.rows:
            out.append(" & ".join(markup_latex(c) for c in r) + " \\\\")
        out += ["\\bottomrule", "\\end{tabular}", "\\end{table}"]
        return "\n".join(out)


@dataclass(frozen=True)
class Figure(Block):
    """A matplotlib figure: ``draw(fig)`` fills a :class:`matplotlib.figure.Figure`."""

    name: str
    caption: str
    draw: Callable[[Any], None] = field(compare=False)
    size: tuple[float, float] = (6.4, 2.8)

    def markdown(self, ctx: RenderContext | None = None) -> str:
        d = (ctx or RenderContext()).figure_dir
        return f"![{self.caption}]({d}/{self.name}.svg)\n\n*Figure: {self.caption}*"

    def latex(self, ctx: RenderContext | None = None) -> str:
        d = (ctx or RenderContext()).figure_dir
        return "\n".join(
            [
                "\\begin{figure}[htbp]",
                "\\centering",
                f"\\includegraphics[width=\\linewidth]{{{d}/{self.name}.pdf}}",
                "\\caption{" + markup_latex(self.caption) + "}",
                "\\end{figure}",
            ]
        )

    def figures(self) -> list[Figure]:
        return [self]


_BOX_LATEX = {"theorem": "theorem", "proof": "proof", "errata": "errata", "note": "remark"}
_BOX_TITLE = {"theorem": "Theorem", "proof": "Proof", "errata": "Errata", "note": "Note"}


@dataclass(frozen=True)
class Box(Block):
    """A theorem, proof, errata or note box holding other blocks."""

    kind: str
    blocks: Sequence[Block]
    title: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _BOX_LATEX:
            raise SymconvError(f"notes: box `kind` must be one of {', '.join(_BOX_LATEX)}; got {self.kind!r}")

    def markdown(self, ctx: RenderContext | None = None) -> str:
        ctx = ctx or RenderContext()
        head = f"**{_BOX_TITLE[self.kind]}" + (f" ({self.title})" if self.title else "") + ".**"
        inner = "\n\n".join(b.markdown(ctx) for b in self.blocks)
        if self.kind == "proof":
            inner += " ∎" if not inner.endswith("$$") else "\n\n∎"
        body = head + " " + inner
        return "\n".join("> " + line if line else ">" for line in body.split("\n"))

    def latex(self, ctx: RenderContext | None = None) -> str:
        ctx = ctx or RenderContext()
        env = _BOX_LATEX[self.kind]
        opt = f"[{markup_latex(self.title)}]" if self.title else ""
        inner = "\n\n".join(b.latex(ctx) for b in self.blocks)
        return f"\\begin{{{env}}}{opt}\n{inner}\n\\end{{{env}}}"

    def figures(self) -> list[Figure]:
        return [f for b in self.blocks for f in b.figures()]


@dataclass(frozen=True)
class Section(Block):
    """A titled section; ``items`` are the NOTES-CHECKLIST items it covers."""

    title: str
    blocks: Sequence[Block]
    items: tuple[int, ...] = ()

    def markdown(self, ctx: RenderContext | None = None) -> str:
        ctx = ctx or RenderContext()
        head = [f"## {self.title}"]
        if self.items:
            head.append("<!-- checklist: " + " ".join(str(i) for i in self.items) + " -->")
        return "\n".join(head) + "\n\n" + "\n\n".join(b.markdown(ctx) for b in self.blocks)

    def latex(self, ctx: RenderContext | None = None) -> str:
        ctx = ctx or RenderContext()
        head = ["\\subsection{" + markup_latex(self.title) + "}"]
        if self.items:
            head.append("% checklist: " + " ".join(str(i) for i in self.items))
        return "\n".join(head) + "\n\n" + "\n\n".join(b.latex(ctx) for b in self.blocks)

    def figures(self) -> list[Figure]:
        return [f for b in self.blocks for f in b.figures()]


@dataclass(frozen=True)
class Chapter:
    """One chapter of the notes: a slug (file name), a title, an intro and sections."""

    slug: str
    title: str
    sections: Sequence[Block]
    intro: str = ""

    def markdown(self, ctx: RenderContext | None = None) -> str:
        ctx = ctx or RenderContext()
        parts = [f"# {self.title}"]
        if self.intro:
            parts.append(self.intro)
        parts += [s.markdown(ctx) for s in self.sections]
        return "\n\n".join(parts) + "\n"

    def latex(self, ctx: RenderContext | None = None) -> str:
        ctx = ctx or RenderContext()
        parts = ["\\section{" + markup_latex(self.title) + "}"]
        if self.intro:
            parts.append(markup_latex(self.intro))
        parts += [s.latex(ctx) for s in self.sections]
        return "\n\n".join(parts) + "\n"

    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures()]

    def items(self) -> set[int]:
        """Checklist items covered by this chapter's sections."""
        return {i for s in self.sections if isinstance(s, Section) for i in s.items}
