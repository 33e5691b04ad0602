"""Engines over contractions of the one definition: term enumeration, the exact and randomized instance
checkers and their fast paths (dense tables, BLAS, loop plans), progress reporting.

An internal layer: the public API is ``symconv.*`` (see docs/guide/layout.md, "Where things are")."""
