"""The node tree of a parsed sink template.

A node's ``str()`` is Go's ``Node.String()``: execution errors quote it as their
context (``executing "sink" at <index . 5>``), as eKuiper's do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .functions import GoFunc

__all__ = [
    "NAME",
    "Action",
    "Bool",
    "Break",
    "Chain",
    "Command",
    "Continue",
    "Dot",
    "Else",
    "End",
    "Field",
    "Identifier",
    "IfWith",
    "ListNode",
    "Literal",
    "Nil",
    "Node",
    "Pipe",
    "Range",
    "Text",
    "Variable",
]

NAME = "sink"  # eKuiper names every sink template "sink" (transform.GenTp)


@dataclass(eq=False)
class Node:
    """A parsed piece of template; ``pos`` is its character offset in the text."""

    pos: int


@dataclass(eq=False)
class Text(Node):
    text: str


@dataclass(eq=False)
class Dot(Node):
    def __str__(self) -> str:
        return "."


@dataclass(eq=False)
class Nil(Node):
    def __str__(self) -> str:
        return "nil"


@dataclass(eq=False)
class Bool(Node):
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(eq=False)
class Literal(Node):
    """A number or string constant; ``text`` is how it was written."""

    value: Any
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class Field(Node):
    idents: tuple[str, ...]

    def __str__(self) -> str:
        return "".join("." + i for i in self.idents)


@dataclass(eq=False)
class Variable(Node):
    idents: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.idents)


@dataclass(eq=False)
class Identifier(Node):
    name: str
    func: GoFunc

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class Chain(Node):
    node: Node
    fields: tuple[str, ...]

    def __str__(self) -> str:
        base = f"({self.node})" if isinstance(self.node, Pipe) else str(self.node)
        return base + "".join("." + f for f in self.fields)


@dataclass(eq=False)
class Command(Node):
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, Pipe) else str(a) for a in self.args)


@dataclass(eq=False)
class Pipe(Node):
    decls: list[str] = field(default_factory=list)
    is_assign: bool = False
    cmds: list[Command] = field(default_factory=list)

    def __str__(self) -> str:
        head = ""
        if self.decls:
            head = ", ".join(self.decls) + (" = " if self.is_assign else " := ")
        return head + " | ".join(str(c) for c in self.cmds)


@dataclass(eq=False)
class ListNode(Node):
    nodes: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Action(Node):
    pipe: Pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(eq=False)
class IfWith(Node):
    """``{{if}}`` or ``{{with}}``: identical but for ``with`` moving dot."""

    keyword: str
    pipe: Pipe
    body: ListNode
    else_body: ListNode | None

    def __str__(self) -> str:
        return "{{" + self.keyword + " " + str(self.pipe) + "}}"


@dataclass(eq=False)
class Range(Node):
    pipe: Pipe
    body: ListNode
    else_body: ListNode | None

    def __str__(self) -> str:
        return "{{range " + str(self.pipe) + "}}"


@dataclass(eq=False)
class Break(Node):
    def __str__(self) -> str:
        return "{{break}}"


@dataclass(eq=False)
class Continue(Node):
    def __str__(self) -> str:
        return "{{continue}}"


@dataclass(eq=False)
class End(Node):
    def __str__(self) -> str:
        return "{{end}}"


@dataclass(eq=False)
class Else(Node):
    def __str__(self) -> str:
        return "{{else}}"
