"""The planner: one SELECT and the catalog in, an immutable :class:`RulePlan` out.

Everything a rule decides once is decided here, as eKuiper's planner does before
a rule runs: which streams and tables it reads and how they decode, the joins,
where WHERE runs (below the window when eKuiper pushes it down), the window, the
aggregation and projection, and which generated fast loop (if any) may stand in
for the general stages. A :class:`~kuiper_dev.engine.pipeline.Pipeline` runs a
plan; the plan itself holds no run-time state but the :class:`Runtime` context
its compiled expressions read (clock, current message, window range), so each
plan feeds exactly one pipeline.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import PlanError, did_you_mean
from ..functions import lookup
from ..sql import ast, walk
from .aliases import AliasBindings, bind_aliases
from .binder import Binder
from .calls import analytic_calls, analytic_evaluator
from .catalog import Catalog, StreamDef
from .collection import CollectionPlan
from .compiler import compile_condition, compile_expr
from .fastpath import (
    EventWindowFastPath,
    FastPath,
    WindowFastPath,
    compile_event_window_fast_path,
    compile_fast_path,
    compile_window_fast_path,
)
from .incremental import IncrementalPlan, plan_incremental
from .incremental_sliding import SlidingPlan, plan_sliding
from .join_loop import compile_join_loop
from .joins import JoinPlan, equality_keys, equality_sides
from .options import RuleOptions
from .planning import RuleInput, field_refs, plan_inputs, pruned_schema, used_columns, window_spec
from .projection import Projector, make_projector
from .runtime import Compiled, FoldSpec, Runtime, Scope
from .sliding_loop import SlidingFastPath, compile_sliding_fast_path
from .windows import WindowSpec

__all__ = [
    "EventTimePlan",
    "FoldPlan",
    "RowPlan",
    "RulePlan",
    "StatePlan",
    "WindowPlan",
    "plan_rule",
]

Predicate = Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class EventTimePlan:
    """Where each row's event time comes from, and how late a row may be."""

    field: str
    format: str | None
    late_tolerance: int
    streams: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RowPlan:
    """The per-message path of a rule without a window: WHERE, then SELECT.

    A stream joined with tables takes ``collection`` instead: each row is joined
    with the tables' rows and projected as a one-row collection.
    """

    where: Predicate | None  # raises the filter operator's error for a non-bool result
    project: Projector
    send_meta: bool
    collection: CollectionPlan | None = None
    # a set-returning function (unnest) makes several rows of one message, and eKuiper's
    # project-set operator sends each as an emission of its own
    split: bool = False


@dataclass(frozen=True, slots=True)
class StatePlan:
    """A STATEWINDOW's conditions (``end`` None for the one-condition form)."""

    begin: Compiled
    end: Compiled | None
    partition: tuple[Compiled, ...]


@dataclass(frozen=True, slots=True)
class FoldPlan:
    """Fold rows into per-group accumulators as they arrive (every aggregate call
    has an incremental form), instead of keeping them until the window fires."""

    specs: tuple[FoldSpec, ...]
    grouped: bool  # GROUP BY columns key the groups; otherwise the window is one group


@dataclass(frozen=True, slots=True)
class WindowPlan:
    """The window stage: what enters it, how it fires, and what a fired window becomes."""

    spec: WindowSpec
    filter: Predicate | None  # FILTER, plus WHERE when it is pushed below the window
    trigger: Predicate | None  # a sliding window's OVER (WHEN ...)
    state: StatePlan | None
    event_time: bool
    collection: CollectionPlan
    incremental: IncrementalPlan | None  # generated folds over typed columns
    # the generated ingest loop, when the planner chose one (processing or event time)
    fast: WindowFastPath | EventWindowFastPath | SlidingFastPath | None
    fold: FoldPlan | None = None  # the aggregates' own incremental forms
    sliding: SlidingPlan | None = None  # a sliding window's generated folds over typed columns
    stamp_rows: bool = False  # rows keep their time and message (event_time(), meta())


@dataclass(frozen=True, slots=True)
class RulePlan:
    """Every stage of one rule, decided once; run by a Pipeline."""

    rule_id: str
    sql: str
    select: ast.Select
    options: RuleOptions
    main: StreamDef
    inputs: Mapping[str, RuleInput]
    analytics: tuple[Callable[[dict[str, Any]], None], ...]
    event_time: EventTimePlan | None
    row: RowPlan | None
    window: WindowPlan | None
    fast: FastPath | None  # the generated stateless loop, when the planner chose one
    runtime: Runtime

    def reads(self, stream: str) -> bool:
        """Whether messages of ``stream`` feed this rule (FROM, JOINed streams, tables)."""
        return stream in self.inputs


def plan_rule(
    select: ast.Select,
    catalog: Catalog,
    binder: Binder,
    options: RuleOptions | None = None,
    *,
    rule_id: str = "rule",
    sql: str = "",
) -> RulePlan:
    """Plan ``select`` over the streams of ``catalog``; plan errors are raised here,
    pointing into ``sql`` when it is given."""
    try:
        return _plan(select, catalog, binder, options or RuleOptions(), rule_id, sql)
    except PlanError as exc:
        if sql:
            exc.with_sql(sql)  # the raise site knows the node; the text is known here
        raise


def _plan(
    select: ast.Select,
    catalog: Catalog,
    binder: Binder,
    opts: RuleOptions,
    rule_id: str,
    sql: str,
) -> RulePlan:
    main = catalog.get(select.source, at=select.source_pos)
    joins = tuple(select.joins)
    inputs = plan_inputs(select, joins, catalog)
    tags = {name: i.tag for name, i in inputs.items()}
    tags.update({i.tag: i.tag for i in inputs.values()})
    scope = Scope(binder, rule_id, tuple(tags), joined=bool(joins), tags=tags)
    typed = all(i.stream.schema is not None for i in inputs.values())
    bindings = bind_aliases(select.fields, typed=typed)
    scope.aliases, scope.alias_scopes = bindings.exprs, bindings.scopes
    calls = analytic_calls(select)  # anywhere: eKuiper runs them first, per row
    scope.analytic = {c: f"$$a_{c.name.lower()}_{i}" for i, c in enumerate(calls)}
    analytics = tuple(
        analytic_evaluator(c, col, _bound_where(c, select, bindings, scope), compile_expr)
        for c, col in scope.analytic.items()
    )
    streams = [n for n, i in inputs.items() if i.stream.kind != "table"]
    if len(streams) > 1 and select.window is None:
        raise PlanError("a time window or count window is required to join multiple streams")
    _check_fields(select, main, inputs)
    _check_no_agg_functions(select)
    event_time = _event_time(rule_id, main, opts, streams)
    join = _plan_join(select, inputs, scope, opts) if joins else None

    def projector(s: Scope) -> Projector:
        return make_projector(select, binder, s, bindings, send_nil=opts.send_nil)

    simple = not joins and not calls and main.plain_json and opts.fast_paths
    row = window = None
    fast = None
    if select.window is None:
        row = _plan_rows(select, scope, projector, join, opts)
        if simple and not opts.is_event_time and not opts.send_meta:
            fast = compile_fast_path(
                select, pruned_schema(main, used_columns(select)), send_nil=opts.send_nil
            )
    else:
        window = _plan_window(select, scope, projector, join, main, opts, simple)
    return RulePlan(
        rule_id=rule_id,
        sql=sql,
        select=select,
        options=opts,
        main=main,
        inputs=inputs,
        analytics=analytics,
        event_time=event_time,
        row=row,
        window=window,
        fast=fast,
        runtime=scope.runtime,
    )


def _plan_join(
    select: ast.Select, inputs: Mapping[str, RuleInput], scope: Scope, opts: RuleOptions
) -> JoinPlan:
    """The joins' conditions, the first one's equality sides for a hash join, and the
    generated ingest loop of a processing-time window over typed JSON streams."""
    joins, from_tag = select.joins, inputs[select.source].tag
    conditions = [(j, compile_expr(j.on, scope) if j.on is not None else None) for j in joins]
    sides = equality_sides(joins[0], from_tag, scope.tags) if opts.fast_paths else None
    keys = equality_keys(sides) if sides is not None else None
    loop = None
    if opts.fast_paths and not opts.is_event_time and select.window is not None:
        loop = compile_join_loop(inputs, used_columns(select), select.source, select.window.kind)
    return JoinPlan(conditions, from_tag, keys, loop)


def _plan_rows(
    select: ast.Select,
    scope: Scope,
    projector: Callable[[Scope], Projector],
    join: JoinPlan | None,
    opts: RuleOptions,
) -> RowPlan:
    if select.group_by:
        raise PlanError(
            "GROUP BY needs a window in a stream rule, e.g. GROUP BY a, TUMBLINGWINDOW(ss, 10)"
        )
    scope.op_id = "op_2_filter"  # eKuiper's operator names, read by last_hit_* and plugins
    where = compile_condition(select.where, scope, "run Where error") if select.where else None
    scope.op_id = "op_3_project"
    collection = CollectionPlan(select, scope, projector, where=True, join=join) if join else None
    split = any(_returns_set(f.expr) for f in select.fields)
    return RowPlan(where, projector(scope), opts.send_meta, collection, split)


def _returns_set(expr: ast.Expr) -> bool:
    if not isinstance(expr, ast.Call):
        return False
    spec = lookup(expr.name)
    return spec is not None and spec.kind == "srf"


def _plan_window(
    select: ast.Select,
    scope: Scope,
    projector: Callable[[Scope], Projector],
    join: JoinPlan | None,
    main: StreamDef,
    opts: RuleOptions,
    simple: bool,
) -> WindowPlan:
    window = select.window
    assert window is not None
    state = window.kind == "state"
    spec = window_spec(window) if not state else WindowSpec("state")
    # eKuiper's planner pushes WHERE below processing-time windows that keep no overlap
    pushdown = (
        not opts.is_event_time
        and join is None
        and spec.kind in ("tumbling", "hopping", "session", "state")
    )
    cond = _and(window.filter, select.where if pushdown else None)
    trigger = compile_condition(window.trigger, scope, None) if window.trigger else None
    state_plan = None
    if state:  # eKuiper's v2 operator, fed rows in order in either time mode
        state_plan = _plan_state(window, scope)
    elif opts.is_event_time and spec.kind not in ("tumbling", "hopping", "sliding", "session"):
        raise PlanError(f"{spec.kind} windows are not supported in event time, as in eKuiper")
    incremental = sliding = None
    fast: WindowFastPath | EventWindowFastPath | SlidingFastPath | None = None
    stamp_rows = not select.joins and _reads_row_context(select)
    # in event time WHERE runs after the window, on its rows, so only a rule without one
    # may fold as rows arrive (per window: see fold.PaneGroups)
    folds_early = not opts.is_event_time or (spec.kind == "tumbling" and select.where is None)
    if not state and simple and not stamp_rows and folds_early:
        schema = pruned_schema(main, used_columns(select))
        incremental = plan_incremental(select, schema, send_nil=opts.send_nil)
        if spec.kind == "sliding" and not opts.is_event_time and spec.delay == 0:
            sliding = plan_sliding(select, schema, spec.length_ms, send_nil=opts.send_nil)
            if sliding is not None and schema is not None:
                fast = compile_sliding_fast_path(select, schema, sliding)
        elif opts.is_event_time:
            if incremental is not None and window.filter is None and opts.late_tolerance == 0:
                fast = compile_event_window_fast_path(
                    select, schema, incremental.columns, main.timestamp, incremental.fold_body
                )
        elif spec.kind in ("tumbling", "hopping") and window.filter is None:
            fast = compile_window_fast_path(
                select,
                schema,
                select.where if pushdown else None,
                incremental.columns if incremental is not None else None,
                incremental.fold_body if incremental is not None else None,
            )
    collection = CollectionPlan(
        select,
        scope,
        projector,
        where=not pushdown,
        join=join,
        group=not state,  # a state window is one group whatever else GROUP BY names
    )
    fold = None
    if incremental is None and sliding is None and opts.fast_paths:
        fold = _plan_fold(spec, collection, scope, event_time=opts.is_event_time)
    return WindowPlan(
        spec=spec,
        # FILTER and a pushed-down WHERE run as eKuiper's filter operator before the window
        filter=compile_condition(cond, scope, "run Where error") if cond else None,
        trigger=trigger,
        state=state_plan,
        event_time=opts.is_event_time,
        collection=collection,
        incremental=incremental,
        fast=fast,
        fold=fold,
        sliding=sliding,
        stamp_rows=stamp_rows,
    )


_ROW_ONLY = ("last_hit_count", "last_hit_time")


def _check_no_agg_functions(select: ast.Select) -> None:
    """``last_hit_*`` count rows, so eKuiper refuses them in a query that aggregates
    (a window, GROUP BY or join), except inside a sliding window's trigger."""
    if select.window is None and not select.group_by and not select.joins:
        return
    parts = (select.fields, select.joins, select.where, select.group_by, select.having,
             select.order_by)  # fmt: skip
    for n in walk(parts):
        if isinstance(n, ast.Call) and n.name.lower() in _ROW_ONLY:
            raise PlanError(f"function {n.name} is not allowed in an aggregate query", node=n)


_ROW_CONTEXT = {"event_time", "meta", "mqtt"}


def _reads_row_context(select: ast.Select) -> bool:
    """Whether what runs after the window reads a row's own time or message."""
    after = (select.fields, select.having, select.order_by)
    return any(isinstance(n, ast.Call) and n.name.lower() in _ROW_CONTEXT for n in walk(after))


def _and(a: ast.Expr | None, b: ast.Expr | None) -> ast.Expr | None:
    if a is None or b is None:
        return a if b is None else b
    return ast.BinaryExpr("AND", a, b)


def _plan_state(window: ast.Window, scope: Scope) -> StatePlan:
    assert window.begin is not None  # the parser gives every state window a condition
    return StatePlan(
        compile_expr(window.begin, scope),
        compile_expr(window.end, scope) if window.end is not None else None,
        tuple(compile_expr(e, scope) for e in window.partition),
    )


def _plan_fold(
    spec: WindowSpec, collection: CollectionPlan, scope: Scope, *, event_time: bool
) -> FoldPlan | None:
    """Fold rows as they arrive when every aggregate call has an incremental form and
    nothing after the window needs the rows themselves (a join, a WHERE left there).

    Overlapping windows (hopping, sliding) fold to aggregate each row once instead
    of once per window; the others fold only when that frees the rows (every
    accumulator a summary), since a fold costs more per row than one pass at the end.
    """
    if not (
        _folds_by_kind(spec, event_time)
        and collection.join is None
        and collection.where is None
        and collection.aggregate
        and scope.folds.ok
    ):
        return None
    specs = tuple(scope.folds.specs)
    overlapping = spec.kind in ("hopping", "sliding") or (
        spec.kind == "count" and spec.interval not in (0, spec.length)
    )
    if not overlapping and any(s.keeps_values for s in specs):
        return None
    return FoldPlan(specs, bool(collection.dims))


def _folds_by_kind(spec: WindowSpec, event_time: bool) -> bool:
    """Windows whose rows can be folded as they arrive: tumbling, hopping (in panes),
    sliding and overlapping count windows (two-stack queues), count and state windows
    (their own rows), session windows in processing time. An event-time session
    keeps rows: its end is known only once it closes, past rows that arrived later."""
    if spec.kind in ("tumbling", "sliding", "state", "count"):
        return True
    if spec.kind == "hopping":
        return spec.interval_ms > 0
    return spec.kind == "session" and not event_time


def _event_time(
    rule_id: str, main: StreamDef, opts: RuleOptions, streams: list[str]
) -> EventTimePlan | None:
    if not opts.is_event_time:
        return None
    if not main.timestamp:
        raise PlanError(
            f'rule {rule_id}: isEventTime needs a timestamp field; add TIMESTAMP="field" '
            f"to the WITH clause of stream {main.name}"
        )
    return EventTimePlan(
        main.timestamp,
        main.statement.option("TIMESTAMP_FORMAT"),
        opts.late_tolerance,
        tuple(streams),
    )


def _check_fields(select: ast.Select, main: StreamDef, inputs: Mapping[str, RuleInput]) -> None:
    """Unknown columns of typed streams fail at planning, as eKuiper's analyzer does."""
    aliases = {f.alias for f in select.fields if f.alias}
    if select.joins:
        by_tag = {i.tag: i.stream for i in inputs.values()}
        by_tag.update({name: i.stream for name, i in inputs.items()})
        for ref in field_refs(select):
            if ref.stream is None or ref.stream not in by_tag:
                continue
            schema = by_tag[ref.stream].schema
            if schema is not None and ref.name not in schema and ref.name not in aliases:
                hint = did_you_mean(ref.name, schema)
                raise PlanError(f"unknown field {ref.name} in stream {ref.stream}.{hint}", node=ref)
        return
    schema = main.schema
    if schema is None:
        return
    for ref in field_refs(select):
        if ref.name in schema or ref.name in aliases:
            continue
        if ref.stream is None or ref.stream == select.source:
            hint = did_you_mean(ref.name, schema)
            raise PlanError(f"unknown field {ref.name} in stream {main.name}.{hint}", node=ref)


def _bound_where(
    call: ast.Call, select: ast.Select, bindings: AliasBindings, scope: Scope
) -> Scope:
    """The scope of the SELECT field holding ``call`` (its alias bindings), else ``scope``."""
    for f, visible in zip(select.fields, bindings.fields, strict=True):
        if any(n is call for n in walk(f.expr)):
            return dataclasses.replace(scope, aliases=visible)
    return scope
