"""Expressions over nested data: ``->`` paths, ``[i]`` indexes, ``[a:b]`` slices, CASE.

Semantics follow eKuiper's valuer (``internal/xsql/valuer.go``): indexes may be
negative (counted from the end), out-of-range indexes are errors, a null on the
left gives null. Left of ``->``, an array is an error; a scalar (or null) falls through
to eKuiper's plain binary operator, whose right side is the row's column named like
the key: null when the row has no such column (the usual case), else an
``invalid operation`` error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..errors import EvalError
from ..go import go_str, go_type
from .values import binary_op, invalid_op

__all__ = ["arrow", "case_searched", "case_simple", "index", "slice_"]

Compiled = Callable[[Any], Any]

_MIXED = {int, float}


def arrow(lhs: Compiled, name: str, same_name: Compiled | None = None) -> Compiled:
    """``lhs->name``, as eKuiper's ``evalBinaryExpr`` and ``evalJsonExpr`` give it.

    An object gives its key's value; an array (or bytes) is an error. Anything else
    is no object and meets eKuiper's plain operator path: there the key is read as a
    column of the row (``same_name``; none means the row has no such column), so
    the result is null unless the row has that column, and then an
    ``invalid operation`` error. eKuiper does not document this; we match it.
    """

    def get(row: Any) -> Any:
        value = lhs(row)
        if type(value) is dict:
            return value.get(name)
        if isinstance(value, list | bytes | bytearray):
            raise EvalError(f"the result {go_str(value)} is not a type of map[string]interface{{}}")
        other = same_name(row) if same_name is not None else None
        if value is None or other is None:
            return None
        if {type(value), type(other)} == _MIXED:  # Go casts both to float64 first
            raise invalid_op(float(value), "->", float(other))
        raise invalid_op(value, "->", other)

    return get


def _position(raw: Any) -> int:
    if type(raw) is int:
        return raw
    if type(raw) is float and math.isfinite(raw):  # Go's int conversion truncates
        return int(raw)
    raise EvalError(f"invalid index {go_type(raw)}({go_str(raw)}): an index must be an integer")


def _array(value: Any, what: str) -> list[Any]:
    if type(value) is not list:
        raise EvalError(f"invalid operation {go_type(value)}({go_str(value)}) [] {what}")
    return value


def _from_end(i: int, n: int, limit: int, beyond: str) -> int:
    """Index ``i`` into ``n`` items, negative counting from the end, eKuiper's errors.

    ``limit`` is the first position past the valid ones; ``beyond`` the message for it.
    """
    if i < 0:
        if i + n < 0:
            raise EvalError(f"out of index: {i} of {n}")
        return i + n
    if i >= limit:
        raise EvalError(beyond.format(i=i, n=n))
    return i


def index(lhs: Compiled, at: Compiled) -> Compiled:
    def get(row: Any) -> Any:
        value = lhs(row)
        if value is None:
            return None
        items = _array(value, "index")
        n = len(items)
        return items[_from_end(_position(at(row)), n, n, "out of index: {i} of {n}")]

    return get


def slice_(lhs: Compiled, start: Compiled | None, end: Compiled | None) -> Compiled:
    def get(row: Any) -> Any:
        value = lhs(row)
        if value is None:
            return None
        items = _array(value, "slice")
        n = len(items)
        raw_start = _position(start(row)) if start is not None else 0
        s = _from_end(raw_start, n, n, "start value is out of index: {i} of {n}")
        if end is None:
            return items[s:]
        raw_end = _position(end(row))
        e = _from_end(raw_end, n, n + 1, "end value is out of index: {i} of {n}")
        if raw_end >= 0 and s >= e:
            raise EvalError(f"start cannot be greater than end. start:{s}  end:{e}")
        return items[s:e]

    return get


_EQ = binary_op("=")


def case_simple(
    value: Compiled, whens: list[tuple[Compiled, Compiled]], otherwise: Compiled | None
) -> Compiled:
    """``CASE value WHEN x THEN …``: the first WHEN equal to the value wins."""

    def choose(row: Any) -> Any:
        v = value(row)
        for cond, result in whens:
            try:
                hit = _EQ(v, cond(row))
            except EvalError as exc:
                raise EvalError(f"evaluate case expression error: {exc}") from None
            if hit is True:
                return result(row)
        return otherwise(row) if otherwise is not None else None

    return choose


def case_searched(whens: list[tuple[Compiled, Compiled]], otherwise: Compiled | None) -> Compiled:
    """``CASE WHEN cond THEN …``: the first true condition wins; non-booleans are skipped."""

    def choose(row: Any) -> Any:
        for cond, result in whens:
            if cond(row) is True:
                return result(row)
        return otherwise(row) if otherwise is not None else None

    return choose
