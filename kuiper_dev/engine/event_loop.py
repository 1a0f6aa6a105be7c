"""The general path's state as the generated event-time window loop sees it.

The loop (:class:`~.fastpath.EventWindowFastPath`) takes only the rows whose step
through the general path is known in advance: one stream, no late tolerance,
nothing waiting in the watermark generator, an int event time past the watermark.
For those the watermark generator would release the row at once and move the
watermark to its time, and the window would fire what that watermark passes.
:class:`EventLoopState` is how the loop reads that state and writes it back (the
watermark, the counters, the runtime's current row) before the general path or
a firing runs, so that neither ever sees a difference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._types import Message
from .metrics import OpMetrics
from .runtime import Runtime
from .window_stage import WindowStage
from .windows import NEVER, EventTimeWindow, WatermarkGenerator

__all__ = ["EventLoopState"]


class EventLoopState:
    """One run of the loop over messages (``payload_ts`` None) or bare payloads of
    stream ``stream`` all arriving at ``payload_ts``."""

    __slots__ = ("_advance", "_payload_ts", "_runtime", "_source", "_stage", "_stream", "_wm")

    def __init__(
        self,
        stage: WindowStage,
        watermark: WatermarkGenerator,
        stream: str,
        *,
        source: OpMetrics,
        runtime: Runtime,
        advance: Callable[[int | None], int | None] | None,
        payload_ts: int | None = None,
    ) -> None:
        assert isinstance(stage.window, EventTimeWindow) and stage.panes is not None
        self._stage = stage
        self._wm = watermark
        self._stream = stream
        self._source = source
        self._runtime = runtime
        self._advance = advance
        self._payload_ts = payload_ts

    def sync(self) -> tuple[int, int, bool]:
        """The watermark, the next window end, and whether the loop may take a row."""
        window = self._stage.window
        assert isinstance(window, EventTimeWindow)
        end = window.next_end
        return self._wm.watermark, end, self._wm.pending == 0 and end < NEVER

    def flush(self, mark: int, handled: int, last: Any) -> None:
        """Write back what ``handled`` rows did, the last one ``last`` with time ``mark``."""
        if not handled:
            return
        wm = self._wm
        wm.stream_marks[self._stream] = wm.watermark = mark
        source = self._source
        source.records_in += handled
        source.records_out += handled
        if self._payload_ts is None:
            message = last
        else:
            message = Message(self._stream, last, self._payload_ts)
        source.last_invocation = message.ts
        self._stage.metrics.records_in += handled
        self._runtime.message = message
        self._runtime.event_time = mark

    def locate(self, ts: int) -> tuple[dict[Any, list[Any]], int, int]:
        """The groups of the window holding ``ts``, and that window's start and end."""
        panes = self._stage.panes
        assert panes is not None
        return panes.locate(ts)

    def fire(self, mark: int, ts: int) -> int:
        """Fire what watermark ``mark`` passes (message arrival ``ts``); the next end."""
        if self._advance is not None:
            self._advance(ts)  # the clock at the message's arrival, as the general path has it
        self._stage.on_watermark(mark, ts)
        window = self._stage.window
        assert isinstance(window, EventTimeWindow)
        return window.next_end
