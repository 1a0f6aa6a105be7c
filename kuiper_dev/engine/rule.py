"""A rule: one SELECT over its stream, compiled to a push pipeline.

decode → (event time: watermark ordering) → window or row path → sinks. Row path:
WHERE, SELECT. Window path: FILTER (and, for processing-time tumbling, hopping and
session windows, the WHERE pushed below the window as eKuiper's planner does),
the window, then :class:`CollectionPlan`. Every stage is a closure made once; a
failing row becomes an error record (and, with ``sendError``, an ``{"error": …}``
emission) and the rule goes on.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .._types import Message
from ..errors import PlanError
from ..functions._cast import go_str, go_type
from ..sql import ast, parse_select, render
from .binder import Binder
from .catalog import Catalog, StreamDef
from .clock import VirtualClock
from .collection import CollectionPlan
from .compiler import Compiled, Scope, compile_expr
from .decoder import DecodeError, make_decoder
from .result import RuleErrorRecord, RuleResult
from .values import EvalError
from .windows import EventTimeWindow, ProcessingWindow, WatermarkGenerator, WindowEmit, WindowSpec

__all__ = ["Rule", "RuleOptions"]

Sink = Callable[[list[dict[str, Any]]], None]


@dataclass(frozen=True, slots=True)
class RuleOptions:
    """eKuiper rule options the engine reads; the rest are kept as given."""

    send_error: bool = False
    send_nil: bool = False
    is_event_time: bool = False
    late_tolerance: int = 0
    raw: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_dict(cls, options: dict[str, Any] | None) -> RuleOptions:
        options = options or {}
        return cls(
            send_error=bool(options.get("sendError", False)),
            send_nil=bool(options.get("sendNil", False)),
            is_event_time=bool(options.get("isEventTime", False)),
            late_tolerance=int(options.get("lateTolerance", 0)),
            raw=tuple(sorted(options.items())),
        )


class Rule:
    """A planned rule, ready to take messages of its stream."""

    def __init__(
        self,
        rule_id: str,
        sql: str,
        catalog: Catalog,
        binder: Binder,
        options: RuleOptions | None = None,
        *,
        start_ms: int = 0,
    ) -> None:
        self.id = rule_id
        self.sql = sql
        self.options = opts = options or RuleOptions()
        self.select = select = parse_select(sql)
        self.stream: StreamDef = catalog.get(select.source)
        sources = (select.source,) + ((select.source_alias,) if select.source_alias else ())
        scope = Scope(binder, rule_id, sources)
        self._runtime = scope.runtime
        self._binder = binder
        self._decode = make_decoder(self.stream.schema)
        self._check_fields(select)
        self._timestamp = self._timestamp_field()
        self.result = RuleResult(rule_id, sql)
        self.sinks: list[Sink] = [self.result.emissions.append]

        window = getattr(select, "window", None)
        self._watermark = (
            WatermarkGenerator([self.stream.name], opts.late_tolerance)
            if opts.is_event_time
            else None
        )
        self._window: ProcessingWindow | EventTimeWindow | None = None
        self._window_filter: Compiled | None = None
        self._collection: CollectionPlan | None = None
        if window is None:
            if getattr(select, "group_by", ()):
                raise PlanError(
                    "GROUP BY needs a window in a stream rule, e.g. GROUP BY a, TUMBLINGWINDOW(ss, 10)"
                )
            scope.op_id = "op_2_filter"
            self._where = compile_expr(select.where, scope) if select.where else None
            scope.op_id = "op_3_project"
            self._project = self._projector(scope)
        else:
            spec = _window_spec(window)
            pushdown = not opts.is_event_time and spec.kind in ("tumbling", "hopping", "session")
            conditions = [
                c
                for c in (getattr(window, "filter", None), select.where if pushdown else None)
                if c
            ]
            if conditions:
                cond = (
                    conditions[0]
                    if len(conditions) == 1
                    else ast.BinaryExpr("AND", conditions[0], conditions[1])
                )
                self._window_filter = compile_expr(cond, scope)
            trigger_expr = getattr(window, "trigger", None)
            trigger = (
                _predicate(compile_expr(trigger_expr, scope)) if trigger_expr is not None else None
            )
            if opts.is_event_time:
                if spec.kind not in ("tumbling", "hopping", "sliding", "session"):
                    raise PlanError(
                        f"{spec.kind} windows are not supported in event time, as in eKuiper"
                    )
                self._window = EventTimeWindow(spec, trigger)
            else:
                self._window = ProcessingWindow(spec, start_ms, trigger)
            self._collection = CollectionPlan(select, scope, self._projector, where=not pushdown)
            self._where = None
            self._project = self._projector(scope)

    # -- planning helpers ----------------------------------------------------------
    def _timestamp_field(self) -> str | None:
        if not self.options.is_event_time:
            return None
        field = self.stream.timestamp
        if not field:
            raise PlanError(
                f'rule {self.id}: isEventTime needs a timestamp field; add TIMESTAMP="field" '
                f"to the WITH clause of stream {self.stream.name}"
            )
        return field

    def _check_fields(self, select: ast.Select) -> None:
        schema = self.stream.schema
        if schema is None:
            return
        aliases = {f.alias for f in select.fields if f.alias}
        refs: list[ast.FieldRef] = []
        _collect_refs(select, refs)
        for ref in refs:
            if ref.name in schema or ref.name in aliases:
                continue
            if ref.stream is None or ref.stream == select.source:
                close = difflib.get_close_matches(ref.name, schema, n=1)
                hint = f' Did you mean "{close[0]}"?' if close else ""
                raise PlanError(f"unknown field {ref.name} in stream {self.stream.name}.{hint}")

    def _projector(self, scope: Scope) -> Callable[[Any], dict[str, Any]]:
        plan: list[tuple[str | None, Compiled, str]] = []
        for f in self.select.fields:
            name = f.name
            if f.alias is None and isinstance(f.expr, ast.Call):
                name = self._binder.resolve(f.expr).name
            label = f"alias: {f.alias} expr: " if f.alias else "expr: "
            key = None if isinstance(f.expr, ast.Wildcard) else name
            plan.append((key, compile_expr(f.expr, scope), label + render(f.expr)))
        send_nil = self.options.send_nil

        def project(row: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, fn, label in plan:
                try:
                    value = fn(row)
                except EvalError as exc:
                    raise EvalError(f"run Select error: {label} meet error, err:{exc}") from None
                if key is None:
                    out.update(value)
                elif value is not None or send_nil:
                    out[key] = value
            return out

        return project

    # -- running -------------------------------------------------------------------
    def _error(self, ts: int, message: str) -> None:
        status = self.result.status
        status.exceptions += 1
        status.last_exception = message
        status.last_exception_time = ts
        self.result.errors.append(RuleErrorRecord(ts, message))
        if self.options.send_error:
            self._emit([{"error": message}])

    def _emit(self, emission: list[dict[str, Any]]) -> None:
        self.result.status.records_out += 1
        for sink in self.sinks:
            sink(emission)

    def next_deadline(self) -> int | None:
        """When the rule's processing-time window next needs the clock, if ever."""
        return self._window.next_deadline() if isinstance(self._window, ProcessingWindow) else None

    def on_time(self, now: int) -> None:
        """Let the clock reach ``now``: fire the windows due by then."""
        if isinstance(self._window, ProcessingWindow):
            self._fire(self._window.on_time(now), now)

    def process(self, message: Message) -> None:
        """Push one message through the rule."""
        self.result.messages_in += 1
        self.result.status.records_in += 1
        self._runtime.meta = {"topic": message.topic, "qos": message.qos, **message.meta}
        try:
            rows = self._decode(message.payload)
        except DecodeError as exc:
            self._error(message.ts, f"decode error: {exc}")
            return
        self.process_rows(rows, message.ts)

    def process_rows(self, rows: list[dict[str, Any]], ts: int) -> None:
        for row in rows:
            at = ts
            if self._timestamp is not None:
                try:
                    at = _event_time(row, self._timestamp)
                except EvalError as exc:
                    self._error(ts, str(exc))
                    continue
            if self._watermark is None:
                self._ingest(row, at)
                continue
            released, mark = self._watermark.on_row(self.stream.name, row, at)
            for event_ts, event_row in released:
                self._ingest(event_row, event_ts)
            if mark is not None and isinstance(self._window, EventTimeWindow):
                self._fire(self._window.on_watermark(mark), ts)

    def _ingest(self, row: dict[str, Any], ts: int) -> None:
        try:
            if self._window is None:
                self._row_path(row)
                return
            if self._window_filter is not None and not _predicate(self._window_filter)(row):
                return
            if isinstance(self._window, ProcessingWindow):
                self._fire(self._window.on_row(row, ts), ts)
            else:
                self._window.on_row(row, ts)
        except EvalError as exc:
            self._error(ts, str(exc))
        except Exception as exc:  # an engine bug must not kill the rule either
            self._error(ts, f"internal error in rule {self.id}: {exc!r}")

    def _row_path(self, row: dict[str, Any]) -> None:
        if self._where is not None:
            try:
                keep = self._where(row)
            except EvalError as exc:
                raise EvalError(f"run Where error: {exc}") from None
            if keep is None or keep is False:
                return
            if keep is not True:
                raise EvalError(
                    f"run Where error: invalid condition that returns non-bool value {go_type(keep)}({go_str(keep)})"
                )
        self._emit([self._project(row)])

    def _fire(self, emits: list[WindowEmit], ts: int) -> None:
        assert self._collection is not None or not emits
        for emit in emits:
            self._runtime.window_start, self._runtime.window_end = emit.start_ms, emit.end_ms
            try:
                out = self._collection.apply(emit.rows) if self._collection else None
            except EvalError as exc:
                self._error(ts, str(exc))
                continue
            if out is not None:
                self._emit(out)

    def run(
        self, messages: Iterable[Message], clock: VirtualClock | None = None, *, drain_ms: int = 0
    ) -> RuleResult:
        """Feed messages in arrival order on a virtual clock, then let ``drain_ms`` pass."""
        clock = clock or VirtualClock()
        self._runtime.now_ms = clock.now_ms
        self.result.status.status = "running"
        try:
            for m in messages:
                self._advance(clock, m.ts)
                self.process(m)
            self._advance(clock, clock.now_ms() + drain_ms)
        finally:
            self.result.status.status = "stopped"
        return self.result

    def _advance(self, clock: VirtualClock, to: int) -> None:
        while (deadline := self.next_deadline()) is not None and deadline <= to:
            clock.advance_to(deadline)
            self.on_time(deadline)
        clock.advance_to(to)


def _predicate(fn: Compiled) -> Callable[[Any], bool]:
    def test(row: Any) -> bool:
        value = fn(row)
        return value is True

    return test


def _event_time(row: dict[str, Any], field: str) -> int:
    value = row.get(field)
    if type(value) is int or type(value) is float:
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise EvalError(
        f"cannot convert timestamp field {field} to int: {go_type(value)}({go_str(value)})"
    )


def _window_spec(window: Any) -> WindowSpec:
    kind = window.kind
    if kind == "state":
        raise PlanError("STATEWINDOW is valid eKuiper SQL that kuiper_dev does not run yet")
    if kind == "count":
        return WindowSpec("count", None, int(window.length), int(window.interval or 0))
    delay = int(window.interval or 0) if kind == "sliding" else 0
    interval = 0 if kind == "sliding" else int(window.interval or 0)
    return WindowSpec(kind, window.unit, int(window.length), interval, delay)


def _collect_refs(node: Any, out: list[ast.FieldRef]) -> None:
    if isinstance(node, ast.FieldRef):
        out.append(node)
        return
    if isinstance(node, tuple):
        for n in node:
            _collect_refs(n, out)
        return
    for name in getattr(type(node), "__slots__", ()):
        _collect_refs(getattr(node, name), out)
