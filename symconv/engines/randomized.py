r"""The randomized instance engine: :func:`check_randomized`, Schwartz–Zippel modulo a prime.

See :mod:`symconv.engines.instance` for the two engines side by side.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction
from symconv.core.public import public
from symconv.engines.blas import CHUNK_ELEMENTS, blas_bytes, blas_cost, blas_evaluate
from symconv.engines.bounds import (
    GENERAL,
    coefficient_bound,
    common_factor,
    guard_memory,
    multiplicity,
)
from symconv.engines.direct import (
    Accumulator,
    DirectPlan,
    direct_bytes,
    direct_cost,
    direct_evaluate,
    direct_plan,
)
from symconv.engines.progress import Progress
from symconv.engines.space import (
    _CHUNK,
    DEFAULT_PRIME,
    InstanceResult,
    Side,
    _conjugates_as_variables,
    _degree,
    _prepare,
    _ShapeMismatchError,
    _Space,
    _total_terms,
    _validate,
)
from symconv.engines.terms import iter_terms_separable, term_count

__all__ = ["PLANS", "check_randomized", "choose_plan", "forced_plan"]


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


#: The evaluation plans, in the order they are tried: ``direct`` (strided views per outer point, float64),
#: ``blas`` (im2col and matmul, float64), ``strided`` (strided views, int64), ``terms`` (term blocks, int64).
PLANS = ("direct", "blas", "strided", "terms")

_forced: ContextVar[str | None] = ContextVar("symconv_randomized_plan", default=None)


@contextmanager
def forced_plan(kind: str) -> Iterator[None]:
    """Within the block, evaluate every contraction by the plan ``kind`` where it applies (tests).

    A contraction the plan does not take falls back to the next plans in :data:`PLANS` order.
    """
    if kind not in PLANS:
        raise SymconvError(f"forced_plan: `kind` must be one of {', '.join(PLANS)}; got {kind!r}")
    token = _forced.set(kind)
    try:
        yield
    finally:
        _forced.reset(token)


@dataclass(frozen=True)
class _Candidates:
    """What each plan would do with one contraction and prime (independent of the point; cached)."""

    direct: DirectPlan | None
    direct_cost: int | None
    blas_cost: int | None
    blas_bytes: int | None
    strided: bool


@functools.lru_cache(maxsize=256)
def _candidates(c: Contraction, p: int) -> _Candidates:
    direct = direct_plan(c, p)
    return _Candidates(
        direct,
        None if direct is None else direct_cost(direct),
        blas_cost(c, p),
        blas_bytes(c, p),
        _plan(c) is not None,
    )


def _choose(cand: _Candidates) -> str:
    forced = _forced.get()
    if forced is not None:
        for kind in PLANS[PLANS.index(forced) :]:
            if (kind == "direct" and cand.direct is not None) or (kind == "blas" and cand.blas_cost is not None):
                return kind
            if kind == "strided" and cand.strided:
                return kind
        return "terms"
    if cand.direct_cost is not None and (cand.blas_cost is None or cand.direct_cost <= cand.blas_cost):
        return "direct"
    if cand.blas_cost is not None:
        return "blas"
    return "strided" if cand.strided else "terms"


def choose_plan(c: Contraction, p: int) -> str:
    """The plan that evaluates ``c`` modulo ``p``: the cheaper of ``direct`` and ``blas`` by their cost models
    (:func:`symconv.engines.direct.direct_cost`, :func:`symconv.engines.blas.blas_cost`), else ``strided``
    or ``terms``; a :func:`forced_plan` wins where it applies.

    >>> from symconv.core.formula import ConvSpec, forward
    >>> c = forward(ConvSpec(input_size=(128, 128), kernel_size=(3, 3)))[0]
    >>> choose_plan(c, DEFAULT_PRIME)
    'direct'
    >>> with forced_plan("blas"):
    ...     choose_plan(c, DEFAULT_PRIME)
    'blas'
    """
    return _choose(_candidates(c, int(p)))


def _evaluate(
    sides: Sequence[tuple[Side, int]], values: Mapping[str, np.ndarray], rsize: int, p: int, progress: Progress
) -> tuple[np.ndarray, int]:
    """Σ over ``(side, sign)`` of sign · Σ coef · contraction at the point ``values`` (entries in [0, p)),
    modulo ``p``, per result position (int64 residues), and the number of terms.

    With the two sides as ``[(lhs, 1), (rhs, -1)]`` this is their difference: ONE accumulator for both
    sides, one reduction at the end. Contractions on the direct plan add into a float64
    :class:`~symconv.engines.direct.Accumulator` (each coefficient, a residue, scales the factor with
    the fewest entries); the other plans return residues that are added in int64.
    """
    direct_acc: Accumulator | None = None
    rest: np.ndarray | None = None
    scaled: dict[tuple[str, int], np.ndarray] = {}
    count = 0
    for side, sign in sides:
        for coef, c in side:
            cm = (sign * int(coef)) % p
            if cm == 0:
                progress.update(term_count(c))
                continue
            cand = _candidates(c, p)
            kind = _choose(cand)
            vals = [values[f.operand] for f in c.factors]
            if kind == "direct":
                plan = cand.direct
                assert plan is not None
                small = min(range(len(vals)), key=lambda i: vals[i].size)
                fvals = []
                for i, f in enumerate(c.factors):
                    k = cm if i == small else 1
                    if (f.operand, k) not in scaled:
                        v = values[f.operand]
                        scaled[f.operand, k] = (v if k == 1 else v * k % p).astype(np.float64)
                    fvals.append(scaled[f.operand, k])
                if direct_acc is None:
                    direct_acc = Accumulator(rsize, p)
                n = direct_evaluate(plan, fvals, direct_acc)
                count += n
                progress.update(n)
                continue
            part, n = _evaluate_other(kind, c, vals, rsize, p)
            part = part * cm % p
            rest = part if rest is None else (rest + part) % p
            count += n
            progress.update(n)
    if direct_acc is None:
        return (rest if rest is not None else np.zeros(rsize, dtype=np.int64)), count
    total = direct_acc.residues()
    return (total if rest is None else (total + rest) % p), count


def _evaluate_other(
    kind: str, c: Contraction, vals: Sequence[np.ndarray], rsize: int, p: int
) -> tuple[np.ndarray, int]:
    """One contraction by the ``blas``, ``strided`` or ``terms`` plan: residues per result position, terms."""
    fast = None
    if kind == "blas":
        fast = blas_evaluate(c, vals, rsize, p)
    if fast is None and kind in ("blas", "strided"):
        fast = _strided_evaluate(c, vals, rsize, p)
    if fast is not None:
        return fast
    acc = np.zeros(rsize, dtype=np.int64)
    count = 0
    for t in iter_terms_separable(c, block=_CHUNK):
        # every value is below p < 2^31: a product of two stays below 2^62, reduced after each factor
        prod = vals[0][t.factors[0]] if vals else np.ones(t.result.size, dtype=np.int64)
        for v, pos in zip(vals[1:], t.factors[1:]):
            prod = prod * v[pos]
            prod %= p
        # exact accumulation: split into 16-bit halves, each bincount sum < 2^53
        lo = np.bincount(t.result, weights=prod & 0xFFFF, minlength=rsize).astype(np.int64)
        hi = np.bincount(t.result, weights=prod >> 16, minlength=rsize).astype(np.int64)
        acc = (acc + lo + (hi % p) * 65536) % p
        count += t.result.size
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
    if any(f.operand in space.structure for f in c.factors):
        return multiplicity(c, space.structure)
    return _plain_multiplicity(c)


@functools.lru_cache(maxsize=256)
def _plain_multiplicity(c: Contraction) -> int:
    """:func:`symconv.engines.bounds.multiplicity` without structure: it depends on ``c`` alone (cached)."""
    return multiplicity(c, {})


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
        diff, n = _evaluate([(lhs, 1), (rhs, -1)], values, rsize, p, bar)
        terms += n
        nonzero = np.flatnonzero(diff)
        if nonzero.size:
            i = int(nonzero[0])
            # the message names both sides: evaluate the left one alone (the right one is left − difference)
            left, _ = _evaluate([(lhs, 1)], values, rsize, p, Progress(where, 1, enabled=False))
            lv = int(left[i])
            rv = (lv - int(diff[i])) % p
            pos = tuple(int(j) for j in np.unravel_index(i, rshape)) if rshape else ()
            bar.close()
            return InstanceResult(
                False,
                "randomized",
                terms,
                time.perf_counter() - t0,
                Fraction(0),
                f"at result index {pos}: the left side is {lv} and the right side {rv} "
                f"(mod {p}) at random point {trial} (seed {seed}){note}",
            )
    bar.close()
    return InstanceResult(True, "randomized", terms, time.perf_counter() - t0, Fraction(deg, p) ** int(trials), None)


def _randomized_bytes(lhs: Side, rhs: Side, space: _Space, rsize: int, p: int) -> int:
    """Peak bytes of one randomized trial: the random values, the sides' sums, and the largest evaluation."""
    values = sum(8 * (n + 1) for n in space.counts.values())
    values += sum(24 * st.size for st in space.structure.values())
    path = 0
    for _, c in (*lhs, *rhs):
        cand = _candidates(c, p)
        if cand.direct is not None:
            # float64 copies of the factors (one of them scaled by the coefficient) and the product's temporary
            sizes = [math.prod(int(x) for x in c.operand(f.operand).shape) for f in c.factors]
            values += 8 * (sum(sizes) + min(sizes, default=0))
            path = max(path, direct_bytes(cand.direct))
        fast = cand.blas_bytes
        deg = len(c.factors)
        if fast is None:  # the strided evaluator's sub-boxes, or the term path's chunks and bincounts
            n = term_count(c)
            fast = max(8 * min(CHUNK_ELEMENTS, n) * (deg + 2), 8 * min(_CHUNK, n) * (deg + 6) + 16 * rsize)
        path = max(path, fast)
    # the float64 accumulator, the int64 sum of the other plans, one part, the residues, the left side alone
    return values + 6 * 8 * rsize + path
