"""docs/testing.md and the example test file it points to are real: the pycon blocks run as one
doctest, and the example file passes under pytest as a user would run it."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_testing_page_runs():
    text = (DOCS / "testing.md").read_text(encoding="utf-8")
    source = "\n".join(re.findall(r"^```pycon\n(.*?)^```", text, flags=re.S | re.M))
    test = doctest.DocTestParser().get_doctest(source, {}, "testing.md", str(DOCS / "testing.md"), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert runner.summarize(verbose=False).attempted >= 10


def test_the_example_test_file_passes_as_a_user_runs_it(tmp_path):
    example = DOCS / "examples" / "test_my_layer.py"
    copy = tmp_path / example.name
    copy.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", str(copy)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "3 passed" in r.stdout


def test_the_example_catches_a_wrong_backward(tmp_path):
    """The example file can fail: with the weight gradient's index reversed, its backward test fails."""
    example = (DOCS / "examples" / "test_my_layer.py").read_text(encoding="utf-8")
    broken = example.replace(
        "dw[k] += g[n] * x[self.s * n + self.d * k]", "dw[len(w) - 1 - k] += g[n] * x[self.s * n + self.d * k]"
    )
    assert broken != example
    copy = tmp_path / "test_broken_layer.py"
    copy.write_text(broken, encoding="utf-8")
    r = subprocess.run(
        # a fixed Hypothesis seed: the draws (and so the catch) are the same on every run
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-seed=0", str(copy)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 1 and "weight gradient is not the derived rule" in r.stdout, r.stdout[-3000:]
