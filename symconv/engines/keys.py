r"""The sort-based canonical form of the exact engine: integer keys of monomials, sorted and reduced.

A term's monomial is written as mixed-radix *digits*: the result position
(radix = result size), then either one digit per operand name (its local
variable id + 1, 0 when the term does not read it; *slots* mode) or the
``deg`` sorted global variable ids (radix = number of variables + 1;
*sorted* mode). The digits are packed, most significant first, into as few
int64 *words* as keep every word's radix product below :math:`2^{63}` — one
word for most instances, more for huge shapes — so a key never wraps, and
comparing keys word by word is comparing the digit sequences.

:func:`canonical` sorts keys and adds the coefficients of equal ones,
dropping zeros: the distinct keys with their non-zero coefficients are a
canonical form of the polynomial. Coefficients are int64 when the caller
proved their bound below :math:`2^{63}` (``symconv.engines.bounds``), else
Python integers (``object`` arrays).

>>> k = np.array([3, 1, 3, 2])
>>> keys, coefs = canonical([(k, np.array([1, 5, -1, 2]))], np.int64)
>>> keys.tolist(), coefs.tolist()
([1, 2], [5, 2])
>>> wide = np.array([[0, 2**62], [0, 1], [0, 2**62]])
>>> keys, coefs = canonical([(wide, 2**70)], object)
>>> keys.tolist(), coefs.tolist()
([[0, 1], [0, 4611686018427387904]], [1180591620717411303424, 2361183241434822606848])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["WORD_LIMIT", "Keys", "as_array", "canonical", "lookup", "same"]

#: A word's radix product stays below this: every word is an int64.
WORD_LIMIT = 1 << 63


class Keys:
    """Integer keys: the result position, then the monomial, in one or more int64 words.

    ``space`` is the validated variable space of ``symconv.engines.instance``
    (``counts``, ``offsets``, ``nvars``, ``digits``/``gids``).
    """

    def __init__(self, rsize: int, space: Any, deg: int, slots: bool) -> None:
        self.rsize = rsize
        self.space = space
        self.slots = slots
        self.deg = deg
        if slots:
            self.names = sorted(space.counts)
            radices = [rsize] + [space.counts[n] + 1 for n in self.names]
        else:
            self.base = space.nvars + 1
            radices = [rsize] + [self.base] * deg
        self.radices = radices
        # words of consecutive digits, each with its digits' place values
        self.words: list[list[tuple[int, int]]] = []
        current: list[int] = []
        prod = 1
        for i, radix in enumerate(radices):
            if current and prod * radix >= WORD_LIMIT:
                self.words.append(self._places(current))
                current, prod = [], 1
            current.append(i)
            prod *= radix
        self.words.append(self._places(current))

    def _places(self, digits: list[int]) -> list[tuple[int, int]]:
        return [(i, math.prod(self.radices[j] for j in digits[k + 1 :])) for k, i in enumerate(digits)]

    @property
    def width(self) -> int:
        """Words per key (1: keys are a 1-D array; more: rows of a 2-D array)."""
        return len(self.words)

    def encode(self, r: np.ndarray, names: Sequence[str], positions: Sequence[np.ndarray]) -> np.ndarray:
        """Keys of terms with result positions ``r`` and factor positions ``positions`` (of operands ``names``)."""
        sp = self.space
        digits: dict[int, Any] = {0: r}
        shift: dict[int, int] = {}  # digit = array + shift (an operand without structure: position + 1)
        if self.slots:
            for name, pos in zip(names, positions):
                i = 1 + self.names.index(name)
                if name in sp.structure:
                    digits[i] = sp.digits(name, pos)
                else:
                    digits[i], shift[i] = pos, 1
        else:
            cols = [sp.gids(name, pos) for name, pos in zip(names, positions)]
            if len(cols) == 2:
                cols = [np.minimum(cols[0], cols[1]), np.maximum(cols[0], cols[1])]
            elif len(cols) > 2:
                cols = list(np.sort(np.stack(cols, axis=1), axis=1).T)
            for i, col in enumerate(cols):
                digits[i + 1] = col
        out = []
        for word in self.words:
            key = np.zeros(r.shape, dtype=np.int64)
            const = 0
            tmp: np.ndarray | None = None
            for i, place in word:
                d = digits.get(i)
                if d is None:
                    continue
                const += shift.get(i, 0) * place
                if place == 1:
                    key += d
                else:
                    if tmp is None:
                        tmp = np.empty(r.shape, dtype=np.int64)
                    np.multiply(d, place, out=tmp)
                    key += tmp
            if const:
                key += const
            out.append(key)
        return out[0] if len(out) == 1 else np.stack(out, axis=1)

    def decode(self, key: Any) -> tuple[int, list[int]]:
        """Result position and the global variable ids (1-based) of a key (an int or a row of words)."""
        words = [int(key)] if self.width == 1 else [int(w) for w in np.asarray(key).reshape(-1)]
        digits = [0] * len(self.radices)
        for word, value in zip(self.words, words):
            for i, place in word:
                digits[i] = (value // place) % self.radices[i]
        r, rest = digits[0], digits[1:]
        if self.slots:
            return r, [self.space.offsets[n] + d for n, d in zip(self.names, rest) if d]
        return r, [d for d in rest if d]


#: Keys in at most one run per this many are sorted by merging their runs (else by quicksort).
RUN_RATIO = 64


def _kind(keys: np.ndarray) -> Any:
    """``"stable"`` (timsort: it merges the ascending runs) for keys made of few sorted runs — the terms of a
    piece come in loop order, mostly ascending — else ``"quicksort"`` (vectorized, for keys in no order)."""
    if keys.shape[0] < 2:
        return "quicksort"
    descents = int(np.count_nonzero(keys[1:] < keys[:-1]))
    return "stable" if descents * RUN_RATIO < keys.shape[0] else "quicksort"


def _sort(keys: np.ndarray) -> None:
    """Sort 1-D keys in place (the order of equal keys does not matter: they are summed)."""
    keys.sort(kind=_kind(keys))


def _order(keys: np.ndarray) -> np.ndarray:
    return np.argsort(keys, kind=_kind(keys)) if keys.ndim == 1 else np.lexsort(keys.T[::-1])


def _starts(keys: np.ndarray) -> np.ndarray:
    """Indices where a new key begins in sorted ``keys``."""
    new = np.empty(keys.shape[0], dtype=bool)
    new[0] = True
    if keys.ndim == 1:
        np.not_equal(keys[1:], keys[:-1], out=new[1:])
    else:
        np.any(keys[1:] != keys[:-1], axis=1, out=new[1:])
    return np.flatnonzero(new)


def as_array(k: np.ndarray, c: Any, dtype: Any = np.int64) -> np.ndarray:
    """Coefficients ``c`` (an array, or one integer for every key) as an array."""
    return c if isinstance(c, np.ndarray) else np.full(k.shape[0], c, dtype=dtype)


def canonical(pieces: list[tuple[np.ndarray, Any]], dtype: Any, width: int = 1) -> tuple[np.ndarray, Any]:
    """Sorted distinct keys with their summed non-zero coefficients (an int when all are equal).

    ``dtype`` is ``np.int64`` (every sum proven below :math:`2^{63}`) or ``object`` (Python
    integers); ``width`` the words per key (the shape of an empty form).
    """
    if not pieces:
        return np.zeros((0,) if width == 1 else (0, width), np.int64), np.zeros(0, dtype)
    keys = np.concatenate([k for k, _ in pieces]) if len(pieces) > 1 else pieces[0][0].copy()
    scalars = {int(c) for _, c in pieces if not isinstance(c, np.ndarray)}
    coefs: np.ndarray | None = None
    if len(scalars) == 1 and all(not isinstance(c, np.ndarray) for _, c in pieces):
        if keys.ndim == 1:
            _sort(keys)
        else:
            keys = keys[_order(keys)]
        uniform = next(iter(scalars))
        if keys.shape[0] < 2 or _starts(keys).size == keys.shape[0]:
            return keys, uniform  # distinct keys, one coefficient: already canonical
    else:
        coefs = np.concatenate([as_array(k, c, dtype) for k, c in pieces]).astype(dtype, copy=False)
        order = _order(keys)
        keys, coefs = keys[order], coefs[order]
    if keys.shape[0] == 0:
        return keys, np.zeros(0, dtype)
    starts = _starts(keys)
    if coefs is None:
        sums = np.diff(np.append(starts, keys.shape[0])).astype(dtype) * uniform
    else:
        sums = np.add.reduceat(coefs, starts)
    ukeys = keys[starts]
    nz = sums != 0
    return ukeys[nz], sums[nz].astype(dtype, copy=False)


def same(kl: np.ndarray, cl: Any, kr: np.ndarray, cr: Any, dtype: Any = np.int64) -> bool:
    """Whether two canonical forms (of coefficient type ``dtype``) are equal."""
    if kl.shape != kr.shape or not np.array_equal(kl, kr):
        return False
    if not isinstance(cl, np.ndarray) and not isinstance(cr, np.ndarray):
        return bool(cl == cr) or kl.shape[0] == 0
    return bool(np.array_equal(as_array(kl, cl, dtype), as_array(kr, cr, dtype)))


def lookup(keys: np.ndarray, coefs: np.ndarray, key: Any) -> int:
    """The coefficient of ``key`` in a canonical form (0 when absent)."""
    if keys.ndim == 1:
        i = int(np.searchsorted(keys, key))
        return int(coefs[i]) if i < keys.size and int(keys[i]) == int(key) else 0
    hit = np.flatnonzero(np.all(keys == np.asarray(key), axis=1))
    return int(coefs[hit[0]]) if hit.size else 0
