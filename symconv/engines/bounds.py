r"""Proven bounds for the instance engines: where fixed-width arithmetic is exact, and what a check costs.

The engines use int64 and float64 only where a bound proves that no value
can leave the type; beyond it they use Python integers or refuse clearly.
Nothing wraps around and nothing raises ``OverflowError``.

* **Indices** (:func:`representable`). An index :math:`c_0 + \sum_j c_j v_j`
  over the box :math:`0 \le v_j < E_j` stays within
  :math:`|c_0| + \sum_j |c_j| (E_j - 1)` (a variable with :math:`E_j = 1`
  only takes the value 0). When that, every array's number of entries, every
  boundary width and the number of variables are below :math:`2^{62}`, every
  index, flat position and key digit — and every partial sum of one — is an
  exact int64. Other instances are refused with a :class:`SymconvError`.
* **Coefficients** (:func:`coefficient_bound`). A coefficient of
  :math:`\sum_i c_i C_i - \sum_j d_j D_j` is a sum of :math:`\pm c_i` (or
  :math:`\mp d_j`) over the loop points giving one monomial, at most
  :func:`multiplicity` of them per contraction (and never more than its
  terms), so it — and every partial sum on the way to it, on either side —
  is at most

  .. math:: B = \sum_i |c_i|\, \mathrm{mult}(C_i) + \sum_j |d_j|\, \mathrm{mult}(D_j)

  in absolute value. The exact engine sums in int64 when :math:`B < 2^{63}`,
  in Python integers otherwise; the randomized engine needs :math:`B < p`.
  Both first divide every coefficient by their greatest common divisor
  (:func:`common_factor`): an identity holds iff it holds divided by a
  non-zero constant.
* **Cost** (:func:`guard_terms`, :func:`guard_memory`). The terms a check
  enumerates and the bytes a path allocates are estimated before anything is
  allocated, and refused through :func:`symconv.core.limits.guard` (limits
  ``engine_terms`` and ``memory_bytes``).

>>> coefficient_bound([(3, 2), (-4, 5)], [(1, 7)])
33
>>> common_factor([(2**62, None), (2**63, None)], [(-2**64, None)])
4611686018427387904
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction
from symconv.core.limits import Limits, current, guard

__all__ = [
    "INDEX_LIMIT",
    "INT64_LIMIT",
    "UNCHECKED_BYTES",
    "coefficient_bound",
    "common_factor",
    "guard_memory",
    "guard_terms",
    "multiplicity",
    "rank",
    "representable",
    "terms_of",
]

#: Indices, flat positions, array sizes, boundary widths and variable counts stay below this.
INDEX_LIMIT = 1 << 62

#: Integers of absolute value below this are int64.
INT64_LIMIT = 1 << 63

#: Memory estimates below this are not compared with the limit (every path needs that much anyway).
UNCHECKED_BYTES = 1 << 24

GENERAL = "the general prover (prove(method='general')) proves the identity for all sizes without instances"
RANDOMIZED = "check_randomized (memory bounded by the operands and a fixed chunk) decides it with an error bound"


def terms_of(c: Contraction) -> int:
    """Loop points of the box of ``c`` (an upper bound on its terms), in Python integers: never wraps."""
    extents = [int(v.extent) for v in c.variables]
    return math.prod(extents) if all(e > 0 for e in extents) else 0


# -- indices ----------------------------------------------------------------------------------------


def _reach(index: Affine, extents: Mapping[str, int]) -> int:
    """The largest absolute value of ``index`` over the loop box (variables of extent 1 are 0)."""
    return abs(int(index.const)) + sum(abs(int(c)) * (extents[v] - 1) for v, c in index.coeffs)


@functools.lru_cache(maxsize=512)
def _inspect(c: Contraction) -> tuple[str | None, bool]:
    """What in ``c`` does not fit the engines' 62-bit integers (or None), and whether a unit variable needs zeroing."""
    extents = {v.name: int(v.extent) for v in c.variables}
    indices = [*c.result_index, *(a for f in c.factors for a in f.index)]
    zero_units = any(extents[v] == 1 and abs(int(k)) >= INDEX_LIMIT for a in indices for v, k in a.coeffs)
    arrays = [("the result " + repr(c.result.name), c.result.shape)]
    arrays += [(f"operand {o.name!r}", o.shape) for o in c.operands]
    for what, shape in arrays:
        n = math.prod(max(int(s), 0) for s in shape)
        if n >= INDEX_LIMIT:
            return f"{what} has {n:,} entries", zero_units
    reads = [("the result index", c.result_index, c.result_boundary)]
    reads += [(f"the index of {f.operand!r}", f.index, f.boundary) for f in c.factors]
    for what, index, bounds in reads:
        for axis, a in enumerate(index):
            reach = _reach(a, extents)
            if reach >= INDEX_LIMIT:
                return f"{what} on axis {axis} ({a}) reaches {reach:,} over the loop box", zero_units
        for b in bounds or ():
            if b is not None and max(abs(int(b.lo)), abs(int(b.hi))) >= INDEX_LIMIT:
                return f"{what} has a boundary of width {max(abs(int(b.lo)), abs(int(b.hi))):,}", zero_units
    return None, zero_units


_seen: dict[int, tuple[Contraction, str | None, bool]] = {}
_seen_lock = threading.Lock()


def _inspected(c: Contraction) -> tuple[str | None, bool]:
    """:func:`_inspect`, remembered for the last contraction objects seen (no hashing of a repeated object)."""
    with _seen_lock:
        hit = _seen.get(id(c))
    if hit is not None and hit[0] is c:
        return hit[1], hit[2]
    problem, zero_units = _inspect(c)
    with _seen_lock:
        if len(_seen) >= 256:
            _seen.pop(next(iter(_seen)))
        _seen[id(c)] = (c, problem, zero_units)
    return problem, zero_units


def _zero_unit_variables(c: Contraction) -> Contraction:
    """``c`` with every variable of extent 1 replaced by 0 in every index (the same terms)."""
    unit = {v.name: Affine.constant(0) for v in c.variables if int(v.extent) == 1}

    def sub(index: tuple[Affine, ...]) -> tuple[Affine, ...]:
        return tuple(a.substitute(unit) if any(v in unit for v in a.variables) else a for a in index)

    return replace(
        c,
        result_index=sub(c.result_index),
        factors=tuple(replace(f, index=sub(f.index)) for f in c.factors),
    )


def representable(where: str, side: Sequence[tuple[Any, Contraction]], nvars: int) -> list[tuple[Any, Contraction]]:
    """The side without contractions that have no terms; refuses what 62-bit integers cannot index.

    A coefficient of a variable of extent 1 multiplies 0 only: where it is
    too large for int64 the variable is substituted by 0 (the same terms).
    """
    if nvars >= INDEX_LIMIT:
        raise SymconvError(
            f"{where}: the operands have {nvars:,} entries in all; the engines number them with "
            f"62-bit integers (< 2^62); {GENERAL}"
        )
    out = []
    for coef, c in side:
        if terms_of(c) == 0:
            continue
        problem, zero_units = _inspected(c)
        if zero_units:
            c = _zero_unit_variables(c)
            problem, _ = _inspected(c)
        if problem is not None:
            raise SymconvError(
                f"{where}: in contraction {c.name!r}, {problem}; the engines compute indices and positions "
                f"in 64-bit integers and need every one below 2^62; {GENERAL}"
            )
        out.append((coef, c))
    return out


# -- coefficients -----------------------------------------------------------------------------------


def common_factor(*sides: Iterable[tuple[Any, Any]]) -> int:
    """The greatest common divisor of every non-zero coefficient (1 when there is none)."""
    g = 0
    for side in sides:
        for k, _ in side:
            g = math.gcd(g, int(k))
            if g == 1:
                return 1
    return g or 1


def coefficient_bound(*sides: Iterable[tuple[int, int]]) -> int:
    """:math:`\\sum |c| \\cdot m` over ``(coefficient, multiplicity bound)`` pairs of all sides."""
    return sum(abs(int(k)) * int(m) for side in sides for k, m in side)


def rank(rows: Sequence[Sequence[int]]) -> int:
    """The rank of an integer matrix, exactly (fraction-free elimination in Python integers).

    >>> rank([[2**60, 2**60 + 1], [1, 1]]), rank([[2**60, 2**60], [1, 1]])
    (2, 1)
    """
    m = [[int(x) for x in row] for row in rows]
    r = 0
    for col in range(max((len(row) for row in m), default=0)):
        piv = next((i for i in range(r, len(m)) if m[i][col]), None)
        if piv is None:
            continue
        m[r], m[piv] = m[piv], m[r]
        p = m[r]
        for i in range(r + 1, len(m)):
            g = m[i][col]
            if g:
                row = [p[col] * x - g * y for x, y in zip(m[i], p)]
                d = functools.reduce(math.gcd, row)
                m[i] = [x // d for x in row] if d > 1 else row
        r += 1
    return r


def multiplicity(c: Contraction, structure: Mapping[str, np.ndarray]) -> int:
    """An upper bound on how many loop points of ``c`` give one monomial (its largest coefficient).

    Loop points with equal (unfolded) indices form a fiber of the affine loop
    map: with a basis of its columns chosen largest extents first (exact
    integer rank), the other variables determine the point, so a fiber has at
    most the product of their extents. A folded axis maps at most
    ``lo + hi + 1`` positions to one entry, a ``structure`` label stands for
    at most its orbit's entries, and an operand read by ``r`` factors gives
    one monomial in ``r!`` orders. Never more than the terms of ``c``.
    """
    names = [v.name for v in c.variables]
    extents = [int(v.extent) for v in c.variables]
    terms = terms_of(c)
    if terms == 0:
        return 0
    rows = [[int(a.coeff(n)) for n in names] for a in c.result_index]
    rows += [[int(a.coeff(n)) for n in names] for f in c.factors for a in f.index]
    columns: list[list[int]] = []
    mult = 1
    for j in sorted(range(len(names)), key=lambda j: -extents[j]):
        if extents[j] < 2:
            continue
        trial = [*columns, [r[j] for r in rows]]
        if rank(trial) == len(trial):
            columns = trial
        else:
            mult *= extents[j]
    bounds = [*(c.result_boundary or ()), *(b for f in c.factors for b in (f.boundary or ()))]
    for b in bounds:
        if b is not None:
            mult *= max(int(b.lo), 0) + max(int(b.hi), 0) + 1
    for f in c.factors:
        st = structure.get(f.operand)
        if st is not None and st.size:
            mult *= int(np.bincount(np.abs(st).reshape(-1))[1:].max(initial=1))
    # an operand read by r factors: a monomial is a multiset, r! orders of the factors give it
    names_read = [f.operand for f in c.factors]
    for name in set(names_read):
        mult *= math.factorial(names_read.count(name))
    return min(mult, terms)


# -- cost -----------------------------------------------------------------------------------------


def guard_terms(where: str, terms: int, *, trials: int = 1, lim: Limits | None = None) -> None:
    """Refuse a check that would enumerate more than ``engine_terms`` terms (``trials`` passes of ``terms``)."""
    if terms * trials > (lim or current()).engine_terms:
        unit = "terms" if trials == 1 else f"terms ({trials} trials)"
        guard(where, "engine_terms", terms * trials, unit, alternative=GENERAL)


def guard_memory(where: str, nbytes: int, what: str, *, alternative: str = GENERAL, lim: Limits | None = None) -> None:
    """Refuse a path that would allocate more than ``memory_bytes`` bytes (``what`` says for what).

    Estimates below ``UNCHECKED_BYTES`` are not looked up (a path of the
    engines always needs that much; it keeps the fixed cost of a check low).
    """
    if nbytes > UNCHECKED_BYTES and nbytes > (lim or current()).memory_bytes:
        guard(where, "memory_bytes", int(nbytes), f"bytes ({what})", alternative=alternative)
