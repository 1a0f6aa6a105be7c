"""Recursive-descent parser for eKuiper SQL: one ``_parse_<construct>`` per rule.

Error messages keep eKuiper's wording (``found "X", expected Y.``) and add the
line, column and a caret under the offending token.
"""

from __future__ import annotations

from ..errors import SqlError
from . import ast
from .lexer import tokenize
from .tokens import PRECEDENCE, T, Token
from .types import SIMPLE_TYPES

__all__ = ["parse", "parse_expr", "parse_select", "parse_stream"]

_UNSUPPORTED_CLAUSES = (
    "GROUP",
    "HAVING",
    "ORDER",
    "LIMIT",
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "CROSS",
)
_FIELD_PREFIX = "kuiper_field_"


def parse(sql: str) -> ast.Statement:
    """Parse one statement: a SELECT or a CREATE STREAM/TABLE.

    >>> parse("SELECT a FROM demo").source
    'demo'
    """
    return _Parser(sql).parse_statement()


def parse_select(sql: str) -> ast.Select:
    """Parse a rule's SELECT statement."""
    stmt = parse(sql)
    if not isinstance(stmt, ast.Select):
        raise SqlError(f"expected a SELECT statement, got CREATE {stmt.kind.upper()}", sql=sql)
    return stmt


def parse_stream(sql: str) -> ast.CreateStream:
    """Parse a ``CREATE STREAM`` or ``CREATE TABLE`` statement."""
    stmt = parse(sql)
    if not isinstance(stmt, ast.CreateStream):
        raise SqlError("expected a CREATE STREAM or CREATE TABLE statement, got SELECT", sql=sql)
    return stmt


def parse_expr(sql: str) -> ast.Expr:
    """Parse a lone expression (used by tests and the renderer's round trip)."""
    p = _Parser(sql)
    expr = p._parse_expr()
    p._expect_end()
    return expr


class _Parser:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = tokenize(sql)
        self.i = 0
        self.unnamed = 0

    # -- token helpers -------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _at(self, kind: T) -> bool:
        # a method, not ``self.tok.kind is …``: mypy would narrow the property for good
        return self.tok.kind is kind

    def _next(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind is not T.EOF:
            self.i += 1
        return tok

    def _error(self, message: str, tok: Token | None = None) -> SqlError:
        tok = tok or self.tok
        return SqlError(message, sql=self.sql, line=tok.line, column=tok.column)

    def _found(self, expected: str, tok: Token | None = None) -> SqlError:
        tok = tok or self.tok
        return self._error(f'found "{tok.describe()}", expected {expected}.', tok)

    def _expect_keyword(self, word: str) -> Token:
        if not self.tok.is_keyword(word):
            raise self._found(word)
        return self._next()

    def _expect(self, kind: T, expected: str) -> Token:
        if self.tok.kind is not kind:
            raise self._found(expected)
        return self._next()

    def _expect_end(self) -> None:
        if self._at(T.SEMICOLON):
            self._next()
        if not self._at(T.EOF):
            raise self._found("EOF")

    # -- statements ----------------------------------------------------------------
    def parse_statement(self) -> ast.Statement:
        if self.tok.is_keyword("SELECT"):
            return self._parse_select()
        if self.tok.is_keyword("CREATE"):
            return self._parse_create()
        raise self._found("SELECT or CREATE")

    def _parse_select(self) -> ast.Select:
        self._expect_keyword("SELECT")
        fields = [self._parse_field()]
        while self._at(T.COMMA):
            self._next()
            fields.append(self._parse_field())
        self._expect_keyword("FROM")
        source = self._expect(T.IDENT, "stream name").value
        alias = None
        if self.tok.is_keyword("AS"):
            self._next()
            alias = self._expect(T.IDENT, "as alias").value
        elif self._at(T.IDENT):
            alias = self._next().value
        where = None
        if self.tok.is_keyword("WHERE"):
            self._next()
            where = self._parse_expr()
        if self.tok.is_keyword(*_UNSUPPORTED_CLAUSES):
            raise self._error(
                f'"{self.tok.value.upper()}" is valid eKuiper SQL that kuiper_dev does not run yet; '
                "remove it or run the rule on a real eKuiper"
            )
        self._expect_end()
        return ast.Select(tuple(fields), source, alias, where)

    def _parse_field(self) -> ast.Field:
        start = self.tok
        expr = self._parse_expr()
        alias = None
        if self.tok.is_keyword("AS"):
            self._next()
            alias = self._expect(T.IDENT, "as alias").value
            if isinstance(expr, ast.Wildcard):
                raise self._error("alias is not supported for *", start)
        if alias:
            name = alias
        elif isinstance(expr, ast.FieldRef | ast.Call):
            name = expr.name
        elif isinstance(expr, ast.Wildcard):
            name = "*"
        else:
            name = f"{_FIELD_PREFIX}{self.unnamed}"
            self.unnamed += 1
        return ast.Field(expr, name, alias)

    def _parse_create(self) -> ast.CreateStream:
        self._expect_keyword("CREATE")
        kind_tok = self._next()
        if not kind_tok.is_keyword("STREAM", "TABLE"):
            raise self._found("keyword stream or table", kind_tok)
        name = self._expect(T.IDENT, "stream name").value
        self._expect(T.LPAREN, "(")
        columns: list[ast.ColumnDef] = []
        while not self._at(T.RPAREN):
            columns.append(self._parse_column())
            if self._at(T.COMMA):
                self._next()
            elif not self._at(T.RPAREN):
                raise self._found(", or )")
        self._next()
        options: list[tuple[str, str]] = []
        if self.tok.is_keyword("WITH"):
            self._next()
            self._expect(T.LPAREN, "(")
            while not self._at(T.RPAREN):
                key = self._next()
                if key.kind not in (T.IDENT, T.KEYWORD):
                    raise self._found("property name", key)
                if not (self._at(T.OP) and self.tok.value == "="):
                    raise self._found("=")
                self._next()
                value = self._next()
                if value.kind not in (T.STRING, T.INTEGER, T.NUMBER) and not value.is_keyword(
                    "TRUE", "FALSE"
                ):
                    raise self._found("a quoted property value", value)
                options.append((key.value.upper(), value.value))
                if self._at(T.COMMA):
                    self._next()
                elif not self._at(T.RPAREN):
                    raise self._found(", or )")
            self._next()
        self._expect_end()
        return ast.CreateStream(name, tuple(columns), tuple(options), kind_tok.value.lower())

    def _parse_column(self) -> ast.ColumnDef:
        name_tok = self._next()
        if name_tok.kind not in (T.IDENT, T.KEYWORD):
            raise self._found("column name", name_tok)
        type_tok = self._next()
        type_name = type_tok.value.lower()
        if type_name in ("array", "struct"):
            raise self._error(
                f"column type {type_name.upper()} is valid eKuiper DDL that kuiper_dev does not "
                "decode yet; declare the column without a type (schemaless) for now",
                type_tok,
            )
        if type_name not in SIMPLE_TYPES:
            raise self._found(
                "a data type (BIGINT, FLOAT, STRING, DATETIME, BOOLEAN, BYTEA, ARRAY, STRUCT)",
                type_tok,
            )
        return ast.ColumnDef(name_tok.value, type_name)

    # -- expressions ---------------------------------------------------------------
    def _binary_op(self) -> str | None:
        tok = self.tok
        if tok.kind is T.OP and tok.value in PRECEDENCE:
            return tok.value
        if tok.kind is T.KEYWORD:
            word = tok.value.upper()
            if word in ("AND", "OR", "IN", "BETWEEN", "LIKE"):
                return word
            if word == "NOT":
                nxt = self.tokens[self.i + 1]
                if nxt.is_keyword("IN", "BETWEEN", "LIKE"):
                    return "NOT " + nxt.value.upper()
                raise self._found("IN, BETWEEN or LIKE after NOT", nxt)
        return None

    def _parse_expr(self, min_prec: int = 1) -> ast.Expr:
        lhs = self._parse_unary()
        while (op := self._binary_op()) is not None and PRECEDENCE[op] >= min_prec:
            self._next()
            if op.startswith("NOT "):
                self._next()
            prec = PRECEDENCE[op]
            rhs: ast.Expr
            if op.endswith("BETWEEN"):
                lower = self._parse_unary()
                self._expect_keyword("AND")
                rhs = ast.BetweenExpr(lower, self._parse_unary())
            elif op.endswith("IN"):
                rhs = self._parse_value_set()
            elif op.endswith("LIKE"):
                rhs = self._parse_unary()
            else:
                rhs = self._parse_expr(prec + 1)
            lhs = ast.BinaryExpr(op, lhs, rhs)
        return lhs

    def _parse_value_set(self) -> ast.Expr:
        if not self._at(T.LPAREN):
            return self._parse_unary()
        self._next()
        items = [self._parse_expr()]
        while self._at(T.COMMA):
            self._next()
            items.append(self._parse_expr())
        if not self._at(T.RPAREN):
            raise self._error(f'expect ) for IN expression, but got "{self.tok.describe()}"')
        self._next()
        return ast.ValueSet(tuple(items))

    def _parse_unary(self) -> ast.Expr:
        tok = self._next()
        if tok.kind is T.LPAREN:
            inner = self._parse_expr()
            if not self._at(T.RPAREN):
                raise self._found("right paren")
            self._next()
            return ast.ParenExpr(inner)
        if tok.kind is T.OP and tok.value == "-" and self.tok.kind in (T.INTEGER, T.NUMBER):
            return self._number(self._next(), negative=True)
        if tok.kind in (T.INTEGER, T.NUMBER):
            return self._number(tok)
        if tok.kind is T.STRING:
            return ast.StringLiteral(tok.value)
        if tok.is_keyword("TRUE", "FALSE"):
            return ast.BooleanLiteral(tok.value.upper() == "TRUE")
        if tok.kind is T.OP and tok.value == "*":
            return ast.Wildcard()
        if tok.kind is T.IDENT:
            if self._at(T.LPAREN):
                return self._parse_call(tok)
            if self._at(T.DOT):
                self._next()
                field_tok = self._next()
                if field_tok.kind not in (T.IDENT, T.KEYWORD):
                    raise self._found("field name", field_tok)
                return ast.FieldRef(field_tok.value, stream=tok.value)
            return ast.FieldRef(tok.value)
        if tok.is_keyword("CASE"):
            raise self._error(
                "CASE is valid eKuiper SQL that kuiper_dev does not run yet; "
                "use a function plugin for now",
                tok,
            )
        raise self._found("expression", tok)

    def _number(self, tok: Token, negative: bool = False) -> ast.Expr:
        text = ("-" if negative else "") + tok.value
        if tok.kind is T.INTEGER:
            return ast.IntegerLiteral(int(text))
        try:
            return ast.NumberLiteral(float(text))
        except ValueError:
            raise self._error(f'found "{text}", invalid number value.', tok) from None

    def _parse_call(self, name_tok: Token) -> ast.Call:
        self._expect(T.LPAREN, "(")
        args: list[ast.Expr] = []
        while not self._at(T.RPAREN):
            args.append(self._parse_expr())
            if self._at(T.COMMA):
                self._next()
            elif not self._at(T.RPAREN):
                raise self._error(
                    f'found function call "{name_tok.value}", expected ), '
                    f'but with "{self.tok.describe()}".'
                )
        self._next()
        return ast.Call(name_tok.value, tuple(args))
