"""Go's number kinds on Python ints: int64 range, wrapping, truncating division.

eKuiper computes on Go ``int64`` and ``float64``. A Python int never overflows and
``//`` floors, so every place that does integer arithmetic the Go way calls these
instead of restating them. Division by zero is the caller's to report, because
each reports it in its own words (the SQL runtime says ``divided by zero``, a
template function ``integer divide by zero``); here it raises
:class:`ZeroDivisionError`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import reduce
from operator import add

__all__ = ["INT64_MAX", "INT64_MIN", "float_sum", "int_avg", "int_div", "int_rem", "wrap_int64"]

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

_FLOAT_EXACT = 1 << 53  # ints below this convert to float64 without rounding


def wrap_int64(v: int) -> int:
    """Wrap a Python int into Go's int64 range, as Go's arithmetic overflows.

    >>> wrap_int64(INT64_MAX + 1), wrap_int64(-5)
    (-9223372036854775808, -5)
    """
    return ((v - INT64_MIN) % (1 << 64)) + INT64_MIN


def int_div(a: int, b: int) -> int:
    """Go's ``a / b`` on integers: the quotient truncated toward zero.

    Raises :class:`ZeroDivisionError` when ``b`` is 0. The result is not wrapped:
    callers that model int64 overflow wrap it (only ``INT64_MIN / -1`` overflows).

    >>> int_div(7, 2), int_div(-7, 2), int_div(7, -2), int_div(-7, -2)
    (3, -3, -3, 3)
    """
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def int_rem(a: int, b: int) -> int:
    """Go's ``a % b`` on integers: the remainder has the sign of ``a``.

    Raises :class:`ZeroDivisionError` when ``b`` is 0.

    >>> int_rem(7, 2), int_rem(-7, 2), int_rem(7, -2), int_rem(-7, -2)
    (1, -1, 1, -1)
    """
    return a - b * int_div(a, b)


def int_avg(total: int, n: int) -> int:
    """eKuiper's ``avg`` of int64 values: the total divided by the count, truncated.

    ``n`` is the count of values, at least 1. Below 2**53 the float quotient is
    exact enough that truncating it gives the integer quotient, and it is faster.

    >>> int_avg(7, 2), int_avg(-7, 2), int_avg(2**62 + 1, 2)
    (3, -3, 2305843009213693952)
    """
    if abs(total) < _FLOAT_EXACT:
        return int(total / n)
    return (abs(total) // n) * (1 if total >= 0 else -1)


def float_sum(values: Iterable[float]) -> float:
    """Go's ``sum += v`` over float64 values from 0, in order: each addition rounded.

    CPython 3.11's ``sum`` adds floats one by one in C, which is exactly that and
    fast; from 3.12 it compensates rounding (Neumaier), so there a reduce adds them.

    >>> float_sum([0.1, 0.2, 0.3]), float_sum([1e16, 1.0, 1.0]), float_sum([-0.0])
    (0.6000000000000001, 1e+16, 0.0)
    """
    if _SUM_ROUNDS_EACH_STEP:
        return sum(values, 0.0)
    return reduce(add, values, 0.0)


_SUM_ROUNDS_EACH_STEP = sys.version_info < (3, 12)
