"""Incremental aggregation for tumbling windows: each message updates its group's totals.

For a processing-time tumbling window whose SELECT holds only GROUP BY columns,
count/sum/avg/min/max over typed columns and window_start/window_end (eKuiper has
the same idea in its IncAgg window), rows need not be kept: a generated function
folds each row into its group's accumulators and the window's end turns them into
result rows. The fold follows the aggregate functions exactly (row order, nulls
skipped, float sums in order, int64 wrapping); a property test compares it with
the general path.

The group key and every Go number rule come from :mod:`.typed` (its runtime
functions, called through :func:`~.typed.call`); the snippets here only say how
each aggregate updates and reads its accumulators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..go import int_avg, wrap_int64
from ..sql import ast
from .projection import omits_nil
from .typed import NotTyped, TypedCompiler, call, define

__all__ = [
    "FoldBuilder",
    "IncrementalPlan",
    "dimensions",
    "finish_lines",
    "outputs",
    "plan_incremental",
]

_AGGS = {"count", "sum", "avg", "min", "max"}
_GROUPABLE = {"string", "bigint", "boolean", "float"}


@dataclass(slots=True)
class IncrementalPlan:
    """``fold(groups, *values)`` per row, ``finish(groups, start, end)`` per window.

    ``fold_body`` is the fold's statements, for a generated loop to inline: they
    read ``groups`` and the columns' variables (``TypedCompiler.var``) and write
    the locals ``key`` and ``acc``.
    """

    columns: list[str]  # the row values ``fold`` takes, in this order
    fold: Callable[..., None]
    fold_body: list[str]
    finish: Callable[[dict[Any, list[Any]], int, int], list[dict[str, Any]] | None]
    source: str


class FoldBuilder:
    """The accumulators of one group (``acc``), their updates, and the fold's parameters.

    Subclasses say how each aggregate keeps and reads its accumulators (a tumbling
    window's totals, a sliding window's values in the window); :func:`outputs` says
    which aggregates a SELECT needs, once for both.
    """

    def __init__(self, compiler: TypedCompiler, dims: list[str]) -> None:
        self.compiler = compiler
        self.columns: list[str] = []
        self.inits: list[str] = [self.var(d) for d in dims]  # a group starts with its dims
        self.updates: list[str] = []

    def var(self, name: str) -> str:
        """The fold's parameter for column ``name``, which the fold then takes."""
        if name not in self.columns:
            self.columns.append(name)
        return self.compiler.var(name)

    def slot(self, init: str) -> int:
        """A new accumulator starting at ``init``: its index in ``acc``."""
        self.inits.append(init)
        return len(self.inits) - 1

    def find_group(self, dims: list[str]) -> list[str]:
        """Statements setting ``key`` and ``acc``, the row's group in ``groups``, made
        (with this row's dims first) when it is new."""
        return [
            f"key = {self.compiler.fold_key(dims)}",
            "acc = groups.get(key)",
            "if acc is None:",
            f"    acc = groups[key] = [{', '.join(self.inits)}]",
        ]

    def dim(self, index: int, column: str) -> str:
        """The value of GROUP BY column ``column`` (the ``index``-th) for the result."""
        return f"acc[{index}]"

    def count(self, column: str | None) -> str:
        """count(*) (``column`` None) or count(column)."""
        raise NotImplementedError

    def extreme(self, column: str, pick_max: bool) -> str:
        raise NotImplementedError

    def total(self, column: str, ints: bool, mean: bool) -> str:
        """sum or avg (``mean``) of a FLOAT or BIGINT (``ints``) column."""
        raise NotImplementedError


class _TumblingBuilder(FoldBuilder):
    """Totals since the window opened: a row is folded in and never taken out."""

    def count(self, column: str | None) -> str:
        s = self.slot("0")
        if column is None:
            self.updates.append(f"acc[{s}] += 1")
        else:
            self.updates.append(f"if {self.var(column)} is not None: acc[{s}] += 1")
        return f"None if empty else acc[{s}]"

    def extreme(self, column: str, pick_max: bool) -> str:
        v = self.var(column)
        s = self.slot("None")
        better = ">" if pick_max else "<"
        self.updates.append(
            f"if {v} is not None and (acc[{s}] is None or {v} {better} acc[{s}]): acc[{s}] = {v}"
        )
        return f"acc[{s}]"

    def total(self, column: str, ints: bool, mean: bool) -> str:
        """Int totals are exact until read, then wrapped to int64 as Go's would be."""
        v = self.var(column)
        s = self.slot("None")
        zero = "0" if ints else "0.0"  # Go's loop starts from zero: 0 + -0.0 is 0
        self.updates.append(f"if {v} is not None:")
        self.updates.append(f"    acc[{s}] = {zero} + {v} if acc[{s}] is None else acc[{s}] + {v}")
        total = call(wrap_int64, f"acc[{s}]") if ints else f"acc[{s}]"
        if not mean:
            return f"None if acc[{s}] is None else {total}"
        n = self.slot("0")
        self.updates.append(f"    acc[{n}] += 1")
        value = call(int_avg, total, f"acc[{n}]") if ints else f"{total} / acc[{n}]"
        return f"None if acc[{s}] is None else {value}"


def plan_incremental(
    select: ast.Select, schema: dict[str, ast.ColumnDef] | None, *, send_nil: bool
) -> IncrementalPlan | None:
    """The plan for ``select`` when it has the foldable shape, else None."""
    if schema is None or not _foldable(select):
        return None
    if send_nil and any(omits_nil(f) for f in select.fields):
        return None  # the general projector keeps eKuiper's sendNil exception
    dims = dimensions(select, schema)
    if dims is None:
        return None
    b = _TumblingBuilder(TypedCompiler.for_select(select, schema), dims)
    try:
        fields = outputs(select, dims, b)
    except NotTyped:
        return None
    fold = _fold(b, dims)
    source = "\n".join([*fold, "", *_finish(b, dims, fields, send_nil)])
    env = define(source)
    body = [line.removeprefix("    ") for line in fold[1:]]
    return IncrementalPlan(b.columns, env["fold"], body, env["finish"], source)


def _foldable(select: ast.Select) -> bool:
    """A tumbling window over one stream, with nothing after the aggregation."""
    window = select.window
    if window is None or window.kind != "tumbling" or select.joins:
        return False
    return select.having is None and not select.order_by and select.limit is None


def dimensions(select: ast.Select, schema: dict[str, ast.ColumnDef]) -> list[str] | None:
    """The GROUP BY columns, or None when one is not a plain typed column."""
    dims: list[str] = []
    aliases = {f.alias for f in select.fields if f.alias}
    for d in select.group_by:
        if not (isinstance(d, ast.FieldRef) and d.name in schema) or d.name in aliases:
            return None
        if schema[d.name].type not in _GROUPABLE:
            return None
        dims.append(d.name)
    return dims


def outputs(select: ast.Select, dims: list[str], b: FoldBuilder) -> list[tuple[str, str]]:
    """Each result key and its value's text over ``acc``, ``empty``, ``ws`` and ``we``;
    raises NotTyped when a field has no fold."""
    return [_output(f, select, dims, b) for f in select.fields]


def _output(
    field: ast.Field, select: ast.Select, dims: list[str], b: FoldBuilder
) -> tuple[str, str]:
    expr = field.expr
    if field.invisible:
        raise NotTyped
    if (
        isinstance(expr, ast.FieldRef)
        and expr.name in dims
        and expr.stream in (None, select.source)
    ):
        return field.name, b.dim(dims.index(expr.name), expr.name)
    if not isinstance(expr, ast.Call):
        raise NotTyped
    name = expr.name.lower()
    key = field.alias or name
    if name in ("window_start", "window_end") and not expr.args:
        return key, "ws" if name == "window_start" else "we"
    if name not in _AGGS or len(expr.args) != 1:
        raise NotTyped
    arg = expr.args[0]
    if name == "count" and isinstance(arg, ast.Wildcard) and not (arg.except_ or arg.replace):
        return key, b.count(None)
    if not (isinstance(arg, ast.FieldRef) and arg.stream in (None, select.source)):
        raise NotTyped
    if any(f.alias == arg.name for f in select.fields):  # the name may bind to the alias
        raise NotTyped
    col = b.compiler.schema.get(arg.name)
    if col is None or not (
        col.type in ("float", "bigint")
        or (col.type == "string" and name in ("count", "min", "max"))
    ):
        raise NotTyped
    if name == "count":
        return key, b.count(arg.name)
    if name in ("min", "max"):
        return key, b.extreme(arg.name, name == "max")
    return key, b.total(arg.name, col.type == "bigint", name == "avg")


# -- the generated functions -------------------------------------------------------


def _fold(b: FoldBuilder, dims: list[str]) -> list[str]:
    """``fold(groups, *values)``: find or start the row's group, then update it."""
    return [
        f"def fold(groups, {', '.join(b.compiler.var(c) for c in b.columns)}):",
        *("    " + line for line in [*b.find_group(dims), *b.updates]),
    ]


def _finish(
    b: FoldBuilder, dims: list[str], outputs: list[tuple[str, str]], send_nil: bool
) -> list[str]:
    """``finish(groups, ws, we)``: one result row per group, None for no group."""
    head = ["def finish(groups, ws, we):"]
    return finish_lines(b, dims, outputs, send_nil, head=head, ordered="groups.values()")


def finish_lines(
    b: FoldBuilder,
    dims: list[str],
    outputs: list[tuple[str, str]],
    send_nil: bool,
    *,
    head: list[str],
    ordered: str,
) -> list[str]:
    """A ``finish`` function: ``head`` (its ``def`` and what binds ``groups``), then one
    result row per group, taken in the order the ``ordered`` expression gives them;
    None when a GROUP BY window holds no group, one row of empty totals without."""
    lines = list(head)
    if dims:
        lines.append("    if not groups: return None")  # GROUP BY over no row: nothing
        lines.append("    empty = False")
        lines.append(f"    accs = {ordered}")
    else:  # a window without dimensions is one group, even when empty
        lines.append("    empty = not groups")
        lines.append(f"    accs = list(groups.values()) or [[{', '.join(b.inits)}]]")
    lines += ["    out = []", "    for acc in accs:", "        row = {}"]
    for i, (key, value) in enumerate(outputs):
        lines.append(f"        r{i} = {value}")
        if send_nil:
            lines.append(f"        row[{key!r}] = r{i}")
        else:
            lines.append(f"        if r{i} is not None: row[{key!r}] = r{i}")
    return [*lines, "        out.append(row)", "    return out"]
