from __future__ import annotations

import pytest

from kuiper_dev.errors import SqlError
from kuiper_dev.sql import ast, parse, parse_expr, parse_select, parse_stream, render


def test_select_fields_aliases_and_default_names() -> None:
    stmt = parse_select("SELECT a, b * 2 AS c, upper(d), e + 1, f - 1 FROM demo WHERE a > 1")
    assert [f.name for f in stmt.fields] == ["a", "c", "upper", "kuiper_field_0", "kuiper_field_1"]
    assert stmt.source == "demo"
    assert stmt.where == ast.BinaryExpr(">", ast.FieldRef("a"), ast.IntegerLiteral(1))


def test_precedence_follows_ekuiper() -> None:
    expr = parse_expr("a + b * c > 1 AND d OR e")
    assert expr == ast.BinaryExpr(
        "OR",
        ast.BinaryExpr(
            "AND",
            ast.BinaryExpr(
                ">",
                ast.BinaryExpr(
                    "+",
                    ast.FieldRef("a"),
                    ast.BinaryExpr("*", ast.FieldRef("b"), ast.FieldRef("c")),
                ),
                ast.IntegerLiteral(1),
            ),
            ast.FieldRef("d"),
        ),
        ast.FieldRef("e"),
    )


def test_subtraction_is_left_associative() -> None:
    assert parse_expr("a - b - c") == ast.BinaryExpr(
        "-", ast.BinaryExpr("-", ast.FieldRef("a"), ast.FieldRef("b")), ast.FieldRef("c")
    )


def test_literals_and_strings() -> None:
    assert parse_expr("1") == ast.IntegerLiteral(1)
    assert parse_expr("1.5") == ast.NumberLiteral(1.5)
    assert parse_expr(".5") == ast.NumberLiteral(0.5)
    assert parse_expr("a * -2") == ast.BinaryExpr("*", ast.FieldRef("a"), ast.IntegerLiteral(-2))
    assert parse_expr('"a\\"b"') == ast.StringLiteral('a"b')
    assert parse_expr("'it\\'s'") == ast.StringLiteral("it's")
    assert parse_expr("true") == ast.BooleanLiteral(True)
    assert parse_expr("`my field`") == ast.FieldRef("my field")
    assert parse_expr("demo.a") == ast.FieldRef("a", stream="demo")


def test_not_forms_and_sets() -> None:
    assert parse_expr("a NOT IN (1, 2)").op == "NOT IN"  # type: ignore[union-attr]
    between = parse_expr("a BETWEEN 1 AND 3 AND b")
    assert isinstance(between, ast.BinaryExpr) and between.op == "AND"
    assert parse_expr("a not like 'x%'").op == "NOT LIKE"  # type: ignore[union-attr]


def test_comments_are_skipped() -> None:
    stmt = parse_select("SELECT a -- the field\nFROM /* stream */ demo")
    assert stmt.source == "demo"


def test_create_stream_typed_and_schemaless() -> None:
    s = parse_stream(
        'CREATE STREAM demo (a BIGINT, b float) WITH (DATASOURCE="t/#", FORMAT="JSON", TIMESTAMP="ts")'
    )
    assert s.columns == (ast.ColumnDef("a", "bigint"), ast.ColumnDef("b", "float"))
    assert s.option("datasource") == "t/#" and s.option("timestamp") == "ts"
    assert parse_stream('CREATE STREAM demo () WITH (DATASOURCE="x")').columns == ()
    assert parse_stream('CREATE TABLE t (a STRING) WITH (TYPE="file")').kind == "table"


@pytest.mark.parametrize(
    ("sql", "message", "line", "column"),
    [
        ("SELECT a,\n  FROM demo", 'found "FROM", expected expression.', 2, 3),
        ("SELECT a FROM demo WHERE", 'found "EOF", expected expression.', 1, 25),
        ("SELECT a FROM", 'found "EOF", expected stream name.', 1, 14),
        ("SELECT a FROM demo x y", 'found "y", expected EOF.', 1, 22),
        ("SELECT (a FROM demo", 'found "FROM", expected right paren.', 1, 11),
        ("CREATE STREAM demo (a INTEGER) WITH ()", 'found "INTEGER", expected a data type', 1, 23),
        ("SELECT f(a b) FROM demo", 'found function call "f", expected ), but with "b".', 1, 12),
        ("SELECT * AS x FROM demo", "alias is not supported for *", 1, 8),
        ("DELETE FROM demo", 'found "DELETE", expected SELECT or CREATE.', 1, 1),
    ],
)
def test_errors_carry_ekuiper_wording_and_position(
    sql: str, message: str, line: int, column: int
) -> None:
    with pytest.raises(SqlError) as info:
        parse(sql)
    err = info.value
    assert err.message.startswith(message)
    assert (err.line, err.column) == (line, column)
    assert "^" in str(err)


def test_unterminated_string_reports_its_start() -> None:
    with pytest.raises(SqlError) as info:
        parse("SELECT 'abc FROM demo")
    assert (info.value.line, info.value.column) == (1, 8)


def test_unsupported_clause_is_named() -> None:
    with pytest.raises(SqlError, match='"GROUP" is valid eKuiper SQL'):
        parse("SELECT a FROM demo GROUP BY a")


def test_render_round_trip_examples() -> None:
    for sql in [
        "SELECT a, b * (c + 1) AS d FROM demo WHERE a != 'x' OR b NOT BETWEEN 1 AND 2",
        'CREATE STREAM demo (a BIGINT) WITH (DATASOURCE="t", FORMAT="json")',
        'SELECT `select`, demo.a, f(1.5, -2, true, "q") FROM demo AS s WHERE a IN (1, 2)',
    ]:
        tree = parse(sql)
        assert parse(render(tree)) == tree
