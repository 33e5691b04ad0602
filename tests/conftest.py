"""Shared test configuration: Hypothesis profiles, and the counts of the adversarial suites in the summary."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# the figure cache of `symconv notes` (symconv/writing/figcache.py): a fresh folder per run, never the user's
if "SYMCONV_CACHE_DIR" not in os.environ:
    os.environ["SYMCONV_CACHE_DIR"] = tempfile.mkdtemp(prefix="symconv-test-cache-")
    atexit.register(shutil.rmtree, os.environ["SYMCONV_CACHE_DIR"], True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the counts of the standing adversarial suites (tests/suite_counts.py) after every run."""
    from suite_counts import COUNTS

    if COUNTS:
        terminalreporter.write_sep("=", "adversarial suites")
        for suite, line in COUNTS.items():
            terminalreporter.write_line(f"{suite}: {line}")
