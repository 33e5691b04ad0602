"""Pages generated from the code at build time, so they cannot drift from it.

A page holds a marker comment; on ``source-read`` the marker is replaced by Markdown written from
the code itself:

* ``<!-- symconv:cli -->`` — the command line: every sub-command of ``symconv.cli.build_parser()``
  with its ``--help`` (argparse's own text) and the exit statuses of ``symconv.cli``'s docstring;
* ``<!-- symconv:conventions -->`` — the table of what each library computes, from
  ``derivations/data/library_conventions.json`` (measured by ``symconv.identify``);
* ``<!-- symconv:api MODULE -->`` — autodoc entries for every name of ``MODULE.__all__`` (each
  name's docstring gives its formula and its runnable, doctested example).

A marker naming nothing known fails the build (an ``ExtensionError``).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!-- symconv:(\w+)(?: ([\w.]+))? -->$", re.M)
HELP_WIDTH = "96"


def _help(parser: argparse.ArgumentParser) -> str:
    """argparse's ``--help`` text at a fixed width (the page must not depend on the terminal)."""
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    try:
        return parser.format_help().rstrip()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def cli_markdown() -> str:
    """The command-line reference, from the real parsers."""
    from symconv.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help or "" for a in sub._choices_actions}
    out = ["```text", _help(parser), "```", ""]
    for name, child in sub.choices.items():
        out += [f"## `symconv {name}`", "", f"{helps.get(name, '').capitalize()}.", ""]
        out += ["```text", _help(child), "```", ""]
    import symconv.cli as cli_module

    doc = inspect.cleandoc(cli_module.__doc__ or "")
    statuses = doc[doc.index("Exit statuses") :]
    out += ["## Exit statuses", "", "```{eval-rst}", statuses, "```", ""]
    return "\n".join(out)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("|", "\\|")


def conventions_markdown() -> str:
    """What each library computes: the committed, measured table."""
    data = json.loads((ROOT / "derivations" / "data" / "library_conventions.json").read_text(encoding="utf-8"))
    columns = [
        ("function", "function"),
        ("operation", "operation"),
        ("flip_every_axis", "kernel flipped on every axis"),
        ("conjugates", "conjugates w"),
        ("default_mode", "default mode"),
        ("same_even_kernel", "'same' with an even kernel"),
        ("boundary", "boundary"),
        ("ndim", "axes"),
    ]
    out = ["| " + " | ".join(title for _, title in columns) + " |", "|" + " --- |" * len(columns)]
    for row in data["rows"]:
        out.append("| " + " | ".join(_cell(row.get(key, "")) for key, _ in columns) + " |")
    versions = ", ".join(f"{k} {v}" for k, v in sorted(data["measured_with"].items()))
    out += ["", f"Measured with {versions} (`derivations/data/library_conventions.json`)."]
    return "\n".join(out)


def api_markdown(module_name: str) -> str:
    """autodoc entries for every public name of ``module_name`` (its ``__all__``), in that order."""
    module = importlib.import_module(module_name)
    names = list(getattr(module, "__all__", []))
    if not names:
        raise ExtensionError(f"symconv:api: {module_name} has no __all__")
    top = importlib.import_module("symconv")
    lines = ["```{eval-rst}", f".. currentmodule:: {module_name}", ""]
    elsewhere = []
    for name in names:
        obj = getattr(module, name)
        if inspect.ismodule(obj):
            continue  # a sub-module gets its own section (symconv.compat.numpy, ...)
        if module_name != "symconv" and name in top.__all__ and getattr(top, name) is obj:
            elsewhere.append(name)  # documented once, as symconv.NAME
            continue
        if inspect.isclass(obj):
            lines += [f".. autoclass:: {name}", "   :members:", ""]
        elif callable(obj):
            lines += [f".. autofunction:: {name}", ""]
        else:
            lines += _data(name, obj)
    if elsewhere:
        refs = ", ".join(f":obj:`symconv.{n}`" for n in elsewhere)
        lines += [f"Also public here, and documented with the top-level names: {refs}.", ""]
    lines.append("```")
    return "\n".join(lines)


def _data(name: str, obj: Any) -> list[str]:
    """A public constant: its type and, for a mapping, its keys (read from the value itself)."""
    lines = [f".. py:data:: {name}", f"   :type: {type(obj).__name__}", ""]
    if isinstance(obj, dict):
        keys = ", ".join(f"``{k}``" for k in obj)
        lines += [f"   A ``{type(obj).__name__}`` with the keys {keys}.", ""]
    return lines


def _expand(match: re.Match[str]) -> str:
    kind, arg = match.group(1), match.group(2)
    if kind == "cli":
        return cli_markdown()
    if kind == "conventions":
        return conventions_markdown()
    if kind == "api" and arg:
        return api_markdown(arg)
    raise ExtensionError(f"unknown symconv marker: {match.group(0)}")


#: A link of the notes to an anchor of another chapter (``[text](ch8_machine_proofs.md#proof-…)``), whose
#: target is an HTML ``<a id>`` (the notes are plain Markdown for GitHub and KaTeX too).
NOTES_ANCHOR_LINK = re.compile(r"\[([^\]\n]+)\]\((ch\d+_[a-z0-9_]+)\.md#([A-Za-z0-9_.-]+)\)")


def _html_link(match: re.Match[str]) -> str:
    """MyST resolves ``page.md#id`` only against headings: an ``<a id>`` target is linked as HTML (the
    browser test, tests/test_docs_site.py, checks that every such anchor exists on the built page)."""
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", match.group(1))
    return f'<a href="{match.group(2)}.html#{match.group(3)}">{text}</a>'


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if "<!-- symconv:" in source[0]:
        source[0] = MARKER.sub(_expand, source[0])
    if docname.startswith("notes/"):
        source[0] = NOTES_ANCHOR_LINK.sub(_html_link, source[0])


def setup(app: Sphinx) -> dict[str, Any]:
    from pygments.lexers.shell import BashSessionLexer

    # The pages' ```sh blocks are sessions: `$ symconv …` lines followed by the output they print.
    app.add_lexer("sh", BashSessionLexer)
    app.connect("source-read", _source_read)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
