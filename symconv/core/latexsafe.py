r"""User text that reaches LaTeX or Markdown output: checked so it cannot inject commands.

Two kinds of user text end up in the LaTeX that symconv writes:

* **names** — of sympy symbols in an array, of functions applied to them, of
  the input, kernel and output of :func:`symconv.derive` (``names=``): plain
  names such as ``x``, ``w_0``, ``w_{1,2}``, ``x'`` or ``alpha`` (sympy prints
  ``\alpha``). Letters, digits and ``_ { } , ' ^`` only.
* **labels** — a LaTeX fragment of math mode such as ``x \star w`` or
  ``\frac{\partial L}{\partial x}`` (``derive(label=...)``, an
  :class:`~symconv.display.Indexed` name). Only the math commands of
  :data:`MATH_COMMANDS` are accepted; nothing that reads or writes files,
  defines macros, leaves math mode (``$``), starts a comment (``%``),
  breaks a line or an alignment (``\\``, ``&``), or spells a character by
  its code (``^^5c``). Braces must balance.

>>> check_latex("derive", "label", r"\frac{\partial L}{\partial x}")
'\\frac{\\partial L}{\\partial x}'
>>> try:
...     check_latex("derive", "label", r"x \input{/etc/passwd}")
... except SymconvError as err:
...     print(str(err).replace("; ", ";\n"))
derive: `label` may use only math commands such as \frac, \partial, \mathrm, \star (no file, macro or mode commands);
got \input in 'x \\input{/etc/passwd}'
>>> check_name("asarray: `values`", "symbol name", "w_{0,1}")
'w_{0,1}'
"""

from __future__ import annotations

import functools
import re

from symconv.core.errors import SymconvError

__all__ = ["MATH_COMMANDS", "check_latex", "check_name", "check_text"]

_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi "
    "rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
)
_MATH = (
    "frac dfrac tfrac partial nabla cdot cdots ldots dots vdots ddots times ast star circ bullet otimes oplus "
    "odot pm mp div sum prod int le leq ge geq ne neq lt gt approx equiv sim simeq to mapsto rightarrow "
    "leftarrow Rightarrow Leftarrow iff in notin subset subseteq cup cap setminus forall exists infty ell "
    "hbar prime top intercal dagger lfloor rfloor lceil rceil langle rangle vert Vert mid bmod pmod mod "
    "left right big Big bigg Bigg bigl bigr Bigl Bigr mathrm mathbf mathit mathsf mathtt mathcal mathbb "
    "mathfrak boldsymbol operatorname text textrm textit textbf texttt hat widehat tilde widetilde bar "
    "overline underline vec dot ddot check breve acute grave mathring quad qquad mathrel mathop mathbin "
    "displaystyle textstyle scriptstyle max min sup inf lim log exp sin cos tan det dim ker deg gcd arg "
    "Re Im conj square triangle"
)
#: The LaTeX commands a label may use (all of them typeset mathematics, none reads a file or defines one).
MATH_COMMANDS = frozenset((_GREEK + " " + _MATH).split())

# a command: backslash + letters, or backslash + one non-letter (\, \; \! \  \{ \} \| \\ ...)
_COMMAND = re.compile(r"\\([A-Za-z]+|.?)", re.DOTALL)
_SPACINGS = frozenset({",", ";", "!", ":", " ", "{", "}", "|"})
#: Characters that are never part of a label: math-mode exit, comment, alignment, macro parameter.
_FORBIDDEN = {"$": "a dollar sign", "%": "a percent sign", "&": "an ampersand", "#": "a hash sign"}
_NAME = re.compile(r"^[\w{},'^]+$")


def _balanced(text: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", text):
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return False
    return depth == 0


@functools.lru_cache(maxsize=4096)
def _latex_problem(text: str) -> str | None:
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "a control character (such as a newline)"
    for ch, what in _FORBIDDEN.items():
        if ch in text:
            return what
    if "^^" in text:
        return "'^^' (a character given by its code)"
    if not _balanced(text):
        return "unbalanced braces"
    for m in _COMMAND.finditer(text):
        cmd = m.group(1)
        if cmd in MATH_COMMANDS or (len(cmd) == 1 and cmd in _SPACINGS):
            continue
        return f"\\{cmd}" if cmd else "a trailing backslash"
    return None


def check_latex(where: str, name: str, text: str) -> str:
    """``text`` if it is a safe math-mode LaTeX fragment, else a :class:`SymconvError` naming ``name``."""
    if not isinstance(text, str):
        raise SymconvError(f"{where}: `{name}` must be a string; got {type(text).__name__}")
    problem = _latex_problem(text)
    if problem is None:
        return text
    shown = text if len(text) <= 80 else text[:77] + "..."
    if problem.startswith("\\") or problem == "a trailing backslash":
        raise SymconvError(
            f"{where}: `{name}` may use only math commands such as \\frac, \\partial, \\mathrm, \\star "
            f"(no file, macro or mode commands); got {problem} in {shown!r}"
        )
    raise SymconvError(f"{where}: `{name}` must be a math-mode LaTeX fragment without {problem}; got {shown!r}")


@functools.lru_cache(maxsize=65536)
def _name_ok(text: str) -> bool:
    return bool(_NAME.match(text)) and "^^" not in text and _balanced(text)


def check_name(where: str, what: str, text: str) -> str:
    """``text`` if it is a plain name (letters, digits, ``_ { } , ' ^``), else a :class:`SymconvError`."""
    if isinstance(text, str) and text and _name_ok(text):
        return text
    shown = text if not isinstance(text, str) or len(text) <= 80 else text[:77] + "..."
    raise SymconvError(
        f"{where}: a {what} must be a plain name such as x, w_0, w_{{1,2}} or alpha (letters, digits and "
        f"_ {{ }} , ' ^; it is printed into LaTeX); got {shown!r}"
    )


def check_text(where: str, name: str, text: str) -> str:
    """``text`` if it is a one-line string (no control characters), else a :class:`SymconvError`."""
    if not isinstance(text, str):
        raise SymconvError(f"{where}: `{name}` must be a string; got {type(text).__name__}")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise SymconvError(f"{where}: `{name}` must be one line without control characters; got {text[:80]!r}")
    return text
