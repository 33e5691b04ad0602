"""Properties of the code base itself that the house style promises."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "symconv"

#: Calls that parse or run a string: never on anything a user typed, so nowhere in the package.
#: ``eval``/``exec`` as builtins only (z3's ``model.eval`` evaluates a term, it parses nothing).
BUILTINS = {"eval", "exec", "compile", "__import__"}
PARSERS = {"sympify", "parse_expr", "S"}


def _calls(tree: ast.AST) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in BUILTINS | PARSERS:
                out.append((node.lineno, f.id))
            elif isinstance(f, ast.Attribute) and f.attr in PARSERS:
                out.append((node.lineno, f.attr))
    return out


def test_no_string_parsing_anywhere_in_the_package():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, name in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name}(...)")
    assert found == []


def test_the_checker_sees_a_forbidden_call():
    assert _calls(ast.parse("import sympy\nsympy.sympify(text)\n")) == [(2, "sympify")]
    assert _calls(ast.parse("eval(s)")) == [(1, "eval")]
    assert _calls(ast.parse("sympy.Integer(3)")) == [] and _calls(ast.parse("model.eval(t)")) == []
    assert _calls(ast.parse("from sympy import S\nS('x')")) == [(2, "S")]
