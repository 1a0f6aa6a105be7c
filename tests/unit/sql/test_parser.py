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


def test_errors_carry_ekuiper_wording_and_position() -> None:
    # the full table is cases/errors.yaml; this pins the rendering of one
    with pytest.raises(SqlError) as info:
        parse("SELECT a,\n  FROM demo")
    err = info.value
    assert err.message == 'found "FROM", expected expression.'
    assert (err.line, err.column) == (2, 3)
    assert str(err).endswith("\n      FROM demo\n      ^")


def test_unterminated_string_reports_its_start() -> None:
    with pytest.raises(SqlError) as info:
        parse("SELECT 'abc FROM demo")
    assert (info.value.line, info.value.column) == (1, 8)


def test_former_unsupported_clauses_now_parse() -> None:
    stmt = parse_select(
        "SELECT a, CASE WHEN b > 1 THEN 1 ELSE 0 END AS c FROM s1 AS x INNER JOIN s2 ON x.k = s2.k "
        "GROUP BY a, TUMBLINGWINDOW(ss, 10) HAVING count(*) > 1 ORDER BY a DESC LIMIT 5"
    )
    assert stmt.group_by == (ast.FieldRef("a"),)
    assert stmt.window is not None and (stmt.window.kind, stmt.window.unit) == ("tumbling", "SS")
    assert stmt.joins[0].kind == "INNER" and stmt.order_by[0].ascending is False
    assert stmt.limit == 5
    column = parse_stream(
        'CREATE STREAM s (a ARRAY(STRUCT(b BIGINT))) WITH (DATASOURCE="t")'
    ).columns[0]
    assert column.items == ast.ColumnDef("", "struct", fields=(ast.ColumnDef("b", "bigint"),))


def test_parse_select_and_parse_stream_refuse_other_statements() -> None:
    with pytest.raises(SqlError, match="expected a SELECT statement, got DropStream"):
        parse_select("DROP STREAM s")
    with pytest.raises(SqlError, match="expected a CREATE STREAM or CREATE TABLE"):
        parse_stream("SELECT a FROM s")


def test_render_round_trip_examples() -> None:
    for sql in [
        "SELECT a, b * (c + 1) AS d FROM demo WHERE a != 'x' OR b NOT BETWEEN 1 AND 2",
        'CREATE STREAM demo (a BIGINT) WITH (DATASOURCE="t", FORMAT="json")',
        'SELECT `select`, demo.a, f(1.5, -2, true, "q") FROM demo AS s WHERE a IN (1, 2)',
    ]:
        tree = parse(sql)
        assert parse(render(tree)) == tree
