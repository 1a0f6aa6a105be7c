from __future__ import annotations

import re

import pytest

from kuiper_dev import PlanError, Workspace


def test_filter_and_projection(ws: Workspace) -> None:
    rows = [{"id": "a", "t": 10}, {"id": "b", "t": 30}, {"id": "c"}]
    result = ws.run("SELECT id, t * 2 AS double FROM demo WHERE t > 20", rows)
    assert result.emissions == [[{"id": "b", "double": 60.0}]]
    assert result.status.records_in == 3 and result.status.records_out == 1


def test_wildcard_and_missing_fields_are_omitted(ws: Workspace) -> None:
    result = ws.run("SELECT *, b AS bb FROM demo", [{"a": 1}, {"a": 2, "b": "x"}])
    assert result.rows == [{"a": 1.0}, {"a": 2.0, "b": "x", "bb": "x"}]


def test_builtin_names_are_case_insensitive_and_lowercase_keys(ws: Workspace) -> None:
    result = ws.run("SELECT UPPER(s), Length(s) AS n FROM demo", [{"s": "héllo"}])
    assert result.rows == [{"upper": "HÉLLO", "n": 5}]


def test_error_record_and_rule_goes_on(ws: Workspace) -> None:
    result = ws.run("SELECT a / b AS q FROM demo", [{"a": 1, "b": 0}, {"a": 1, "b": 4}])
    assert result.rows == [{"q": 0.25}]
    assert [e.message for e in result.errors] == [
        "run Select error: alias: q expr: a / b meet error, err:divided by zero"
    ]
    assert result.status.exceptions == 1


def test_send_error_emits_error_rows(ws: Workspace) -> None:
    result = ws.run("SELECT a + 1 AS b FROM demo", [{"a": "x"}], options={"sendError": True})
    assert result.emissions == [
        [
            {
                "error": "run Select error: alias: b expr: a + 1 meet error, err:invalid operation string(x) + int64(1)"
            }
        ]
    ]


def test_where_must_be_boolean(ws: Workspace) -> None:
    result = ws.run("SELECT a FROM demo WHERE a + 1", [{"a": 1}])
    assert result.rows == []
    assert (
        result.errors[0].message
        == "run Where error: invalid condition that returns non-bool value float64(2)"
    )


def test_malformed_payload_is_an_error_not_a_dead_rule(ws: Workspace) -> None:
    from kuiper_dev import Message

    msgs = [Message("t", b"{oops", 1), Message("t", b'{"a": 5}', 2)]
    result = ws.run("SELECT a FROM demo", msgs)
    assert result.rows == [{"a": 5.0}]
    assert result.errors[0].message.startswith("decode error: invalid JSON payload")


def test_typed_stream_integer_math(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM t (a BIGINT, b FLOAT) WITH (DATASOURCE="t")')
    result = ws.run("SELECT a / 2 AS half, b / 2 AS bhalf FROM t", [{"a": 7, "b": 7}])
    assert result.rows == [{"half": 3, "bhalf": 3.5}]


def test_in_between_like(ws: Workspace) -> None:
    rows = [{"d": "dev-1", "t": 5}, {"d": "dev-22", "t": 15}, {"d": "x", "t": 25}]
    sql = "SELECT d FROM demo WHERE d LIKE 'dev-_' OR t BETWEEN 20 AND 30"
    assert ws.run(sql, rows).rows == [{"d": "dev-1"}, {"d": "x"}]
    sql = "SELECT d FROM demo WHERE t NOT IN (5, 25)"
    assert ws.run(sql, rows).rows == [{"d": "dev-22"}]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT uper(a) FROM demo", 'function uper not found. Did you mean "upper"?'),
        (
            "SELECT upper(1) FROM demo",
            "validate function upper error: Expect string type for parameter 1",
        ),
        (
            "SELECT abs(a, b) FROM demo",
            "validate function abs error: Expect 1 arguments but found 2.",
        ),
    ],
)
def test_plan_errors(ws: Workspace, sql: str, message: str) -> None:
    with pytest.raises(PlanError, match=re.escape(message)):
        ws.rule(sql)


def test_unknown_stream_and_field_say_did_you_mean(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM sensors (temperature FLOAT) WITH (DATASOURCE="s")')
    with pytest.raises(PlanError, match='stream sensor not found. Did you mean "sensors"'):
        ws.rule("SELECT a FROM sensor", auto_stream=False)
    with pytest.raises(
        PlanError, match='unknown field temprature in stream sensors. Did you mean "temperature"'
    ):
        ws.rule("SELECT temprature FROM sensors")


def test_simulation_is_deterministic(ws: Workspace) -> None:
    sql = "SELECT deviceId, temperature FROM sensors WHERE temperature > 28"
    a = ws.run(sql, ws.simulate(count=300, seed=3)).emissions
    b = ws.run(sql, ws.simulate(count=300, seed=3)).emissions
    c = ws.run(sql, ws.simulate(count=300, seed=4)).emissions
    assert a == b and a and a != c


def test_joining_two_streams_needs_a_window(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM s1 (id BIGINT) WITH (DATASOURCE="s1")')
    ws.create_stream('CREATE STREAM s2 (id BIGINT) WITH (DATASOURCE="s2")')
    with pytest.raises(
        PlanError, match="a time window or count window is required to join multiple streams"
    ):
        ws.rule("SELECT * FROM s1 INNER JOIN s2 ON s1.id = s2.id")


def test_unknown_qualified_field_in_a_join_says_did_you_mean(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM s1 (id BIGINT) WITH (DATASOURCE="s1")')
    ws.create_stream('CREATE TABLE t (id BIGINT, name STRING) WITH (DATASOURCE="t")')
    with pytest.raises(PlanError, match='unknown field nme in stream t. Did you mean "name"'):
        ws.rule("SELECT t.nme FROM s1 INNER JOIN t ON s1.id = t.id")


def test_aliases_bind_as_ekuipers_analyzer_does(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM t (a BIGINT, b BIGINT) WITH (DATASOURCE="t")')
    # a later field sees an earlier alias; an earlier field sees the column
    sql = "SELECT a + 1 AS b, b * 10 AS c, a * 100 AS d FROM t WHERE b > 5"
    assert ws.run(sql, [{"a": 5, "b": 0}, {"a": 1, "b": 9}]).rows == [{"b": 6, "c": 60, "d": 500}]


def test_jsonl_replay_uses_the_fast_path_and_keeps_errors(ws: Workspace, tmp_path: object) -> None:
    from pathlib import Path

    ws.create_stream('CREATE STREAM s (id BIGINT, t FLOAT) WITH (DATASOURCE="s")')
    path = Path(str(tmp_path)) / "in.jsonl"
    path.write_bytes(b'{"id": 1, "t": 60}\n\n{"id": "x", "t": 70}\n{"id": 2, "t": 5}\n')
    result = ws.run_jsonl("SELECT id, t FROM s WHERE t > 50", path)
    assert result.emissions == [[{"id": 1, "t": 60.0}]]
    assert [e.message for e in result.errors] == [
        "decode error: id has wrong type:string, expect:bigint"
    ]
    assert ws.rule("SELECT id, t FROM s WHERE t > 50").plan.fast is not None


def test_delimited_and_binary_streams(ws: Workspace) -> None:
    from kuiper_dev import Message

    ws.create_stream('CREATE STREAM d () WITH (DATASOURCE="d", FORMAT="delimited", DELIMITER="|")')
    msgs = [Message("d", b"a|1.5", 1), Message("d", b"skip|2", 2)]
    result = ws.run("SELECT col0 AS id, col1 AS reading FROM d WHERE col0 != 'skip'", msgs)
    assert result.rows == [{"id": "a", "reading": "1.5"}]
    ws.create_stream('CREATE STREAM img (pic BYTEA) WITH (DATASOURCE="img", FORMAT="binary")')
    result = ws.run("SELECT pic FROM img", [Message("img", b"\x00\xff", 1)])
    assert result.rows == [{"pic": b"\x00\xff"}]


def test_strict_validation_reports_missing_columns(ws: Workspace) -> None:
    ws.create_stream(
        'CREATE STREAM s (a BIGINT, b STRING) WITH (DATASOURCE="s", STRICT_VALIDATION="true")'
    )
    result = ws.run("SELECT a, b FROM s", [{"a": 1, "b": "x"}, {"a": 2}])
    assert result.rows == [{"a": 1, "b": "x"}]
    assert "field b is not found" in result.errors[0].message


def test_event_time_from_formatted_text(ws: Workspace) -> None:
    ws.create_stream(
        'CREATE STREAM e (id BIGINT, ts STRING) WITH (DATASOURCE="e", TIMESTAMP="ts", '
        'TIMESTAMP_FORMAT="yyyy-MM-dd HH:mm:ss")'
    )
    rows = [
        {"id": 1, "ts": "2023-11-14 22:13:20"},
        {"id": 2, "ts": "2023-11-14 22:13:21"},
        {"id": 3, "ts": "bad"},
    ]
    result = ws.run("SELECT id FROM e", rows, options={"isEventTime": True})
    assert result.rows == [{"id": 1}, {"id": 2}]  # each row raises the watermark to itself
    assert "cannot convert timestamp field ts" in result.errors[0].message


def test_group_keys_are_go_text_so_null_and_empty_differ(ws: Workspace) -> None:
    rows = [{"g": None, "v": 1}, {"g": "", "v": 2}, {"g": 1, "v": 3}, {"g": "1", "v": 4}]
    sql = "SELECT g, sum(v) AS s FROM d GROUP BY g, COUNTWINDOW(4)"
    result = ws.run(sql, rows)
    # 1 (a float in a schemaless stream) and "1" print alike, as Go's %v makes them one group
    assert sorted(result.emissions[0], key=lambda r: r["s"]) == [
        {"s": 1.0},
        {"g": "", "s": 2.0},
        {"g": 1.0, "s": 7.0},
    ]


def test_typed_stream_decodes_only_the_columns_a_rule_reads(ws: Workspace) -> None:
    # eKuiper's planner prunes the schema: a bad value in an unread column is no error
    ws.create_stream('CREATE STREAM p (a BIGINT, b BIGINT) WITH (DATASOURCE="p")')
    assert ws.run("SELECT a FROM p", [{"a": 1, "b": "not a number"}]).rows == [{"a": 1}]
    result = ws.run("SELECT * FROM p", [{"a": 1, "b": "not a number"}])
    assert (
        result.rows == [] and "b has wrong type:string, expect:bigint" in result.errors[0].message
    )


def test_in_over_no_array_is_false_and_not_in_true() -> None:
    out = Workspace().run("SELECT a IN b AS i, a NOT IN b AS n FROM s", [{"a": 1, "b": 5}])
    assert out.emissions == [[{"i": False, "n": True}]]


def test_a_float_index_is_truncated() -> None:
    out = Workspace().run("SELECT l[1.9] AS x, l[-1.5] AS y FROM s", [{"l": [1, 2, 3]}])
    assert out.emissions == [[{"x": 2.0, "y": 3.0}]]


def test_order_by_keeps_booleans_in_place_and_refuses_mixed_types() -> None:
    sql = "SELECT a FROM s GROUP BY COUNTWINDOW(3) ORDER BY a"
    ws = Workspace()
    rows = [{"a": True}, {"a": False}, {"a": True}]
    assert ws.run(sql, rows).emissions == [rows]
    mixed = ws.run(sql, [{"a": 1}, {"a": "x"}, {"a": 2}])
    assert mixed.emissions == []
    assert mixed.errors[0].message == (
        "run Order By error: incompatible types for comparison: float64 and string"
    )
