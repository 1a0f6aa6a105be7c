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
_State: TypeAlias = "Callable[[_Lexer], _State] | None"
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
    # ch is "" at the end of the text, and "" is in every string.
    return ch != "" and ch in _SPACE


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or (ch.isdigit() and unicodedata.category(ch) == "Nd")


def _go_u(ch: str) -> str:
    # fmt's %#U: U+0041 'A'
    return f"U+{ord(ch):04X} '{ch}'"


class _Lexer:
    """Go's ``lexer``: the text, the token being scanned and the tokens so far.

    The states are the module's ``_lex_*`` functions, as in Go, where each is a
    ``func(*lexer) stateFn``: each takes the lexer and returns the next state, or
    None when done (EOF or error).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.start = 0
        self.line = 1
        self.start_line = 1
        self.paren_depth = 0
        self.items: list[Item] = []

    def run(self) -> list[Item]:
        state: _State = _lex_text
        while state is not None:
            state = state(self)
        return self.items

    def emit(self, kind: Kind) -> None:
        val = self.text[self.start : self.pos]
        self.items.append(Item(kind, self.start, val, self.start_line))
        self.ignore()

    def ignore(self) -> None:
        self.line += self.text.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def error(self, message: str) -> None:
        self.items.append(Item("error", self.start, message, self.start_line))

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        ch = self.peek()
        self.pos += 1 if ch else 0
        return ch

    def accept(self, valid: str) -> bool:
        ch = self.peek()
        if ch and ch in valid:
            self.pos += 1
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.accept(valid):
            pass

    def skip_leading_space(self) -> None:
        while self.pos < len(self.text) and _is_space(self.text[self.pos]):
            self.pos += 1

    def at_right_delim(self) -> tuple[bool, bool]:
        rest = self.text[self.pos :]
        if len(rest) >= 2 and _is_space(rest[0]) and rest[1] == "-" and rest[2:4] == _RIGHT:
            return True, True
        return rest.startswith(_RIGHT), False

    def at_terminator(self) -> bool:
        ch = self.peek()
        return ch == "" or _is_space(ch) or ch in ".,|:)(" or ch == _RIGHT[0]


# --- states outside actions: text, delimiters, comments -----------------------------


def _lex_text(lx: _Lexer) -> _State:
    x = lx.text.find(_LEFT, lx.pos)
    if x < 0:
        lx.pos = len(lx.text)
        if lx.pos > lx.start:
            lx.emit("text")
        lx.items.append(Item("eof", lx.pos, "", lx.line))
        return None
    lx.pos = x
    trim = 0
    after = lx.text[x + 2 : x + 4]
    if len(after) == 2 and after[0] == "-" and _is_space(after[1]):
        chunk = lx.text[lx.start : x]
        trim = len(chunk) - len(chunk.rstrip(_SPACE))
    lx.pos -= trim
    if lx.pos > lx.start:
        lx.emit("text")
    lx.pos += trim
    lx.ignore()
    return _lex_left_delim


def _lex_left_delim(lx: _Lexer) -> _State:
    lx.pos += len(_LEFT)
    rest = lx.text[lx.pos : lx.pos + 2]
    after_marker = 2 if len(rest) == 2 and rest[0] == "-" and _is_space(rest[1]) else 0
    if lx.text.startswith("/*", lx.pos + after_marker):
        lx.pos += after_marker
        lx.ignore()
        return _lex_comment
    lx.emit("left")
    lx.pos += after_marker
    lx.ignore()
    lx.paren_depth = 0
    return _lex_inside_action


def _lex_comment(lx: _Lexer) -> _State:
    lx.pos += 2
    x = lx.text.find("*/", lx.pos)
    if x < 0:
        lx.error("unclosed comment")
        return None
    lx.pos = x + 2
    delim, trim = lx.at_right_delim()
    if not delim:
        lx.error("comment ends before closing delimiter")
        return None
    lx.pos += (2 if trim else 0) + len(_RIGHT)
    if trim:
        lx.skip_leading_space()
    lx.ignore()
    return _lex_text


def _lex_right_delim(lx: _Lexer) -> _State:
    _, trim = lx.at_right_delim()
    if trim:
        lx.pos += 2
        lx.ignore()
    lx.pos += len(_RIGHT)
    lx.emit("right")
    if trim:
        lx.skip_leading_space()
        lx.ignore()
    return _lex_text


# --- states inside an action: operands, literals, punctuation ------------------------


def _lex_inside_action(lx: _Lexer) -> _State:
    delim, _ = lx.at_right_delim()
    if delim:
        if lx.paren_depth == 0:
            return _lex_right_delim
        lx.error("unclosed left paren")
        return None
    ch = lx.next()
    if ch == "":
        lx.error("unclosed action")
        return None
    if _is_space(ch):
        lx.pos -= 1
        return _lex_space
    simple: dict[str, Kind] = {"=": "assign", "|": "pipe"}
    if ch in simple:
        lx.emit(simple[ch])
    elif ch == ":":
        if lx.next() != "=":
            lx.error("expected :=")
            return None
        lx.emit("declare")
    elif ch == '"':
        return _lex_quote
    elif ch == "`":
        return _lex_raw_quote
    elif ch == "$":
        return _lex_variable
    elif ch == "'":
        return _lex_char
    elif ch == "." and not ("0" <= lx.peek() <= "9" and lx.peek() != ""):
        return _lex_field
    elif ch in "+-." or "0" <= ch <= "9":
        lx.pos -= 1
        return _lex_number
    elif _is_alnum(ch):
        lx.pos -= 1
        return _lex_identifier
    elif ch == "(":
        lx.paren_depth += 1
        lx.emit("left_paren")
    elif ch == ")":
        lx.paren_depth -= 1
        if lx.paren_depth < 0:
            lx.error("unexpected right paren")
            return None
        lx.emit("right_paren")
    elif ord(ch) < 0x80 and ch.isprintable():
        lx.emit("char")
    else:
        lx.error(f"unrecognized character in action: {_go_u(ch)}")
        return None
    return _lex_inside_action


def _lex_space(lx: _Lexer) -> _State:
    count = 0
    while _is_space(lx.peek()):
        lx.pos += 1
        count += 1
    # A space followed by "-}}" belongs to the trim marker, not to the spaces.
    if lx.text.startswith("-" + _RIGHT, lx.pos):
        lx.pos -= 1
        if count == 1:
            return _lex_right_delim
    lx.emit("space")
    return _lex_inside_action


def _lex_identifier(lx: _Lexer) -> _State:
    while _is_alnum(lx.peek()):
        lx.pos += 1
    word = lx.text[lx.start : lx.pos]
    if not lx.at_terminator():
        lx.error(f"bad character {_go_u(lx.peek())}")
        return None
    if word in KEYWORDS:
        lx.emit("keyword")
    elif word in ("true", "false"):
        lx.emit("bool")
    elif word == "nil":
        lx.emit("nil")
    else:
        lx.emit("identifier")
    return _lex_inside_action


def _lex_field(lx: _Lexer) -> _State:
    return _lex_field_or_variable(lx, "field")


def _lex_variable(lx: _Lexer) -> _State:
    return _lex_field_or_variable(lx, "variable")


def _lex_field_or_variable(lx: _Lexer, kind: Kind) -> _State:
    if lx.at_terminator():
        lx.emit("variable" if kind == "variable" else "dot")
        return _lex_inside_action
    while _is_alnum(lx.peek()):
        lx.pos += 1
    if not lx.at_terminator():
        lx.error(f"bad character {_go_u(lx.peek())}")
        return None
    lx.emit(kind)
    return _lex_inside_action


def _lex_char(lx: _Lexer) -> _State:
    return _lex_escaped(lx, "'", "char_constant", "unterminated character constant")


def _scan_number(lx: _Lexer) -> bool:
    lx.accept("+-")
    digits = "0123456789_"
    if lx.accept("0"):
        if lx.accept("xX"):
            digits = "0123456789abcdefABCDEF_"
        elif lx.accept("oO"):
            digits = "01234567_"
        elif lx.accept("bB"):
            digits = "01_"
    lx.accept_run(digits)
    if lx.accept("."):
        lx.accept_run(digits)
    if len(digits) == 11 and lx.accept("eE"):
        lx.accept("+-")
        lx.accept_run("0123456789_")
    if len(digits) == 23 and lx.accept("pP"):
        lx.accept("+-")
        lx.accept_run("0123456789_")
    lx.accept("i")
    if _is_alnum(lx.peek()):
        lx.pos += 1
        return False
    return True


def _lex_number(lx: _Lexer) -> _State:
    if not _scan_number(lx):
        lx.error(f"bad number syntax: {go_quote(lx.text[lx.start : lx.pos])}")
        return None
    if lx.peek() in ("+", "-") and lx.peek():
        if not _scan_number(lx) or lx.text[lx.pos - 1] != "i":
            lx.error(f"bad number syntax: {go_quote(lx.text[lx.start : lx.pos])}")
            return None
        lx.emit("complex")
    else:
        lx.emit("number")
    return _lex_inside_action


def _lex_quote(lx: _Lexer) -> _State:
    return _lex_escaped(lx, '"', "string", "unterminated quoted string")


def _lex_escaped(lx: _Lexer, close: str, kind: Kind, unterminated: str) -> _State:
    """A backslash-escaped literal up to ``close`` on the same line."""
    while True:
        ch = lx.next()
        if ch == "\\":
            ch = lx.next()
            if ch not in ("", "\n"):
                continue
        if ch in ("", "\n"):
            lx.error(unterminated)
            return None
        if ch == close:
            break
    lx.emit(kind)
    return _lex_inside_action


def _lex_raw_quote(lx: _Lexer) -> _State:
    end = lx.text.find("`", lx.pos)
    if end < 0:
        lx.error("unterminated raw quoted string")
        return None
    lx.pos = end + 1
    lx.emit("raw_string")
    return _lex_inside_action


def lex(text: str) -> list[Item]:
    """Split template text into Go's tokens, ending with an ``eof`` or ``error`` item.

    >>> [i.kind for i in lex("a{{- .b -}}")]
    ['text', 'left', 'field', 'right', 'eof']
    """
    return _Lexer(text).run()
