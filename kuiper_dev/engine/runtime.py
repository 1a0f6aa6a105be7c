"""What compiled expressions read while a rule runs, and what they are compiled with.

:class:`Runtime` is the running rule's context (clock, current message, window
range, row position); :class:`Scope` is what names mean while one rule compiles;
:class:`Group` and :class:`FoldedGroup` are the two shapes an aggregate query's
expressions see: the rows of a group, or the accumulators folded from them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._types import Message
from ..sql import ast
from .binder import Binder

__all__ = [
    "CallSite",
    "Compiled",
    "FoldFailure",
    "FoldSpec",
    "FoldedGroup",
    "Folds",
    "Group",
    "Runtime",
    "Scope",
    "StampedRow",
]

Compiled = Callable[[Any], Any]
"""A compiled expression: takes a row (dict) or, for aggregate queries, a group."""


@dataclass(slots=True)
class Runtime:
    """What the running rule tells its compiled functions: clock, meta, window range."""

    now_ms: Callable[[], int] = lambda: 0
    message: Message | None = None  # the message being processed; its meta is read lazily
    window_start: int = 0
    window_end: int = 0
    event_time: int = 0
    rule_start: int = 0
    row_index: int = 0  # position of the row being projected in its result (row_number)
    meta_of: dict[str, Any] | None = None  # what meta() reads instead of the message's

    @property
    def meta(self) -> dict[str, Any]:
        """The current message's metadata as eKuiper's sources give it (topic, qos, ...)."""
        if self.meta_of is not None:
            return self.meta_of
        m = self.message
        if m is None:
            return {}
        return {"topic": m.topic, "qos": m.qos, **m.meta}


class StampedRow(dict[str, Any]):
    """A window row that remembers its own time and message, for rules whose
    ``event_time()`` or ``meta()`` read them per row after the window fires."""

    __slots__ = ("message", "ts")

    def __init__(self, row: dict[str, Any], ts: int, message: Message | None) -> None:
        super().__init__(row)
        self.ts = ts
        self.message = message


class Group:
    """Rows aggregated together: a window, or one GROUP BY group of it.

    Plain field references read the group's first row, as eKuiper's aggregate
    valuer does; aggregate functions see every row.
    """

    __slots__ = ("rows",)

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    @property
    def first(self) -> dict[str, Any]:
        return self.rows[0] if self.rows else {}


class FoldedGroup:
    """A group whose rows were folded as they arrived: its first row and one
    accumulator per aggregate call of the rule (see :class:`FoldSpec`)."""

    __slots__ = ("accs", "first")

    def __init__(self, first: dict[str, Any], accs: list[Any]) -> None:
        self.first = first
        self.accs = accs


@dataclass(frozen=True, slots=True)
class FoldSpec:
    """How one aggregate call folds a row into its accumulator (slot ``index``)."""

    index: int
    init: Callable[[], Any]
    add: Callable[[Any, dict[str, Any]], Any]  # (acc, row) -> acc
    merge: Callable[[Any, Any], Any]
    keeps_values: bool = False  # the accumulator holds every row's value (median, collect)


class FoldFailure:
    """An accumulator whose argument failed on a row: the call raises this error, as
    the list form would when it met the row."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


@dataclass(slots=True)
class Folds:
    """The aggregate calls of one rule and how each folds; ``ok`` is False once a
    call cannot fold (a plugin aggregate, one without an incremental form)."""

    specs: list[FoldSpec] = field(default_factory=list)
    ok: bool = True


@dataclass(slots=True)
class Scope:
    """What names mean while compiling one rule."""

    binder: Binder
    rule_id: str
    sources: tuple[str, ...]
    op_id: str = "project"
    next_func_id: int = 0
    runtime: Runtime = field(default_factory=Runtime)
    group: bool = False  # compile for Group inputs (aggregate queries)
    aliases: dict[str, ast.Expr] = field(default_factory=dict)  # SELECT aliases usable here
    alias_scopes: dict[str, dict[str, ast.Expr]] = field(default_factory=dict)  # inside each
    joined: bool = False  # rows are TaggedRow/JoinedRow: qualified names pick a stream's row
    analytic: dict[ast.Call, str] = field(default_factory=dict)  # call -> cached column
    tags: dict[str, str] = field(default_factory=dict)  # stream name or alias -> row tag
    folds: Folds = field(default_factory=Folds)  # shared by every copy of the scope
    hits: list[Callable[[], None]] | None = None  # compiling a condition: its state records

    def rows(self) -> Scope:
        """The same scope compiling for single rows (aggregate arguments)."""
        if not self.group:
            return self
        return dataclasses.replace(self, group=False)


class CallSite:
    """The :class:`~kuiper_dev.functions.CallContext` of one built-in call in one rule."""

    __slots__ = ("rule_id", "runtime", "state")

    def __init__(self, rule_id: str, runtime: Runtime) -> None:
        self.rule_id = rule_id
        self.runtime = runtime
        self.state: dict[str, Any] = {}

    @property
    def meta(self) -> dict[str, Any]:
        return self.runtime.meta

    def now_ms(self) -> int:
        return self.runtime.now_ms()

    # optional attributes the "other" built-ins read (see functions/other.py)
    @property
    def window_start_ms(self) -> int:
        return self.runtime.window_start

    @property
    def window_end_ms(self) -> int:
        return self.runtime.window_end

    @property
    def event_time_ms(self) -> int:
        return self.runtime.event_time

    @property
    def rule_start_ms(self) -> int:
        return self.runtime.rule_start
