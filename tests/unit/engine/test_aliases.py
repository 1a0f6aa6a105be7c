"""Alias binding as eKuiper's analyzer and project operator give it (engine/aliases.py)."""

from __future__ import annotations

import orjson
import pytest

from kuiper_dev import Workspace
from kuiper_dev._types import Message
from kuiper_dev.engine.aliases import bind_aliases
from kuiper_dev.sql import parse_select


def msg(topic: str, row: dict[str, object], ts: int) -> Message:
    return Message(topic, orjson.dumps(row), ts)


ROWS = [{"a": 1, "size": 10}, {"a": 2, "size": 3}]


def run(sql: str, rows: list[dict[str, object]] = ROWS, *, ddl: str | None = None) -> list[object]:
    ws = Workspace()
    if ddl:
        ws.create_stream(ddl)
    return ws.run(sql, rows).emissions


@pytest.mark.parametrize(
    ("sql", "first"),
    [
        # a plain column alias binds a name used before it...
        ("SELECT a + 1 AS b, size AS a FROM s", {"b": 11.0, "a": 10.0}),
        # ...a computed one does not: the column is read
        ("SELECT a + 1 AS b, size * 2 AS a FROM s", {"b": 2.0, "a": 20.0}),
        # after the alias: a computed alias binds everywhere
        ("SELECT size * 2 AS a, a + 1 AS b FROM s", {"a": 20.0, "b": 21.0}),
        ("SELECT size * 2 AS a, a + 1 FROM s", {"a": 20.0, "kuiper_field_0": 21.0}),
        # a plain alias binds aliased fields after it, but unaliased expressions run
        # before any alias in eKuiper's project operator and read the column
        ("SELECT size AS a, a + 1 AS b FROM s", {"a": 10.0, "b": 11.0}),
        ("SELECT size AS a, a + 1 FROM s", {"a": 10.0, "kuiper_field_0": 2.0}),
        # inside the alias's own expression the column wins
        ("SELECT a * 3 AS a FROM s", {"a": 3.0}),
    ],
)
def test_select_fields_bind_aliases_by_place_and_kind(sql: str, first: dict[str, float]) -> None:
    assert run(sql)[0] == [first]


def test_the_column_wins_inside_an_analytic_alias() -> None:
    assert run("SELECT lag(a) AS a FROM s") == [[{}], [{"a": 1.0}]]


def test_where_and_having_see_every_alias() -> None:
    assert run("SELECT size AS a FROM s WHERE a > 5") == [[{"a": 10.0}]]
    assert run("SELECT size * 2 AS a, a AS c FROM s WHERE c > 10") == [[{"a": 20.0, "c": 20.0}]]


def test_an_alias_in_where_keeps_the_bindings_of_its_field() -> None:
    # b is a + 1 where a (bound later to size) is the plain alias: b = size + 1
    assert run("SELECT a + 1 AS b, size AS a FROM s WHERE b > 5") == [[{"b": 11.0, "a": 10.0}]]


def test_typed_streams_order_aliases_by_depth_then_name() -> None:
    ddl = 'CREATE STREAM s (a BIGINT, size BIGINT) WITH (DATASOURCE="s", FORMAT="json")'
    # schemaless: b reads the column a; typed: eKuiper sorts a (depth 0) before b
    # (depth 0, later name), so b's `a` follows the computed alias
    assert run("SELECT a + 1 AS b, size * 2 AS a FROM s", ddl=ddl)[0] == [{"b": 21, "a": 20}]


def test_join_conditions_may_name_aliases() -> None:
    ws = Workspace()
    ws.create_stream('CREATE STREAM s (ts BIGINT, v FLOAT) WITH (DATASOURCE="s", FORMAT="json")')
    ws.create_stream('CREATE TABLE tb (id BIGINT, name STRING) WITH (DATASOURCE="tb", FORMAT="json")')
    result = ws.run(
        "SELECT s.ts AS t1, tb.id AS t2, name FROM tb INNER JOIN s ON t1 = t2",
        {
            "tb": [msg("tb", {"id": 7, "name": "seven"}, 1000)],
            "s": [msg("s", {"ts": 7, "v": 1.0}, 1500), msg("s", {"ts": 8, "v": 2.0}, 1600)],
        },
    )
    assert result.emissions == [[{"t1": 7, "t2": 7, "name": "seven"}]]


def test_bindings_per_field() -> None:
    fields = parse_select("SELECT a + 1 AS b, size AS a, a * 2 AS c, a - 1 FROM s").fields
    bound = bind_aliases(fields, typed=False)
    assert [sorted(m) for m in bound.fields] == [["a"], ["b"], ["a", "b"], ["b", "c"]]
    assert sorted(bound.scopes["b"]) == ["a"]


def test_a_row_failing_in_several_fields_reports_eKuipers_first() -> None:
    # eKuiper computes unaliased expressions before aliases: the second field's error shows
    result = Workspace().run("SELECT a / 0 AS x, size / 0 FROM s", ROWS[:1])
    assert result.emissions == []
    assert "expr: size / 0" in result.errors[0].message
