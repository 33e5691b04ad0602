r"""Numbers a user passes or types, bounded BEFORE anything is built from them.

An exact number is cheap to write and expensive to hold: ``1e999999999`` is a
ten-character literal whose exact value has a billion digits. Every number
that enters symconv — an array entry, a size, a number typed on the command
line — is measured first (from its bit length, or from the digits and the
exponent of its text) and refused beyond the ``literal_digits`` limit
(:mod:`symconv.core.limits`) with a message naming the estimate, the limit and
how to raise it. Non-finite entries (``nan``, ``oo``, ``-oo``, ``zoo`` and
their sympy, float and complex spellings) are refused alike.

>>> parse_number("3/2", "correlate: `x`")
Fraction(3, 2)
>>> try:
...     parse_number("1e999999999", "correlate: `x`")
... except SymconvError as err:
...     print(str(err).replace("; ", ";\n").replace(" (", "\n("))
correlate: `x`: about 1,000,000,000 decimal digits in one number exceeds the limit of 4,000
(raise it with symconv.limits(literal_digits=...) or SYMCONV_LIMIT_LITERAL_DIGITS);
use a smaller number, or a symbol in its place
(x:5 on the command line, symconv.symbols in Python)
"""

from __future__ import annotations

import numbers
import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from symconv.core.errors import SymconvError
from symconv.core.latexsafe import check_name
from symconv.core.limits import guard

if TYPE_CHECKING:
    import sympy

# sympy is imported by the functions that read sympy expressions, not here: the command line's
# numeric path (symconv correlate 2,1,3 1,-1) parses and bounds its numbers without sympy

__all__ = [
    "NON_FINITE",
    "check_entry_number",
    "check_expr",
    "check_int_digits",
    "int_digits",
    "parse_int",
    "parse_number",
    "shown",
]

_LOG10_2 = 0.30102999566398120
#: sympy's non-finite numbers: refused as entries, like float('nan') and float('inf') (built on first use).
NON_FINITE: tuple[Any, ...]
_ALTERNATIVE = "use a smaller number, or a symbol in its place (x:5 on the command line, symconv.symbols in Python)"


def __getattr__(name: str) -> Any:
    """``NON_FINITE``: sympy's non-finite numbers (``nan``, ``oo``, ``-oo``, ``zoo``), built on first use."""
    if name == "NON_FINITE":
        import sympy

        value = (sympy.nan, sympy.oo, -sympy.oo, sympy.zoo)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def int_digits(n: int) -> int:
    """Decimal digits of ``n`` (from its bit length: exact or one more, never converting to text).

    >>> int_digits(0), int_digits(1000), int_digits(-10**50)
    (1, 4, 51)
    """
    return max(1, int(abs(int(n)).bit_length() * _LOG10_2) + 1)


def _guard_digits(where: str, digits: int, max_digits: int | None = None) -> None:
    """Refuse ``digits`` beyond the limit; ``max_digits`` is the limit when the caller already read it."""
    if max_digits is not None and digits <= max_digits:
        return
    guard(where, "literal_digits", digits, "decimal digits in one number", alternative=_ALTERNATIVE)


def check_int_digits(where: str, n: int) -> None:
    """Refuse an integer with more digits than the ``literal_digits`` limit."""
    _guard_digits(where, int_digits(n))


def _non_finite() -> tuple[Any, ...]:
    cached = globals().get("NON_FINITE")
    return cached if cached is not None else __getattr__("NON_FINITE")


def _float_digits(f: sympy.Float) -> int:
    """Digits of the exact rational value of a sympy Float (numerator or denominator)."""
    _sign, man, exp, bc = f._mpf_  # type: ignore[attr-defined]
    if not man:
        return 1
    bits = max(bc, -exp, bc + exp)
    return int(bits * _LOG10_2) + 1


def check_expr(where: str, e: sympy.Expr, *, exact: bool, max_digits: int | None = None) -> None:
    """Refuse a sympy entry that is not finite, holds a too-long number, or a name unsafe for LaTeX.

    ``exact`` also bounds Floats by the digits of their exact rational value;
    ``max_digits`` is the ``literal_digits`` limit when the caller already read it.

    >>> import sympy
    >>> check_expr("asarray: `values`", sympy.Symbol("x") + 1, exact=False)
    >>> try:
    ...     check_expr("asarray: `values`", sympy.zoo, exact=False)
    ... except SymconvError as err:
    ...     print(str(err).split(" (")[0])
    asarray: `values`: entries must be finite; got zoo
    """
    import sympy
    from sympy.core.function import AppliedUndef

    if e.is_Symbol:  # the common entry: one cached name check
        check_name(where, "symbol name", e.name)  # type: ignore[attr-defined]
        return
    for a in (e,) if e.is_Atom else e.atoms(sympy.Atom, AppliedUndef):  # one traversal
        if a.is_Symbol:
            check_name(where, "symbol name", a.name)  # type: ignore[attr-defined]
        elif any(a is c for c in _non_finite()):  # singletons: identity, not sympy's ==, which sympifies
            shown_e = str(e) if len(str(e)) <= 60 else str(e)[:57] + "..."
            raise SymconvError(
                f"{where}: entries must be finite; got {shown_e} "
                "(sympy's nan, oo, -oo and zoo are refused, as float('nan') and float('inf') are)"
            )
        elif a.is_Rational:
            _guard_digits(where, max(int_digits(a.p), int_digits(a.q)), max_digits)  # type: ignore[attr-defined]
        elif a.is_Float and exact:
            _guard_digits(where, _float_digits(a), max_digits)  # type: ignore[arg-type]
        elif isinstance(a, AppliedUndef):
            check_name(where, "function name", a.func.__name__)


_INT = re.compile(r"^[+-]?[0-9]+$")
_RATIO = re.compile(r"^([+-]?[0-9]+)/([+-]?[0-9]+)$")
_DECIMAL = re.compile(r"^[+-]?([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$")


def parse_int(text: str, where: str) -> int | None:
    """``text`` as an int (ASCII digits, optional sign), ``None`` if it is not one; refuses too many digits.

    >>> parse_int(" -12 ", "shape: `input`"), parse_int("1.5", "shape: `input`")
    (-12, None)
    """
    t = text.strip()
    if not _INT.match(t):
        return None
    _guard_digits(where, len(t.lstrip("+-")))
    return int(t)


def parse_number(text: str, where: str) -> Fraction | None:
    """``2``, ``-1.5``, ``3/2``, ``1e-3`` as an exact Fraction, ``None`` if it is none of these.

    The digits of the exact value are bounded from the text BEFORE it is built.
    """
    t = text.strip()
    m = _RATIO.match(t)
    if m:
        _guard_digits(where, max(len(m.group(1).lstrip("+-")), len(m.group(2).lstrip("+-"))))
        if int(m.group(2)) == 0:
            return None
        return Fraction(int(m.group(1)), int(m.group(2)))
    m = _DECIMAL.match(t)
    if not m or not ((m.group(1) or "") + (m.group(2) or "")):
        return None
    exp_text = (m.group(3) or "0").lstrip("+-")
    exponent = 10 ** min(len(exp_text), 30) if len(exp_text) > 12 else int(exp_text)
    _guard_digits(where, len((m.group(1) or "") + (m.group(2) or "")) + exponent)
    return Fraction(t)


def check_entry_number(where: str, value: Any, max_digits: int | None = None) -> None:
    """Bound a Python/numpy int or a Fraction by its digits (``max_digits``: the limit, if already read)."""
    if isinstance(value, Fraction):
        _guard_digits(where, max(int_digits(value.numerator), int_digits(value.denominator)), max_digits)
    else:
        _guard_digits(where, int_digits(value), max_digits)


#: Integers longer than this many bits (about 60 digits) are echoed in messages by their number of digits.
_ECHO_BITS = 200


def _huge(value: Any) -> bool:
    """An integer (Python, numpy or sympy) too long to echo digit by digit."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value).bit_length() > _ECHO_BITS


def shown(value: Any, width: int = 80) -> str:
    """``repr(value)`` for a message: at most ``width`` characters, never a long integer's digits.

    The ONE helper every message that echoes a user's value goes through: an integer of more than
    about 60 digits is shown by its number of digits, also inside a tuple or list.

    >>> shown(10**5000), shown(list(range(100)), 20), shown((1, -(10**70)))
    ('an integer of about 5,001 digits', '[0, 1, 2, 3, 4, 5...', '(1, an integer of about 71 digits)')
    """
    if _huge(value):
        return f"an integer of about {int_digits(int(value)):,} digits"
    if isinstance(value, (tuple, list)) and any(_huge(v) for v in value[:64]):
        items = ", ".join(shown(v, width) for v in value[:8]) + (", ..." if len(value) > 8 else "")
        text = f"({items}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{items}]"
        return text if len(text) <= 2 * width else text[: 2 * width - 3] + "..."
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # an integer beyond Python's int-to-text limit, or a deep nest, inside
        return f"a {type(value).__name__}"
    return text if len(text) <= width else text[: width - 3] + "..."
