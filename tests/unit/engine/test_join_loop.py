"""The generated join loop: when the planner writes it, when the pipeline runs it, and
that it hands the general path only what it cannot take (join_loop.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kuiper_dev import Message, Workspace
from kuiper_dev.engine import Driver, Pipeline, VirtualClock
from kuiper_dev.engine.join_loop import compile_join_loop
from kuiper_dev.engine.joins import TaggedRow

T0 = 1_700_000_000_000
TYPED = [
    'CREATE STREAM a (k STRING, v FLOAT, ts BIGINT) WITH (DATASOURCE="a", FORMAT="json", TIMESTAMP="ts")',
    'CREATE STREAM b (k STRING, v FLOAT, ts BIGINT) WITH (DATASOURCE="b", FORMAT="json", TIMESTAMP="ts")',
    'CREATE STREAM s () WITH (DATASOURCE="s", FORMAT="json")',
    'CREATE STREAM strict (k STRING) WITH (DATASOURCE="st", FORMAT="json", STRICT_VALIDATION="true")',
    'CREATE TABLE t (k STRING, z BIGINT) WITH (DATASOURCE="t", TYPE="memory", FORMAT="json")',
]
JOIN = (
    "SELECT a.k AS k, count(*) AS n FROM a INNER JOIN b ON a.k = b.k "
    "GROUP BY a.k, TUMBLINGWINDOW(ss, 1)"
)


def workspace(*, fast: bool = True) -> Workspace:
    ws = Workspace(plugins_dir=None, fast_paths=fast)
    for ddl in TYPED:
        ws.create_stream(ddl)
    return ws


def counted(rule: Pipeline) -> list[tuple[str, bytes]]:
    """Make the rule's general path note each message it is handed."""
    seen: list[tuple[str, bytes]] = []
    general = rule._message

    def note(stream: str, message: Message) -> None:
        seen.append((stream, message.payload))
        general(stream, message)

    rule._message = note  # type: ignore[method-assign]
    return seen


def run(rule: Pipeline, feed: dict[str, list[Message]]) -> Driver:
    driver = Driver(VirtualClock(T0))
    driver.add(rule)
    driver.replay(feed, drain_ms=2000)
    return driver


FEED = {
    "a": [
        Message("a", b'{"k":"x","v":1.5,"ts":1}', T0 + 100),
        Message("a", b'{"k":"x","v":"hot"}', T0 + 300),  # a wrong type: the general path
        Message("a", b'{"k":"y"}', T0 + 1200),
    ],
    "b": [
        Message("b", b'{"k":"x","v":2,"ts":2}', T0 + 200),  # an int in FLOAT: converted here
        Message("b", b"{not json", T0 + 400),
        Message("b", b'{"k":"y","v":null}', T0 + 1300),
    ],
}


def test_only_the_messages_the_loop_cannot_take_reach_the_general_path() -> None:
    rule = workspace().rule(JOIN, auto_stream=False, start_ms=T0)
    seen = counted(rule)
    run(rule, FEED)
    assert seen == [("a", b'{"k":"x","v":"hot"}'), ("b", b"{not json")]
    assert rule.result.emissions == [[{"k": "x", "n": 1}], [{"k": "y", "n": 1}]]
    assert [e.message.split(":")[0] for e in rule.result.errors] == [
        "decode error",
        "decode error in b",
    ]
    status = rule.status()
    assert status["source_a_0_records_in_total"] == 3
    window_in = [v for k, v in status.items() if k.endswith("_window_0_records_in_total")]
    assert window_in == [4]  # the two bad messages kept no row


def test_without_fast_paths_every_message_takes_the_general_path() -> None:
    rule = workspace(fast=False).rule(JOIN, auto_stream=False, start_ms=T0)
    seen = counted(rule)
    run(rule, FEED)
    assert len(seen) == 6


@pytest.mark.parametrize(
    "sql",
    [
        # FILTER runs on each row before the window: the general path keeps it
        "SELECT count(*) AS n FROM a INNER JOIN b ON a.k = b.k "
        "GROUP BY TUMBLINGWINDOW(ss, 1) FILTER (WHERE a.v > 1)",
        # an analytic function runs per row
        "SELECT lag(a.v) AS p FROM a INNER JOIN b ON a.k = b.k GROUP BY TUMBLINGWINDOW(ss, 1)",
    ],
)
def test_rules_doing_more_per_row_than_keeping_it_take_the_general_path(sql: str) -> None:
    rule = workspace().rule(sql, auto_stream=False, start_ms=T0)
    seen = counted(rule)
    run(rule, FEED)
    assert len(seen) == 6


@pytest.mark.parametrize(
    ("sql", "options"),
    [
        ("SELECT * FROM a INNER JOIN s ON a.k = s.k GROUP BY TUMBLINGWINDOW(ss, 1)", {}),
        ("SELECT * FROM a INNER JOIN strict ON a.k = strict.k GROUP BY TUMBLINGWINDOW(ss, 1)", {}),
        ("SELECT * FROM a INNER JOIN t ON a.k = t.k", {}),
        ("SELECT * FROM a INNER JOIN b ON a.k = b.k GROUP BY COUNTWINDOW(3)", {}),
        ("SELECT * FROM a INNER JOIN b ON a.k = b.k GROUP BY SLIDINGWINDOW(ss, 1)", {}),
        (JOIN, {"isEventTime": True}),
    ],
)
def test_the_planner_writes_no_loop_it_could_not_run_exactly(
    sql: str, options: dict[str, Any]
) -> None:
    rule = workspace().rule(sql, options=options, auto_stream=False, start_ms=T0)
    plan = rule.plan.window or rule.plan.row
    assert plan is not None and plan.collection is not None
    join = plan.collection.join
    assert join is not None and join.loop is None


def test_compile_join_loop_needs_every_input_typed_json() -> None:
    ws = workspace()
    typed = ws.rule(JOIN, auto_stream=False).plan.inputs
    loop = compile_join_loop(typed, {"k"}, "a", "tumbling")
    assert loop is not None and loop.streams == ("a", "b")
    assert "'k'" in loop.source and "'v'" not in loop.source  # only the columns read, and ts
    schemaless = ws.rule(
        "SELECT * FROM a INNER JOIN s ON a.k = s.k GROUP BY TUMBLINGWINDOW(ss, 1)",
        auto_stream=False,
    ).plan.inputs
    assert compile_join_loop(schemaless, None, "a", "tumbling") is None


def test_rows_are_tagged_in_their_schema_order_whatever_the_payload_order() -> None:
    rule = workspace().rule(
        "SELECT * FROM a INNER JOIN b ON a.k = b.k GROUP BY TUMBLINGWINDOW(ss, 1)",
        auto_stream=False,
        start_ms=T0,
    )
    window = rule.window
    assert window is not None
    driver = Driver(VirtualClock(T0))
    driver.add(rule)
    rule.push_routed([("a", Message("a", b'{"ts":5,"v":1.0,"k":"x","other":1}', T0 + 1))], driver)
    ((ts, row),) = window.window.buffer.inputs  # type: ignore[union-attr]
    assert ts == T0 + 1 and isinstance(row, TaggedRow) and row.emitter == "a"
    assert list(row.items()) == [("k", "x"), ("v", 1.0), ("ts", 5)]


def test_a_feed_that_fails_leaves_the_counters_and_clock_as_the_general_path_does() -> None:
    def failing() -> Iterator[tuple[str, Message]]:
        yield "a", Message("a", b'{"k":"x"}', T0 + 10)
        yield "b", Message("b", b'{"k":"x"}', T0 + 20)
        raise RuntimeError("the feed broke")

    outcomes = []
    for fast in (True, False):
        rule = workspace(fast=fast).rule(JOIN, auto_stream=False, start_ms=T0)
        driver = Driver(VirtualClock(T0))
        driver.add(rule)
        with pytest.raises(RuntimeError, match="the feed broke"):
            rule.push_routed(failing(), driver)
        outcomes.append((rule.status(), driver.clock.now_ms()))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0]["source_a_0_records_in_total"] == 1
