"""Writing for readers: LaTeX/Markdown documents, derivations, figures and the course notes.

An internal layer: the public API is ``symconv.*`` (see docs/guide/layout.md, "Where things are")."""
