r"""What a claim is about: its size parameters, free indices, assumptions and hypotheses.

:func:`context` gathers them from the two sides of a claim as a
:class:`~symconv.proofs._iverson.Context`: the free indices ``i0, i1, …`` (one
per axis of the common shape) with :math:`0 \le i_a < S_a`, every symbolic
size :math:`\ge 1`, every window fitting, the relations declared with
``symconv.sizes(..., assume=...)`` and given as ``assuming``, and a
:class:`~symconv.proofs._iverson.Hypothesis` per structured array
(``structure="centrosymmetric"``).

>>> from symconv.claims.sizes import sizes
>>> from symconv.claims.node import Leaf
>>> N, K = sizes("N K")
>>> ctx = context(Leaf("x", (N,)), Leaf("y", (N,)), assuming=["N >= 3"])
>>> ctx.free, [str(c) for c in ctx.assumptions]
(('i0',), ['N - 1 >= 0', 'N - 3 >= 0', 'i0 >= 0', 'N - i0 - 1 >= 0'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import sympy

from symconv.arrays.array import symbols
from symconv.claims.node import Fresh, Leaf, Node, as_node, in_range, shape_text
from symconv.claims.ops import same_shape
from symconv.claims.sizes import declared, relation
from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.core.numbers import shown
from symconv.proofs._iverson import Constraint, Context, Hypothesis
from symconv.proofs._iverson import Sum as _Sum

__all__ = ["context", "hypothesis", "structure"]


def hypothesis(leaf: Leaf, name: str, taken: Iterable[str] = ()) -> Hypothesis:
    """``leaf[u] = ±leaf[S−1−u]`` on its whole shape (the form of proofs/library/symmetry.py).

    Its variables ``u0, u1, …`` are named apart from ``taken`` (the sizes: a size may be called ``u0``).
    """
    fresh = Fresh(tuple(taken))
    u = tuple(fresh.name(f"u{a}") for a in range(leaf.ndim))
    ua = tuple(Affine.var(v) for v in u)
    rhs = tuple((as_expr(n) - 1) - a for n, a in zip(leaf.shape, ua))
    sign = 1 if leaf.structure == "centrosymmetric" else -1
    return Hypothesis(name, u, tuple(in_range(ua, leaf.shape)), leaf.name, ua, rhs, sign)


def _leaves(nodes: Iterable[Node]) -> list[Leaf]:
    out: dict[str, Leaf] = {}
    for n in nodes:
        for leaf in n.leaves():
            seen = out.setdefault(leaf.name, leaf)
            if not same_shape(seen.shape, leaf.shape) or seen.structure != leaf.structure:
                raise SymconvError(
                    f"claim: the array `{leaf.name}` is used with two shapes or structures: "
                    f"{shape_text(seen.shape)} ({seen.structure or 'no structure'}) and "
                    f"{shape_text(leaf.shape)} ({leaf.structure or 'no structure'})"
                )
    return list(out.values())


def context(*sides: Any, assuming: Any = ()) -> Context:
    """The :class:`~symconv.proofs._iverson.Context` of a claim ``sides[0] = sides[1] = …``.

    The sides must have equal shapes (size expressions equal as
    expressions); ``assuming`` is a relation or a list of relations (text
    such as ``"N >= 2*K"`` or sympy relations).
    """
    if not sides:
        raise SymconvError("claim: give at least one side")
    nodes = [as_node("claim", f"side {i}", s) for i, s in enumerate(sides)]
    shape = nodes[0].shape
    for n in nodes[1:]:
        if not same_shape(shape, n.shape):
            raise SymconvError(
                f"claim: the two sides must have the same shape; got {shape_text(shape)} for {nodes[0].text()} "
                f"and {shape_text(n.shape)} for {n.text()}"
            )
    leaves = _leaves(nodes)
    params: set[sympy.Symbol] = set()
    for n in nodes:
        params |= set(n.params)
    names = declared() | {p.name: p for p in params}
    items = [assuming] if isinstance(assuming, (str, sympy.Basic)) else assuming
    if not isinstance(items, Iterable):
        raise SymconvError(f"claim: `assuming` must be a relation or a list of them; got {shown(assuming)}")
    given = [relation(r, names, where="claim: `assuming`") for r in items]
    for c in given:
        params |= c.expr.const.free_symbols  # type: ignore[arg-type]
    assumptions: list[Constraint] = []
    for n in nodes:
        for m in n.nodes():
            assumptions += m.conditions()
    assumptions += given
    # free indices named apart from the sizes (a size may be called `i0`): primed where one is taken
    taken = sorted({p.name for p in params} | {str(v) for c in assumptions for v in as_expr(c.expr.const).free_symbols})
    free = tuple(Fresh(tuple(taken)).name(f"i{a}") for a in range(len(shape)))
    assumptions += in_range(tuple(Affine.var(f) for f in free), shape)
    cleaned = _Sum((), tuple(assumptions), ()).guard  # canonical, without repeats or trivial truths
    structured = [leaf for leaf in leaves if leaf.structure is not None]
    hyps = []
    for leaf in structured:
        alone = sum(1 for x in structured if x.structure == leaf.structure) == 1
        hyps.append(hypothesis(leaf, leaf.structure if alone else f"{leaf.structure} {leaf.name}", taken))  # type: ignore[arg-type]
    return Context(tuple(sorted(params, key=lambda s: s.name)), free, cleaned, tuple(hyps))


def structure(sides: Iterable[Any], sizes: Mapping[sympy.Symbol, int]) -> dict[str, np.ndarray] | None:
    """``check_exact``'s ``structure=`` for the structured arrays of ``sides`` at concrete ``sizes``.

    Each pair ``{u, flip(u)}`` is one free variable (labelled from 1, with a
    sign for anti-centro-symmetry); an entry forced to zero is 0.
    """
    out: dict[str, np.ndarray] = {}
    env = {k: sympy.Integer(v) for k, v in sizes.items()}
    for leaf in _leaves(as_node("structure", "side", s) for s in sides):
        if leaf.structure is None:
            continue
        shape = tuple(int(as_expr(n).xreplace(env)) for n in leaf.shape)
        arr = symbols(leaf.name, shape, structure=leaf.structure).numpy()
        labels: dict[sympy.Symbol, int] = {}
        table = np.zeros(shape, dtype=np.int64)
        for idx, e in np.ndenumerate(arr):
            if e == 0:
                continue
            sym = e if isinstance(e, sympy.Symbol) else -e
            lab = labels.setdefault(sym, len(labels) + 1)
            table[idx] = lab if isinstance(e, sympy.Symbol) else -lab
        out[leaf.name] = table
    return out or None
