r"""Buckets of the sort-based form in bounded memory: pieces beyond a budget go to temporary files.

The sort-based canonical form partitions the terms by result position into
blocks (:func:`symconv.engines.exact._sorted_equal`) and sorts one block at
a time. :class:`Buckets` holds each block's pieces (keys and coefficients)
in memory up to ``budget`` bytes in all; beyond it every held piece is
appended to its block's file and dropped, so the memory of the sorted path is
the budget plus one block's sort, whatever the number of terms (the disk
holds the rest: about 8 bytes per key word and term). Files are read back
block by block, in the order written (the canonical form does not depend on
the order), and removed when the buckets are closed.

>>> b = Buckets(2, budget=0)
>>> b.add(0, np.array([3, 1]), 5)
>>> b.add(1, np.array([2]), np.array([7]))
>>> b.add(0, np.array([4]), np.array([-1]))
>>> [(k.tolist(), c if isinstance(c, int) else c.tolist()) for k, c in b.take(0)]
[([3, 1], 5), ([4], [-1])]
>>> b.add(1, np.array([9]), np.array([2**70], dtype=object))
>>> [int(c[0]) for _, c in b.take(1)]
[7, 1180591620717411303424]
>>> b.close()
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import numpy as np

__all__ = ["SPILL_BYTES", "Buckets"]

#: Bytes of bucket pieces held in memory before they are written to temporary files.
SPILL_BYTES = 1 << 29


class Buckets:
    """Pieces ``(keys, coefficients)`` per block, held in memory up to ``budget`` bytes, the rest on disk."""

    def __init__(self, nblocks: int, budget: int = SPILL_BYTES) -> None:
        self.held: list[list[tuple[np.ndarray, Any]]] = [[] for _ in range(nblocks)]
        self.budget = budget
        self.nbytes = 0
        self.dir: str | None = None
        self.spilled = [False] * nblocks

    def add(self, i: int, keys: np.ndarray, coefs: Any) -> None:
        """Append a piece to block ``i`` (coefficients: one int for all keys, or an array)."""
        self.held[i].append((keys, coefs))
        self.nbytes += keys.nbytes + (coefs.nbytes if isinstance(coefs, np.ndarray) else 0)
        if self.nbytes > self.budget:
            self._spill()

    def _path(self, i: int) -> str:
        assert self.dir is not None
        return os.path.join(self.dir, f"{i}.npy")

    def _spill(self) -> None:
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="symconv-sort-")
        for i, pieces in enumerate(self.held):
            if not pieces:
                continue
            with open(self._path(i), "ab") as f:
                for keys, coefs in pieces:
                    np.save(f, keys)
                    c = coefs if isinstance(coefs, np.ndarray) else np.array([int(coefs)], dtype=object)
                    # Python integers (beyond int64) as decimal strings: exact, and no pickle
                    np.save(f, c.astype(str) if c.dtype == object else c, allow_pickle=False)
                    np.save(f, np.array([isinstance(coefs, np.ndarray), c.dtype == object]), allow_pickle=False)
            self.spilled[i] = True
            self.held[i] = []
        self.nbytes = 0

    def take(self, i: int) -> list[tuple[np.ndarray, Any]]:
        """Every piece of block ``i`` (read back from disk if spilled); the block is then emptied."""
        out: list[tuple[np.ndarray, Any]] = []
        if self.spilled[i]:
            path = self._path(i)
            size = os.path.getsize(path)
            with open(path, "rb") as f:
                while f.tell() < size:
                    keys = np.load(f, allow_pickle=False)
                    c = np.load(f, allow_pickle=False)
                    is_array, is_object = (bool(x) for x in np.load(f, allow_pickle=False))
                    if is_object:
                        c = np.array([int(x) for x in c.tolist()] + [None], dtype=object)[:-1]
                    out.append((keys, c if is_array else int(c[0])))
            os.remove(path)
            self.spilled[i] = False
        out.extend(self.held[i])
        self.nbytes -= sum(k.nbytes + (c.nbytes if isinstance(c, np.ndarray) else 0) for k, c in self.held[i])
        self.held[i] = []
        return out

    def close(self) -> None:
        """Remove the temporary files."""
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
