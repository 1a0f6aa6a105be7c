"""Plan errors point into the rule's text as parse errors do: line, column, caret.

The planner raises them with the node they are about; ``Workspace.rule``, which
has the SQL, attaches the text.
"""

from __future__ import annotations

import pytest

from kuiper_dev import PlanError, SqlError, Workspace


def _caret(err: SqlError) -> tuple[str, str]:
    """The quoted line and the caret line of a message, caret placed as the text reads."""
    lines = str(err).splitlines()
    assert lines[-3] == f"  at line {err.line}, column {err.column}:"
    return lines[-2].removeprefix("    "), lines[-1].removeprefix("    ")


def _under(err: SqlError) -> str:
    text, caret = _caret(err)
    assert caret.strip() == "^"
    return text[caret.index("^") :]


def test_unknown_function_from_the_brief() -> None:
    with pytest.raises(PlanError) as info:
        Workspace(plugins_dir=None).run("SELECT nosuch(a) FROM s", [{"a": 1}])
    err = info.value
    assert str(err).startswith("function nosuch not found.")
    assert (err.line, err.column) == (1, 8)
    assert _caret(err) == ("SELECT nosuch(a) FROM s", "       ^")


def test_unknown_field_in_a_typed_stream() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM t (temperature FLOAT) WITH (DATASOURCE="t")')
    with pytest.raises(PlanError) as info:
        ws.run("SELECT temperature\nFROM t\nWHERE temprature > 20", [{"temperature": 1}])
    err = info.value
    assert str(err).startswith('unknown field temprature in stream t. Did you mean "temperature"?')
    assert (err.line, err.column) == (3, 7)
    assert _under(err).startswith("temprature > 20")


@pytest.mark.parametrize(
    ("sql", "message", "at", "under"),
    [
        (
            "SELECT a,\n       upper(b, c)\nFROM demo",
            "validate function upper error: Expect 1 arguments but found 2.",
            (2, 8),
            "upper(b, c)",
        ),
        (
            "SELECT abs('x') AS v FROM demo",
            "validate function abs error: Expect number - float or int type for parameter 1",
            (1, 8),
            "abs('x') AS v FROM demo",
        ),
        (
            "SELECT a FROM demo WHERE\n  lenght(a) > 1",
            'function lenght not found. Did you mean "length"?',
            (2, 3),
            "lenght(a) > 1",
        ),
    ],
)
def test_function_errors_point_at_the_call(
    ws: Workspace, sql: str, message: str, at: tuple[int, int], under: str
) -> None:
    with pytest.raises(PlanError) as info:
        ws.rule(sql)
    err = info.value
    assert err.message.startswith(message)
    assert (err.line, err.column) == at
    assert _under(err) == under


def test_unknown_streams_point_at_their_names(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM sensors (id BIGINT) WITH (DATASOURCE="s")')
    with pytest.raises(PlanError) as info:
        ws.rule("SELECT id\n  FROM sensor", auto_stream=False)
    assert info.value.message.startswith('stream sensor not found. Did you mean "sensors"?')
    assert (info.value.line, info.value.column) == (2, 8)
    with pytest.raises(PlanError) as info:
        ws.rule(
            "SELECT * FROM sensors LEFT JOIN lookup ON sensors.id = lookup.id "
            "GROUP BY TUMBLINGWINDOW(ss, 1)"
        )
    assert info.value.message.startswith("stream lookup not found.")
    assert _under(info.value).startswith("lookup ON")


def test_unknown_field_of_a_joined_stream(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM s1 (id BIGINT) WITH (DATASOURCE="s1")')
    ws.create_stream('CREATE TABLE t (id BIGINT, name STRING) WITH (DATASOURCE="t")')
    with pytest.raises(PlanError) as info:
        ws.rule("SELECT s1.id,\n  t.nme\nFROM s1 INNER JOIN t ON s1.id = t.id")
    assert (info.value.line, info.value.column) == (2, 3)
    assert _under(info.value) == "t.nme"


def test_errors_without_a_node_read_as_before(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM s1 (id BIGINT) WITH (DATASOURCE="s1")')
    ws.create_stream('CREATE STREAM s2 (id BIGINT) WITH (DATASOURCE="s2")')
    with pytest.raises(PlanError) as info:
        ws.rule("SELECT * FROM s1 INNER JOIN s2 ON s1.id = s2.id")
    assert str(info.value) == "a time window or count window is required to join multiple streams"


def test_ipython_shows_the_caret(ws: Workspace) -> None:
    with pytest.raises(PlanError) as info:
        ws.rule("SELECT nosuch(a) FROM s")
    shown = info.value._render_traceback_()
    assert shown[0].startswith("PlanError: function nosuch not found.")
    assert shown[0].endswith("SELECT nosuch(a) FROM s\n           ^")
