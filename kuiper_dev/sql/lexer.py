"""Turn SQL text into tokens with line/column positions.

Follows eKuiper's scanner (``internal/xsql/lexical.go``) closely, quirks
included, so text that eKuiper refuses is refused here too: names start with an
ASCII letter (others need back quotes), blanks are space, tab, CR and LF, ``"..."`` and
``'...'`` strings with backslash escapes, back-quoted identifiers (an unclosed
one runs to the end of the text), ``--`` and ``/* */`` comments, numbers without
exponents (a dot makes a float). The two-character operators may have blanks
inside (``> =`` is ``>=``), a lone ``!`` means ``=``, and a ``-`` followed by
another ``-`` (blanks between) starts a comment, so ``a - -1`` is ``a``.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator

from ..errors import SqlError
from .tokens import KEYWORDS, T, Token, quote

__all__ = ["tokenize"]

_SINGLE = {
    "(": T.LPAREN, ")": T.RPAREN, "[": T.LBRACKET, "]": T.RBRACKET, ",": T.COMMA,
    ";": T.SEMICOLON, ":": T.COLON,
}  # fmt: skip
_PLAIN_OPS = frozenset("=+*%&|^#")


def tokenize(sql: str) -> list[Token]:
    """Split ``sql`` into tokens, ending with an EOF token.

    >>> [t.value for t in tokenize("SELECT a+1 FROM demo")]
    ['SELECT', 'a', '+', '1', 'FROM', 'demo', '']
    """
    return list(_Lexer(sql).run())


def _digit(c: str) -> bool:
    # ASCII only: str.isdigit() accepts "²", which int() then refuses
    return "0" <= c <= "9" and len(c) == 1


def _letter(c: str) -> bool:
    # eKuiper's isLetter: ASCII letters only; "_a" and "café" need back quotes
    return len(c) == 1 and ("a" <= c <= "z" or "A" <= c <= "Z")


# eKuiper's isWhiteSpace: other Unicode blanks are not separators
_BLANKS = frozenset(" \t\r\n")


class _Lexer:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.pos = 0
        self.newlines = [i for i, c in enumerate(sql) if c == "\n"]

    def _token(self, kind: T, value: str, start: int) -> Token:
        # bisect over the newline offsets: counting per token is quadratic
        line = bisect_right(self.newlines, start - 1)
        col = start - (self.newlines[line - 1] + 1 if line else 0) + 1
        return Token(kind, value, line + 1, col, start)

    def _error(self, message: str, at: int) -> SqlError:
        tok = self._token(T.ILLEGAL, "", at)
        return SqlError(message, sql=self.sql, line=tok.line, column=tok.column)

    def _after_blanks(self, i: int) -> int:
        while i < len(self.sql) and self.sql[i] in _BLANKS:
            i += 1
        return i

    def _char(self, i: int) -> str:
        return self.sql[i] if i < len(self.sql) else ""

    def run(self) -> Iterator[Token]:
        sql, n = self.sql, len(self.sql)
        while True:
            self._skip_space_and_comments()
            if self.pos >= n:
                yield self._token(T.EOF, "", n)
                return
            start, ch = self.pos, sql[self.pos]
            if _letter(ch):
                end = start + 1
                while end < n and (_letter(sql[end]) or _digit(sql[end]) or sql[end] == "_"):
                    end += 1
                word = sql[start:end]
                self.pos = end
                kind = T.KEYWORD if word.upper() in KEYWORDS else T.IDENT
                yield self._token(kind, word, start)
            elif ch == "`":
                end = sql.find("`", start + 1)
                # eKuiper reads an unclosed back quote up to the end of the text
                self.pos = n if end < 0 else end + 1
                yield self._token(T.IDENT, sql[start + 1 : n if end < 0 else end], start)
            elif ch in "\"'":
                yield self._string(start, ch)
            elif _digit(ch) or (ch == "." and _digit(self._char(start + 1))):
                yield self._number(start, start)
            elif ch == ".":
                self.pos += 1
                yield self._token(T.DOT, ".", start)
            elif ch in _SINGLE:
                self.pos += 1
                yield self._token(_SINGLE[ch], ch, start)
            elif ch in _PLAIN_OPS:
                self.pos += 1
                yield self._token(T.OP, ch, start)
            elif ch in "!<>":
                nxt = self._after_blanks(start + 1)
                if self._char(nxt) == "=":
                    self.pos = nxt + 1
                    yield self._token(T.OP, ("!" if ch == "!" else ch) + "=", start)
                else:
                    self.pos = start + 1
                    yield self._token(T.OP, "=" if ch == "!" else ch, start)
            elif ch == "-":
                tok = self._minus(start)
                if tok is not None:
                    yield tok
            elif ch == "/":
                nxt = self._after_blanks(start + 1)
                if self._char(nxt) == "*":
                    self._skip_block_comment(start, nxt + 1)
                else:
                    self.pos = start + 1
                    yield self._token(T.OP, "/", start)
            else:
                hint = ""
                if ch.isalpha() or ch == "_":
                    hint = "; a name that does not start with an ASCII letter needs back quotes"
                raise self._error(f"found {quote(ch)}, expected a valid token{hint}", start)

    def _minus(self, start: int) -> Token | None:
        nxt = self._after_blanks(start + 1)
        c = self._char(nxt)
        if c == "-":
            end = self.sql.find("\n", nxt)
            self.pos = len(self.sql) if end < 0 else end + 1
            return None
        if c == ">":
            self.pos = nxt + 1
            return self._token(T.OP, "->", start)
        if c == ".":
            digit = self._after_blanks(nxt + 1)
            if _digit(self._char(digit)):
                # the scanner itself reads "-.5" (blanks allowed) as one number
                tok = self._number(digit, start)
                return Token(T.NUMBER, "-." + tok.value, tok.line, tok.column, start)
        self.pos = start + 1
        return self._token(T.OP, "-", start)

    def _skip_block_comment(self, start: int, body: int) -> None:
        end = self.sql.find("*/", body)
        if end < 0:
            raise self._error('found "/*", expected a closing "*/"', start)
        self.pos = end + 2

    def _skip_space_and_comments(self) -> None:
        sql, n = self.sql, len(self.sql)
        while self.pos < n:
            if sql[self.pos] in _BLANKS:
                self.pos += 1
            elif sql.startswith("--", self.pos):
                end = sql.find("\n", self.pos)
                self.pos = n if end < 0 else end + 1
            elif sql.startswith("/*", self.pos):
                self._skip_block_comment(self.pos, self.pos + 2)
            else:
                return

    def _string(self, start: int, mark: str) -> Token:
        sql, n = self.sql, len(self.sql)
        i = start + 1
        chars: list[str] = []
        while i < n:
            c = sql[i]
            if c == "\\" and i + 1 < n:
                nxt = sql[i + 1]
                if nxt == mark and mark == "'":
                    chars.append("'")
                else:
                    chars.append(c + nxt)
                i += 2
                continue
            if c == mark:
                break
            chars.append('\\"' if c == '"' else c)
            i += 1
        else:
            # eKuiper's scanner returns the rest of the text as a bad string
            raise self._error(f"found {quote(sql[start:])}, expected expression.", start)
        self.pos = i + 1
        try:
            value = json.loads('"' + "".join(chars) + '"', strict=False)
        except json.JSONDecodeError:
            raise self._error(
                f"found {quote('invalid string: ' + sql[start : i + 1])}, expected expression.",
                start,
            ) from None
        return self._token(T.STRING, value, start)

    def _number(self, start: int, token_start: int) -> Token:
        sql, n = self.sql, len(self.sql)
        i = start
        dot = False
        while i < n and (_digit(sql[i]) or sql[i] == "."):
            dot = dot or sql[i] == "."
            i += 1
        self.pos = i
        return self._token(T.NUMBER if dot else T.INTEGER, sql[start:i], token_start)
