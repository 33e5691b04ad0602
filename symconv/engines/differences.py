"""The monomials where two dense tables differ: the first one in the sorted form's order, found cheaply.

A refutation must name the smallest differing monomial (result position
first) without decoding every differing cell: :meth:`Differences.first`
reads the block's rows in order of a lower bound on their result positions
and stops as soon as no row can beat the best one found.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["CHUNK_CELLS", "PATTERN_CELLS", "Differences", "Key", "lower_bound"]

#: Cells read at a time when a refutation looks for the smallest differing monomial.
CHUNK_CELLS = 1 << 16

#: Largest row (cells) whose result-position pattern is precomputed (int64: 8 bytes per cell).
PATTERN_CELLS = 1 << 22


@functools.lru_cache(maxsize=4)
def _pattern(
    value: str,
    kept: tuple[tuple[str, int], ...],
    rsizes: tuple[int, ...],
    lam: tuple[int, ...],
    rshape: tuple[int, ...],
    twins: tuple[tuple[tuple[str, int], tuple[str, int]], ...],
) -> tuple[int, np.ndarray]:
    """``(c0, P)``: the result position of cell ``row·rest + off`` is ``P[off] + c0·row`` (plus ``stored -
    shift`` when the result is the value slot), for rows of shape ``rsizes`` (key axes 1, 2, …)."""
    weights = [0] * len(kept)
    if value == "":
        weights = list(lam)
    else:
        twin = dict(twins)
        stride = 1
        for k in reversed(range(len(rshape))):
            axis = ("", k) if ("", k) in kept else twin[("", k)]
            weights[kept.index(axis)] += stride
            stride *= rshape[k]
    pattern = np.zeros(rsizes, dtype=np.int64)
    for a, (w, n) in enumerate(zip(weights[1:], rsizes)):
        if w:
            shape = [1] * len(rsizes)
            shape[a] = n
            pattern += (np.arange(n, dtype=np.int64) * w).reshape(shape)
    pattern.flags.writeable = False
    return weights[0], pattern.reshape(-1)


def lower_bound(
    value: str,
    lam: np.ndarray,
    shift: int,
    ksizes: Sequence[int],
    start: int,
    kept: Sequence[tuple[str, int]],
    twin: dict[tuple[str, int], tuple[str, int]],
    rshape: tuple[int, ...],
    i: int,
    j: int,
) -> int:
    """A lower bound on the result position of any monomial in rows ``[start + i, start + j)`` of key axis 0
    of a table with key sizes ``ksizes`` (axis 0 of the block, from ``start``), whatever the stored entries.

    With the result as value slot, ``r = stored - shift + λ·key`` and every stored entry is ≥ 1; else the
    result's axes are key axes and only key axis 0 is bounded below by the rows.
    """
    if value == "":
        lams = [int(x) for x in lam.tolist()]
        low = 1 - shift + sum(min(0, lm * (n - 1)) for lm, n in zip(lams[1:], ksizes[1:]))
        return low + lams[0] * (start + (i if lams[0] >= 0 else j - 1)) if lams else low
    low, stride = 0, 1
    for k in reversed(range(len(rshape))):
        axis = ("", k) if ("", k) in kept else twin[("", k)]
        if list(kept).index(axis) == 0:
            low += stride * (start + i)
        stride *= rshape[k]
    return low


#: A monomial in the sorted form's order: (result position, one digit per operand name, 0 = absent).
Key = tuple[int, ...]


@dataclass(frozen=True)
class Differences:
    """Both sides' tables of one block of one signature, read back as the monomials where they differ."""

    left: tuple[np.ndarray, np.ndarray | None]
    right: tuple[np.ndarray, np.ndarray | None]
    coefs: list[int]  # coefficient-table entry e means coefs[e - 1]; no table: coefs[0]
    value: str
    kept: list[tuple[str, int]]
    ksizes: list[int]  # of the block (its first axis starts at ``start``)
    start: int
    twin: dict[tuple[str, int], tuple[str, int]]
    shapes: dict[str, tuple[int, ...]]  # per slot ("" = the result)
    lam: np.ndarray  # a stored entry e means value position e - shift + λ·key
    shift: int

    def _axis(self, a: int, cells: np.ndarray) -> np.ndarray:
        """Value of kept key axis ``a`` at table cells ``cells`` (of this block)."""
        stride = math.prod(self.ksizes[a + 1 :])
        v = (cells // stride) % self.ksizes[a]
        return v + self.start if a == 0 else v

    def _position(self, slot: str, cells: np.ndarray, stored: np.ndarray) -> np.ndarray:
        """Flat position in ``slot`` of the monomials at ``cells`` with stored entries ``stored``."""
        if slot == self.value:
            out = stored - self.shift
            for a, lam in enumerate(self.lam.tolist()):
                if lam:
                    out = out + lam * self._axis(a, cells)
            return out
        out = np.zeros(cells.size, dtype=np.int64)
        for i, size in enumerate(self.shapes[slot]):
            axis = (slot, i) if (slot, i) in self.kept else self.twin[(slot, i)]
            out = out * size + self._axis(self.kept.index(axis), cells)
        return out

    def _result(self, cells: np.ndarray, stored: np.ndarray) -> np.ndarray:
        """Result positions at ``cells`` (as ``_position("", …)``): a per-row pattern, shared by every row and
        block, plus the row's part — one division per cell instead of one per key axis."""
        rest = math.prod(self.ksizes[1:]) if self.kept else 1
        if not self.kept or rest > PATTERN_CELLS:
            return self._position("", cells, stored)
        coef0, pattern = _pattern(
            self.value,
            tuple(self.kept),
            tuple(self.ksizes[1:]),
            tuple(int(x) for x in self.lam.tolist()),
            self.shapes[""],
            tuple(sorted(self.twin.items())),
        )
        row = cells // rest
        out = pattern[cells - row * rest] + coef0 * (row + self.start)
        return out + (stored - self.shift) if self.value == "" else out

    def _coef(self, c: np.ndarray | None, cells: np.ndarray) -> np.ndarray:
        table = np.empty(len(self.coefs), dtype=object)  # Python integers: a coefficient may exceed int64
        table[:] = self.coefs
        return np.full(cells.size, table[0], dtype=object) if c is None else table[c[cells].astype(np.int64) - 1]

    def _lower(self, i: int, j: int) -> int:
        """A lower bound on the result position of any monomial stored in rows ``[i, j)`` of key axis 0."""
        return lower_bound(
            self.value, self.lam, self.shift, self.ksizes, self.start, self.kept, self.twin, self.shapes[""], i, j
        )

    def first(self, names: Sequence[str], bound: int | None = None) -> tuple[Key, int, int] | None:
        """The smallest differing monomial in the sorted form's order, with its left and right coefficients.

        Only rows of the block whose lower bound on the result position can
        beat the smallest one found so far (or ``bound``, the best of earlier
        blocks) are read, and only the cells with that smallest result
        position are decoded: a refutation costs little beyond the tables.
        None when no differing monomial has result position ≤ ``bound``.
        """
        (dl, dr), (cl, cr) = (self.left[0], self.right[0]), (self.left[1], self.right[1])
        rest = math.prod(self.ksizes[1:]) if self.kept else 1
        nrows = self.ksizes[0] if self.kept else 1
        step = max(1, CHUNK_CELLS // max(rest, 1))
        # the bound is monotone in the row (affine in it): read the rows from the smallest bound on
        starts = list(range(0, nrows, step))
        if self._lower(starts[-1], nrows) < self._lower(0, min(step, nrows)):
            starts.reverse()
        best = bound
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for i in starts:
            if best is not None and self._lower(i, min(i + step, nrows)) > best:
                break
            lo, hi = i * rest, min(i + step, nrows) * rest
            diff = dl[lo:hi] != dr[lo:hi]
            if cl is not None and cr is not None:
                diff |= cl[lo:hi] != cr[lo:hi]
            cells = np.flatnonzero(diff) + lo
            if not cells.size:
                continue
            vl, vr = dl[cells].astype(np.int64), dr[cells].astype(np.int64)
            # the left monomial of a cell (if any), and a right one that the left does not hold
            a, b = vl != 0, (vr != 0) & (vr != vl)
            every = np.concatenate([cells[a], cells[b]])
            stored = np.concatenate([vl[a], vr[b]])
            from_left = np.concatenate([np.ones(int(a.sum()), bool), np.zeros(int(b.sum()), bool)])
            r = self._result(every, stored)
            m = int(r.min())
            if best is not None and m > best:
                continue
            if best is None or m < best:
                best, found = m, []
            keep = np.flatnonzero(r == m)
            found.append((every[keep], stored[keep], from_left[keep], r[keep]))
        if not found:
            return None
        every, stored, from_left, r = (np.concatenate(col) for col in zip(*found))
        kl, kr = self._coef(cl, every), self._coef(cr, every)
        left = np.where(from_left, kl, 0)
        right = np.where(dr[every].astype(np.int64) == stored, kr, 0)
        cols = [r] + [
            self._position(m, every, stored) + 1 if m in self.shapes else np.zeros(every.size, np.int64) for m in names
        ]
        i = int(np.lexsort(cols[::-1])[0])
        return tuple(int(c[i]) for c in cols), int(left[i]), int(right[i])
