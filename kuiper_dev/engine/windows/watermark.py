"""Event-time ordering: eKuiper's watermark operator (``watermark_op.go``).

The watermark is the minimum over the rule's streams of the largest event time
seen, minus ``lateTolerance``. Rows wait, sorted by event time, until the
watermark passes them; a row older than the last watermark is late and dropped.
"""

from __future__ import annotations

import bisect
from typing import Any

__all__ = ["ZERO_TIME", "WatermarkGenerator"]

ZERO_TIME = -62_135_596_800_000  # Go's time.Time{} (year 1) in epoch ms


class WatermarkGenerator:
    def __init__(self, streams: list[str], late_tolerance_ms: int = 0) -> None:
        self.late_tolerance = late_tolerance_ms
        self.stream_marks = {s: ZERO_TIME + late_tolerance_ms for s in streams}
        self.watermark = ZERO_TIME
        self._times: list[int] = []
        self._rows: list[Any] = []
        self.dropped = 0

    def on_row(self, stream: str, row: Any, ts: int) -> tuple[list[tuple[int, Any]], int | None]:
        """Take one row; return the rows now released (in order) and the new watermark."""
        if stream not in self.stream_marks or ts > self.stream_marks[stream]:
            self.stream_marks[stream] = ts
        if ts < self.watermark:
            self.dropped += 1
            return [], None
        at = bisect.bisect_right(self._times, ts)
        self._times.insert(at, ts)
        self._rows.insert(at, row)
        mark = min(self.stream_marks.values()) - self.late_tolerance
        if mark <= self.watermark:
            return [], None
        count = bisect.bisect_right(self._times, mark)
        released = list(zip(self._times[:count], self._rows[:count], strict=True))
        del self._times[:count], self._rows[:count]
        self.watermark = mark
        return released, mark

    @property
    def pending(self) -> int:
        return len(self._times)
