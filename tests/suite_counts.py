"""Counts the standing adversarial suites report: ``tests/conftest.py`` prints them at the end of every run.

A suite calls :func:`record` with what it tried and what came out; the terminal summary of ``make test``
(and of any pytest run that reaches the suite) shows one line per suite, so the counts are part of the
output, not only of the assertions.
"""

from __future__ import annotations

__all__ = ["COUNTS", "record"]

#: suite name -> one line of counts, in the order the suites ran.
COUNTS: dict[str, str] = {}


def record(suite: str, line: str) -> None:
    """Report ``line`` (counts) for ``suite``; printed at the end of the test run."""
    COUNTS[suite] = line
