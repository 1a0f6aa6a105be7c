"""Recursive-descent parser for eKuiper SQL: one ``_parse_<construct>`` per rule.

The grammar is split by stage: expressions (``parser_expr``), SELECT
(``parser_select``) and stream DDL (``parser_ddl``). Error messages keep
eKuiper's wording (``found "X", expected Y.``) and add the line, column and a
caret under the offending token. Only :class:`~kuiper_dev.errors.SqlError`
leaves this module, whatever the text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..errors import SqlError
from . import ast
from .lexer import tokenize
from .parser_ddl import DdlParser
from .parser_select import SelectParser
from .tokens import T

__all__ = ["parse", "parse_expr", "parse_select", "parse_stream", "split_statements"]

R = TypeVar("R")
_STATEMENTS = "SELECT, CREATE, DROP, SHOW, DESCRIBE or EXPLAIN"


class _Parser(SelectParser, DdlParser):
    def parse_statement(self) -> ast.Statement:
        tok = self.tok
        if tok.is_keyword("SELECT"):
            return self._parse_select()
        if tok.is_word("CREATE"):
            return self._parse_create()
        if tok.is_word("DROP"):
            return self._parse_drop()
        if tok.is_word("SHOW"):
            return self._parse_show()
        if tok.is_word("DESCRIBE"):
            return self._parse_describe()
        if tok.is_word("EXPLAIN"):
            return self._parse_explain()
        raise self._found(_STATEMENTS)

    def parse_lone_expr(self) -> ast.Expr:
        expr = self._parse_expr()
        self._expect_end()
        return expr


def _guarded(sql: str, run: Callable[[_Parser], R]) -> R:
    try:
        return run(_Parser(sql))
    except RecursionError:
        raise SqlError(
            "the statement nests too deeply to parse; split the expression", sql=sql
        ) from None


def parse(sql: str) -> ast.Statement:
    """Parse one statement: SELECT, CREATE/DROP/DESCRIBE/EXPLAIN STREAM|TABLE, SHOW.

    >>> parse("SELECT a FROM demo").source
    'demo'
    >>> parse("DROP TABLE t")
    DropStream(name='t', kind='table')
    """
    return _guarded(sql, _Parser.parse_statement)


def parse_select(sql: str) -> ast.Select:
    """Parse a rule's SELECT statement."""
    stmt = parse(sql)
    if not isinstance(stmt, ast.Select):
        raise SqlError(f"expected a SELECT statement, got {type(stmt).__name__}", sql=sql)
    return stmt


def parse_stream(sql: str) -> ast.CreateStream:
    """Parse a ``CREATE STREAM`` or ``CREATE TABLE`` statement."""
    stmt = parse(sql)
    if not isinstance(stmt, ast.CreateStream):
        raise SqlError(
            f"expected a CREATE STREAM or CREATE TABLE statement, got {type(stmt).__name__}",
            sql=sql,
        )
    return stmt


def parse_expr(sql: str) -> ast.Expr:
    """Parse a lone expression; ``a.b`` stays ``FieldRef("b", stream="a")`` (no sources known).

    >>> parse_expr("a.b->c[0]").expr.lhs
    FieldRef(name='b', stream='a')
    """
    return _guarded(sql, _Parser.parse_lone_expr)


def split_statements(text: str) -> list[str]:
    """The statements of a script, cut at top-level ``;`` (not inside strings or comments).

    >>> split_statements('CREATE STREAM s () WITH (DATASOURCE="a;b"); SELECT * FROM s')
    ['CREATE STREAM s () WITH (DATASOURCE="a;b")', 'SELECT * FROM s']
    """
    parts: list[str] = []
    start = 0
    for tok in tokenize(text):
        if tok.kind is T.SEMICOLON or tok.kind is T.EOF:
            piece = text[start : tok.offset].strip()
            if piece:
                parts.append(piece)
            start = tok.offset + 1
    return parts
