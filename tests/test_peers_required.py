"""The CI flag that turns missing peers into failures really works."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_required_peer_missing_fails(tmp_path, monkeypatch):
    test = tmp_path / "test_x.py"
    test.write_text(
        textwrap.dedent(
            """
            import sys
            sys.path.insert(0, %r)
            import peers
            def test_needs_ghost():
                peers.module("symconv_no_such_module_xyz", "ghost")
            """
            % str(__import__("pathlib").Path(__file__).parent)
        )
    )
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test), "-c", str(tmp_path / "none.ini")]
    (tmp_path / "none.ini").write_text("[pytest]\n")
    env = dict(__import__("os").environ)
    env.pop("SYMCONV_REQUIRE_PEERS", None)
    assert subprocess.run(base, env=env, capture_output=True).returncode == 0  # skipped
    env["SYMCONV_REQUIRE_PEERS"] = "ghost"
    assert subprocess.run(base, env=env, capture_output=True).returncode == 1  # failed
