"""Cost guards of the prover: estimate an instance check's work BEFORE doing it, and refuse with what to do instead.

An instance check at concrete sizes costs what its sizes make it cost: the
coefficient engines enumerate every term of both sides (``check_exact`` keeps
them, ``check_randomized`` keeps the operands and results, once per trial), a
symmetry hypothesis becomes a table over the kernel, the DFT theorems expand
``T³`` group-ring terms for ``T`` input entries. :func:`guard_instance` counts
these from the sizes alone (Python integers: no overflow at any size) and
refuses through :func:`symconv.core.limits.guard` — naming the estimate, the
limit, how to raise it, and the faster route — before anything is allocated.
The exact expansion of Iverson sums guards itself point by point
(:mod:`symconv.proofs._evaluate`).

>>> from symconv.core.limits import limits
>>> from symconv.proofs._theorem import theorem
>>> plan = theorem("correlate_grad_input_is_full_convolution").plan()
>>> part = plan.parts[0][0]
>>> N, K = part.ctx.params
>>> guard_instance(part, {N: 10, K: 3}, "instance", 1, plan.recipes[part.title])  # 54 terms: fine
>>> with limits(engine_terms=40):
...     guard_instance(part, {N: 10, K: 3}, "instance", 1, plan.recipes[part.title])
Traceback (most recent call last):
...
symconv.SymconvError: prove: instance check of 'input gradient' at N=10, K=3: about 54 terms exceeds the limit of 40 ...
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import sympy

from symconv.core.affine import as_expr
from symconv.core.fastsubs import value
from symconv.core.formula import Contraction
from symconv.core.limits import guard
from symconv.proofs._contract import concrete

__all__ = ["ALTERNATIVE", "GENERAL_ALTERNATIVE", "guard_circular", "guard_instance", "guard_trials"]

#: The faster routes a refusal names.
ALTERNATIVE = (
    "the general method (method='general', `symconv prove NAME` without --method) proves every size at once; "
    "the randomized engine (method='randomized') needs memory for the operands only"
)
#: The faster route when the general proof's own completing checks are too large.
GENERAL_ALTERNATIVE = (
    "give large hyper-parameters by name (stride='s', padding='p'; `--padding p` on the command line): the general "
    "proof then covers every value at once, and its exact checks run at small derived sizes"
)
#: Bytes the exact engine keeps per term (a 64-bit key and coefficient, and the sort's copy).
_EXACT_BYTES_PER_TERM = 24
#: Bytes the randomized engine keeps per operand or result entry (values, products, partial sums).
_RANDOM_BYTES_PER_ENTRY = 32


def _int(e: Any) -> int | None:
    v = as_expr(e)
    return int(v) if v.is_Integer else None


def _terms(c: Contraction) -> int:
    """Loop points of a concrete contraction (Python integers: exact at any size)."""
    extents = [_int(v.extent) for v in c.variables]
    return math.prod(max(0, e or 0) for e in extents)


def _entries(shape: Sequence[Any]) -> int:
    return math.prod(max(0, _int(s) or 0) for s in shape)


def _where(title: str, sizes: Mapping[sympy.Symbol, int]) -> str:
    return f"prove: instance check of {title!r} at {', '.join(f'{k}={v}' for k, v in sizes.items())}"


def guard_trials(trials: int) -> None:
    """Refuse more random trials than the ``trials`` limit."""
    guard(
        "prove",
        "trials",
        int(trials),
        "random trials",
        alternative="3 trials already bound a randomized check's error by (deg/p)^3 ≈ 10^-17; "
        "method='instance' is exact and needs none",
    )


def guard_instance(
    part: Any,
    sizes: Mapping[sympy.Symbol, int],
    method: str,
    trials: int,
    recipe: Any,
    *,
    completing: bool = False,
) -> None:
    """Refuse an instance check of ``part`` at ``sizes`` whose work or memory exceeds the limits.

    ``completing``: the check completes a general proof (so the way out is a
    symbolic hyper-parameter, not the general method).
    """
    if not part.ctx.hypotheses and recipe is None:
        return  # nothing to cost (the message below is built only where something is)
    where = _where(part.title, sizes)
    alternative = ALTERNATIVE
    if completing:
        where = where.replace("prove: instance check", "prove: the exact check completing the general proof", 1)
        alternative = GENERAL_ALTERNATIVE
    for h in part.ctx.hypotheses:  # the hypothesis becomes a table over its domain, filled entry by entry
        ext = [0 if ub is None else (value(ub, sizes) or 0) + 1 for ub in _upper_bounds(h)]
        guard(
            where, "entries", math.prod(ext), f"entries of the {h.name} table of {h.operand}", alternative=alternative
        )
    if recipe is None:
        return
    cs = [concrete(r.c, sizes) for r in (*recipe.lhs, *recipe.rhs)]
    if not all(c.is_concrete() for c in cs):
        return
    terms = sum(_terms(c) for c in cs)
    if method == "randomized":
        guard(where, "engine_terms", terms * int(trials), f"terms ({int(trials)} trials)", alternative=alternative)
        entries = sum(_entries(o.shape) for c in cs for o in (*c.operands, c.result))
        guard(where, "memory_bytes", entries * _RANDOM_BYTES_PER_ENTRY, "bytes", alternative=alternative)
        return
    guard(where, "engine_terms", terms, "terms", alternative=alternative)
    guard(where, "memory_bytes", terms * _EXACT_BYTES_PER_TERM, "bytes", alternative=alternative)


#: Per hypothesis (by identity, the object held): the constant of each variable's upper bound ``const - v ≥ 0``.
_UPPER: dict[int, tuple[Any, list[Any]]] = {}


def _upper_bounds(h: Any) -> list[Any]:
    hit = _UPPER.get(id(h))
    if hit is not None and hit[0] is h:
        return hit[1]
    out = []
    for v in h.variables:
        ub = next((c for c in h.domain if c.expr.coeff(v) == -1), None)
        out.append(None if ub is None else ub.expr.const)
    if len(_UPPER) > 256:
        _UPPER.clear()
    _UPPER[id(h)] = (h, out)
    return out


def guard_circular(name: str, n: Sequence[int]) -> None:
    """Refuse a DFT-theorem check whose ``2·T³`` group-ring terms (``T`` input entries) exceed the limits."""
    t = math.prod(n)
    where = f"{name}: instance check at input size {list(n)}"
    alt = "the statement is checked exactly in the group ring; smaller sizes (e.g. 8 per axis) show the same"
    guard(where, "engine_terms", 2 * t**3, "group-ring terms", alternative=alt)
    guard(where, "memory_bytes", 2 * t**3 * 8 * 4, "bytes", alternative=alt)
