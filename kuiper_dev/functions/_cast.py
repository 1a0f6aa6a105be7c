"""Go-flavoured conversions the built-ins share (eKuiper's ``pkg/cast``)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

__all__ = ["go_str", "go_type", "is_number"]


def is_number(v: Any) -> bool:
    """True for int and float values, never for bool (a Python int subclass)."""
    return type(v) is int or type(v) is float


def go_type(v: Any) -> str:
    """The Go type name eKuiper prints for a value in error messages."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int64"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, list):
        return "[]interface {}"
    if isinstance(v, bytes):
        return "[]uint8"
    return "<nil>" if v is None else type(v).__name__


def _go_float(v: float) -> str:
    # Go's %v is strconv's 'g' with the shortest digits: %e when the decimal exponent
    # is below -4 or at least 6 (so 1e6 prints as "1e+06", 123456.0 as "123456").
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(v)).normalize().as_tuple()
    text = "".join(map(str, digits))
    exp = len(digits) + int(exponent) - 1
    prefix = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp >= len(text) - 1:
        return prefix + text + "0" * (exp - len(text) + 1)
    if exp >= 0:
        return prefix + text[: exp + 1] + "." + text[exp + 1 :]
    return prefix + "0." + "0" * (-exp - 1) + text


def go_str(v: Any) -> str:
    """``fmt.Sprintf("%v", v)`` as eKuiper's ``cast.ToStringAlways`` gives it.

    >>> go_str(20.0), go_str(1.5), go_str(True), go_str(None), go_str([1, "a"])
    ('20', '1.5', 'true', '', '[1 a]')
    """
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _go_float(v)
    if isinstance(v, list):
        return "[" + " ".join(go_str(x) if x is not None else "<nil>" for x in v) + "]"
    if isinstance(v, dict):
        items = " ".join(f"{k}:{go_str(v[k]) if v[k] is not None else '<nil>'}" for k in sorted(v))
        return f"map[{items}]"
    return str(v)
