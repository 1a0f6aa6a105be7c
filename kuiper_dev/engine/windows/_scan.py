"""The one scan that cuts a window's content out of its buffered rows.

eKuiper's ``handleInputs``: overlapping windows (hopping, sliding) first drop
expired rows (before ``right - length - delta``); time windows take rows strictly
before the end, sliding windows without delay up to and including it. What is
kept for the next window differs: overlapping windows keep from the first row of
this window, the others from the first row after it.
"""

from __future__ import annotations

from typing import Any

from .spec import WindowEmit, WindowSpec

__all__ = ["WindowBuffer"]

Entry = tuple[int, Any]


class WindowBuffer:
    """Rows waiting in a window, with the previous trigger time eKuiper keeps."""

    def __init__(self, spec: WindowSpec, trigger_time: int | None, *, event_time: bool) -> None:
        self.spec = spec
        self.inputs: list[Entry] = []
        self.trigger_time = trigger_time  # None is Go's zero time
        self.event_time = event_time
        self.overlap = spec.kind in ("hopping", "sliding")
        self.time_related = spec.kind in ("tumbling", "hopping", "session") or (
            spec.kind == "sliding" and spec.delay > 0
        )

    def _delta(self, right: int) -> int:
        if self.trigger_time is None:
            return 0  # Go uses MaxInt16 ns here: less than a millisecond
        if not self.event_time and self.spec.interval_ms > 0:
            return right - self.trigger_time - self.spec.interval_ms
        return 0

    def scan(self, right: int, length_ms: int) -> WindowEmit:
        """Fire the window ending at ``right``; update the buffer and trigger time."""
        spec = self.spec
        delta = self._delta(right) if spec.kind in ("hopping", "sliding") else 0
        left = right - spec.length_ms - spec.delay_ms - delta
        content: list[Any] = []
        next_left = -1
        started = False
        for i, (ts, row) in enumerate(self.inputs):
            if self.overlap and not started and ts < left:
                continue  # expired
            started = True
            meet = ts < right if self.time_related else ts <= right
            if meet:
                content.append(row)
                if next_left < 0 and self.overlap:
                    next_left = i
            elif next_left < 0 and not self.overlap:
                next_left = i
        self.inputs = [] if next_left < 0 else self.inputs[next_left:]
        previous = self.trigger_time or 0
        if spec.kind in ("tumbling", "session"):
            start = previous
        elif spec.kind == "hopping":
            start = previous - spec.interval_ms
        else:
            start = right - length_ms
        if start <= 0:
            start = right - length_ms
        self.trigger_time = right
        return WindowEmit(content, start, right)

    def gc(self, trigger: int) -> None:
        """Drop rows too old for any future sliding window (eKuiper's ``gcInputs``)."""
        length = self.spec.length_ms + self.spec.delay_ms
        keep = 0
        for ts, _ in self.inputs:
            if ts + length >= trigger:
                break
            keep += 1
        self.inputs = self.inputs[keep:]
