"""The README's tour is real output: its pycon blocks run as doctests."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples_run_and_print_what_the_readme_shows():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```pycon\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 4
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    test = parser.get_doctest("\n".join(blocks), {}, "README tour", str(README), 0)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} README example(s) print something else"
    assert result.attempted >= 12


def test_readme_has_exactly_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    setup = text.split("## Set-up", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make \w+", setup, flags=re.M)
    assert commands == ["make notes", "make test"]


def test_readme_shell_commands_run_and_exit_0(tmp_path, monkeypatch, capsys):
    """Every `symconv …` line of the README's sh blocks runs (in a scratch directory) and succeeds."""
    import shlex

    from symconv import cli

    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    lines = [ln.split("#", 1)[0].strip() for block in blocks for ln in block.splitlines()]
    commands = [ln for ln in lines if ln.startswith("symconv ")]
    assert len(commands) >= 5
    monkeypatch.chdir(tmp_path)
    for line in commands:
        argv = shlex.split(line)[1:]
        if argv == ["--help"]:
            continue
        status = cli.main(argv)
        err = capsys.readouterr().err
        assert status == 0, f"{line!r} exited {status}: {err}"
