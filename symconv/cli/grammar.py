r"""A small, safe grammar for claims typed on the command line (``symconv check``).

Nothing a user types is ever given to ``eval``, ``exec``, ``sympify`` or
``parse_expr``: a hand-written tokenizer and a recursive-descent parser build
a tree of the few node types below, and :mod:`symconv.cli.claim` evaluates
that tree by calling symconv's public functions from a fixed table.

The language::

    claim    := expr "==" expr
    relation := expr ("==" | "!=" | ">=" | "<=" | ">" | "<") expr
    expr     := term (("+" | "-") term)*
    term     := unary (("*" | "/") unary)*
    unary    := ("-" | "+") unary | atom
    atom     := NUMBER | STRING | NAME | NAME "(" [arg ("," arg)* [","]] ")"
              | "(" expr ")" | "(" expr "," [expr ("," expr)*] [","] ")"   -- a tuple
              | "[" [expr ("," expr)* [","]] "]"                            -- a list
    arg      := NAME "=" expr | expr

Numbers are exact (``2``, ``-1.5``, ``1e-3`` become Fractions; ``3/2`` is
a division of two exact numbers). Strings are quoted words (``'full'``).
The input is bounded in length (:data:`MAX_LENGTH` characters) and in nesting
(:data:`MAX_DEPTH` levels); every refusal is a one-line
:class:`~symconv.SymconvError` naming what was wrong and the column, with the
place marked ``‹…›``.

>>> tree = parse_claim("grad(correlate(x, w), x, g) == convolve(g, w, mode='full')")
>>> tree.op, tree.lhs.func, [a.name for a in tree.lhs.args[1:]], tree.rhs.kwargs[0]
('==', 'grad', ['x', 'g'], ('mode', Str(col=52, value='full')))
>>> parse_expr_text("2*K - 1", "size").op_chain()
['-']
>>> try:
...     parse_claim("correlate(x,, w) == y")
... except SymconvError as err:
...     print(err)
claim: expected an expression, found ',' at column 13: correlate(x,‹,› w) == y
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from symconv.core.errors import SymconvError

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Call",
    "Chain",
    "Name",
    "Node",
    "Num",
    "Relation",
    "Seq",
    "Str",
    "Unary",
    "parse_claim",
    "parse_expr_text",
    "parse_nested_list",
    "parse_relation",
]

#: The longest text accepted (characters): a claim is a line, not a file.
MAX_LENGTH = 10_000
#: The deepest nesting accepted (parentheses, brackets, calls, unary signs).
MAX_DEPTH = 48
#: The longest quoted string (a mode name or a structure, never free text).
MAX_STRING = 40
#: Comparison operators of :func:`parse_relation`.
RELATIONS = ("==", "!=", ">=", "<=", ">", "<")


# -- the tree ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A node of the parsed text; ``col`` is its 1-based column."""

    col: int


@dataclass(frozen=True)
class Num(Node):
    """An exact number literal."""

    value: Fraction


@dataclass(frozen=True)
class Str(Node):
    """A quoted word such as ``'full'``."""

    value: str


@dataclass(frozen=True)
class Name(Node):
    """A name bound with ``--let`` (or a size symbol)."""

    name: str


@dataclass(frozen=True)
class Seq(Node):
    """A list ``[a, b]`` (``kind='list'``) or a tuple ``(a, b)`` (``kind='tuple'``)."""

    items: tuple[Node, ...]
    kind: str = "list"


@dataclass(frozen=True)
class Call(Node):
    """``func(args..., key=value...)``."""

    func: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...]


@dataclass(frozen=True)
class Unary(Node):
    """``-operand`` or ``+operand``."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Chain(Node):
    """``first op1 x1 op2 x2 …`` of one precedence level (``+ -`` or ``* /``), left to right (flat: no deep tree)."""

    first: Node
    rest: tuple[tuple[str, Node, int], ...]

    def op_chain(self) -> list[str]:
        """The operators in order."""
        return [op for op, _, _ in self.rest]


@dataclass(frozen=True)
class Relation(Node):
    """``lhs op rhs`` with ``op`` one of :data:`RELATIONS` (a claim is ``==``)."""

    op: str
    lhs: Node
    rhs: Node


# -- tokens -----------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD = re.compile(r"[A-Za-z0-9_ .-]*")
_OPERATORS = ("==", "!=", ">=", "<=", "(", ")", "[", "]", ",", "=", "+", "-", "*", "/", ">", "<")


@dataclass(frozen=True)
class _Token:
    kind: str  # 'num', 'name', 'str', 'op', 'end'
    text: str
    col: int  # 0-based offset
    value: object = None


def _marked(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` marked ``‹…›``, cut to a window around it."""
    end = max(end, start)
    left, right = max(0, start - 30), min(len(text), end + 30)
    mid = text[start:end]
    if len(mid) > 20:
        mid = mid[:17] + "..."
    head = ("..." if left > 0 else "") + text[left:start]
    tail = text[end:right] + ("..." if right < len(text) else "")
    return f"{head}‹{mid}›{tail}"


class _Source:
    """The text being read and how a refusal names a place in it."""

    def __init__(self, text: str, what: str) -> None:
        self.text = text
        self.what = what

    def fail(self, problem: str, start: int, end: int | None = None) -> SymconvError:
        end = start + 1 if end is None else end
        where = _marked(self.text, start, min(end, len(self.text)))
        return SymconvError(f"{self.what}: {problem} at column {start + 1}: {where}")


def _tokens(src: _Source) -> list[_Token]:
    from symconv.core.numbers import parse_number

    text, out, i = src.text, [], 0
    while i < len(text):
        c = text[i]
        if c in " \t":
            i += 1
            continue
        if c.isascii() and (c.isdigit() or (c == "." and text[i + 1 : i + 2].isdigit())):
            m = _NUMBER.match(text, i)
            assert m is not None
            if m.end() < len(text) and (text[m.end()].isalnum() or text[m.end()] in "_."):
                raise src.fail("a number must end before a letter, '_' or '.'", i, m.end() + 1)
            value = parse_number(m.group(), f"{src.what}: the number at column {i + 1}")
            if value is None:  # pragma: no cover - the pattern only matches numbers
                raise src.fail("not a number", i, m.end())
            out.append(_Token("num", m.group(), i, value))
            i = m.end()
            continue
        m = _NAME.match(text, i) if c.isascii() else None
        if m:
            out.append(_Token("name", m.group(), i))
            i = m.end()
            continue
        if c in "'\"":
            close = text.find(c, i + 1)
            if close < 0:
                raise src.fail(f"the string opened here is never closed (a closing {c} is missing)", i)
            word = text[i + 1 : close]
            if len(word) > MAX_STRING or not _WORD.fullmatch(word):
                raise src.fail(
                    f"a quoted string must be a word such as 'full' (letters, digits, '_', '-', at most "
                    f"{MAX_STRING} characters)",
                    i,
                    close + 1,
                )
            out.append(_Token("str", text[i : close + 1], i, word))
            i = close + 1
            continue
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is None:
            shown = repr(c) if c.isprintable() else f"U+{ord(c):04X}"
            raise src.fail(f"unexpected character {shown}", i)
        out.append(_Token("op", op, i))
        i += len(op)
    out.append(_Token("end", "", len(text)))
    return out


# -- the parser -------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, what: str) -> None:
        if not isinstance(text, str):
            raise SymconvError(f"{what} must be text; got a {type(text).__name__}")
        if len(text) > MAX_LENGTH:
            raise SymconvError(f"{what} may be at most {MAX_LENGTH:,} characters long; got {len(text):,}")
        if "\n" in text or "\r" in text:
            raise SymconvError(f"{what} must be one line; got a line break at column {text.find(chr(10)) + 1}")
        self.src = _Source(text, what)
        self.toks = _tokens(self.src)
        self.pos = 0
        self.depth = 0

    # helpers
    @property
    def tok(self) -> _Token:
        return self.toks[self.pos]

    def _describe(self, t: _Token) -> str:
        return "the end of the text" if t.kind == "end" else repr(t.text if len(t.text) <= 20 else t.text[:17] + "...")

    def fail(self, problem: str, t: _Token | None = None) -> SymconvError:
        t = t or self.tok
        return self.src.fail(problem, t.col, t.col + max(1, len(t.text)))

    def accept(self, op: str) -> _Token | None:
        t = self.tok
        if t.kind == "op" and t.text == op:
            self.pos += 1
            return t
        return None

    def expect(self, op: str, context: str) -> _Token:
        t = self.accept(op)
        if t is None:
            raise self.fail(f"expected {op!r} {context}, found {self._describe(self.tok)}")
        return t

    def enter(self, t: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep (parentheses, brackets, calls, signs)", t)

    # grammar
    def expr(self) -> Node:
        return self.chain(("+", "-"), self.term)

    def term(self) -> Node:
        return self.chain(("*", "/"), self.unary)

    def chain(self, ops: tuple[str, ...], sub: object) -> Node:
        start = self.tok
        first = sub()  # type: ignore[operator]
        rest: list[tuple[str, Node, int]] = []
        while self.tok.kind == "op" and self.tok.text in ops:
            op = self.tok
            self.pos += 1
            rest.append((op.text, sub(), op.col + 1))  # type: ignore[operator]
        return first if not rest else Chain(start.col + 1, first, tuple(rest))

    def unary(self) -> Node:
        t = self.tok
        if t.kind == "op" and t.text in ("-", "+"):
            self.pos += 1
            self.enter(t)
            operand = self.unary()
            self.depth -= 1
            return Unary(t.col + 1, t.text, operand)
        return self.atom()

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.pos += 1
            return Num(t.col + 1, t.value)  # type: ignore[arg-type]
        if t.kind == "str":
            self.pos += 1
            return Str(t.col + 1, str(t.value))
        if t.kind == "name":
            self.pos += 1
            if self.accept("("):
                self.enter(t)
                node = self.call(t)
                self.depth -= 1
                return node
            return Name(t.col + 1, t.text)
        if self.accept("("):
            self.enter(t)
            first = self.expr()
            if self.accept(")"):
                self.depth -= 1
                return first
            self.expect(",", "or ')' to close the parenthesis opened at column " + str(t.col + 1))
            items = [first, *self.items(")")]
            self.depth -= 1
            return Seq(t.col + 1, tuple(items), "tuple")
        if self.accept("["):
            self.enter(t)
            items = self.items("]")
            self.depth -= 1
            return Seq(t.col + 1, tuple(items), "list")
        raise self.fail(f"expected an expression, found {self._describe(t)}")

    def items(self, close: str) -> list[Node]:
        """Expressions separated by commas (a trailing comma allowed) up to ``close``."""
        out: list[Node] = []
        while not self.accept(close):
            out.append(self.expr())
            if not self.accept(","):
                self.expect(close, "or ','")
                break
        return out

    def call(self, name: _Token) -> Call:
        args: list[Node] = []
        kwargs: list[tuple[str, Node]] = []
        while not self.accept(")"):
            t = self.tok
            nxt = self.toks[min(self.pos + 1, len(self.toks) - 1)]
            if t.kind == "name" and nxt.kind == "op" and nxt.text == "=":
                self.pos += 2
                if any(k == t.text for k, _ in kwargs):
                    raise self.fail(f"keyword argument {t.text!r} given twice", t)
                kwargs.append((t.text, self.expr()))
            elif kwargs:
                raise self.fail("a positional argument cannot follow a keyword argument", t)
            else:
                args.append(self.expr())
            if not self.accept(","):
                self.expect(")", f"or ',' in the call of {name.text}() opened at column {name.col + 1}")
                break
        return Call(name.col + 1, name.text, tuple(args), tuple(kwargs))

    def end(self) -> None:
        if self.tok.kind != "end":
            raise self.fail(f"unexpected {self._describe(self.tok)} after a complete expression")


def parse_expr_text(text: str, what: str) -> Node:
    """Parse one expression (a size such as ``N - K + 1``, an array literal, a term of a claim).

    >>> parse_expr_text("[[1, 2], [3, 4]]", "W").items[1].items[0].value
    Fraction(3, 1)
    """
    p = _Parser(text, what)
    if p.tok.kind == "end":
        raise SymconvError(f"{what} must not be empty")
    node = p.expr()
    p.end()
    return node


def parse_relation(text: str, what: str, ops: tuple[str, ...] = RELATIONS) -> Relation:
    """Parse ``lhs OP rhs`` with ``OP`` one of ``ops`` (``--assume "N >= 2*K"``).

    >>> r = parse_relation("N >= 2*K", "--assume")
    >>> r.op, r.lhs.name
    ('>=', 'N')
    """
    p = _Parser(text, what)
    if p.tok.kind == "end":
        raise SymconvError(f"{what} must not be empty")
    lhs = p.expr()
    t = p.tok
    if not (t.kind == "op" and t.text in ops):
        wanted = " or ".join(repr(o) for o in ops)
        raise p.fail(f"expected {wanted} between two expressions, found {p._describe(t)}")
    p.pos += 1
    rhs = p.expr()
    p.end()
    return Relation(t.col + 1, t.text, lhs, rhs)


def parse_claim(text: str, what: str = "claim") -> Relation:
    """Parse a claim ``lhs == rhs``."""
    return parse_relation(text, what, ("==",))


_LIST_ITEM = re.compile(r"[^\s\[\],]+")


def parse_nested_list(text: str, what: str, max_depth: int = 32) -> list[object]:
    """``"[[1, 2], [3, 4]]"`` → nested lists of exact Fractions (JSON-like; no recursion, any length).

    Only numbers (``2``, ``-1.5``, ``3/2``, ``1e-3``) may be entries; the
    nesting is at most ``max_depth`` deep and every number is bounded by the
    ``literal_digits`` limit before it is built. Rectangularity is the
    array's business (:func:`symconv.asarray`).

    >>> parse_nested_list("[[1, -2], [3/2, 0.5]]", "W")
    [[Fraction(1, 1), Fraction(-2, 1)], [Fraction(3, 2), Fraction(1, 2)]]
    >>> try:
    ...     parse_nested_list("[[1, 2], [3, 4]", "W")
    ... except SymconvError as err:
    ...     print(err)
    W: the list opened at column 1 is never closed (a ']' is missing) at column 16: [[1, 2], [3, 4]‹›
    """
    from symconv.core.numbers import parse_number

    src = _Source(text, what)
    i, n = 0, len(text)
    stack: list[tuple[list[object], int]] = []
    top: list[object] | None = None
    want_value = True  # after '[' or ',': a value, '[' (or ']' right after '[')
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            break
        c = text[i]
        if c == "[":
            if not want_value:
                raise src.fail("expected ',' or ']' before '['", i)
            if len(stack) >= max_depth:
                raise src.fail(f"lists may be nested at most {max_depth} deep (one level per axis)", i)
            stack.append(([], i))
            i += 1
            continue
        if c == "]":
            if not stack:
                raise src.fail("']' closes no list", i)
            items, start = stack.pop()
            if want_value and items:
                raise src.fail("expected a number after ','", i)
            if not items:
                raise src.fail("a list must not be empty", start, i + 1)
            if stack:
                stack[-1][0].append(items)
            else:
                top = items
            want_value = False
            i += 1
            if not stack:
                break
            continue
        if c == ",":
            if want_value or not stack:
                raise src.fail("expected a number or '[' before ','", i)
            want_value = True
            i += 1
            continue
        m = _LIST_ITEM.match(text, i)
        assert m is not None
        if not stack:
            raise src.fail("a list starts with '['", i, m.end())
        if not want_value:
            raise src.fail("expected ',' or ']' before this", i, m.end())
        value = parse_number(m.group(), f"{what}: the number at column {i + 1}")
        if value is None:
            raise src.fail("expected a number such as 2, -1.5 or 3/2", i, m.end())
        stack[-1][0].append(value)
        want_value = False
        i = m.end()
    if stack:
        raise src.fail(f"the list opened at column {stack[-1][1] + 1} is never closed (a ']' is missing)", n, n)
    rest = text[i:].strip()
    if top is None:
        raise SymconvError(f"{what} must be a list such as [[1, 2], [3, 4]]; got {text[:40]!r}")
    if rest:
        raise src.fail("unexpected text after the list", i + (len(text[i:]) - len(text[i:].lstrip())))
    return top
