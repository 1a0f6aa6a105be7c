"""The parser of Go's text/template.

One ``_parse_*`` method per grammar rule of Go's ``text/template/parse/parse.go``, so
that what parses (and the error for what does not) matches eKuiper. Functions are
resolved here, once, so rendering never looks a name up.

The rules come in two layers over a token cursor (:class:`_TokenStream`): pipelines
and their commands and operands (:class:`_PipelineParser`), and the statements made
of them (:class:`_Parser`: text, actions, ``if``/``with``/``range``).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from ..errors import TemplateError
from .fmt import GoInt, go_quote
from .functions import FUNCS, UNSUPPORTED_NAMES, GoFunc
from .lexer import Item, lex
from .nodes import (
    NAME,
    Action,
    Bool,
    Break,
    Chain,
    Command,
    Continue,
    Dot,
    Else,
    End,
    Field,
    Identifier,
    IfWith,
    ListNode,
    Literal,
    Nil,
    Node,
    Pipe,
    Range,
    Text,
    Variable,
)

__all__ = ["parse_tree"]


# --- literals -------------------------------------------------------------------------

_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
}
_ESCAPE = re.compile(
    r"\\(?:([abfnrtv\\'\"])|([0-7]{3})|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))"
)


def _unquote(text: str) -> str | None:
    """``strconv.Unquote`` for "…", `…` and '…'; None where Go says invalid syntax."""
    quote, body = text[0], text[1:-1]
    if quote == "`":
        return body.replace("\r", "")
    out: list[str] = []
    i = 0
    raw_bytes = bytearray()
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            if ch == quote:
                return None
            out.append(ch)
            i += 1
            continue
        m = _ESCAPE.match(body, i)
        if m is None:
            return None
        simple, octal, hex2, u4, u8 = m.groups()
        if simple is not None:
            if simple in "'\"" and simple != quote:
                return None
            out.append(_SIMPLE_ESCAPES.get(simple, simple))
        elif octal is not None or hex2 is not None:
            value = int(octal, 8) if octal is not None else int(hex2, 16)
            if value > 255:
                return None
            raw_bytes.append(value)
            # \xNN and \NNN are bytes: decode runs of them as UTF-8 like Go's string would.
            nxt = body[m.end() : m.end() + 2]
            if not (nxt.startswith("\\x") or re.match(r"\\[0-7]", nxt)):
                out.append(raw_bytes.decode("utf-8", errors="replace"))
                raw_bytes.clear()
        else:
            code = int(u4 or u8, 16)
            if code > 0x10FFFF or 0xD800 <= code < 0xE000:
                return None
            out.append(chr(code))
        i = m.end()
    if raw_bytes:
        out.append(raw_bytes.decode("utf-8", errors="replace"))
    result = "".join(out)
    if quote == "'" and len(result) != 1:
        return None
    return result


_OCTAL = re.compile(r"[+-]?0[0-7_]+")
_INT64_MAX = (1 << 63) - 1


def _parse_number(text: str) -> Any:
    """A number as Go's idealConstant types it: int unless it looks like a float."""
    if _OCTAL.fullmatch(text):
        try:
            return GoInt(int(text.replace("_", ""), 8))
        except ValueError:
            return None
    is_hex = text.lstrip("+-")[:2].lower() == "0x"
    looks_float = any(c in text for c in ".pP") or (not is_hex and any(c in text for c in "eE"))
    if not looks_float:
        try:
            value = int(text, 0)
        except ValueError:
            return None
        if not -_INT64_MAX - 1 <= value <= _INT64_MAX:
            raise ValueError(f"{text} overflows int")
        return GoInt(value)
    try:
        return float.fromhex(text.replace("_", "")) if is_hex else float(text)
    except ValueError:
        return None


# --- the parser -----------------------------------------------------------------------


class _TokenStream:
    """The lexed tokens, a cursor over them, and errors worded and placed as Go's."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.items = lex(text)
        self.i = 0
        self.line = 1
        self.pos = 0
        self.action_line = 0

    def error(self, message: str) -> TemplateError:
        return TemplateError(
            f"template: {NAME}:{self.line}: {message}", text=self.text, pos=self.pos
        )

    def next(self) -> Item:
        item = self.items[min(self.i, len(self.items) - 1)]
        self.i += 1
        self.line, self.pos = item.line, item.pos
        return item

    def backup(self, n: int = 1) -> None:
        self.i -= n

    def peek(self) -> Item:
        return self.items[min(self.i, len(self.items) - 1)]

    def next_non_space(self) -> Item:
        item = self.next()
        while item.kind == "space":
            item = self.next()
        return item

    def peek_non_space(self) -> Item:
        j = self.i
        while self.items[j].kind == "space":
            j += 1
        return self.items[j]

    def unexpected(self, item: Item, context: str) -> TemplateError:
        if item.kind == "error":
            extra = ""
            if self.action_line and self.action_line != item.line:
                extra = f" in action started at {NAME}:{self.action_line}"
                if item.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            return self.error(f"{item}{extra}")
        return self.error(f"unexpected {item} in {context}")

    def expect(self, kind: str, context: str) -> Item:
        item = self.next_non_space()
        if item.kind != kind:
            raise self.unexpected(item, context)
        return item


_OPERAND_START = frozenset(
    [
        "bool",
        "char_constant",
        "complex",
        "dot",
        "field",
        "identifier",
        "number",
        "nil",
        "raw_string",
        "string",
        "variable",
        "left_paren",
    ]
)


class _PipelineParser(_TokenStream):
    """Pipelines and what they are made of: declarations, commands, operands, terms.

    It declares and resolves variables, so it owns the stack of names in scope; the
    statements that open a scope (:class:`_Parser`) truncate it when they close.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.vars = ["$"]

    # pipeline: declarations? command ('|' command)*

    def _parse_pipeline(self, context: str, end: str) -> Pipe:
        pipe = Pipe(self.peek_non_space().pos)
        while self.peek_non_space().kind == "variable":
            start = self.i
            var = self.next_non_space()
            nxt = self.peek_non_space()
            if nxt.kind in ("assign", "declare"):
                pipe.is_assign = nxt.kind == "assign"
                self.next_non_space()
                pipe.decls.append(var.val)
                self.vars.append(var.val)
                break
            if nxt.kind == "char" and nxt.val == ",":
                self.next_non_space()
                pipe.decls.append(var.val)
                self.vars.append(var.val)
                if context == "range" and len(pipe.decls) < 2:
                    if self.peek_non_space().kind in ("variable", "right", "right_paren"):
                        continue
                    raise self.error("range can only initialize variables")
                raise self.error(f"too many declarations in {context}")
            self.i = start
            break
        while True:
            item = self.next_non_space()
            if item.kind == end:
                self._check_pipeline(pipe, context)
                return pipe
            if item.kind in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self._parse_command())
            else:
                raise self.unexpected(item, context)

    def _check_pipeline(self, pipe: Pipe, context: str) -> None:
        if not pipe.cmds:
            raise self.error(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], Bool | Dot | Nil | Literal):
                raise self.error(f"non executable command in pipeline stage {i + 2}")

    def _parse_command(self) -> Command:
        cmd = Command(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self._parse_operand()
            if operand is not None:
                cmd.args.append(operand)
            item = self.next()
            if item.kind == "space":
                continue
            if item.kind in ("right", "right_paren"):
                self.backup()
            elif item.kind != "pipe":
                raise self.unexpected(item, "operand")
            break
        if not cmd.args:
            raise self.error("empty command")
        return cmd

    def _parse_operand(self) -> Node | None:
        node = self._parse_term()
        if node is None or self.peek().kind != "field":
            return node
        fields: list[str] = []
        while self.peek().kind == "field":
            fields.append(self.next().val[1:])
        if isinstance(node, Field):
            return Field(node.pos, (*node.idents, *fields))
        if isinstance(node, Variable):
            return Variable(node.pos, (*node.idents, *fields))
        if isinstance(node, Bool | Literal | Nil | Dot):
            raise self.error(f"unexpected . after term {go_quote(str(node))}")
        return Chain(node.pos, node, tuple(fields))

    def _parse_term(self) -> Node | None:
        item = self.next_non_space()
        kind = item.kind
        if kind == "identifier":
            return Identifier(item.pos, item.val, self._function(item.val))
        if kind == "dot":
            return Dot(item.pos)
        if kind == "nil":
            return Nil(item.pos)
        if kind == "variable":
            return self._use_var(item)
        if kind == "field":
            return Field(item.pos, (item.val[1:],))
        if kind == "bool":
            return Bool(item.pos, item.val == "true")
        if kind == "complex":
            raise self.error(f"complex number {item.val} is not supported by kuiper_dev yet")
        if kind in ("number", "char_constant"):
            return Literal(item.pos, self._number(item), item.val)
        if kind == "left_paren":
            return self._parse_pipeline("parenthesized pipeline", "right_paren")
        if kind in ("string", "raw_string"):
            value = _unquote(item.val)
            if value is None:
                raise self.error("invalid syntax")
            return Literal(item.pos, value, item.val)
        self.backup()
        return None

    def _number(self, item: Item) -> Any:
        if item.kind == "char_constant":
            char = _unquote(item.val)
            if char is None:
                raise self.error("invalid syntax")
            return GoInt(ord(char))
        try:
            value = _parse_number(item.val)
        except ValueError as e:
            raise self.error(str(e)) from None
        if value is None:
            raise self.error(f"illegal number syntax: {go_quote(item.val)}")
        return value

    def _use_var(self, item: Item) -> Variable:
        idents = tuple(item.val.split("."))
        if idents[0] not in self.vars:
            hint = difflib.get_close_matches(idents[0], self.vars, n=1)
            fix = f"; did you mean {go_quote(hint[0])}?" if hint else ""
            raise self.error(f"undefined variable {go_quote(idents[0])}{fix}")
        return Variable(item.pos, idents)

    def _function(self, name: str) -> GoFunc:
        func = FUNCS.get(name)
        if func is not None:
            return func
        if name in UNSUPPORTED_NAMES:
            raise self.error(
                f"function {go_quote(name)} is not supported by kuiper_dev yet "
                "(eKuiper has it); rewrite the template with the functions listed in "
                "kuiper_dev.gotemplate's docstring"
            )
        hint = difflib.get_close_matches(name, [*FUNCS, *UNSUPPORTED_NAMES], n=1)
        fix = f"; did you mean {go_quote(hint[0])}?" if hint else ""
        raise self.error(f"function {go_quote(name)} not defined{fix}")


class _Parser(_PipelineParser):
    """The template and its statements: text, actions, if/with/range and their ends."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.range_depth = 0

    # template: (text | action)*

    def parse(self) -> ListNode:
        root = ListNode(0)
        while self.peek().kind != "eof":
            node = self._parse_text_or_action()
            if isinstance(node, End | Else):
                raise self.error(f"unexpected {node}")
            if node is not None:
                root.nodes.append(node)
        return root

    def _parse_item_list(self) -> tuple[ListNode, Node]:
        nodes = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().kind != "eof":
            node = self._parse_text_or_action()
            if isinstance(node, End | Else):
                return nodes, node
            if node is not None:
                nodes.nodes.append(node)
        raise self.error("unexpected EOF")

    def _parse_text_or_action(self) -> Node | None:
        item = self.next_non_space()
        if item.kind == "text":
            return Text(item.pos, item.val)
        if item.kind == "left":
            self.action_line = item.line
            try:
                return self._parse_action()
            finally:
                self.action_line = 0
        raise self.unexpected(item, "input")

    def _parse_action(self) -> Node | None:
        item = self.next_non_space()
        if item.kind == "keyword":
            kw = item.val
            if kw in ("define", "template", "block"):
                raise self.error(
                    f"{{{{{kw}}}}} is not supported by kuiper_dev yet: "
                    "a sink dataTemplate is a single template; inline the text instead"
                )
            if kw in ("break", "continue"):
                end = self.next_non_space()
                if end.kind != "right":
                    raise self.unexpected(end, f"{{{{{kw}}}}}")
                if self.range_depth == 0:
                    raise self.error(f"{{{{{kw}}}}} outside {{{{range}}}}")
                return Break(item.pos) if kw == "break" else Continue(item.pos)
            if kw == "else":
                nxt = self.peek_non_space()
                if nxt.kind == "keyword" and nxt.val in ("if", "with"):
                    return Else(nxt.pos)
                return Else(self.expect("right", "else").pos)
            if kw == "end":
                return End(self.expect("right", "end").pos)
            if kw in ("if", "with"):
                return self._parse_if_with(kw)
            if kw == "range":
                return self._parse_range()
        self.backup()
        return Action(self.peek().pos, self._parse_pipeline("command", "right"))

    def _parse_control(self, context: str) -> tuple[Pipe, ListNode, ListNode | None]:
        mark = len(self.vars)
        try:
            pipe = self._parse_pipeline(context, "right")
            if context == "range":
                self.range_depth += 1
            body, nxt = self._parse_item_list()
            if context == "range":
                self.range_depth -= 1
            else_body: ListNode | None = None
            if isinstance(nxt, Else):
                ahead = self.peek_non_space()
                if context in ("if", "with") and ahead.kind == "keyword" and ahead.val == context:
                    # {{else if x}} is {{else}}{{if x}}...{{end}}{{end}} with the inner end shared.
                    self.next_non_space()
                    else_body = ListNode(nxt.pos, [self._parse_if_with(context)])
                else:
                    else_body, end = self._parse_item_list()
                    if not isinstance(end, End):
                        raise self.error(f"expected end; found {end}")
            return pipe, body, else_body
        finally:
            del self.vars[mark:]

    def _parse_if_with(self, keyword: str) -> IfWith:
        pos = self.peek_non_space().pos
        pipe, body, else_body = self._parse_control(keyword)
        return IfWith(pos, keyword, pipe, body, else_body)

    def _parse_range(self) -> Range:
        pos = self.peek_non_space().pos
        pipe, body, else_body = self._parse_control("range")
        return Range(pos, pipe, body, else_body)


def parse_tree(text: str) -> ListNode:
    """Parse template text into its node tree, or raise :class:`TemplateError`.

    >>> [type(n).__name__ for n in parse_tree("a{{.b}}").nodes]
    ['Text', 'Action']
    """
    return _Parser(text).parse()
