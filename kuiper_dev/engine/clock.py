"""Clocks that drive rules: virtual (tests, replays, simulations) or wall (live)."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Advance", "VirtualClock", "WallClock"]

Advance = Callable[[int | None], int | None]
"""The driver's clock as a pipeline uses it: fire what is due by the time given (None:
nothing), then return the next deadline."""


class VirtualClock:
    """Time that moves only when told to, so a day of traffic replays in seconds."""

    def __init__(self, start_ms: int = 0) -> None:
        self._now = start_ms

    def now_ms(self) -> int:
        return self._now

    def advance_to(self, ms: int) -> None:
        """Move forward to ``ms``; never backwards (an earlier time is ignored)."""
        if ms > self._now:
            self._now = ms


class WallClock:
    """The machine's clock, for live rules."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def advance_to(self, ms: int) -> None:  # wall time moves by itself
        return None
