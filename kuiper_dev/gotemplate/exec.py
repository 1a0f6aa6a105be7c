"""Executing a parsed template over one emission: Go's ``text/template/exec.go``.

:func:`parse` turns the text into a :class:`Template` once, when the rule is
created; :meth:`Template.execute` only walks the tree. Errors keep Go's wording
and point at the node that failed (``template: sink:1:2: executing "sink" at
<index . 5>: ...``), as eKuiper reports them.

A rendering is three layers, each using the one below: :class:`_Scope` (the
variables, and errors placed at the current node), :class:`_Evaluator` (the value of
a pipeline, command, field or function call) and :class:`_State` (the output and the
control flow: actions, ``if``/``with``, ``range``).
"""

from __future__ import annotations

from typing import Any, NoReturn

from ..errors import TemplateError, TemplateFuncError
from .fmt import GoInt, go_value, type_name
from .functions import GoFunc, Param, truth
from .nodes import (
    NAME,
    Action,
    Bool,
    Break,
    Chain,
    Command,
    Continue,
    Dot,
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
from .parser import parse_tree

__all__ = ["Template", "parse"]


class _Missing:
    """Go's ``missingVal``: no value was piped into this command."""


_MISSING: Any = _Missing()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_GO_PARAM = {"string": "string", "int": "int", "bool": "bool", "any": "interface {}"}


class _Scope:
    """The variable stack, and errors that point at the node being executed."""

    def __init__(self, text: str, data: Any) -> None:
        self.text = text
        self.root = data
        self.vars: list[list[Any]] = [["$", data]]
        self.node: Node | None = None

    def fail(self, message: str) -> NoReturn:
        if self.node is None:
            raise TemplateError(f"template: {NAME}: {message}")
        pos = self.node.pos
        line_start = self.text.rfind("\n", 0, pos) + 1
        line = self.text.count("\n", 0, pos) + 1
        col = len(self.text[line_start:pos].encode())  # Go counts bytes from 0
        raise TemplateError(
            f'template: {NAME}:{line}:{col}: executing "{NAME}" at <{self.node}>: {message}',
            text=self.text,
            pos=pos,
        )

    def var_value(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.fail(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.fail(f"undefined variable: {name}")


class _Evaluator(_Scope):
    """Values: pipelines, commands, fields, function calls and their arguments."""

    def eval_pipeline(self, dot: Any, pipe: Pipe) -> Any:
        self.node = pipe
        value = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for name in pipe.decls:
            if pipe.is_assign:
                self.set_var(name, value)
            else:
                self.vars.append([name, value])
        return value

    def not_a_function(self, args: list[Node], final: Any) -> None:
        if len(args) > 1 or final is not _MISSING:
            self.fail(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: Command, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, Field):
            self.node = first
            return self.eval_field_chain(dot, dot, first, first.idents, cmd.args, final)
        if isinstance(first, Chain):
            return self.eval_chain(dot, first, cmd.args, final)
        if isinstance(first, Identifier):
            return self.eval_call(dot, first, cmd, cmd.args, final)
        if isinstance(first, Pipe):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, Variable):
            return self.eval_variable(dot, first, cmd.args, final)
        self.node = first
        self.not_a_function(cmd.args, final)
        if isinstance(first, Dot):
            return dot
        if isinstance(first, Nil):
            self.fail("nil is not a command")
        if isinstance(first, Bool | Literal):
            return first.value
        self.fail(f"can't evaluate command {first}")

    def eval_chain(self, dot: Any, chain: Chain, args: list[Node] | None, final: Any) -> Any:
        self.node = chain
        if isinstance(chain.node, Nil):
            self.fail(f"indirection through explicit nil in {chain}")
        receiver = self.eval_arg(dot, "any", chain.node)
        self.node = chain
        return self.eval_field_chain(dot, receiver, chain, chain.fields, args, final)

    def eval_variable(self, dot: Any, var: Variable, args: list[Node] | None, final: Any) -> Any:
        self.node = var
        value = self.var_value(var.idents[0])
        if len(var.idents) == 1:
            self.not_a_function(args or [var], final)
            return value
        return self.eval_field_chain(dot, value, var, var.idents[1:], args, final)

    def eval_field_chain(
        self,
        dot: Any,
        receiver: Any,
        node: Node,
        idents: tuple[str, ...],
        args: list[Node] | None,
        final: Any,
    ) -> Any:
        # Values looked up in a map are interface{} in Go; only the first receiver of a
        # chain has its own type in "can't evaluate field" messages.
        static = self._static_type(receiver)
        for name in idents[:-1]:
            receiver = self.eval_field(name, None, _MISSING, receiver, static)
            static = "interface {}"
        return self.eval_field(idents[-1], args, final, receiver, static)

    def _static_type(self, receiver: Any) -> str:
        if receiver is self.root and isinstance(receiver, list):
            if all(isinstance(x, dict) for x in receiver):
                return "[]map[string]interface {}"
        return type_name(receiver)

    def eval_field(
        self, name: str, args: list[Node] | None, final: Any, receiver: Any, static: str
    ) -> Any:
        if receiver is None:
            return None
        if isinstance(receiver, dict):
            if (args is not None and len(args) > 1) or final is not _MISSING:
                self.fail(f"{name} is not a method but has arguments")
            return receiver.get(name)
        self.fail(f"can't evaluate field {name} in type {static}")

    def eval_call(
        self, dot: Any, ident: Identifier, node: Node, args: list[Node] | None, final: Any
    ) -> Any:
        self.node = ident
        fn = ident.func
        rest = args[1:] if args else []
        num_in = len(rest) + (final is not _MISSING)
        if fn.variadic is not None:
            if num_in < len(fn.params):
                self.fail(
                    f"wrong number of args for {fn.name}: want at least {len(fn.params)} "
                    f"got {len(rest)}"
                )
        elif num_in != len(fn.params):
            self.fail(f"wrong number of args for {fn.name}: want {len(fn.params)} got {num_in}")
        if fn.name in ("and", "or"):
            # Go's and/or stop at the first argument that decides the result.
            value: Any = None
            for arg in rest:
                value = self.eval_arg(dot, "any", arg)
                if truth(value) == (fn.name == "or"):
                    return value
            return final if final is not _MISSING else value
        argv = [self.eval_arg(dot, _param(fn, i), arg) for i, arg in enumerate(rest)]
        if final is not _MISSING:
            argv.append(self.validate(final, _param(fn, len(argv))))
        try:
            return fn.impl(*argv)
        except TemplateFuncError as e:
            self.node = node
            self.fail(f"error calling {fn.name}: {e}")

    def eval_arg(self, dot: Any, typ: Param, n: Node) -> Any:
        self.node = n
        if isinstance(n, Dot):
            return self.validate(dot, typ)
        if isinstance(n, Nil):
            if typ != "any":
                self.fail(f"cannot assign nil to {_GO_PARAM[typ]}")
            return None
        if isinstance(n, Field):
            return self.validate(self.eval_field_chain(dot, dot, n, n.idents, [n], _MISSING), typ)
        if isinstance(n, Variable):
            return self.validate(self.eval_variable(dot, n, None, _MISSING), typ)
        if isinstance(n, Pipe):
            return self.validate(self.eval_pipeline(dot, n), typ)
        if isinstance(n, Identifier):
            return self.validate(self.eval_call(dot, n, n, None, _MISSING), typ)
        if isinstance(n, Chain):
            return self.validate(self.eval_chain(dot, n, None, _MISSING), typ)
        if isinstance(n, Bool | Literal):
            value = n.value
            if typ == "string" and not isinstance(value, str):
                self.fail(f"expected string; found {n}")
            if typ == "int" and not _is_int(value):
                self.fail(f"expected integer; found {n}")
            if typ == "bool" and not isinstance(value, bool):
                self.fail(f"expected bool; found {n}")
            return value
        self.fail(f"can't handle {n} for arg of type {_GO_PARAM[typ]}")

    def validate(self, value: Any, typ: Param) -> Any:
        if typ == "any":
            return value
        if value is None:
            self.fail(f"invalid value; expected {_GO_PARAM[typ]}")
        ok = {"string": isinstance(value, str), "bool": isinstance(value, bool)}.get(typ)
        if ok is None:
            ok = _is_int(value)
        if not ok:
            self.fail(f"wrong type for value; expected {_GO_PARAM[typ]}; got {type_name(value)}")
        return value


class _State(_Evaluator):
    """One rendering: the output, and the control flow (actions, if/with, range)."""

    def __init__(self, text: str, data: Any) -> None:
        super().__init__(text, data)
        self.out: list[str] = []

    def walk(self, dot: Any, node: Node) -> None:
        self.node = node
        if isinstance(node, Text):
            self.out.append(node.text)
        elif isinstance(node, Action):
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decls:
                self.node = node
                self.out.append("<no value>" if value is None else go_value(value))
        elif isinstance(node, ListNode):
            for child in node.nodes:
                self.walk(dot, child)
        elif isinstance(node, IfWith):
            mark = len(self.vars)
            value = self.eval_pipeline(dot, node.pipe)
            if truth(value):
                self.walk(value if node.keyword == "with" else dot, node.body)
            elif node.else_body is not None:
                self.walk(dot, node.else_body)
            del self.vars[mark:]
        elif isinstance(node, Range):
            mark = len(self.vars)
            try:
                self.walk_range(dot, node)
            except _Break:
                pass
            del self.vars[mark:]
        elif isinstance(node, Break):
            raise _Break
        elif isinstance(node, Continue):
            raise _Continue

    def walk_range(self, dot: Any, r: Range) -> None:
        value = self.eval_pipeline(dot, r.pipe)
        mark = len(self.vars)
        decls, assign = r.pipe.decls, r.pipe.is_assign

        def one(index: Any, elem: Any) -> None:
            if decls:
                if assign:
                    self.set_var(decls[0], index if len(decls) > 1 else elem)
                else:
                    self.vars[-1][1] = elem
            if len(decls) > 1:
                if assign:
                    self.set_var(decls[1], elem)
                else:
                    self.vars[-2][1] = index
            try:
                self.walk(elem, r.body)
            except _Continue:
                pass
            del self.vars[mark:]

        if isinstance(value, list) and value:
            for i, elem in enumerate(value):
                one(_int(i), elem)
            return
        if isinstance(value, dict) and value:
            for key in sorted(value):
                one(key, value[key])
            return
        if _is_int(value):
            if len(decls) > 1:
                self.node = r
                self.fail(f"can't use {value} to iterate over more than one variable")
            for i in range(value):
                one(_int(i), _int(i))
            if value > 0:
                return
        elif value is not None and not isinstance(value, list | dict):
            self.node = r
            self.fail(f"range can't iterate over {go_value(value)}")
        if r.else_body is not None:
            self.walk(dot, r.else_body)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int(i: int) -> Any:
    return GoInt(i)


def _param(fn: GoFunc, i: int) -> Param:
    if i < len(fn.params):
        return fn.params[i]
    return fn.variadic or "any"


class Template:
    """A parsed sink template; execute it over each emission."""

    __slots__ = ("_root", "source")

    def __init__(self, source: str, root: ListNode) -> None:
        self.source = source
        self._root = root

    def __repr__(self) -> str:
        return f"Template({self.source!r})"

    def execute(self, data: Any) -> str:
        """The text for ``data``: a list of row maps, or one map when ``sendSingle``.

        >>> parse('{"t":{{.t}},"ok":{{if gt .t 20.0}}true{{else}}false{{end}}}').execute({"t": 21.5})
        '{"t":21.5,"ok":true}'
        """
        state = _State(self.source, data)
        try:
            state.walk(data, self._root)
        except (_Break, _Continue):  # pragma: no cover - the parser keeps them in ranges
            pass
        return "".join(state.out)


def parse(text: str) -> Template:
    """Parse a sink ``dataTemplate`` once, when the rule is created.

    >>> parse("{{range .}}{{.a}},{{end}}").execute([{"a": 1.0}, {"a": 2.5}])
    '1,2.5,'
    >>> try:
    ...     parse("{{.a | frob}}")
    ... except TemplateError as e:
    ...     print(e.message)
    template: sink:1: function "frob" not defined
    """
    return Template(text, parse_tree(text))
