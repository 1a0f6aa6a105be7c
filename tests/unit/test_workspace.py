"""The Workspace façade: feeds, virtual and wall-clock runs, actions, the fast-path switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kuiper_dev import Message, RuleError, Workspace
from tests.unit.connectors.test_base import COUNTER

T0 = 1_700_000_000_000


def test_a_mapping_feeds_each_stream_and_merges_them_in_arrival_order() -> None:
    ws = Workspace(plugins_dir=None)
    sql = (
        "SELECT a.k, a.x, b.y FROM a INNER JOIN b ON a.k = b.k "
        "GROUP BY TUMBLINGWINDOW(ss, 1)"
    )
    ws.create_stream('CREATE STREAM a () WITH (DATASOURCE="a")')
    ws.create_stream('CREATE STREAM b () WITH (DATASOURCE="b")')
    feeds = {
        "a": [Message("a", b'{"k": 1, "x": "first"}', T0 + 100)],
        "b": [Message("b", b'{"k": 1, "y": "second"}', T0 + 200)],
    }
    result = ws.run(sql, feeds, drain_ms=1000)
    assert result.rows == [{"k": 1.0, "x": "first", "y": "second"}]


def test_a_rule_starts_at_the_first_arrival_rounded_down_to_a_second() -> None:
    ws = Workspace(plugins_dir=None)
    rows = [{"v": 1}, {"v": 2}]
    sql = "SELECT count(*) AS n, window_start() AS s FROM d GROUP BY TUMBLINGWINDOW(ss, 2)"
    from kuiper_dev.connectors import messages_from_rows

    feed = list(messages_from_rows(rows, start_ms=T0 + 1_250, interval_ms=100))
    result = ws.run(sql, feed, drain_ms=2000)
    assert result.rows == [{"n": 2, "s": T0 + 1_000}]
    earlier = ws.run(sql, feed, drain_ms=2000, start_ms=T0)
    assert earlier.rows == [{"n": 2, "s": T0}]


def test_actions_shape_what_record_receives() -> None:
    ws = Workspace(plugins_dir=None)
    got: list[Any] = []
    result = ws.run(
        "SELECT v FROM d",
        [{"v": 1}, {"v": 2}],
        actions=[{"log": {"sendSingle": True, "fields": ["v"]}}],
        record=got.append,
    )
    assert got == [{"v": 1.0}, {"v": 2.0}]
    assert result.emissions == []  # the actions replaced the default sink


def test_the_fast_path_switch_changes_the_plan_not_the_result(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": 1, "t": 60}\n{"id": 2, "t": 5}\n{"id": "bad"}\n')
    outcomes = []
    for fast in (True, False):
        ws = Workspace(plugins_dir=None, fast_paths=fast)
        ws.create_stream('CREATE STREAM s (id BIGINT, t FLOAT) WITH (DATASOURCE="s")')
        assert (ws.rule("SELECT id FROM s WHERE t > 50").plan.fast is not None) is fast
        result = ws.run_jsonl("SELECT id FROM s WHERE t > 50", path)
        outcomes.append((result.emissions, [e.message for e in result.errors]))
    assert outcomes[0] == outcomes[1] == (
        [[{"id": 1}]],
        ["decode error: id has wrong type:string, expect:bigint"],
    )


def test_run_live_reads_plugin_sources_until_the_limit() -> None:
    ws = Workspace(plugins_dir=None)
    ws.define_source("Counter", COUNTER)
    ws.create_stream('CREATE STREAM c (n FLOAT) WITH (DATASOURCE="x", TYPE="counter")')
    result, run = ws.run_live("SELECT n FROM c WHERE n > 0", limit=2, timeout_ms=5000)
    assert [r["n"] for r in result.rows] == [1.0, 2.0]
    assert (run.emissions, run.messages, run.timed_out) == (2, 3, False)


def test_run_live_names_an_unknown_source_type() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM c (n FLOAT) WITH (DATASOURCE="x", TYPE="countr")')
    with pytest.raises(RuleError, match="TYPE='countr' is neither a built-in source nor"):
        ws.run_live("SELECT n FROM c", limit=1, timeout_ms=100)
