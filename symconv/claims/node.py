r"""Lazy array expressions of symbolic size: the base class, the leaves and the Iverson-sum algebra.

A :class:`Node` stands for an array whose shape holds size expressions
(``(N - K + 1,)``). It is never expanded: it converts on demand

* to Iverson sums over :math:`\mathbb{Z}` (:meth:`Node.iverson`), read off the
  one definition (:mod:`symconv.core.formula`) through
  :func:`symconv.proofs._iverson.contraction_sum`, with nested operations
  substituted (a sum of products is multiplied out, bound variables renamed
  apart);
* to its concrete value at given sizes (:meth:`Node.at`), computed by the
  ordinary concrete operations;
* to contractions for the exact engine (:meth:`Node.contractions`), where the
  expression is a linear combination of single operations on named arrays.

>>> from symconv.claims.sizes import sizes
>>> (N,) = sizes("N")
>>> x = Leaf("x", (N,))
>>> x.shape, str(x)
((N,), 'x')
>>> x.at({N: 3}).tolist()
[x_0, x_1, x_2]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np
import sympy

from symconv.arrays.array import Array, symbols
from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.core.formula import Contraction, Factor, Operand, Var
from symconv.core.numbers import shown
from symconv.gradients.grad import reindex_operand, rename_operands
from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Sum, Term

__all__ = ["Const", "Fresh", "Leaf", "Node", "as_node", "combine", "in_range", "sift"]

STRUCTURES = ("centrosymmetric", "anticentrosymmetric")

#: At most this many Iverson sums from one expression (a product of sums multiplies out).
MAX_SUMS = 10_000

#: The operations behind ``+ - * [] flip`` (filled in by :mod:`symconv.claims.ops`, which imports this module).
OPERATIONS: dict[str, Callable[..., Any]] = {}


class Fresh:
    """Bound-variable names not used yet: ``n0``, then ``n0'``, ``n0''`` …"""

    def __init__(self, used: Sequence[str] = ()) -> None:
        self.used = set(used)

    def name(self, base: str) -> str:
        out = base
        while out in self.used:
            out += "'"
        self.used.add(out)
        return out


def in_range(index: Sequence[Affine], shape: Sequence[Any]) -> list[Constraint]:
    """``0 ≤ index_a < shape_a`` on every axis."""
    out: list[Constraint] = []
    for a, n in zip(index, shape):
        out += [Constraint.le(0, a), Constraint.lt(a, Affine.constant(as_expr(n)))]
    return out


def combine(parts: Sequence[Sequence[Sum]]) -> list[Sum]:
    """The product of sums of Iverson sums, multiplied out (bound variables must already be distinct)."""
    count = 1
    for p in parts:
        count *= len(p)
    if count > MAX_SUMS:
        raise SymconvError(
            f"iverson: the expression multiplies out to {count} Iverson sums (more than {MAX_SUMS}); "
            "state the claim with fewer sums of sums multiplied together"
        )
    out = []
    for choice in product(*parts):
        coeff = 1
        for s in choice:
            coeff *= s.coeff
        out.append(
            Sum(
                tuple(v for s in choice for v in s.variables),
                tuple(c for s in choice for c in s.guard),
                tuple(t for s in choice for t in s.factors),
                coeff,
            )
        )
    return out


def sift(s: Sum, names: Sequence[str]) -> Sum:
    """Eliminate the bound variables ``names`` fixed by an equality of the guard (coefficient ±1)."""
    for v in names:
        if v not in s.variables:
            continue
        for c in s.guard:
            if c.op != "==" or c.expr.coeff(v) not in (1, -1):
                continue
            k = c.expr.coeff(v)
            rest = c.expr - Affine.var(v) * k
            if v in rest.variables:
                continue
            value = -rest if k == 1 else rest
            others = tuple(x for x in s.variables if x != v)
            guard = tuple(g for g in s.guard if g is not c)
            s = Sum(others, guard, s.factors, s.coeff).substitute({v: value}, others)
            break
    return s


class Node:
    """A lazy array expression of symbolic size (see the module docstring)."""

    shape: tuple[sympy.Expr, ...] = ()
    __array_priority__ = 2000
    __array_ufunc__ = None  # numpy arrays defer to the reflected operators
    _symconv_lazy = True

    # -- structure ----------------------------------------------------------
    def children(self) -> tuple[Node, ...]:
        return ()

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return len(self.shape)

    def leaves(self) -> list[Leaf]:
        """The named arrays this expression reads, once each (first occurrence order)."""
        out: list[Leaf] = []
        seen: set[int] = set()
        stack: list[Node] = [self]
        order: list[Node] = []
        while stack:
            n = stack.pop()
            order.append(n)
            stack.extend(reversed(n.children()))
        for n in order:
            if isinstance(n, Leaf) and id(n) not in seen:
                seen.add(id(n))
                out.append(n)
        return out

    def nodes(self) -> list[Node]:
        """Every node of the tree (pre-order)."""
        out: list[Node] = []
        stack: list[Node] = [self]
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(reversed(n.children()))
        return out

    @property
    def params(self) -> tuple[sympy.Symbol, ...]:
        """The size symbols of every shape in the expression, sorted by name."""
        syms: set[sympy.Symbol] = set()
        for n in self.nodes():
            for e in n.shape:
                syms |= as_expr(e).free_symbols  # type: ignore[arg-type]
            syms |= n._extra_params()
        return tuple(sorted(syms, key=lambda s: s.name))

    def _extra_params(self) -> set[sympy.Symbol]:
        return set()

    def conditions(self) -> list[Constraint]:
        """What the expression needs to be defined: sizes ≥ 1, windows that fit (this node only)."""
        return []

    # -- conversions ----------------------------------------------------------
    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        """The entry at ``at`` as Iverson sums (bound variables named through ``fresh``)."""
        raise NotImplementedError

    def iverson(self, ctx: Context, *, derivative: bool = True) -> Expr | Derivative:
        """The expression at the free indices ``ctx.free`` as the prover's Iverson sums."""
        if len(ctx.free) != self.ndim:
            raise SymconvError(
                f"iverson: the context must have one free index per axis ({self.ndim}); got {list(ctx.free)}"
            )
        at = tuple(Affine.var(f) for f in ctx.free)
        fresh = Fresh((*ctx.free, *(p.name for p in ctx.params)))  # bound variables apart from sizes too
        return Expr(tuple(self.sums(at, fresh)))

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        """The concrete value at ``sizes`` (``arrays`` caches the leaves' concrete arrays)."""
        raise NotImplementedError

    def at(self, sizes: Mapping[Any, int]) -> Array:
        """The concrete value at ``sizes`` (every size symbol of the expression given an integer ≥ 1).

        Leaves become ``symconv.symbols(name, shape)`` (with their structure);
        the ordinary concrete operations compute the rest.
        """
        return self.value(concrete_sizes(self, sizes), {})

    def contractions(self, sizes: Mapping[Any, int]) -> list[tuple[int, Contraction]] | None:
        """The expression at ``sizes`` as a side for ``check_exact`` (``None`` if it is not one)."""
        return self.engine(concrete_sizes(self, sizes))

    def engine(self, sizes: Mapping[sympy.Symbol, int]) -> list[tuple[int, Contraction]] | None:
        return None

    def view(self) -> tuple[Leaf, Callable[[tuple[Affine, ...]], tuple[Affine, ...]]] | None:
        """``(leaf, f)`` when this array is ``leaf`` read at ``f(index)`` (a flip or a transpose of it)."""
        return None

    # -- display ----------------------------------------------------------------
    def text(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<symconv lazy array {self.text()} of shape {shape_text(self.shape)}>"

    def latex(self) -> str:
        """The entry at ``i`` (one free index per axis) as LaTeX Iverson sums."""
        from symconv.proofs._render import side_latex

        free = tuple(f"i{a}" for a in range(self.ndim))
        ctx = Context(self.params, free, ())
        return side_latex(self.iverson(ctx, derivative=False), max(1, self.ndim))

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"

    # -- arithmetic (the nodes live in symconv.claims.ops, which fills OPERATIONS) --
    def __add__(self, other: Any) -> Node:
        return OPERATIONS["linear"]("+", [(1, self), (1, other)])

    def __radd__(self, other: Any) -> Node:
        return OPERATIONS["linear"]("+", [(1, other), (1, self)])

    def __sub__(self, other: Any) -> Node:
        return OPERATIONS["linear"]("-", [(1, self), (-1, other)])

    def __rsub__(self, other: Any) -> Node:
        return OPERATIONS["linear"]("-", [(1, other), (-1, self)])

    def __neg__(self) -> Node:
        return OPERATIONS["linear"]("-", [(-1, self)])

    def __mul__(self, other: Any) -> Node:
        return OPERATIONS["multiply"](self, other)

    def __rmul__(self, other: Any) -> Node:
        return OPERATIONS["multiply"](other, self)

    def __getitem__(self, key: Any) -> Node:
        return OPERATIONS["crop"](self, key)

    def __iter__(self) -> Any:
        length = self.shape[0] if self.shape else "none"
        raise SymconvError(
            f"a lazy array of symbolic size cannot be iterated (its length is {length}); "
            "index it (x[i], x[a:b]) or give sizes with .at({...})"
        )

    def __len__(self) -> int:
        raise SymconvError("a lazy array of symbolic size has no len(); its shape is .shape")

    def transpose(self, *axes: Any) -> Node:
        """The axes permuted (numpy's ``transpose``: reversed when none is given)."""
        return OPERATIONS["transpose"](self, *axes)

    def flip(self) -> Node:
        """Reversed along every axis (``symconv.flip``)."""
        return OPERATIONS["Flip"](self)


def on_leaves(c: Contraction, roles: Mapping[str, Node], sizes: Mapping[sympy.Symbol, int]) -> Contraction | None:
    """The contraction ``c`` (symbolic) with each operand ``role`` read from the named array it views, at ``sizes``.

    ``None`` unless every operand is a named array (or a flip or transpose of one) and the names differ.
    """
    views = {role: node.view() for role, node in roles.items()}
    if any(v is None for v in views.values()):
        return None
    names = [v[0].name for v in views.values() if v is not None]
    if len(set(names)) != len(names):
        return None
    renamed = {role: v[0].name for role, v in views.items() if v is not None}
    c = rename_operands(c, renamed | {c.result.name: result_name(names)})
    for v in views.values():
        if v is not None:
            c = reindex_operand(c, v[0].name, v[1], v[0].shape)
    c = c.subs(sizes)
    return c if c.is_concrete() else None


def result_name(taken: Iterable[str]) -> str:
    """A name for the result of an engine contraction that no array of the claim has.

    ``"result"``, or ``"result_1"``, ``"result_2"``, … when a leaf is called so: any valid leaf
    name works (a leaf named ``result`` was once refused by the engine as "the name of its result").

    >>> result_name(["x", "w"]), result_name(["result", "result_1"])
    ('result', 'result_2')
    """
    names = set(taken)
    name, i = "result", 0
    while name in names:
        i += 1
        name = f"result_{i}"
    return name


def shape_text(shape: Sequence[Any]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def concrete_sizes(node: Node, sizes: Mapping[Any, int]) -> dict[sympy.Symbol, int]:
    """``sizes`` checked: an integer ≥ 1 for every size symbol of ``node`` (keys symbols or names)."""
    if not isinstance(sizes, Mapping):
        raise SymconvError(f"at: `sizes` must be a dict from size to integer such as {{N: 5}}; got {shown(sizes)}")
    by_name = {p.name: p for p in node.params}
    out: dict[sympy.Symbol, int] = {}
    for k, v in sizes.items():
        sym = by_name.get(k) if isinstance(k, str) else k
        if not isinstance(sym, sympy.Symbol):
            raise SymconvError(f"at: every key of `sizes` must be a size symbol or name; got {shown(k)}")
        if isinstance(v, bool) or not isinstance(v, (int, np.integer, sympy.Integer)) or int(v) < 1:
            raise SymconvError(f"at: the size {sym} must be an integer ≥ 1; got {shown(v)}")
        out[sym] = int(v)
    missing = [p.name for p in node.params if p not in out]
    if missing:
        raise SymconvError(f"at: `sizes` must give every size of the expression; missing {missing}")
    for n in node.nodes():
        for e in n.shape:
            v = as_expr(e).xreplace({k: sympy.Integer(x) for k, x in out.items()})
            if not v.is_Integer or int(v) < (1 if isinstance(n, Leaf) else 0):
                raise SymconvError(f"at: at {out} the shape {shape_text(n.shape)} of {n.text()} has the entry {v}")
    return out


def _int_shape(shape: Sequence[Any], sizes: Mapping[sympy.Symbol, int]) -> tuple[int, ...]:
    return tuple(int(as_expr(e).xreplace({k: sympy.Integer(v) for k, v in sizes.items()})) for e in shape)


class Leaf(Node):
    """A named array of symbolic (or concrete) shape: ``x`` with entries ``x[i]``.

    ``structure`` (``"centrosymmetric"`` / ``"anticentrosymmetric"``) is a
    hypothesis about its entries; ``relations`` are the size relations
    declared for its sizes when it was built.
    """

    def __init__(
        self,
        name: str,
        shape: Sequence[Any],
        structure: str | None = None,
        relations: tuple[Constraint, ...] = (),
    ) -> None:
        self.name = name
        self.shape = tuple(as_expr(s) for s in shape)
        self.structure = structure
        self.relations = relations

    def conditions(self) -> list[Constraint]:
        return [Constraint.le(1, Affine.constant(s)) for s in self.shape if not s.is_Integer] + list(self.relations)

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        return [Sum((), tuple(in_range(at, self.shape)), (Term(self.name, tuple(at)),))]

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        if self.name not in arrays:
            arrays[self.name] = symbols(self.name, _int_shape(self.shape, sizes), structure=self.structure)
        return arrays[self.name]

    def engine(self, sizes: Mapping[sympy.Symbol, int]) -> list[tuple[int, Contraction]] | None:
        shape = tuple(sympy.Integer(n) for n in _int_shape(self.shape, sizes))
        v = tuple(Var(f"v{a}", n) for a, n in enumerate(shape))
        idx = tuple(Affine.var(x.name) for x in v)
        c = Contraction(
            "read",
            Operand(result_name([self.name]), shape),
            idx,
            v,
            (Factor(self.name, idx),),
            (Operand(self.name, shape),),
        )
        return [(1, c)]

    def view(self) -> tuple[Leaf, Callable[[tuple[Affine, ...]], tuple[Affine, ...]]] | None:
        return self, lambda ix: ix

    def text(self) -> str:
        return self.name


class Const(Node):
    """A concrete array (integer entries) inside a symbolic expression."""

    def __init__(self, array: Array) -> None:
        self.array = array
        self.shape = tuple(sympy.Integer(n) for n in array.shape)

    def sums(self, at: Sequence[Affine], fresh: Fresh) -> list[Sum]:
        if self.array.size > MAX_SUMS:
            raise SymconvError(
                f"iverson: a concrete array in a symbolic claim may have at most {MAX_SUMS} entries; "
                f"got shape {self.array.shape}"
            )
        out = []
        for idx, e in np.ndenumerate(self.array.numpy()):
            if not (isinstance(e, sympy.Expr) and e.is_Integer):
                raise SymconvError(
                    f"iverson: a concrete array in a symbolic claim must have integer entries (or be "
                    f"symconv.symbols(...)); got the entry {shown(e)}"
                )
            if e != 0:
                out.append(Sum((), tuple(Constraint.eq(a, int(i)) for a, i in zip(at, idx)), (), int(e)))
        return out

    def value(self, sizes: Mapping[sympy.Symbol, int], arrays: dict[str, Array]) -> Array:
        return self.array

    def text(self) -> str:
        return str(self.array.tolist())


def _symbol_leaf(a: Array) -> Leaf | None:
    """The leaf ``name`` of shape ``a.shape`` when ``a`` is exactly ``symbols(name, a.shape)``."""
    flat = list(a.numpy().flat)
    if not flat or not isinstance(flat[0], sympy.Symbol):
        return None
    name = flat[0].name.split("_")[0]
    if not name.isidentifier():
        return None
    try:
        same = symbols(name, a.shape)
    except SymconvError:
        return None
    if same == a:
        return Leaf(name, a.shape)
    for st in STRUCTURES:
        if symbols(name, a.shape, structure=st) == a:
            return Leaf(name, a.shape, st)
    return None


def as_node(where: str, arg: str, value: Any) -> Node:
    """``value`` as a node: nodes as they are, arrays of symbols as leaves, other arrays as constants."""
    if isinstance(value, Node):
        return value
    from symconv.arrays.array import operand

    a = value if isinstance(value, Array) else operand(where, arg, value)
    leaf = _symbol_leaf(a)
    return leaf if leaf is not None else Const(a)
