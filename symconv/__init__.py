"""symconv: convolution vs cross-correlation, exactly, with proofs.

>>> import symconv
>>> symconv.correlate(symconv.symbols("x", 5), symconv.symbols("w", 2))[0]
w_0*x_0 + w_1*x_1

The names below load on first use (PEP 562), so ``import symconv`` and
``symconv --help`` do not pay for sympy, numpy and z3 until a name needs them.
The package's layers (the one definition, engines, arrays, gradients, display,
compat, proofs, identification, writing, the command line) are described in
docs/guide/layout.md, "Where things are".
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from symconv.arrays.array import Array, asarray
    from symconv.claims.prove import prove
    from symconv.claims.public import convolve, correlate, flip, grad, inner, sizes, sum, symbols
    from symconv.compat.shapes import (
        OutputPaddingChoice,
        conv_output_size,
        conv_transpose_output_size,
        output_padding_choices,
        output_shape,
    )
    from symconv.core.errors import SymconvError, SymconvIndexError
    from symconv.core.limits import limits
    from symconv.core.preamble import latex_preamble
    from symconv.engines.instance import InstanceResult, check_exact, check_randomized
    from symconv.gradients.backward import BackwardRule, backward_rule
    from symconv.gradients.grad import grad_contraction
    from symconv.identification import identify
    from symconv.proofs import Certificate, Proof, theorem, theorems
    from symconv.writing.derive import Derivation, derive

#: Where each public name is defined (imported on first access).
_HOME: dict[str, str] = {
    "Array": "symconv.arrays.array",
    "BackwardRule": "symconv.gradients.backward",
    "Certificate": "symconv.proofs",
    "Derivation": "symconv.writing.derive",
    "InstanceResult": "symconv.engines.instance",
    "OutputPaddingChoice": "symconv.compat.shapes",
    "Proof": "symconv.proofs",
    "SymconvError": "symconv.core.errors",
    "SymconvIndexError": "symconv.core.errors",
    "asarray": "symconv.arrays.array",
    "backward_rule": "symconv.gradients.backward",
    "check_exact": "symconv.engines.instance",
    "check_randomized": "symconv.engines.instance",
    "conv_output_size": "symconv.compat.shapes",
    "conv_transpose_output_size": "symconv.compat.shapes",
    "convolve": "symconv.claims.public",
    "correlate": "symconv.claims.public",
    "derive": "symconv.writing.derive",
    "flip": "symconv.claims.public",
    "grad": "symconv.claims.public",
    "grad_contraction": "symconv.gradients.grad",
    "identify": "symconv.identification",
    "inner": "symconv.claims.public",
    "latex_preamble": "symconv.core.preamble",
    "limits": "symconv.core.limits",
    "output_padding_choices": "symconv.compat.shapes",
    "output_shape": "symconv.compat.shapes",
    "prove": "symconv.claims.prove",
    "sizes": "symconv.claims.public",
    "sum": "symconv.claims.public",
    "symbols": "symconv.claims.public",
    "theorem": "symconv.proofs",
    "theorems": "symconv.proofs",
}

__all__ = [
    "Array",
    "BackwardRule",
    "Certificate",
    "Derivation",
    "InstanceResult",
    "OutputPaddingChoice",
    "Proof",
    "SymconvError",
    "SymconvIndexError",
    "asarray",
    "backward_rule",
    "check_exact",
    "check_randomized",
    "conv_output_size",
    "conv_transpose_output_size",
    "convolve",
    "correlate",
    "derive",
    "flip",
    "grad",
    "grad_contraction",
    "identify",
    "inner",
    "latex_preamble",
    "limits",
    "output_padding_choices",
    "output_shape",
    "prove",
    "sizes",
    "sum",
    "symbols",
    "theorem",
    "theorems",
]

__version__ = "0.1.0"

#: The public sub-modules, also loaded on first access (``symconv.proofs.theorem``).
_MODULES = ("compat", "display", "proofs", "testing")


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"symconv.{name}")
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'symconv' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups are ordinary attribute reads
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, *_MODULES, "__version__"])
