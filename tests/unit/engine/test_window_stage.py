"""WindowStage: rows in (counted), fired windows out (counted) through the collection
plan; processing time fires on the clock, event time on watermarks."""

from __future__ import annotations

from typing import Any

from kuiper_dev import Workspace
from kuiper_dev.engine.pipeline import Pipeline
from kuiper_dev.engine.window_stage import WindowStage
from kuiper_dev.engine.windows import WindowEmit

T0 = 1_700_000_000_000  # 22:13:20 UTC: a whole 10 s, so 1 s windows end at T0 + 1000·k


def rule(sql: str, *, fast_paths: bool = False, **options: Any) -> tuple[Pipeline, WindowStage]:
    ws = Workspace(plugins_dir=None, fast_paths=fast_paths)
    ws.create_stream('CREATE STREAM s (a BIGINT, g STRING, t BIGINT) WITH (TIMESTAMP="t")')
    pipeline = ws.rule(sql, options=options or None, auto_stream=False, start_ms=T0)
    assert pipeline.window is not None
    return pipeline, pipeline.window


def counts(stage: WindowStage) -> tuple[int, int]:
    return stage.metrics.records_in, stage.metrics.records_out


def test_rows_are_counted_in_and_each_fired_window_out() -> None:
    pipeline, stage = rule("SELECT a FROM s GROUP BY TUMBLINGWINDOW(ss, 1)")
    stage.ingest({"a": 1}, T0 + 10)
    stage.ingest({"a": 2}, T0 + 20)
    assert pipeline.result.emissions == [] and stage.next_deadline() == T0 + 1000
    stage.on_time(T0 + 2000)
    assert pipeline.result.emissions == [[{"a": 1}, {"a": 2}], []]  # the empty one fires too
    assert counts(stage) == (2, 2)


def test_a_window_filter_drops_rows_before_they_are_counted() -> None:
    pipeline, stage = rule(
        "SELECT count(*) AS n FROM s GROUP BY TUMBLINGWINDOW(ss, 1) FILTER (WHERE a > 1)"
    )
    for a in (1, 2, 3):
        stage.ingest({"a": a}, T0 + a)
    stage.on_time(T0 + 1000)
    assert pipeline.result.emissions == [[{"n": 2}]] and counts(stage) == (2, 1)


def test_firing_sets_the_window_range_the_expressions_read() -> None:
    pipeline, stage = rule(
        "SELECT window_start() AS ws, window_end() AS we FROM s GROUP BY TUMBLINGWINDOW(ss, 1)"
    )
    stage.fire([WindowEmit([{"a": 1}], T0 + 1000, T0 + 2000)], T0 + 2000)
    assert pipeline.result.emissions == [[{"ws": T0 + 1000, "we": T0 + 2000}]]


def test_a_window_that_fails_is_an_error_record_and_the_next_window_still_emits() -> None:
    pipeline, stage = rule("SELECT 10 / a AS x FROM s GROUP BY TUMBLINGWINDOW(ss, 1)")
    windows = [WindowEmit([{"a": 0}], T0, T0 + 1000), WindowEmit([{"a": 5}], T0 + 1000, T0 + 2000)]
    stage.fire(windows, T0 + 2000)
    assert pipeline.result.emissions == [[{"x": 2}]]
    assert [(e.ts, e.message) for e in pipeline.result.errors] == [
        (T0 + 2000, "run Select error: alias: x expr: 10 / a meet error, err:divided by zero")
    ]
    assert counts(stage) == (0, 2)


def test_a_fired_window_whose_where_keeps_nothing_counts_but_emits_nothing() -> None:
    pipeline, stage = rule("SELECT a FROM s WHERE a > 5 GROUP BY SLIDINGWINDOW(ss, 1)")
    stage.ingest({"a": 1}, T0 + 10)  # a sliding window fires on each row
    assert pipeline.result.emissions == [] and counts(stage) == (1, 1)
    stage.ingest({"a": 10}, T0 + 20)
    assert pipeline.result.emissions == [[{"a": 10}]] and counts(stage) == (2, 2)


def test_event_time_windows_fire_on_watermarks_never_on_the_clock() -> None:
    pipeline, stage = rule("SELECT a FROM s GROUP BY TUMBLINGWINDOW(ss, 1)", isEventTime=True)
    stage.ingest({"a": 1}, T0 + 10)
    stage.on_time(T0 + 5000)
    assert stage.next_deadline() is None and pipeline.result.emissions == []
    stage.on_watermark(T0 + 1000, T0 + 10)
    assert pipeline.result.emissions == [[{"a": 1}]]


def test_processing_time_windows_ignore_watermarks() -> None:
    pipeline, stage = rule("SELECT a FROM s GROUP BY TUMBLINGWINDOW(ss, 1)")
    stage.ingest({"a": 1}, T0 + 10)
    stage.on_watermark(T0 + 5000, T0 + 10)
    assert pipeline.result.emissions == []


def test_a_folding_window_gives_what_the_row_keeping_window_gives() -> None:
    sql = "SELECT g, sum(a * 2) AS total FROM s GROUP BY g, TUMBLINGWINDOW(ss, 1)"
    results = []
    for fast_paths in (True, False):
        pipeline, stage = rule(sql, fast_paths=fast_paths)
        assert (stage.folds is not None) is fast_paths
        for i, (g, a) in enumerate([("x", 1), ("y", 2), ("x", 3)]):
            stage.ingest({"g": g, "a": a}, T0 + i)
        stage.on_time(T0 + 1000)
        results.append((pipeline.result.emissions, counts(stage)))
    assert results[0] == results[1] == ([[{"g": "x", "total": 8}, {"g": "y", "total": 4}]], (3, 1))


def test_an_incremental_window_keeps_only_group_totals_until_it_fires() -> None:
    pipeline, stage = rule(
        "SELECT g, count(*) AS n FROM s GROUP BY g, TUMBLINGWINDOW(ss, 1)", fast_paths=True
    )
    assert stage.plan.incremental is not None
    stage.ingest({"g": "x", "a": 1}, T0 + 1)
    stage.ingest({"g": "x", "a": 2}, T0 + 2)
    assert len(stage.groups) == 1
    stage.on_time(T0 + 1000)
    assert pipeline.result.emissions == [[{"g": "x", "n": 2}]] and stage.groups == {}
