"""Mathematical functions (``docs/en_US/sqls/functions/mathematical_functions.md``).

Behaviour follows ``internal/binder/function/funcs_math.go``: trigonometric and
exponential functions convert "same kind" (ints and floats) to float64 and turn a
NaN result into null; ``abs`` keeps ints; ``sign`` returns an int; ``ceil``,
``floor``, ``round``, ``mod`` and ``power`` return floats even for int input.
"""

from __future__ import annotations

import cmath
import math as _m
import random
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ..errors import FunctionError
from ..go import go_str, to_float, to_int, wrap_int64
from ..sql import ast
from .registry import builtin


def _nan_to_null(r: float) -> float | None:
    return None if _m.isnan(r) else r


def _unary(name: str, op: Callable[[float], float], *aliases: str) -> None:
    def fn(x: Any) -> float | None:
        v = to_float(x)
        try:
            return _nan_to_null(op(v))
        except ValueError:  # Python raises where Go returns NaN: domain errors
            return None
        except OverflowError:
            return _m.copysign(_m.inf, 1.0 if name in ("exp", "cosh") else v)

    fn.__doc__ = f"``{name}`` of a number as float64; null where Go gives NaN."
    fn.__name__ = name
    builtin("math", ["number"], aliases=aliases)(fn)


for _name, _op in {
    "acos": _m.acos,
    "asin": _m.asin,
    "atan": _m.atan,
    "cos": _m.cos,
    "cosh": _m.cosh,
    "exp": _m.exp,
    "sin": _m.sin,
    "sinh": _m.sinh,
    "tan": _m.tan,
    "tanh": _m.tanh,
    "radians": _m.radians,
    "degrees": _m.degrees,
}.items():
    _unary(_name, _op)


@builtin("math", ["number"])
def abs_(x: Any) -> Any:
    """Absolute value; ints stay ints."""
    if type(x) is int:
        return wrap_int64(abs(x))
    if type(x) is float:
        return _m.fabs(x)
    raise FunctionError("only float64 & int type are supported")


@builtin("math", ["number", "number"])
def atan2(y: Any, x: Any) -> float | None:
    """Arc tangent of y/x, using the signs of both to find the quadrant."""
    return _nan_to_null(_m.atan2(to_float(y), to_float(x)))


def _bit_operand(v: Any, which: str) -> int:
    try:
        return to_int(v, "strict")
    except FunctionError:
        raise FunctionError(f"Expect int type for {which} but got {go_str(v)}") from None


def _bitwise(name: str, op: Callable[[int, int], int]) -> None:
    def fn(a: Any, b: Any) -> int:
        return op(_bit_operand(a, "the first operand"), _bit_operand(b, "the second operand"))

    fn.__doc__ = f"Bitwise {name[3:].upper()} of two ints."
    fn.__name__ = name
    builtin("math", ["int", "int"])(fn)


_bitwise("bitand", lambda a, b: a & b)
_bitwise("bitor", lambda a, b: a | b)
_bitwise("bitxor", lambda a, b: a ^ b)


@builtin("math", ["int"])
def bitnot(a: Any) -> int:
    """Bitwise NOT of an int."""
    return ~_bit_operand(a, "operand")


@builtin("math", ["number"], aliases=["ceil"])
def ceiling(x: Any) -> float:
    """Smallest integral value not below x, as a float."""
    v = to_float(x)
    return float(_m.ceil(v)) if _m.isfinite(v) else v


@builtin("math", ["number"])
def floor(x: Any) -> float:
    """Largest integral value not above x, as a float."""
    v = to_float(x)
    return float(_m.floor(v)) if _m.isfinite(v) else v


def _log(v: float) -> float:
    if v > 0:
        return _m.log(v)
    if v == 0:
        return -_m.inf
    return _m.nan


@builtin("math", ["number"])
def ln(x: Any) -> float:
    """Natural logarithm; a negative argument is an error (0 gives -Inf, as Go)."""
    v = to_float(x)
    r = _log(v)
    if _m.isnan(r):
        raise FunctionError(f"The argument must be a strictly positive number but got {go_str(v)}")
    return r


def _one_or_two_numbers(args: Sequence[ast.Expr]) -> str | None:
    if len(args) not in (1, 2):
        return "Expect 1 or 2 arguments only"
    if isinstance(args[0], ast.StringLiteral | ast.BooleanLiteral):
        return "Expect number - float or int type for parameter 1"
    return None


@builtin("math", ["any", "any"], optional=1, validator=_one_or_two_numbers)
def log(x: Any, y: Any = None) -> float:
    """``log(x)`` is base 10; ``log(b, x)`` is x in base b."""
    v = to_float(x)
    if y is None:
        r = _m.log10(v) if v > 0 else _log(v)
    else:
        lb = _log(v)
        r = _log(to_float(y)) / lb if lb != 0 else _m.copysign(_m.inf, _log(to_float(y)))
    if _m.isnan(r):
        raise FunctionError(f"The argument must be a strictly positive number but got {go_str(v)}")
    return r


@builtin("math", ["number", "number"])
def mod(x: Any, y: Any) -> float:
    """Remainder of x / y with the sign of x (Go's ``math.Mod``); NaN for y = 0, as Go."""
    a, b = to_float(x), to_float(y)
    if b == 0 or _m.isinf(a) or _m.isnan(a) or _m.isnan(b):
        return _m.nan
    return _m.fmod(a, b)


@builtin("math", [])
def pi() -> float:
    """The constant pi."""
    return _m.pi


@builtin("math", ["number", "number"], aliases=["pow"])
def power(x: Any, y: Any) -> float:
    """x raised to y, as a float."""
    a, b = to_float(x), to_float(y)
    try:
        return float(_m.pow(a, b))
    except OverflowError:
        return _m.inf
    except ValueError:
        return _m.inf if a == 0 else _m.nan


@builtin("math", [], null="pass")
def rand() -> float:
    """A pseudo-random float in [0, 1)."""
    return random.random()


@builtin("math", ["number", "number"], optional=1)
def round_(x: Any, precision: Any = 0) -> float:
    """Round half away from zero to ``precision`` decimals (negative allowed); a float."""
    try:
        digits = to_int(precision, "samekind")
    except FunctionError as exc:
        raise FunctionError(f"The second argument must be an integer: {exc}") from None
    v = to_float(x)
    try:
        factor = 10.0**digits
    except OverflowError:
        factor = _m.inf
    scaled = v * factor
    if _m.isinf(scaled) or _m.isinf(factor):
        # Go falls back to big.Float here; Decimal does the same job exactly
        with localcontext() as ctx:
            ctx.prec = 1200
            q = Decimal(v).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
            return float(q)
    rounded = _m.floor(abs(scaled) + 0.5) if abs(scaled) < 2**52 else abs(scaled)
    return _m.copysign(rounded, scaled) / factor


@builtin("math", ["number"])
def sign(x: Any) -> int:
    """1, 0 or -1 by the sign of x; an int."""
    v = to_float(x)
    return 1 if v > 0 else -1 if v < 0 else 0


@builtin("math", ["number"])
def sqrt(x: Any) -> float:
    """Square root; a negative argument is an error."""
    v = to_float(x)
    if v < 0 or _m.isnan(v):
        raise FunctionError(f"The argument must be a positive number but got {go_str(v)}")
    return _m.sqrt(v)


@builtin("math", ["number"])
def cot(x: Any) -> float | None:
    """Cotangent; "out-of-range error" where it is infinite (at 0)."""
    v = to_float(x)
    if v == 0:
        raise FunctionError("out-of-range error")
    r = (1 / cmath.tan(complex(v, 0))).real
    return _nan_to_null(r)


def _conv_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 3:
        return f"Expect 3 arguments but found {len(args)}."
    for i in (1, 2):
        if not isinstance(args[i], ast.IntegerLiteral):
            return f"Expect integer type for parameter {i + 1}"
    return None


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _valid_prefix(s: str, base: int) -> str:
    """The leading part of ``s`` that reads as a number in ``base`` (sign included)."""
    n = 0
    for i, c in enumerate(s):
        if c.isascii() and c.isalnum():
            if _DIGITS.index(c.upper()) < base:
                n = i + 1
                continue
            break
        if c in "+-" and i == 0:
            continue
        break
    if n > 1 and s[0] == "+":
        return s[1:n]
    return s[:n]


def _format_base(v: int, base: int) -> str:
    if v == 0:
        return "0"
    out = []
    while v:
        v, r = divmod(v, base)
        out.append(_DIGITS[r])
    return "".join(reversed(out))


@builtin("math", ["any", "int", "int"], validator=_conv_validator)
def conv(x: Any, from_base: Any, to_base: Any) -> str | None:
    """Convert number text between bases 2..36 (MySQL's CONV); negative bases mean signed.

    As in Go, the text is read as uint64, negatives wrap around, and a negative
    ``to_base`` prints the value as signed.
    """
    fb, tb = to_int(from_base, "samekind"), to_int(to_base, "samekind")
    signed, ignore_sign = fb < 0, tb < 0
    fb, tb = abs(fb), abs(tb)
    if not (2 <= fb <= 36 and 2 <= tb <= 36):
        return None
    text = _valid_prefix(go_str(x).strip(), fb)
    if not text:
        return "0"
    negative = text[0] == "-"
    digits = text[1:] if negative else text
    try:
        val = int(digits, fb)
    except ValueError:
        raise FunctionError(f'strconv.ParseUint: parsing "{digits}": invalid syntax') from None
    if val >= 1 << 64:
        raise FunctionError(f'strconv.ParseUint: parsing "{digits}": value out of range')
    if signed:
        val = min(val, 1 << 63) if negative else min(val, (1 << 63) - 1)
    if negative:
        val = (-val) % (1 << 64)
    is_neg = val >= 1 << 63
    if ignore_sign and is_neg:
        return "-" + _format_base((1 << 64) - val, tb)
    return _format_base(val, tb)
