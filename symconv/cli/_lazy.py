"""Choices of a sub-command read from the library only when argparse needs them.

``symconv --help`` builds every sub-command's parser; a parser whose
``choices`` came straight from the library would import it (sympy, numpy, z3)
for nothing. :class:`LazyChoices` is a sequence that imports its module on
first use, so the names stay defined in ONE place and cost nothing until an
argument is checked or a sub-command's help is printed.

>>> modes = LazyChoices("symconv.arrays.ops", "MODES")
>>> "same" in modes, list(modes)
(True, ['valid', 'same', 'full'])
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from typing import Any, overload

__all__ = ["LazyChoices"]


class LazyChoices(Sequence[str]):
    """The names in ``getattr(import_module(module), attr)`` (keys of a mapping), loaded on first use."""

    def __init__(self, module: str, attr: str) -> None:
        self._where = (module, attr)
        self._names: tuple[str, ...] | None = None

    def _load(self) -> tuple[str, ...]:
        if self._names is None:
            module, attr = self._where
            self._names = tuple(getattr(importlib.import_module(module), attr))
        return self._names

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: Any) -> Any:
        return self._load()[i]

    def __len__(self) -> int:
        return len(self._load())

    def __contains__(self, value: object) -> bool:
        return value in self._load()

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())
