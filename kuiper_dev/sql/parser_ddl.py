"""Stream and table statements (``internal/xsql/parser.go``: ``ParseCreateStmt``,
``parseStreamFields``, ``parseStreamOptions``, ``validateStream``, and the
SHOW/DESCRIBE/EXPLAIN/DROP statements).

The WITH keys, the values each accepts and the messages follow eKuiper; an
unknown key is refused, as eKuiper refuses it.
"""

from __future__ import annotations

import json
from typing import cast

from . import ast
from ._base import ParserBase
from .tokens import T, Token, quote
from .types import COMPLEX_TYPES, SIMPLE_TYPES

__all__ = ["DdlParser", "FORMATS", "OPTION_KEYS"]

OPTION_KEYS: tuple[str, ...] = (
    "DATASOURCE", "FORMAT", "KEY", "CONF_KEY", "SHARED", "STRICT_VALIDATION", "TYPE",
    "TIMESTAMP", "TIMESTAMP_FORMAT", "RETAIN_SIZE", "SCHEMAID", "EXTRA", "VERSION", "TEMP",
    "KIND", "DELIMITER",
)  # fmt: skip
# the formats eKuiper registers a converter for (internal/converter)
FORMATS: frozenset[str] = frozenset({"json", "binary", "delimited", "urlencoded", "protobuf"})
_BOOLEAN_KEYS = ("STRICT_VALIDATION", "SHARED", "TEMP")
_TYPE_LIST = "BIGINT | FLOAT | STRING | DATETIME | BOOLEAN | BYTEA | ARRAY | STRUCT"
_GO_BOOLS = {"1": True, "t": True, "true": True, "0": False, "f": False, "false": False}


class DdlParser(ParserBase):
    """CREATE, DROP, DESCRIBE, EXPLAIN and SHOW for streams and tables."""

    def _source_kind(self, tok: Token) -> ast.SourceKind:
        if not tok.is_word("STREAM", "TABLE"):
            raise self._error(
                f"found {quote(tok.describe().upper())}, expected keyword stream or table.", tok
            )
        return cast(ast.SourceKind, tok.value.lower())

    def _parse_named(self) -> tuple[str, ast.SourceKind]:
        self._next()  # DROP / DESCRIBE / EXPLAIN
        kind = self._source_kind(self._next())
        if not self._at(T.IDENT):
            raise self._found(f"{kind} name")
        name = self._next().value
        self._expect_end()
        return name, kind

    def _parse_drop(self) -> ast.DropStream:
        at = self._pos(self.tok)
        return ast.DropStream(*self._parse_named(), pos=at)

    def _parse_describe(self) -> ast.DescribeStream:
        at = self._pos(self.tok)
        return ast.DescribeStream(*self._parse_named(), pos=at)

    def _parse_explain(self) -> ast.ExplainStream:
        at = self._pos(self.tok)
        return ast.ExplainStream(*self._parse_named(), pos=at)

    def _parse_show(self) -> ast.ShowStreams:
        at = self._pos(self._next())  # SHOW
        tok = self._next()
        if not tok.is_word("STREAMS", "TABLES"):
            raise self._error(
                f"found {quote(tok.describe().upper())}, expected keyword streams or tables.", tok
            )
        if not (self._at(T.EOF) or self._at(T.SEMICOLON)):
            raise self._found("semecolon or EOF")  # eKuiper's spelling, kept for fidelity
        self._expect_end()
        return ast.ShowStreams("stream" if tok.value.upper() == "STREAMS" else "table", pos=at)

    def _parse_create(self) -> ast.CreateStream:
        at = self._pos(self._next())  # CREATE
        kind = self._source_kind(self._next())
        if not self._at(T.IDENT):
            raise self._found("stream name")
        name = self._next().value
        if not self._at(T.LPAREN):
            raise self._found("lparen after stream name")
        columns = self._parse_columns()
        options = self._parse_options()
        if not (self._at(T.SEMICOLON) or self._at(T.EOF)):
            raise self._found("semicolon or EOF")
        self._expect_end()
        stmt = ast.CreateStream(name, columns, options, kind, pos=at)
        self._validate_format(stmt)
        return stmt

    # -- columns ---------------------------------------------------------------------
    def _parse_columns(self) -> tuple[ast.ColumnDef, ...]:
        """``( col, .. )`` of a stream or a STRUCT; eKuiper wants WITH after ``()``."""
        if not self._at(T.LPAREN):
            raise self._found("lparen after stream name")
        self._next()
        columns: list[ast.ColumnDef] = []
        while True:
            if self._at(T.RPAREN):
                self._next()
                if not self.tok.is_word("WITH"):
                    raise self._with_expected()
                self._next()
                return tuple(columns)
            columns.append(self._parse_column())
            if self._at(T.RPAREN):
                self._next()
                if self.tok.is_word("WITH"):
                    self._next()
                elif not (self._at(T.COMMA) or self._at(T.RPAREN)):
                    raise self._with_expected()
                return tuple(columns)

    def _with_expected(self) -> Exception:
        # eKuiper upper-cases the word it found here
        return self._error(f"found {quote(self.tok.describe().upper())}, expected is with.")

    def _parse_column(self) -> ast.ColumnDef:
        if not self._at(T.IDENT):
            raise self._error(f"found {quote(self.tok.describe())}, expect stream field name.")
        name_tok = self._next()
        name = name_tok.value
        column = self._parse_type(name, self._pos(name_tok))
        if self._at(T.COMMA):
            self._next()
        elif self.tok.is_keyword("DEFAULT"):
            self._next()
            column = ast.ColumnDef(
                name,
                column.type,
                column.items,
                column.fields,
                self._default(column),
                pos=column.pos,
            )
            if self._at(T.COMMA):
                self._next()
            elif not self._at(T.RPAREN):
                raise self._error(f"found {quote(self.tok.describe())}, expect comma or rparen.")
        elif not self._at(T.RPAREN):
            raise self._error(f"found {quote(self.tok.describe())}, expect comma or rparen.")
        return column

    def _parse_type(self, name: str, at: ast.Pos) -> ast.ColumnDef:
        tok = self._next()
        type_name = tok.value.lower() if tok.kind in (T.IDENT, T.KEYWORD) else ""
        if type_name in SIMPLE_TYPES:
            return ast.ColumnDef(name, type_name, pos=at)
        if type_name == "array":
            return ast.ColumnDef(name, "array", items=self._parse_array_items(), pos=at)
        if type_name == "struct":
            return ast.ColumnDef(name, "struct", fields=self._parse_struct_fields(), pos=at)
        raise self._error(
            f"found {quote(tok.describe())}, expect valid stream field types({_TYPE_LIST}).", tok
        )

    def _parse_struct_fields(self) -> tuple[ast.ColumnDef, ...]:
        fields = self._parse_columns()
        if not (self._at(T.COMMA) or self._at(T.RPAREN)):
            raise self._error(
                f"found {quote(self.tok.describe())}, expect comma in create stream record statement."
            )
        return fields

    def _parse_array_items(self) -> ast.ColumnDef:
        if not self._at(T.LPAREN):
            raise self._error(f"found {quote(self.tok.describe())}, expect lparen in array type.")
        self._next()
        tok = self._next()
        at = self._pos(tok)  # a nameless element type starts at its type name
        type_name = tok.value.lower() if tok.kind in (T.IDENT, T.KEYWORD) else ""
        if type_name in SIMPLE_TYPES:
            items, where = ast.ColumnDef("", type_name, pos=at), "array type definition"
        elif type_name == "struct":
            items = ast.ColumnDef("", "struct", fields=self._parse_struct_fields(), pos=at)
            where = "struct of array type definition"
        elif type_name == "array":
            items = ast.ColumnDef("", "array", items=self._parse_array_items(), pos=at)
            where = "array of array type definition"
        else:
            raise self._error(f"found {quote(tok.describe())}, expect stream data types.", tok)
        if not self._at(T.RPAREN):
            raise self._error(f"found {quote(self.tok.describe())}, expect rparen in {where}.")
        self._next()
        return items

    def _default(self, column: ast.ColumnDef) -> ast.Expr:
        tok = self._next()
        at = self._pos(tok)
        text = tok.value
        if tok.kind is T.OP and tok.value == "-" and self.tok.kind in (T.INTEGER, T.NUMBER):
            text = "-" + self._next().value
        elif tok.is_keyword("TRUE", "FALSE"):
            text = tok.value.upper()
        elif tok.kind not in (T.INTEGER, T.NUMBER, T.STRING):
            raise self._error(
                f"found {quote(tok.describe())}, expect default constraint value.", tok
            )
        if column.type in COMPLEX_TYPES:
            go_type = "*ast.ArrayType" if column.type == "array" else "*ast.RecType"
            raise self._error(f"DEFAULT clause is not supported for {go_type}", tok)
        try:
            if column.type == "bigint":
                return ast.IntegerLiteral(
                    int(text) if text.lstrip("-").isdigit() else int(float(text)), pos=at
                )
            if column.type == "float":
                return ast.NumberLiteral(float(text), pos=at)
            if column.type == "string":
                return ast.StringLiteral(text, pos=at)
            if column.type == "boolean":
                return ast.BooleanLiteral(_GO_BOOLS[text.lower()], pos=at)
        except (ValueError, KeyError, OverflowError):
            # the wording of eKuiper's cast package, which reads the default as text
            go_type = {"bigint": "int64", "float": "float64", "boolean": "bool"}[column.type]
            raise self._error(f"cannot convert string({text}) to {go_type}", tok) from None
        raise self._error(f"DEFAULT clause is not supported for {column.type}", tok)

    # -- WITH (...) ------------------------------------------------------------------
    def _parse_options(self) -> tuple[tuple[str, str], ...]:
        if not self._at(T.LPAREN):
            raise self._error(f"found {quote(self.tok.describe())}, expect stream options.")
        self._next()
        options: dict[str, str] = {}
        while True:
            tok = self._next()
            key = tok.describe().upper()
            if key in OPTION_KEYS and tok.kind is not T.EOF:
                options[key] = self._option_value(key)
            elif tok.kind is T.COMMA:
                continue
            elif tok.kind is T.RPAREN:
                break
            else:
                raise self._error(
                    f"found {quote(key)}, unknown option keys({'|'.join(OPTION_KEYS)}).", tok
                )
        if (
            options.get("KIND") == "lookup"
            and options.get("TYPE") == "memory"
            and not options.get("KEY")
        ):
            raise self._error('Option "key" is required for memory lookup table.')
        return tuple(options.items())

    def _option_value(self, key: str) -> str:
        if not self._at_op("="):
            raise self._error(f"found {quote(self.tok.describe())}, expect equals(=) in options.")
        self._next()
        tok = self._next()
        # eKuiper takes "double-quoted" strings and bare true/false, not 'single' ones
        if tok.kind is T.STRING and self.sql[tok.offset] == '"':
            value = tok.value
        elif tok.is_keyword("TRUE", "FALSE"):
            value = tok.value.upper()
        else:
            raise self._error(
                f"found {quote(tok.describe())}, expect string or boolean value in option.", tok
            )
        if key in _BOOLEAN_KEYS and value.upper() not in ("TRUE", "FALSE"):
            raise self._error(
                f"found {quote(value)}, expect TRUE/FALSE value in {key} option.", tok
            )
        if key == "RETAIN_SIZE":
            try:
                int(value, 10)
            except ValueError:
                raise self._error(
                    f"found {quote(value)}, expect number value in {key} option.", tok
                ) from None
        if key in ("KIND", "VERSION"):
            value = value.lower()
        if key == "EXTRA":
            try:
                json.loads(value)
            except ValueError:
                raise self._error("invalid extra option, expect JSON string", tok) from None
        return value

    def _validate_format(self, stmt: ast.CreateStream) -> None:
        given = stmt.option("FORMAT") or "json"
        fmt = given.lower()
        if fmt == "binary":
            if stmt.kind == "table":
                raise self._error("'binary' format is not supported for table", self.tokens[0])
            if len(stmt.columns) > 1:
                raise self._error("'binary' format stream can have only one field", self.tokens[0])
            if stmt.columns and stmt.columns[0].type != "bytea":
                raise self._error(
                    "'binary' format stream can have only 'bytea' type field", self.tokens[0]
                )
        elif fmt not in FORMATS:
            raise self._error(f"option 'format={given}' is invalid", self.tokens[0])
