"""plan_rule: every decision made once, in an immutable plan."""

from __future__ import annotations

import dataclasses

import pytest

from kuiper_dev import PlanError, Workspace
from kuiper_dev.engine import RuleOptions, plan_rule
from kuiper_dev.sql import parse_select

DDL = 'CREATE STREAM demo (id BIGINT, t FLOAT, ts BIGINT) WITH (DATASOURCE="demo", TIMESTAMP="ts")'


@pytest.fixture
def ws() -> Workspace:
    ws = Workspace(plugins_dir=None)
    ws.create_stream(DDL)
    return ws


def plan(ws: Workspace, sql: str, **options: object) -> object:
    fast = bool(options.pop("fast", True))
    return plan_rule(
        parse_select(sql),
        ws.catalog,
        ws.binder,
        RuleOptions.from_dict(dict(options), fast_paths=fast),
        rule_id="r",
        sql=sql,
    )


def test_a_plan_cannot_be_changed(ws: Workspace) -> None:
    p = plan(ws, "SELECT id FROM demo")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.row = None  # type: ignore[attr-defined]


def test_stateless_rule_gets_the_generated_loop_unless_switched_off(ws: Workspace) -> None:
    sql = "SELECT id, t * 2 AS d FROM demo WHERE t > 1"
    assert plan(ws, sql).fast is not None  # type: ignore[attr-defined]
    assert plan(ws, sql, fast=False).fast is None  # type: ignore[attr-defined]
    assert plan(ws, "SELECT abs(t) AS a FROM demo").fast is None  # type: ignore[attr-defined]


def test_where_is_pushed_below_a_processing_time_tumbling_window(ws: Workspace) -> None:
    sql = "SELECT count(*) AS n FROM demo WHERE t > 1 GROUP BY TUMBLINGWINDOW(ss, 1)"
    window = plan(ws, sql).window  # type: ignore[attr-defined]
    assert window.filter is not None and window.collection.where is None
    event = plan(ws, sql, isEventTime=True).window  # type: ignore[attr-defined]
    assert event.filter is None and event.collection.where is not None


def test_window_loops_and_folds_are_chosen_by_the_planner(ws: Workspace) -> None:
    sql = "SELECT id, avg(t) AS a FROM demo GROUP BY id, TUMBLINGWINDOW(ss, 10)"
    window = plan(ws, sql).window  # type: ignore[attr-defined]
    assert window.fast is not None and window.incremental is not None
    general = plan(ws, sql, fast=False).window  # type: ignore[attr-defined]
    assert general.fast is None and general.incremental is None


@pytest.mark.parametrize(
    ("sql", "options", "loop"),
    [
        ("SELECT id, avg(t) AS a FROM demo GROUP BY id, TUMBLINGWINDOW(ss, 10)", {}, True),
        # late rows wait in the watermark generator: only the general path releases them
        (
            "SELECT id, avg(t) AS a FROM demo GROUP BY id, TUMBLINGWINDOW(ss, 10)",
            {"lateTolerance": 1000},
            False,
        ),
        # a WHERE runs after an event-time window, on its rows: no early fold
        ("SELECT count(*) AS n FROM demo WHERE t > 1 GROUP BY TUMBLINGWINDOW(ss, 10)", {}, None),
        ("SELECT count(*) AS n FROM demo GROUP BY HOPPINGWINDOW(ss, 10, 5)", {}, None),
    ],
)
def test_event_time_windows_fold_per_window_and_may_loop(
    ws: Workspace, sql: str, options: dict[str, object], loop: bool | None
) -> None:
    """``loop`` None: no incremental fold at all; else whether the generated loop runs."""
    window = plan(ws, sql, isEventTime=True, **options).window  # type: ignore[attr-defined]
    assert (window.incremental is not None) == (loop is not None)
    assert (window.fast is not None) == bool(loop)
    general = plan(ws, sql, isEventTime=True, fast=False, **options).window  # type: ignore[attr-defined]
    assert general.fast is None and general.incremental is None


def test_a_join_on_one_equality_gets_hash_keys(ws: Workspace) -> None:
    ws.create_stream(DDL.replace("demo (", "demo2 (").replace('"demo"', '"demo2"'))
    on = "SELECT demo.id FROM demo INNER JOIN demo2 ON {} GROUP BY TUMBLINGWINDOW(ss, 1)"
    keyed = plan(ws, on.format("demo2.id = demo.id")).window.collection.join  # type: ignore[attr-defined]
    assert keyed.keys is not None
    for cond in ("demo.id = demo2.id AND demo.t > 1", "demo.id > demo2.id", "id = demo2.id"):
        join = plan(ws, on.format(cond)).window.collection.join  # type: ignore[attr-defined]
        assert join.keys is None, cond
    off = plan(ws, on.format("demo.id = demo2.id"), fast=False).window.collection.join  # type: ignore[attr-defined]
    assert off.keys is None


@pytest.mark.parametrize(
    ("sql", "options", "message"),
    [
        ("SELECT id FROM demo GROUP BY id", {}, "GROUP BY needs a window"),
        ("SELECT tt FROM demo", {}, 'unknown field tt in stream demo. Did you mean "t"?'),
        (
            "SELECT count(*) FROM demo GROUP BY COUNTWINDOW(2)",
            {"isEventTime": True},
            "count windows are not supported in event time",
        ),
    ],
)
def test_plan_errors(ws: Workspace, sql: str, options: dict[str, object], message: str) -> None:
    with pytest.raises(PlanError, match=message.replace("(", r"\(").replace("?", r"\?")):
        plan(ws, sql, **options)


def test_event_time_needs_a_timestamp_field(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM plain (a BIGINT) WITH (DATASOURCE="p")')
    with pytest.raises(PlanError, match='add TIMESTAMP="field"'):
        plan(ws, "SELECT a FROM plain", isEventTime=True)


def test_plan_knows_what_it_reads(ws: Workspace) -> None:
    ws.create_stream('CREATE TABLE tb (id BIGINT, name STRING) WITH (DATASOURCE="tb")')
    p = plan(ws, "SELECT demo.id, tb.name FROM demo INNER JOIN tb ON demo.id = tb.id")
    assert p.reads("demo") and p.reads("tb") and not p.reads("other")  # type: ignore[attr-defined]
