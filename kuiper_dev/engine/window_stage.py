"""The window stage of a pipeline: rows in, fired windows through the collection plan out.

It owns the window's state (its buffer or, with incremental aggregation, the
open groups' totals) and its counters; the pipeline hands it rows in time order
(event time: as the watermark releases them) and the driver's clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from .._types import Message
from ..errors import EvalError
from .clock import Advance
from .emit import Emitter
from .fastpath import WindowFastPath
from .fold import GroupFolds, PaneGroups, WindowFolds
from .fold_sliding import SlidingFolds
from .incremental_sliding import SlidingGroups
from .joins import TaggedRow
from .metrics import OpMetrics
from .plan import WindowPlan
from .sliding_loop import SlidingFastPath
from .windows import (
    EventTimeWindow,
    ProcessingWindow,
    StateWindow,
    WindowEmit,
    aligned_window_end,
)

__all__ = ["WindowStage"]


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
        # ... or, in event time, each window's own groups
        self.panes = (
            PaneGroups(plan.spec.length_ms, _first_end(plan, start_ms))
            if plan.incremental is not None and plan.event_time
            else None
        )
        self.folds = _window_folds(plan, start_ms)
        self.slides = SlidingGroups() if plan.sliding is not None else None
        self.window: ProcessingWindow | EventTimeWindow | StateWindow
        if plan.state is not None:
            s = plan.state
            fold = plan.fold
            new_rows: Callable[[], Any] = list
            if fold is not None:  # each window's rows fold into its own groups

                def new_rows() -> GroupFolds:
                    assert fold is not None
                    return GroupFolds(fold.specs, None)

            self.window = StateWindow(s.begin, s.end, s.partition, new_rows=new_rows)
        else:
            # a folding sliding window hands its machine the trigger's answer, not the row
            sliding = isinstance(self.folds, SlidingFolds) or self.slides is not None
            trigger = _flag if sliding else plan.trigger
            if plan.event_time:
                self.window = EventTimeWindow(plan.spec, trigger, keep_rows=not sliding)
            else:
                self.window = ProcessingWindow(plan.spec, start_ms, trigger, keep_rows=not sliding)

    @property
    def rows_set_timers(self) -> bool:
        """Whether a row may arm a timer (a session's timeout, a sliding delay), so the
        driver must ask for the next deadline after each row."""
        window, spec = self.window, self.plan.spec
        return isinstance(window, ProcessingWindow) and (
            spec.kind == "session" or (spec.kind == "sliding" and spec.delay > 0)
        )

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
        window = self.window
        if plan.incremental is not None:
            inc = plan.incremental
            groups = self.groups
            if self.panes is not None:
                groups = self.panes.locate(ts)[0]
                window.on_row(None, ts)  # the window keeps only the time, to fire by
            inc.fold(groups, *[row.get(c) for c in inc.columns])
            return
        if plan.sliding is not None:  # a window per row: no trigger, no delay
            assert self.slides is not None
            out = plan.sliding.step(self.slides, ts, *[row.get(c) for c in plan.sliding.columns])
            self.metrics.records_out += 1
            if out is not None:
                self._emit(out)
            return
        if isinstance(self.folds, SlidingFolds):
            self._slide(self.folds, row, ts)
            return
        if self.folds is not None:
            self.folds.add(row, ts)
            if isinstance(window, EventTimeWindow):
                window.on_row(None, ts)  # the window keeps only the time, to fire by
            elif plan.spec.kind in ("session", "count"):  # they fire by arrivals' times or count
                self.fire(window.on_row(None, ts), ts)
            return
        if isinstance(window, EventTimeWindow):
            window.on_row(row, ts)
        else:
            emits = window.on_row(row, ts)
            if emits:
                self.fire(emits, ts)

    def _slide(self, folds: SlidingFolds, row: dict[str, Any], ts: int) -> None:
        """A sliding window's row: folded, and its trigger told to the window machine,
        which keeps only times and trigger flags. The row is folded before or after
        the trigger is tested as each machine appends it before or after, so a
        failing trigger leaves the same rows behind."""
        trigger = self.plan.trigger
        window = self.window
        if isinstance(window, EventTimeWindow):
            hit = True if trigger is None else trigger(row)
            folds.add(row, ts)
            window.on_row(hit, ts)
            return
        folds.add(row, ts)
        hit = True if trigger is None else trigger(row)
        self.fire(window.on_row(hit, ts), ts)

    def fire(self, emits: list[WindowEmit], ts: int) -> None:
        self.metrics.records_out += len(emits)
        incremental = self.plan.incremental
        runtime = self._runtime
        row_time = runtime.event_time
        for emit in emits:
            out: list[dict[str, Any]] | None
            runtime.window_start, runtime.window_end = emit.start_ms, emit.end_ms
            runtime.event_time = emit.end_ms  # eKuiper's window trigger time, for aggregates
            if incremental is not None:
                groups = self.groups if self.panes is None else self.panes.take(emit.end_ms)
                try:
                    out = incremental.finish(groups, emit.start_ms, emit.end_ms)
                except (TypeError, ArithmeticError) as exc:
                    self._emit.error(ts, f"run Select error: {exc}")
                    out = None
                groups.clear()
            elif self.folds is not None or isinstance(emit.rows, GroupFolds):
                try:
                    if isinstance(emit.rows, GroupFolds):  # a state window's own folds
                        items = emit.rows.items()
                    else:
                        assert self.folds is not None
                        items = self.folds.items_at(emit.end_ms)
                    out = self.plan.collection.finish(items) if items is not None else None
                except EvalError as exc:
                    self._emit.error(ts, str(exc))
                    continue
            else:
                try:
                    tables = self._tables() if self.plan.collection.join is not None else ()
                    out = self.plan.collection.apply(emit.rows, tables)
                except EvalError as exc:
                    self._emit.error(ts, str(exc))
                    continue
            if out is not None:
                self._emit(out)
        runtime.event_time = row_time
        runtime.window_start = runtime.window_end = 0  # no window range outside a firing

    def run_fast(
        self, messages: Iterable[Message], advance: Advance, slow: Callable[[Message], None]
    ) -> tuple[int, int, int | None]:
        """Feed messages through the planner's generated ingest loop: (handled, kept, last ts)."""
        fast = self.plan.fast
        if isinstance(fast, SlidingFastPath):
            return self._run_sliding(fast, messages, slow)
        assert isinstance(fast, WindowFastPath)
        inputs_of, groups, fold = self._loop_state()
        handled, kept, last = fast.run(messages, inputs_of, advance, slow, groups, fold)
        self.metrics.records_in += kept
        return handled, kept, last

    def _run_sliding(
        self, fast: SlidingFastPath, messages: Iterable[Message], slow: Callable[[Message], None]
    ) -> tuple[int, int, int | None]:
        """Every message the loop takes is a row in and a window fired."""
        assert self.slides is not None
        emit, failed = self._emit.direct()
        handled, emitted, last = fast.run(messages, self.slides, emit, failed, slow)
        self._emit.emitted(emitted)
        self.metrics.records_in += handled
        self.metrics.records_out += handled
        return handled, handled, last

    def run_arrivals(
        self,
        loop: Callable[..., tuple[int, int, int]],
        payloads: Iterable[bytes],
        start: int,
        advance: Advance,
        slow: Callable[[bytes, int], int],
    ) -> tuple[int, int, int]:
        """Bare payloads through the generated loop of ``WindowFastPath.arrival_loop``,
        each arriving at its own time from ``start`` on: (handled, kept, last ts)."""
        inputs_of, groups, fold = self._loop_state()
        handled, kept, last = loop(payloads, start, inputs_of, advance, slow, groups, fold)
        self.metrics.records_in += kept
        return handled, kept, last

    def _loop_state(self) -> tuple[Callable[[], Any], Any, Callable[..., None] | None]:
        """What a generated ingest loop appends to or folds into."""
        window = self.window
        assert isinstance(window, ProcessingWindow)
        inc = self.plan.incremental
        folds = self.folds
        into = _FoldInto(folds) if isinstance(folds, WindowFolds) else None

        def inputs_of() -> Any:  # where the loop appends (ts, row): the buffer, or the folds
            return into if into is not None else window.buffer.inputs

        return inputs_of, self.groups, inc.fold if inc is not None else None


class _FoldInto:
    """Lets the generated ingest loop, which appends ``(ts, row)``, fold instead."""

    __slots__ = ("append",)

    def __init__(self, folds: WindowFolds) -> None:
        add = folds.add
        self.append = lambda entry: add(entry[1], entry[0])


def _flag(answer: Any) -> bool:
    return answer is True


def _window_folds(plan: WindowPlan, start_ms: int) -> WindowFolds | SlidingFolds | None:
    """How this window folds, if its plan folds: since the last fire, in panes, or
    sliding over the rows it spans."""
    fold = plan.fold
    if fold is None:
        return None
    spec = plan.spec
    key_of = plan.collection.key_of if fold.grouped else None
    if spec.kind == "state":
        return None  # the state window folds each window's rows itself (new_rows)
    if spec.kind == "count" and spec.interval not in (0, spec.length):
        return SlidingFolds(  # every window the last `length` rows, overlapping or gapped
            fold.specs, key_of, length_ms=0, delay_ms=0, immediate=True, max_rows=spec.length
        )
    if spec.kind == "sliding":
        return SlidingFolds(
            fold.specs,
            key_of,
            length_ms=spec.length_ms,
            delay_ms=spec.delay_ms,
            immediate=not plan.event_time,
        )
    pane: int | None = None
    if spec.kind == "hopping":  # panes of the largest size both length and hop divide
        pane = math.gcd(spec.interval_ms, spec.length_ms)
    elif plan.event_time:
        pane = spec.length_ms
    return WindowFolds(
        fold.specs,
        key_of,
        pane_ms=pane,
        length_ms=spec.length_ms,
        first_end=_first_end(plan, start_ms),
    )


def _first_end(plan: WindowPlan, start_ms: int) -> Callable[[int], int]:
    """Where a window's grid of ends starts, given the first row's time."""
    spec = plan.spec
    unit = spec.unit or "SS"
    if plan.event_time:  # the grid starts at the first row's aligned end, as the window's

        def first_end(ts: int) -> int:
            return aligned_window_end(ts, spec.raw_interval, unit)

        return first_end
    first_tick = aligned_window_end(start_ms, spec.raw_interval, unit)  # ... or the first tick

    def first_tick_end(ts: int) -> int:
        return first_tick

    return first_tick_end
