"""SELECT statements (``internal/xsql/parser.go`` ``Parse``, ``sqlValidator.go``).

Clauses come in eKuiper's fixed order: fields, FROM, joins, WHERE, GROUP BY
(dimensions and one window), HAVING, ORDER BY, LIMIT. After parsing, ``a.b``
whose ``a`` is not a source name or alias becomes the JSON path ``a->b``, as
eKuiper's ``validateFields`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from . import ast
from ._funcs import WINDOW_FUNCS, is_window_call
from ._tree import transform, walk
from .parser_expr import ExprParser
from .tokens import T, quote

__all__ = ["SelectParser"]

_JOIN_KINDS = ("INNER", "LEFT", "RIGHT", "FULL", "CROSS")
_SOURCE_OPS = ("/", "#", "+")


def _resolve(
    sources: frozenset[str], after_dot: Callable[[ast.Pos], ast.Pos]
) -> Callable[[object], object]:
    """eKuiper's validateFields: ``a.b`` with ``a`` no source name is ``a->b``.

    ``after_dot`` gives the place of ``b`` from the place of ``a``.
    """

    def fix(node: object) -> object:
        if isinstance(node, ast.FieldRef | ast.Wildcard) and node.stream is not None:
            if node.stream not in sources:
                key = node.name if isinstance(node, ast.FieldRef) else "*"
                return ast.BinaryExpr(
                    "->",
                    ast.FieldRef(node.stream, pos=node.pos),
                    ast.JsonFieldRef(key, pos=after_dot(node.pos)),
                    pos=node.pos,
                )
        return node

    return fix


class SelectParser(ExprParser):
    """A rule's SELECT; the clause being parsed is tracked for clause-bound functions."""

    def _parse_select(self) -> ast.Select:
        at = self._pos(self._expect_keyword("SELECT"))
        self.clause = "select"
        fields = [self._parse_field()]
        while self._at(T.COMMA):
            self._next()
            fields.append(self._parse_field())
        self.clause = "from"
        if not self.tok.is_keyword("FROM"):
            raise self._found("FROM")
        self._next()
        source_pos = self._pos(self.tok)
        source, alias = self._parse_source()
        self.clause = "join"
        joins = self._parse_joins()
        self.clause = "where"
        where = None
        if self.tok.is_keyword("WHERE"):
            self._next()
            where = self._parse_expr()
        self.clause = "groupby"
        group_by, window = self._parse_group_by()
        self.clause = "having"
        having = None
        if self.tok.is_keyword("HAVING"):
            self._next()
            having = self._parse_expr()
        self.clause = "orderby"
        order_by = self._parse_order_by()
        self.clause = "limit"
        limit = self._parse_limit()
        self.clause = ""
        self._expect_end()
        stmt = ast.Select(
            tuple(fields),
            source,
            alias,
            where,
            joins,
            group_by,
            window,
            having,
            order_by,
            limit,
            pos=at,
            source_pos=source_pos,
        )
        self._check_window_functions(stmt)
        names = {source, *(j.source for j in joins)}
        names |= {a for a in (alias, *(j.alias for j in joins)) if a}
        return transform(stmt, _resolve(frozenset(names), self._after_dot))

    def _after_dot(self, at: ast.Pos) -> ast.Pos:
        # ``b`` of ``a.b`` is two tokens after ``a``; only JSON paths written with
        # a dot ask, so a scan beats keeping an index of every token
        for i, tok in enumerate(self.tokens[:-2]):
            if (tok.line, tok.column) == at:
                return self._pos(self.tokens[i + 2])
        return at

    def _parse_source(self) -> tuple[str, str | None]:
        """A stream name, which may be an MQTT-like topic (``topic/+/temp``, ``a/#``).

        eKuiper glues every name, ``/``, ``#`` and ``+`` token that follows into
        one name, blanks or not: ``FROM demo d`` is the stream ``demod``; only
        ``AS`` introduces an alias.
        """
        start = self.tok
        parts: list[str] = []
        alias = None
        while self._at(T.IDENT) or self._at_op(*_SOURCE_OPS):
            parts.append(self._next().value)
            if self.tok.is_keyword("AS"):
                self._next()
                if not self._at(T.IDENT):
                    raise self._error(f"found {quote(parts[-1])}, expected JOIN key word.")
                alias = self._next().value
        if not parts:
            raise self._found("stream name", start)
        return "".join(parts), alias

    def _parse_joins(self) -> tuple[ast.Join, ...]:
        joins: list[ast.Join] = []
        while self.tok.is_keyword(*_JOIN_KINDS):
            kind_tok = self._next()
            at = self._pos(kind_tok)
            if not self.tok.is_keyword("JOIN"):
                raise self._error(
                    f"found {quote(kind_tok.describe())}, expected JOIN key word.", self.tok
                )
            self._next()
            kind = cast(ast.JoinKind, kind_tok.value.upper())
            source_pos = self._pos(self.tok)
            source, alias = self._parse_source()
            on = None
            if self.tok.is_keyword("ON"):
                if kind == "CROSS":
                    raise self._error("On expression is not required for cross join type.")
                self._next()
                on = self._parse_expr()
            joins.append(ast.Join(kind, source, alias, on, pos=at, source_pos=source_pos))
        return tuple(joins)

    def _parse_group_by(self) -> tuple[tuple[ast.Expr, ...], ast.Window | None]:
        if not self.tok.is_keyword("GROUP"):
            return (), None
        self._next()
        if not self.tok.is_keyword("BY"):
            raise self._found("BY statement")
        self._next()
        dims: list[ast.Expr] = []
        window: ast.Window | None = None
        while True:
            tok = self.tok
            if tok.kind is T.IDENT and self._peek().kind is T.LPAREN and is_window_call(tok.value):
                self._next()
                found = self._parse_call(tok)
                assert isinstance(found, ast.Window)  # is_window_call said so
                if window is not None:
                    raise self._error(
                        "a GROUP BY clause takes one window; remove all windows but one", tok
                    )
                window = found
            else:
                dims.append(self._parse_expr())
            if not self._at(T.COMMA):
                return tuple(dims), window
            self._next()

    def _parse_limit(self) -> int | None:
        if not self.tok.is_keyword("LIMIT"):
            return None
        self._next()
        start = self.tok
        expr = self._parse_expr()
        if not isinstance(expr, ast.IntegerLiteral):
            raise self._error("limit should be integer", start)
        return expr.value

    def _check_window_functions(self, stmt: ast.Select) -> None:
        # eKuiper's validateWindowFunction: row_number() only in the SELECT list
        rest = (stmt.joins, stmt.where, stmt.group_by, stmt.window, stmt.having, stmt.order_by)
        parts = [p for part in rest for p in (part if isinstance(part, tuple) else (part,))]
        for node in (n for part in parts for n in walk(part)):
            if isinstance(node, ast.Call) and node.name.lower() in WINDOW_FUNCS:
                raise self._error("window functions can only be in select fields", self.tokens[0])
