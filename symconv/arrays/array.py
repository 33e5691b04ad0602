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

from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from symconv.arrays.entries import entry as _entry
from symconv.arrays.text import array_text, jsonable
from symconv.core.errors import SymconvError, SymconvIndexError
from symconv.core.limits import current
from symconv.core.numbers import NON_FINITE, check_entry_number, shown
from symconv.core.plain import MAX_NDIM, guard_entries
from symconv.core.public import public

__all__ = ["Array", "asarray", "operand", "symbols"]


_ARRAY_LIKE = "nested lists, a numpy array, a sympy Matrix/Array or a symconv Array"

#: Bytes one new symbol costs (sympy caches each Symbol with its name), for the memory guard.
BYTES_PER_SYMBOL = 320


_MISSING: Any = object()


class Array:
    """An immutable N-D array of sympy expressions.

    Build one with :func:`symbols` (distinct named symbols) or :func:`asarray`
    (exact or numeric entries); operations such as
    :func:`symconv.correlate` return them. ``Array(values)`` is the same as
    ``asarray(values)``.

    >>> a = Array([[1, 2], [3, 4]])
    >>> a.shape, a.ndim, a[1, 0], a[:, 1].tolist()
    ((2, 2), 2, 3, [2, 4])
    """

    __slots__ = ("_data",)
    __hash__ = None  # type: ignore[assignment]
    __array_priority__ = 1000

    @public
    def __init__(self, data: Any) -> None:
        if not isinstance(data, np.ndarray) or data.dtype != object:
            data = _asarray(data, exact=False, where="Array: `data`").numpy().copy()
        else:
            if data.ndim > MAX_NDIM:
                raise SymconvError(f"Array: `data` may have at most {MAX_NDIM} axes; got {data.ndim}")
            guard_entries("Array: `data`", int(data.size))
            data = data.copy()
            flat = data.reshape(-1)
            digits = current().literal_digits
            for i, e in enumerate(flat):
                flat[i] = _entry(e, exact=False, where="Array: `data`", max_digits=digits)
        data.setflags(write=False)
        self._data = data

    @classmethod
    def _of(cls, data: np.ndarray) -> Array:
        """Wrap an object array of entries symconv computed from checked inputs (no per-entry check)."""
        out = object.__new__(cls)
        data = np.array(data, dtype=object)
        data.setflags(write=False)
        out._data = data
        return out

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
        """Entries (ints), sub-arrays (slices, tuples, ``...``) as in numpy.

        An index out of range raises :class:`~symconv.SymconvError` (which is
        also an :class:`IndexError`) naming the index and the shape.
        """
        if isinstance(key, Array):
            key = key.to_numpy(int)
        try:
            out = self._data[key]
        except (IndexError, TypeError, ValueError) as exc:
            raise SymconvIndexError(
                f"Array[{shown(key)}]: the index must be integers in range, slices, '...' or None "
                f"for an array of shape {self.shape}; {exc}"
            ) from None
        if isinstance(out, np.ndarray):
            return Array._of(out)
        return out

    @public
    def numpy(self) -> np.ndarray:
        """The entries as a read-only numpy object array."""
        return self._data

    @public
    def tolist(self) -> Any:
        """Nested Python lists of sympy expressions (for JSON, see :meth:`to_json`)."""
        return self._data.tolist()

    @public
    def to_json(self) -> Any:
        """Nested lists a ``json.dumps`` accepts, exactly: integers as ``int``, every other entry as its
        sympy string (``"1/2"``, ``"-1 + I"``, ``"w_0*x_1"``), which ``sympy.Rational``/``sympy.S`` read back.

        >>> import json
        >>> json.dumps(Array([[1, sympy.Rational(1, 2)], [sympy.I - 1, symbols("x", 1)[0]]]).to_json())
        '[[1, "1/2"], ["-1 + I", "x_0"]]'
        """
        return jsonable(self._data.tolist())

    @property
    def free_symbols(self) -> set[sympy.Symbol]:
        """All symbols appearing in the entries."""
        out: set[sympy.Symbol] = set()
        for e in self._data.flat:
            out |= e.free_symbols
        return out

    @public
    def subs(self, mapping: Any, new: Any = _MISSING) -> Array:
        """Substitute values into every entry (exact, structural replacement).

        ``mapping`` is a dict ``{old: new}`` or pairs ``(old, new)``; or call
        ``subs(old, new)`` as in sympy. An ``old`` that is an :class:`Array`
        (e.g. all of ``x``) is replaced entry by entry by ``new`` of its shape.

        >>> x = symbols("x", 2)
        >>> x.subs({x[0]: 3}).tolist()
        [3, x_1]
        >>> (x + 1).subs(x, [10, 20]).tolist()
        [11, 21]
        """
        where = "subs"
        if new is not _MISSING:
            pairs: list[Any] = [(mapping, new)]
        elif isinstance(mapping, Mapping):
            pairs = list(mapping.items())
        elif isinstance(mapping, Iterable) and not isinstance(mapping, (str, bytes, Array, np.ndarray)):
            pairs = list(mapping)
            for p in pairs:
                if not (isinstance(p, tuple) and len(p) == 2):
                    raise SymconvError(f"{where}: every item of `mapping` must be an (old, new) pair; got {shown(p)}")
        else:
            raise SymconvError(
                f"{where}: `mapping` must be a dict {{old: new}}, a sequence of (old, new) pairs, "
                f"or call subs(old, new); got {shown(mapping)}"
            )
        rules: dict[sympy.Expr, sympy.Expr] = {}
        for old, value in pairs:
            if isinstance(old, Array):
                vals = _asarray(value, exact=False, where=f"{where}: the new value of an Array")
                if vals.shape != old.shape:
                    raise SymconvError(
                        f"{where}: an Array of shape {old.shape} must be replaced by values of the same shape; "
                        f"got shape {vals.shape}"
                    )
                rules.update(zip(old._data.flat, vals._data.flat))
                continue
            if isinstance(value, Array):
                raise SymconvError(f"{where}: the new value of {shown(old)} must be a single number or expression")
            rules[_entry(old, exact=False, where=f"{where}: `old`")] = _entry(
                value, exact=False, where=f"{where}: `new`"
            )
        flat = [e.xreplace(rules) for e in self._data.flat]
        for i, e in enumerate(flat):
            if e.has(*NON_FINITE):
                idx = np.unravel_index(i, self.shape) if self.shape else ()
                raise SymconvError(
                    f"{where}: the substitution makes entry {tuple(int(j) for j in idx)} non-finite ({e}): "
                    "entries must stay finite"
                )
        out = np.empty(self.size, dtype=object)
        out[:] = flat
        return Array._of(out.reshape(self.shape))

    @public
    def to_numpy(self, dtype: Any = float) -> np.ndarray:
        """Numeric values as a numpy array of ``dtype`` (entries must be numbers).

        Never rounds silently: an integer ``dtype`` needs integer entries (and
        a range that fits), a real ``dtype`` real entries. ``dtype=object``
        gives exact Python numbers (``int``, :class:`~fractions.Fraction`),
        and ``float``/``complex`` for the others.

        >>> asarray([1, 2]).to_numpy(int).tolist()
        [1, 2]
        >>> asarray([sympy.Rational(1, 3), 2]).to_numpy(object).tolist()
        [Fraction(1, 3), 2]
        """
        where = "to_numpy"
        try:
            dt = np.dtype(dtype)
        except (TypeError, ValueError):
            raise SymconvError(
                f"{where}: `dtype` must be a numpy dtype such as float, int, complex or object; got {shown(dtype)}"
            ) from None
        if dt.kind not in "biufcO":
            raise SymconvError(f"{where}: `dtype` must be a numeric dtype or object; got {dt}")
        free = self.free_symbols
        if free:
            names = ", ".join(sorted(str(s) for s in free)[:5])
            raise SymconvError(f"{where}: entries must be numbers; the array still contains symbols ({names})")
        out = np.empty(self.shape, dtype=dt)
        for idx, e in np.ndenumerate(self._data):
            # expand first: exact numbers (e.g. (1+2i)(3-i) + 4) then convert without rounding noise
            v = e if e.is_Number else sympy.expand(e)
            try:
                out[idx] = _convert(v, dt)
            except (TypeError, ValueError, OverflowError) as exc:
                raise SymconvError(f"{where}: entry {idx} (={e}) cannot be stored as {dt}: {exc}") from None
        return out

    # -- comparison and arithmetic -----------------------------------------------
    def __eq__(self, other: object) -> bool:
        """Structural equality: same shape and identical (not merely equivalent) entries.

        ``other`` may be anything :func:`asarray` takes (lists, tuples, numpy arrays), compared by value;
        what it cannot take is simply not equal.

        >>> Array([3, 5]) == [3, 5], Array([[1, 2]]) == [1, 2], Array([3, 5]) == "3, 5"
        (True, False, False)
        """
        if not isinstance(other, Array):
            if not isinstance(other, (list, tuple, np.ndarray, sympy.MatrixBase, sympy.NDimArray)):
                return NotImplemented
            try:
                other = _asarray(other, exact=False, where="Array ==")
            except SymconvError:
                return False
        return self.shape == other.shape and all(a == b for a, b in zip(self._data.flat, other._data.flat))

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    @public
    def equals(self, other: Any) -> bool:
        """Mathematical equality: same shape and entries equal after ``expand``.

        >>> x = symbols("x", 2)
        >>> (2 * (x + 1)).equals(2 * x + 2), (x + 1).equals([1, 1])
        (True, False)
        """
        o = other if isinstance(other, Array) else _asarray(other, exact=False, where="equals: `other`")
        return self.shape == o.shape and all(sympy.expand(a - b) == 0 for a, b in zip(self._data.flat, o._data.flat))

    def _binary(self, other: Any, op: Any, sign: str) -> Array:
        if getattr(other, "_symconv_lazy", False):
            return NotImplemented  # a lazy array of symbolic size (symconv.claims) takes over
        o = other._data if isinstance(other, Array) else _asarray(other, exact=False, where=f"Array {sign}")._data
        try:
            return Array._of(np.asarray(op(self._data, o), dtype=object))
        except ValueError:
            raise SymconvError(
                f"Array {sign}: the shapes must be equal or broadcast (as in numpy); got {self.shape} and {o.shape}"
            ) from None

    def __add__(self, other: Any) -> Array:
        return self._binary(other, np.add, "+")

    __radd__ = __add__

    def __sub__(self, other: Any) -> Array:
        return self._binary(other, np.subtract, "-")

    def __rsub__(self, other: Any) -> Array:
        return (-self)._binary(other, np.add, "-")

    def __neg__(self) -> Array:
        return Array._of(np.asarray(-self._data, dtype=object))

    def __mul__(self, other: Any) -> Array:
        return self._binary(other, np.multiply, "*")

    __rmul__ = __mul__

    @public
    def expand(self) -> Array:
        """Expand every entry (``sympy.expand``)."""
        out = np.empty(self.size, dtype=object)
        out[:] = [sympy.expand(e) for e in self._data.flat]
        return Array._of(out.reshape(self.shape))

    @public
    def applyfunc(self, f: Any) -> Array:
        """Apply ``f`` to every entry (each result is checked like an entry of :func:`asarray`)."""
        if not callable(f):
            raise SymconvError(f"applyfunc: `f` must be callable; got {shown(f)}")
        out = np.empty(self.size, dtype=object)
        out[:] = [f(e) for e in self._data.flat]
        return Array(out.reshape(self.shape))

    @public
    def flip(self) -> Array:
        """Reverse every axis (the 180° rotation in 2-D)."""
        return Array._of(self._data[(slice(None, None, -1),) * self.ndim])

    @public
    def reshape(self, *shape: Any) -> Array:
        """A reshaped copy (``-1`` infers one axis, as in numpy).

        >>> symbols("x", 4).reshape(2, 2).shape
        (2, 2)
        """
        dims = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        ok = all(isinstance(d, (int, np.integer)) and not isinstance(d, (bool, np.bool_)) for d in dims)
        try:
            if not ok:
                raise TypeError
            return Array._of(self._data.reshape(tuple(int(d) for d in dims)))
        except (TypeError, ValueError):
            raise SymconvError(
                f"reshape: `shape` must be integers whose product is the size {self.size} "
                f"(one may be -1); got {shown(shape if len(shape) != 1 else shape[0])}"
            ) from None

    # -- display --------------------------------------------------------------
    @public
    def latex(self) -> str:
        r"""LaTeX for the array (math mode): a row vector in brackets, or a ``bmatrix``.

        It fits a line of a plain ``article`` (:func:`symconv.latex_preamble`): a vector too long for one
        line wraps inside its brackets; a matrix too wide shows its first and last columns around
        ``\cdots`` (and its first and last rows around ``\vdots`` beyond 20 rows), as numpy's repr
        summarises; more than 1000 entries print their first and last three.

        >>> symbols("x", 2).latex()
        '\\left[ x_{0}, \\ x_{1} \\right]'
        """
        from symconv.arrays.latex import array_latex

        return array_latex(self._data)

    def _repr_latex_(self) -> str:
        return "$" + self.latex() + "$"

    def __repr__(self) -> str:
        return array_text(self._data)


def _convert(v: sympy.Expr, dt: np.dtype) -> Any:
    """One exact number as a value of numpy ``dtype`` (refusing any rounding)."""
    if not v.is_number or v.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise ValueError("it is not a finite number")
    kind = dt.kind
    if kind == "b":
        return bool(v != 0)
    if kind in "iu":
        if not v.is_Integer:
            raise ValueError("an integer dtype needs integer entries (round explicitly, or use dtype=float)")
        info = np.iinfo(dt)
        if not info.min <= int(v) <= info.max:
            raise ValueError(f"it is outside [{info.min}, {info.max}] (dtype=object keeps exact Python ints)")
        return int(v)
    if kind == "f":
        if v.is_real is False or (v.is_real is None and complex(v).imag != 0):
            raise ValueError("a real dtype needs real entries (use dtype=complex)")
        return float(v)
    if kind == "c":
        return complex(v)
    if v.is_Integer:
        return int(v)
    if v.is_Rational:
        return Fraction(int(v.p), int(v.q))  # type: ignore[attr-defined]
    c = complex(v)
    return c.real if c.imag == 0 and v.is_real is not False else c


def _symbol_name(name: str, idx: tuple[int, ...]) -> str:
    if len(idx) == 1:
        return f"{name}_{idx[0]}"
    return f"{name}_{{{','.join(str(i) for i in idx)}}}"


STRUCTURES = ("centrosymmetric", "anticentrosymmetric")


def _assume_names() -> frozenset[str]:
    try:
        from sympy.core.assumptions import _assume_defined

        return frozenset(_assume_defined)
    except ImportError:  # pragma: no cover - a sympy without the private name
        return frozenset()


@public
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
        raise SymconvError(f"symbols: `name` must be an identifier such as 'x'; got {shown(name)}")
    if isinstance(shape, (int, np.integer, sympy.Integer)) and not isinstance(shape, (bool, np.bool_)):
        dims: tuple[Any, ...] = (shape,)
    elif isinstance(shape, Iterable) and not isinstance(shape, (str, bytes, Mapping)):
        dims = tuple(shape)
    else:
        raise SymconvError(f"symbols: `shape` must be an integer ≥ 1 or a sequence of them; got {shown(shape)}")
    for d in dims:
        if isinstance(d, sympy.Integer):
            d = int(d)
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < 1:
            raise SymconvError(f"symbols: every entry of `shape` must be an integer ≥ 1; got {shown(shape)}")
        check_entry_number("symbols: `shape`", int(d))
    if len(dims) > MAX_NDIM:
        raise SymconvError(f"symbols: `shape` may have at most {MAX_NDIM} axes; got {len(dims)}")
    dims = tuple(int(d) for d in dims)
    if not dims:
        raise SymconvError("symbols: `shape` must have at least one axis; got ()")
    guard_entries("symbols", int(np.prod(dims, dtype=object)), BYTES_PER_SYMBOL)
    if structure is not None and (not isinstance(structure, str) or structure not in STRUCTURES):
        allowed = ", ".join(repr(s) for s in STRUCTURES)
        raise SymconvError(f"symbols: `structure` must be None or one of {allowed}; got {shown(structure)}")
    known = _assume_names()
    for key, value in assumptions.items():
        if known and key not in known:
            raise SymconvError(f"symbols: unknown sympy assumption `{key}` (e.g. real=True, integer=True)")
        if not isinstance(value, (bool, type(None))):
            raise SymconvError(f"symbols: the assumption `{key}` must be True, False or None; got {shown(value)}")
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
    return Array._of(out)


@public
def asarray(values: Any, *, exact: bool = False) -> Array:
    """An :class:`Array` from lists, nested lists, numpy arrays or sympy Matrix/Array.

    Integers (Python, numpy, sympy; booleans count as 0/1) stay exact
    ``Integer``; floats become ``Float`` unless ``exact=True``, which turns
    every float (also inside complex numbers and sympy expressions) into the
    exact ``Rational`` of its binary value. Strings are refused: symconv never
    parses them.

    >>> asarray([0.5, 2]).tolist()
    [0.500000000000000, 2]
    >>> asarray([0.5, 2], exact=True).tolist()
    [1/2, 2]
    >>> asarray([0.1], exact=True).tolist()
    [3602879701896397/36028797018963968]

    Parameters
    ----------
    values : array-like
        A number, (nested) lists or tuples, a numpy array (int, float,
        complex, bool or object), a sympy Matrix/Array, or an :class:`Array`.
        Rectangular and non-empty.
    exact : bool
        Convert floats to exact rationals (default ``False``).
    """
    if not isinstance(exact, (bool, np.bool_)):
        raise SymconvError(f"asarray: `exact` must be True or False; got {shown(exact)}")
    return _asarray(values, exact=bool(exact), where="asarray: `values`")


def operand(op: str, name: str, value: Any) -> Array:
    """``value`` as an :class:`Array` for argument ``name`` of ``op`` (errors name both).

    >>> operand("correlate", "x", [1, 2]).tolist()
    [1, 2]
    """
    return _asarray(value, exact=False, where=f"{op}: `{name}`", empty_ok=False)


def _asarray(values: Any, *, exact: bool, where: str, empty_ok: bool = False) -> Array:
    if isinstance(values, Array):
        if values.size == 0 and not empty_ok:
            raise SymconvError(f"{where} must not be empty; got shape {values.shape}")
        if exact and any(e.has(sympy.Float) for e in values._data.flat):
            out = np.empty(values.size, dtype=object)
            out[:] = [_entry(e, exact=True, where=where) for e in values._data.flat]
            return Array._of(out.reshape(values.shape))
        return values
    if isinstance(values, (str, bytes)):
        raise SymconvError(
            f"{where} must be numbers or sympy expressions ({_ARRAY_LIKE}); got the string {shown(values)} "
            "(symconv never parses strings: use symconv.symbols or sympy.Symbol)"
        )
    if isinstance(values, (Mapping, set, frozenset, Iterator)):
        raise SymconvError(f"{where} must be array-like ({_ARRAY_LIKE}); got a {type(values).__name__}")
    if isinstance(values, (sympy.MatrixBase, sympy.NDimArray)):
        values = values.tolist()
    depth = _depth(values)
    if depth > MAX_NDIM:
        raise SymconvError(f"{where} may have at most {MAX_NDIM} axes; got lists nested at least {depth} deep")
    if isinstance(values, np.ndarray):
        guard_entries(where, int(values.size))
    try:
        arr = np.array(values, dtype=object)
    except (ValueError, RuntimeError, RecursionError) as exc:
        raise SymconvError(f"{where} must be rectangular (all rows the same length); {exc}") from None
    if arr.ndim > MAX_NDIM:
        raise SymconvError(f"{where} may have at most {MAX_NDIM} axes; got {arr.ndim}")
    if arr.ndim == 0:
        out = np.empty((), dtype=object)
        out[()] = _entry(arr[()], exact=exact, where=where)
        return Array._of(out)
    if arr.size == 0:
        raise SymconvError(f"{where} must not be empty; got shape {arr.shape}")
    guard_entries(where, int(arr.size))
    res = np.empty(arr.size, dtype=object)
    digits = current().literal_digits
    for i, (idx, v) in enumerate(np.ndenumerate(arr)):
        if isinstance(v, (list, tuple, np.ndarray, Array, sympy.MatrixBase, sympy.NDimArray)):
            raise SymconvError(
                f"{where} must be rectangular (every row the same length); found a nested {type(v).__name__} "
                f"at index {idx} of an array of shape {arr.shape}"
            )
        res[i] = _entry(v, exact=exact, where=where, max_digits=digits)
    return Array._of(res.reshape(arr.shape))


def _depth(values: Any) -> int:
    """How deeply ``values`` nests along its first entries (stops just past :data:`MAX_NDIM`; no recursion)."""
    depth, v = 0, values
    while isinstance(v, (list, tuple)) and v and depth <= MAX_NDIM:
        v, depth = v[0], depth + 1
    if isinstance(v, np.ndarray):
        depth += v.ndim
    return depth
