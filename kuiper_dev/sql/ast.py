"""Syntax tree of eKuiper SQL: immutable nodes that compare by value.

Value equality is what the generative round trip ``parse(render(ast)) == ast``
relies on; immutability lets the compiler cache per node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

__all__ = [
    "BetweenExpr",
    "BinaryExpr",
    "BooleanLiteral",
    "Call",
    "ColumnDef",
    "CreateStream",
    "Expr",
    "Field",
    "FieldRef",
    "IntegerLiteral",
    "NumberLiteral",
    "ParenExpr",
    "Select",
    "Statement",
    "StringLiteral",
    "ValueSet",
    "Wildcard",
]


@dataclass(frozen=True, slots=True)
class IntegerLiteral:
    value: int


@dataclass(frozen=True, slots=True)
class NumberLiteral:
    value: float


@dataclass(frozen=True, slots=True)
class StringLiteral:
    value: str


@dataclass(frozen=True, slots=True)
class BooleanLiteral:
    value: bool


@dataclass(frozen=True, slots=True)
class FieldRef:
    """``name`` or ``stream.name``; ``stream`` is None when not qualified."""

    name: str
    stream: str | None = None


@dataclass(frozen=True, slots=True)
class Wildcard:
    """``*`` in a field list."""


@dataclass(frozen=True, slots=True)
class ParenExpr:
    expr: Expr


@dataclass(frozen=True, slots=True)
class BinaryExpr:
    """``lhs op rhs``; ``op`` is the upper-case operator text (``AND``, ``NOT IN``, ``+``)."""

    op: str
    lhs: Expr
    rhs: Expr


@dataclass(frozen=True, slots=True)
class BetweenExpr:
    """The right side of ``x BETWEEN lower AND higher``."""

    lower: Expr
    higher: Expr


@dataclass(frozen=True, slots=True)
class ValueSet:
    """The right side of ``x IN (a, b, c)``."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; ``name`` is lower-cased for built-ins, as written otherwise."""

    name: str
    args: tuple[Expr, ...] = ()


Expr: TypeAlias = (
    IntegerLiteral
    | NumberLiteral
    | StringLiteral
    | BooleanLiteral
    | FieldRef
    | Wildcard
    | ParenExpr
    | BinaryExpr
    | BetweenExpr
    | ValueSet
    | Call
)


@dataclass(frozen=True, slots=True)
class Field:
    """One item of the SELECT list.

    ``name`` is the output key eKuiper gives it: the alias, the field's or the
    function's name, or ``kuiper_field_N`` for other unnamed expressions.
    """

    expr: Expr
    name: str
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class Select:
    fields: tuple[Field, ...]
    source: str
    source_alias: str | None = None
    where: Expr | None = None


@dataclass(frozen=True, slots=True)
class ColumnDef:
    """A typed column of a stream; ``type`` is the eKuiper type name in lower case."""

    name: str
    type: str


@dataclass(frozen=True, slots=True)
class CreateStream:
    """``CREATE STREAM|TABLE name (cols) WITH (props)``; empty ``columns`` is schemaless."""

    name: str
    columns: tuple[ColumnDef, ...] = ()
    options: tuple[tuple[str, str], ...] = field(default=())
    kind: str = "stream"

    def option(self, key: str, default: str | None = None) -> str | None:
        """A WITH property by case-insensitive name, as eKuiper reads them."""
        for k, v in self.options:
            if k.upper() == key.upper():
                return v
        return default


Statement: TypeAlias = Select | CreateStream
