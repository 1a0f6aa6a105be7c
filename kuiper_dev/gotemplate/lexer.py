"""The lexer of Go's text/template.

It follows Go's state machine (``text/template/parse/lex.go``) closely because the
trim markers, the space rules and the error wording are what users see: a template
that lexes differently here than in eKuiper would render differently too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeAlias

from .fmt import go_quote

__all__ = ["KEYWORDS", "Item", "lex"]

Kind = Literal[
    "text",
    "left",
    "right",
    "space",
    "field",
    "identifier",
    "dot",
    "variable",
    "number",
    "char_constant",
    "complex",
    "string",
    "raw_string",
    "bool",
    "nil",
    "pipe",
    "declare",
    "assign",
    "left_paren",
    "right_paren",
    "char",
    "eof",
    "error",
    "keyword",
]

KEYWORDS = frozenset(
    ["block", "break", "continue", "define", "else", "end", "if", "range", "template", "with"]
)
_SPACE = " \t\r\n"
_State: TypeAlias = "Callable[[], _State] | None"
_LEFT, _RIGHT = "{{", "}}"


@dataclass(frozen=True, slots=True)
class Item:
    """One token: its kind, byte-free character offset, text and 1-based line."""

    kind: Kind
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        # Go's item.String(): how a token appears in "unexpected X in Y" messages.
        if self.kind == "eof":
            return "EOF"
        if self.kind == "error":
            return self.val
        if self.kind in ("keyword", "dot", "nil"):
            return f"<{self.val}>"
        if len(self.val) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)


def _is_space(ch: str) -> bool:
    return ch in _SPACE


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or (ch.isdigit() and unicodedata.category(ch) == "Nd")


def _go_u(ch: str) -> str:
    # fmt's %#U: U+0041 'A'
    return f"U+{ord(ch):04X} '{ch}'"


class _Lexer:
    """Go's lexer as a loop over states; produces the whole token list at once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.start = 0
        self.line = 1
        self.start_line = 1
        self.paren_depth = 0
        self.items: list[Item] = []

    def _emit(self, kind: Kind) -> None:
        val = self.text[self.start : self.pos]
        self.items.append(Item(kind, self.start, val, self.start_line))
        self._ignore()

    def _ignore(self) -> None:
        self.line += self.text.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def _error(self, message: str) -> None:
        self.items.append(Item("error", self.start, message, self.start_line))

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _next(self) -> str:
        ch = self._peek()
        self.pos += 1 if ch else 0
        return ch

    def _accept(self, valid: str) -> bool:
        ch = self._peek()
        if ch and ch in valid:
            self.pos += 1
            return True
        return False

    def _accept_run(self, valid: str) -> None:
        while self._accept(valid):
            pass

    def _at_right_delim(self) -> tuple[bool, bool]:
        rest = self.text[self.pos :]
        if len(rest) >= 2 and _is_space(rest[0]) and rest[1] == "-" and rest[2:4] == _RIGHT:
            return True, True
        return rest.startswith(_RIGHT), False

    def _at_terminator(self) -> bool:
        ch = self._peek()
        return ch == "" or _is_space(ch) or ch in ".,|:)(" or ch == _RIGHT[0]

    def run(self) -> list[Item]:
        state = self._lex_text
        while True:
            nxt = state()
            if nxt is None:
                return self.items
            state = nxt

    # Each state returns the next state, or None when done (EOF or error).

    def _lex_text(self) -> _State:
        x = self.text.find(_LEFT, self.pos)
        if x < 0:
            self.pos = len(self.text)
            if self.pos > self.start:
                self._emit("text")
            self.items.append(Item("eof", self.pos, "", self.line))
            return None
        self.pos = x
        trim = 0
        after = self.text[x + 2 : x + 4]
        if len(after) == 2 and after[0] == "-" and _is_space(after[1]):
            chunk = self.text[self.start : x]
            trim = len(chunk) - len(chunk.rstrip(_SPACE))
        self.pos -= trim
        if self.pos > self.start:
            self._emit("text")
        self.pos += trim
        self._ignore()
        return self._lex_left_delim

    def _lex_left_delim(self) -> _State:
        self.pos += len(_LEFT)
        rest = self.text[self.pos : self.pos + 2]
        after_marker = 2 if len(rest) == 2 and rest[0] == "-" and _is_space(rest[1]) else 0
        if self.text.startswith("/*", self.pos + after_marker):
            self.pos += after_marker
            self._ignore()
            return self._lex_comment
        self._emit("left")
        self.pos += after_marker
        self._ignore()
        self.paren_depth = 0
        return self._lex_inside_action

    def _lex_comment(self) -> _State:
        self.pos += 2
        x = self.text.find("*/", self.pos)
        if x < 0:
            self._error("unclosed comment")
            return None
        self.pos = x + 2
        delim, trim = self._at_right_delim()
        if not delim:
            self._error("comment ends before closing delimiter")
            return None
        self.pos += (2 if trim else 0) + len(_RIGHT)
        if trim:
            self._skip_leading_space()
        self._ignore()
        return self._lex_text

    def _skip_leading_space(self) -> None:
        while self.pos < len(self.text) and _is_space(self.text[self.pos]):
            self.pos += 1

    def _lex_right_delim(self) -> _State:
        _, trim = self._at_right_delim()
        if trim:
            self.pos += 2
            self._ignore()
        self.pos += len(_RIGHT)
        self._emit("right")
        if trim:
            self._skip_leading_space()
            self._ignore()
        return self._lex_text

    def _lex_inside_action(self) -> _State:
        delim, _ = self._at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self._lex_right_delim
            self._error("unclosed left paren")
            return None
        ch = self._next()
        if ch == "":
            self._error("unclosed action")
            return None
        if _is_space(ch):
            self.pos -= 1
            return self._lex_space
        simple: dict[str, Kind] = {"=": "assign", "|": "pipe"}
        if ch in simple:
            self._emit(simple[ch])
        elif ch == ":":
            if self._next() != "=":
                self._error("expected :=")
                return None
            self._emit("declare")
        elif ch == '"':
            return self._lex_quote
        elif ch == "`":
            return self._lex_raw_quote
        elif ch == "$":
            return self._lex_variable
        elif ch == "'":
            return self._lex_char
        elif ch == "." and not ("0" <= self._peek() <= "9" and self._peek() != ""):
            return self._lex_field
        elif ch in "+-." or "0" <= ch <= "9":
            self.pos -= 1
            return self._lex_number
        elif _is_alnum(ch):
            self.pos -= 1
            return self._lex_identifier
        elif ch == "(":
            self.paren_depth += 1
            self._emit("left_paren")
        elif ch == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                self._error("unexpected right paren")
                return None
            self._emit("right_paren")
        elif ord(ch) < 0x80 and ch.isprintable():
            self._emit("char")
        else:
            self._error(f"unrecognized character in action: {_go_u(ch)}")
            return None
        return self._lex_inside_action

    def _lex_space(self) -> _State:
        count = 0
        while _is_space(self._peek()):
            self.pos += 1
            count += 1
        # A space followed by "-}}" belongs to the trim marker, not to the spaces.
        if self.text.startswith("-" + _RIGHT, self.pos):
            self.pos -= 1
            if count == 1:
                return self._lex_right_delim
        self._emit("space")
        return self._lex_inside_action

    def _lex_identifier(self) -> _State:
        while _is_alnum(self._peek()):
            self.pos += 1
        word = self.text[self.start : self.pos]
        if not self._at_terminator():
            self._error(f"bad character {_go_u(self._peek())}")
            return None
        if word in KEYWORDS:
            self._emit("keyword")
        elif word in ("true", "false"):
            self._emit("bool")
        elif word == "nil":
            self._emit("nil")
        else:
            self._emit("identifier")
        return self._lex_inside_action

    def _lex_field(self) -> _State:
        return self._lex_field_or_variable("field")

    def _lex_variable(self) -> _State:
        return self._lex_field_or_variable("variable")

    def _lex_field_or_variable(self, kind: Kind) -> _State:
        if self._at_terminator():
            self._emit("variable" if kind == "variable" else "dot")
            return self._lex_inside_action
        while _is_alnum(self._peek()):
            self.pos += 1
        if not self._at_terminator():
            self._error(f"bad character {_go_u(self._peek())}")
            return None
        self._emit(kind)
        return self._lex_inside_action

    def _lex_char(self) -> _State:
        return self._lex_escaped("'", "char_constant", "unterminated character constant")

    def _scan_number(self) -> bool:
        self._accept("+-")
        digits = "0123456789_"
        if self._accept("0"):
            if self._accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self._accept("oO"):
                digits = "01234567_"
            elif self._accept("bB"):
                digits = "01_"
        self._accept_run(digits)
        if self._accept("."):
            self._accept_run(digits)
        if len(digits) == 11 and self._accept("eE"):
            self._accept("+-")
            self._accept_run("0123456789_")
        if len(digits) == 23 and self._accept("pP"):
            self._accept("+-")
            self._accept_run("0123456789_")
        self._accept("i")
        if _is_alnum(self._peek()):
            self.pos += 1
            return False
        return True

    def _lex_number(self) -> _State:
        if not self._scan_number():
            self._error(f"bad number syntax: {go_quote(self.text[self.start : self.pos])}")
            return None
        if self._peek() in ("+", "-") and self._peek():
            if not self._scan_number() or self.text[self.pos - 1] != "i":
                self._error(f"bad number syntax: {go_quote(self.text[self.start : self.pos])}")
                return None
            self._emit("complex")
        else:
            self._emit("number")
        return self._lex_inside_action

    def _lex_quote(self) -> _State:
        return self._lex_escaped('"', "string", "unterminated quoted string")

    def _lex_escaped(self, close: str, kind: Kind, unterminated: str) -> _State:
        """A backslash-escaped literal up to ``close`` on the same line."""
        while True:
            ch = self._next()
            if ch == "\\":
                ch = self._next()
                if ch not in ("", "\n"):
                    continue
            if ch in ("", "\n"):
                self._error(unterminated)
                return None
            if ch == close:
                break
        self._emit(kind)
        return self._lex_inside_action

    def _lex_raw_quote(self) -> _State:
        end = self.text.find("`", self.pos)
        if end < 0:
            self._error("unterminated raw quoted string")
            return None
        self.pos = end + 1
        self._emit("raw_string")
        return self._lex_inside_action


def lex(text: str) -> list[Item]:
    """Split template text into Go's tokens, ending with an ``eof`` or ``error`` item.

    >>> [i.kind for i in lex("a{{- .b -}}")]
    ['text', 'left', 'field', 'right', 'eof']
    """
    return _Lexer(text).run()
