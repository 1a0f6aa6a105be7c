"""Token kinds and keywords of eKuiper's SQL dialect (``internal/xsql/lexical.go``).

Only the words eKuiper's scanner turns into keyword tokens are keywords here.
Statement words such as ``CREATE``, ``STREAM`` or ``WITH`` stay identifiers, as
in eKuiper, so ``SELECT stream FROM demo`` works; the DDL parser compares them by
value instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

__all__ = ["KEYWORDS", "PRECEDENCE", "TIME_UNITS", "T", "Token", "quote"]


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
        "CASE", "WHEN", "THEN", "DEFAULT", "ELSE", "END", "IN", "NOT", "BETWEEN", "LIKE",
        "OVER", "PARTITION", "REPLACE", "EXCEPT", "INVISIBLE", "TRUE", "FALSE", "LIMIT",
        "DD", "HH", "MI", "SS", "MS",
    }
)  # fmt: skip

# The time-unit keywords: as an operand each is a TimeLiteral (window arguments).
TIME_UNITS: frozenset[str] = frozenset({"DD", "HH", "MI", "SS", "MS"})

# Binary operators by eKuiper's precedence (pkg/ast/token.go ``Precedence``).
# ``[``, ``->`` and ``.`` bind like ``*``: eKuiper reads ``a * b[0]`` as ``(a * b)[0]``.
PRECEDENCE: dict[str, int] = {
    "OR": 1,
    "AND": 2,
    "=": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
    "IN": 3, "NOT IN": 3, "BETWEEN": 3, "NOT BETWEEN": 3, "LIKE": 3, "NOT LIKE": 3,
    "+": 4, "-": 4, "|": 4, "^": 4,
    "*": 5, "/": 5, "%": 5, "&": 5, "[": 5, "->": 5, ".": 5,
}  # fmt: skip


def quote(text: str) -> str:
    """``text`` in double quotes with Go's ``%q`` escapes, as eKuiper's messages print it.

    >>> print(quote('say "hi"'))
    "say \\"hi\\""
    """
    return json.dumps(text, ensure_ascii=False)


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
        if self.kind is T.EOF:
            return "EOF"
        if self.kind is T.KEYWORD:
            # eKuiper's scanner upper-cases keyword literals
            return self.value.upper()
        return self.value

    def is_keyword(self, *words: str) -> bool:
        """Whether this is one of the keyword tokens ``words`` (upper case)."""
        return self.kind is T.KEYWORD and self.value.upper() in words

    def is_word(self, *words: str) -> bool:
        """Whether this is an identifier or keyword spelled as one of ``words``.

        The DDL words (``CREATE``, ``STREAM``, ``WITH`` …) are identifiers in
        eKuiper, matched case-insensitively by their text.
        """
        return self.kind in (T.IDENT, T.KEYWORD) and self.value.upper() in words
