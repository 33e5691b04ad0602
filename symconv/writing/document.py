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
50\% of \texttt{a\_\allowbreak{}b} is $x_0$
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from symconv.core.errors import SymconvError
from symconv.writing.floats import attach
from symconv.writing.quotes import open_quotes
from symconv.writing.widths import MARKUP as _MARKUP
from symconv.writing.widths import column_spec as _column_spec
from symconv.writing.widths import row_gap as _row_gap
from symconv.writing.widths import visible_width as _visible_width

__all__ = [
    "Block",
    "Box",
    "Chapter",
    "Code",
    "Figure",
    "Math",
    "ProofBlock",
    "ProofLink",
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
    >>> print(markup_latex("mode 'valid' (the seed's)"))
    mode `valid' (the seed's)
    """
    parts: list[str] = []
    for piece in _MARKUP.split(src):
        if not piece:
            continue
        if piece.startswith("$") and piece.endswith("$") and len(piece) > 1:
            parts.append(piece)
        elif piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
            # long identifiers may break after '_' and '.' (never inside a word)
            code = _escape(piece[1:-1]).replace(r"\_", r"\_\allowbreak{}").replace(".", r".\allowbreak{}")
            parts.append(r"\texttt{" + code + "}")
        elif piece.startswith("**") and piece.endswith("**") and len(piece) > 3:
            parts.append(r"\textbf{" + markup_latex(piece[2:-2]) + "}")
        else:
            parts.append(open_quotes(_escape(piece), parts[-1] if parts else ""))
    return "".join(parts)


#: Longest source line of a Markdown paragraph: a longer one is broken, one sentence per line (then by words).
_MD_LINE = 400
#: Characters per line when a single sentence is itself longer than :data:`_MD_LINE`.
_MD_WIDTH = 110


def _fill(words: list[str], width: int) -> list[str]:
    line, lines = "", []
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def wrap_markup(src: str, limit: int = _MD_LINE, width: int = _MD_WIDTH) -> str:
    """A paragraph in the notes' markup with no source line longer than ``limit``: a longer line is broken
    after each sentence, and a sentence still too long is filled to ``width``; ``$math$``, `` `code` `` and
    ``**bold**`` are never broken (Markdown joins the lines of a paragraph again). Short lines are unchanged.

    >>> print(wrap_markup("One $x + y$ here. Two `c d` and three more.", limit=20, width=12))
    One $x + y$ here.
    Two `c d`
    and three
    more.
    """
    out = []
    for para in src.split("\n"):
        if len(para) <= limit:
            out.append(para)
            continue
        # a space outside math, code and bold is a break opportunity; one inside is not
        marked = "".join(p if _MARKUP.fullmatch(p) else p.replace(" ", "\0") for p in _MARKUP.split(para))
        words = marked.split("\0")
        sentences: list[list[str]] = [[]]
        for word in words:
            sentences[-1].append(word)
            if word.endswith(".") and not word.endswith("..."):
                sentences.append([])
        for sentence in sentences:
            if not sentence:
                continue
            line = " ".join(sentence)
            out += [line] if len(line) <= limit else _fill(sentence, width)
    return "\n".join(out)


class Block:
    """A piece of a chapter with a Markdown and a LaTeX rendering."""

    def markdown(self, ctx: RenderContext) -> str:
        raise NotImplementedError

    def latex(self, ctx: RenderContext) -> str:
        raise NotImplementedError

    def figures(self) -> list[Figure]:
        """Figures inside this block (to be drawn next to the output)."""
        return []

    def float_ref(self) -> tuple[str, str]:
        """``(kind, label)`` when the block floats in LaTeX (``("Figure", "fig:…")``), else ``("", "")``."""
        return ("", "")


@dataclass
class RenderContext:
    """Where figures live relative to the document."""

    figure_dir: str = "figures"


@dataclass(frozen=True)
class Text(Block):
    """A paragraph of prose in the notes' markup."""

    src: str

    def markdown(self, ctx: RenderContext | None = None) -> str:
        return wrap_markup(self.src)

    def latex(self, ctx: RenderContext | None = None) -> str:
        lines = [line for line in self.src.split("\n") if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):  # a bulleted list
            items = "\n".join("\\item " + markup_latex(line[2:]) for line in lines)
            return "\\begin{itemize}\\setlength{\\itemsep}{1pt}\n" + items + "\n\\end{itemize}"
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
    #: an anchor (Markdown ``<a id>``, LaTeX ``\label``) that a :class:`ProofLink` in the body points to
    label: str = ""
    #: a short title for the LaTeX theorem head (a head cannot break; the library name then opens the statement)
    title: str = ""

    def __post_init__(self) -> None:
        if not getattr(self.proof, "holds", False):
            raise SymconvError(f"notes: only proved theorems go into the notes; got status {self.proof.status!r}")

    def markdown(self, ctx: RenderContext | None = None) -> str:
        md = "\n".join(_break_markdown(line) for line in str(self.proof.markdown()).strip().splitlines())
        return (f'<a id="{self.label}"></a>\n\n' + md) if self.label else md

    def latex(self, ctx: RenderContext | None = None) -> str:
        out: list[str] = []
        opened = False
        for line in str(self.proof.latex()).splitlines():
            if line.startswith("% engine:"):  # which engines ran: the proof object's business, not the reader's
                continue
            if line.startswith("% Theorem ") and not opened:
                name, _, stmt = line[len("% Theorem ") :].partition(": ")
                label = f"\\label{{{self.label}}}" if self.label else ""
                head = markup_latex(self.title) if self.title else "\\texttt{" + _escape(name) + "}"
                lead = markup_latex(f"`{name}`: ") if self.title else ""
                out += [
                    "\\begin{theorem}[" + head + "]" + label,
                    lead + markup_latex(stmt),
                    "\\end{theorem}",
                ]
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
                out.append(_break_long(_TAG.sub(_tag_text, line)))
        out.append("\\end{proof}")
        return "\n".join(out)


_TAG = re.compile(r"\\tag\{(.*)\}")
#: Printed characters of one ``\footnotesize`` display line in a proof (beyond it the line is broken).
_PROOF_LINE = 50
_AND = r" \wedge "


def _break_long(line: str, limit: int = _PROOF_LINE) -> str:
    r"""Break an over-long ``align*`` line of a proof after ``\wedge`` signs, continuing on ``&\qquad`` lines.

    The ``\left[ … \right]`` (and ``\left( … \right)``) around the broken guard become
    ``\bigl[ … \bigr]``, which need not be balanced on one line. Short lines are unchanged.

    >>> print(_break_long(r"&= \sum_k \left[a \wedge b \wedge c\right] x[k]", limit=8))
    &= \sum_k \bigl[a \wedge b \wedge \\ &\qquad c\bigr] x[k]
    """
    body, tag_sep, tag = line.partition("&&")
    if _visible_width("$" + body + "$") <= limit or _AND not in body or "\\\\" in body:
        return line  # short, nothing to cut at, or already cut to the width by Proof.latex()
    body = body.replace(r"\left[", r"\bigl[").replace(r"\right]", r"\bigr]")
    body = body.replace(r"\left(", r"\bigl(").replace(r"\right)", r"\bigr)")
    pieces = body.split(_AND)
    lines, current = [], pieces[0]
    for piece in pieces[1:]:
        if _visible_width("$" + current + _AND + piece + "$") > limit:
            lines.append(current + _AND)
            current = piece
        else:
            current += _AND + piece
    lines.append(current)
    return " \\\\ &\\qquad ".join(p.rstrip() for p in lines) + (tag_sep + tag if tag_sep else "")


#: Printed characters of one display line of a proof in the Markdown edition (KaTeX must not scroll).
_PROOF_LINE_MD = 90


def _break_markdown(line: str) -> str:
    r"""A long display line of a proof in Markdown, broken after ``\wedge`` onto separate source lines.

    >>> long = r"&= \sum_k \left[" + r" \wedge ".join([r"a_{%d} \le b" % i for i in range(30)]) + r"\right] x[k]"
    >>> len(long), [len(line) < 400 for line in _break_markdown(long).splitlines()]
    (610, [True, True, True])
    """
    if not line.lstrip().startswith("&") or _visible_width("$" + line.partition("&&")[0] + "$") <= _PROOF_LINE_MD:
        return line
    return _break_long(line, _PROOF_LINE_MD).replace(" \\\\ &\\qquad ", " \\\\\n&\\qquad ")


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


#: A proof's heading keeps its statement and first lines on its page (a proof line is several text lines)
_APPENDIX_ROOM = "\\pretocmd{\\subsection}{\\needspace{10\\baselineskip}}{}{}"

#: The appendix chapter that prints the machine proofs (its slug: the Markdown file name).
APPENDIX = "ch8_machine_proofs"


@dataclass(frozen=True)
class ProofLink(Block):
    """A pointer from a theorem in the body to its machine proof in the appendix (``ProofBlock.label``).

    >>> print(ProofLink("proof-flip", "flip", "every stride").markdown())
    *Machine proof:* [appendix, `flip`](ch8_machine_proofs.md#proof-flip) — every stride.
    """

    label: str
    name: str
    covers: str

    def markdown(self, ctx: RenderContext | None = None) -> str:
        return f"*Machine proof:* [appendix, `{self.name}`]({APPENDIX}.md#{self.label}) — {self.covers}."

    def latex(self, ctx: RenderContext | None = None) -> str:
        return (
            f"\\textit{{Machine proof:}} Theorem~\\ref{{{self.label}}} in the appendix "
            f"(page~\\pageref{{{self.label}}}) --- {markup_latex(self.covers)}."
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

    def float_ref(self) -> tuple[str, str]:
        return ("Table", self.label()) if self.caption else ("", "")

    def label(self) -> str:
        """The LaTeX label of a captioned table: ``tab:`` and a digest of its content (stable between builds)."""
        digest = hashlib.sha1(repr((self.caption, list(self.header), [list(r) for r in self.rows])).encode())
        return "tab:" + digest.hexdigest()[:10]

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
        cols = _column_spec([self.header, *self.rows])
        # a captioned table floats (near its text, never past its section: the preamble's \FloatBarrier) and
        # its section's text points to it by number; one without a caption stays exactly where it is ([H])
        out = ["\\begin{table}[" + ("htbp" if self.caption else "H") + "]", "\\centering"]
        # a table that does not fit in \small on one line is set tighter, with wrapping columns
        out += ["\\footnotesize", "\\setlength{\\tabcolsep}{3pt}"] if "p{" in cols else ["\\small"]
        if self.caption:
            out.append("\\caption{" + markup_latex(self.caption) + "}\\label{" + self.label() + "}")
        out += [f"\\begin{{tabular}}{{{cols}}}", "\\toprule"]
        out.append(" & ".join(markup_latex(h) for h in self.header) + " \\\\")
        out.append("\\midrule")
        gap = "\\addlinespace[3pt]" if _row_gap(self.rows, cols) else ""  # rows of three lines: space them
        keep = "\\_" if "p{" in cols else "\\_\\allowbreak{}"  # a wrapped name breaks only at a dot
        for i, r in enumerate(self.rows):
            cells = [markup_latex(c).replace("\\_\\allowbreak{}", keep) for c in r]
            out.append(" & ".join(cells) + " \\\\" + (gap if i < len(self.rows) - 1 else ""))
        out += ["\\bottomrule", "\\end{tabular}", "\\end{table}"]
        return "\n".join(out)


#: The tallest a figure is printed, as a fraction of the text height (a taller one is scaled down).
FIGURE_MAX_HEIGHT = 0.7


@dataclass(frozen=True)
class Figure(Block):
    """A matplotlib figure: ``draw(fig)`` fills a :class:`matplotlib.figure.Figure`."""

    name: str
    caption: str
    draw: Callable[[Any], None] = field(compare=False)
    size: tuple[float, float] = (6.4, 2.8)

    def float_ref(self) -> tuple[str, str]:
        return ("Figure", self.label())

    def label(self) -> str:
        """The LaTeX label of the figure (its text refers to it by number)."""
        return "fig:" + self.name

    def markdown(self, ctx: RenderContext | None = None) -> str:
        d = (ctx or RenderContext()).figure_dir
        return f"![{self.caption}]({d}/{self.name}.svg)\n\n*Figure: {self.caption}*"

    def latex(self, ctx: RenderContext | None = None) -> str:
        d = (ctx or RenderContext()).figure_dir
        return "\n".join(
            [
                # a float near its text ([H] left pages half empty); the preamble keeps it inside its section
                "\\begin{figure}[htbp]",
                "\\centering",
                # as wide as the line, but never so tall that no line of its text fits on its page
                f"\\includegraphics[width=\\linewidth,height={FIGURE_MAX_HEIGHT}\\textheight,keepaspectratio]"
                f"{{{d}/{self.name}.pdf}}",
                "\\caption{" + markup_latex(self.caption) + "}\\label{" + self.label() + "}",
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
        body = head + ("\n\n" if inner.startswith("$$") else " ") + inner
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
        rendered = [b.latex(ctx) for b in self.blocks]
        # a float may be set on the next page: the paragraph that introduces it names it by number
        refs = [b.float_ref() for b in self.blocks]
        prose = [isinstance(b, Text) for b in self.blocks]
        return "\n".join(head) + "\n\n" + "\n\n".join(attach(rendered, refs, prose))

    def figures(self) -> list[Figure]:
        return [f for b in self.blocks for f in b.figures()]


@dataclass(frozen=True)
class Chapter:
    """One chapter of the notes: a slug (file name), a title, an intro and sections."""

    slug: str
    title: str
    sections: Sequence[Block]
    intro: str = ""
    #: the appendix: LaTeX switches to lettered sections (``\appendix``) before it
    appendix: bool = False
    #: a chapter that must fit one page (the short answer): in LaTeX its sections get run-in headings
    one_page: bool = False

    def markdown(self, ctx: RenderContext | None = None) -> str:
        ctx = ctx or RenderContext()
        parts = [f"# {self.title}"]
        if self.intro:
            parts.append(self.intro)
        parts += [s.markdown(ctx) for s in self.sections]
        return "\n\n".join(parts) + "\n"

    def latex(self, ctx: RenderContext | None = None) -> str:
        ctx = ctx or RenderContext()
        # LaTeX numbers the sections itself: drop the "1. " of the Markdown title
        title = re.sub(r"^(\d+|Appendix)\.\s+", "", self.title)
        parts = (["\\appendix", _APPENDIX_ROOM] if self.appendix else []) + ["\\section{" + markup_latex(title) + "}"]
        if self.intro:
            parts.append(markup_latex(self.intro))
        for sec in self.sections:
            tex = sec.latex(ctx)
            if self.one_page and isinstance(sec, Section):  # run-in headings; tables stay in place (one page)
                tex = tex.replace("\\begin{table}[htbp]", "\\begin{table}[H]")
                tex = re.sub(
                    r"\\subsection\{(.*)\}\n(%.*\n)?\n", lambda m: "\\runin{" + m.group(1) + "}\n", tex, count=1
                )
            parts.append(tex)
        return "\n\n".join(parts) + "\n"

    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures()]

    def items(self) -> set[int]:
        """Checklist items covered by this chapter's sections."""
        return {i for s in self.sections if isinstance(s, Section) for i in s.items}
