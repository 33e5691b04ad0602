"""The exact instance check's own reading of definitions and hypotheses (independent of the proof's rules).

* :func:`unfolded_monomials` expands a side as a polynomial at concrete sizes
  and replaces every entry ``f[i]`` of a DEFINED array by the polynomial of its
  definition's body at ``i`` — the body evaluated with its index variables pinned
  by equations, never through the ``definition`` rule (nor ``Sum.substitute``)
  the proof uses: a bug in that rule cannot be shared by proof and check.
* :func:`orbit_reduce` reduces such a polynomial modulo EVERY hypothesis of the
  context: the entries a hypothesis relates (``w[lhs(u)] = sign·w[rhs(u)]`` at
  each point ``u`` of its domain, enumerated) are joined, an entry becomes
  ``sign·w[orbit minimum]`` with the product of the signs along the way, and an
  orbit where two paths give opposite signs is identically 0.
* :func:`orbit_arrays` gives the replay random arrays that satisfy every
  hypothesis exactly on its domain and are independent elsewhere (a symmetry
  a rule uses outside its domain shows in the values).

>>> import sympy
>>> from symconv.core.affine import Affine
>>> from symconv.proofs._iverson import Constraint, Context, Expr, Hypothesis, Sum, Term
>>> k, u = Affine.var("k"), Affine.var("u")
>>> K = sympy.Symbol("K", integer=True, positive=True)
>>> rng = (Constraint.le(0, u), Constraint.lt(u, K))
>>> centro = Hypothesis("centro", ("u",), rng, "w", (u,), (K - 1 - u,), 1)
>>> ctx = Context((K,), (), ())
>>> poly = unfolded_monomials(Expr.of(Sum(("k",), (Constraint.eq(k, 2),), (Term("w", (k,)),))), ctx, {K: 3}, ())
>>> orbit_reduce(poly, (centro,), {K: 3})  # w[2] = w[0]
{((), (('w', (0,)),)): 1}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from symconv.core.affine import Affine
from symconv.core.errors import SymconvError
from symconv.core.limits import guard
from symconv.proofs._evaluate import _eval_affine, _points, array_values, monomials
from symconv.proofs._iverson import Constraint, Context, Expr, Hypothesis, Side, Sum

__all__ = ["orbit_arrays", "orbit_reduce", "unfolded_monomials"]

Mono = tuple[tuple[str, tuple[int, ...]], ...]
Poly = dict[tuple[Any, ...], int]


def _body_poly(
    body: Sum, at: Sequence[str], idx: tuple[int, ...], params: Sequence[sympy.Symbol], sizes: Mapping[Any, int]
) -> dict[Mono, int]:
    """The body's polynomial at ``at = idx``: its variables and ``at`` all bound, ``at`` pinned by equations."""
    pins = tuple(Constraint.eq(Affine.var(a), Affine.constant(v)) for a, v in zip(at, idx))
    pinned = Sum(tuple(at) + tuple(body.variables), tuple(body.guard) + pins, body.factors, body.coeff)
    return {m: c for (_, m), c in monomials(Expr.of(pinned), Context(tuple(params), (), ()), sizes).items()}


def _conjugated(poly: Mapping[Mono, int]) -> dict[Mono, int]:
    """conj of a polynomial with integer coefficients: every factor's conjugation flips."""
    flip = {}
    for m, c in poly.items():
        flip[tuple(sorted((op[:-1] if op.endswith("*") else op + "*", i) for op, i in m))] = c
    return flip


def unfolded_monomials(
    side: Side, ctx: Context, sizes: Mapping[Any, int], definitions: Sequence[tuple[str, Sum, Sequence[str]]]
) -> Poly:
    """``side`` as an exact polynomial in the INPUT arrays at ``sizes`` (``{(free point, monomial): coeff}``).

    Defined arrays (``definitions``: ``(name, body, at)``) are replaced entry by entry by their bodies'
    polynomials; a conjugated read ``conj f[i]`` by the conjugated polynomial.
    """
    poly = monomials(side, ctx, sizes)
    defs = {name: (body, tuple(at)) for name, body, at in definitions}
    if not defs:
        return poly
    cache: dict[tuple[str, tuple[int, ...]], dict[Mono, int]] = {}

    def entry(op: str, idx: tuple[int, ...]) -> dict[Mono, int]:
        base = op[:-1] if op.endswith("*") else op
        if base not in defs:
            return {((op, idx),): 1}
        if (op, idx) not in cache:
            body, at = defs[base]
            got = _body_poly(body, at, idx, ctx.params, sizes)
            cache[(op, idx)] = _conjugated(got) if op.endswith("*") else got
        return cache[(op, idx)]

    out: Poly = {}
    for (free, mono), c in poly.items():
        terms: dict[Mono, int] = {(): c}
        for op, idx in mono:
            factor = entry(op, idx)
            guard(
                "proof: an instance check unfolding a definition",
                "symbolic_terms",
                len(terms) * max(1, len(factor)),
                "terms of a product",
                alternative="choose smaller sizes",
            )
            nxt: dict[Mono, int] = {}
            for m1, c1 in terms.items():
                for m2, c2 in factor.items():
                    m = tuple(sorted(m1 + m2))
                    nxt[m] = nxt.get(m, 0) + c1 * c2
            terms = {m: v for m, v in nxt.items() if v}
        for m, v in terms.items():
            out[(free, m)] = out.get((free, m), 0) + v
    return {k: v for k, v in out.items() if v}


# -- hypotheses ---------------------------------------------------------------------------------


def _edges(h: Hypothesis, sizes: Mapping[Any, int]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """``(lhs(u), rhs(u))`` at every point ``u`` of the hypothesis' domain (enumerated exactly)."""
    env, n = _points(Sum(h.variables, h.domain, ()), Context(tuple(sizes), (), ()), sizes)
    lhs = [_eval_affine(a, env, sizes, n) for a in h.lhs]
    rhs = [_eval_affine(a, env, sizes, n) for a in h.rhs]
    return [(tuple(int(a[p]) for a in lhs), tuple(int(a[p]) for a in rhs)) for p in range(n)]


class _Orbits:
    """Union-find with signs: ``w[x] = sign·w[root]``; the root of an orbit is its minimum; a conflict zeroes it."""

    def __init__(self) -> None:
        self.parent: dict[Any, tuple[Any, int]] = {}
        self.zero: set[Any] = set()

    def find(self, x: Any) -> tuple[Any, int]:
        sign = 1
        path = []
        while x in self.parent:
            path.append(x)
            x, s = self.parent[x]
            sign *= s
        root, acc = x, sign
        for y in path:  # compress: every node on the path points at the root directly
            _, s = self.parent[y]
            self.parent[y] = (root, acc)
            acc *= s
        return root, sign

    def join(self, a: Any, b: Any, sign: int) -> None:
        """``w[a] = sign·w[b]``."""
        ra, sa = self.find(a)
        rb, sb = self.find(b)
        rel = sa * sign * sb  # w[ra] = rel·w[rb]
        if ra == rb:
            if rel == -1:
                self.zero.add(ra)
            return
        lo, hi = (ra, rb) if ra < rb else (rb, ra)
        self.parent[hi] = (lo, rel)
        if hi in self.zero:
            self.zero.discard(hi)
            self.zero.add(lo)


def orbit_reduce(poly: Mapping[tuple[Any, ...], int], hyps: Sequence[Hypothesis], sizes: Mapping[Any, int]) -> Poly:
    """``poly`` modulo every hypothesis in ``hyps`` (see the module); conjugated reads reduce alike."""
    if not hyps:
        return dict(poly)
    orbits: dict[str, _Orbits] = {}
    for h in hyps:
        if h.sign not in (1, -1):  # the orbit signs multiply as ±1 (a replayed statement has no other)
            raise SymconvError(f"proof: hypothesis {h.name!r}: its sign must be 1 or -1; got {h.sign}")
        o = orbits.setdefault(h.operand, _Orbits())
        for a, b in _edges(h, sizes):
            o.join(a, b, int(h.sign))
    out: Poly = {}
    for (free, mono), c in poly.items():
        sign = c
        new = []
        for op, idx in mono:
            orb = orbits.get(op[:-1] if op.endswith("*") else op)
            if orb is not None:
                idx, s = orb.find(tuple(idx))
                if idx in orb.zero:
                    sign = 0
                    break
                sign *= s
            new.append((op, idx))
        if sign:
            key = (free, tuple(sorted(new)))
            out[key] = out.get(key, 0) + sign
    return {k: v for k, v in out.items() if v}


def orbit_arrays(
    hyps: Sequence[Hypothesis], sizes: Mapping[Any, int], seed: int
) -> dict[str, Callable[[Sequence[np.ndarray]], np.ndarray]]:
    """Random integer arrays satisfying EVERY hypothesis exactly where it is assumed, and nothing more.

    An entry in an orbit (the entries the hypotheses relate on their domains) is ``sign·r[orbit minimum]``, 0 in
    an orbit with a sign conflict; every other entry is random and independent (``r`` the pseudo-random
    array of :func:`symconv.proofs._evaluate.array_values`). A symmetry used outside its domain shows.
    """
    orbits: dict[str, _Orbits] = {}
    for h in hyps:
        if h.sign not in (1, -1):
            raise SymconvError(f"proof: hypothesis {h.name!r}: its sign must be 1 or -1; got {h.sign}")
        o = orbits.setdefault(h.operand, _Orbits())
        for a, b in _edges(h, sizes):
            o.join(a, b, int(h.sign))
    out: dict[str, Callable[[Sequence[np.ndarray]], np.ndarray]] = {}
    for op, o in orbits.items():
        out[op] = _table(op, o, seed)
    return out


def _table(op: str, o: _Orbits, seed: int) -> Callable[[Sequence[np.ndarray]], np.ndarray]:
    """The array of one operand: a dense table (root, sign) over the box of its orbits' entries, gathered."""
    nodes = list(o.parent) + list(o.zero)
    if not nodes:
        return lambda idx: array_values(op, seed, idx)
    ndim = len(nodes[0])
    if ndim == 0:  # one entry: 0 when its hypotheses conflict
        scale = 0 if o.find(())[0] in o.zero else 1
        return lambda idx: scale * array_values(op, seed, idx)
    lo = [min(n[a] for n in nodes) for a in range(ndim)]
    shape = tuple(max(n[a] for n in nodes) - lo[a] + 1 for a in range(ndim))
    guard("proof: the table of a hypothesis", "entries", int(np.prod(shape)), "entries", alternative="smaller sizes")
    roots = np.indices(shape, dtype=np.int64).reshape(ndim, -1) + np.asarray(lo, dtype=np.int64).reshape(ndim, 1)
    signs = np.ones(roots.shape[1], dtype=np.int64)
    for node in nodes:
        root, sign = o.find(node)
        flat = int(np.ravel_multi_index(tuple(v - lo[a] for a, v in enumerate(node)), shape))
        roots[:, flat] = root
        signs[flat] = 0 if root in o.zero else sign

    def fn(idx: Sequence[np.ndarray]) -> np.ndarray:
        arrs = [np.asarray(i, dtype=np.int64) for i in idx]
        if len(arrs) != ndim:  # read with another number of indices: another function (refused upstream)
            return array_values(op, seed, arrs)
        full = np.broadcast_shapes(*(x.shape for x in arrs))
        flat_idx = [np.broadcast_to(x, full).reshape(-1) for x in arrs]
        inside = np.ones(flat_idx[0].shape, dtype=bool)
        for a, x in enumerate(flat_idx):
            inside &= (x >= lo[a]) & (x < lo[a] + shape[a])
        pos = np.ravel_multi_index(tuple(np.where(inside, x - lo[a], 0) for a, x in enumerate(flat_idx)), shape)
        at = [np.where(inside, roots[a][pos], x) for a, x in enumerate(flat_idx)]
        sign = np.where(inside, signs[pos], 1)
        return (sign * array_values(op, seed, at)).reshape(full)

    return fn
