"""Counts of the standing adversarial suite, printed in the normal ``make test`` output.

Each adversarial test module keeps a module-level list of what its tests
checked and declares a session-scoped autouse fixture that calls
:func:`show`. :func:`show` registers a tiny plugin object (one per title)
whose ``pytest_terminal_summary`` hook prints the module's lines at the end
of the run, in the terminal summary — no conftest hook and no shared plugin
file, so nothing here conflicts with another summary hook. Only modules that
ran print their lines (a focused run prints its own counts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class _Counts:
    def __init__(self, title: str, lines: Callable[[], list[str]]) -> None:
        self.title = title
        self.lines = lines

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        lines = self.lines()
        if not lines:
            return
        terminalreporter.write_sep("-", self.title)
        for line in lines:
            terminalreporter.write_line(line)


def show(config: Any, title: str, lines: Callable[[], list[str]]) -> None:
    """Print ``lines()`` under ``title`` in the terminal summary of this run (once per title)."""
    name = f"symconv-counts-{title}"
    if config.pluginmanager.get_plugin(name) is None:
        config.pluginmanager.register(_Counts(title, lines), name)
