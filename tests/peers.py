"""Optional peers (torch, jax, scipy, LaTeX, KaTeX) for the tests.

On a user's machine a missing peer skips its tests. In CI the variable
``SYMCONV_REQUIRE_PEERS`` (comma-separated names, or ``all``) turns that skip
into a failure, so a broken install can never pass as "skipped".
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType

import pytest

KNOWN = ("scipy", "torch", "jax", "latex", "katex", "nbclient", "site")


def required(name: str) -> bool:
    """True when CI demands the peer ``name``."""
    raw = os.environ.get("SYMCONV_REQUIRE_PEERS", "")
    names = {t.strip() for t in raw.split(",") if t.strip()}
    return "all" in names or name in names


def missing(name: str, why: str) -> None:
    """Skip (or, when required, fail) because peer ``name`` is unavailable."""
    if required(name):
        pytest.fail(f"required peer {name!r} is missing: {why} (SYMCONV_REQUIRE_PEERS)", pytrace=False)
    pytest.skip(f"{name} not available: {why}")


def module(name: str, peer: str | None = None) -> ModuleType:
    """Import ``name`` or skip/fail for the peer it belongs to."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing(peer or name.split(".")[0], str(exc))
        raise  # unreachable: missing() always raises


def program(peer: str, *exes: str) -> None:
    """Require the executables ``exes`` on PATH for ``peer``."""
    absent = [e for e in exes if shutil.which(e) is None]
    if absent:
        missing(peer, f"not on PATH: {', '.join(absent)}")
