"""Windows that fold rows into accumulators emit exactly what windows keeping rows emit."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kuiper_dev import Message, Workspace
from kuiper_dev.engine import Driver, VirtualClock

T0 = 1_700_000_000_000
RULES = [
    "SELECT k, sum(a * 2) AS s, avg(a) AS av, count(a) AS ca, count(*) AS n, "
    "min(a) AS lo, max(b) AS hi, merge_agg(o) AS mo FROM s GROUP BY k, TUMBLINGWINDOW(ss, 2)",
    "SELECT stddev(a) AS sd, var(a) AS v, last_value(b, true) AS lv, merge_agg(o) AS mo, "
    "percentile_cont(a, 0.5) AS p, median(a) AS m FROM s GROUP BY HOPPINGWINDOW(ms, 700, 350)",
    "SELECT k, count(a) AS n, sum(a / b) AS q FROM s WHERE a > 0 GROUP BY k, TUMBLINGWINDOW(ss, 1) "
    "HAVING count(*) > 1 ORDER BY k DESC",
    "SELECT a / b AS first, deduplicate(k, false) AS d, collect(*) AS rows FROM s "
    "GROUP BY b / a, HOPPINGWINDOW(ss, 2, 1)",
    "SELECT k, sum(a) AS s, collect(b) AS c, window_start() AS ws, window_end() AS we FROM s "
    "GROUP BY k, HOPPINGWINDOW(ms, 900, 300)",
    "SELECT count(*) AS n, max(a) AS hi, last_value(b, false) AS lv FROM s "
    "GROUP BY HOPPINGWINDOW(ss, 2, 1)",
    "SELECT k, count(*) AS n, avg(a) AS av FROM s GROUP BY k, SESSIONWINDOW(ms, 2000, 500)",
    "SELECT k, max(a) AS c, sum(b) AS s FROM s GROUP BY k, COUNTWINDOW(3)",
    "SELECT k, count(*) AS n, collect(a) AS c, window_end() AS we FROM s "
    "GROUP BY k, SLIDINGWINDOW(ms, 1500)",
    "SELECT sum(a) AS s, last_value(b, true) AS lv, avg(a / b) AS q FROM s "
    "GROUP BY SLIDINGWINDOW(ms, 1000, 400) OVER (WHEN b > 0)",
    "SELECT a / b AS first, median(a) AS m FROM s GROUP BY b / a, SLIDINGWINDOW(ms, 800) "
    "OVER (WHEN a > 0)",
    "SELECT k, count(*) AS n, collect(a) AS c FROM s GROUP BY k, HOPPINGWINDOW(ms, 1000, 400)",
    "SELECT k, sum(a) AS s, collect(b) AS c FROM s GROUP BY k, COUNTWINDOW(4, 2)",
    "SELECT count(*) AS n, sum(a) AS s, window_start() AS ws FROM s "
    "GROUP BY STATEWINDOW(a > 2, b > 2)",
    "SELECT count(*) AS n, max(b) AS m FROM s GROUP BY STATEWINDOW(a > 0) OVER (PARTITION BY k)",
]

scalars = st.one_of(
    st.none(),
    st.integers(min_value=-5, max_value=5),
    st.integers(min_value=2**62, max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["x", "y", ""]),
)
rows = st.fixed_dictionaries(
    {},
    optional={
        "k": st.sampled_from(["p", "q", 1]),
        "a": scalars,
        "b": scalars,
        "o": st.dictionaries(st.sampled_from(["u", "v"]), scalars, max_size=2),
    },
)


def outcome(
    sql: str, batch: list[tuple[int, dict[str, object]]], *, fold: bool, event: bool = False
) -> object:
    ws = Workspace(plugins_dir=None, fast_paths=fold)
    ws.create_stream('CREATE STREAM s () WITH (DATASOURCE="s", TIMESTAMP="ts")')
    options = {"isEventTime": True, "lateTolerance": 500} if event else {}
    rule = ws.rule(sql, auto_stream=False, start_ms=T0, options=options)
    window = rule.plan.window
    assert window is not None and (window.fold is not None) == fold, sql
    ts, messages = T0, []
    for gap, row in batch:
        ts += gap
        event_ts = ts - (gap * 7) % 600 if event else ts  # out of order within the tolerance
        messages.append(Message("s", orjson.dumps({**row, "ts": event_ts}), ts))
    driver = Driver(VirtualClock(T0))
    driver.add(rule)
    driver.replay({"s": messages}, drain_ms=3000)
    return rule.result.emissions, [e.message for e in rule.result.errors], rule.status()


@pytest.mark.parametrize("sql", RULES)
@settings(max_examples=80, deadline=None)
@given(batch=st.lists(st.tuples(st.integers(min_value=0, max_value=900), rows), max_size=14))
@example(batch=[(0, {"k": "p", "a": 1, "b": 0}), (5, {"k": "p", "a": "x", "b": 1})])
@example(batch=[(0, {"k": "p", "a": 1, "b": 1}), (1500, {"k": "p", "a": 2, "b": 1})])  # edges
@example(batch=[(0, {"k": "p", "a": 1, "b": 1}), (1000, {"k": "p", "a": 2, "b": 1})])
def test_folding_windows_agree_with_windows_keeping_rows(
    sql: str, batch: list[tuple[int, dict[str, object]]]
) -> None:
    assert outcome(sql, batch, fold=True) == outcome(sql, batch, fold=False)


# event time keeps WHERE after the window, and folds no session window
EVENT_RULES = [r for r in RULES if not any(w in r for w in ("WHERE", "SESSION", "COUNTW"))]


@pytest.mark.parametrize("sql", EVENT_RULES)
@settings(max_examples=60, deadline=None)
@given(batch=st.lists(st.tuples(st.integers(min_value=0, max_value=900), rows), max_size=14))
@example(batch=[(1, {}), (727, {}), (788, {}), (686, {})])  # an empty hopping window
@example(batch=[(1, {"k": "p"}), (2500, {"k": "p"}), (900, {"k": "q"}), (900, {})])
def test_event_time_folding_agrees(sql: str, batch: list[tuple[int, dict[str, object]]]) -> None:
    assert outcome(sql, batch, fold=True, event=True) == outcome(
        sql, batch, fold=False, event=True
    )


@pytest.mark.parametrize(
    ("window", "folds"),
    [
        ("SLIDINGWINDOW(ss, 2)", True),
        ("COUNTWINDOW(3, 1)", True),
        ("COUNTWINDOW(3, 3)", True),
        ("HOPPINGWINDOW(ms, 1000, 300)", True),
        ("STATEWINDOW(a > 1)", True),
        ("HOPPINGWINDOW(ms, 900, 300)", True),
    ],
)
def test_which_windows_fold(window: str, folds: bool) -> None:
    ws = Workspace(plugins_dir=None)
    rule = ws.rule(f"SELECT count(*) AS n FROM s GROUP BY {window}")
    assert rule.plan.window is not None and (rule.plan.window.fold is not None) == folds


def test_windows_that_do_not_overlap_fold_only_summaries() -> None:
    ws = Workspace(plugins_dir=None)
    kept = ws.rule("SELECT median(a) AS m FROM s GROUP BY TUMBLINGWINDOW(ss, 1)")
    folded = ws.rule("SELECT median(a) AS m FROM s GROUP BY HOPPINGWINDOW(ss, 2, 1)")
    assert kept.plan.window is not None and kept.plan.window.fold is None
    assert folded.plan.window is not None and folded.plan.window.fold is not None


def test_a_plugin_aggregate_keeps_rows() -> None:
    ws = Workspace(plugins_dir=None)
    ws.define_function(
        "Total",
        "class T:\n    def validate(self, a): return ''\n    def is_aggregate(self): return True\n"
        "    def exec(self, a, c): return sum(v for v in a[0] if v is not None)\nTotal = T()\n",
    )
    rule = ws.rule("SELECT total(a) AS t, count(*) AS n FROM s GROUP BY TUMBLINGWINDOW(ss, 1)")
    assert rule.plan.window is not None and rule.plan.window.fold is None
