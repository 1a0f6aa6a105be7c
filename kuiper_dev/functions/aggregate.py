"""Aggregate functions (``aggregate_functions.md``), following ``funcs_agg.go``.

Calling convention (eKuiper's): an aggregate is called once per group, and each
SQL argument arrives as the LIST of that argument's values over the group's rows,
in row order -- constants too (``percentile_cont(x, 0.5)`` gets ``[0.5, 0.5, ...]``).
``count(*)`` gets any per-row list (one item per row, non-null). The null policy
applies to those lists: an empty list gives null, as eKuiper's check does.

``deduplicate(col, all)`` also needs the group's rows (``rows_arg``): the engine
passes them as the FIRST list, before the column values and the flags (eKuiper
does the same). ``last_agg_hit_count`` / ``last_agg_hit_time`` get a CallContext
and the hidden ``do_update`` flag (and event time) the planner appends
(``update_arg``, ``event_time_arg``), as the scalar ``last_hit_*`` do.

Each aggregate also registers its incremental form (``incremental=``): a fold in
``aggregate_incremental.py`` where the list form decomposes exactly, else
:func:`keep_values`, which keeps the values and calls the list form at the end.
``last_agg_hit_*`` have none: their value is rule-wide state read at emission,
not a function of the group's rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

from ..errors import FunctionError
from ..go import go_str, go_type, int_avg
from ..sql import ast
from ._slices import count_valid, first_valid, float_total, go_extreme, int_total
from .aggregate_incremental import COUNT, LAST_VALUE, MERGE_AGG, extreme, total
from .registry import builtin, check_kind, keep_values

_AGG: Literal["aggregate"] = "aggregate"


def _describe(v: Any) -> str:
    return f"{go_type(v)}({go_str(v)})"


def _floats(items: list[Any]) -> list[float]:
    """``cast.ToFloat64Slice(..., CONVERT_SAMEKIND, IGNORE_NIL)``."""
    out = []
    for v in items:
        if v is None:
            continue
        if type(v) is int or type(v) is float:
            out.append(float(v))
        else:
            raise FunctionError(f"requires float64 slice but found {_describe(items)}")
    return out


@builtin(_AGG, ["number"], kind=_AGG, incremental=total("avg", mean=True))
def avg(values: list[Any]) -> Any:
    """Mean of the non-null values; int64 (truncated) when the first value is an int."""
    n = count_valid(values)
    first = first_valid(values)
    if n == 0 or first is None:
        return None
    if type(first) is int:
        return int_avg(int_total(values), n)
    if type(first) is float:
        return float_total(values) / n
    raise FunctionError(f"run avg function error: found invalid arg {_describe(first)}")


@builtin(_AGG, ["any"], kind=_AGG, incremental=COUNT)
def count(values: list[Any]) -> int:
    """Non-null values in the group."""
    return count_valid(values)


@builtin(_AGG, ["number"], kind=_AGG, incremental=extreme("max", pick_max=True))
def max_(values: list[Any]) -> Any:
    """Largest value (numbers or text); the first non-null value fixes the kind."""
    return go_extreme(values, True)


@builtin(_AGG, ["number"], kind=_AGG, incremental=extreme("min", pick_max=False))
def min_(values: list[Any]) -> Any:
    """Smallest value (numbers or text); the first non-null value fixes the kind."""
    return go_extreme(values, False)


@builtin(_AGG, ["number"], kind=_AGG, incremental=total("sum", mean=False))
def sum_(values: list[Any]) -> Any:
    """Total; an int64 when the first non-null value is an int (floats truncated)."""
    first = first_valid(values)
    if first is None:
        return None
    if type(first) is int:
        return int_total(values)
    if type(first) is float:
        return float_total(values)
    raise FunctionError(f"run sum function error: found invalid arg {_describe(first)}")


@builtin(_AGG, ["any"], kind=_AGG, null="pass", incremental=keep_values)
def collect(values: list[Any] | None = None) -> list[Any]:
    """All the group's values (nulls included) as an array."""
    return list(values) if values is not None else []


@builtin(_AGG, ["any"], kind=_AGG, incremental=MERGE_AGG)
def merge_agg(values: list[Any]) -> dict[str, Any] | None:
    """The group's objects merged in row order (later keys win); non-objects skipped."""
    out: dict[str, Any] = {}
    for v in values:
        if isinstance(v, dict):
            out.update(v)
    return out or None


def _bool_second(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 2:
        return f"Expect 2 arguments but found {len(args)}."
    if not isinstance(args[1], ast.BooleanLiteral):
        return "Expect bool type for parameter 2"
    return None


@builtin(_AGG, ["any", "bool"], kind=_AGG, validator=_bool_second, rows_arg=True,
         incremental=keep_values)  # fmt: skip
def deduplicate(rows: Any, values: Any, flags: Any = None) -> Any:
    """Rows whose column value was not seen before in the group (by ``%v`` text).

    With ``all`` true, every such row in order; with false, the last row when its
    value is new, else null.
    """
    if not (isinstance(rows, list) and isinstance(values, list) and isinstance(flags, list)):
        raise FunctionError("Invalid argument type found.")
    all_rows = first_valid(flags)
    if not flags or not isinstance(all_rows, bool):
        raise FunctionError("Invalid argument type found.")
    seen: set[str] = set()
    out = []
    for i, v in enumerate(values):
        key = go_str(v) if v is not None else "<nil>"
        if key in seen:
            continue
        if all_rows or i == len(values) - 1:
            out.append(rows[i])
        seen.add(key)
    if all_rows:
        return out
    return out[0] if out else None


def _variance(xs: list[float], sample: bool) -> float | None:
    n = len(xs)
    if n == 0 or (sample and n < 2):
        return None if n == 0 else 0.0
    mean = sum(xs) / n
    ss = sum((x - mean) ** 2 for x in xs)
    return ss / (n - 1 if sample else n)


def _spread(values: list[Any], sample: bool, root: bool) -> float | None:
    v = _variance(_floats(values), sample)
    if v is None:
        return None
    return math.sqrt(v) if root else v


# Two passes (the mean, then squares about it) that no running sums reproduce
# bit for bit, and the error message prints the whole list: these keep values.
@builtin(_AGG, ["number"], kind=_AGG, incremental=keep_values)
def stddev(values: list[Any]) -> float | None:
    """Population standard deviation."""
    return _spread(values, False, True)


@builtin(_AGG, ["number"], kind=_AGG, incremental=keep_values)
def stddevs(values: list[Any]) -> float | None:
    """Sample standard deviation (n - 1)."""
    return _spread(values, True, True)


@builtin(_AGG, ["number"], kind=_AGG, incremental=keep_values)
def var(values: list[Any]) -> float | None:
    """Population variance."""
    return _spread(values, False, False)


@builtin(_AGG, ["number"], kind=_AGG, incremental=keep_values)
def vars_(values: list[Any]) -> float | None:
    """Sample variance (n - 1)."""
    return _spread(values, True, False)


@builtin(_AGG, ["number"], kind=_AGG, incremental=keep_values)
def median(values: list[Any]) -> Any:
    """Middle value: an int or float for odd counts, the mean of the two middle ones else."""
    first = values[0]
    if type(first) is float:
        xs: list[Any] = sorted(_floats(values))
    elif type(first) is int:
        xs = []
        for v in values:
            if type(v) is int or type(v) is float:
                xs.append(int(v))
            else:
                raise FunctionError(
                    f"cannot convert {_describe(values)} to int slice for the "
                    f"{values.index(v)} element: cannot convert {_describe(v)} to int64"
                )
        xs.sort()
    else:
        raise FunctionError(f"{go_str(first)} should be number")
    n = len(xs)
    if n == 0:
        return 0
    if n % 2:
        return xs[n // 2]
    return float(xs[n // 2 - 1] + xs[n // 2]) / 2


def _fraction(fractions: Any) -> float:
    if isinstance(fractions, list) and fractions:
        f = first_valid(fractions)
        if type(f) is int or type(f) is float:
            return float(f)
        raise FunctionError(
            f"the second parameter requires float64 but found {_describe(fractions)}"
        )
    return 1.0


_BOUNDS = "Input is outside of range."


def _percentile_args(values: Any, fractions: Any) -> tuple[list[float], float]:
    if fractions is None:
        raise FunctionError("Expect 2 arguments but found 1.")
    return _floats(values), _fraction(fractions) * 100


@builtin(_AGG, ["number", "number"], kind=_AGG, null="pass", incremental=keep_values)
def percentile_cont(values: Any, fractions: Any = None) -> float | None:
    """Percentile by montanaflynn/stats' ``Percentile`` (what eKuiper uses)."""
    if not values:
        return None
    xs, pct = _percentile_args(values, fractions)
    if not xs:
        return None
    if len(xs) == 1:
        return xs[0]
    if pct <= 0 or pct > 100:
        raise FunctionError(f"percentile exec with error: {_BOUNDS}")
    c = sorted(xs)
    index = pct / 100 * len(c)
    if index == int(index):
        return c[int(index) - 1]
    if index > 1:
        i = int(index)
        return (c[i - 1] + c[i]) / 2
    raise FunctionError(f"percentile exec with error: {_BOUNDS}")


@builtin(_AGG, ["number", "number"], kind=_AGG, null="pass", incremental=keep_values)
def percentile_disc(values: Any, fractions: Any = None) -> float | None:
    """Nearest-rank percentile (montanaflynn/stats' ``PercentileNearestRank``)."""
    if not values:
        return None
    xs, pct = _percentile_args(values, fractions)
    if not xs:
        return None
    if pct < 0 or pct > 100:
        raise FunctionError(f"PopulationVariance exec with error: {_BOUNDS}")  # sic, as Go
    c = sorted(xs)
    if pct == 100:
        return c[-1]
    rank = math.ceil(len(c) * pct / 100)
    return c[0] if rank == 0 else c[rank - 1]


@builtin(_AGG, ["any", "bool"], kind=_AGG, validator=_bool_second, incremental=LAST_VALUE)
def last_value(values: Any, ignore_null: Any) -> Any:
    """The group's last value; with ``ignore_null`` true, the last non-null one."""
    if not isinstance(values, list):
        raise FunctionError(
            f"the first argument to the aggregate function should be []interface but found {_describe(values)}"
        )
    if not isinstance(ignore_null, list):
        raise FunctionError(
            "the second argument to the aggregate function should be []interface "
            f"but found {_describe(ignore_null)}"
        )
    flag = first_valid(ignore_null)
    if not isinstance(flag, bool):
        raise FunctionError(f"the second parameter requires bool but found {_describe(flag)}")
    if flag:
        for v in reversed(values):
            if v is not None:
                return v
    return values[-1]


@builtin(_AGG, [], kind=_AGG, null="pass", context=True, update_arg=True)
def last_agg_hit_count(ctx: Any, do_update: Any = False) -> int:
    """Times the aggregate rule emitted before this window; counts this one on ``do_update``."""
    n = int(ctx.state.get("count", 0))
    if do_update is True:
        ctx.state["count"] = n + 1
    return n


@builtin(_AGG, [], kind=_AGG, null="pass", context=True, update_arg=True,
         event_time_arg=True)  # fmt: skip
def last_agg_hit_time(ctx: Any, do_update: Any = False, now_ms: Any = 0) -> int:
    """Event time (ms) of the aggregate rule's previous emission; records it on ``do_update``."""
    last = int(ctx.state.get("time", 0))
    if do_update is True:
        ctx.state["time"] = int(now_ms)
    return last


def validate_kinds(args: Sequence[ast.Expr], kinds: Sequence[str]) -> str | None:
    """Kind checks shared with tests: the first refused literal's message."""
    for i, (a, k) in enumerate(zip(args, kinds, strict=False)):
        msg = check_kind(a, k, i)
        if msg:
            return msg
    return None
