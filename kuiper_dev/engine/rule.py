"""A rule: one SELECT over its stream, compiled to a push pipeline.

decode → (event time: watermark ordering) → window or row path → sinks. Row path:
WHERE, SELECT. Window path: FILTER (and, for processing-time tumbling, hopping and
session windows, the WHERE pushed below the window as eKuiper's planner does),
the window, then :class:`CollectionPlan`. Every stage is a closure made once; a
failing row becomes an error record (and, with ``sendError``, an ``{"error": …}``
emission) and the rule goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._types import Message
from ..connectors import MemoryBus
from ..errors import PlanError, did_you_mean
from ..go import go_str, go_type
from ..sql import ast, parse_select
from .binder import Binder
from .catalog import Catalog, StreamDef
from .clock import VirtualClock
from .collection import CollectionPlan
from .compiler import Compiled, Scope, analytic_calls, analytic_evaluator, compile_expr
from .decoder import DecodeError
from .fastpath import FastPath, WindowFastPath, compile_fast_path, compile_window_fast_path
from .formats import row_event_time
from .incremental import IncrementalPlan, plan_incremental
from .joins import JoinPlan, TaggedRow
from .planning import (
    field_refs,
    plan_inputs,
    pruned_schema,
    stream_decoder,
    used_columns,
    window_spec,
)
from .projection import make_projector
from .result import RuleErrorRecord, RuleResult
from .values import EvalError
from .windows import (
    EventTimeWindow,
    ProcessingWindow,
    StateWindow,
    WatermarkGenerator,
    WindowEmit,
    WindowSpec,
)

__all__ = ["Rule", "RuleOptions"]

Sink = Callable[[list[dict[str, Any]]], None]


@dataclass(frozen=True, slots=True)
class RuleOptions:
    """eKuiper rule options the engine reads; the rest are kept as given."""

    send_error: bool = False
    send_nil: bool = False
    send_meta: bool = False
    is_event_time: bool = False
    late_tolerance: int = 0
    raw: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_dict(cls, options: dict[str, Any] | None) -> RuleOptions:
        options = options or {}
        return cls(
            send_error=bool(options.get("sendError", False)),
            send_nil=bool(options.get("sendNil", False)),
            send_meta=bool(options.get("sendMetaToSink", False)),
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
        bus: MemoryBus | None = None,
    ) -> None:
        self.id = rule_id
        self.sql = sql
        self.options = opts = options or RuleOptions()
        self.select = select = parse_select(sql)
        self.stream: StreamDef = catalog.get(select.source)
        joins = tuple(getattr(select, "joins", ()))
        self._inputs = plan_inputs(select, joins, catalog)
        self._bus = bus
        tags = {name: i.tag for name, i in self._inputs.items()}
        tags.update({i.tag: i.tag for i in self._inputs.values()})
        scope = Scope(binder, rule_id, tuple(tags), joined=bool(joins), tags=tags)
        scope.aliases = {f.alias: f.expr for f in select.fields if f.alias}
        calls = analytic_calls(select)  # anywhere: eKuiper runs them first, per row
        scope.analytic = {c: f"$$a_{c.name.lower()}_{i}" for i, c in enumerate(calls)}
        self._analytics = [analytic_evaluator(c, col, scope) for c, col in scope.analytic.items()]
        self._runtime = scope.runtime
        self._runtime.rule_start = start_ms
        self._binder = binder
        self._decode = stream_decoder(self.stream, used_columns(select))
        self._joined = bool(joins)
        self._tables: dict[str, list[TaggedRow]] = {
            n: [] for n, i in self._inputs.items() if i.stream.kind == "table" and i.lookup is None
        }
        streams = [n for n, i in self._inputs.items() if i.stream.kind != "table"]
        if len(streams) > 1 and getattr(select, "window", None) is None:
            raise PlanError("a time window or count window is required to join multiple streams")
        self._check_fields(select)
        self._timestamp = self._timestamp_field()
        self._timestamp_format = self.stream.statement.option("TIMESTAMP_FORMAT")
        self.result = RuleResult(rule_id, sql)
        self.sinks: list[Sink] = [self.result.emissions.append]
        self.metrics = self.result.status.operators
        self.metrics["source"].name = f"source_{self.stream.name}_0"

        window = getattr(select, "window", None)
        self._watermark = (
            WatermarkGenerator(streams, opts.late_tolerance) if opts.is_event_time else None
        )
        join_plan = (
            JoinPlan(
                [(j, compile_expr(j.on, scope) if j.on is not None else None) for j in joins],
                self._inputs[select.source].tag,
            )
            if joins
            else None
        )
        self._window: ProcessingWindow | EventTimeWindow | StateWindow | None = None
        self._fast: FastPath | None = None
        self._fast_window: WindowFastPath | None = None
        self._incremental: IncrementalPlan | None = None
        self._groups: dict[Any, list[Any]] = {}  # incremental aggregation's open groups
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
            self._project = self._make_projector(scope)
            plain = self.stream.plain_json
            if not joins and not calls and not opts.is_event_time and plain and not opts.send_meta:
                self._fast = compile_fast_path(
                    select,
                    pruned_schema(self.stream, used_columns(select)),
                    send_nil=opts.send_nil,
                )
            if join_plan is not None:  # a stream joined with tables: each row is a collection
                self._collection = CollectionPlan(
                    select,
                    scope,
                    self._make_projector,
                    where=True,
                    join=join_plan,
                    tables=self._table_rows,
                )
        else:
            state = window.kind == "state"
            spec = window_spec(window) if not state else WindowSpec("state")
            pushdown = (
                not opts.is_event_time
                and not joins
                and spec.kind in ("tumbling", "hopping", "session", "state")
            )
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
            if state:  # eKuiper's v2 operator, fed rows in order in either time mode
                self._window = StateWindow(
                    compile_expr(window.begin, scope),
                    compile_expr(window.end, scope) if window.end is not None else None,
                    [compile_expr(e, scope) for e in window.partition],
                )
            elif opts.is_event_time:
                if spec.kind not in ("tumbling", "hopping", "sliding", "session"):
                    raise PlanError(
                        f"{spec.kind} windows are not supported in event time, as in eKuiper"
                    )
                self._window = EventTimeWindow(spec, trigger)
            else:
                self._window = ProcessingWindow(spec, start_ms, trigger)
                schema = pruned_schema(self.stream, used_columns(select))
                if not calls and not joins:
                    self._incremental = plan_incremental(select, schema, send_nil=opts.send_nil)
                if (
                    spec.kind in ("tumbling", "hopping")
                    and not calls
                    and not joins
                    and self.stream.plain_json
                    and getattr(window, "filter", None) is None
                ):
                    self._fast_window = compile_window_fast_path(
                        select,
                        schema,
                        select.where if pushdown else None,
                        self._incremental.columns if self._incremental is not None else None,
                    )
            self._collection = CollectionPlan(
                select,
                scope,
                self._make_projector,
                where=not pushdown,
                join=join_plan,
                tables=self._table_rows,
                group=not state,  # a state window is one group whatever else GROUP BY names
            )
            self._where = None
            self._project = _no_row_path

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
        if self._joined:
            self._check_join_fields(select)
            return
        schema = self.stream.schema
        if schema is None:
            return
        aliases = {f.alias for f in select.fields if f.alias}
        refs = field_refs(select)
        for ref in refs:
            if ref.name in schema or ref.name in aliases:
                continue
            if ref.stream is None or ref.stream == select.source:
                hint = did_you_mean(ref.name, schema)
                raise PlanError(f"unknown field {ref.name} in stream {self.stream.name}.{hint}")

    def _check_join_fields(self, select: ast.Select) -> None:
        refs = field_refs(select)
        by_tag = {i.tag: i.stream for i in self._inputs.values()}
        by_tag.update({name: i.stream for name, i in self._inputs.items()})
        aliases = {f.alias for f in select.fields if f.alias}
        for ref in refs:
            if ref.stream is None or ref.stream not in by_tag:
                continue
            schema = by_tag[ref.stream].schema
            if schema is not None and ref.name not in schema and ref.name not in aliases:
                hint = did_you_mean(ref.name, schema)
                raise PlanError(f"unknown field {ref.name} in stream {ref.stream}.{hint}")

    def _table_rows(self) -> list[TaggedRow]:
        rows = [row for table in self._tables.values() for row in table]
        for spec in self._inputs.values():
            if spec.lookup is not None:
                if self._bus is None:
                    raise EvalError(
                        f"lookup table {spec.stream.name} needs the workspace's memory topics"
                    )
                table = self._bus.table(*spec.lookup)
                rows.extend(TaggedRow(spec.tag, r) for r in table.values())
        return rows

    def inputs(self) -> dict[str, StreamDef]:
        """The streams and tables this rule reads, by name."""
        return {name: i.stream for name, i in self._inputs.items()}

    def record_error(self, ts: int, message: str) -> None:
        """Record an error met outside the rule's own stages (a source, a sink)."""
        self._error(ts, message)

    def reads(self, stream: str) -> bool:
        """Whether messages of ``stream`` feed this rule (its FROM, JOINed streams, tables)."""
        return stream in self._inputs

    def _make_projector(self, scope: Scope) -> Callable[[Any], list[dict[str, Any]]]:
        return make_projector(self.select, self._binder, scope, send_nil=self.options.send_nil)

    # -- running -------------------------------------------------------------------
    def _error(self, ts: int, message: str) -> None:
        self.result.errors.append(RuleErrorRecord(ts, message))
        if self.options.send_error:
            self._emit([{"error": message}])

    def _emit(self, emission: list[dict[str, Any]]) -> None:
        sink_metrics = self.metrics["sink"]
        sink_metrics.records_in += 1
        for sink in self.sinks:
            try:
                sink(emission)
            except Exception as exc:  # a failing sink is reported; the rule goes on
                sink_metrics.error(f"{type(exc).__name__}: {exc}", self._runtime.now_ms())
                self.result.errors.append(
                    RuleErrorRecord(self._runtime.now_ms(), f"sink error: {exc}")
                )
                continue
            sink_metrics.records_out += 1

    def status(self) -> dict[str, Any]:
        """eKuiper's ``getstatus`` view: rule state and per-operator counters."""
        out: dict[str, Any] = {"status": self.result.status.status}
        for m in self.metrics.values():
            out.update(m.to_dict())
        return out

    def attach_clock(self, now_ms: Callable[[], int]) -> None:
        """Read time from this clock (a workspace's rules share one)."""
        self._runtime.now_ms = now_ms

    def next_deadline(self) -> int | None:
        """When the rule's processing-time window next needs the clock, if ever."""
        return self._window.next_deadline() if isinstance(self._window, ProcessingWindow) else None

    def on_time(self, now: int) -> None:
        """Let the clock reach ``now``: fire the windows due by then."""
        if isinstance(self._window, ProcessingWindow):
            self._fire(self._window.on_time(now), now)

    def process(self, message: Message, stream: str | None = None) -> None:
        """Push one message of ``stream`` (by default the FROM stream) through the rule."""
        if stream is not None and stream != self.stream.name:
            self._process_other(message, stream)
            return
        source = self.metrics["source"]
        source.records_in += 1
        source.last_invocation = message.ts
        self._runtime.message = message
        try:
            rows = self._decode(message.payload)
        except DecodeError as exc:
            source.error(str(exc), message.ts)
            self._error(message.ts, f"decode error: {exc}")
            return
        source.records_out += len(rows)
        self.process_rows(rows, message.ts)

    def _process_other(self, message: Message, stream: str) -> None:
        spec = self._inputs.get(stream)
        if spec is None:
            return
        try:
            rows = spec.decode(message.payload)
        except DecodeError as exc:
            self._error(message.ts, f"decode error in {stream}: {exc}")
            return
        tagged = [TaggedRow(spec.tag, r) for r in rows]
        if stream in self._tables:
            table = self._tables[stream] + tagged
            self._tables[stream] = table[-spec.retain :]
            return
        self.process_rows(tagged, message.ts, stream)

    def process_rows(
        self, rows: Sequence[dict[str, Any]], ts: int, stream: str | None = None
    ) -> None:
        stream = stream or self.stream.name
        if self._joined and rows and not isinstance(rows[0], TaggedRow):
            tag = self._inputs[stream].tag
            rows = [TaggedRow(tag, r) for r in rows]
        for row in rows:
            at = ts
            if self._timestamp is not None:
                try:
                    at = row_event_time(row, self._timestamp, self._timestamp_format)
                except EvalError as exc:
                    self._error(ts, str(exc))
                    continue
            if self._watermark is None:
                self._ingest(row, at)
                continue
            released, mark = self._watermark.on_row(stream, row, at)
            for event_ts, event_row in released:
                self._ingest(event_row, event_ts)
            if mark is not None and isinstance(self._window, EventTimeWindow):
                self._fire(self._window.on_watermark(mark), ts)

    def _ingest(self, row: dict[str, Any], ts: int) -> None:
        self._runtime.event_time = ts
        try:
            for evaluate in self._analytics:
                evaluate(row)
            if self._window is None:
                if self._collection is not None:  # stream-table join
                    out = self._collection.apply([row])
                    if out is not None:
                        self._emit(out)
                    return
                self._row_path(row)
                return
            if self._window_filter is not None and not _predicate(self._window_filter)(row):
                return
            self.metrics["window"].records_in += 1
            if self._incremental is not None:
                plan = self._incremental
                plan.fold(self._groups, *[row.get(c) for c in plan.columns])
                return
            if isinstance(self._window, ProcessingWindow | StateWindow):
                self._fire(self._window.on_row(row, ts), ts)
            else:
                self._window.on_row(row, ts)
        except EvalError as exc:
            self._error(ts, str(exc))
        except Exception as exc:  # an engine bug must not kill the rule either
            self._error(ts, f"internal error in rule {self.id}: {exc!r}")

    def _row_path(self, row: dict[str, Any]) -> None:
        if self._where is not None:
            filt = self.metrics["filter"]
            filt.records_in += 1
            try:
                keep = self._where(row)
            except EvalError as exc:
                filt.error(str(exc), self._runtime.now_ms())
                raise EvalError(f"run Where error: {exc}") from None
            if keep is None or keep is False:
                return
            if keep is not True:
                raise EvalError(
                    f"run Where error: invalid condition that returns non-bool value {go_type(keep)}({go_str(keep)})"
                )
            filt.records_out += 1
        project = self.metrics["project"]
        project.records_in += 1
        self._runtime.row_index = 0
        try:
            out = self._project(row)
        except EvalError as exc:
            project.error(str(exc), self._runtime.now_ms())
            raise
        project.records_out += 1
        if self.options.send_meta:  # eKuiper adds the message's metadata to each result row
            for r in out:
                r["__meta"] = self._runtime.meta
        self._emit(out)

    def _fire(self, emits: list[WindowEmit], ts: int) -> None:
        assert self._collection is not None or not emits
        self.metrics["window"].records_out += len(emits)
        if self._incremental is not None:
            self._finish_groups(emits, ts)
            return
        for emit in emits:
            self._runtime.window_start, self._runtime.window_end = emit.start_ms, emit.end_ms
            try:
                out = self._collection.apply(emit.rows) if self._collection else None
            except EvalError as exc:
                self._error(ts, str(exc))
                continue
            if out is not None:
                self._emit(out)

    def _finish_groups(self, emits: list[WindowEmit], ts: int) -> None:
        plan = self._incremental
        assert plan is not None
        for emit in emits:
            try:
                out = plan.finish(self._groups, emit.start_ms, emit.end_ms)
            except (TypeError, ArithmeticError) as exc:
                self._error(ts, f"run Select error: {exc}")
                out = None
            self._groups.clear()
            if out is not None:
                self._emit(out)

    def run(
        self,
        messages: Iterable[Message],
        clock: VirtualClock | None = None,
        *,
        drain_ms: int = 0,
        route: bool = False,
    ) -> RuleResult:
        """Feed messages in arrival order on a virtual clock, then let ``drain_ms`` pass."""
        clock = clock or VirtualClock()
        self.attach_clock(clock.now_ms)
        self.result.status.status = "running"
        try:
            if self._fast_window is not None and not route:
                self._run_fast_window(messages, clock)
            else:
                for m in messages:
                    self._advance(clock, m.ts)
                    self.process(m, m.topic if route else None)
            self._advance(clock, clock.now_ms() + drain_ms)
        finally:
            self.result.status.status = "stopped"
        return self.result

    def _run_fast_window(self, messages: Iterable[Message], clock: VirtualClock) -> None:
        """Feed a tumbling or hopping window through its generated ingest loop."""
        window = self._window
        assert isinstance(window, ProcessingWindow) and self._fast_window is not None

        def advance(ts: int | None) -> int | None:
            if ts is not None:
                self._advance(clock, ts)
            return window.next_deadline()

        def slow(m: Message) -> None:
            self._advance(clock, m.ts)
            self.process(m)

        fold = self._incremental.fold if self._incremental is not None else None
        handled, kept, last = self._fast_window.run(
            messages, lambda: window.buffer.inputs, advance, slow, self._groups, fold
        )
        source = self.metrics["source"]
        source.records_in += handled
        source.records_out += handled
        self.metrics["window"].records_in += kept
        if last is not None:
            source.last_invocation = last
            self._advance(clock, last)

    def run_payloads(self, payloads: Iterable[bytes], *, ts: int = 0) -> RuleResult:
        """Run raw JSON payloads of the FROM stream, all arriving at ``ts`` (a file replay).

        Stateless rules over typed streams take the generated fast path; anything it
        cannot decide goes through :meth:`process`, message by message.
        """
        self.result.status.status = "running"
        stream = self.stream.name

        def slow(payload: bytes) -> None:
            self.process(Message(stream, payload, ts))

        try:
            if self._fast is None:
                for payload in payloads:
                    slow(payload)
            else:
                handled, passed = self._fast.run(payloads, self._emit, slow)
                self._count_fast(handled, passed)
                if handled:
                    self.metrics["source"].last_invocation = ts
        finally:
            self.result.status.status = "stopped"
        return self.result

    def _count_fast(self, handled: int, passed: int) -> None:
        m = self.metrics
        m["source"].records_in += handled
        m["source"].records_out += handled
        if self._fast is not None and self._fast.has_where:
            m["filter"].records_in += handled
            m["filter"].records_out += passed
        m["project"].records_in += passed
        m["project"].records_out += passed

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


def _no_row_path(row: Any) -> list[dict[str, Any]]:  # pragma: no cover - windows use CollectionPlan
    raise AssertionError("a windowed rule projects through its CollectionPlan")
