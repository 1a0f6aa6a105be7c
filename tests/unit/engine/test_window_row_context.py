"""event_time() and meta() after a window fires, as eKuiper's row valuers give them."""

from __future__ import annotations

import orjson

from kuiper_dev import Workspace
from kuiper_dev._types import Message

FEED = [
    Message("a", orjson.dumps({"v": 1, "topic": "column-a"}), 1200),
    Message("b", orjson.dumps({"v": 2}), 1600),
    Message("c", orjson.dumps({"v": 3}), 2600),
]


def run(sql: str) -> list[object]:
    return Workspace().run(sql, FEED, drain_ms=2000).emissions


def test_plain_rows_carry_their_own_arrival_and_topic() -> None:
    out = run("SELECT v, meta(topic) AS t, event_time() AS et FROM s GROUP BY TUMBLINGWINDOW(ss, 1)")
    assert out[1] == [{"v": 1.0, "t": "a", "et": 1200}, {"v": 2.0, "t": "b", "et": 1600}]
    assert out[2] == [{"v": 3.0, "t": "c", "et": 2600}]


def test_a_group_reads_its_first_rows_message() -> None:
    out = run("SELECT count(*) AS c, meta(topic) AS t FROM s GROUP BY v, TUMBLINGWINDOW(ss, 1)")
    assert out == [[{"c": 1, "t": "a"}, {"c": 1, "t": "b"}], [{"c": 1, "t": "c"}]]


def test_a_whole_window_aggregate_reads_meta_from_the_first_rows_columns() -> None:
    # eKuiper's WindowTuples.Meta reads the first row's Value: a quirk matched on purpose
    out = run("SELECT count(*) AS c, meta(topic) AS t FROM s GROUP BY TUMBLINGWINDOW(ss, 1)")
    assert out[1] == [{"c": 2, "t": "column-a"}]
    assert out[2] == [{"c": 1}]


def test_aggregate_rows_take_the_window_end_as_event_time_in_processing_time() -> None:
    out = run("SELECT count(*) AS c, event_time() AS et FROM s GROUP BY TUMBLINGWINDOW(ss, 1)")
    assert out[1] == [{"c": 2, "et": 2000}]


def test_a_rule_without_a_window_reads_each_messages_own() -> None:
    out = Workspace().run("SELECT v, meta(topic) AS t, event_time() AS et FROM s", FEED)
    assert [e[0]["t"] for e in out.emissions] == ["a", "b", "c"]
