"""Go-flavoured conversions eKuiper applies to values (its ``pkg/cast``).

How a value prints (``go_str``, Go's ``%v``), what Go type it names in messages
(``go_type``), and the ``cast.To*`` conversions with eKuiper's three strictness
levels. A refused conversion raises :class:`~kuiper_dev.errors.FunctionError`
with eKuiper's message, which the engine records on the rule and goes on.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ..errors import FunctionError
from .numbers import INT64_MAX, INT64_MIN, wrap_int64

__all__ = [
    "Strictness",
    "describe",
    "format_float_f",
    "format_float_g",
    "go_str",
    "go_time_str",
    "go_type",
    "is_number",
    "parse_go_float",
    "parse_go_int",
    "to_bool",
    "to_bytes",
    "to_float",
    "to_int",
    "to_string",
]


def is_number(v: Any) -> bool:
    """True for int and float values, never for bool (a Python int subclass).

    >>> is_number(1), is_number(1.5), is_number(True), is_number("1")
    (True, True, False, False)
    """
    return type(v) is int or type(v) is float


def go_type(v: Any) -> str:
    """The Go type name eKuiper prints for a value in error messages.

    >>> go_type(1), go_type(1.0), go_type({}), go_type(None)
    ('int64', 'float64', 'map[string]interface {}', '<nil>')
    """
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
    if isinstance(v, datetime):
        return "time.Time"
    return "<nil>" if v is None else type(v).__name__


def format_float_g(v: float) -> str:
    """``strconv.FormatFloat(v, 'g', -1, 64)``, which is how ``%v`` prints a float64.

    The shortest digits, with an exponent when the decimal exponent is below -4 or
    at least 6 (so 1e6 prints as ``1e+06``, 123456.0 as ``123456``).

    >>> format_float_g(1e6), format_float_g(123456.0), format_float_g(-0.00001)
    ('1e+06', '123456', '-1e-05')
    """
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
    if type(v) is str:
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return format_float_g(v)
    if isinstance(v, list):
        return "[" + " ".join(go_str(x) if x is not None else "<nil>" for x in v) + "]"
    if isinstance(v, dict):
        items = " ".join(f"{k}:{go_str(v[k]) if v[k] is not None else '<nil>'}" for k in sorted(v))
        return f"map[{items}]"
    if isinstance(v, datetime):
        return go_time_str(v)
    if isinstance(v, bytes):
        return "[" + " ".join(str(b) for b in v) + "]"
    return str(v)


def go_time_str(t: datetime) -> str:
    """Go's ``time.Time.String()``: ``2006-01-02 15:04:05.999999999 -0700 MST``.

    >>> from datetime import timezone
    >>> go_time_str(datetime(2024, 1, 2, 3, 4, 5, 120000, timezone.utc))
    '2024-01-02 03:04:05.12 +0000 UTC'
    """
    frac = f".{t.microsecond:06d}".rstrip("0") if t.microsecond else ""
    offset = t.strftime("%z") or "+0000"
    zone = t.tzname() or "UTC"
    if zone.startswith("UTC") and len(zone) > 3:  # Python's name for a fixed offset
        zone = offset
    return f"{t:%Y-%m-%d %H:%M:%S}{frac} {offset} {zone}"


Strictness = Literal["strict", "samekind", "all"]
"""eKuiper's ``cast.STRICT``, ``CONVERT_SAMEKIND`` and ``CONVERT_ALL``."""


def verb_v(v: Any) -> str:
    """Go's ``fmt.Sprintf("%v", v)`` for a value quoted in an error message: like
    :func:`go_str` (eKuiper's ``cast.ToStringAlways``) but null prints as ``<nil>``.

    >>> verb_v(None), verb_v(1.5), verb_v("a")
    ('<nil>', '1.5', 'a')
    """
    return "<nil>" if v is None else go_str(v)


def describe(v: Any) -> str:
    """A value as Go's ``%T(%v)`` shows it in conversion errors.

    >>> describe(2.5), describe("a"), describe(None)
    ('float64(2.5)', 'string(a)', '<nil>(<nil>)')
    """
    return f"{go_type(v)}({verb_v(v)})"


def _cannot(v: Any, target: str) -> FunctionError:
    return FunctionError(f"cannot convert {describe(v)} to {target}")


def parse_go_int(s: str) -> int | None:
    """``strconv.ParseInt(s, 0, 64)``: sign, ``0x``/``0o``/``0b``/leading-0 octal, ``_``.

    >>> parse_go_int("0x1F"), parse_go_int("017"), parse_go_int("1.0")
    (31, 15, None)
    """
    body = s[1:] if s[:1] in "+-" else s
    if not body or body != body.strip():
        return None
    low = body.lower()
    try:
        if low[:2] in ("0x", "0o", "0b"):
            v = int(body, 0)
        elif len(body) > 1 and body[0] == "0":
            v = int(body, 8)
        elif "_" in body:
            return None  # underscores need a base prefix in Go
        else:
            v = int(body, 10)
    except ValueError:
        return None
    v = -v if s[:1] == "-" else v
    return v if INT64_MIN <= v <= INT64_MAX else None


def parse_go_float(s: str) -> float | None:
    """``strconv.ParseFloat(s, 64)``: no surrounding spaces, ``inf``/``nan`` allowed.

    >>> parse_go_float("1e3"), parse_go_float("0x1p-2"), parse_go_float(" 1")
    (1000.0, 0.25, None)
    """
    if not s or s != s.strip() or "_" in s:
        return None
    try:
        return float(s)
    except ValueError:
        if s.lower().startswith(("0x", "-0x", "+0x")):
            try:
                return float.fromhex(s)
            except ValueError:
                return None
        return None


def to_int(v: Any, sn: Strictness = "strict", target: str = "int") -> int:
    """``cast.ToInt``: ints as they are, integral floats (any float unless strict).

    >>> to_int(2.0), to_int(2.7, "samekind"), to_int("0x10", "all")
    (2, 2, 16)
    >>> to_int(2.5)
    Traceback (most recent call last):
    kuiper_dev.errors.FunctionError: cannot convert float64(2.5) to int
    """
    if type(v) is int:
        return v
    if type(v) is float:
        if (sn != "strict" or v.is_integer()) and math.isfinite(v):
            return wrap_int64(int(v))
    elif sn == "all":
        if isinstance(v, str):
            parsed = parse_go_int(v)
            if parsed is not None:
                return parsed
        elif isinstance(v, bool):
            return int(v)
        elif v is None:
            return 0
    raise _cannot(v, target)


def to_float(v: Any, sn: Strictness = "samekind") -> float:
    """``cast.ToFloat64``: floats, ints unless strict, strings and bools only with ``all``.

    >>> to_float(2), to_float("1.5", "all"), to_float(True, "all")
    (2.0, 1.5, 1.0)
    """
    if type(v) is float:
        return v
    if type(v) is int and sn != "strict":
        return float(v)
    if sn == "all":
        if isinstance(v, str):
            parsed = parse_go_float(v)
            if parsed is not None:
                return parsed
        elif isinstance(v, bool):
            return float(v)
        elif v is None:
            return 0.0
    raise _cannot(v, "float64")


def to_string(v: Any, sn: Strictness = "samekind") -> str:
    """``cast.ToString``: text and bytes; anything printable with ``all``.

    >>> to_string(b"ab"), to_string(1e21, "all"), to_string([1, 2.5], "all")
    ('ab', '1000000000000000000000', '[1 2.5]')
    """
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if sn == "all":
        if isinstance(v, float):
            return format_float_f(v)
        return go_str(v)
    raise _cannot(v, "string")


def format_float_f(v: float) -> str:
    """``strconv.FormatFloat(v, 'f', -1, 64)``: shortest digits, never an exponent.

    >>> format_float_f(1e21), format_float_f(0.5), format_float_f(3.0)
    ('1000000000000000000000', '0.5', '3')
    """
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    text = format(Decimal(repr(v)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def to_bool(v: Any, sn: Strictness = "samekind") -> bool:
    """``cast.ToBool``: bools; numbers (non-zero), Go bool words and null with ``all``.

    >>> to_bool(True), to_bool("T", "all"), to_bool(0, "all"), to_bool(None, "all")
    (True, True, False, False)
    """
    if isinstance(v, bool):
        return v
    if sn == "all":
        if v is None:
            return False
        if is_number(v):
            return bool(v != 0)
        if isinstance(v, str):
            if v in _GO_TRUE:
                return True
            if v in _GO_FALSE:
                return False
            raise FunctionError(f'strconv.ParseBool: parsing "{v}": invalid syntax')
    raise _cannot(v, "bool")


def to_bytes(v: Any, sn: Strictness = "samekind") -> bytes:
    """``cast.ToBytes``: bytes as they are, text as UTF-8; more with ``all``.

    >>> to_bytes("é"), to_bytes(2.0, "all")
    (b'\\xc3\\xa9', b'2')
    """
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode()
    if sn == "all":
        return go_str(v).encode()
    raise _cannot(v, "bytes")
