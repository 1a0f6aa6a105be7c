"""Function calls compiled by their registration flags, and the folds they register."""

from __future__ import annotations

import pytest

from kuiper_dev import Message, PlanError, Workspace
from kuiper_dev.engine.calls import analytic_calls
from kuiper_dev.sql import parse_select


@pytest.fixture
def ws() -> Workspace:
    return Workspace(plugins_dir=None)


def test_a_meta_key_is_a_name_not_a_column(ws: Workspace) -> None:
    result = ws.run(
        "SELECT meta(topic) AS t, topic FROM s", [Message("sensors/1", b'{"topic": "col"}', 1)]
    )
    assert result.rows == [{"t": "sensors/1", "topic": "col"}]


def test_a_meta_argument_that_names_nothing_is_refused_where_it_is(ws: Workspace) -> None:
    with pytest.raises(PlanError) as info:
        ws.rule("SELECT meta(1 + 2) FROM s")
    assert "Expect meta reference type for parameter 1" in str(info.value)
    assert "at line 1, column 8" in str(info.value)


def test_an_aggregate_outside_a_window_is_refused_with_a_caret(ws: Workspace) -> None:
    with pytest.raises(PlanError) as info:
        ws.rule("SELECT a, avg(a) FROM s")
    assert "avg is an aggregate function" in str(info.value)
    assert str(info.value).splitlines()[-1].strip() == "^"


def test_update_arg_functions_count_only_where_the_rule_passes(ws: Workspace) -> None:
    rows = [{"a": 1}, {"a": 5}, {"a": 7}]
    result = ws.run("SELECT a, last_hit_count() AS n FROM s WHERE a > 2", rows)
    assert result.rows == [{"a": 5.0, "n": 0}, {"a": 7.0, "n": 1}]


def test_row_index_and_window_bounds(ws: Workspace) -> None:
    from kuiper_dev.connectors import messages_from_rows

    feed = list(messages_from_rows([{"a": 2}, {"a": 1}], start_ms=1_700_000_000_100))
    result = ws.run(
        "SELECT a, row_number() AS r, window_end() AS we FROM s "
        "GROUP BY TUMBLINGWINDOW(ss, 10) ORDER BY a",
        feed,
        drain_ms=10_000,
    )
    assert [(r["a"], r["r"]) for r in result.rows] == [(1.0, 1), (2.0, 2)]
    assert {r["we"] for r in result.rows} == {1_700_000_010_000}


def test_every_aggregate_call_registers_a_fold(ws: Workspace) -> None:
    rule = ws.rule(
        "SELECT count(*) AS n, avg(a) AS m FROM s GROUP BY TUMBLINGWINDOW(ss, 1) "
        "HAVING sum(a) > 0"
    )
    assert rule.plan.window is not None and rule.plan.window.fold is not None
    assert len(rule.plan.window.fold.specs) == 3


def test_a_nested_analytic_call_runs_before_the_call_around_it(ws: Workspace) -> None:
    # eKuiper's analyzer lists analytic calls inner first, so lag sees had_changed's value
    rows = [Message("s", f'{{"x": {x}}}'.encode(), i) for i, x in enumerate([1, 1, 2])]
    result = ws.run("SELECT lag(had_changed(true, x)), lag(lag(x)) AS l2 FROM s", rows)
    assert result.rows == [{}, {"lag": True}, {"lag": False, "l2": 1}]


def test_analytic_calls_lists_inner_calls_first() -> None:
    calls = analytic_calls(parse_select("SELECT lag(had_changed(true, x)) FROM s"))
    assert [c.name for c in calls] == ["had_changed", "lag"]


def test_state_calls_keep_one_state_per_call_site() -> None:
    out = Workspace().run(
        "SELECT last_hit_count() AS a, last_hit_count() AS b FROM s", [{"x": 1}, {"x": 2}]
    )
    assert out.emissions == [[{"a": 0, "b": 0}], [{"a": 1, "b": 1}]]


def test_a_condition_reads_its_state_and_records_only_when_it_holds() -> None:
    out = Workspace().run(
        "SELECT x FROM s WHERE last_hit_count() < 2 AND x > 0",
        [{"x": 0}, {"x": 1}, {"x": 0}, {"x": 2}, {"x": 3}],
    )
    assert out.emissions == [[{"x": 1.0}], [{"x": 2.0}]]


def test_last_hit_functions_are_refused_in_aggregate_queries() -> None:
    with pytest.raises(PlanError, match="function last_hit_time is not allowed in an aggregate"):
        Workspace().run(
            "SELECT count(*) AS c, last_hit_time() AS t FROM s GROUP BY TUMBLINGWINDOW(ss, 1)", []
        )
