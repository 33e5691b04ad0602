"""The one definition: the error types, cost limits, affine index maps, the contraction formula of every
operation, and argument validation. Everything else derives from here; nothing here imports a layer above.

An internal layer: the public API is ``symconv.*`` (see docs/guide/layout.md, "Where things are")."""
