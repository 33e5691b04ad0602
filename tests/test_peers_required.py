"""The CI flag that turns missing peers into failures really works."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

TEST_BODY = """
import sys
sys.path.insert(0, {path!r})
import peers

def test_needs_ghost():
    peers.module("symconv_no_such_module_xyz", "ghost")
"""


def _run(tmp_path: Path, required: str | None) -> int:
    test = tmp_path / "test_ghost.py"
    test.write_text(TEST_BODY.format(path=str(Path(__file__).parent)))
    ini = tmp_path / "none.ini"
    ini.write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k != "SYMCONV_REQUIRE_PEERS"}
    if required is not None:
        env["SYMCONV_REQUIRE_PEERS"] = required
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(ini), str(test)]
    return subprocess.run(cmd, env=env, capture_output=True, check=False).returncode


def test_missing_peer_skips_on_a_users_machine(tmp_path: Path) -> None:
    assert _run(tmp_path, None) == 0


def test_missing_required_peer_fails_in_ci(tmp_path: Path) -> None:
    assert _run(tmp_path, "ghost") == 1
    assert _run(tmp_path, "all") == 1


def _silent_skips(source: str) -> list[int]:
    """Lines calling ``pytest.importorskip``: a skip that SYMCONV_REQUIRE_PEERS cannot turn into a failure."""
    tree = ast.parse(source)
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "importorskip"
    ]


def test_every_optional_import_goes_through_peers() -> None:
    """``pytest.importorskip`` would skip in CI even with SYMCONV_REQUIRE_PEERS=all; use ``peers.module``."""
    here = Path(__file__).parent
    found = [f"{p.name}:{line}" for p in sorted(here.glob("*.py")) for line in _silent_skips(p.read_text("utf-8"))]
    assert found == []
    assert _silent_skips("import pytest\npytest.importorskip('torch')\n") == [2]
    assert _silent_skips("import peers\npeers.module('torch')\n") == []
