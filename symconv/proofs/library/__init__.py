"""The theorem library: one module per family, each theorem a declaration the machinery consumes.

Importing this package registers every theorem (:func:`symconv.proofs._registry.register`); the machinery
never imports it (an import-linter contract). A new theorem goes in the family it belongs to.
"""

from symconv.proofs.library import algebra, circular, gradients, symmetry

__all__ = ["algebra", "circular", "gradients", "symmetry"]
