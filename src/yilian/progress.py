"""A progress bar for long command-line work (imports, generation), on stderr.

Small on purpose: a bar, a count, a rate, redrawn at most ten times a second, and silent
when stderr is not a terminal unless asked (so logs and tests stay clean).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int | None, label: str, stream: TextIO | None = None,
                 force: bool = False) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()
        self.done = 0
        self._started = time.monotonic()
        self._drawn = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and now - self._drawn >= 0.1:
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.done / max(now - self._started, 1e-9)
        if self.total:
            share = min(1.0, self.done / self.total)
            bar = "█" * int(share * 30) + "·" * (30 - int(share * 30))
            text = f"{self.label} {bar} {self.done:,}/{self.total:,} ({rate:,.0f}/s)"
        else:
            text = f"{self.label} {self.done:,} ({rate:,.0f}/s)"
        self.stream.write("\r" + text)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
