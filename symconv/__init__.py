"""symconv: convolution vs cross-correlation, exactly, with proofs.

>>> import symconv
>>> symconv.correlate(symconv.symbols("x", 5), symconv.symbols("w", 2))[0]
w_0*x_0 + w_1*x_1
"""

from symconv.arrays.array import Array, asarray, symbols
from symconv.gradients.backward import BackwardRule, backward_rule
from symconv.writing.derive import Derivation, derive
from symconv.core.errors import SymconvError, SymconvIndexError
from symconv.gradients.grad import grad, grad_contraction
from symconv.engines.instance import InstanceResult, check_exact, check_randomized
from symconv.core.limits import limits
from symconv.arrays.ops import convolve, correlate
from symconv.compat.shapes import (
    OutputPaddingChoice,
    conv_output_size,
    conv_transpose_output_size,
    output_padding_choices,
    output_shape,
)
from symconv.identification import identify
from symconv.proofs import Certificate, Proof, theorem, theorems

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
    "grad",
    "grad_contraction",
    "identify",
    "limits",
    "output_padding_choices",
    "output_shape",
    "symbols",
    "theorem",
    "theorems",
]

__version__ = "0.1.0"
