"""The run-time side of a rule: a :class:`RulePlan`'s stages with their state.

Messages come in through :meth:`Pipeline.push` (decode, event time and
watermark, analytic functions, then the row path or the window stage) and time
through :meth:`Pipeline.on_time`; results leave through the sink stage. The
driver decides when each is called. Every failing row becomes an error record
(and, with ``sendError``, an ``{"error": ...}`` emission); the rule goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from .._types import Message
from ..connectors import MemoryBus
from ..errors import DecodeError, EvalError
from .arrival import arrival_of, arriving
from .clock import Advance
from .emit import Emitter, SinkFn
from .event_loop import EventLoopState
from .fastpath import EventWindowFastPath, WindowFastPath
from .formats import row_event_time
from .join_loop import JoinLoop, loop_for
from .joins import TaggedRow
from .plan import RulePlan
from .result import RuleResult
from .row_stage import RowStage
from .runtime import StampedRow
from .tables import Tables
from .window_stage import WindowStage
from .windows import ProcessingWindow, WatermarkGenerator

__all__ = ["Mover", "Pipeline"]


class Mover(Protocol):
    """What a pipeline asks of the driver while it takes a run of messages."""

    def advance(self, to: int | None) -> int | None: ...

    def move_to(self, ts: int) -> None: ...


class Pipeline:
    """One running rule: push messages, let time pass, read its result and status."""

    def __init__(self, plan: RulePlan, *, start_ms: int = 0, bus: MemoryBus | None = None) -> None:
        self.plan = plan
        self.id = plan.rule_id
        self.result = RuleResult(plan.rule_id, plan.sql)
        self.metrics = self.result.status.counters
        self.result.status.plan = plan  # its operators, as eKuiper's status lists them
        # the stream whose messages drive the rule: FROM's, or, when FROM names a table
        # (``FROM tb JOIN s``), the joined stream's; tables only fill in between
        self._trigger = _trigger_stream(plan)
        self.metrics["source"].name = f"source_{self._trigger}_0"
        self._runtime = plan.runtime
        self._runtime.rule_start = start_ms
        self.emit = Emitter(self.result, self.metrics["sink"], send_error=plan.options.send_error)
        self._tables = Tables(plan.inputs, bus)
        et = plan.event_time
        self._watermark = WatermarkGenerator(list(et.streams), et.late_tolerance) if et else None
        self._tagged = bool(plan.select.joins)
        self._stamp = plan.window is not None and plan.window.stamp_rows
        self.row = (
            RowStage(
                plan.row,
                metrics=self.metrics,
                emit=self.emit,
                runtime=self._runtime,
                tables=self._tables.rows,
            )
            if plan.row is not None
            else None
        )
        self.window = (
            WindowStage(
                plan.window,
                start_ms,
                metrics=self.metrics["window"],
                emit=self.emit,
                tables=self._tables.rows,
                runtime=self._runtime,
            )
            if plan.window is not None
            else None
        )
        self._join_loop = loop_for(plan, self.window)

    @property
    def sinks(self) -> list[SinkFn]:
        """The functions each emission goes to (the rule's result first)."""
        return self.emit.sinks

    @sinks.setter
    def sinks(self, sinks: list[SinkFn]) -> None:
        self.emit.sinks = sinks
        self.result.status.sink_kinds = [getattr(s, "kind", "log") for s in sinks]

    def watch(self, fn: SinkFn) -> None:
        """Let ``fn`` see every emission after the sinks, without being counted as one."""
        self.emit.watchers.append(fn)

    def attach_clock(self, now_ms: Callable[[], int]) -> None:
        """Read time from this clock (the driver's)."""
        self._runtime.now_ms = now_ms
        self.emit.attach_clock(now_ms)

    def now_ms(self) -> int:
        """The rule's clock reading (the driver's once attached), epoch ms."""
        return self._runtime.now_ms()

    def record_error(self, ts: int, message: str) -> None:
        """Record an error met outside the rule's own stages (a source, a sink)."""
        self.emit.error(ts, message)

    def status(self) -> dict[str, Any]:
        """eKuiper's ``getstatus`` view: rule state and per-operator counters."""
        out: dict[str, Any] = {"status": self.result.status.status}
        out.update(self.result.status.metrics())
        return out

    # -- time ----------------------------------------------------------------------
    def next_deadline(self) -> int | None:
        """When the rule's processing-time window next needs the clock, if ever."""
        return self.window.next_deadline() if self.window is not None else None

    def on_time(self, now: int) -> None:
        """Let the clock reach ``now``: fire the windows due by then."""
        if self.window is not None:
            self.window.on_time(now)

    # -- messages ------------------------------------------------------------------
    def push(self, stream: str, messages: Iterable[Message], driver: Mover | None = None) -> None:
        """Push messages of ``stream`` in arrival order.

        With a ``driver`` the pipeline asks it to fire what is due before each
        message (and may hand the whole run to the planner's generated loop);
        without one the caller has moved the clock already.
        """
        plan = self.plan
        if driver is None:
            for m in messages:
                self._message(stream, m)
            return
        if stream == plan.main.name:
            if plan.fast is not None:
                self._run_fast(messages, driver.advance)
                return
            fast = self.window.plan.fast if self.window is not None else None
            if isinstance(fast, EventWindowFastPath):
                self._run_event_window(fast, stream, messages, driver.advance)
                return
            if fast is not None:
                self._run_fast_window(stream, messages, driver.advance)
                return
        self.push_routed(((stream, m) for m in messages), driver)

    def push_routed(self, routed: Iterable[tuple[str, Message]], driver: Mover) -> None:
        """Push ``(stream, message)`` pairs in arrival order, this pipeline alone on
        ``driver``'s clock: what is due fires before each message, as the driver's
        own delivery does, without asking every pipeline for its deadline each time."""
        if self._join_loop is not None:
            self._run_join_loop(self._join_loop, routed, driver)
            return
        due = driver.advance(None)
        window = self.window if self.window is not None and self.window.rows_set_timers else None
        reads = self.plan.inputs
        for stream, m in routed:
            if due is not None and m.ts >= due:
                due = driver.advance(m.ts)
            else:
                driver.move_to(m.ts)
            if stream in reads:
                self._message(stream, m)
            if window is not None:  # the row may have armed a timer
                d = window.next_deadline()
                if d is not None and (due is None or d < due):
                    due = d

    def _run_join_loop(
        self, loop: JoinLoop, routed: Iterable[tuple[str, Message]], driver: Mover
    ) -> None:
        """``push_routed`` through the planner's generated join loop: rows kept in the
        window's buffer until its timers fire them, the general path for the rest."""
        assert self.window is not None and isinstance(self.window.window, ProcessingWindow)
        buffer = self.window.window.buffer

        def inputs_of() -> list[Any]:  # firing replaces the buffer's list
            return buffer.inputs

        loop.run(
            routed,
            driver.advance,
            driver.move_to,
            inputs_of,
            self._message,
            self._runtime,
            self.metrics["source"],
            self.metrics["window"],
        )

    def _run_fast(self, messages: Iterable[Message], advance: Advance) -> None:
        assert self.plan.fast is not None and self.row is not None
        stream = self.plan.main.name
        last = self.row.run_fast(self.plan.fast, messages, lambda m: self._message(stream, m))
        if last is not None:
            advance(last)

    def push_payloads(
        self,
        payloads: Iterable[bytes],
        ts: int,
        *,
        arrival: str | None = None,
        driver: Mover | None = None,
    ) -> None:
        """Raw payloads of the FROM stream (a file of JSON lines), all arriving at
        ``ts``, or with ``arrival`` and a ``driver`` each at the time its ``arrival``
        field holds (see :mod:`.arrival`).

        Blank lines are skipped here, on the slow path only (they fail to decode), so a
        file's lines need no filtering pass before the generated loop.
        """
        stream = self.plan.main.name
        if arrival is not None:
            assert driver is not None, "payloads with their own arrival need the driver's clock"
            self._push_arrivals(stream, payloads, ts, arrival, driver)
            return

        def slow(payload: bytes) -> None:
            if payload.strip():
                self._message(stream, Message(stream, payload, ts))

        window = self.plan.window
        if window is not None and isinstance(window.fast, EventWindowFastPath):
            state = self._event_state(None, ts)
            window.fast.run_payloads(payloads, ts, state, slow, self._fold())
            return
        if self.plan.fast is None or self.row is None:
            for payload in payloads:
                slow(payload)
            return
        self.row.run_fast_payloads(self.plan.fast, payloads, ts, slow)

    def _push_arrivals(
        self, stream: str, payloads: Iterable[bytes], start: int, column: str, driver: Mover
    ) -> None:
        window = self.plan.window
        fast = window.fast if window is not None else None
        loop = fast.arrival_loop(column) if isinstance(fast, WindowFastPath) else None
        if loop is None or self.window is None:
            self.push(stream, arriving(stream, payloads, column, start), driver)
            return
        advance = driver.advance

        def slow(payload: bytes, now: int) -> int:
            if not payload.strip():
                return now
            at = arrival_of(payload, column, now)
            advance(at)
            self._message(stream, Message(stream, payload, at))
            return at

        handled, _kept, last = self.window.run_arrivals(loop, payloads, start, advance, slow)
        source = self.metrics["source"]
        source.records_in += handled
        source.records_out += handled
        if handled:
            source.last_invocation = last
        advance(last)

    def _run_event_window(
        self, fast: EventWindowFastPath, stream: str, messages: Iterable[Message], advance: Advance
    ) -> None:
        def slow(m: Message) -> None:
            advance(m.ts)
            self._message(stream, m)

        last = fast.run(messages, self._event_state(advance, None), slow, self._fold())
        if last is not None:
            advance(last)

    def _event_state(self, advance: Advance | None, payload_ts: int | None) -> EventLoopState:
        assert self.window is not None and self._watermark is not None
        return EventLoopState(
            self.window,
            self._watermark,
            self.plan.main.name,
            source=self.metrics["source"],
            runtime=self._runtime,
            advance=advance,
            payload_ts=payload_ts,
        )

    def _fold(self) -> Callable[..., None]:
        window = self.plan.window
        assert window is not None and window.incremental is not None
        return window.incremental.fold

    def _run_fast_window(self, stream: str, messages: Iterable[Message], advance: Advance) -> None:
        assert self.window is not None

        def slow(m: Message) -> None:
            advance(m.ts)
            self._message(stream, m)

        handled, _kept, last = self.window.run_fast(messages, advance, slow)
        source = self.metrics["source"]
        source.records_in += handled
        source.records_out += handled
        if last is not None:
            source.last_invocation = last
            advance(last)

    def _message(self, stream: str, message: Message) -> None:
        """One message through decode and the rule's stages."""
        spec = self.plan.inputs.get(stream)
        if spec is None:
            return
        main = stream == self._trigger
        source = self.metrics["source"]
        if main:
            source.records_in += 1
            source.last_invocation = message.ts
            self._runtime.message = message
        try:
            rows = spec.decode(message.payload)
        except DecodeError as exc:
            if main:
                source.error(str(exc), message.ts)
                self.emit.error(message.ts, f"decode error: {exc}")
            else:
                self.emit.error(message.ts, f"decode error in {stream}: {exc}")
            return
        if main:
            source.records_out += len(rows)
        if self._tagged:
            rows = [TaggedRow(spec.tag, r) for r in rows]
            if self._tables.holds(stream):
                self._tables.retain(stream, rows)  # type: ignore[arg-type]
                return
        self._rows(rows, message.ts, stream)

    def _rows(self, rows: list[dict[str, Any]], ts: int, stream: str) -> None:
        et = self.plan.event_time
        for row in rows:
            at = ts
            if et is not None:
                try:
                    at = row_event_time(row, et.field, et.format)
                except EvalError as exc:
                    self.emit.error(ts, str(exc))
                    continue
            if self._watermark is None:
                self._ingest(row, at)
                continue
            released, mark = self._watermark.on_row(stream, row, at)
            for event_ts, event_row in released:
                self._ingest(event_row, event_ts)
            if mark is not None and self.window is not None:
                self.window.on_watermark(mark, ts)

    def _ingest(self, row: dict[str, Any], ts: int) -> None:
        self._runtime.event_time = ts
        if self._stamp:
            row = StampedRow(row, ts, self._runtime.message)
        try:
            for evaluate in self.plan.analytics:
                evaluate(row)
            if self.window is not None:
                self.window.ingest(row, ts)
            elif self.row is not None:
                self.row.ingest(row)
        except EvalError as exc:
            self.emit.error(ts, str(exc))
        except Exception as exc:  # an engine bug must not kill the rule either
            self.emit.error(ts, f"internal error in rule {self.id}: {exc!r}")


def _trigger_stream(plan: RulePlan) -> str:
    if plan.main.kind != "table":
        return plan.main.name
    streams = [name for name, i in plan.inputs.items() if i.stream.kind != "table"]
    return streams[0] if streams else plan.main.name
