"""What both instance engines share: the result, the variable space of the two sides, validation.

A *side* is a weighted sum of concrete contractions (:data:`Side`); both
engines (:mod:`symconv.engines.exact`, :mod:`symconv.engines.randomized`)
first validate the two sides against each other here — the same result
shape, every read well formed, operands shared by name — and number every
operand entry that the sides read (:class:`_Space`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, Factor, Operand
from symconv.core.limits import Limits, current
from symconv.engines.bounds import (
    guard_terms,
    representable,
)
from symconv.engines.terms import term_count

__all__ = ["DEFAULT_BLOCK", "DEFAULT_PRIME", "InstanceResult", "Side"]

Side = Sequence[tuple[int, Contraction]]

#: The largest prime below :math:`2^{20}` (DESIGN §4): a product of two values
#: stays below :math:`2^{40}`, so millions of them sum exactly in int64 before
#: one reduction. Any prime up to :math:`2^{31}` may be passed instead.
DEFAULT_PRIME = 1_048_573

#: Terms sorted at once per block by the exact engine (bounds sorting memory).
DEFAULT_BLOCK = 1 << 24

_CHUNK = 1 << 20


@dataclass(frozen=True)
class InstanceResult:
    """The outcome of an instance check.

    ``method`` is ``"instance"`` (exact) or ``"randomized"``; ``terms`` the
    number of terms enumerated on both sides; ``error_bound`` the probability
    bound of a randomized "holds" (``None`` for exact checks, ``0`` when a
    randomized check found a witness); ``counterexample`` says where the two
    sides differ.
    """

    holds: bool
    method: str
    terms: int
    seconds: float
    error_bound: Fraction | None
    counterexample: str | None

    def __bool__(self) -> bool:
        return self.holds


# -- validation and the shared variable space ----------------------------------


@dataclass
class _Space:
    """Global variable ids for every operand entry (after ``structure``).

    An operand without ``structure`` has one variable per entry: the entry at
    flat position ``i`` is global id ``offset + 1 + i`` (computed, never
    stored). A structured operand's entries carry labels ``±1, ±2, …`` (0:
    structurally zero), renumbered consecutively by :func:`_labels`.
    """

    shapes: dict[str, tuple[int, ...]]
    offsets: dict[str, int]
    counts: dict[str, int]
    structure: dict[str, np.ndarray]

    @property
    def nvars(self) -> int:
        return sum(self.counts.values())

    def digits(self, name: str, pos: np.ndarray) -> np.ndarray:
        """Local variable ids (1-based; 0 = structurally zero) of the entries at flat positions ``pos``."""
        st = self.structure.get(name)
        return pos + 1 if st is None else np.abs(st.reshape(-1)[pos])

    def gids(self, name: str, pos: np.ndarray) -> np.ndarray:
        """Global variable ids (1-based; 0 = structurally zero) of the entries at flat positions ``pos``."""
        st = self.structure.get(name)
        if st is None:
            return pos + (self.offsets[name] + 1)
        local = np.abs(st.reshape(-1)[pos])
        return np.where(local > 0, local + self.offsets[name], 0)

    def signs(self, name: str) -> np.ndarray | None:
        """Flat position -> ±1 (0: structurally zero), or None (all +1)."""
        st = self.structure.get(name)
        return None if st is None else np.sign(st.reshape(-1))

    def describe(self, gid: int) -> str:
        """``w[1,2]`` for a global variable id (1-based)."""
        for name, off in self.offsets.items():
            if off < gid <= off + self.counts[name]:
                local = gid - off - 1
                shape = self.shapes[name]
                if name in self.structure:
                    pos = int(np.flatnonzero(np.abs(self.structure[name]).reshape(-1) == local + 1)[0])
                else:
                    pos = local
                idx = np.unravel_index(pos, shape) if shape else ()
                return f"{name}[{','.join(str(int(i)) for i in idx)}]"
        raise AssertionError(gid)


def _labels(a: np.ndarray) -> np.ndarray:
    """A ``structure`` array with its labels renumbered ``1, 2, …`` by magnitude (signs kept, 0 stays 0).

    The same hypothesis (a bijection of the labels), as int64 whatever the
    input's integer type: no label is wrapped (``uint64`` 2^64 - 1 is not -1)
    or sized by its magnitude (a label 10^18 is not 10^18 variables).
    """
    if a.size <= 256:  # a kernel-sized table: in Python integers (exact for any 64-bit type), no numpy calls
        vals = a.reshape(-1).tolist()
        mags = sorted({abs(v) for v in vals})
        first = 0 if mags and mags[0] == 0 else 1
        rank = {m: i + first for i, m in enumerate(mags)}
        out = [rank[abs(v)] * ((v > 0) - (v < 0)) for v in vals]
        return np.array(out, dtype=np.int64).reshape(a.shape)
    if a.dtype.kind == "u":
        mag = a.astype(np.uint64).reshape(-1)
        sign = (mag != 0).astype(np.int64)
    else:
        s = a.astype(np.int64).reshape(-1)
        u = s.astype(np.uint64)
        mag = np.where(s < 0, -u, u)  # |s| exactly, also for -2^63
        sign = np.sign(s)
    uniq, inv = np.unique(mag, return_inverse=True)
    lab = inv.astype(np.int64) + (0 if uniq.size and uniq[0] == 0 else 1)
    return (lab * sign).reshape(a.shape)


class _ShapeMismatchError(Exception):
    """The two sides have different result shapes: the claim is false, not malformed."""


def _int(value: Any, where: str) -> int:
    try:
        return int(value)
    except TypeError:
        raise SymconvError(
            f"{where}: every size must be a concrete integer; got {value!r} (use Contraction.subs)"
        ) from None


def _check_reads(where: str, c: Contraction, side_name: str) -> None:
    """Every factor reads a declared operand (not the result's name) with one index per axis.

    The engines look shapes up by name and zip indices with axes: an
    undeclared or result-named operand, or a missing axis, would silently
    read another array or alias positions.
    """
    declared = {o.name: len(o.shape) for o in c.operands}
    if len(c.result_index) != len(c.result.shape) or (
        c.result_boundary is not None and len(c.result_boundary) != len(c.result.shape)
    ):
        raise SymconvError(
            f"{where}: contraction {c.name!r} in `{side_name}`: the result index must have one entry per result axis"
        )
    if any(b is not None and size == 0 for size, b in zip(c.result.shape, c.result_boundary or ())):
        raise SymconvError(
            f"{where}: contraction {c.name!r} in `{side_name}`: a boundary (padding) on an axis of the result "
            f"needs that axis to have at least 1 entry to fold onto; got shape {tuple(c.result.shape)}"
        )
    shapes = {o.name: tuple(o.shape) for o in c.operands}
    for f in c.factors:
        if f.operand in shapes and any(b is not None and n == 0 for n, b in zip(shapes[f.operand], f.boundary or ())):
            raise SymconvError(
                f"{where}: contraction {c.name!r} in `{side_name}` reads {f.operand!r} with a boundary (padding) on "
                f"an axis of size 0: it needs at least 1 entry to fold onto; got shape {shapes[f.operand]}"
            )
        if f.operand == c.result.name or f.operand not in declared:
            raise SymconvError(
                f"{where}: contraction {c.name!r} in `{side_name}` reads {f.operand!r}, which is "
                + ("the name of its result" if f.operand == c.result.name else "not one of its operands")
            )
        n = declared[f.operand]
        if len(f.index) != n or (f.boundary is not None and len(f.boundary) != n):
            raise SymconvError(
                f"{where}: contraction {c.name!r} in `{side_name}` reads {f.operand!r} (with {n} axes) "
                f"with {len(f.index)} indices"
            )


def _validate(
    where: str, lhs: Side, rhs: Side, structure: Mapping[str, np.ndarray] | None
) -> tuple[tuple[int, ...], _Space]:
    side_shapes: list[tuple[int, ...] | None] = []
    shapes: dict[str, tuple[int, ...]] = {}
    for side_name, side in (("lhs", lhs), ("rhs", rhs)):
        rshape: tuple[int, ...] | None = None
        if not isinstance(side, Sequence) or isinstance(side, (str, bytes)):
            raise SymconvError(f"{where}: `{side_name}` must be a sequence of (coefficient, Contraction) pairs")
        for item in side:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Contraction)):
                raise SymconvError(f"{where}: `{side_name}` entries must be (int, Contraction) pairs; got {item!r}")
            coef, c = item
            if isinstance(coef, bool) or not isinstance(coef, (int, np.integer)):
                raise SymconvError(f"{where}: coefficients in `{side_name}` must be integers; got {coef!r}")
            if not c.is_concrete():
                raise SymconvError(
                    f"{where}: contraction {c.name!r} in `{side_name}` must have concrete sizes; fix them with .subs()"
                )
            shape = tuple(_int(s, where) for s in c.result.shape)
            if rshape is None:
                rshape = shape
            elif shape != rshape:
                raise SymconvError(
                    f"{where}: every contraction of one side must have the same result shape; got {rshape} and {shape} "
                    f"(in {c.name!r}, `{side_name}`)"
                )
            _check_reads(where, c, side_name)
            for op in c.operands:
                oshape = tuple(_int(s, where) for s in op.shape)
                if shapes.setdefault(op.name, oshape) != oshape:
                    raise SymconvError(
                        f"{where}: operand {op.name!r} must have one shape on both sides; "
                        f"got {shapes[op.name]} and {oshape}"
                    )
        side_shapes.append(rshape)
    known = [x for x in side_shapes if x is not None]
    if not known:
        raise SymconvError(f"{where}: `lhs` and `rhs` must not both be empty")
    if len(known) == 2 and known[0] != known[1]:
        raise _ShapeMismatchError(
            f"the left side has result shape {known[0]}, the right side {known[1]}: they cannot be equal"
        )
    rshape = known[0]
    struct: dict[str, np.ndarray] = {}
    for name, arr in (structure or {}).items():
        if name not in shapes:
            raise SymconvError(
                f"{where}: `structure` names {name!r}, which is not an operand; operands are {sorted(shapes)}"
            )
        a = np.asarray(arr)
        if a.shape != shapes[name] or a.dtype.kind not in "iu":
            raise SymconvError(
                f"{where}: `structure[{name!r}]` must be an integer array of shape {shapes[name]}; "
                f"got dtype {a.dtype} and shape {a.shape}"
            )
        struct[name] = _labels(a)
    offsets: dict[str, int] = {}
    counts: dict[str, int] = {}
    off = 0
    for name in sorted(shapes):
        n = int(np.abs(struct[name]).max(initial=0)) if name in struct else math.prod(max(s, 0) for s in shapes[name])
        offsets[name] = off
        counts[name] = n
        off += n
    return rshape, _Space(shapes, offsets, counts, struct)


def _conjugates_as_variables(
    where: str, lhs: Side, rhs: Side, structure: Mapping[str, np.ndarray] | None
) -> tuple[Side, Side, Mapping[str, np.ndarray] | None]:
    """Every conjugated factor ``conj(w)[i]`` as a plain factor of its own operand ``conj(w)``.

    Over the complex numbers ``conj(w)`` is not a polynomial in ``w``, but a
    polynomial identity in ``(w, conj(w))`` holds for every complex ``w`` iff
    it holds with ``w`` and ``conj(w)`` independent variables (they are an
    invertible linear change of the real and imaginary parts). So the engines
    decide it on the operand renamed, never by dropping the conjugation
    (``x·conj(w)`` and ``x·w`` are different claims). A ``structure`` on ``w``
    carries over (``conj(±v) = ±conj(v)``, a structural zero stays zero).
    """
    if not any(f.conjugate for _, c in (*lhs, *rhs) for f in c.factors):
        return lhs, rhs, structure
    plain = {o.name for _, c in (*lhs, *rhs) for o in c.operands}
    conj = {f.operand for _, c in (*lhs, *rhs) for f in c.factors if f.conjugate}
    clash = sorted(n for n in conj if f"conj({n})" in plain)
    if clash:
        raise SymconvError(
            f"{where}: an operand is named 'conj({clash[0]})', the name the engines give the conjugate "
            f"of {clash[0]!r}; rename it"
        )

    def split(c: Contraction) -> Contraction:
        if not any(f.conjugate for f in c.factors):
            return c
        factors = tuple(
            Factor(f"conj({f.operand})", f.index, boundary=f.boundary) if f.conjugate else f for f in c.factors
        )
        operands = list(c.operands)
        for f in c.factors:
            name = f"conj({f.operand})"
            if f.conjugate and all(o.name != name for o in operands):
                operands.append(Operand(name, c.operand(f.operand).shape))
        return replace(c, factors=factors, operands=tuple(operands))

    new = dict(structure or {})
    for name in conj:
        if name in new:
            new[f"conj({name})"] = new[name]
    return (
        [(k, split(c)) for k, c in lhs],
        [(k, split(c)) for k, c in rhs],
        new if structure is not None else None,
    )


def _degree(lhs: Side, rhs: Side) -> int:
    return max((len(c.factors) for _, c in (*lhs, *rhs)), default=0)


def _total_terms(lhs: Side, rhs: Side) -> int:
    return sum(term_count(c) for _, c in (*lhs, *rhs))


def _prepare(where: str, lhs: Side, rhs: Side, space: _Space, trials: int = 1) -> tuple[Side, Side, Limits]:
    """Refuse too many terms (before anything is allocated) and what 62-bit integers cannot index.

    Returns the sides without contractions that have no terms, and the limits in force.
    """
    lim = current()
    guard_terms(where, _total_terms(lhs, rhs), trials=trials, lim=lim)
    return representable(where, lhs, space.nvars), representable(where, rhs, space.nvars), lim
