"""Junk at the public boundary: every public function either works or raises SymconvError.

Each entry point gets every junk value in every argument position (bools,
floats as sizes, negative padding, numpy ints and floats, strings, nested
and ragged sequences, None, complex numbers, sympy objects). An internal
IndexError, TypeError, AttributeError or numpy/sympy traceback is a failure.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import sympy

import symconv
from symconv import SymconvError, symbols
from symconv.compat import numpy as snp
from symconv.compat import scipy as ssp
from symconv.compat import torch as storch
from symconv.core.numbers import shown

JUNK: list[Any] = [
    None,
    True,
    False,
    1.5,
    2.0,
    -1,
    0,
    3,
    np.int64(2),
    np.float64(1.0),
    np.bool_(True),
    "x",
    "same",
    "valid",
    "full",
    b"ab",
    (),
    (1,),
    (1, 2),
    (1, 2, 3),
    ((1, 2),),
    ((1, 2, 3),),
    [1],
    [[1, 2], [3]],
    [],
    np.array([1, 2]),
    np.array([1.5]),
    {},
    {1: 2},
    {1, 2},
    sympy.Integer(2),
    sympy.Symbol("s"),
    sympy.Rational(1, 2),
    1j,
    float("nan"),
    -2.5,
    10**20,
    object(),
    # issue 8: numbers that explode, non-finite sympy numbers, nesting deeper than 32 axes, LaTeX in a name
    10**5000,
    Fraction(1, 10**5000),
    sympy.nan,
    sympy.zoo,
    -sympy.oo,
    [sympy.oo],
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    sympy.Symbol(r"\input{x}"),
    r"\write18{ls}",
]

X1, W1 = symbols("x", 5), symbols("w", 2)
X2, W2 = symbols("x", (3, 3)), symbols("w", (2, 2))
TX, TW = symbols("x", (1, 2, 5)), symbols("w", (2, 1, 2))
TTW = symbols("w", (2, 1, 2))


def _positional(fn: Callable[..., Any], args: tuple[Any, ...], i: int) -> Callable[[Any], Any]:
    return lambda j: fn(*args[:i], j, *args[i + 1 :])


def _keyword(fn: Callable[..., Any], args: tuple[Any, ...], name: str, **base: Any) -> Callable[[Any], Any]:
    return lambda j: fn(*args, **{**base, name: j})


ENTRY_POINTS: dict[str, Callable[[Any], Any]] = {}
for _fn in (symconv.correlate, symconv.convolve):
    for _i in range(3):
        ENTRY_POINTS[f"{_fn.__name__}[{_i}]"] = _positional(_fn, (X1, W1, "valid"), _i)
    for _kw in ("stride", "dilation", "padding"):
        ENTRY_POINTS[f"{_fn.__name__}({_kw}=)"] = _keyword(_fn, (X1, W1), _kw)
        ENTRY_POINTS[f"{_fn.__name__}2d({_kw}=)"] = _keyword(_fn, (X2, W2), _kw)
for _name, _fn in (("numpy.convolve", snp.convolve), ("numpy.correlate", snp.correlate)):
    for _i in range(3):
        ENTRY_POINTS[f"{_name}[{_i}]"] = _positional(_fn, (X1, W1, "full"), _i)
for _name, _fn in (("scipy.convolve", ssp.convolve), ("scipy.correlate", ssp.correlate)):
    for _i in range(4):
        ENTRY_POINTS[f"{_name}[{_i}]"] = _positional(_fn, (X1, W1, "full", "auto"), _i)
for _name, _fn in (("scipy.convolve2d", ssp.convolve2d), ("scipy.correlate2d", ssp.correlate2d)):
    for _i in range(5):
        ENTRY_POINTS[f"{_name}[{_i}]"] = _positional(_fn, (X2, W2, "same", "fill", 0), _i)
for _i in range(3):
    ENTRY_POINTS[f"torch.conv1d[{_i}]"] = _positional(storch.conv1d, (TX, TW, None), _i)
    ENTRY_POINTS[f"torch.conv_transpose1d[{_i}]"] = _positional(storch.conv_transpose1d, (TX, TTW, None), _i)
for _kw in ("stride", "padding", "dilation", "groups", "padding_mode"):
    ENTRY_POINTS[f"torch.conv1d({_kw}=)"] = _keyword(storch.conv1d, (TX, TW), _kw)
    ENTRY_POINTS[f"torch.conv2d({_kw}=)"] = _keyword(
        storch.conv2d, (symbols("x", (1, 2, 4, 4)), symbols("w", (2, 2, 2, 2))), _kw
    )
for _kw in ("stride", "dilation", "groups"):
    ENTRY_POINTS[f"torch.conv1d({_kw}=, reflect)"] = _keyword(
        storch.conv1d, (TX, TW), _kw, padding=1, padding_mode="reflect"
    )
for _kw in ("stride", "padding", "output_padding", "groups", "dilation"):
    ENTRY_POINTS[f"torch.conv_transpose1d({_kw}=)"] = _keyword(storch.conv_transpose1d, (TX, TTW), _kw)
for _i in range(3):
    ENTRY_POINTS[f"output_shape[{_i}]"] = _positional(symconv.output_shape, ("torch.conv1d", (1, 2, 5), (2, 2, 2)), _i)
for _op, _shapes in (
    ("correlate", ((5,), (2,))),
    ("numpy.convolve", ((5,), (2,))),
    ("scipy.correlate", ((5,), (2,))),
    ("scipy.correlate2d", ((3, 3), (2, 2))),
    ("torch.conv1d", ((1, 2, 5), (2, 2, 2))),
    ("torch.conv_transpose1d", ((1, 2, 5), (2, 2, 2))),
):
    for _kw in sorted(symconv.compat.shapes._PARAMS[_op]):
        ENTRY_POINTS[f"output_shape({_op}, {_kw}=)"] = _keyword(symconv.output_shape, (_op, *_shapes), _kw)
for _fn in (symconv.conv_output_size, symconv.conv_transpose_output_size, symconv.output_padding_choices):
    for _i in range(5):
        ENTRY_POINTS[f"{_fn.__name__}[{_i}]"] = _positional(_fn, (7, 3, 1, 0, 1), _i)
ENTRY_POINTS["symbols[0]"] = _positional(symbols, ("x", 3), 0)
ENTRY_POINTS["symbols[1]"] = _positional(symbols, ("x", 3), 1)
ENTRY_POINTS["symbols(structure=)"] = _keyword(symbols, ("x", 3), "structure")
ENTRY_POINTS["symbols(real=)"] = _keyword(symbols, ("x", 3), "real")
ENTRY_POINTS["asarray"] = symconv.asarray
ENTRY_POINTS["asarray(exact=)"] = _keyword(symconv.asarray, ([0.5],), "exact")
_Y = symconv.correlate(X1, W1)
for _i in range(3):
    ENTRY_POINTS[f"grad[{_i}]"] = _positional(symconv.grad, (_Y, W1, [1, 2, 3, 4]), _i)
ENTRY_POINTS["Array[]"] = lambda j: X2[j]
ENTRY_POINTS["Array.subs"] = lambda j: X2.subs(j)
ENTRY_POINTS["Array.subs(old, new)"] = lambda j: X2.subs(X2[0, 0], j)
ENTRY_POINTS["Array.to_numpy"] = lambda j: symconv.asarray([[1, 2]]).to_numpy(j)
ENTRY_POINTS["Array +"] = lambda j: X2 + j
ENTRY_POINTS["Array *"] = lambda j: X2 * j
ENTRY_POINTS["Array.reshape"] = lambda j: X2.reshape(j)
ENTRY_POINTS["Array.equals"] = lambda j: X2.equals(j)
ENTRY_POINTS["Array()"] = symconv.Array
ENTRY_POINTS["backward_rule[0]"] = symconv.backward_rule


def _survives(call: Callable[[Any], Any], junk: Any) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            call(junk)
    except SymconvError as exc:
        assert str(exc), "an empty message"
        assert "\n" not in str(exc), f"a message of more than one line: {exc}"


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_junk_raises_symconv_error_or_works(name):
    for junk in JUNK:
        try:
            _survives(ENTRY_POINTS[name], junk)
        except Exception as exc:
            pytest.fail(f"{name} with {shown(junk)}: {type(exc).__name__}: {exc}")


# backward_rule verifies each identification exactly, so only the parameters' junk is tried (cheap sizes)
RULE_JUNK = [
    v
    for v in JUNK
    if not (isinstance(v, (int, np.integer, sympy.Integer)) and not isinstance(v, bool)) or v in (10**20, 10**5000)
]


@pytest.mark.parametrize("op", ["correlate", "conv1d"])
@pytest.mark.parametrize(
    "name",
    [
        "input_size",
        "kernel_size",
        "stride",
        "dilation",
        "padding",
        "padding_mode",
        "channels",
        "groups",
        "batch",
        "bias",
        "ndim",
    ],
)
def test_backward_rule_junk(op, name):
    base = {"input_size": 4, "kernel_size": 2} if name not in ("input_size", "kernel_size") else {}
    if op == "conv1d" and name != "channels":
        base["channels"] = (1, 1)
    for junk in RULE_JUNK:
        try:
            _survives(lambda j: symconv.backward_rule(op, **{**base, name: j}), junk)
        except Exception as exc:
            pytest.fail(f"backward_rule({op!r}, {name}={shown(junk)}): {type(exc).__name__}: {exc}")
