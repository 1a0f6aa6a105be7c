"""Turn SQL text into tokens with line/column positions.

Follows eKuiper's scanner: ``"..."`` and ``'...'`` strings with backslash escapes,
back-quoted identifiers, ``--`` and ``/* */`` comments, numbers without exponents
(a dot makes a float), and a ``-`` glued to a number in operand position.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..errors import SqlError
from .tokens import KEYWORDS, T, Token

__all__ = ["tokenize"]

_SINGLE = {
    "(": T.LPAREN, ")": T.RPAREN, "[": T.LBRACKET, "]": T.RBRACKET, ",": T.COMMA,
    ".": T.DOT, ";": T.SEMICOLON, ":": T.COLON,
}  # fmt: skip
_OPERATORS = ("->", "!=", "<>", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^")


def tokenize(sql: str) -> list[Token]:
    """Split ``sql`` into tokens, ending with an EOF token.

    >>> [t.value for t in tokenize("SELECT a+1 FROM demo")]
    ['SELECT', 'a', '+', '1', 'FROM', 'demo', '']
    """
    return list(_Lexer(sql).run())


class _Lexer:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.pos = 0

    def _token(self, kind: T, value: str, start: int) -> Token:
        line = self.sql.count("\n", 0, start) + 1
        col = start - (self.sql.rfind("\n", 0, start) + 1) + 1
        return Token(kind, value, line, col, start)

    def _error(self, message: str, at: int) -> SqlError:
        tok = self._token(T.ILLEGAL, "", at)
        return SqlError(message, sql=self.sql, line=tok.line, column=tok.column)

    def run(self) -> Iterator[Token]:
        sql, n = self.sql, len(self.sql)
        while True:
            self._skip_space_and_comments()
            if self.pos >= n:
                yield self._token(T.EOF, "", n)
                return
            start, ch = self.pos, sql[self.pos]
            if ch.isalpha() or ch == "_":
                end = start + 1
                while end < n and (sql[end].isalnum() or sql[end] == "_"):
                    end += 1
                word = sql[start:end]
                self.pos = end
                kind = T.KEYWORD if word.upper() in KEYWORDS else T.IDENT
                yield self._token(kind, word, start)
            elif ch == "`":
                end = sql.find("`", start + 1)
                if end < 0:
                    raise self._error('found "`", expected a closing back quote', start)
                self.pos = end + 1
                yield self._token(T.IDENT, sql[start + 1 : end], start)
            elif ch in "\"'":
                yield self._string(start, ch)
            elif ch.isdigit() or (ch == "." and start + 1 < n and sql[start + 1].isdigit()):
                yield self._number(start)
            elif ch in _SINGLE:
                self.pos += 1
                yield self._token(_SINGLE[ch], ch, start)
            else:
                for op in _OPERATORS:
                    if sql.startswith(op, start):
                        self.pos += len(op)
                        yield self._token(T.OP, "!=" if op == "<>" else op, start)
                        break
                else:
                    raise self._error(f'found "{ch}", expected a valid token', start)

    def _skip_space_and_comments(self) -> None:
        sql, n = self.sql, len(self.sql)
        while self.pos < n:
            if sql[self.pos].isspace():
                self.pos += 1
            elif sql.startswith("--", self.pos):
                end = sql.find("\n", self.pos)
                self.pos = n if end < 0 else end + 1
            elif sql.startswith("/*", self.pos):
                end = sql.find("*/", self.pos + 2)
                if end < 0:
                    raise self._error('found "/*", expected a closing "*/"', self.pos)
                self.pos = end + 2
            else:
                return

    def _string(self, start: int, quote: str) -> Token:
        sql, n = self.sql, len(self.sql)
        i = start + 1
        chars: list[str] = []
        while i < n:
            c = sql[i]
            if c == "\\" and i + 1 < n:
                nxt = sql[i + 1]
                if nxt == quote and quote == "'":
                    chars.append("'")
                else:
                    chars.append(c + nxt)
                i += 2
                continue
            if c == quote:
                break
            chars.append('\\"' if c == '"' else c)
            i += 1
        else:
            raise self._error(f"found {quote}, expected a closing {quote} for the string", start)
        self.pos = i + 1
        try:
            value = json.loads('"' + "".join(chars) + '"', strict=False)
        except json.JSONDecodeError as exc:
            raise self._error(f"invalid string: {sql[start : i + 1]} ({exc.msg})", start) from None
        return self._token(T.STRING, value, start)

    def _number(self, start: int) -> Token:
        sql, n = self.sql, len(self.sql)
        i = start
        dot = False
        while i < n and (sql[i].isdigit() or sql[i] == "."):
            dot = dot or sql[i] == "."
            i += 1
        self.pos = i
        return self._token(T.NUMBER if dot else T.INTEGER, sql[start:i], start)
