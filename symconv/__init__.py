"""symconv: convolution vs cross-correlation, exactly, with proofs.

>>> import symconv
>>> symconv.correlate(symconv.symbols("x", 5), symconv.symbols("w", 2))[0]
w_0*x_0 + w_1*x_1
"""

from symconv._array import Array, asarray, symbols
from symconv._backward import BackwardRule, backward_rule
from symconv._derive import Derivation, derive
from symconv._errors import SymconvError
from symconv._grad import grad, grad_contraction
from symconv._instance import InstanceResult, check_exact, check_randomized
from symconv._ops import convolve, correlate

__all__ = [
    "Array",
    "BackwardRule",
    "Derivation",
    "InstanceResult",
    "SymconvError",
    "asarray",
    "backward_rule",
    "check_exact",
    "check_randomized",
    "convolve",
    "correlate",
    "derive",
    "grad",
    "grad_contraction",
    "symbols",
]

__version__ = "0.1.0"
