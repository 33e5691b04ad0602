"""docs/cli.md is real output: every ``$ symconv …`` line runs, exits as shown, and prints what the page shows.

The format is the guide's (tests/test_guide.py): a trailing ``# exit N`` is the expected status,
the lines under a command are its stdout+stderr (doctest's ELLIPSIS and NORMALIZE_WHITESPACE apply),
and a command with no lines under it must at least run with status 0.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import re
import shlex
from pathlib import Path

import pytest

from symconv.cli import build_parser, main

PAGE = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _commands() -> list[tuple[str, list[str], int, str]]:
    out = []
    for block in re.findall(r"^```sh\n(.*?)^```", PAGE.read_text(encoding="utf-8"), flags=re.S | re.M):
        current: list[str] | None = None
        for line in [*block.splitlines(), "$ "]:
            if line.startswith("$ "):
                if current is not None:
                    head, *shown = current
                    m = re.search(r"\s+#\s*exit\s+(\d+)\s*$", head)
                    cmd = head[: m.start()] if m else head
                    out.append((head, shlex.split(cmd), int(m.group(1)) if m else 0, "\n".join(shown).strip("\n")))
                current = [line[2:]] if line[2:].strip() else None
            elif current is not None:
                current.append(line)
    return out


COMMANDS = _commands()


def test_the_page_shows_check_grad_and_derive():
    shown = {argv[1] for _, argv, _, _ in COMMANDS}
    assert {"check", "grad", "derive", "correlate", "convolve", "--version"} <= shown
    assert all(argv[0] == "symconv" for _, argv, _, _ in COMMANDS)
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert shown - {"--version"} <= set(sub.choices)


@pytest.mark.parametrize(("line", "argv", "status", "output"), COMMANDS, ids=[c[0][:80] for c in COMMANDS])
def test_each_command_prints_what_the_page_shows(line, argv, status, output):
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            got_status = main(argv[1:])
        except SystemExit as exc:  # --version
            got_status = int(exc.code or 0)
    got = stdout.getvalue() + stderr.getvalue()
    assert got_status == status, f"`{line}` exited {got_status}:\n{got}"
    if output:
        want = output + "\n"
        checker = doctest.OutputChecker()
        assert checker.check_output(want, got, FLAGS), checker.output_difference(doctest.Example("", want), got, FLAGS)
