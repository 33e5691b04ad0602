r"""Instance checks of multilinear identities: an exact engine and a randomized one.

A *side* is a weighted sum of concrete contractions,
:math:`\sum_i c_i\, C_i`, all with the same result shape. Operands are
shared between the two sides by name; results are compared by position.

* :func:`check_exact` decides equality exactly, by comparing canonical forms.
  Every term of a contraction is a monomial with an integer coefficient.
  First choice (``symconv.engines.dense``): a dense table keyed by all
  slots of a monomial but one, holding that one — built through strided views
  in time linear in the terms, and equal on both sides iff the polynomials
  are. Where a key would repeat (coefficients that add), or for boundary
  folds, conjugates and ``structure``, the general form decides: each
  monomial is encoded as an integer key (result position, then the variable
  ids; one or more int64 words, ``symconv.engines.keys``) and the keys are
  sorted and reduced, block by block (result positions are partitioned into
  ranges) so sorting memory stays bounded. The sorted form also names the
  first difference of a false claim.
* :func:`check_randomized` is Schwartz–Zippel: both sides are evaluated at
  random points modulo a prime :math:`p` with exact arithmetic — in float64
  through BLAS where every partial sum provably stays below :math:`2^{53}`
  (``symconv.engines.blas``), otherwise in int64. If the identity is
  false, one trial misses that with probability at most :math:`\deg/p`, so
  the error bound is :math:`(\deg/p)^{\mathrm{trials}}`.

Both are exact at any size of coefficient and refuse, before allocating,
checks beyond the limits ``engine_terms`` and ``memory_bytes``
(``symconv.engines.bounds``: where int64 is proven exact, and what a
check costs).

The term loops come from the index formula alone: the general paths
enumerate terms with :func:`symconv.engines.terms.iter_terms_separable`, the fast
ones read the same affine index maps (``symconv.engines.plan``) and clip
the loop box exactly; none builds a sympy expression.

>>> from symconv.core.formula import ConvSpec, forward, transpose
>>> from symconv.gradients.grad import grad_contraction, rename_operands
>>> gx = grad_contraction(forward(ConvSpec(input_size=(6,), kernel_size=(3,)))[0], "x")
>>> full = rename_operands(transpose(ConvSpec(input_size=(4,), kernel_size=(3,)))[0], {"x": "g"})
>>> check_exact([(1, gx)], [(1, full)]).holds
True
>>> r = check_randomized([(1, gx)], [(1, full)], trials=2)
>>> r.holds, r.error_bound < 1e-11
(True, True)
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, Factor, Operand
from symconv.core.limits import Limits, current
from symconv.core.public import public
from symconv.engines.blas import CHUNK_ELEMENTS, blas_bytes, blas_evaluate
from symconv.engines.bounds import (
    GENERAL,
    INT64_LIMIT,
    RANDOMIZED,
    coefficient_bound,
    common_factor,
    guard_memory,
    guard_terms,
    multiplicity,
    representable,
)
from symconv.engines.dense import dense_equal
from symconv.engines.keys import Keys, as_array, canonical, lookup, same
from symconv.engines.progress import Progress
from symconv.engines.terms import iter_terms_separable, term_count

__all__ = ["DEFAULT_PRIME", "InstanceResult", "Side", "check_exact", "check_randomized"]

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
    for f in c.factors:
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


# -- the exact engine ------------------------------------------------------------


def _exact_side(
    side: Side,
    space: _Space,
    keys: Keys,
    nblocks: int,
    buckets: list[list[tuple[np.ndarray, Any]]],
    progress: Progress,
    dtype: Any,
) -> int:
    count = 0
    for coef, c in side:
        coef = int(coef)
        if coef == 0:
            progress.update(term_count(c))
            continue
        names = [f.operand for f in c.factors]
        sg = [space.signs(n) for n in names]
        span = -(-keys.rsize // nblocks)  # result positions per block
        for t in iter_terms_separable(c, block=_CHUNK):
            r = t.result
            positions = list(t.factors)
            count += r.size
            sign = None
            for sgn, pos in zip(sg, positions):
                if sgn is not None:
                    sign = sgn[pos] if sign is None else sign * sgn[pos]
            if sign is not None:
                keep = sign != 0
                if not keep.all():
                    positions = [d[keep] for d in positions]
                    r, sign = r[keep], sign[keep]
            key = keys.encode(r, names, positions)
            cval: Any = coef if sign is None else sign.astype(dtype) * coef
            if nblocks == 1:
                buckets[0].append((key, cval))
            else:
                b = r // span  # never r * nblocks: that product could exceed int64
                order = np.argsort(b, kind="stable")
                bounds = np.searchsorted(b[order], np.arange(nblocks + 1))
                ks = key[order]
                cs = cval[order] if isinstance(cval, np.ndarray) else cval
                for i in range(nblocks):
                    lo, hi = bounds[i], bounds[i + 1]
                    if hi > lo:
                        buckets[i].append((ks[lo:hi], cs[lo:hi] if isinstance(cs, np.ndarray) else cs))
            progress.update(t.result.size)
    return count


@public
def check_exact(
    lhs: Side,
    rhs: Side,
    *,
    structure: Mapping[str, np.ndarray] | None = None,
    block: int = DEFAULT_BLOCK,
    progress: bool | None = None,
) -> InstanceResult:
    r"""Decide exactly whether :math:`\sum c_i L_i = \sum d_j R_j` at these sizes.

    .. math:: \mathrm{canon}\Big(\sum_i c_i L_i\Big) = \mathrm{canon}\Big(\sum_j d_j R_j\Big)

    where ``canon`` maps a polynomial to a canonical form: a dense table
    (key = every slot of a monomial but one, entry = that one and the
    coefficient) when no key repeats, else its sorted (result position,
    monomial) keys with summed, non-zero integer coefficients. Time is linear
    in the terms on the dense path, :math:`O(T \log T)` on the sorted one.

    Exact at any size of coefficient: coefficients are compared as Python
    integers on the dense path, and summed in int64 on the sorted path only
    where a proven bound keeps every sum below :math:`2^{63}` (else as Python
    integers; ``symconv.engines.bounds``). The terms and the memory of a
    path are estimated before anything is allocated and refused beyond the
    limits ``engine_terms`` and ``memory_bytes`` (:func:`symconv.limits`).

    >>> from symconv.core.formula import ConvSpec, forward
    >>> corr = forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0]
    >>> conv = forward(ConvSpec(input_size=(5,), kernel_size=(2,), flip=True))[0]
    >>> r = check_exact([(1, corr)], [(1, conv)])
    >>> r.holds, r.counterexample
    (False, 'at result index (0,): coefficient of w[0]*x[0] is 1 on the left, 0 on the right')
    >>> check_exact([(1, corr)], [(1, conv)], structure={"w": np.array([1, 1])}).holds
    True

    Parameters
    ----------
    lhs, rhs : sequence of (int, Contraction)
        The two sides; concrete sizes, one result shape.
    structure : mapping of operand name to int array, optional
        Entries ``±(label+1)`` (the free variable ``label``, with sign) or 0
        (structurally zero): e.g. a centrosymmetric kernel.
    block : int
        Terms per sorting block of the sorted form (bounds its memory; the
        dense tables are built in blocks of ``symconv.engines.dense.BLOCK_CELLS`` cells).
    progress : bool, optional
        Progress on stderr (default: when stderr is a terminal).

    See also
    --------
    check_randomized, symconv.backward_rule

    Notes
    -----
    A conjugated factor ``conj(w)`` is a variable of its own (the identity is
    decided for complex operands): ``x·conj(w)`` and ``x·w`` differ.
    """
    where = "check_exact"
    if isinstance(block, bool) or not isinstance(block, (int, np.integer)) or block < 1:
        raise SymconvError(f"{where}: `block` must be an integer ≥ 1; got {block!r}")
    t0 = time.perf_counter()
    try:
        rshape, space = _validate(where, lhs, rhs, structure)
        if any(f.conjugate for _, c in (*lhs, *rhs) for f in c.factors):
            lhs, rhs, structure = _conjugates_as_variables(where, lhs, rhs, structure)
            rshape, space = _validate(where, lhs, rhs, structure)
    except _ShapeMismatchError as exc:
        return InstanceResult(False, "instance", 0, time.perf_counter() - t0, None, str(exc))
    lhs, rhs, _ = _prepare(where, lhs, rhs, space)
    bar = Progress(where, _total_terms(lhs, rhs), enabled=progress)
    fast = dense_equal(lhs, rhs, space, bar)
    if fast is not None and fast[0]:
        bar.close()
        return InstanceResult(True, "instance", fast[1], time.perf_counter() - t0, None, None)
    if fast is not None and fast[2] is not None:  # different tables: the first difference in sorted order
        bar.close()
        return InstanceResult(
            False, "instance", fast[1], time.perf_counter() - t0, None, _dense_difference(fast[2], space, rshape)
        )
    # not expressible as dense tables: the sorted form decides
    bar.restart()
    holds, terms, counterexample = _sorted_equal(lhs, rhs, rshape, space, int(block), bar)
    bar.close()
    return InstanceResult(holds, "instance", terms, time.perf_counter() - t0, None, counterexample)


def _dense_difference(first: tuple[tuple[int, ...], int, int], space: _Space, rshape: tuple[int, ...]) -> str:
    """The message of :func:`_first_difference` for the dense path's smallest differing monomial."""
    key, cl, cr = first
    at = tuple(int(i) for i in np.unravel_index(key[0], rshape)) if rshape else ()
    mono = "*".join(space.describe(space.offsets[m] + d) for m, d in zip(sorted(space.shapes), key[1:]) if d) or "1"
    return f"at result index {at}: coefficient of {mono} is {cl} on the left, {cr} on the right"


def _sorted_equal(
    lhs: Side, rhs: Side, rshape: tuple[int, ...], space: _Space, block: int, bar: Progress
) -> tuple[bool, int, str | None]:
    """The sort-based canonical forms of both sides, compared block by block: (equal, terms, first difference).

    Coefficients are divided by their common factor ``g`` and summed in int64
    when the bound of ``symconv.engines.bounds`` proves every sum below
    2^63, else in Python integers; the message shows them times ``g``.
    """
    where = "check_exact"
    g = common_factor(lhs, rhs)
    if g > 1:
        lhs = [(int(k) // g, c) for k, c in lhs]
        rhs = [(int(k) // g, c) for k, c in rhs]
    dtype = _coefficient_dtype(lhs, rhs, space)
    rsize = math.prod(rshape)
    slots = all(len({f.operand for f in c.factors}) == len(c.factors) for _, c in (*lhs, *rhs))
    keys = Keys(max(rsize, 1), space, _degree(lhs, rhs), slots)
    total = _total_terms(lhs, rhs)
    nblocks = max(1, min(rsize, -(-total // block)))
    nbytes = _sorted_bytes(total, block, keys.width, dtype, bool(space.structure))
    guard_memory(where, nbytes, "the sort-based canonical form holds every term", alternative=RANDOMIZED)
    left: list[list[tuple[np.ndarray, Any]]] = [[] for _ in range(nblocks)]
    right: list[list[tuple[np.ndarray, Any]]] = [[] for _ in range(nblocks)]
    terms = _exact_side(lhs, space, keys, nblocks, left, bar, dtype)
    terms += _exact_side(rhs, space, keys, nblocks, right, bar, dtype)
    for i in range(nblocks):
        kl, cl = canonical(left[i], dtype, keys.width)
        left[i] = []
        kr, cr = canonical(right[i], dtype, keys.width)
        right[i] = []
        if same(kl, cl, kr, cr, dtype):
            continue
        cl, cr = as_array(kl, cl, dtype), as_array(kr, cr, dtype)
        return False, terms, _first_difference(kl, cl, kr, cr, keys, space, rshape, dtype, g)
    return True, terms, None


def _coefficient_dtype(lhs: Side, rhs: Side, space: _Space) -> Any:
    """``np.int64`` when every coefficient sum of the sorted form is proven below 2^63, else ``object``."""
    sides = (lhs, rhs)
    if coefficient_bound(*([(k, term_count(c)) for k, c in side] for side in sides)) < INT64_LIMIT:
        return np.int64  # the cheap bound (a monomial is given by at most all terms) suffices
    bound = coefficient_bound(*([(k, multiplicity(c, space.structure)) for k, c in side] for side in sides))
    return np.int64 if bound < INT64_LIMIT else object


def _sorted_bytes(terms: int, block: int, width: int, dtype: Any, signs: bool) -> int:
    """Peak bytes of the sorted form: every term's key (and signed coefficient) held, one block sorted at a time."""
    coef = 8 if dtype is np.int64 else 48  # an object array also holds the Python integers
    held = terms * (8 * width + (coef if signs else 0))
    sorting = min(terms, block) * (16 * width + 8 + 3 * coef)  # concatenated, ordered, permuted and summed
    return held + sorting


def _first_difference(
    kl: np.ndarray,
    cl: np.ndarray,
    kr: np.ndarray,
    cr: np.ndarray,
    keys: Keys,
    space: _Space,
    rshape: tuple[int, ...],
    dtype: Any = np.int64,
    scale: int = 1,
) -> str:
    allk, _ = canonical([(kl, cl), (kr, -cr)], dtype)
    key = allk[0]
    r, digits = keys.decode(key)
    pos = tuple(int(i) for i in np.unravel_index(r, rshape)) if rshape else ()
    mono = "*".join(space.describe(d) for d in digits) or "1"
    left, right = lookup(kl, cl, key) * scale, lookup(kr, cr, key) * scale
    return f"at result index {pos}: coefficient of {mono} is {left} on the left, {right} on the right"


# -- the randomized engine -------------------------------------------------------


def _is_probable_prime(p: int) -> bool:
    if p < 2:
        return False
    for q in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if p % q == 0:
            return p == q
    d, s = p - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):  # deterministic for p < 3.3e24
        x = pow(a, d, p)
        if x in (1, p - 1):
            continue
        for _ in range(s - 1):
            x = x * x % p
            if x == p - 1:
                break
        else:
            return False
    return True


def _evaluate_side(
    side: Side, values: Mapping[str, np.ndarray], rsize: int, p: int, progress: Progress
) -> tuple[np.ndarray, int]:
    """Σ coef · contraction at the point ``values`` (entries in [0, p)), modulo ``p``, per result position."""
    acc = np.zeros(rsize, dtype=np.int64)
    count = 0
    for coef, c in side:
        cm = int(coef) % p
        if cm == 0:
            progress.update(term_count(c))
            continue
        vals = [values[f.operand] for f in c.factors]
        fast = blas_evaluate(c, vals, rsize, p)
        if fast is None:
            fast = _strided_evaluate(c, vals, rsize, p)
        if fast is not None:
            part, n = fast
            acc = (acc + part * cm) % p
            count += n
            progress.update(n)
            continue
        for t in iter_terms_separable(c, block=_CHUNK):
            # every value is below p < 2^31: a product of two stays below 2^62, reduced after each factor
            prod = vals[0][t.factors[0]] if vals else np.ones(t.result.size, dtype=np.int64)
            for v, pos in zip(vals[1:], t.factors[1:]):
                prod = prod * v[pos]
                prod %= p
            if cm != 1:
                prod = prod * cm % p
            # exact accumulation: split into 16-bit halves, each bincount sum < 2^53
            lo = np.bincount(t.result, weights=prod & 0xFFFF, minlength=rsize).astype(np.int64)
            hi = np.bincount(t.result, weights=prod >> 16, minlength=rsize).astype(np.int64)
            acc = (acc + lo + (hi % p) * 65536) % p
            count += t.result.size
            progress.update(t.result.size)
    return acc, count


def _plan(c: Contraction) -> tuple[list[int], list[int], list[list[tuple[int, int, int, np.ndarray, int, int]]]] | None:
    """Inner/outer split and per-axis data for :func:`_strided_evaluate`, or None (use the term path)."""
    if c.result_boundary and any(b is not None for b in c.result_boundary):
        return None
    if any(f.boundary and any(b is not None for b in f.boundary) for f in c.factors):
        return None
    if any(f.conjugate for f in c.factors) or not c.variables or not c.factors:
        return None
    names = [v.name for v in c.variables]
    ext = [int(v.extent) for v in c.variables]
    arrays = [(c.result_index, c.result.shape)] + [(f.index, c.operand(f.operand).shape) for f in c.factors]
    coef = [[[int(a.coeff(n)) for n in names] for a in idx] for idx, _ in arrays]
    inner: list[int] = []
    for v in sorted(range(len(names)), key=lambda i: -ext[i]):
        if ext[v] < 2:
            continue
        ok = all(sum(1 for u in [*inner, v] if row[u] != 0) <= 1 for rows in coef for row in rows)
        if ok:
            inner.append(v)
    inner.sort()
    outer = [v for v in range(len(names)) if v not in inner]
    data = []
    for (idx, shape), rows in zip(arrays, coef):
        sizes = [int(x) for x in shape]
        strides = [math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
        axes = []
        for a, row, size, st in zip(idx, rows, sizes, strides):
            slot = next((k for k, v in enumerate(inner) if row[v] != 0), -1)
            ci = row[inner[slot]] if slot >= 0 else 0
            # every coefficient is below 2^62 (symconv.engines.bounds.representable), the outer part too
            oc = np.array([row[v] for v in outer] + [int(a.const)], dtype=np.int64)
            axes.append((st, 0, size, oc, slot, ci))
        data.append(axes)
    return inner, outer, data


def _sub_boxes(lo: Sequence[int], hi: Sequence[int], limit: int) -> Iterator[tuple[list[int], tuple[int, ...]]]:
    """The box ``[lo, hi)`` in sub-boxes of at most ``limit`` points (the longest side halved until it fits).

    >>> [(a, s) for a, s in _sub_boxes([0, 0], [3, 2], 2)]
    [([0, 0], (1, 2)), ([1, 0], (1, 2)), ([2, 0], (1, 2))]
    """
    step = [b - a for a, b in zip(lo, hi)]
    while math.prod(step) > limit:
        k = max(range(len(step)), key=lambda i: step[i])
        step[k] = -(-step[k] // 2)
    for start in itertools.product(*[range(a, b, s) for a, b, s in zip(lo, hi, step)]):
        yield list(start), tuple(min(s, b - i) for i, b, s in zip(start, hi, step))


def _strided_evaluate(
    c: Contraction, values: Sequence[np.ndarray], rsize: int, p: int
) -> tuple[np.ndarray, int] | None:
    """Σ over terms of Π factors, modulo ``p``, per flat result position — by strided views, or None.

    Exact in int64: every value is below ``p < 2^31``; products are reduced
    before they could reach :math:`2^{62}`, and the accumulator is reduced
    before a sum could. Temporaries hold at most ``CHUNK_ELEMENTS`` values
    (the inner box is cut into sub-boxes), so memory stays bounded.
    """
    plan = _plan(c)
    if plan is None:
        return None
    inner, outer, data = plan
    ext = [int(v.extent) for v in c.variables]
    n_in = len(inner)
    acc = np.zeros(rsize, dtype=np.int64)
    if any(e <= 0 for e in ext):  # an empty loop box (e.g. a kernel longer than the input): no terms
        return acc, 0
    reduce_axes = tuple(k for k in range(n_in) if all(ax[4] != k for ax in data[0]))
    deg = len(c.factors)
    red_size = math.prod(ext[inner[k]] for k in reduce_axes)
    direct = (p - 1) ** deg * red_size < 2**61  # no reduction needed before the sum
    step = ((p - 1) ** deg if direct else (p - 1)) * red_size  # the most one addition adds to an entry
    if step >= 2**61:
        return None  # a reduction this long could overflow int64: the term path sums in chunks
    terms = 0
    bound = 0
    item = 8
    for combo in np.ndindex(*[ext[v] for v in outer]):
        u = np.array([*combo, 1], dtype=np.int64)
        lo = [0] * n_in
        hi = [ext[v] for v in inner]
        offsets = []
        empty = False
        for axes in data:
            off = 0
            for st, alo, ahi, oc, slot, ci in axes:
                k0 = int(oc @ u)
                off += st * k0
                if slot < 0:
                    if not alo <= k0 < ahi:
                        empty = True
                        break
                    continue
                # alo <= k0 + ci * v < ahi
                if ci > 0:
                    a, b = -((k0 - alo) // ci), (ahi - 1 - k0) // ci + 1
                else:
                    a, b = -((ahi - 1 - k0) // -ci), (k0 - alo) // -ci + 1
                lo[slot], hi[slot] = max(lo[slot], a), min(hi[slot], b)
            if empty:
                break
            offsets.append(off)
        if empty or any(b <= a for a, b in zip(lo, hi)):
            continue
        for start, shape in _sub_boxes(lo, hi, CHUNK_ELEMENTS):
            terms += math.prod(shape)
            views = []
            for axes, off, base in zip(data, offsets, [acc, *values]):
                strides = [0] * n_in
                for st, _, _, _, slot, ci in axes:
                    if slot >= 0:
                        strides[slot] += st * ci
                        off += st * ci * start[slot]
                strides = [0 if n == 1 else x for x, n in zip(strides, shape)]
                if base is acc:
                    keep = [k for k in range(n_in) if k not in reduce_axes]
                    views.append(
                        np.ndarray(
                            tuple(shape[k] for k in keep), np.int64, acc, off * item, [strides[k] * item for k in keep]
                        )
                    )
                else:
                    views.append(np.ndarray(shape, np.int64, base, off * item, [x * item for x in strides]))
            prod = views[1] * views[2] if deg >= 2 else views[1].copy()
            for v in views[3:]:
                if not direct:
                    prod %= p
                prod *= v
            if not direct and deg >= 2:
                prod %= p
            if reduce_axes:
                prod = prod.sum(axis=reduce_axes)
            if bound + step >= 2**62:
                acc %= p
                bound = p
            views[0] += prod
            bound += step
    return acc % p, terms


def _multiplicity(c: Contraction, space: _Space) -> int:
    """How many loop points of ``c`` may give one monomial (:func:`symconv.engines.bounds.multiplicity`)."""
    return multiplicity(c, space.structure)


@public
def check_randomized(
    lhs: Side,
    rhs: Side,
    *,
    trials: int = 8,
    prime: int = DEFAULT_PRIME,
    seed: int = 0,
    structure: Mapping[str, np.ndarray] | None = None,
    progress: bool | None = None,
) -> InstanceResult:
    r"""Schwartz–Zippel test of :math:`\sum c_i L_i = \sum d_j R_j` modulo a prime.

    .. math:: \Pr[\text{false identity passes}] \le \left(\frac{\deg}{p}\right)^{\mathrm{trials}}

    Every operand variable gets a uniform random value in
    :math:`\mathbb{Z}_p`; both sides are evaluated exactly modulo :math:`p`
    at every result position (float64 BLAS products whose sums are kept below
    :math:`2^{53}` by construction, or int64). A difference is a certain
    witness that the identity is false (``error_bound = 0``). The bound needs
    the difference to be non-zero modulo :math:`p`: when a coefficient of it
    — divided by the common factor of all coefficients, which cannot hide a
    difference — could reach :math:`p` (large coefficients, or a monomial
    repeated that often), the check is refused (use a larger ``prime`` or
    :func:`check_exact`).

    >>> from symconv.core.formula import ConvSpec, forward
    >>> corr = forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0]
    >>> conv = forward(ConvSpec(input_size=(5,), kernel_size=(2,), flip=True))[0]
    >>> check_randomized([(1, corr)], [(1, conv)]).holds
    False
    >>> r = check_randomized([(1, corr)], [(1, conv)], structure={"w": np.array([1, 1])}, trials=3)
    >>> r.holds, r.error_bound == (Fraction(2, DEFAULT_PRIME)) ** 3
    (True, True)

    Parameters
    ----------
    lhs, rhs : sequence of (int, Contraction)
        As for :func:`check_exact`.
    trials : int
        Independent random points (≥ 1).
    prime : int
        The modulus, a prime with ``2^7 < p < 2^31``.
    seed : int
        Seed of the random points (reproducible).
    structure, progress
        As for :func:`check_exact`.

    See also
    --------
    check_exact
    """
    where = "check_randomized"
    if isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 1:
        raise SymconvError(f"{where}: `trials` must be an integer ≥ 1; got {trials!r}")
    if isinstance(prime, bool) or not isinstance(prime, (int, np.integer)) or not (2**7 < prime < 2**31):
        raise SymconvError(f"{where}: `prime` must be an integer with 2^7 < p < 2^31; got {prime!r}")
    if not _is_probable_prime(int(prime)):
        raise SymconvError(f"{where}: `prime` must be prime; got {prime}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SymconvError(f"{where}: `seed` must be an integer ≥ 0; got {seed!r}")
    p = int(prime)
    t0 = time.perf_counter()
    try:
        rshape, space = _validate(where, lhs, rhs, structure)
        if any(f.conjugate for _, c in (*lhs, *rhs) for f in c.factors):
            lhs, rhs, structure = _conjugates_as_variables(where, lhs, rhs, structure)
            rshape, space = _validate(where, lhs, rhs, structure)
    except _ShapeMismatchError as exc:
        return InstanceResult(False, "randomized", 0, time.perf_counter() - t0, Fraction(0), str(exc))
    lhs, rhs, lim = _prepare(where, lhs, rhs, space, int(trials))
    # Schwartz–Zippel over Z_p needs the difference D to be non-zero MODULO p. With g the common factor of
    # the coefficients, D = g·D' where every coefficient of D' is an integer of absolute value ≤ bound: when
    # bound < p, a false identity (D' ≠ 0) cannot vanish identically mod p, nor can D unless p divides g
    g = common_factor(lhs, rhs)
    bound = coefficient_bound(*([(int(k) // g, _multiplicity(c, space)) for k, c in side] for side in (lhs, rhs)))
    if bound >= p:
        raise SymconvError(
            f"{where}: a coefficient of the two sides' difference may reach {bound}, not below the prime {p}: "
            "a false identity could vanish modulo p at every point; pass a larger `prime` (< 2^31) or use check_exact"
        )
    note = ""
    if g % p == 0:
        lhs, rhs = [(int(k) // g, c) for k, c in lhs], [(int(k) // g, c) for k, c in rhs]
        note = f" (every coefficient divided by {g})"
    rsize = max(math.prod(rshape), 1)
    nbytes = _randomized_bytes(lhs, rhs, space, rsize, p)
    guard_memory(
        where,
        nbytes,
        "random values of every operand entry and the evaluation",
        alternative=f"check_exact needs no value per operand entry; or {GENERAL}",
        lim=lim,
    )
    deg = _degree(lhs, rhs)
    total = _total_terms(lhs, rhs) * int(trials)
    bar = Progress(where, total, enabled=progress)
    terms = 0
    for trial in range(int(trials)):
        rng = np.random.default_rng([int(seed), trial])
        values: dict[str, np.ndarray] = {}
        for name in sorted(space.shapes):
            base = rng.integers(0, p, size=space.counts[name] + 1, dtype=np.int64)
            base[0] = 0  # structurally zero entries
            st = space.structure.get(name)
            if st is None:
                values[name] = base[1:]  # entry i is variable i + 1
            else:
                flat = st.reshape(-1)
                values[name] = (base[np.abs(flat)] * np.sign(flat)) % p
        left, n_left = _evaluate_side(lhs, values, rsize, p, bar)
        right, n_right = _evaluate_side(rhs, values, rsize, p, bar)
        terms += n_left + n_right
        diff = np.flatnonzero(left != right)
        if diff.size:
            i = int(diff[0])
            pos = tuple(int(j) for j in np.unravel_index(i, rshape)) if rshape else ()
            bar.close()
            return InstanceResult(
                False,
                "randomized",
                terms,
                time.perf_counter() - t0,
                Fraction(0),
                f"at result index {pos}: the left side is {int(left[i])} and the right side {int(right[i])} "
                f"(mod {p}) at random point {trial} (seed {seed}){note}",
            )
    bar.close()
    return InstanceResult(True, "randomized", terms, time.perf_counter() - t0, Fraction(deg, p) ** int(trials), None)


def _randomized_bytes(lhs: Side, rhs: Side, space: _Space, rsize: int, p: int) -> int:
    """Peak bytes of one randomized trial: the random values, the two sides, and the largest evaluation."""
    values = sum(8 * (n + 1) for n in space.counts.values())
    values += sum(24 * st.size for st in space.structure.values())
    path = 0
    for _, c in (*lhs, *rhs):
        fast = blas_bytes(c, p)
        deg = len(c.factors)
        if fast is None:  # the strided evaluator's sub-boxes, or the term path's chunks and bincounts
            n = term_count(c)
            fast = max(8 * min(CHUNK_ELEMENTS, n) * (deg + 2), 8 * min(_CHUNK, n) * (deg + 6) + 16 * rsize)
        path = max(path, fast)
    return values + 4 * 8 * rsize + path  # both sides, and the sum of one being formed
