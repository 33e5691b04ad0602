"""The user guide is real: its pycon blocks run as doctests, its CLI commands exist and print what it shows.

``docs/guide.md`` has two kinds of examples:

* ```` ```pycon ```` blocks, run together as ONE doctest (later blocks use names from earlier ones);
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

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide.md"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), flags=re.S | re.M)


def _pycon_source() -> str:
    """The guide's pycon blocks as one doctest source, every other line blanked (line numbers stay the guide's)."""
    out, inside = [], False
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        fence = line.startswith("```")
        if fence:
            inside = line == "```pycon"
        out.append(line if inside and not fence else "")
    return "\n".join(out) + "\n"


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
    blocks = _blocks("pycon")
    assert len(blocks) >= 30, f"the guide has only {len(blocks)} pycon blocks"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    test = parser.get_doctest(_pycon_source(), {}, "docs/guide.md", str(GUIDE), 0)
    out = io.StringIO()
    runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} guide example(s) print something else:\n{out.getvalue()}"
    assert result.attempted >= 120


def test_guide_sh_blocks_only_hold_symconv_commands():
    assert len(COMMANDS) >= 15
    for c in COMMANDS:
        assert c.argv[:1] == ["symconv"], f"not a symconv command: {c.line!r}"
    for block in _blocks("sh"):
        for line in block.splitlines():
            assert not line.startswith("symconv "), f"write commands as `$ symconv …` so they are checked: {line!r}"


def test_guide_covers_every_subcommand():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    shown = {c.argv[1] for c in COMMANDS}
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
        status = main(args)
    got = stdout.getvalue() + stderr.getvalue()
    assert status == command.status, f"`{command.line}` exited {status}:\n{got}"
    checker = doctest.OutputChecker()
    want = command.output + "\n"
    assert checker.check_output(want, got, FLAGS), checker.output_difference(doctest.Example("", want), got, FLAGS)
