"""Enumerate the terms of a concrete :class:`~symconv.core.formula.Contraction`.

This is the only place that turns an index formula into loops. Everything
that needs the terms — the symbolic expansion, numeric evaluation, the
integer coefficient engine — calls :func:`iter_terms`, so they cannot
disagree about which products a formula contains.

A term is one loop point ``v`` whose every index is in range; it is reported
as flat (C-order) positions into the result and into each factor's operand.

>>> from symconv.core.formula import ConvSpec, forward
>>> t = next(iter_terms(forward(ConvSpec(input_size=(3,), kernel_size=(2,)))[0]))
>>> t.result.tolist(), t.factors[0].tolist(), t.factors[1].tolist()
([0, 0, 1, 1], [0, 1, 1, 2], [0, 1, 0, 1])
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from symconv.core.affine import as_expr
from symconv.core.formula import Boundary, Contraction

__all__ = ["Terms", "evaluate", "expand", "fold", "iter_terms", "iter_terms_separable", "term_count"]

DEFAULT_BLOCK = 1 << 21


@dataclass(frozen=True)
class Terms:
    """A block of terms: flat result positions and flat positions per factor."""

    result: np.ndarray
    factors: tuple[np.ndarray, ...]


def _ints(values: Sequence[Any]) -> tuple[int, ...]:
    out = []
    for v in values:
        e = as_expr(v)
        if not e.is_Integer:
            raise TypeError(f"contraction is not concrete: size {e}")
        out.append(int(e))
    return tuple(out)


def fold(index: np.ndarray, size: int, mode: str) -> np.ndarray:
    """Map positions of a padded axis back into ``[0, size)`` for a boundary ``mode``.

    >>> fold(np.arange(-2, 5), 3, "reflect").tolist()
    [2, 1, 0, 1, 2, 1, 0]
    >>> fold(np.arange(-2, 5), 3, "replicate").tolist()
    [0, 0, 0, 1, 2, 2, 2]
    >>> fold(np.arange(-2, 5), 3, "circular").tolist()
    [1, 2, 0, 1, 2, 0, 1]
    >>> fold(np.arange(-2, 5), 3, "symmetric").tolist()
    [1, 0, 0, 1, 2, 2, 1]
    """
    if mode == "circular":
        return np.mod(index, size)
    if mode == "replicate":
        return np.clip(index, 0, size - 1)
    if mode == "reflect":
        if size == 1:
            return np.zeros_like(index)
        period = 2 * (size - 1)
        r = np.mod(index, period)
        return np.where(r < size, r, period - r)
    if mode == "symmetric":
        r = np.mod(index, 2 * size)
        return np.where(r < size, r, 2 * size - 1 - r)
    raise ValueError(f"unknown boundary mode {mode!r}")


def term_count(c: Contraction) -> int:
    """Number of loop points of the box (an upper bound on the terms)."""
    extents = _ints([v.extent for v in c.variables])
    return math.prod(extents) if all(e > 0 for e in extents) else 0  # Python integers: never wraps


def _axis_range(shape_i: int, b: Boundary | None) -> tuple[int, int]:
    if b is None:
        return 0, shape_i
    return -int(b.lo), shape_i + int(b.hi)


def iter_terms(c: Contraction, block: int = DEFAULT_BLOCK) -> Iterator[Terms]:
    """Yield the in-range terms of ``c`` in blocks of at most ``block`` loop points."""
    extents = _ints([v.extent for v in c.variables])
    names = [v.name for v in c.variables]
    if any(e <= 0 for e in extents):
        return
    total = math.prod(extents)
    rshape = _ints(c.result.shape)
    fshapes = [_ints(c.operand(f.operand).shape) for f in c.factors]
    for start in range(0, total, block):
        flat = np.arange(start, min(total, start + block), dtype=np.int64)
        env: dict[str, np.ndarray] = {}
        rem = flat
        for name, ext in zip(reversed(names), reversed(extents)):
            rem, env[name] = np.divmod(rem, ext)
        mask = np.ones(flat.shape, dtype=bool)
        r_idx = [np.broadcast_to(a.evaluate(env), flat.shape) for a in c.result_index]
        rb = c.result_boundary or (None,) * len(r_idx)
        for idx, size, rbnd in zip(r_idx, rshape, rb):
            lo, hi = _axis_range(size, rbnd)
            mask &= (idx >= lo) & (idx < hi)
        f_idx: list[list[tuple[np.ndarray, Boundary | None, int]]] = []
        for f, shape in zip(c.factors, fshapes):
            axes: list[tuple[np.ndarray, Boundary | None, int]] = []
            for ax, (a, size) in enumerate(zip(f.index, shape)):
                idx = np.broadcast_to(a.evaluate(env), flat.shape)
                b = f.boundary[ax] if f.boundary is not None else None
                lo, hi = _axis_range(size, b)
                mask &= (idx >= lo) & (idx < hi)
                axes.append((idx, b, size))
            f_idx.append(axes)
        if not mask.any():
            continue
        result = (
            np.ravel_multi_index(
                tuple(
                    i[mask] if rbnd is None else fold(i[mask], size, rbnd.mode)
                    for i, size, rbnd in zip(r_idx, rshape, rb)
                ),
                rshape,
            )
            if rshape
            else np.zeros(int(mask.sum()), np.int64)
        )
        factors = []
        for factor_axes, shape in zip(f_idx, fshapes):
            parts = []
            for idx, bnd, size in factor_axes:
                sel = idx[mask]
                parts.append(fold(sel, size, bnd.mode) if bnd is not None else sel)
            factors.append(np.ravel_multi_index(tuple(parts), shape) if shape else np.zeros(len(result), np.int64))
        yield Terms(np.asarray(result, dtype=np.int64), tuple(np.asarray(f, dtype=np.int64) for f in factors))


def _flat_position(
    index: tuple[Any, ...], shape: tuple[int, ...], bounds: tuple[Boundary | None, ...], env: Mapping[str, Any]
) -> tuple[Any, Any]:
    """Flat C-order position and in-range mask of an affine index, each axis on the sub-box of its variables."""
    flat: Any = 0
    mask: Any = True
    stride = 1
    strides = []
    for size in reversed(shape):
        strides.append(stride)
        stride *= size
    for a, size, b, st in zip(index, shape, bounds, reversed(strides)):
        idx = a.evaluate(env)
        lo, hi = _axis_range(size, b)
        ok = (idx >= lo) & (idx < hi)
        if not np.all(ok):
            if np.ndim(ok) == 0:  # a constant index out of range: no term (and no position to compute)
                return 0, False
            mask = mask & ok
        if b is not None:
            idx = fold(np.asarray(idx), size, b.mode)
        flat = flat + idx * st
    return flat, mask


def iter_terms_separable(c: Contraction, block: int = DEFAULT_BLOCK) -> Iterator[Terms]:
    """The terms of :func:`iter_terms`, in the same order, computed separably (much faster).

    Every axis index depends on few loop variables, so it is evaluated (and
    range-checked, and folded) on the sub-box of those variables only and
    broadcast; only the flat positions are materialised over the full box.

    >>> from symconv.core.formula import ConvSpec, forward
    >>> c = forward(ConvSpec(input_size=(6,), kernel_size=(3,), pad_lo=(1,), padding_mode="reflect"))[0]
    >>> def flat(ts):
    ...     return [np.concatenate(col).tolist() for col in zip(*[(t.result, *t.factors) for t in ts])]
    >>> flat(iter_terms_separable(c, block=5)) == flat(iter_terms(c, block=5))
    True
    """
    extents = _ints([v.extent for v in c.variables])
    names = [v.name for v in c.variables]
    if any(e <= 0 for e in extents):  # an empty box (a negative extent is empty too)
        return
    if not extents:
        yield from iter_terms(c, block)
        return
    rshape = _ints(c.result.shape)
    fshapes = [_ints(c.operand(f.operand).shape) for f in c.factors]
    rb = c.result_boundary or (None,) * len(rshape)
    fbs = [f.boundary or (None,) * len(f.index) for f in c.factors]
    nv = len(extents)
    # split: variables before j are fixed per chunk, variable j is cut into ranges, the rest run in full
    tail = 1
    j = nv - 1
    while j > 0 and tail * extents[j] <= block:
        tail *= extents[j]
        j -= 1
    step = max(1, block // tail)
    for head in np.ndindex(*extents[:j]):
        for start in range(0, extents[j], step):
            stop = min(extents[j], start + step)
            box = (stop - start, *extents[j + 1 :])
            env: dict[str, Any] = {n: int(v) for n, v in zip(names[:j], head)}
            for ax, n in enumerate(names[j:]):
                shape = [1] * len(box)
                shape[ax] = box[ax]
                first = start if ax == 0 else 0
                env[n] = np.arange(first, first + box[ax], dtype=np.int64).reshape(shape)
            r, mask = _flat_position(c.result_index, rshape, rb, env) if rshape else (0, True)
            flats = []
            for f, shape_f, bf in zip(c.factors, fshapes, fbs):
                pos, m = _flat_position(f.index, shape_f, bf, env) if shape_f else (0, True)
                mask = mask & m
                flats.append(pos)
            if mask is True:
                sel = None
            else:
                sel = np.broadcast_to(mask, box).reshape(-1)
                if not sel.any():
                    continue
            out = []
            for arr in (r, *flats):
                full = np.broadcast_to(np.asarray(arr, dtype=np.int64), box).reshape(-1)
                out.append(full if sel is None else full[sel])
            yield Terms(out[0], tuple(out[1:]))


def _conj(value: Any) -> Any:
    return sympy.conjugate(value) if isinstance(value, sympy.Basic) else np.conj(value)


def expand(terms: Sequence[Contraction], arrays: Mapping[str, np.ndarray]) -> np.ndarray:
    """Closed-form symbolic result: an object array of sympy expressions.

    ``arrays`` maps operand names to object arrays of sympy expressions.
    Terms are added in loop order, so ``y[0] = x_0 w_0 + x_1 w_1``.
    """
    first = terms[0]
    rshape = _ints(first.result.shape)
    buckets: list[list[sympy.Expr]] = [[] for _ in range(int(np.prod(rshape, dtype=np.int64)))]
    for c in terms:
        flats = [np.asarray(arrays[f.operand], dtype=object).reshape(-1) for f in c.factors]
        for t in iter_terms(c):
            for pos, *idx in zip(t.result.tolist(), *(i.tolist() for i in t.factors)):
                prod: sympy.Expr = sympy.Integer(1)
                for f, flat, j in zip(c.factors, flats, idx):
                    e = flat[j]
                    prod = prod * (sympy.conjugate(e) if f.conjugate else e)
                buckets[pos].append(prod)
    out = np.empty(len(buckets), dtype=object)
    for i, b in enumerate(buckets):
        out[i] = sympy.Add(*b) if b else sympy.Integer(0)
    return out.reshape(rshape)


def evaluate(terms: Sequence[Contraction], arrays: Mapping[str, np.ndarray], dtype: Any = None) -> np.ndarray:
    """Numeric result (float, complex, int or object arrays): ``np.add.at`` over the terms."""
    first = terms[0]
    rshape = _ints(first.result.shape)
    if dtype is None:
        dtype = np.result_type(*(np.asarray(arrays[f.operand]).dtype for c in terms for f in c.factors))
    out = np.zeros(int(np.prod(rshape, dtype=np.int64)), dtype=dtype)
    for c in terms:
        flats = [np.asarray(arrays[f.operand]).reshape(-1) for f in c.factors]
        for t in iter_terms(c):
            prod: Any = None
            for f, flat, j in zip(c.factors, flats, t.factors):
                v = flat[j]
                if f.conjugate:
                    v = _conj(v)
                prod = v if prod is None else prod * v
            np.add.at(out, t.result, prod)
    return out.reshape(rshape)
