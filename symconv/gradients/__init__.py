"""Gradients by differentiation (``grad``) and the named backward rule of every layer (``backward_rule``).

An internal layer: the public API is ``symconv.*`` (see docs/guide/layout.md, "Where things are")."""
