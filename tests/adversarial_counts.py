"""Counts of the standing adversarial suite (claims, agreement, determinism), printed in the ``make test`` output.

Each of these test modules keeps module-level lists of what its tests checked and declares a session-scoped
autouse fixture that, at the end of the run (its teardown comes before the terminal summary), calls
:func:`report` with its lines. :func:`report` hands them to the shared summary of the adversarial suites when
the test-suite has one (``tests/suite_counts.py``'s ``record``, printed by ``tests/conftest.py``); otherwise it
registers a tiny plugin whose ``pytest_terminal_summary`` prints them. Either way no conftest hook is added
here, and only the modules that ran print (a focused run prints its own counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class _Lines:
    def __init__(self, title: str, lines: Sequence[str]) -> None:
        self.title = title
        self.lines = list(lines)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_sep("-", self.title)
        for line in self.lines:
            terminalreporter.write_line(line)


def report(config: Any, title: str, lines: Sequence[str]) -> None:
    """Print ``lines`` under ``title`` at the end of this run (once per title)."""
    if not lines:
        return
    try:
        from suite_counts import record  # the shared summary of the adversarial suites, where present
    except ImportError:
        record = None
    if record is not None:
        record(title, "\n    ".join(lines))
        return
    name = f"symconv-counts-{title}"
    if config.pluginmanager.get_plugin(name) is None:
        config.pluginmanager.register(_Lines(title, lines), name)
