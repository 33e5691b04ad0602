"""Symbolic N-D arrays: named symbols, exact numbers, or a mix.

>>> x = symbols("x", 3)
>>> x
Array([x_0, x_1, x_2])
>>> asarray([[1, 2], [3, 4]]).shape
(2, 2)
>>> symbols("w", (2, 2))[1, 0]
w_{1,0}
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from symconv._errors import SymconvError

__all__ = ["Array", "asarray", "symbols"]


def _entry(value: Any, *, exact: bool, where: str) -> sympy.Expr:
    """Convert one entry to a sympy expression without parsing strings."""
    if isinstance(value, sympy.Basic):
        if not isinstance(value, sympy.Expr):
            raise SymconvError(f"{where}: entries must be sympy expressions or numbers; got {type(value).__name__}")
        return value
    if isinstance(value, (bool, np.bool_)):
        return sympy.Integer(int(value))
    if isinstance(value, (int, np.integer)):
        return sympy.Integer(int(value))
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise SymconvError(f"{where}: entries must be finite; got {value!r}")
        return sympy.Rational(Fraction(float(value))) if exact else sympy.Float(float(value))
    if isinstance(value, (complex, np.complexfloating)):
        re = _entry(float(value.real), exact=exact, where=where)
        im = _entry(float(value.imag), exact=exact, where=where)
        return re + sympy.I * im
    if isinstance(value, (list, tuple, np.ndarray)):
        raise SymconvError(
            f"{where}: `values` must be rectangular (every row the same length); found a nested {type(value).__name__}"
        )
    if isinstance(value, numbers.Number):
        raise SymconvError(f"{where}: unsupported number type {type(value).__name__}")
    if isinstance(value, str):
        raise SymconvError(
            f"{where}: entries must be numbers or sympy expressions; got the string {value!r} "
            "(symconv never parses strings: use symconv.symbols or sympy.Symbol)"
        )
    raise SymconvError(f"{where}: entries must be numbers or sympy expressions; got {type(value).__name__}")


class Array:
    """An immutable N-D array of sympy expressions.

    Build one with :func:`symbols` (distinct named symbols) or :func:`asarray`
    (exact or numeric entries); operations such as
    :func:`symconv.correlate` return them.
    """

    __slots__ = ("_data",)
    __hash__ = None  # type: ignore[assignment]
    __array_priority__ = 1000

    def __init__(self, data: np.ndarray) -> None:
        if not isinstance(data, np.ndarray) or data.dtype != object:
            raise TypeError("Array() takes an object ndarray; use symconv.asarray")
        data = data.copy()
        data.setflags(write=False)
        self._data = data

    # -- basic protocol ------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return tuple(int(s) for s in self._data.shape)

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return int(self._data.ndim)

    @property
    def size(self) -> int:
        """Number of entries."""
        return int(self._data.size)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d Array")
        return self.shape[0]

    def __iter__(self) -> Any:
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, key: Any) -> Any:
        out = self._data[key]
        if isinstance(out, np.ndarray):
            return Array(out)
        return out

    def numpy(self) -> np.ndarray:
        """The entries as a read-only numpy object array."""
        return self._data

    def tolist(self) -> Any:
        """Nested Python lists of sympy expressions."""
        return self._data.tolist()

    @property
    def free_symbols(self) -> set[sympy.Symbol]:
        """All symbols appearing in the entries."""
        out: set[sympy.Symbol] = set()
        for e in self._data.flat:
            out |= e.free_symbols
        return out

    def subs(self, mapping: Mapping[Any, Any] | Iterable[tuple[Any, Any]]) -> Array:
        """Substitute values (sympy-style mapping) into every entry.

        >>> x = symbols("x", 2)
        >>> x.subs({x[0]: 3}).tolist()
        [3, x_1]
        """
        rules = {
            _entry(k, exact=False, where="subs"): _entry(v, exact=False, where="subs") for k, v in dict(mapping).items()
        }
        flat = [e.xreplace(rules) for e in self._data.flat]
        out = np.empty(self.size, dtype=object)
        out[:] = flat
        return Array(out.reshape(self.shape))

    def to_numpy(self, dtype: Any = float) -> np.ndarray:
        """Numeric values as a numpy array of ``dtype`` (entries must be numbers).

        >>> asarray([1, 2]).to_numpy(int).tolist()
        [1, 2]
        """
        free = self.free_symbols
        if free:
            names = ", ".join(sorted(str(s) for s in free)[:5])
            raise SymconvError(f"to_numpy: entries must be numbers; the array still contains symbols ({names})")
        conv = complex if np.dtype(dtype).kind == "c" else (int if np.dtype(dtype).kind in "iu" else float)
        # expand first: exact numbers (e.g. (1+2i)(3-i) + 4) then convert without rounding noise
        exact = [e if e.is_Number else sympy.expand(e) for e in self._data.flat]
        return np.array([conv(e) for e in exact], dtype=dtype).reshape(self.shape)

    # -- comparison and arithmetic -----------------------------------------------
    def __eq__(self, other: object) -> bool:
        """Structural equality: same shape and identical (not merely equivalent) entries."""
        if not isinstance(other, Array):
            return NotImplemented
        return self.shape == other.shape and all(a == b for a, b in zip(self._data.flat, other._data.flat))

    def equals(self, other: Array) -> bool:
        """Mathematical equality: entries equal after ``expand``."""
        return self.shape == other.shape and all(
            sympy.expand(a - b) == 0 for a, b in zip(self._data.flat, other._data.flat)
        )

    def _binary(self, other: Any, op: Any) -> Array:
        o = other._data if isinstance(other, Array) else np.asarray(asarray(other)._data)
        return Array(np.asarray(op(self._data, o), dtype=object))

    def __add__(self, other: Any) -> Array:
        return self._binary(other, np.add)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Array:
        return self._binary(other, np.subtract)

    def __rsub__(self, other: Any) -> Array:
        return asarray(other) - self

    def __neg__(self) -> Array:
        return Array(np.asarray(-self._data, dtype=object))

    def __mul__(self, other: Any) -> Array:
        return self._binary(other, np.multiply)

    __rmul__ = __mul__

    def expand(self) -> Array:
        """Expand every entry (``sympy.expand``)."""
        return self.applyfunc(sympy.expand)

    def applyfunc(self, f: Any) -> Array:
        """Apply ``f`` to every entry."""
        out = np.empty(self.size, dtype=object)
        out[:] = [f(e) for e in self._data.flat]
        return Array(out.reshape(self.shape))

    def flip(self) -> Array:
        """Reverse every axis (the 180° rotation in 2-D)."""
        return Array(self._data[(slice(None, None, -1),) * self.ndim])

    def reshape(self, *shape: Any) -> Array:
        """A reshaped copy."""
        return Array(self._data.reshape(*shape))

    # -- display --------------------------------------------------------------
    def latex(self) -> str:
        r"""LaTeX for the array: a row vector in brackets, or a ``bmatrix``.

        >>> symbols("x", 2).latex()
        '\\left[ x_{0}, \\ x_{1} \\right]'
        """
        if self.ndim == 0:
            return sympy.latex(self._data[()])
        if self.ndim == 1:
            return r"\left[ " + r", \ ".join(sympy.latex(e) for e in self._data) + r" \right]"
        if self.ndim == 2:
            rows = [" & ".join(sympy.latex(e) for e in row) for row in self._data]
            return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"
        return r"\left[ " + r", \ ".join(Array(self._data[i]).latex() for i in range(self.shape[0])) + r" \right]"

    def _repr_latex_(self) -> str:
        return "$" + self.latex() + "$"

    def __repr__(self) -> str:
        if self.ndim == 0:
            return f"Array({self._data[()]})"
        body = np.array2string(self._data, separator=", ", formatter={"all": str}, max_line_width=100)
        return f"Array({body.replace(chr(10), chr(10) + '      ')})"


def _symbol_name(name: str, idx: tuple[int, ...]) -> str:
    if len(idx) == 1:
        return f"{name}_{idx[0]}"
    return f"{name}_{{{','.join(str(i) for i in idx)}}}"


STRUCTURES = ("centrosymmetric", "anticentrosymmetric")


def symbols(name: str, shape: int | Iterable[int], *, structure: str | None = None, **assumptions: Any) -> Array:
    """An array of distinct symbols ``name_i`` (1-D) or ``name_{i,j,…}`` (N-D).

    ``structure`` builds a kernel with a symmetry, so results about it show
    symbolically. With ``flip(i)`` the index reversed along EVERY axis:

    * ``"centrosymmetric"``: ``w[i] = w[flip(i)]`` (``[w_0, w_1, w_0]``),
    * ``"anticentrosymmetric"``: ``w[i] = -w[flip(i)]``, so the centre entry
      (if any) is 0 (``[w_0, 0, -w_0]``).

    Each pair ``{i, flip(i)}`` is named after its first index in C order.
    Sympy assumptions (``real=True``, ``integer=True`` …) pass through.

    >>> symbols("x", 3).tolist()
    [x_0, x_1, x_2]
    >>> symbols("w", (2, 1)).tolist()
    [[w_{0,0}], [w_{1,0}]]
    >>> symbols("w", 3, structure="centrosymmetric").tolist()
    [w_0, w_1, w_0]
    >>> symbols("w", 3, structure="anticentrosymmetric").tolist()
    [w_0, 0, -w_0]
    >>> symbols("w", (2, 2), structure="centrosymmetric").tolist()
    [[w_{0,0}, w_{0,1}], [w_{0,1}, w_{0,0}]]
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise SymconvError(f"symbols: `name` must be an identifier such as 'x'; got {name!r}")
    if isinstance(shape, (int, np.integer)):
        dims: tuple[Any, ...] = (shape,)
    elif isinstance(shape, Iterable) and not isinstance(shape, str):
        dims = tuple(shape)
    else:
        raise SymconvError(f"symbols: `shape` must be an integer ≥ 1 or a sequence of them; got {shape!r}")
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
            raise SymconvError(f"symbols: every entry of `shape` must be an integer ≥ 1; got {shape!r}")
    if not dims:
        raise SymconvError("symbols: `shape` must have at least one axis; got ()")
    if structure is not None and structure not in STRUCTURES:
        allowed = ", ".join(repr(s) for s in STRUCTURES)
        raise SymconvError(f"symbols: `structure` must be None or one of {allowed}; got {structure!r}")
    out = np.empty(dims, dtype=object)
    for idx in np.ndindex(*dims):
        mirror = tuple(d - 1 - i for d, i in zip(dims, idx))
        if structure is None or idx <= mirror:
            if structure == "anticentrosymmetric" and idx == mirror:
                out[idx] = sympy.Integer(0)
            else:
                out[idx] = sympy.Symbol(_symbol_name(name, idx), **assumptions)
        else:
            out[idx] = out[mirror] if structure == "centrosymmetric" else -out[mirror]
    return Array(out)


def asarray(values: Any, *, exact: bool = False) -> Array:
    """An :class:`Array` from lists, nested lists, numpy arrays or sympy Matrix/Array.

    Integers stay exact ``Integer``; floats become ``Float`` unless
    ``exact=True``, which turns them into the exact ``Rational`` of their
    binary value. Strings are refused: symconv never parses them.

    >>> asarray([0.5, 2]).tolist()
    [0.500000000000000, 2]
    >>> asarray([0.5, 2], exact=True).tolist()
    [1/2, 2]
    """
    if isinstance(values, Array):
        return values
    if isinstance(values, (sympy.MatrixBase, sympy.NDimArray)):
        values = values.tolist()
    try:
        arr = np.array(values, dtype=object)
    except ValueError as exc:
        raise SymconvError(f"asarray: `values` must be rectangular (all rows the same length); {exc}") from None
    if arr.ndim == 0:
        out = np.empty((), dtype=object)
        out[()] = _entry(arr[()], exact=exact, where="asarray")
        return Array(out)
    if arr.size == 0:
        raise SymconvError(f"asarray: `values` must not be empty; got shape {arr.shape}")
    flat = [_entry(v, exact=exact, where="asarray") for v in arr.flat]
    res = np.empty(arr.size, dtype=object)
    res[:] = flat
    return Array(res.reshape(arr.shape))
