"""General-size proofs: Iverson sums, named rewrite rules, z3-checked guards, replayable certificates.

>>> from symconv.proofs import theorem
>>> theorem("convolve_is_correlate_with_flipped_kernel", ndim=2).prove().holds
True
"""

from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Hypothesis, Pointwise, Sum, Term
from symconv.proofs._proof import Certificate, CheckReport, Part, Proof, Step
from symconv.proofs._rules import RULES, Condition, RuleError
from symconv.proofs._theorems import Theorem, theorem, theorems

__all__ = [
    "RULES",
    "Certificate",
    "CheckReport",
    "Condition",
    "Constraint",
    "Context",
    "Derivative",
    "Expr",
    "Hypothesis",
    "Part",
    "Pointwise",
    "Proof",
    "RuleError",
    "Step",
    "Sum",
    "Term",
    "Theorem",
    "theorem",
    "theorems",
]
