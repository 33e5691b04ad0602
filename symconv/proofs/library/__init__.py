"""The theorem library: one module per family, each theorem a declaration the machinery consumes.

Importing this package registers every theorem (:func:`symconv.proofs._registry.register`); the machinery
never imports it (an import-linter contract). A new theorem goes in the family it belongs to.
"""

# isort: off
# the order of registration is the order `theorems()` lists them: gradients, the flip and symmetry, algebra, circular
from symconv.proofs.library import gradients
from symconv.proofs.library import symmetry
from symconv.proofs.library import algebra
from symconv.proofs.library import circular

# isort: on

__all__ = ["algebra", "circular", "gradients", "symmetry"]
