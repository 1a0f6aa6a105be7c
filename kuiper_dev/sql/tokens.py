"""Token kinds and keywords of eKuiper's SQL dialect (``internal/xsql/lexical.go``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class T(Enum):
    """Token kinds. Keywords share ``KEYWORD`` and are told apart by ``Token.value``."""

    EOF = "EOF"
    IDENT = "identifier"
    INTEGER = "integer"
    NUMBER = "number"
    STRING = "string"
    KEYWORD = "keyword"
    OP = "operator"
    LPAREN = "("
    RPAREN = ")"
    LBRACKET = "["
    RBRACKET = "]"
    COMMA = ","
    DOT = "."
    SEMICOLON = ";"
    COLON = ":"
    ILLEGAL = "illegal"


KEYWORDS: frozenset[str] = frozenset(
    {
        "SELECT", "AS", "FROM", "WHERE", "AND", "OR", "GROUP", "HAVING", "ORDER", "BY",
        "DESC", "ASC", "FILTER", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "JOIN", "ON",
        "CASE", "WHEN", "THEN", "ELSE", "END", "IN", "NOT", "BETWEEN", "LIKE", "OVER",
        "PARTITION", "TRUE", "FALSE", "LIMIT", "CREATE", "DROP", "STREAM", "TABLE", "WITH",
        "DESCRIBE", "SHOW", "STREAMS", "TABLES", "EXPLAIN",
    }
)  # fmt: skip

# Binary operators by eKuiper's precedence (pkg/ast/token.go ``Precedence``).
PRECEDENCE: dict[str, int] = {
    "OR": 1,
    "AND": 2,
    "=": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
    "IN": 3, "NOT IN": 3, "BETWEEN": 3, "NOT BETWEEN": 3, "LIKE": 3, "NOT LIKE": 3,
    "+": 4, "-": 4, "|": 4, "^": 4,
    "*": 5, "/": 5, "%": 5, "&": 5,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Token:
    """One lexeme with its place in the text (1-based line and column)."""

    kind: T
    value: str
    line: int
    column: int
    offset: int

    def describe(self) -> str:
        """The token as eKuiper quotes it in ``found "X"`` messages."""
        return "EOF" if self.kind is T.EOF else self.value

    def is_keyword(self, *words: str) -> bool:
        return self.kind is T.KEYWORD and self.value.upper() in words
