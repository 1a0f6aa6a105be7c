"""Event-time windows: fired by watermarks, never by the clock (``event_window_trigger.go``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._scan import WindowBuffer
from .spec import WindowEmit, WindowSpec, aligned_window_end

__all__ = ["NEVER", "EventTimeWindow"]

NEVER = _NEVER = 2**62  # no window end known yet


class EventTimeWindow:
    """One rule's event-time window; rows arrive in event-time order from the watermark."""

    def __init__(
        self,
        spec: WindowSpec,
        trigger: Callable[[Any], bool] | None = None,
        *,
        keep_rows: bool = True,
    ) -> None:
        if spec.kind not in ("tumbling", "hopping", "sliding", "session"):
            raise ValueError(f"unsupported window type {spec.kind} in event time")
        self.spec = spec
        # a sliding window whose rows are folded elsewhere needs only its trigger times
        self.times_only = spec.kind == "sliding" and not keep_rows
        self.buffer = WindowBuffer(spec, None, event_time=True)
        self.trigger = trigger
        self._next_end = _NEVER
        self._prev_end: int | None = None
        self._last_ticked = False
        self._trigger_ts: list[int] = []
        self._delay_ts: list[int] = []

    @property
    def next_end(self) -> int:
        """The end of the next window to fire (:data:`NEVER` before the first watermark)."""
        return self._next_end

    def on_row(self, row: Any, ts: int) -> None:
        if self.buffer.trigger_time is None:
            self.buffer.trigger_time = ts
        if self.spec.kind == "sliding" and (self.trigger is None or self.trigger(row)):
            self._trigger_ts.append(ts)
        if not self.times_only:
            self.buffer.inputs.append((ts, row))

    def _earliest(self, after: int | None, upto: int) -> int:
        low = after if after is not None else -(2**62)
        found = [ts for ts, _ in self.buffer.inputs if low < ts <= upto]
        return min(found) if found else _NEVER

    def _next_window(self, watermark: int) -> int:
        spec = self.spec
        if spec.kind in ("tumbling", "hopping"):
            if self._prev_end is not None:
                return self._prev_end + (
                    spec.interval_ms if spec.kind == "hopping" else spec.length_ms
                )
            first = self._earliest(None, watermark)
            return (
                first
                if first == _NEVER
                else aligned_window_end(first, spec.raw_interval, spec.unit or "SS")
            )
        return self._earliest(self._prev_end, watermark)  # sliding

    def _next_session(self, now: int) -> tuple[int, bool]:
        inputs = self.buffer.inputs
        if not inputs:
            return _NEVER, False
        timeout, duration = self.spec.interval_ms, self.spec.length_ms
        et = inputs[0][0]
        tick = aligned_window_end(et, self.spec.raw_interval, self.spec.unit or "SS")
        previous: int | None = None
        ticked = False
        for ts, _ in inputs:
            r = _NEVER
            if previous is not None and ts - previous > timeout:
                r = previous + timeout
            if ts > tick:
                if tick - duration > et and tick < r:
                    r, ticked = tick, True
                tick += duration
            if r < _NEVER:
                return r, ticked
            previous = ts
        if previous is not None and now - previous > timeout:
            return previous + timeout, ticked
        return _NEVER, ticked

    def on_watermark(self, watermark: int) -> list[WindowEmit]:
        if self.times_only:
            return self._slide_times(watermark)
        spec, buffer = self.spec, self.buffer
        out: list[WindowEmit] = []
        if spec.kind == "sliding":
            while self._delay_ts and watermark >= self._delay_ts[0]:
                out.append(buffer.scan(self._delay_ts.pop(0), spec.length_ms + spec.delay_ms))
        end, ticked = self._next_end, False
        if end == _NEVER or spec.kind in ("session", "sliding"):
            if spec.kind == "session":
                end, ticked = self._next_session(watermark)
            else:
                end = self._next_window(watermark)
        while end <= watermark:
            if spec.kind == "session" and not self._last_ticked:
                buffer.trigger_time = buffer.inputs[0][0]
            if spec.kind == "sliding":
                while self._trigger_ts and self._trigger_ts[0] <= watermark:
                    t = self._trigger_ts.pop(0)
                    if spec.delay > 0:
                        self._delay_ts.append(t + spec.delay_ms)
                    else:
                        out.append(buffer.scan(t, spec.length_ms))
            else:
                out.append(buffer.scan(end, spec.length_ms + spec.delay_ms))
            self._prev_end, self._last_ticked = end, ticked
            if spec.kind == "session":
                end, ticked = self._next_session(watermark)
            else:
                end = self._next_window(watermark)
        self._next_end = end
        return out

    def _slide_times(self, watermark: int) -> list[WindowEmit]:
        """The sliding windows due by ``watermark`` as ranges only: delayed ones first,
        then each trigger (whose delay, if any, starts now), as the row scan fires them."""
        spec = self.spec
        out: list[WindowEmit] = []
        while self._delay_ts and watermark >= self._delay_ts[0]:
            at = self._delay_ts.pop(0)
            out.append(WindowEmit([], at - spec.length_ms - spec.delay_ms, at))
        while self._trigger_ts and self._trigger_ts[0] <= watermark:
            t = self._trigger_ts.pop(0)
            if spec.delay > 0:
                self._delay_ts.append(t + spec.delay_ms)
            else:
                out.append(WindowEmit([], t - spec.length_ms, t))
        return out
