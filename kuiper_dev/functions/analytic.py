"""Analytic functions (``analytic_functions.md``): lag, latest, changed_col, had_changed, acc_*.

Calling convention -- eKuiper's own (``funcs_analytic.go``, ``funcs_acc.go``):
the engine calls the function for EVERY row, with a CallContext first, then the
SQL arguments, then two hidden arguments it appends:

* ``valid`` -- the ``OVER (WHEN cond)`` result for this row (True without WHEN).
  The function still runs when it is False: ``lag`` then returns the value it
  would return without recording the row, ``latest`` returns the last kept value.
* ``key`` -- the partition key text (``OVER (PARTITION BY a, b)``; "" without).

State is kept in ``ctx.state`` under that key, so one CallContext per call site
serves all partitions. ``validate`` counts only the SQL arguments.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any, Literal

from ..errors import FunctionError
from ..go import go_str, to_int, verb_v
from ..sql import ast
from .registry import builtin, check_kind

_A: Literal["analytic"] = "analytic"


def _hidden(args: tuple[Any, ...]) -> tuple[tuple[Any, ...], bool, str]:
    if len(args) < 2:
        raise FunctionError("analytic functions need the engine's WHEN flag and partition key")
    valid, key = args[-2], args[-1]
    if not isinstance(valid, bool):
        raise FunctionError(f"when arg is not a bool but got {verb_v(valid)}")
    return args[:-2], valid, str(key)


def _lag_validator(args: Sequence[ast.Expr]) -> str | None:
    n = len(args)
    if n not in (1, 2, 3, 4):
        return f"expect one two or three args but got {n}"
    if n >= 2:
        if isinstance(args[1], ast.FieldRef):
            return "Expect int type for parameter 2"
        msg = check_kind(args[1], "int", 1)
        if msg:
            return msg
        if isinstance(args[1], ast.IntegerLiteral) and args[1].value < 0:
            return "the index should not be a nagtive integer"
    if n == 4 and isinstance(args[3], ast.IntegerLiteral | ast.NumberLiteral | ast.StringLiteral):
        return "Expect bool type for parameter 4"
    return None


@builtin(_A, ["any"], variadic="any", null="pass", kind=_A, context=True, validator=_lag_validator)
def lag(ctx: Any, *args: Any) -> Any:
    """The value ``n`` rows back (default 1) in the partition, else ``default``.

    ``lag(x, n, default, ignore_null)``: with ``ignore_null`` (default true) null
    rows are not recorded.
    """
    sql, valid, key = _hidden(args)
    if not 1 <= len(sql) <= 4:
        raise FunctionError(f"expect from 1 to 4 args but got {len(sql)}")
    size = 1
    if len(sql) >= 2:
        try:
            size = to_int(sql[1], "strict")
        except FunctionError as exc:
            raise FunctionError(
                f"error converting second arg {go_str(sql[1])} to int: {exc}"
            ) from None
    default = sql[2] if len(sql) >= 3 else None
    ignore_null = True
    if len(sql) >= 4:
        if not isinstance(sql[3], bool):
            raise FunctionError(f"The fourth arg is not a bool but got {verb_v(sql[0])}")
        ignore_null = sql[3]
    queue: deque[Any] | None = ctx.state.get(("lag", key))
    if queue is None:
        queue = deque([default] * size)
        ctx.state[("lag", key)] = queue
    result = queue[0] if queue else None
    if valid and (not ignore_null or sql[0] is not None):
        if queue:
            result = queue.popleft()
            queue.append(sql[0])
        else:  # lag(x, 0): Go's empty ring returns nil and keeps nothing
            result = None
    return result


def _latest_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) not in (1, 2):
        return f"expect one or two args but got {len(args)}"
    return None


@builtin(
    _A, ["any", "any"], optional=1, null="pass", kind=_A, context=True, validator=_latest_validator
)
def latest(ctx: Any, *args: Any) -> Any:
    """The latest non-null value seen in the partition, else ``default`` (or null)."""
    sql, valid, key = _hidden(args)
    if len(sql) not in (1, 2):
        raise FunctionError(f"expect one or two args but got {len(sql)}")
    if valid and sql[0] is not None:
        ctx.state[("latest", key)] = sql[0]
        return sql[0]
    kept = ctx.state.get(("latest", key))
    if kept is None:
        return sql[1] if len(sql) == 2 else None
    return kept


def _changed_col_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 2:
        return f"Expect 2 arguments but found {len(args)}."
    if isinstance(args[0], ast.IntegerLiteral | ast.NumberLiteral | ast.StringLiteral):
        return "Expect boolean type for parameter 1"
    return None


@builtin(_A, ["bool", "any"], null="pass", kind=_A, context=True, validator=_changed_col_validator)
def changed_col(ctx: Any, *args: Any) -> Any:
    """The value when it differs from the previous one in the partition, else null."""
    sql, valid, key = _hidden(args)
    ignore_null, value = sql[0], sql[1]
    if not isinstance(ignore_null, bool):
        raise FunctionError(f"first arg is not a bool but got {verb_v(ignore_null)}")
    if ignore_null and value is None:
        return None
    if not valid:
        return None
    state_key = ("changed_col", key)
    if state_key in ctx.state and _deep_equal(ctx.state[state_key], value):
        return None
    if state_key not in ctx.state and value is None:
        return None  # nil equals the missing state in Go
    ctx.state[state_key] = value
    return value


def _deep_equal(a: Any, b: Any) -> bool:
    # Go's reflect.DeepEqual: types must match all the way down
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_deep_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _had_changed_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) <= 1:
        return f"expect more than one arg but got {len(args)}"
    if isinstance(args[0], ast.IntegerLiteral | ast.NumberLiteral | ast.StringLiteral):
        return "Expect bool type for parameter 1"
    return None


@builtin(
    _A,
    ["bool"],
    variadic="any",
    null="pass",
    kind=_A,
    context=True,
    validator=_had_changed_validator,
)
def had_changed(ctx: Any, *args: Any) -> bool:
    """Whether any of the values differs from its previous one in the partition."""
    if len(args) - 2 <= 1:
        raise FunctionError(f"expect more than one arg but got {len(args)}")
    sql, valid, key = _hidden(args)
    if not valid:
        return False
    ignore_null = sql[0]
    if not isinstance(ignore_null, bool):
        raise FunctionError(f"first arg is not a bool but got {verb_v(ignore_null)}")
    changed = False
    for i, v in enumerate(sql[1:], start=1):
        if ignore_null and v is None:
            continue
        k = ("had_changed", key, i)
        previous = ctx.state.get(k)
        if not (k in ctx.state and _deep_equal(previous, v)) and not (
            k not in ctx.state and v is None
        ):
            changed = True
            ctx.state[k] = v
    return changed


# --- acc_* ----------------------------------------------------------------------


def _acc_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) not in (1, 3):
        return f"Expect 1/3 arguments but found {len(args)}."
    return None


def _number(v: Any) -> float:
    if type(v) is int or type(v) is float:
        return float(v)
    raise FunctionError("the value should be number")


class _Acc:
    """Running state of one acc_* function in one partition."""

    __slots__ = ("value", "begun")

    def __init__(self) -> None:
        self.value: Any = None
        self.begun = False


def _acc(ctx: Any, name: str, args: tuple[Any, ...]) -> _Acc:
    sql, valid, key = _hidden(args)
    if len(sql) not in (1, 3):
        raise FunctionError("wrong args length")
    st: _Acc = ctx.state.setdefault((name, key), _Acc())
    reset = _RESET[name]
    if st.value is None:
        st.value = reset()
    if len(sql) == 1:
        _STEP[name](st, sql[0], valid)
        return st
    on_begin, on_reset = sql[1], sql[2]
    if not isinstance(on_begin, bool):
        raise FunctionError("onBegin should be boolean")
    if not isinstance(on_reset, bool):
        raise FunctionError("onReset should be boolean")
    if not st.begun:
        st.value = reset()
    if on_begin:
        st.begun = True
    if st.begun:
        _STEP[name](st, sql[0], valid)
    if on_reset:
        st.begun = False
    return st


def _step_count(st: _Acc, v: Any, valid: bool) -> None:
    if valid and v is not None:
        st.value += 1


def _step_sum(st: _Acc, v: Any, valid: bool) -> None:
    if valid and v is not None:
        st.value += _number(v)


def _step_min(st: _Acc, v: Any, valid: bool) -> None:
    if valid:
        x = _number(v)
        st.value = x if st.value is None else min(st.value, x)


def _step_max(st: _Acc, v: Any, valid: bool) -> None:
    if valid:
        x = _number(v)
        st.value = x if st.value is None else max(st.value, x)


def _step_avg(st: _Acc, v: Any, valid: bool) -> None:
    if valid:
        x = _number(v)
        total, n = st.value if st.value is not None else (0.0, 0)
        st.value = (total + x, n + 1)


_RESET: dict[str, Any] = {
    "acc_count": lambda: 0,
    "acc_sum": lambda: 0.0,
    "acc_min": lambda: None,
    "acc_max": lambda: None,
    "acc_avg": lambda: None,
}
_STEP = {
    "acc_count": _step_count,
    "acc_sum": _step_sum,
    "acc_min": _step_min,
    "acc_max": _step_max,
    "acc_avg": _step_avg,
}


def _acc_register(name: str, doc: str) -> None:
    def fn(ctx: Any, *args: Any) -> Any:
        st = _acc(ctx, name, args)
        if st.value is None:
            return 0.0
        if name == "acc_avg":
            total, n = st.value
            return total / n
        return st.value

    fn.__name__ = name
    fn.__doc__ = doc
    builtin(_A, ["any", "any", "any"], optional=2, null="pass", kind=_A, context=True,
            validator=_acc_validator)(fn)  # fmt: skip


_acc_register(
    "acc_count", "Running count of non-null values (an int); ``(x, begin, reset)`` bounds it."
)
_acc_register(
    "acc_sum", "Running sum as a float; ``(x, begin, reset)`` restarts it between conditions."
)
_acc_register("acc_min", "Running minimum as a float (0.0 before any value).")
_acc_register("acc_max", "Running maximum as a float (0.0 before any value).")
_acc_register("acc_avg", "Running mean as a float (0.0 before any value).")
