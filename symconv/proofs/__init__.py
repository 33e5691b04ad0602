"""General-size proofs: Iverson sums, named rewrite rules, z3-checked guards, replayable certificates.

>>> from symconv.proofs import theorem
>>> theorem("convolve_is_correlate_with_flipped_kernel", ndim=2).prove().holds
True

What a theorem takes and which false variants it knows (each must be rejected):

>>> t = theorem("correlate_grad_weight_is_valid_correlation")
>>> t.parameters
['ndim', 'padding', 'in_channels', 'out_channels', 'groups']
>>> sorted(t.variants)
['flipped', 'off_by_one', 'wrong_mode']
>>> t.variant("flipped").prove().holds
False
"""

# the theorem library registers its declarations with the machinery (which never imports it)
import symconv.proofs.library  # noqa: F401
from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Hypothesis, Pointwise, Sum, Term
from symconv.proofs._parts import Part, Step
from symconv.proofs._proof import Certificate, CheckReport, Proof
from symconv.proofs._registry import parameters, theorems, variants
from symconv.proofs._rules import RULES, Condition, RuleError
from symconv.proofs._theorem import Theorem, theorem

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
    "parameters",
    "theorem",
    "theorems",
    "variants",
]


def __dir__() -> list[str]:
    """Only the public names (``dir()``, tab completion): no imports or helpers."""
    return sorted(__all__)
