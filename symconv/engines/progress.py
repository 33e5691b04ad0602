"""Progress reporting on stderr for long instance checks.

Silent unless stderr is a terminal (or ``enabled=True``), and silent for the
first ``delay`` seconds, so short checks print nothing.

>>> p = Progress("check", total=10, enabled=False)
>>> p.update(5); p.close()
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """A one-line ``\\r`` progress meter: ``label: 42% (420,000/1,000,000 terms, 3.1 s)``."""

    def __init__(
        self,
        label: str,
        total: int,
        *,
        enabled: bool | None = None,
        delay: float = 2.0,
        interval: float = 0.5,
        stream: TextIO | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.label = label
        self.total = max(int(total), 1)
        self.done = 0
        self.delay = delay
        self.interval = interval
        self.start = time.perf_counter()
        self._last = self.start
        self._shown = False

    def update(self, n: int) -> None:
        """Record ``n`` more units of work; redraw at most every ``interval`` seconds."""
        self.done += int(n)
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.start < self.delay or now - self._last < self.interval:
            return
        self._last = now
        self._shown = True
        pct = min(100.0, 100.0 * self.done / self.total)
        self.stream.write(f"\r{self.label}: {pct:5.1f}% ({self.done:,}/{self.total:,} terms, {now - self.start:.1f} s)")
        self.stream.flush()

    def restart(self) -> None:
        """Count the work again from zero (a second pass over the same terms); the clock keeps running."""
        self.done = 0

    def close(self) -> None:
        """Finish the line (only if something was printed)."""
        if self.enabled and self._shown:
            self.stream.write(f"\r{self.label}: done ({self.done:,} terms, {time.perf_counter() - self.start:.1f} s)\n")
            self.stream.flush()
