"""Helpers over lists of values shared by array and aggregate functions.

eKuiper's ``common_array_funcs.go``: the first non-null item picks the kind (int,
float or text) and every other item must be of that kind; ints accept floats by
truncation (``CONVERT_SAMEKIND``), floats accept only floats.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import FunctionError
from ..go import go_str, go_type, wrap_int64

__all__ = ["first_valid", "go_extreme", "int_total", "float_total", "count_valid"]


def first_valid(items: list[Any]) -> Any:
    """The first non-null item, or None."""
    return next((v for v in items if v is not None), None)


def count_valid(items: list[Any]) -> int:
    """Non-null items."""
    return len(items) - items.count(None)


def _describe(v: Any) -> str:
    return f"{go_type(v)}({go_str(v)})"


def _as_int(v: Any, what: str) -> int:
    if type(v) is int:
        return v
    if type(v) is float:
        return wrap_int64(int(v))
    raise FunctionError(f"requires {what} but found {_describe(v)}")


def _as_float(v: Any) -> float:
    if type(v) is float:
        return v
    raise FunctionError(f"requires float64 but found {_describe(v)}")


def _as_str(v: Any) -> str:
    if isinstance(v, str):
        return v
    raise FunctionError(f"requires string but found {_describe(v)}")


def int_total(items: list[Any]) -> int:
    """Sum as int64 (floats truncated, as Go's same-kind cast)."""
    return wrap_int64(sum(_as_int(v, "int") for v in items if v is not None))


def float_total(items: list[Any]) -> float:
    """Sum of floats; an int among them is an error, as in Go."""
    total = 0.0
    for v in items:  # in order, one by one: the same rounding as Go's loop
        if v.__class__ is float:
            total += v
        elif v is not None:
            total += _as_float(v)
    return total


def go_extreme(items: list[Any], pick_max: bool) -> Any:
    """eKuiper's ``max``/``min`` over a list; null when there is no value.

    >>> go_extreme([3, None, 7.9, 5], True), go_extreme(["b", "a"], False)
    (7, 'a')
    """
    first = first_valid(items)
    if first is None:
        return None
    conv: Callable[[Any], Any]
    best: Any
    if type(first) is int:
        conv = lambda v: _as_int(v, "int64")  # noqa: E731
    elif type(first) is float:
        conv = _as_float
    elif isinstance(first, str):
        conv = _as_str
    else:
        raise FunctionError(f"found invalid arg {_describe(first)}")
    best = conv(first)
    for v in items:
        if v is None:
            continue
        c: Any = conv(v)
        if (c > best) if pick_max else (c < best):
            best = c
    return best
