"""Incremental aggregation for processing-time sliding windows over typed columns.

A sliding window fires on every row, over the rows of the last ``length``. The
general path (:mod:`.fold_sliding`) answers each window from two stacks of
aggregate accumulators, which must replay every float of a sum to keep Go's
rounding, and pays for that in Python per row. Over typed columns (as
:mod:`.incremental` folds tumbling windows) a group can keep instead, per column
an aggregate reads, the column's values in the window: a row appends its values
and leaves by ``popleft`` when the window passes it, counts are kept as counters
and int totals exactly, and at each firing a float total, a minimum or a maximum
is one pass of a C builtin over the values (:func:`kuiper_dev.go.float_sum`
adds in order from zero, as Go's loop does). Group order, first rows, nulls and
int64 wrapping follow the general path, which a property test compares.

The window holds the rows from ``end - length`` to ``end``: eKuiper's sliding
window without a delay, each row its own trigger. Rules with a trigger
condition, a delay, WHERE or FILTER, or in event time keep the general path.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..go import float_sum, int_avg, wrap_int64
from ..sql import ast
from .incremental import FoldBuilder, dimensions, finish_lines, outputs
from .projection import omits_nil
from .typed import PY_TYPES, NotTyped, TypedCompiler, call, define, indent

__all__ = ["SlidingGroups", "SlidingPlan", "plan_sliding"]


@dataclass(slots=True)
class SlidingGroups:
    """A sliding window's rows, as their groups' values: what both paths update.

    ``times`` and ``keys`` are the window's rows in arrival order (their time and
    group key); ``groups`` maps a key to its accumulators, in the layout the plan's
    generated code reads; ``high`` is at least the latest time in the window. The
    generated loop holds these very objects, so they are changed in place.
    """

    groups: dict[Any, list[Any]] = field(default_factory=dict)
    times: deque[int] = field(default_factory=deque)
    keys: deque[Any] = field(default_factory=deque)
    high: float = -math.inf


@dataclass(slots=True)
class SlidingPlan:
    """``step(state, ts, *values)``: the row joins the window, rows it has passed
    leave, and the result of the window ending at the row comes back (None: no
    emission).

    ``step_body`` is ``step``'s statements, for a generated loop to inline: they
    read ``state``, ``groups``, ``times``, ``keys``, ``ts`` and the columns'
    variables, and set ``out``.
    """

    columns: list[str]  # the row values ``step`` takes, in this order
    length_ms: int
    step: Callable[..., list[dict[str, Any]] | None]
    step_body: list[str]
    names: dict[str, Any]  # what ``step_body`` calls, for the loop that inlines it
    source: str


def plan_sliding(
    select: ast.Select,
    schema: dict[str, ast.ColumnDef] | None,
    length_ms: int,
    *,
    send_nil: bool,
) -> SlidingPlan | None:
    """The plan for a sliding window ``select`` of ``length_ms`` without trigger,
    delay or condition, when its fields fold over typed columns; else None."""
    if schema is None or not _slides(select):
        return None
    if send_nil and any(omits_nil(f) for f in select.fields):
        return None  # the general projector keeps eKuiper's sendNil exception
    dims = dimensions(select, schema)
    if dims is None or any(schema[d].type == "float" for d in dims):
        return None  # a float key's text may join values that print alike
    b = _SlidingBuilder(TypedCompiler.for_select(select, schema), dims)
    try:
        fields = outputs(select, dims, b)
    except NotTyped:
        return None
    params = ", ".join(b.compiler.var(c) for c in b.columns)
    body = _step_body(b, dims, length_ms)
    source = "\n".join(
        [
            *_join(b, dims),
            "",
            *_rows(b, dims),
            "",
            *_finish(b, dims, fields, send_nil),
            "",
            f"def step(state, ts, {params}):",
            "    groups = state.groups",
            "    times = state.times",
            "    keys = state.keys",
            *indent(body, 1),
            "    return out",
        ]
    )
    env = define(source, deque=deque, **_HELPERS)
    env["reorder"] = _reorder(env["join"], env["rows"], env["finish"], length_ms)
    names = {"deque": deque, **_HELPERS, "finish": env["finish"], "reorder": env["reorder"]}
    return SlidingPlan(b.columns, length_ms, env["step"], body, names, source)


def _slides(select: ast.Select) -> bool:
    """A sliding window over one stream that fires on each row, with nothing after
    the aggregation and no condition on the rows it holds."""
    window = select.window
    if window is None or window.kind != "sliding" or select.joins:
        return False
    if window.trigger is not None or window.filter is not None or select.where is not None:
        return False
    return select.having is None and not select.order_by and select.limit is None


# -- the values a group keeps ----------------------------------------------------


def _largest(values: deque[Any], nulls: int) -> Any:
    """max over the non-null values: Python's ``max`` keeps the first of equals and
    lets nothing replace a NaN met first, as Go's loop does."""
    return max(values if not nulls else [v for v in values if v is not None])


def _smallest(values: deque[Any], nulls: int) -> Any:
    return min(values if not nulls else [v for v in values if v is not None])


def _float_total(values: deque[Any], nulls: int) -> float:
    return float_sum(values if not nulls else [v for v in values if v is not None])


_HELPERS: dict[str, Callable[..., Any]] = {
    f.__name__: f for f in (_largest, _smallest, _float_total, int_avg, wrap_int64)
}


class _SlidingBuilder(FoldBuilder):
    """A group keeps its row count and, per column read, the column's values in the
    window (nulls too, so a leaving row pops each once) and their null count."""

    def __init__(self, compiler: TypedCompiler, dims: list[str]) -> None:
        super().__init__(compiler, dims)
        self.n = self.slot("0")
        self.queues: dict[str, tuple[int, int]] = {}  # column -> (values slot, nulls slot)
        self.totals: dict[str, int] = {}  # BIGINT column -> its exact total's slot

    def values(self, column: str) -> tuple[int, int]:
        """The slots of ``column``'s values and null count, made on first use."""
        if column not in self.queues:
            self.var(column)
            self.queues[column] = (self.slot("deque()"), self.slot("0"))
        return self.queues[column]

    def dim(self, index: int, column: str) -> str:
        if PY_TYPES.get(self.compiler.schema[column].type) != "str":
            return f"acc[{index}]"  # one key, one value: the first row's is every row's
        q, _ = self.values(column)  # null and '<nil>' share a key: the oldest row's value
        return f"acc[{q}][0]"

    def count(self, column: str | None) -> str:
        if column is None:
            return f"None if empty else acc[{self.n}]"
        _, z = self.values(column)
        return f"None if empty else acc[{self.n}] - acc[{z}]"

    def extreme(self, column: str, pick_max: bool) -> str:
        q, z = self.values(column)
        pick = "_largest" if pick_max else "_smallest"
        return f"None if acc[{self.n}] == acc[{z}] else {pick}(acc[{q}], acc[{z}])"

    def total(self, column: str, ints: bool, mean: bool) -> str:
        q, z = self.values(column)
        none = f"None if acc[{self.n}] == acc[{z}] else "
        if not ints:
            total = f"_float_total(acc[{q}], acc[{z}])"
            return none + (f"{total} / (acc[{self.n}] - acc[{z}])" if mean else total)
        if column not in self.totals:
            self.totals[column] = self.slot("0")
        total = call(wrap_int64, f"acc[{self.totals[column]}]")
        return none + (call(int_avg, total, f"acc[{self.n}] - acc[{z}]") if mean else total)


# -- the generated functions -------------------------------------------------------


def _joins(b: _SlidingBuilder, dims: list[str]) -> list[str]:
    """Statements of a row joining its group (over ``groups``): count and values."""
    var = b.compiler.var
    lines = [*b.find_group(dims), f"acc[{b.n}] += 1"]
    for column, (q, z) in b.queues.items():
        v, total = var(column), b.totals.get(column)
        lines += [f"acc[{q}].append({v})", f"if {v} is None: acc[{z}] += 1"]
        if total is not None:
            lines.append(f"else: acc[{total}] += {v}")
    return lines


def _join(b: _SlidingBuilder, dims: list[str]) -> list[str]:
    """``join(state, ts, *values)``: the row joins its group and the window's order."""
    return [
        f"def join(state, ts, {', '.join(b.compiler.var(c) for c in b.columns)}):",
        "    groups = state.groups",
        *indent(_joins(b, dims), 1),
        "    state.times.append(ts)",
        "    state.keys.append(key)",
    ]


def _step_body(b: _SlidingBuilder, dims: list[str], length_ms: int) -> list[str]:
    """A row in time order joins (``join``'s statements) and rows older than the
    window leave their groups (one that empties is dropped, as the general path's);
    a row earlier than one in the window takes :func:`_reorder`'s way."""
    leaves = [f"a[{b.n}] -= 1"]
    for column, (q, z) in b.queues.items():
        leaves += [f"x = a[{q}].popleft()", f"if x is None: a[{z}] -= 1"]
        if column in b.totals:
            leaves.append(f"else: a[{b.totals[column]}] -= x")
    row = ", ".join(b.compiler.var(c) for c in b.columns)
    return [
        "if ts < state.high:",
        f"    out = reorder(state, ts, ({row},))",
        "else:",
        "    state.high = ts",
        *indent(_joins(b, dims), 1),
        "    times.append(ts)",
        "    keys.append(key)",
        f"    while times[0] < ts - {length_ms}:",
        "        times.popleft()",
        "        k = keys.popleft()",
        "        a = groups[k]",
        f"        if a[{b.n}] == 1:",
        "            del groups[k]",
        "            continue",
        *indent(leaves, 2),
        f"    out = finish(state, ts - {length_ms}, ts)",
    ]


def _rows(b: _SlidingBuilder, dims: list[str]) -> list[str]:
    """``rows(state)``: the window's rows as ``(time, values)`` in arrival order, the
    values as ``join`` takes them (a group's i-th row holds its queues' i-th items)."""
    values = []
    for column in b.columns:
        if column in b.queues:
            values.append(f"acc[{b.queues[column][0]}][i]")
        else:  # a GROUP BY column no aggregate reads: one value per group
            values.append(f"acc[{dims.index(column)}]")
    return [
        "def rows(state):",
        "    seen = {}",
        "    out = []",
        "    for t, k in zip(state.times, state.keys):",
        "        i = seen.get(k, 0)",
        "        seen[k] = i + 1",
        "        acc = state.groups[k]",
        f"        out.append((t, ({', '.join(values)},)))",
        "    return out",
    ]


def _reorder(
    join: Callable[..., None],
    rows: Callable[[SlidingGroups], list[tuple[int, tuple[Any, ...]]]],
    finish: Callable[[SlidingGroups, int, int], list[dict[str, Any]] | None],
    length_ms: int,
) -> Callable[[SlidingGroups, int, tuple[Any, ...]], list[dict[str, Any]] | None]:
    """A row arriving before a later one in the window (a clock stepped back): the
    window's scan as the row-keeping window does it (:mod:`.windows._scan`). Rows
    older than the window are skipped up to the first that is not; from there the
    window holds the rows up to the new one's time, and keeps for later windows
    every row from the first it holds. Rare, so the window is rebuilt."""

    def reorder(
        state: SlidingGroups, ts: int, values: tuple[Any, ...]
    ) -> list[dict[str, Any]] | None:
        held = [*rows(state), (ts, values)]
        left = ts - length_ms
        start = next(i for i, (t, _) in enumerate(held) if t >= left)  # the new row is
        first = next(i for i in range(start, len(held)) if held[i][0] <= ts)
        window = SlidingGroups()
        for t, vals in held[first:]:
            if t <= ts:
                join(window, t, *vals)
        state.groups.clear()
        state.times.clear()
        state.keys.clear()
        for t, vals in held[first:]:
            join(state, t, *vals)
        state.high = max(state.times)
        return finish(window, left, ts)

    return reorder


def _finish(
    b: _SlidingBuilder, dims: list[str], fields: list[tuple[str, str]], send_nil: bool
) -> list[str]:
    """``finish(state, ws, we)``: the groups in order of their oldest row in the window."""
    head = ["def finish(state, ws, we):", "    groups = state.groups"]
    ordered = "[groups[k] for k in dict.fromkeys(state.keys)]"
    return finish_lines(b, dims, fields, send_nil, head=head, ordered=ordered)
