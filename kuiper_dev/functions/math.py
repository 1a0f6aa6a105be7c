"""Mathematical functions (``docs/en_US/sqls/functions/mathematical_functions.md``)."""

from __future__ import annotations

import math as _m
from typing import Any

from ._cast import go_type, is_number
from .registry import FunctionError, builtin


def _to_float(v: Any) -> float:
    if is_number(v):
        return float(v)
    raise FunctionError(f"cannot convert {go_type(v)}({v}) to float64")


@builtin("math", ["number"])
def abs_(x: Any) -> Any:
    """Absolute value; ints stay ints."""
    if type(x) is int:
        return abs(x)
    if type(x) is float:
        return _m.fabs(x)
    raise FunctionError("only float64 & int type are supported")


@builtin("math", ["number", "number"], optional=1)
def round_(x: Any, precision: Any = 0) -> float:
    """Round half away from zero to ``precision`` decimals; always a float, as in Go."""
    if not (type(precision) is int or (type(precision) is float and precision.is_integer())):
        raise FunctionError(f"The second argument must be an integer: {precision}")
    v = _to_float(x)
    factor = 10.0 ** int(precision)
    scaled = v * factor
    rounded = _m.floor(abs(scaled) + 0.5) * (1 if scaled >= 0 else -1)
    return rounded / factor
