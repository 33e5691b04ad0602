"""Fixtures for every test and doctest (tests/ and the package's docstrings).

``symconv.sizes(..., assume=...)`` records the relations of its size symbols for the whole process;
each test starts from the relations that held before it and leaves them so.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _size_relations_restored() -> Iterator[None]:
    before: Any = sys.modules.get("symconv.claims.sizes")
    saved = (list(before._DECLARED), dict(before._NAMES)) if before is not None else ([], {})
    yield
    registry: Any = sys.modules.get("symconv.claims.sizes")
    if registry is not None:
        registry._DECLARED[:] = saved[0]
        registry._NAMES.clear()
        registry._NAMES.update(saved[1])
