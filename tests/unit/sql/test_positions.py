"""Every node the parser builds knows where its first token is; nothing else changes.

Positions are 1-based (line, column) and stay out of equality, hashing, ``repr``
and match patterns, so trees compare as before and hand-built nodes still work.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kuiper_dev.errors import SqlError
from kuiper_dev.sql import ast, parse, render, walk
from kuiper_dev.sql.lexer import tokenize
from kuiper_dev.sql.tokens import Token
from tests.property.test_sql_roundtrip import create_streams, selects

CASES = Path(__file__).parent / "cases"

RULE = """SELECT deviceId,
       avg(temperature) AS t,
  CASE WHEN t > 30 THEN "hot" END AS level,
       payload.part[0]
FROM demo LEFT JOIN
     dev AS d ON demo.deviceId = d.id
WHERE t BETWEEN -5 AND 50
GROUP BY deviceId, TUMBLINGWINDOW(ss, 10)
ORDER BY t DESC"""


def _nodes(tree: object) -> list[ast.Node]:
    return [n for n in walk(tree) if isinstance(n, ast.Node)]


def _at(sql: str, pos: ast.Pos) -> str:
    line, column = pos
    return sql.splitlines()[line - 1][column - 1 :]


def test_positions_across_lines() -> None:
    stmt = parse(RULE)
    assert isinstance(stmt, ast.Select)
    assert stmt.pos == (1, 1)
    assert stmt.source_pos == (5, 6)
    avg = stmt.fields[1].expr
    assert isinstance(avg, ast.Call)
    assert avg.pos == (2, 8)
    assert avg.args[0].pos == (2, 12)
    case = stmt.fields[2].expr
    assert isinstance(case, ast.CaseExpr)
    assert (case.pos, case.whens[0].pos, case.whens[0].result.pos) == ((3, 3), (3, 8), (3, 25))
    join = stmt.joins[0]
    assert (join.pos, join.source_pos) == ((5, 11), (6, 6))
    assert join.on is not None and join.on.pos == (6, 18)
    where = stmt.where
    assert isinstance(where, ast.BinaryExpr) and isinstance(where.rhs, ast.BetweenExpr)
    assert (where.pos, where.rhs.pos, where.rhs.lower.pos) == ((7, 7), (7, 17), (7, 17))
    assert stmt.window is not None and stmt.window.pos == (8, 20)
    assert stmt.order_by[0].pos == (9, 10)


def test_a_dotted_json_path_keeps_both_places() -> None:
    # "payload" is no source, so payload.part reads as payload->part
    stmt = parse(RULE)
    assert isinstance(stmt, ast.Select)
    index = stmt.fields[3].expr
    assert isinstance(index, ast.IndexExpr) and isinstance(index.expr, ast.BinaryExpr)
    path = index.expr
    assert (path.op, path.pos, path.lhs.pos, path.rhs.pos) == ("->", (4, 8), (4, 8), (4, 16))
    assert index.index.pos == (4, 21)


def test_ddl_positions() -> None:
    stmt = parse('CREATE STREAM s (\n  a BIGINT,\n  b ARRAY(STRUCT(c FLOAT))\n) WITH (TYPE="mqtt")')
    assert isinstance(stmt, ast.CreateStream)
    a, b = stmt.columns
    assert (stmt.pos, a.pos, b.pos) == ((1, 1), (2, 3), (3, 3))
    assert b.items is not None and b.items.pos == (3, 11)
    assert b.items.fields[0].pos == (3, 18)
    for sql in ("DROP TABLE t", "DESCRIBE STREAM s", "EXPLAIN STREAM s", "SHOW STREAMS"):
        assert parse(sql).pos == (1, 1)


def test_positions_do_not_change_equality_hash_or_repr() -> None:
    one_line = parse("SELECT a + 1 AS b FROM s WHERE c = 2")
    spread = parse("SELECT\n  a\n  + 1 AS b\nFROM s\nWHERE c = 2")
    assert one_line == spread and hash(one_line) == hash(spread)
    assert repr(one_line) == repr(spread)
    assert [n.pos for n in _nodes(one_line)] != [n.pos for n in _nodes(spread)]
    assert parse(render(spread)) == spread


def test_nodes_built_by_hand_have_no_place() -> None:
    a, b = ast.FieldRef("a"), ast.BooleanLiteral(True)
    both = ast.BinaryExpr("AND", a, b)
    assert both.pos == ast.NOWHERE and both.pos.line == 0
    assert both == parse("SELECT a AND true FROM s").fields[0].expr  # type: ignore[union-attr]
    assert {both: 1}[ast.BinaryExpr("AND", a, b, pos=ast.Pos(3, 4))] == 1


def test_match_patterns_are_unchanged() -> None:
    assert ast.BinaryExpr.__match_args__ == ("op", "lhs", "rhs")
    assert ast.FieldRef.__match_args__ == ("name", "stream")
    expr = parse("SELECT s.x FROM s").fields[0].expr  # type: ignore[union-attr]
    match expr:
        case ast.FieldRef(name, stream):
            assert (name, stream) == ("x", "s")
        case _:
            pytest.fail(f"no match for {expr!r}")


def test_replace_keeps_the_place() -> None:
    ref = parse("SELECT\n  x FROM s").fields[0].expr  # type: ignore[union-attr]
    assert dataclasses.replace(ref, name="y").pos == (2, 3)


def _corpus() -> list[str]:
    sqls: list[str] = []
    for path in sorted(CASES.glob("*.yaml")):
        cases: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
        sqls += [c["sql"] for c in cases if "error" not in c]
    return sqls


def test_every_parsed_node_has_a_place() -> None:
    for sql in _corpus():
        try:
            stmt = parse(sql)
        except SqlError:
            continue  # refused for eKuiper's own reasons; the cases say which
        for node in _nodes(stmt):
            assert node.pos.line >= 1, (sql, node)


def _first_token(node: ast.Node) -> tuple[str, str]:
    if isinstance(node, ast.ColumnDef):
        return (node.name, "") if node.name else ("", node.type)
    if isinstance(node, ast.WhenClause):
        return ("WHEN", "")
    tok = tokenize(render(node))[0]
    return (tok.value, "")


def _spread(sql: str, breaks: list[bool]) -> str:
    """``sql`` with some of its blanks between tokens turned into line breaks."""
    tokens = tokenize(sql)
    out: list[str] = []
    for i, (tok, nxt) in enumerate(zip(tokens, tokens[1:], strict=False)):
        raw = sql[tok.offset : nxt.offset]
        text = raw.rstrip(" ")
        gap = raw[len(text) :]
        out.append(text + ("\n  " if gap and breaks[i % len(breaks)] else gap))
    return "".join(out)


def _token_at(tokens: list[Token], pos: ast.Pos) -> Token:
    return next(t for t in tokens if (t.line, t.column) == pos)


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(selects(max_fields=3, max_joins=1), create_streams(max_depth=2)),
    st.lists(st.booleans(), min_size=1, max_size=8),
)
def test_each_node_starts_where_its_first_token_is(tree: ast.Node, breaks: list[bool]) -> None:
    sql = _spread(render(tree), breaks)
    parsed = parse(sql)
    assert parsed == tree
    tokens = tokenize(sql)
    for node in _nodes(parsed):
        tok = _token_at(tokens, node.pos)
        name, type_name = _first_token(node)
        if type_name:
            assert tok.value.lower() == type_name, (sql, node)
        else:
            assert tok.value == name, (sql, node)
