"""The window stage of a pipeline: rows in, fired windows through the collection plan out.

It owns the window's state (its buffer or, with incremental aggregation, the
open groups' totals) and its counters; the pipeline hands it rows in time order
(event time: as the watermark releases them) and the driver's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .._types import Message
from ..errors import EvalError
from .emit import Emitter
from .fold import GroupFolds
from .joins import TaggedRow
from .metrics import OpMetrics
from .plan import WindowPlan
from .windows import (
    EventTimeWindow,
    ProcessingWindow,
    StateWindow,
    WindowEmit,
    aligned_window_end,
)

__all__ = ["WindowStage"]

Advance = Callable[[int | None], int | None]


class WindowStage:
    """One rule's window: its state machine, folds and the post-window pipeline."""

    def __init__(
        self,
        plan: WindowPlan,
        start_ms: int,
        *,
        metrics: OpMetrics,
        emit: Emitter,
        tables: Callable[[], list[TaggedRow]],
        runtime: Any,
    ) -> None:
        self.plan = plan
        self.metrics = metrics
        self._emit = emit
        self._tables = tables
        self._runtime = runtime
        self.groups: dict[Any, list[Any]] = {}  # the generated fold's open groups
        self.folds = self._new_folds()
        # event time: rows fold into the window they fall in, by its end
        self._folds_by_end: dict[int, GroupFolds] = {}
        self._first_end: int | None = None
        self.window: ProcessingWindow | EventTimeWindow | StateWindow
        if plan.state is not None:
            s = plan.state
            self.window = StateWindow(s.begin, s.end, s.partition)
        elif plan.event_time:
            self.window = EventTimeWindow(plan.spec, plan.trigger)
        else:
            self.window = ProcessingWindow(plan.spec, start_ms, plan.trigger)

    def _new_folds(self) -> GroupFolds | None:
        fold = self.plan.fold
        if fold is None:
            return None
        return GroupFolds(fold.specs, self.plan.collection.key_of if fold.grouped else None)

    def _fresh_folds(self) -> GroupFolds:
        folds = self._new_folds()
        assert folds is not None
        return folds

    def _end_of(self, ts: int) -> int:
        """The end of the event-time tumbling window ``ts`` falls in: the first end is
        aligned to natural time from the first row, as the window aligns it."""
        spec = self.plan.spec
        if self._first_end is None:
            self._first_end = aligned_window_end(ts, spec.raw_interval, spec.unit or "SS")
        first = self._first_end
        if ts < first:
            return first
        return first + ((ts - first) // spec.length_ms + 1) * spec.length_ms

    def next_deadline(self) -> int | None:
        window = self.window
        return window.next_deadline() if isinstance(window, ProcessingWindow) else None

    def on_time(self, now: int) -> None:
        if isinstance(self.window, ProcessingWindow):
            self.fire(self.window.on_time(now), now)

    def on_watermark(self, mark: int, ts: int) -> None:
        if isinstance(self.window, EventTimeWindow):
            self.fire(self.window.on_watermark(mark), ts)

    def ingest(self, row: dict[str, Any], ts: int) -> None:
        """One row at ``ts``; EvalError goes to the caller, which records it."""
        plan = self.plan
        if plan.filter is not None and not plan.filter(row):
            return
        self.metrics.records_in += 1
        if plan.incremental is not None:
            inc = plan.incremental
            inc.fold(self.groups, *[row.get(c) for c in inc.columns])
            return
        if self.folds is not None:
            if isinstance(self.window, EventTimeWindow):
                end = self._end_of(ts)
                pending = self._folds_by_end.get(end)
                if pending is None:
                    pending = self._folds_by_end[end] = self._fresh_folds()
                pending.add(row)
                self.window.on_row(None, ts)  # the window keeps only the time, to fire by
                return
            self.folds.add(row)
            return
        window = self.window
        if isinstance(window, EventTimeWindow):
            window.on_row(row, ts)
        else:
            self.fire(window.on_row(row, ts), ts)

    def fire(self, emits: list[WindowEmit], ts: int) -> None:
        self.metrics.records_out += len(emits)
        incremental = self.plan.incremental
        runtime = self._runtime
        for emit in emits:
            out: list[dict[str, Any]] | None
            if incremental is not None:
                try:
                    out = incremental.finish(self.groups, emit.start_ms, emit.end_ms)
                except (TypeError, ArithmeticError) as exc:
                    self._emit.error(ts, f"run Select error: {exc}")
                    out = None
                self.groups.clear()
            elif self.folds is not None:
                runtime.window_start, runtime.window_end = emit.start_ms, emit.end_ms
                folds, self.folds = self.folds, self._new_folds()
                if isinstance(self.window, EventTimeWindow):
                    folds = self._folds_by_end.pop(emit.end_ms, folds)
                try:
                    items = folds.items()
                    out = self.plan.collection.finish(items) if items is not None else None
                except EvalError as exc:
                    self._emit.error(ts, str(exc))
                    continue
            else:
                runtime.window_start, runtime.window_end = emit.start_ms, emit.end_ms
                try:
                    tables = self._tables() if self.plan.collection.join is not None else ()
                    out = self.plan.collection.apply(emit.rows, tables)
                except EvalError as exc:
                    self._emit.error(ts, str(exc))
                    continue
            if out is not None:
                self._emit(out)

    def run_fast(
        self, messages: Iterable[Message], advance: Advance, slow: Callable[[Message], None]
    ) -> tuple[int, int, int | None]:
        """Feed messages through the planner's generated ingest loop: (handled, kept, last ts)."""
        fast = self.plan.fast
        window = self.window
        assert fast is not None and isinstance(window, ProcessingWindow)
        inc = self.plan.incremental

        def inputs_of() -> Any:  # where the loop appends (ts, row): the buffer, or the folds
            if self.folds is not None:
                return _FoldInto(self.folds)
            return window.buffer.inputs

        handled, kept, last = fast.run(
            messages,
            inputs_of,
            advance,
            slow,
            self.groups,
            inc.fold if inc is not None else None,
        )
        self.metrics.records_in += kept
        return handled, kept, last


class _FoldInto:
    """Lets the generated ingest loop, which appends ``(ts, row)``, fold instead."""

    __slots__ = ("append",)

    def __init__(self, folds: GroupFolds) -> None:
        add = folds.add
        self.append = lambda entry: add(entry[1])
