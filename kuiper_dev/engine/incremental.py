"""Incremental aggregation for tumbling windows: each message updates its group's totals.

For a processing-time tumbling window whose SELECT holds only GROUP BY columns,
count/sum/avg/min/max over typed columns and window_start/window_end (eKuiper has
the same idea in its IncAgg window), rows need not be kept: a generated function
folds each row into its group's accumulators and the window's end turns them into
result rows. The fold follows the aggregate functions exactly (row order, nulls
skipped, float sums in order, int64 wrapping); a property test compares it with
the general path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..go import go_str, int_avg, wrap_int64
from ..sql import ast

__all__ = ["IncrementalPlan", "plan_incremental"]

_AGGS = {"count", "sum", "avg", "min", "max"}
_GROUPABLE = {"string", "bigint", "boolean", "float"}


@dataclass(slots=True)
class IncrementalPlan:
    """``fold(groups, *values)`` per row, ``finish(groups, start, end)`` per window."""

    columns: list[str]  # the row values ``fold`` takes, in this order
    fold: Callable[..., None]
    finish: Callable[[dict[Any, list[Any]], int, int], list[dict[str, Any]] | None]
    source: str


class _Builder:
    def __init__(self, schema: dict[str, ast.ColumnDef], dims: list[str]) -> None:
        self.schema = schema
        self.columns: list[str] = []
        self.inits: list[str] = [self.var(d) for d in dims]  # a group starts with its dims
        self.updates: list[str] = []

    def var(self, name: str) -> str:
        if name not in self.columns:
            self.columns.append(name)
        return f"v{self.columns.index(name)}"

    def slot(self, init: str) -> int:
        self.inits.append(init)
        return len(self.inits) - 1


def plan_incremental(
    select: ast.Select, schema: dict[str, ast.ColumnDef] | None, *, send_nil: bool
) -> IncrementalPlan | None:
    """The plan for ``select`` when it has the foldable shape, else None."""
    window = select.window
    if schema is None or window is None or window.kind != "tumbling" or select.joins:
        return None
    if select.having is not None or select.order_by or select.limit is not None:
        return None
    dims: list[str] = []
    for d in select.group_by:
        if not (
            isinstance(d, ast.FieldRef) and d.name in schema and schema[d.name].type in _GROUPABLE
        ):
            return None
        dims.append(d.name)
    b = _Builder(schema, dims)
    outputs: list[tuple[str, str]] = []  # (result key, expression over acc, empty, ws, we)
    for f in select.fields:
        expr = f.expr
        if f.invisible:
            return None
        if (
            isinstance(expr, ast.FieldRef)
            and expr.name in dims
            and expr.stream in (None, select.source)
        ):
            outputs.append((f.name, f"acc[{dims.index(expr.name)}]"))
            continue
        if not isinstance(expr, ast.Call):
            return None
        name = expr.name.lower()
        key = f.alias or name
        if name in ("window_start", "window_end") and not expr.args:
            outputs.append((key, "ws" if name == "window_start" else "we"))
            continue
        if name not in _AGGS or len(expr.args) != 1:
            return None
        arg = expr.args[0]
        if (
            isinstance(arg, ast.Wildcard)
            and not arg.except_
            and not arg.replace
            and name == "count"
        ):
            s = b.slot("0")
            b.updates.append(f"    acc[{s}] += 1")
            outputs.append((key, f"None if empty else acc[{s}]"))
            continue
        if not (
            isinstance(arg, ast.FieldRef)
            and arg.name in schema
            and arg.stream in (None, select.source)
        ):
            return None
        typ = schema[arg.name].type
        if not (
            typ in ("float", "bigint") or (typ == "string" and name in ("count", "min", "max"))
        ):
            return None
        v = b.var(arg.name)
        if name == "count":
            s = b.slot("0")
            b.updates.append(f"    if {v} is not None: acc[{s}] += 1")
            outputs.append((key, f"None if empty else acc[{s}]"))
        elif name in ("sum", "avg"):
            s = b.slot("None")
            zero = "0.0" if typ == "float" else "0"  # Go's loop starts from zero: 0 + -0.0 is 0
            b.updates.append(f"    if {v} is not None:")
            b.updates.append(
                f"        acc[{s}] = {zero} + {v} if acc[{s}] is None else acc[{s}] + {v}"
            )
            total = f"_wrap(acc[{s}])" if typ == "bigint" else f"acc[{s}]"
            if name == "sum":
                outputs.append((key, f"None if acc[{s}] is None else {total}"))
            else:
                n = b.slot("0")
                b.updates.append(f"        acc[{n}] += 1")
                mean = f"_iavg({total}, acc[{n}])" if typ == "bigint" else f"{total} / acc[{n}]"
                outputs.append((key, f"None if acc[{s}] is None else {mean}"))
        else:
            s = b.slot("None")
            better = "<" if name == "min" else ">"
            b.updates.append(
                f"    if {v} is not None and (acc[{s}] is None or {v} {better} acc[{s}]): acc[{s}] = {v}"
            )
            outputs.append((key, f"acc[{s}]"))
    fold = [f"def fold(groups, {', '.join(f'v{i}' for i in range(len(b.columns)))}):"]
    key_parts = [
        f"(v if (v := {b.var(d)}) is None else _go_str(v))"
        if schema[d].type == "float"
        else b.var(d)
        for d in dims
    ]
    fold.append(f"    key = ({''.join(p + ', ' for p in key_parts)})")
    fold.append("    acc = groups.get(key)")
    fold.append("    if acc is None:")
    fold.append(f"        acc = groups[key] = [{', '.join(b.inits)}]")
    fold += b.updates
    finish = ["def finish(groups, ws, we):"]
    if dims:
        finish.append("    if not groups: return None")  # GROUP BY over no row: nothing
        finish.append("    empty = False")
        finish.append("    accs = groups.values()")
    else:  # a window without dimensions is one group, even when empty
        finish.append("    empty = not groups")
        finish.append(f"    accs = list(groups.values()) or [[{', '.join(b.inits)}]]")
    finish.append("    out = []")
    finish.append("    for acc in accs:")
    finish.append("        row = {}")
    for i, (key, value) in enumerate(outputs):
        finish.append(f"        r{i} = {value}")
        if send_nil:
            finish.append(f"        row[{key!r}] = r{i}")
        else:
            finish.append(f"        if r{i} is not None: row[{key!r}] = r{i}")
    finish += ["        out.append(row)", "    return out"]
    source = "\n".join(fold + [""] + finish)
    env: dict[str, Any] = {"_go_str": go_str, "_wrap": wrap_int64, "_iavg": int_avg}
    # the empty window's accumulators refer to dim variables that do not exist: none
    source = source.replace(
        "accs = list(groups.values()) or [[", "accs = list(groups.values()) or [["
    )
    exec(source, env)  # noqa: S102 - generated from the rule's own AST
    return IncrementalPlan(b.columns, env["fold"], env["finish"], source)
