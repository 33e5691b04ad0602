r"""Evaluate a parsed claim by calling symconv's PUBLIC functions from a fixed table.

The tree comes from :mod:`symconv.cli.grammar` (never from ``eval``). A name
is looked up in the bindings made with ``--let``; a call is looked up in
:data:`FUNCTIONS` and nowhere else; ``+ - *`` and unary minus are the
operators of the values (symconv Arrays or the claims API's lazy
expressions); ``/`` divides by an exact non-zero number only.

``--let NAME=SPEC`` binds (see :func:`parse_let`):

* numbers: ``f=2,1,3,5,4``, rows ``W=1,2;2,1`` or a nested list ``W=[[1,2],[2,1]]``,
  a single number ``a=3/2`` (a scalar);
* symbols of concrete size: ``x=x:6``, ``X=x:4x5`` (or ``x:4,5``);
* symbols of symbolic size: ``x=x:N``, ``g=g:N-K+1``, ``X=x:H,W`` (sizes are
  expressions of the same grammar), with a structure ``c=w:K:centrosymmetric``.

>>> env = Bindings()
>>> env.let("f=2,1,3,5,4"); env.let("h=[-1, 2, -1]")
>>> from symconv.cli.grammar import parse_claim
>>> tree = parse_claim("convolve(f, h) == correlate(f, h)")
>>> [v.tolist() for v in (env.evaluate(tree.lhs), env.evaluate(tree.rhs))]
[[-3, 0, 3], [-3, 0, 3]]
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from symconv.cli.grammar import Call, Chain, Name, Node, Num, Relation, Seq, Str, Unary, parse_expr_text
from symconv.core.errors import SymconvError

__all__ = ["FUNCTIONS", "Bindings", "parse_let"]

#: The functions a claim may call: name → (module, attribute) of symconv's public API.
FUNCTIONS: dict[str, tuple[str, str]] = {
    "correlate": ("symconv", "correlate"),
    "convolve": ("symconv", "convolve"),
    "grad": ("symconv", "grad"),
    "flip": ("symconv", "flip"),
    "inner": ("symconv", "inner"),
    "sum": ("symconv", "sum"),
    "conv1d": ("symconv.compat.torch", "conv1d"),
    "conv2d": ("symconv.compat.torch", "conv2d"),
    "conv3d": ("symconv.compat.torch", "conv3d"),
}

#: Symbols of concrete size that all ``--let`` together may create (sympy symbols are slow to build and
#: to expand; symbolic sizes such as ``x=x:N`` cover every size at once).
MAX_LET_SYMBOLS = 10_000

#: Structures a symbol array may have (``c=w:K:centrosymmetric``).
STRUCTURES = ("centrosymmetric", "anticentrosymmetric")

_INT_SHAPE = re.compile(r"[0-9]+(?:[xX][0-9]+)*")
_LET = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")


@dataclass
class Binding:
    """One ``--let``: the name, the text it came from, and the value."""

    name: str
    spec: str
    value: Any
    kind: str  # 'numbers', 'scalar', 'symbols', 'symbolic'


def parse_let(text: str) -> tuple[str, str]:
    """``"x=x:6"`` → ``("x", "x:6")``, refusing anything that is not ``NAME=SPEC``.

    >>> parse_let("g=g:N-K+1")
    ('g', 'g:N-K+1')
    """
    m = _LET.fullmatch(text.strip())
    if not m or not m.group(2).strip():
        raise SymconvError(
            "check: `--let` must be NAME=SPEC such as f=2,1,3 or x=x:6 or x=x:N or c=w:K:centrosymmetric; "
            f"got {_shown(text)}"
        )
    return m.group(1), m.group(2).strip()


@dataclass
class Bindings:
    """The names of a claim: ``--let`` bindings and the size symbols their shapes mention."""

    values: dict[str, Binding] = field(default_factory=dict)
    sizes: dict[str, Any] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    symbol_count: int = 0

    # -- --let ------------------------------------------------------------------------------------------
    def let(self, text: str) -> None:
        """Bind one ``NAME=SPEC`` (see the module's documentation)."""
        name, spec = parse_let(text)
        what = f"check: `--let {name}`"
        if name in self.values:
            raise SymconvError(f"{what}: {name!r} is bound twice; give each name one --let")
        if name in FUNCTIONS:
            raise SymconvError(f"{what}: {name!r} is a function of the claim language; bind another name")
        if name in self.sizes:
            raise SymconvError(f"{what}: {name!r} is already a size symbol (in a shape); bind another name")
        if ":" in spec and not spec.lstrip().startswith("["):
            value, kind = self._symbols(name, spec, what)
        else:
            value, kind = self._numbers(spec, what)
        self.values[name] = Binding(name, spec, value, kind)
        self.order.append(name)

    def _numbers(self, spec: str, what: str) -> tuple[Any, str]:
        import sympy

        from symconv.cli.ops import parse_array

        if "," not in spec and ";" not in spec and not spec.startswith("["):
            node = parse_expr_text(spec, what)
            value = self._number_of(node, what)
            return sympy.Rational(value.numerator, value.denominator), "scalar"
        return parse_array(spec, what.removeprefix("check: ").strip("`")), "numbers"

    def _number_of(self, node: Node, what: str) -> Fraction:
        """An exact number from a literal such as ``3``, ``-1/2``, ``2.5`` (nothing else)."""
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Unary) and isinstance(node.operand, Num):
            return node.operand.value if node.op == "+" else -node.operand.value
        if isinstance(node, Chain) and len(node.rest) == 1 and node.rest[0][0] == "/":
            a, b = self._number_of(node.first, what), self._number_of(node.rest[0][1], what)
            if b == 0:
                raise SymconvError(f"{what}: division by zero at column {node.rest[0][2]}")
            return a / b
        raise SymconvError(
            f"{what}: expected a number such as 2, -1/2 or 0.5 at column {node.col}; "
            "entries of a list literal and scalars are numbers (use NAME:SHAPE for symbols)"
        )

    def _literal(self, node: Seq, what: str) -> Any:
        """A nested list of numbers as a symconv Array (exact Rationals)."""
        import sympy

        import symconv

        def conv(n: Node, depth: int) -> Any:
            if isinstance(n, Seq):
                return [conv(i, depth + 1) for i in n.items]
            v = self._number_of(n, what)
            return sympy.Rational(v.numerator, v.denominator)

        return symconv.asarray(conv(node, 0))

    def _symbols(self, name: str, spec: str, what: str) -> tuple[Any, str]:
        parts = spec.split(":")
        if len(parts) not in (2, 3) or not parts[0].strip() or not parts[1].strip():
            raise SymconvError(
                f"{what}: symbols are SYMBOL:SHAPE or SYMBOL:SHAPE:STRUCTURE such as x:6, x:4x5, x:N, "
                f"w:K:centrosymmetric; got {_shown(spec)}"
            )
        symbol, shape = parts[0].strip(), parts[1].strip()
        if not (symbol.isascii() and symbol.isidentifier()):
            raise SymconvError(f"{what}: the symbol name must be an identifier such as x; got {_shown(symbol)}")
        structure = parts[2].strip() if len(parts) == 3 else None
        if structure is not None and structure not in STRUCTURES:
            raise SymconvError(f"{what}: the structure must be one of {', '.join(STRUCTURES)}; got {_shown(structure)}")
        dims = self._shape(shape, what)
        if all(isinstance(d, int) for d in dims):
            if any(d < 1 for d in dims):
                raise SymconvError(f"{what}: every size of the `shape` must be an integer ≥ 1; got {tuple(dims)}")
            self._count_symbols(dims, what)
            from symconv.claims import Leaf

            # a lazy leaf: the operations on it stay contractions of the one definition, which the prover's
            # exact engine decides without building a symbol (its values are symbols(symbol, dims) entry by entry)
            return Leaf(symbol, dims, structure), "symbols"
        return self._symbolic_symbols(symbol, dims, structure, what), "symbolic"

    def _count_symbols(self, dims: list[Any], what: str) -> None:
        """Refuse symbols of concrete size beyond :data:`MAX_LET_SYMBOLS` in all, before any is built."""
        count = 1
        for d in dims:
            if d < 1:
                return  # symbols() names the bad shape
            count *= d
            if count > MAX_LET_SYMBOLS:
                break
        self.symbol_count += count
        if self.symbol_count > MAX_LET_SYMBOLS:
            raise SymconvError(
                f"{what}: the --let symbols would number at least {self.symbol_count:,}, beyond "
                f"{MAX_LET_SYMBOLS:,} in all; use numbers (f=2,1,3), smaller shapes, or symbolic sizes "
                "(x=x:N) to decide the claim for every size at once"
            )

    def _shape(self, shape: str, what: str) -> list[Any]:
        """``4x5`` → ``[4, 5]``; ``N, N-K+1`` → size expressions (integers where they are numbers)."""
        from symconv.arrays.array import MAX_NDIM

        if _INT_SHAPE.fullmatch(shape):
            texts = re.split("[xX]", shape)
        else:
            texts = shape.split(",")
        if len(texts) > MAX_NDIM:
            raise SymconvError(f"{what}: a shape may have at most {MAX_NDIM} axes; got {len(texts)}")
        dims: list[Any] = []
        for i, t in enumerate(texts):
            node = parse_expr_text(t.strip(), f"{what} (size of axis {i})")
            dims.append(self._size(node, f"{what} (size of axis {i})"))
        return dims

    def _size(self, node: Node, what: str, *, new: bool = True) -> Any:
        """A size expression: integers stay integers; names become size symbols (``new=False``: known ones only)."""
        import sympy

        if isinstance(node, Num):
            if node.value.denominator != 1:
                raise SymconvError(f"{what}: a size must be an integer; got {node.value} at column {node.col}")
            return int(node.value)
        if isinstance(node, Name):
            if not new and node.name not in self.sizes:
                raise SymconvError(f"{what}: {node.name!r} at column {node.col} is neither bound nor a size")
            return self.size_symbol(node.name, what)
        if isinstance(node, Unary):
            inner = self._size(node.operand, what, new=new)
            return -inner if node.op == "-" else inner
        if isinstance(node, Chain):
            total = self._size(node.first, what, new=new)
            for op, operand, col in node.rest:
                value = self._size(operand, what, new=new)
                if op == "+":
                    total = total + value
                elif op == "-":
                    total = total - value
                elif op == "*":
                    total = total * value
                else:
                    raise SymconvError(f"{what}: sizes use + - * only; got {op!r} at column {col}")
            if isinstance(total, sympy.Basic) and total.is_Integer:
                return int(total)
            return total
        raise SymconvError(f"{what}: a size is an integer, a name or + - * of them; see column {node.col}")

    def size_symbol(self, name: str, what: str) -> Any:
        """The size symbol called ``name`` (made once, shared by every shape and assumption)."""
        if name in self.values:
            raise SymconvError(f"{what}: {name!r} is bound with --let, so it cannot also be a size")
        if name in FUNCTIONS:
            raise SymconvError(f"{what}: {name!r} is a function of the claim language, not a size")
        if name not in self.sizes:
            self.sizes[name] = _new_size(name, what)
        return self.sizes[name]

    def _symbolic_symbols(self, symbol: str, dims: list[Any], structure: str | None, what: str) -> Any:
        return _symbolic_array(symbol, dims, structure, what)

    # -- evaluation ---------------------------------------------------------------------------------------
    def evaluate(self, node: Node) -> Any:
        """The value of ``node``: calls from :data:`FUNCTIONS`, names from the bindings."""
        import sympy

        if isinstance(node, Num):
            return sympy.Rational(node.value.numerator, node.value.denominator)
        if isinstance(node, Name):
            if node.name in self.values:
                return self.values[node.name].value
            if node.name in self.sizes:
                return self.sizes[node.name]
            hint = " (a function: call it with parentheses)" if node.name in FUNCTIONS else ""
            raise SymconvError(
                f"check: the claim uses {node.name!r} at column {node.col}, which is not bound{hint}; "
                f"bind it with --let {node.name}=... (e.g. --let {node.name}={node.name}:5)"
            )
        if isinstance(node, Seq):
            return self._literal(node, f"check: the list at column {node.col}")
        if isinstance(node, Str):
            raise SymconvError(
                f"check: a quoted word ({node.value!r} at column {node.col}) may only be a keyword value (mode='full')"
            )
        if isinstance(node, Unary):
            value = self.evaluate(node.operand)
            return -value if node.op == "-" else value
        if isinstance(node, Chain):
            return self._chain(node)
        if isinstance(node, Call):
            return self._call(node)
        raise SymconvError(f"check: a comparison cannot be nested inside the claim (column {node.col})")

    def _chain(self, node: Chain) -> Any:
        import sympy

        total = self.evaluate(node.first)
        for op, operand, col in node.rest:
            value = self.evaluate(operand)
            if op == "+":
                total = total + value
            elif op == "-":
                total = total - value
            elif op == "*":
                total = total * value
            else:
                if not (isinstance(value, sympy.Basic) and value.is_Number):
                    raise SymconvError(f"check: '/' at column {col} divides by an exact number only (e.g. x/2)")
                if value == 0:
                    raise SymconvError(f"check: division by zero at column {col}")
                total = total * (1 / value)
        return total

    def _call(self, node: Call) -> Any:
        if node.func not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise SymconvError(f"check: unknown function {node.func!r} at column {node.col}; known: {known}")
        fn = _function(node.func)
        args = [self.evaluate(a) for a in node.args]
        kwargs = {k: self._keyword(v, node.func, k) for k, v in node.kwargs}
        try:
            return fn(*args, **kwargs)
        except TypeError as exc:  # a wrong number of arguments or an unknown keyword, typed by the user
            raise SymconvError(f"check: {node.func}(…) at column {node.col}: {exc}") from None

    def _keyword(self, node: Node, func: str, key: str) -> Any:
        """A keyword value: a quoted word, an integer, a size, or a list/tuple of these (nested)."""
        if isinstance(node, Str):
            return node.value
        if isinstance(node, Seq):
            return tuple(self._keyword(i, func, key) for i in node.items)
        if isinstance(node, Name) and node.name in self.values:
            return self.evaluate(node)
        what = f"check: {func}(…, {key}=…)"
        try:
            value = self._size(node, what, new=False)
        except SymconvError:
            if isinstance(node, Name) and node.name not in self.sizes:
                raise SymconvError(
                    f"{what}: {node.name!r} at column {node.col} is not bound; quote words ({key}='{node.name}')"
                ) from None
            raise
        return value


def _function(name: str) -> Callable[..., Any]:
    module, attr = FUNCTIONS[name]
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


# -- symbolic sizes (symconv.claims) ------------------------------------------------------------------------


def _new_size(name: str, what: str) -> Any:
    """A positive-integer size symbol (what ``symconv.sizes`` makes), without touching the process-wide
    registry of declared relations: a claim's relations are its ``--assume`` only."""
    from symconv.claims.sizes import size_symbol

    return size_symbol(name)


def _symbolic_array(symbol: str, dims: list[Any], structure: str | None, what: str) -> Any:
    """``symconv.symbols(symbol, dims)`` (which validates the sizes), without relations declared elsewhere."""
    import symconv
    from symconv.claims import Leaf

    leaf = symconv.symbols(symbol, tuple(dims) if len(dims) > 1 else dims[0], structure=structure)
    return Leaf(leaf.name, leaf.shape, leaf.structure)


def relation_of(env: Bindings, rel: Relation, what: str) -> Any:
    """``--assume "N >= 2*K"`` as a sympy relation between size expressions (never parsed by sympy)."""
    import sympy

    lhs, rhs = env._size(rel.lhs, what, new=False), env._size(rel.rhs, what, new=False)
    ops = {">=": sympy.Ge, "<=": sympy.Le, ">": sympy.Gt, "<": sympy.Lt, "==": sympy.Eq, "!=": sympy.Ne}
    return ops[rel.op](lhs, rhs, evaluate=False)
