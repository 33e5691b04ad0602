"""The documentation is real: its pycon blocks run as doctests, its CLI commands exist and print what it shows.

Every Markdown page of the site (``docs/**/*.md`` but the generated course notes ``docs/notes`` and
the build ``docs/_build``) is read; the user guide is ``docs/guide/``, one page per topic, in the
order of its toctree. Pages have two kinds of examples:

* ```` ```pycon ```` blocks. The guide's pages run in order as one session (a later page may use
  names from an earlier one); every other page runs as its own doctest;
* ```` ```sh ```` blocks of ``$ symconv …`` commands. Every command must parse with the real
  parser (a real sub-command, real options). A command followed by output lines is run in-process
  and its stdout+stderr compared with them (doctest's ELLIPSIS and NORMALIZE_WHITESPACE apply); a
  trailing ``# exit N`` on the command line is the expected exit status (default 0).
"""

from __future__ import annotations

import contextlib
import doctest
import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from symconv import SymconvError
from symconv.cli import build_parser, main

DOCS = Path(__file__).resolve().parent.parent / "docs"
GUIDE = DOCS / "guide"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _guide_pages() -> list[Path]:
    """The guide's pages in the order of the toctree of docs/guide/index.md (the index first)."""
    index = GUIDE / "index.md"
    toc = re.search(r"^```\{toctree\}\n(.*?)^```", index.read_text(encoding="utf-8"), flags=re.S | re.M)
    assert toc, "docs/guide/index.md has no toctree"
    names = [line.strip() for line in toc.group(1).splitlines() if line.strip() and not line.startswith(":")]
    return [index] + [GUIDE / f"{name}.md" for name in names]


def _other_pages() -> list[Path]:
    skip = (DOCS / "notes", DOCS / "_build", GUIDE)
    return sorted(p for p in DOCS.rglob("*.md") if not any(p.is_relative_to(s) for s in skip))


GUIDE_PAGES = _guide_pages()
PAGES = GUIDE_PAGES + _other_pages()


def _blocks(lang: str, pages: list[Path] = PAGES) -> list[str]:
    return [
        b
        for page in pages
        for b in re.findall(rf"^```{lang}\n(.*?)^```", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    ]


def _pycon_source(page: Path) -> str:
    """A page's pycon blocks as one doctest source, every other line blanked (line numbers stay the page's)."""
    out, inside = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        fence = line.startswith("```")
        if fence:
            inside = line == "```pycon"
        out.append(line if inside and not fence else "")
    return "\n".join(out) + "\n"


def _run_pycon(page: Path, globs: dict) -> tuple[doctest.TestResults, str]:
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    name = str(page.relative_to(DOCS.parent))
    test = parser.get_doctest(_pycon_source(page), globs, name, str(page), 0)
    out = io.StringIO()
    runner.run(test, out=out.write, clear_globs=False)
    globs.update(test.globs)  # the DocTest ran on a copy: the next page sees what this one defined
    return runner.summarize(verbose=False), out.getvalue()


@dataclass(frozen=True)
class Command:
    """One ``$ symconv …`` line of the guide, with the output shown under it."""

    line: str
    argv: list[str]
    status: int
    output: str


def _commands() -> list[Command]:
    out: list[Command] = []
    for block in _blocks("sh"):
        current: list[str] | None = None
        for line in block.splitlines() + ["$ "]:
            if line.startswith("$ "):
                if current is not None:
                    head, *shown = current
                    m = re.search(r"\s+#\s*exit\s+(\d+)\s*$", head)
                    status = int(m.group(1)) if m else 0
                    cmd = head[: m.start()] if m else head
                    argv = shlex.split(cmd, comments=True)
                    out.append(Command(head, argv, status, "\n".join(shown).strip("\n")))
                current = [line[2:]] if line[2:].strip() else None
            elif current is not None:
                current.append(line)
    return out


COMMANDS = _commands()


def test_guide_pycon_examples_print_what_the_guide_shows():
    blocks = _blocks("pycon", GUIDE_PAGES)
    assert len(GUIDE_PAGES) >= 10, [p.name for p in GUIDE_PAGES]
    assert len(blocks) >= 30, f"the guide has only {len(blocks)} pycon blocks"
    globs: dict = {}
    attempted, failures = 0, []
    for page in GUIDE_PAGES:
        result, report = _run_pycon(page, globs)
        attempted += result.attempted
        if result.failed:
            failures.append(report)
    assert not failures, "guide example(s) print something else:\n" + "\n".join(failures)
    assert attempted >= 120


@pytest.mark.parametrize("page", _other_pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_every_other_page_pycon_examples_print_what_the_page_shows(page: Path):
    result, report = _run_pycon(page, {})
    assert result.failed == 0, f"{result.failed} example(s) of {page.name} print something else:\n{report}"


def test_every_page_of_the_site_is_read_here():
    """A page added to the site (docs/**/*.md) is in PAGES, so its examples run."""
    assert {p.name for p in GUIDE_PAGES} >= {"index.md", "convention.md", "proofs.md", "layout.md"}
    assert all(p.exists() for p in PAGES), [str(p) for p in PAGES if not p.exists()]


def test_guide_sh_blocks_only_hold_symconv_commands():
    assert len(COMMANDS) >= 15
    for c in COMMANDS:
        assert c.argv[:1] == ["symconv"], f"not a symconv command: {c.line!r}"
    printed = {line for c in COMMANDS for line in c.output.splitlines()}  # what a command prints may say "symconv …"
    for block in _blocks("sh"):
        for line in block.splitlines():
            if line not in printed:
                assert not line.startswith("symconv "), f"write commands as `$ symconv …` so they are checked: {line!r}"


def test_guide_covers_every_subcommand():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    shown = {c.argv[1] for c in COMMANDS if not c.argv[1].startswith("-")}  # not the options (--version)
    assert shown == set(sub.choices), f"subcommands without an example: {set(sub.choices) - shown}"


@pytest.mark.parametrize("command", COMMANDS, ids=[c.line for c in COMMANDS])
def test_guide_command_parses_or_prints_what_the_guide_shows(command: Command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a command that writes files writes them here
    args = command.argv[1:]
    if not command.output:
        try:
            parsed = build_parser().parse_args(args)
        except SymconvError as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"`{command.line}` does not parse: {exc}")
        assert callable(parsed.handler)
        return
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            status = main(args)
        except SystemExit as exc:  # argparse's --version prints and exits, as from a shell
            status = exc.code
    got = stdout.getvalue() + stderr.getvalue()
    assert status == command.status, f"`{command.line}` exited {status}:\n{got}"
    checker = doctest.OutputChecker()
    want = command.output + "\n"
    assert checker.check_output(want, got, FLAGS), checker.output_difference(doctest.Example("", want), got, FLAGS)
