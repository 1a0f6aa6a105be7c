"""Processing-time windows, driven by timers on the rule's clock (eKuiper v1 window op).

The rule's driver asks :meth:`ProcessingWindow.next_deadline`, moves the clock
there and calls :meth:`on_time`; arrivals go to :meth:`on_row`. Tumbling, hopping
and session windows tick on natural-time boundaries (:func:`aligned_window_end`);
sliding windows fire on arrivals (after ``delay`` when given); count windows on
every ``interval``-th arrival.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._scan import WindowBuffer
from .spec import WindowEmit, WindowSpec, aligned_window_end

__all__ = ["ProcessingWindow"]

_TICK_TOLERANCE_MS = 50  # eKuiper skips and realigns a tick later than this


class ProcessingWindow:
    """One rule's processing-time window state."""

    def __init__(
        self,
        spec: WindowSpec,
        start_ms: int,
        trigger: Callable[[Any], bool] | None = None,
        *,
        keep_rows: bool = True,
    ) -> None:
        self.spec = spec
        # a sliding window whose rows are folded elsewhere needs only its trigger times
        self.times_only = spec.kind == "sliding" and not keep_rows
        self.buffer = WindowBuffer(spec, start_ms, event_time=False)
        self.trigger = trigger
        self.msg_count = 0
        self._first_at: int | None = None  # when the aligning first timer fires
        self._first_time = 0  # the window end that first timer stands for
        self._tick_at: int | None = None  # next periodic tick
        self._next_time = 0  # the window end the next tick stands for
        self._timeout_at: int | None = None  # session timeout
        self._timeout_armed = False
        self._delays: list[int] = []  # sliding windows: pending delayed triggers
        if spec.kind in ("tumbling", "hopping", "session"):
            self._align(start_ms)

    @property
    def _period(self) -> int:
        return self.spec.interval_ms if self.spec.kind == "hopping" else self.spec.length_ms

    def _align(self, now: int) -> None:
        self._first_time = aligned_window_end(now, self.spec.raw_interval, self.spec.unit or "SS")
        self._first_at = max(self._first_time, now)
        self._tick_at = None

    def next_deadline(self) -> int | None:
        times = [t for t in (self._first_at, self._tick_at, self._timeout_at) if t is not None]
        times += self._delays[:1]
        return min(times) if times else None

    # -- timers --------------------------------------------------------------------
    def on_time(self, now: int) -> list[WindowEmit]:
        """Fire every timer due at or before ``now``, in time order."""
        out: list[WindowEmit] = []
        while (deadline := self.next_deadline()) is not None and deadline <= now:
            out.extend(self._fire(deadline))
        return out

    def _fire(self, at: int) -> list[WindowEmit]:
        spec = self.spec
        if self._delays and self._delays[0] == at:
            self._delays.pop(0)
            if self.times_only:
                return [WindowEmit([], at - spec.delay_ms - spec.length_ms, at)]
            return [self.buffer.scan(at, spec.delay_ms + spec.length_ms)]
        if self._first_at == at:
            self._first_at = None
            self._tick_at = at + self._period
            self._next_time = self._first_time
            return self._tick(self._first_time)
        if self._tick_at == at:
            self._tick_at = at + self._period
            self._next_time += self._period
            if abs(at - self._next_time) < _TICK_TOLERANCE_MS:
                return self._tick(self._next_time)
            self._align(at)  # the clock jumped: realign as eKuiper does
            return []
        if self._timeout_at == at:
            self._timeout_at = None
            if self.buffer.inputs:
                emit = self.buffer.scan(at, spec.length_ms + spec.delay_ms)
                self.buffer.inputs = []
                self._timeout_armed = False
                return [emit]
            return []
        raise AssertionError(f"no timer at {at}")  # pragma: no cover

    def _tick(self, end: int) -> list[WindowEmit]:
        if self.spec.kind == "session":
            inputs = self.buffer.inputs
            if not inputs or end - inputs[0][0] < self.spec.length_ms:
                return []
        return [self.buffer.scan(end, self.spec.length_ms + self.spec.delay_ms)]

    # -- arrivals ------------------------------------------------------------------
    def on_row(self, row: Any, ts: int) -> list[WindowEmit]:
        spec, buffer = self.spec, self.buffer
        if self.times_only:
            if self.trigger is not None and not self.trigger(row):
                return []
            if spec.delay > 0:
                self._delays.append(ts + spec.delay_ms)
                return []
            return [WindowEmit([], ts - spec.length_ms, ts)]
        buffer.inputs.append((ts, row))
        if spec.kind == "sliding":
            if self.trigger is None or self.trigger(row):
                if spec.delay > 0:
                    self._delays.append(ts + spec.delay_ms)
                    return []
                return [buffer.scan(ts, spec.length_ms)]
            buffer.gc(ts + 1)
            return []
        if spec.kind == "session":
            if not self._timeout_armed:
                self._timeout_armed = True
                buffer.trigger_time = ts
            self._timeout_at = ts + spec.interval_ms
            return []
        if spec.kind == "count":
            return self._count()
        return []

    def _count(self) -> list[WindowEmit]:
        size = self.spec.length
        every = self.spec.interval or size
        self.msg_count += 1
        if self.msg_count % every != 0:
            return []
        self.msg_count = 0
        inputs = self.buffer.inputs
        if len(inputs) < size:
            return []
        now = inputs[-1][0]
        emit = WindowEmit([row for _, row in inputs[-size:]], now, now)
        self.buffer.inputs = inputs[len(inputs) - size + 1 :]
        return [emit]
