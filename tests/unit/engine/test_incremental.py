"""Incremental folds group and total rows as the general path does."""

from __future__ import annotations

from typing import Any

from kuiper_dev import Message, Workspace
from kuiper_dev.engine import Driver, VirtualClock

T0 = 1_700_000_000_000
DDL = 'CREATE STREAM demo (a STRING, b STRING, id BIGINT) WITH (DATASOURCE="demo")'


def emissions(sql: str, payloads: list[bytes], *, fast: bool) -> Any:
    ws = Workspace(plugins_dir=None, fast_paths=fast)
    ws.create_stream(DDL)
    rule = ws.rule(sql, auto_stream=False, start_ms=T0)
    assert (rule.plan.window.incremental is not None) == fast
    driver = Driver(VirtualClock(T0))
    driver.add(rule)
    driver.replay({"demo": [Message("demo", p, T0 + 1) for p in payloads]}, drain_ms=2000)
    return rule.result.emissions


def test_group_keys_are_ekuipers_key_text_so_texts_that_run_together_share_a_group() -> None:
    sql = "SELECT a, b, count(*) AS n FROM demo GROUP BY a, b, TUMBLINGWINDOW(ss, 1)"
    payloads = [b'{"a": "x,y", "b": "z"}', b'{"a": "x", "b": "y,z"}', b'{"b": "q"}']
    want = [[{"a": "x,y", "b": "z", "n": 2}, {"b": "q", "n": 1}]]
    assert emissions(sql, payloads, fast=True) == emissions(sql, payloads, fast=False) == want


def test_int_sums_wrap_at_int64_and_int_averages_truncate() -> None:
    sql = "SELECT sum(id) AS s, avg(id) AS m FROM demo GROUP BY TUMBLINGWINDOW(ss, 1)"
    payloads = [b'{"id": 9223372036854775807}', b'{"id": 1}', b'{"id": 1}']
    fast, general = emissions(sql, payloads, fast=True), emissions(sql, payloads, fast=False)
    assert fast == general
    assert fast[0] == [{"s": -9223372036854775807, "m": -3074457345618258602}]


SLIDING_DDL = (
    "CREATE STREAM s (t FLOAT, name STRING, f FLOAT, ts BIGINT) "
    'WITH (DATASOURCE="s", TIMESTAMP="ts")'
)


def _sliding_plan(sql: str, **options: Any) -> object:
    ws = Workspace(plugins_dir=None)
    ws.create_stream(SLIDING_DDL)
    rule = ws.rule(sql, auto_stream=False, options=options or None)
    assert rule.plan.window is not None
    return rule.plan.window.sliding


def test_a_sliding_window_folds_typed_columns_unless_something_filters_or_delays_it() -> None:
    base = "SELECT name, avg(t) AS a, count(*) AS n FROM s GROUP BY name, SLIDINGWINDOW(ss, 1"
    assert _sliding_plan(base + ")") is not None
    assert _sliding_plan(base + ", 1)") is None  # a delay
    assert _sliding_plan(base + ") OVER (WHEN t > 1)") is None  # a trigger condition
    assert _sliding_plan(base.replace("FROM s", "FROM s WHERE t > 1") + ")") is None
    assert _sliding_plan(base + ")", isEventTime=True) is None
    assert _sliding_plan(base.replace("name,", "f,") + ")") is None  # a FLOAT key
