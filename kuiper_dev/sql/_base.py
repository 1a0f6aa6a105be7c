"""Token cursor and error helpers shared by the expression, SELECT and DDL parsers."""

from __future__ import annotations

from ..errors import SqlError
from . import ast
from .lexer import tokenize
from .tokens import T, Token, quote

__all__ = ["ParserBase"]


class ParserBase:
    """A cursor over the token list; never moves past EOF, so lookahead cannot fail."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = tokenize(sql)
        self.i = 0
        # counter for kuiper_field_N names, shared by every field of a statement
        self.unnamed = 0
        # the clause being parsed, as eKuiper tracks it for clause-bound functions
        self.clause = ""
        # name of the innermost call being parsed (meta/mqtt read fields as metadata)
        self.in_func = ""

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def _at(self, kind: T) -> bool:
        # a method, not ``self.tok.kind is …``: mypy would narrow the property for good
        return self.tok.kind is kind

    def _at_op(self, *ops: str) -> bool:
        return self.tok.kind is T.OP and self.tok.value in ops

    @staticmethod
    def _pos(tok: Token) -> ast.Pos:
        return ast.Pos(tok.line, tok.column)

    def _next(self) -> Token:
        tok = self.tok
        if tok.kind is not T.EOF:
            self.i += 1
        return tok

    def _error(self, message: str, tok: Token | None = None) -> SqlError:
        tok = tok or self.tok
        return SqlError(message, sql=self.sql, line=tok.line, column=tok.column)

    def _found(self, expected: str, tok: Token | None = None) -> SqlError:
        tok = tok or self.tok
        return self._error(f"found {quote(tok.describe())}, expected {expected}.", tok)

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
