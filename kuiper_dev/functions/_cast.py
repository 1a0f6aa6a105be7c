"""Go-flavoured conversions the built-ins share (eKuiper's ``pkg/cast``)."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from .registry import FunctionError

__all__ = [
    "Strictness",
    "go_json",
    "format_float_f",
    "go_str",
    "go_type",
    "is_number",
    "parse_go_float",
    "parse_go_int",
    "to_bool",
    "to_bytes",
    "to_float",
    "to_int",
    "to_string",
    "wrap_int64",
]


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
    if isinstance(v, datetime):
        return "time.Time"
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
    if type(v) is str:
        return v
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

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def wrap_int64(v: int) -> int:
    """Wrap a Python int into Go's int64 range, as Go's arithmetic overflows.

    >>> wrap_int64(1 << 63)
    -9223372036854775808
    """
    return ((v - INT64_MIN) % (1 << 64)) + INT64_MIN


def _cannot(v: Any, target: str) -> FunctionError:
    return FunctionError(f"cannot convert {go_type(v)}({go_str(v)}) to {target}")


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
    """``strconv.ParseFloat(s, 64)``: no surrounding spaces, ``inf``/``nan`` allowed."""
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
    """``cast.ToInt``: ints as they are, integral floats (any float unless strict)."""
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
    """``cast.ToFloat64``: floats, ints unless strict, strings and bools only with ``all``."""
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
    """``cast.ToString``: text and bytes; anything printable with ``all``."""
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
    """``cast.ToBool``: bools; numbers (non-zero), Go bool words and null with ``all``."""
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
    """``cast.ToBytes``: bytes as they are, text as UTF-8; more with ``all``."""
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode()
    if sn == "all":
        return go_str(v).encode()
    raise _cannot(v, "bytes")


def _go_json_float(v: float) -> str:
    if math.isnan(v) or math.isinf(v):
        raise ValueError(f"json: unsupported value: {_go_float(v)}")
    a = abs(v)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        text = repr(v).replace("e-0", "e-").replace("e+0", "e+")
        return text if "e" in text else f"{v:e}"
    return format_float_f(v)


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                 "<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}  # fmt: skip


def _go_json_str(s: str) -> str:
    out = []
    for c in s:
        if c in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[c])
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def go_json(v: Any) -> str:
    """``json.Marshal`` as Go writes it: sorted keys, ``1.0`` as ``1``, HTML escaped.

    >>> go_json({"b": 1.0, "a": [2.5, None, "<"]})
    '{"a":[2.5,null,"\\\\u003c"],"b":1}'
    """
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _go_json_float(v)
    if isinstance(v, str):
        return _go_json_str(v)
    if isinstance(v, bytes):
        import base64

        return '"' + base64.b64encode(v).decode() + '"'
    if isinstance(v, list | tuple):
        return "[" + ",".join(go_json(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(f"{_go_json_str(str(k))}:{go_json(v[k])}" for k in sorted(v)) + "}"
    if isinstance(v, datetime):
        return '"' + v.isoformat().replace("+00:00", "Z") + '"'
    raise ValueError(f"json: unsupported type: {go_type(v)}")
