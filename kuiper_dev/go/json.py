"""JSON text as eKuiper (Go's ``encoding/json``) writes it: the one encoder.

eKuiper's sinks, its ``to_json`` SQL function and the template functions (``json``,
``toJson``, ``toRawJson``, ``toPrettyJson``) all call ``json.Marshal``: maps with
sorted keys, floats in their shortest form without a fraction when whole (``20``
not ``20.0``), ``<``, ``>`` and ``&`` escaped unless the caller turns that off, and
no text at all for NaN or an infinity. :func:`dumps` writes that, so what
kuiper_dev emits can be diffed against a real eKuiper's output byte for byte.

Most values take a fast path through orjson, whose output agrees with Go's for
them; values where the two differ (big whole floats, floats just below 1e-5,
NaN, times, bytes, non-text keys, lone surrogates) go through a writer that
follows Go's rules step by step.
"""

from __future__ import annotations

import base64
import math
import re
from datetime import datetime
from typing import Any

import orjson

from .casts import format_float_f, format_float_g, go_type

__all__ = ["dumps", "normalize", "numbers_as_floats"]

_INT64_LIMIT = 2**63  # orjson writes 64-bit ints only; larger whole floats stay floats


def normalize(value: Any) -> Any:
    """Return ``value`` with whole floats turned into ints, as Go prints them.

    For comparing results, not for writing them: use :func:`dumps` for text.

    >>> normalize({"a": 2.0, "b": [1.5, 3.0]})
    {'a': 2, 'b': [1.5, 3]}
    """
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < _INT64_LIMIT:
            return int(value)
        return value
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    return value


def numbers_as_floats(value: Any) -> Any:
    """Return ``value`` with every int turned into a float, as Go's ``json.Unmarshal``
    into ``interface{}`` (and so eKuiper's schemaless JSON decoding) reads numbers.

    >>> numbers_as_floats({"a": 1, "b": [2, "x", True]})
    {'a': 1.0, 'b': [2.0, 'x', True]}
    """
    t = type(value)
    if t is int:
        return float(value)
    if t is dict:
        return {k: numbers_as_floats(v) for k, v in value.items()}
    if t is list:
        return [numbers_as_floats(v) for v in value]
    return value


def dumps(value: Any, *, escape_html: bool = True, indent: str = "") -> str:
    """``json.Marshal(value)`` as Go writes it; ``indent`` gives ``json.MarshalIndent``.

    ``escape_html=False`` is Go's ``Encoder.SetEscapeHTML(false)`` (sprig's
    ``toRawJson``). NaN, infinities and values JSON cannot hold raise
    :class:`ValueError` with Go's message, where Go's ``Marshal`` returns an error.

    >>> dumps([{"b": 1.0, "a": "x<y", "c": 1e21, "d": 1e20}])
    '[{"a":"x\\\\u003cy","b":1,"c":1e+21,"d":100000000000000000000}]'
    >>> print(dumps({"a": [1, {}]}, indent="  "))
    {
      "a": [
        1,
        {}
      ]
    }
    """
    text = _fast(value, escape_html)
    if text is None:
        text = _encode(value, escape_html)
    return _indent(text, indent) if indent else text


# --- the fast path -----------------------------------------------------------------

_SLOW: Any = object()  # _plain's answer for a value orjson would write unlike Go
_EXACT = 2**53  # whole floats below this print as their integer digits in Go


def _fast(value: Any, escape_html: bool) -> str | None:
    plain = _plain(value)
    if plain is _SLOW:
        return None
    try:
        text = orjson.dumps(plain, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # ints beyond 64 bits, lone surrogates
        return None
    if escape_html:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # Go escapes these two always (they end lines in JavaScript); orjson never does.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _plain(v: Any) -> Any:
    """``v`` with whole floats as ints, or ``_SLOW`` where orjson and Go disagree."""
    t = type(v)
    if t is str or t is int or t is bool or v is None:
        return v
    if t is float:
        if v.is_integer():
            return int(v) if -_EXACT < v < _EXACT else _SLOW
        a = abs(v)
        # orjson writes 1e-6 <= |v| < 1e-5 with an exponent, Go without one.
        return v if math.isfinite(v) and not 1e-6 <= a < 1e-5 else _SLOW
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if type(k) is not str:
                return _SLOW
            y = _plain(x)
            if y is _SLOW:
                return _SLOW
            out[k] = y
        return out
    if isinstance(v, list | tuple):
        items = []
        for x in v:
            y = _plain(x)
            if y is _SLOW:
                return _SLOW
            items.append(y)
        return items
    if isinstance(v, int) and not isinstance(v, bool):
        return int(v)  # an int subclass, such as a template's Go int
    return _SLOW


# --- Go's rules, step by step ------------------------------------------------------

_ESCAPES = {
    '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
    "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029",
}  # fmt: skip
_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029\ud800-\udfff]')
_NEEDS_ESCAPE_RAW = re.compile('[\x00-\x1f"\\\\\u2028\u2029\ud800-\udfff]')


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    if c in _ESCAPES:
        return _ESCAPES[c]
    if c >= "\ud800":
        return "\ufffd"  # Go writes invalid UTF-8 (here a lone surrogate) as U+FFFD
    return f"\\u{ord(c):04x}"


def _string(s: str, escape_html: bool) -> str:
    rx = _NEEDS_ESCAPE if escape_html else _NEEDS_ESCAPE_RAW
    return '"' + (rx.sub(_escape, s) if rx.search(s) else s) + '"'


def _float(v: float) -> str:
    if not math.isfinite(v):
        raise ValueError(f"json: unsupported value: {format_float_g(v)}")
    a = abs(v)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        text = repr(v).replace("e-0", "e-").replace("e+0", "e+")
        return text if "e" in text else f"{v:e}"
    return format_float_f(v)


def _time(t: datetime) -> str:
    # time.Time's MarshalJSON: RFC 3339 with the fraction's trailing zeros dropped.
    frac = f".{t.microsecond:06d}".rstrip("0") if t.microsecond else ""
    offset = t.utcoffset()
    zone = "Z"
    if offset:
        mins = int(offset.total_seconds()) // 60
        zone = f"{'-' if mins < 0 else '+'}{abs(mins) // 60:02d}:{abs(mins) % 60:02d}"
    return (
        f'"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}'
        f'{frac}{zone}"'
    )


def _encode(v: Any, escape_html: bool) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return _float(v)
    if isinstance(v, str):
        return _string(v, escape_html)
    if isinstance(v, bytes):
        return '"' + base64.b64encode(v).decode() + '"'
    if isinstance(v, list | tuple):
        return "[" + ",".join(_encode(x, escape_html) for x in v) + "]"
    if isinstance(v, dict):
        # Go sorts a map's keys as text, whatever their type.
        items = sorted(((str(k), x) for k, x in v.items()), key=lambda kx: kx[0])
        body = ",".join(f"{_string(k, escape_html)}:{_encode(x, escape_html)}" for k, x in items)
        return "{" + body + "}"
    if isinstance(v, datetime):
        return _time(v)
    raise ValueError(f"json: unsupported type: {go_type(v)}")


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^"{}\[\],:]+')


def _indent(compact: str, indent: str) -> str:
    """Go's ``json.Indent`` over compact text: ``{}`` and ``[]`` stay on one line."""
    out: list[str] = []
    depth = 0
    pending = False  # an opened object or array waits to see whether it is empty
    for tok in _TOKEN.findall(compact):
        if pending and tok not in ("}", "]"):
            pending = False
            depth += 1
            out.append("\n" + indent * depth)
        if tok in ("{", "["):
            pending = True
            out.append(tok)
        elif tok in ("}", "]"):
            if pending:
                pending = False
            else:
                depth -= 1
                out.append("\n" + indent * depth)
            out.append(tok)
        elif tok == ",":
            out.append(",\n" + indent * depth)
        elif tok == ":":
            out.append(": ")
        else:
            out.append(tok)
    return "".join(out)
