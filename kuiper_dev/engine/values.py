"""eKuiper's operator semantics on Python values (``internal/xsql/valuer.go``).

Null policy: comparisons and logic with a null side are false, arithmetic with a
null side is null. Ints are Go int64s (truncating division and remainder), floats
are float64s; mixing them gives a float. Anything else is eKuiper's
``invalid operation`` error. The general path (closures over :func:`binary_op`)
and the typed path (generated text, :mod:`.typed`) both call the functions here,
so the two cannot disagree on division, remainder or group keys.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from ..errors import EvalError
from ..go import describe, go_str, go_type, int_div, int_rem, message_value, wrap_int64

__all__ = [
    "binary_op",
    "checked_condition",
    "column",
    "condition",
    "float_quotient",
    "float_remainder",
    "group_key_part",
    "int_quotient",
    "int_remainder",
    "invalid_op",
]


def invalid_op(lhs: Any, op: str, rhs: Any) -> EvalError:
    return EvalError(
        f"invalid operation {go_type(lhs)}({go_str(lhs)}) {op} {go_type(rhs)}({go_str(rhs)})"
    )


_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def int_quotient(a: int, b: int) -> int:
    """eKuiper's ``/`` on two ints: truncated toward zero; a zero divisor is an error.

    >>> int_quotient(-7, 2)
    -3
    """
    if b == 0:
        raise EvalError("divided by zero")
    q = int_div(a, b)
    return q if q <= _INT64_MAX else wrap_int64(q)  # MinInt64 / -1 wraps in Go


def int_remainder(a: int, b: int) -> int:
    """eKuiper's ``%`` on two ints: the dividend's sign; a zero divisor is an error.

    >>> int_remainder(-7, 3)
    -1
    """
    if b == 0:
        raise EvalError("divided by zero")
    return int_rem(a, b)


def float_quotient(a: float, b: float) -> float:
    """eKuiper's ``/`` on numbers, one a float: a zero divisor is an error, not Go's Inf.

    >>> float_quotient(7, 2.0)
    3.5
    """
    if b == 0:
        raise EvalError("divided by zero")
    return a / b


def float_remainder(a: float, b: float) -> float:
    """eKuiper's ``%`` on numbers, one a float: Go's ``math.Mod``; a zero divisor is an error.

    >>> float_remainder(-7.5, 2)
    -1.5
    """
    if b == 0:
        raise EvalError("divided by zero")
    return math.fmod(a, b)


def group_key_part(value: Any) -> str:
    """One GROUP BY value's part of a group key: Go's ``fmt.Sprintf("%v,", v)``.

    Values whose parts are equal fall in one group, as in eKuiper (so null and the
    text ``<nil>`` do, and 1.0 and 1 do).

    >>> group_key_part("a") + group_key_part(None) + group_key_part(20.0)
    'a,<nil>,20,'
    """
    if value.__class__ is str:  # the common key, and its own text
        return value + ","
    return "<nil>," if value is None else go_str(value) + ","


_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip
_FLOAT_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    "/": float_quotient, "%": float_remainder,
}  # fmt: skip


_INT_ARITH: dict[str, Callable[[int, int], int]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    "/": int_quotient, "%": int_remainder,
    "&": operator.and_, "|": operator.or_, "^": operator.xor,
}  # fmt: skip
_BOOL_OPS: dict[str, Callable[[bool, bool], bool]] = {
    "AND": operator.and_, "OR": operator.or_, "&": operator.and_, "|": operator.or_,
    "^": operator.ne, "=": operator.eq, "!=": operator.ne,
}  # fmt: skip
_NULL_FALSE = frozenset({"AND", "OR", "&", "|", "^", "=", "!=", "<", "<=", ">", ">="})


def binary_op(op: str) -> Callable[[Any, Any], Any]:
    """The Python function computing ``lhs op rhs`` with eKuiper's rules."""
    cmp = _CMP.get(op)
    farith = _FLOAT_ARITH.get(op)
    iarith = _INT_ARITH.get(op)
    bop = _BOOL_OPS.get(op)
    null_result = False if op in _NULL_FALSE else None

    def apply(lhs: Any, rhs: Any) -> Any:
        if lhs is None or rhs is None:
            return null_result
        lt, rt = type(lhs), type(rhs)
        if lt is bool:
            if rt is bool and bop is not None:
                return bop(lhs, rhs)
            raise invalid_op(lhs, op, rhs)
        if lt is int and rt is int:
            if cmp is not None:
                return cmp(lhs, rhs)
            if iarith is not None:  # Go's int64: a result past the range wraps around
                r = iarith(lhs, rhs)
                return r if _INT64_MIN <= r <= _INT64_MAX else wrap_int64(r)
            raise invalid_op(lhs, op, rhs)
        if (lt is float or lt is int) and (rt is float or rt is int):
            if cmp is not None:  # Go converts the int to float64 first
                return cmp(float(lhs), float(rhs))
            if farith is not None:
                return farith(float(lhs), float(rhs))
            raise invalid_op(float(lhs), op, float(rhs))  # Go converted both to float64
        if lt is str and rt is str and cmp is not None:
            return cmp(lhs, rhs)
        raise invalid_op(lhs, op, rhs)

    return apply


def condition(value: Any, what: str) -> bool:
    """eKuiper's reading of a WHERE, HAVING or FILTER result: true passes, false and
    null do not, anything else is the operator's error (``what`` names it).

    >>> condition(None, "run Where error")
    False
    """
    if value is True:
        return True
    if value is None or value is False:
        return False
    raise EvalError(f"{what}: invalid condition that returns non-bool value {describe(value)}")


def checked_condition(fn: Callable[[Any], Any], what: str) -> Callable[[Any], bool]:
    """A compiled condition as eKuiper's filter and having operators run it: its own
    errors and a non-bool result both fail with the operator's prefix."""

    def test(row: Any) -> bool:
        try:
            value = fn(row)
        except EvalError as exc:
            raise EvalError(f"{what}: {exc}") from None
        return condition(value, what)

    return test


def column(row: Any, name: str) -> Any:
    """A row's column as eKuiper's message reads it: the exact key, else the first
    key equal to it ignoring case (schemaless rows keep their keys as they came).

    >>> column({"a": 1}, "A"), column({"a": 1}, "b")
    (1, None)
    """
    value = row.get(name)
    if value is None and name not in row:  # the exact key is the hot path; case-fold rarely
        return message_value(row, name)
    return value
