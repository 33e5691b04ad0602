"""The library table: ``identify`` run on every installed preset (chapter 6 of the course notes).

Each row is measured, not typed: the operation, the default output window, where a 'same' window
puts an even kernel's extra zero, whether complex kernels are conjugated, and the boundary.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass

from symconv.identification._identify import identify
from symconv.identification._presets import PRESETS
from symconv.identification._render import axis_window, same_side
from symconv.identification._result import Identification

__all__ = ["LibraryRow", "library_table"]


@dataclass(frozen=True)
class LibraryRow:
    """One library function as ``identify`` sees it (cells as text; the full results attached)."""

    function: str
    ndim: int
    operation: str
    default_mode: str
    same_even_kernel: str
    conjugates: str
    boundary: str
    result: Identification
    same_result: Identification | None

    def cells(self) -> list[str]:
        """``[function, operation, default mode, 'same' with an even kernel, conjugates, boundary]``."""
        return [self.function, self.operation, self.default_mode, self.same_even_kernel, self.conjugates, self.boundary]


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def _mode(r: Identification) -> str:
    if r.mode is not None:
        return r.mode
    if r.operation is None and r.flip_every_axis is not False:
        return "—"
    return "; ".join(axis_window(a).split(", stride")[0] for a in r.axes)


def _side(r: Identification | None) -> str:
    if r is None or not r.axes:
        return "—"
    sides = {same_side(a) for a in r.axes}
    if r.mode != "same" or len(sides) != 1:
        return "—"
    side = sides.pop()
    return "—" if side is None else f"extra zero at the {'END' if side == 'end' else 'start'}"


def _conj(r: Identification) -> str:
    if r.conjugate is None:
        ev = [e for e in r.evidence if e.decides == "conjugate"]
        return "rejects complex input" if ev and "raised" in ev[0].observed else "unknown"
    return "yes" if r.conjugate else "no"


def library_table(names: Sequence[str] | None = None) -> list[LibraryRow]:
    """``identify`` on each preset whose library is installed (all presets, or ``names``), at its natural ndim.

    Presets with a 'same' option are identified a second time in that mode to fill the "'same',
    even kernel" column; functions whose output always has the input's size (scipy.ndimage) use
    their default result. Presets of missing libraries are left out.

    >>> rows = library_table(["numpy.convolve", "numpy.correlate"])
    >>> [r.cells() for r in rows]  # doctest: +NORMALIZE_WHITESPACE
    [['numpy.convolve', 'convolution', 'full', 'extra zero at the start', 'no', 'zeros'],
     ['numpy.correlate', 'correlation', 'valid', 'extra zero at the start', 'yes', 'none']]
    """
    out = []
    for name in names if names is not None else list(PRESETS):
        p = PRESETS[name]
        if not _installed(p.package):
            continue
        r = identify(name)
        same = identify(name, mode="same") if "same" in p.modes else (r if r.mode == "same" else None)
        out.append(
            LibraryRow(
                function=name,
                ndim=r.ndim,
                operation=r.operation or "neither",
                default_mode=_mode(r),
                same_even_kernel=_side(same),
                conjugates=_conj(r),
                boundary=r.boundary or "unknown",
                result=r,
                same_result=same,
            )
        )
    return out
