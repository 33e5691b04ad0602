r"""Instance checks through the coefficient engines: a statement's two sides as contractions.

A theorem whose sides are operations of :mod:`symconv.core.formula` (a gradient,
a full or transposed convolution, a correlation read at shifted or flipped
positions) records them as a :class:`Recipe`: per side, a list of
:class:`Read` — an integer coefficient times the result of a contraction
read at an affine map of the statement's free indices,

.. math:: \mathrm{side}[f] = \sum_i c_i\, C_i.\mathrm{result}[\mathrm{at}_i(f)]
          \qquad (f \text{ in the box of the free indices}).

At concrete sizes every read becomes a contraction whose result IS indexed
by the free indices (:func:`read_at`), and the two sides go to
:func:`symconv.engines.instance.check_exact` or
:func:`~symconv.engines.instance.check_randomized`; a symmetry hypothesis of the
statement becomes the engine's ``structure``. :func:`read_at` only accepts a
re-indexing that keeps the meaning of the statement (every range guard of
the original read is implied); otherwise :func:`engine_sides` returns
``None`` and the caller uses the exact expansion of the Iverson sums.

>>> import sympy
>>> from symconv.core.affine import Affine
>>> from symconv.core.formula import ConvSpec, forward
>>> c = forward(ConvSpec(input_size=(5,), kernel_size=(2,)))[0]
>>> r = read_at(c, (Affine.var("m") + 1,), ("m",), {"m": 3})
>>> [str(a) for a in r.result_index], r.result.shape
(['n0 - 1'], (3,))
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import sympy

from symconv.core.affine import Affine, as_expr
from symconv.core.fastsubs import value
from symconv.core.formula import Contraction, Factor, Operand, Var
from symconv.proofs._iverson import EQ, Context, Hypothesis

__all__ = ["Read", "Recipe", "concrete", "engine_sides", "free_box", "hypothesis_structure", "read_at"]


@dataclass(frozen=True)
class Read:
    """``coef · c.result[at(free)]``: one term of a side (``c`` with symbolic sizes).

    With ``pair`` (an operand and its shape), the term is the inner product
    ``coef · Σ_f pair[f] · c.result[at(f)]`` over ``f`` (named ``over``) in
    the pair's shape (the statement's free indices are not used).
    """

    coef: int
    c: Contraction
    at: tuple[Affine, ...]
    pair: Operand | None = None
    over: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipe:
    """The two sides of a part as reads of contractions built from :mod:`symconv.core.formula`.

    ``hypothesis``: the statement's symmetry hypothesis becomes the engine's
    ``structure`` on its operand.
    """

    lhs: tuple[Read, ...]
    rhs: tuple[Read, ...]
    hypothesis: bool = False


def _int(e: Any) -> int | None:
    v = as_expr(e)
    return int(v) if v.is_Integer else None


def free_box(ctx: Context, sizes: Mapping[sympy.Symbol, int]) -> dict[str, int] | None:
    """Extents ``F`` with ``0 ≤ f < F`` for every free index, when the assumptions on them are exactly a box."""
    lo: dict[str, int] = {}
    hi: dict[str, int] = {}
    for c in ctx.assumptions:
        vs = c.expr.variables
        if not vs:
            continue
        if len(vs) != 1 or c.op == EQ or vs[0] not in ctx.free:
            return None
        v = vs[0]
        k = _int(c.expr.coeff(v))
        const = value(c.expr.const, sizes)
        if k is None or const is None:
            return None
        if k == 1:  # v + const ≥ 0
            lo[v] = max(lo.get(v, -(10**18)), -const)
        elif k == -1:  # const - v ≥ 0
            hi[v] = min(hi.get(v, 10**18), const)
        else:
            return None
    if set(lo) != set(ctx.free) or set(hi) != set(ctx.free) or any(lo[v] != 0 for v in ctx.free):
        return None
    return {v: max(0, hi[v] + 1) for v in ctx.free}


def read_at(c: Contraction, at: Sequence[Affine], free: Sequence[str], box: Mapping[str, int]) -> Contraction | None:
    """``c.result[at(f)]`` as a contraction with result index ``f`` over ``box`` (concrete ``c``).

    ``at`` must map the free indices one to one (each axis ``±f_j + b``);
    the new result range ``0 ≤ f_j < F_j`` must imply the old one
    ``0 ≤ ρ_i < R_i`` — inside it, or ``ρ_i`` a bare loop variable whose box
    does. ``None`` when not (the statement is not this contraction).
    """
    if c.result_boundary is not None and any(b is not None for b in c.result_boundary):
        return None
    if len(at) != len(c.result_index) or len(at) != len(free):
        return None
    extents = {v.name: _int(v.extent) for v in c.variables}
    new: dict[str, Affine] = {}
    for a, rho, size in zip(at, c.result_index, c.result.shape):
        if len(a.coeffs) != 1:
            return None
        (f, sigma_e), const = a.coeffs[0], _int(a.const)
        sigma, r = _int(sigma_e), _int(size)
        if f not in box or f in new or sigma not in (1, -1) or const is None or r is None:
            return None
        span = (const, const + box[f] - 1) if sigma == 1 else (const - box[f] + 1, const)
        inside = box[f] == 0 or (span[0] >= 0 and span[1] <= r - 1)
        bare = (
            len(rho.coeffs) == 1
            and _int(rho.coeffs[0][1]) == 1
            and _int(rho.const) == 0
            and (extents.get(rho.coeffs[0][0]) or 0) <= r
        )
        if not (inside or bare):
            return None
        new[f] = (rho - const) if sigma == 1 else (Affine.constant(const) - rho)
    index = tuple(new[f] for f in free)
    shape = tuple(sympy.Integer(box[f]) for f in free)
    # a loop extent ≤ 0 is an empty box: say 0 (the same terms; an engine need not handle negative extents)
    variables = tuple(Var(v.name, sympy.Integer(max(0, extents[v.name] or 0))) for v in c.variables)
    return replace(
        c, result=Operand(c.result.name, shape), result_index=index, result_boundary=None, variables=variables
    )


#: The latest concrete contractions: the cost guard and the check that follows it substitute the same sizes.
_CONCRETE: OrderedDict[tuple[int, tuple[tuple[Any, Any], ...]], tuple[Contraction, Contraction]] = OrderedDict()
_CONCRETE_LOCK = threading.Lock()


def concrete(c: Contraction, sizes: Mapping[sympy.Symbol, int]) -> Contraction:
    """``c.subs(sizes)``, shared by the calls of one check (a few recent results are kept)."""
    key = (id(c), tuple(sizes.items()))
    with _CONCRETE_LOCK:
        hit = _CONCRETE.get(key)
    if hit is not None and hit[0] is c:
        return hit[1]
    out = c.subs(sizes)
    with _CONCRETE_LOCK:
        _CONCRETE[key] = (c, out)
        while len(_CONCRETE) > 32:
            _CONCRETE.popitem(last=False)
    return out


def _side(reads: Sequence[Read], sizes: Mapping[sympy.Symbol, int], ctx: Context, box: Mapping[str, int]) -> Any:
    out = []
    for r in reads:
        c = concrete(r.c, sizes)
        if not c.is_concrete():
            return None
        at = tuple(a.subs(sizes) for a in r.at)
        if r.pair is None:
            cc = read_at(c, at, ctx.free, box)
        else:
            shape = tuple(value(e, sizes) for e in r.pair.shape)
            if any(v is None for v in shape):
                return None
            cc = read_at(c, at, r.over, dict(zip(r.over, shape)))  # type: ignore[arg-type]
            if cc is not None:  # the pair's range guard is the one read_at put on the result: keep it as a factor
                cc = replace(
                    cc,
                    result=Operand(cc.result.name, ()),
                    result_index=(),
                    factors=(*cc.factors, Factor(r.pair.name, cc.result_index)),
                    operands=(*cc.operands, Operand(r.pair.name, cc.result.shape)),
                )
        if cc is None:
            return None
        out.append((int(r.coef), cc))
    return out


#: The latest structures by hypothesis (identity) and sizes: a proof at one size builds its table once.
_STRUCTURES: OrderedDict[tuple[int, tuple[int, ...], tuple[tuple[Any, Any], ...]], tuple[Hypothesis, Any]] = (
    OrderedDict()
)


def hypothesis_structure(hyp: Hypothesis, shape: tuple[int, ...], sizes: Mapping[sympy.Symbol, int]) -> Any:
    """The engine's ``structure`` for ``operand[u] = sign · operand[mirror(u)]`` on the whole operand.

    Each orbit ``{u, mirror(u)}`` is one free variable (its smaller index);
    an entry with ``u = mirror(u)`` under ``sign = -1`` is structurally zero.
    ``None`` when the hypothesis's domain is not the operand's whole shape.
    """
    key = (id(hyp), shape, tuple(sizes.items()))
    with _CONCRETE_LOCK:
        hit = _STRUCTURES.get(key)
    if hit is not None and hit[0] is hyp:
        return None if hit[1] is None else hit[1].copy()
    out = _structure(hyp, shape, sizes)
    with _CONCRETE_LOCK:
        _STRUCTURES[key] = (hyp, out)
        while len(_STRUCTURES) > 32:
            _STRUCTURES.popitem(last=False)
    return None if out is None else out.copy()


def _structure(hyp: Hypothesis, shape: tuple[int, ...], sizes: Mapping[sympy.Symbol, int]) -> Any:
    if list(hyp.lhs) != [Affine.var(v) for v in hyp.variables]:
        return None
    dom = []
    for v in hyp.variables:
        lo = [c for c in hyp.domain if c.expr.variables == (v,) and _int(c.expr.coeff(v)) == 1]
        hi = [c for c in hyp.domain if c.expr.variables == (v,) and _int(c.expr.coeff(v)) == -1]
        if len(lo) != 1 or len(hi) != 1 or value(lo[0].expr.const, sizes) != 0:
            return None
        dom.append((value(hi[0].expr.const, sizes) or 0) + 1)
    if tuple(dom) != shape or len(hyp.domain) != 2 * len(dom):
        return None
    rows: list[tuple[int, list[tuple[int, int]]]] = []
    for a in hyp.rhs:
        const = value(a.const, sizes)
        terms = [(hyp.variables.index(v), value(k, sizes)) for v, k in a.coeffs]
        if const is None or any(k is None for _, k in terms):
            return None
        rows.append((const, [(i, int(k)) for i, k in terms if k is not None]))
    out = np.zeros(shape, dtype=np.int64)
    label: dict[tuple[int, ...], int] = {}
    for u in np.ndindex(*shape):
        mir = tuple(c0 + sum(k * u[i] for i, k in terms) for c0, terms in rows)
        if any(not 0 <= m < n for m, n in zip(mir, shape)):
            return None
        rep = min(u, mir)
        if mir == u and hyp.sign == -1:
            continue
        lab = label.setdefault(rep, len(label) + 1)
        out[u] = lab if (u == rep or hyp.sign == 1) else -lab
    return out


def engine_sides(
    recipe: Recipe, ctx: Context, sizes: Mapping[sympy.Symbol, int]
) -> tuple[list[tuple[int, Contraction]], list[tuple[int, Contraction]], dict[str, np.ndarray] | None] | None:
    """``(lhs, rhs, structure)`` for the engines at ``sizes``, or ``None`` when the recipe does not apply."""
    box = free_box(ctx, sizes)
    if box is None:
        return None
    lhs = _side(recipe.lhs, sizes, ctx, box)
    rhs = _side(recipe.rhs, sizes, ctx, box)
    if lhs is None or rhs is None:
        return None
    shapes: dict[str, tuple[int, ...]] = {}
    for _, c in (*lhs, *rhs):
        for op in c.operands:
            sh = tuple(int(s) for s in op.shape)
            if shapes.setdefault(op.name, sh) != sh:
                return None  # one operand read with two shapes: the engines cannot share it
    structure = None
    if recipe.hypothesis:
        if len(ctx.hypotheses) != 1 or ctx.hypotheses[0].operand not in shapes:
            return None
        hyp = ctx.hypotheses[0]
        st = hypothesis_structure(hyp, shapes[hyp.operand], sizes)
        if st is None:
            return None
        structure = {hyp.operand: st}
    elif ctx.hypotheses:
        return None
    return lhs, rhs, structure


def degree(sides: Sequence[Sequence[tuple[int, Contraction]]]) -> int:
    """The largest number of factors of a term: the polynomial degree of the identity."""
    return max((len(c.factors) for side in sides for _, c in side), default=1)
