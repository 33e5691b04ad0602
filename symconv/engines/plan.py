r"""Integer layout of a concrete contraction, shared by the fast instance paths.

A concrete :class:`~symconv.core.formula.Contraction` is read (never rewritten)
as integer data: for the result and every factor, one row per axis

.. math:: \mathrm{index}_a(v) = \mathrm{const}_a + \sum_j \mathrm{coef}_{a,j}\, v_j,
          \qquad 0 \le \mathrm{index}_a(v) < \mathrm{size}_a

(the Iverson guard of ``symconv.core.formula``). Loop variables of extent 1 only
ever take the value 0, so their coefficients are dropped (set to 0).

:func:`boxes` splits the loop box into *outer* variables (iterated in Python)
and *inner* ones, chosen so that every axis depends on at most one inner
variable: for fixed outer values the in-range inner points form a box, found
by clipping each inner range, so the guard is exact without enumerating terms.

>>> from symconv.core.formula import ConvSpec, forward
>>> lay = layout(forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0])
>>> lay.extents, [(name, [(a.coef, a.const, a.size) for a in axes]) for name, axes in lay.arrays]
((4, 2), [('', [((1, 0), 0, 4)]), ('x', [((1, 1), 0, 5)]), ('w', [((0, 1), 0, 2)])])
>>> inner = choose_inner(lay, lambda v: True)
>>> inner
(0,)
>>> lo, hi, k0 = boxes(lay, inner)
>>> lo.tolist(), hi.tolist(), k0.tolist()
([[0], [0]], [[4], [4]], [[0, 0, 0], [0, 1, 1]])
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from symconv.core.formula import Contraction
from symconv.engines.bounds import guard_memory

__all__ = ["Axis", "Layout", "boxes", "boxes_bytes", "choose_inner", "layout"]


@dataclass(frozen=True)
class Axis:
    """One axis of an array: ``const + Σ_j coef[j]·v_j``, in range when ``0 ≤ · < size``."""

    coef: tuple[int, ...]
    const: int
    size: int

    def span(self, extents: Sequence[int]) -> tuple[int, int]:
        """Smallest and largest value of the index over the whole loop box."""
        lo = hi = self.const
        for c, e in zip(self.coef, extents):
            if c > 0:
                hi += c * (e - 1)
            else:
                lo += c * (e - 1)
        return lo, hi


@dataclass(frozen=True)
class Layout:
    """Loop extents and the axes of the result (named ``""``) and of each factor, in order."""

    extents: tuple[int, ...]
    arrays: tuple[tuple[str, tuple[Axis, ...]], ...]

    def __hash__(self) -> int:
        # computed once: the plan caches and the piece matching hash one layout many times per check
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash((self.extents, self.arrays))
            object.__setattr__(self, "_hash", h)
        return h

    def __getstate__(self) -> dict[str, object]:
        # the cached hash is not pickled: string hashes differ between processes
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    @property
    def terms_bound(self) -> int:
        """Loop points of the box (an upper bound on the terms), in Python integers (never wraps)."""
        return math.prod(self.extents)


@functools.lru_cache(maxsize=256)
def layout(c: Contraction) -> Layout | None:
    """The integer layout of ``c``, or None when a boundary fold or a conjugate needs the term path."""
    if c.result_boundary and any(b is not None for b in c.result_boundary):
        return None
    if any(f.conjugate or (f.boundary and any(b is not None for b in f.boundary)) for f in c.factors):
        return None
    if not c.variables or not c.factors:
        return None
    names = [v.name for v in c.variables]
    extents = tuple(int(v.extent) for v in c.variables)
    arrays = []
    pairs = [("", c.result_index, c.result.shape)]
    pairs += [(f.operand, f.index, c.operand(f.operand).shape) for f in c.factors]
    for name, index, shape in pairs:
        axes = []
        for a, size in zip(index, shape):
            coef = tuple(int(a.coeff(n)) if e > 1 else 0 for n, e in zip(names, extents))
            axes.append(Axis(coef, int(a.const), int(size)))
        arrays.append((name, tuple(axes)))
    return Layout(extents, tuple(arrays))


def choose_inner(lay: Layout, allowed: Callable[[int], bool]) -> tuple[int, ...]:
    """Inner variables, largest extent first: every axis depends on at most one of them.

    ``allowed(j)`` may exclude a variable (it is then iterated outside).
    """
    rows = [a.coef for _, axes in lay.arrays for a in axes]
    inner: list[int] = []
    for v in sorted(range(len(lay.extents)), key=lambda j: -lay.extents[j]):
        if lay.extents[v] < 2 or not allowed(v):
            continue
        if all(sum(1 for u in (*inner, v) if row[u] != 0) <= 1 for row in rows):
            inner.append(v)
    return tuple(sorted(inner))


#: Bytes of :func:`boxes` results kept for reuse (least recently used dropped first).
CACHE_BYTES = 64 << 20

_cache: OrderedDict[tuple[Layout, tuple[int, ...]], tuple[np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()
_cache_lock = threading.Lock()
_cached = 0  # bytes held by _cache


def boxes_bytes(lay: Layout, inner: tuple[int, ...]) -> int:
    """Peak bytes of :func:`boxes`: a few int64 values per axis and inner variable, per outer point."""
    outer = len(lay.extents) - len(inner)
    points = math.prod(e for j, e in enumerate(lay.extents) if j not in inner)
    naxes = sum(len(arr) for _, arr in lay.arrays)
    return 8 * points * (outer + 2 * naxes + 4 * len(inner) + 4)


def boxes(lay: Layout, inner: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The outer points with in-range terms: inner ranges ``[lo, hi)`` and every axis's outer part ``k0``.

    Returns ``(lo, hi, k0)`` with one row per such outer point: ``lo``/``hi``
    per inner variable, ``k0`` per axis (all arrays' axes in order). The
    outer part of an axis is its index with every inner variable at 0; the
    index at an inner point ``u`` is ``k0 + coef[j]·u_j`` for the one inner
    ``j`` it depends on (if any). Vectorised over the outer points: its
    memory (:func:`boxes_bytes`) is refused beyond the ``memory_bytes`` limit
    before it is allocated. Results up to ``CACHE_BYTES`` in all are cached
    (read-only arrays, shared).
    """
    key = (lay, inner)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    guard_memory("instance engine", boxes_bytes(lay, inner), "one row per outer point of the loop box")
    out = _boxes(lay, inner)
    size = _nbytes(out)
    if size <= CACHE_BYTES // 8:
        for a in out:
            a.flags.writeable = False
        global _cached
        with _cache_lock:
            if key not in _cache:
                _cache[key] = out
                _cached += size
            while _cached > CACHE_BYTES:
                _, old = _cache.popitem(last=False)
                _cached -= _nbytes(old)
    return out


def _nbytes(arrays: tuple[np.ndarray, ...]) -> int:
    return sum(a.nbytes for a in arrays)


def _boxes(lay: Layout, inner: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    outer = [j for j in range(len(lay.extents)) if j not in inner]
    axes = [a for _, arr in lay.arrays for a in arr]
    if outer:
        pts = np.indices([lay.extents[j] for j in outer], dtype=np.int64).reshape(len(outer), -1).T
    else:
        pts = np.zeros((1, 0), dtype=np.int64)
    oc = np.array([[a.coef[j] for a in axes] for j in outer], dtype=np.int64).reshape(len(outer), len(axes))
    k0 = pts @ oc + np.array([a.const for a in axes], dtype=np.int64)
    size = np.array([a.size for a in axes], dtype=np.int64)
    npts = pts.shape[0]
    lo = np.zeros((npts, len(inner)), dtype=np.int64)
    hi = np.tile(np.array([lay.extents[j] for j in inner], dtype=np.int64), (npts, 1))
    ok = np.ones(npts, dtype=bool)
    for ai, a in enumerate(axes):
        dep = [s for s, j in enumerate(inner) if a.coef[j] != 0]
        col = k0[:, ai]
        if not dep:
            ok &= (col >= 0) & (col < a.size)
            continue
        s, ci = dep[0], a.coef[inner[dep[0]]]
        # 0 <= k0 + ci*u < size
        if ci > 0:
            first, stop = -(col // ci), (size[ai] - 1 - col) // ci + 1
        else:
            first, stop = -((size[ai] - 1 - col) // -ci), col // -ci + 1
        np.maximum(lo[:, s], first, out=lo[:, s])
        np.minimum(hi[:, s], stop, out=hi[:, s])
    ok &= (hi > lo).all(axis=1)
    return lo[ok], hi[ok], k0[ok]
