"""Syntax tree of eKuiper SQL: immutable nodes that compare by value.

Value equality is what the generative round trip ``parse(render(ast)) == ast``
relies on; immutability lets the compiler cache per node. Node and field names
are a contract with the engine's compiler: add fields only with defaults.

Every node records where its first token is (:attr:`Node.pos`, 1-based line
and column) so that errors found after parsing can point into the text. The
place is keyword-only and left out of equality, hashing, ``repr`` and
``__match_args__``: the same expression written elsewhere is the same node,
``case FieldRef(name, stream)`` patterns are unchanged, and nodes built by hand
(``BinaryExpr("AND", a, b)``) sit at :data:`NOWHERE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal, NamedTuple, TypeAlias

__all__ = [
    "BetweenExpr",
    "BinaryExpr",
    "BooleanLiteral",
    "Call",
    "CaseExpr",
    "ColumnDef",
    "CreateStream",
    "DescribeStream",
    "DropStream",
    "ExplainStream",
    "Expr",
    "Field",
    "FieldRef",
    "IndexExpr",
    "IntegerLiteral",
    "Join",
    "JoinKind",
    "JsonFieldRef",
    "NOWHERE",
    "Node",
    "NumberLiteral",
    "ParenExpr",
    "Pos",
    "Select",
    "ShowStreams",
    "SliceExpr",
    "SortField",
    "SourceKind",
    "Statement",
    "StringLiteral",
    "TimeLiteral",
    "TimeUnit",
    "ValueSet",
    "WhenClause",
    "Wildcard",
    "Window",
    "WindowKind",
]

TimeUnit: TypeAlias = Literal["DD", "HH", "MI", "SS", "MS"]
WindowKind: TypeAlias = Literal["tumbling", "hopping", "sliding", "session", "count", "state"]
JoinKind: TypeAlias = Literal["INNER", "LEFT", "RIGHT", "FULL", "CROSS"]
SourceKind: TypeAlias = Literal["stream", "table"]


class Pos(NamedTuple):
    """A 1-based line and column in the SQL text."""

    line: int
    column: int


# line 0: no place, as for nodes the engine builds; errors then show no caret
NOWHERE: Final = Pos(0, 0)


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every node: ``pos`` is where its first token starts.

    >>> from kuiper_dev.sql import parse_expr
    >>> parse_expr("a +\\n  f(b)").rhs.pos
    Pos(line=2, column=3)
    """

    pos: Pos = field(default=NOWHERE, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class IntegerLiteral(Node):
    value: int


@dataclass(frozen=True, slots=True)
class NumberLiteral(Node):
    value: float


@dataclass(frozen=True, slots=True)
class StringLiteral(Node):
    value: str


@dataclass(frozen=True, slots=True)
class BooleanLiteral(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class TimeLiteral(Node):
    """A time unit keyword (``ss``, ``ms`` …) as written in window arguments."""

    unit: TimeUnit


@dataclass(frozen=True, slots=True)
class FieldRef(Node):
    """``name`` or ``stream.name``; ``stream`` is None when not qualified.

    ``stream`` is always a source name or alias of the statement: eKuiper reads
    ``a.b`` with ``a`` not a source as the JSON path ``a->b``.
    """

    name: str
    stream: str | None = None


@dataclass(frozen=True, slots=True)
class JsonFieldRef(Node):
    """The key on the right of ``->`` (``a->b``): a member of a map, not a column."""

    name: str


@dataclass(frozen=True, slots=True)
class Field(Node):
    """One item of the SELECT list (or of ``* REPLACE(...)``).

    ``name`` is the output key eKuiper gives it: the alias, the field's or the
    function's name, or ``kuiper_field_N`` for other unnamed expressions.
    ``invisible`` fields (``a AS x INVISIBLE``) are computed but not emitted.
    """

    expr: Expr
    name: str
    alias: str | None = None
    invisible: bool = False


@dataclass(frozen=True, slots=True)
class Wildcard(Node):
    """``*`` or ``stream.*``, with eKuiper's ``EXCEPT(a, b)`` and ``REPLACE(expr AS c)``."""

    except_: tuple[str, ...] = ()
    replace: tuple[Field, ...] = ()
    stream: str | None = None


@dataclass(frozen=True, slots=True)
class ParenExpr(Node):
    expr: Expr


@dataclass(frozen=True, slots=True)
class BinaryExpr(Node):
    """``lhs op rhs``; ``op`` is the upper-case operator text (``AND``, ``NOT IN``, ``+``, ``->``)."""

    op: str
    lhs: Expr
    rhs: Expr


@dataclass(frozen=True, slots=True)
class BetweenExpr(Node):
    """The right side of ``x BETWEEN lower AND higher``."""

    lower: Expr
    higher: Expr


@dataclass(frozen=True, slots=True)
class ValueSet(Node):
    """The right side of ``x IN (a, b, c)``."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class IndexExpr(Node):
    """``expr[index]``; a negative index counts from the end, as in eKuiper."""

    expr: Expr
    index: Expr


@dataclass(frozen=True, slots=True)
class SliceExpr(Node):
    """``expr[start:end]``; None stands for an omitted bound (``a[:2]``, ``a[1:]``, ``a[:]``)."""

    expr: Expr
    start: Expr | None = None
    end: Expr | None = None


@dataclass(frozen=True, slots=True)
class WhenClause(Node):
    cond: Expr
    result: Expr


@dataclass(frozen=True, slots=True)
class CaseExpr(Node):
    """``CASE [value] WHEN .. THEN .. [ELSE ..] END``.

    Without ``value`` each ``cond`` is a boolean condition; with it each ``cond``
    is compared to ``value``.
    """

    value: Expr | None
    whens: tuple[WhenClause, ...]
    else_: Expr | None = None


@dataclass(frozen=True, slots=True)
class SortField(Node):
    expr: Expr
    ascending: bool = True


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A function call; ``name`` keeps the spelling written (the binder folds case).

    ``partition`` and ``when`` come from ``OVER (PARTITION BY .. WHEN ..)`` on the
    analytic functions; ``order_by`` from ``OVER (.. ORDER BY ..)`` on the window
    function ``row_number``.
    """

    name: str
    args: tuple[Expr, ...] = ()
    partition: tuple[Expr, ...] = ()
    when: Expr | None = None
    order_by: tuple[SortField, ...] = ()


Expr: TypeAlias = (
    IntegerLiteral
    | NumberLiteral
    | StringLiteral
    | BooleanLiteral
    | TimeLiteral
    | FieldRef
    | JsonFieldRef
    | Wildcard
    | ParenExpr
    | BinaryExpr
    | BetweenExpr
    | ValueSet
    | IndexExpr
    | SliceExpr
    | CaseExpr
    | Call
)


@dataclass(frozen=True, slots=True)
class Window(Node):
    """The window of a GROUP BY (``docs/en_US/sqls/windows.md``).

    ``unit`` and ``length`` are the first two arguments of a time window;
    ``interval`` is the third argument, None when not given: the hop of a hopping
    window, the delay of a sliding window, the timeout of a session window
    (whose ``length`` is its maximum duration, as eKuiper's window operator reads
    ``SESSIONWINDOW(unit, max_duration, timeout)``); for a count window
    ``length`` and ``interval`` are its two arguments. A two-condition ``statewindow(b, e)`` sets
    ``begin`` and ``end``; the single-condition ``statewindow(c)`` sets ``begin``
    only. ``filter`` is ``FILTER(WHERE ..)``, ``trigger`` and ``partition`` come
    from ``OVER (WHEN .. PARTITION BY ..)``. ``raw`` is the call as written.
    """

    kind: WindowKind
    unit: TimeUnit | None = None
    length: int | None = None
    interval: int | None = None
    begin: Expr | None = None
    end: Expr | None = None
    filter: Expr | None = None
    trigger: Expr | None = None
    partition: tuple[Expr, ...] = ()
    raw: Call | None = None


@dataclass(frozen=True, slots=True)
class Join(Node):
    """``kind JOIN source [AS alias] [ON expr]``; ``source`` is a stream or table name.

    ``source_pos`` is where the name starts (``pos`` is the join keyword's).
    """

    kind: JoinKind
    source: str
    alias: str | None = None
    on: Expr | None = None
    source_pos: Pos = field(default=NOWHERE, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Select(Node):
    """A rule's query. ``group_by`` holds the dimensions; the window is apart in ``window``.

    ``source_pos`` is where the FROM name starts, for errors about the stream.
    """

    fields: tuple[Field, ...]
    source: str
    source_alias: str | None = None
    where: Expr | None = None
    joins: tuple[Join, ...] = ()
    group_by: tuple[Expr, ...] = ()
    window: Window | None = None
    having: Expr | None = None
    order_by: tuple[SortField, ...] = ()
    limit: int | None = None
    source_pos: Pos = field(default=NOWHERE, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ColumnDef(Node):
    """A typed column of a stream; ``type`` is the eKuiper type name in lower case.

    ``ARRAY(t)`` has ``type="array"`` and ``items`` the element type (a nameless
    ColumnDef); ``STRUCT(a BIGINT, ..)`` has ``type="struct"`` and ``fields``.
    ``default`` is the literal of a ``DEFAULT`` clause.
    """

    name: str
    type: str
    items: ColumnDef | None = None
    fields: tuple[ColumnDef, ...] = ()
    default: Expr | None = None


@dataclass(frozen=True, slots=True)
class CreateStream(Node):
    """``CREATE STREAM|TABLE name (cols) WITH (props)``; empty ``columns`` is schemaless.

    ``options`` keeps each WITH property once (the last value wins, as in
    eKuiper) under its upper-case key.
    """

    name: str
    columns: tuple[ColumnDef, ...] = ()
    options: tuple[tuple[str, str], ...] = field(default=())
    kind: str = "stream"

    def option(self, key: str, default: str | None = None) -> str | None:
        """A WITH property by case-insensitive name, as eKuiper reads them."""
        for k, v in reversed(self.options):
            if k.upper() == key.upper():
                return v
        return default


@dataclass(frozen=True, slots=True)
class DropStream(Node):
    """``DROP STREAM|TABLE name``."""

    name: str
    kind: SourceKind = "stream"


@dataclass(frozen=True, slots=True)
class ShowStreams(Node):
    """``SHOW STREAMS`` (kind ``stream``) or ``SHOW TABLES`` (kind ``table``)."""

    kind: SourceKind = "stream"


@dataclass(frozen=True, slots=True)
class DescribeStream(Node):
    """``DESCRIBE STREAM|TABLE name``."""

    name: str
    kind: SourceKind = "stream"


@dataclass(frozen=True, slots=True)
class ExplainStream(Node):
    """``EXPLAIN STREAM|TABLE name``."""

    name: str
    kind: SourceKind = "stream"


Statement: TypeAlias = (
    Select | CreateStream | DropStream | ShowStreams | DescribeStream | ExplainStream
)
