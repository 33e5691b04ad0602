"""The one exception type of symconv."""

from __future__ import annotations

__all__ = ["SymconvError"]


class SymconvError(ValueError):
    """Invalid input to a symconv function.

    The message names the operation and the argument, says what must hold, and
    what was given, e.g.::

        correlate: kernel size `K` (=5) exceeds input size `N` (=3) on axis 0
        in mode 'valid'; use mode='full'

    It subclasses :class:`ValueError`, so ``except ValueError`` also catches it.
    """
