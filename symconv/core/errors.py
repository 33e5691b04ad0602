"""The one exception type of symconv (and its index-error flavour)."""

from __future__ import annotations

__all__ = ["SymconvError", "SymconvIndexError"]


class SymconvError(ValueError):
    """Invalid input to a symconv function.

    The message names the operation and the argument, says what must hold, and
    what was given, e.g.::

        correlate: kernel size `K` (=5) exceeds input size `N` (=3) on axis 0
        in mode 'valid'; use mode='full'

    It subclasses :class:`ValueError`, so ``except ValueError`` also catches it.
    """


class SymconvIndexError(SymconvError, IndexError):
    """An index out of range (or of the wrong kind) for an :class:`~symconv.Array`.

    A :class:`SymconvError` that is also an :class:`IndexError`, so code that
    expects Python's sequence protocol (``except IndexError``) keeps working.
    """


# Tracebacks and reprs name the public class (``symconv.SymconvError``), which is
# also where pickling finds it.
SymconvError.__module__ = "symconv"
SymconvIndexError.__module__ = "symconv"
