"""Symbolic arrays and the operations on them (correlate, convolve), expanded from the one definition.

An internal layer: the public API is ``symconv.*`` (see docs/guide/layout.md, "Where things are")."""
