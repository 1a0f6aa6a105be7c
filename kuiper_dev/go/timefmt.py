"""eKuiper's time values (``pkg/cast/time.go``) in Python.

A time value is an aware :class:`datetime.datetime` (Go's ``time.Time``; Python
keeps microseconds where Go keeps nanoseconds). Numbers are epoch milliseconds and
text is parsed in the configured zone, as eKuiper's ``InterfaceToTime`` does.
The zone is eKuiper's ``basic.timezone``: the machine's local zone unless
:func:`set_time_zone` names another.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import FunctionError
from .casts import go_str

__all__ = [
    "format_time",
    "from_unix_milli",
    "get_time_zone",
    "load_location",
    "parse_duration",
    "parse_time",
    "set_time_zone",
    "to_time",
    "unix_milli",
]

_zone: tzinfo | None = None  # None: the machine's local zone, as Go's time.Local


def load_location(name: str) -> tzinfo:
    """Go's ``time.LoadLocation``: "" and "UTC" are UTC, "Local" the local zone.

    >>> load_location(""), load_location("Asia/Shanghai")
    (datetime.timezone.utc, zoneinfo.ZoneInfo(key='Asia/Shanghai'))
    """
    if name in ("", "UTC"):
        return UTC
    if name == "Local":
        return datetime.now().astimezone().tzinfo or UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FunctionError(f"unknown time zone {name}") from None


def set_time_zone(name: str | None) -> None:
    """Set the zone times are shown and parsed in (None: back to the local zone).

    >>> set_time_zone("Asia/Shanghai"); get_time_zone()
    zoneinfo.ZoneInfo(key='Asia/Shanghai')
    >>> set_time_zone(None)
    """
    global _zone
    _zone = None if name is None else load_location(name)


def get_time_zone() -> tzinfo:
    """The configured zone (eKuiper's ``cast.GetConfiguredTimeZone``).

    >>> set_time_zone("UTC"); get_time_zone()
    datetime.timezone.utc
    """
    if _zone is not None:
        return _zone
    return datetime.now().astimezone().tzinfo or UTC


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_unix_milli(ms: int) -> datetime:
    """Epoch milliseconds as a time in the configured zone.

    >>> set_time_zone("UTC"); from_unix_milli(1000).isoformat()
    '1970-01-01T00:00:01+00:00'
    """
    return (_EPOCH + timedelta(milliseconds=ms)).astimezone(get_time_zone())


def unix_milli(t: datetime) -> int:
    """Epoch milliseconds of a time (Go's ``UnixNano() / 1e6``, truncated).

    >>> unix_milli(datetime(1970, 1, 1, 0, 0, 1, 999, UTC))
    1000
    """
    delta = t - _EPOCH
    return (delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + delta.microseconds) // 1000


def to_time(v: Any, fmt: str = "") -> datetime:
    """eKuiper's ``InterfaceToTime``: ms numbers, times, and text in many layouts.

    >>> set_time_zone("UTC"); to_time(1500.9).isoformat(), to_time("2024-01-02").isoformat()
    ('1970-01-01T00:00:01.500000+00:00', '2024-01-02T00:00:00+00:00')
    """
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=get_time_zone())
    if type(v) is int:
        return from_unix_milli(v)
    if type(v) is float:
        return from_unix_milli(int(v))
    if isinstance(v, str):
        return parse_time(v, fmt)
    raise FunctionError(f"unsupported type to convert to timestamp {go_str(v) or '<nil>'}")


# --- formatting ----------------------------------------------------------------

_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _run(f: str, i: int, limit: int) -> int:
    j = 1
    while i + j < len(f) and j <= limit and f[i + j] == f[i]:
        j += 1
    return j


def _offset(t: datetime, sep: str, full: bool) -> str:
    off = t.utcoffset() or timedelta(0)
    if off == timedelta(0) and not full:
        return "Z"
    mins = int(off.total_seconds()) // 60
    sign = "-" if mins < 0 else "+"
    h, m = divmod(abs(mins), 60)
    return f"{sign}{h:02d}{sep}{m:02d}" if sep is not None else f"{sign}{h:02d}"


def _zone_abbr(t: datetime) -> str:
    name = t.tzname() or "UTC"
    if name.startswith("UTC") and len(name) > 3:  # a fixed offset: Go prints -0700
        return _offset(t, "", True)
    return name


def format_time(t: datetime, fmt: str) -> str:
    """Format a time with eKuiper's Java-like pattern (``S`` runs include the dot).

    >>> format_time(datetime(2024, 3, 5, 14, 7, 9, 123000, UTC), "yyyy-MM-dd HH:mm:ssSSS")
    '2024-03-05 14:07:09.123'
    """
    out: list[str] = []
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c == "\\":
            i += 1
            if i >= n:
                raise FunctionError(f"{fmt} is invalid")
            out.append(fmt[i])
        elif c in "Yy":
            j = _run(fmt, i, 4)
            if j == 4:
                out.append(f"{t.year:04d}")
            elif j == 2:
                out.append(f"{t.year % 100:02d}")
            else:
                raise FunctionError(f"invalid time format {fmt} for Y/y")
            i += j - 1
        elif c == "G":
            out.append("AD")
        elif c == "M":
            j = _run(fmt, i, 4)
            month = _MONTHS[t.month - 1]
            out.append([str(t.month), f"{t.month:02d}", month[:3], month][min(j, 4) - 1])
            i += j - 1
        elif c == "d":
            j = _run(fmt, i, 2)
            out.append(str(t.day) if j == 1 else f"{t.day:02d}")
            i += j - 1
        elif c == "E":
            j = _run(fmt, i, 4)
            if j not in (3, 4):
                raise FunctionError(f"invalid time format {fmt} for E")
            day = _DAYS[t.weekday()]
            out.append(day[:3] if j == 3 else day)
            i += j - 1
        elif c == "H":
            j = _run(fmt, i, 2)
            if j != 2:
                raise FunctionError(f"invalid time format {fmt} of H, only HH is supported")
            out.append(f"{t.hour:02d}")
            i += 1
        elif c == "h":
            j = _run(fmt, i, 2)
            h12 = t.hour % 12 or 12
            out.append(str(h12) if j == 1 else f"{h12:02d}")
            i += j - 1
        elif c == "a":
            out.append("PM" if t.hour >= 12 else "AM")
        elif c in "ms":
            j = _run(fmt, i, 2)
            v = t.minute if c == "m" else t.second
            out.append(str(v) if j == 1 else f"{v:02d}")
            i += j - 1
        elif c == "S":
            j = 0
            while i + j < n and fmt[i + j] == "S":
                j += 1
            # Go's ".000" layout: a dot then j digits of the fraction
            digits = f"{t.microsecond:06d}000"
            out.append("." + digits[:j] if j <= 9 else "." + digits + "0" * (j - 9))
            i += j - 1
        elif c == "z":
            out.append(_zone_abbr(t))
        elif c == "Z":
            out.append(_offset(t, "", True))
        elif c == "X":
            j = _run(fmt, i, 3)
            off = t.utcoffset() or timedelta(0)
            if off == timedelta(0):
                out.append("Z")
            else:
                out.append(
                    _offset(t, "", True)[:3] if j == 1 else _offset(t, ":" if j == 3 else "", True)
                )
            i += j - 1
        elif c == "'":
            if i + 1 < n and fmt[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            end = fmt.find("'", i + 1)
            end = n if end < 0 else end
            out.append(fmt[i + 1 : end])
            i = end
        else:
            out.append(c)
        i += 1
    return "".join(out)


# --- parsing -------------------------------------------------------------------

_ZONE = r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?"
_LAYOUTS = [
    re.compile(
        r"^(?P<Y>\d{4})(?:[-/.](?P<M>\d{1,2})(?:[-/.](?P<D>\d{1,2})"
        r"(?:[ T](?P<h>\d{1,2})(?::(?P<m>\d{1,2})(?::(?P<s>\d{1,2})(?:[.,](?P<f>\d+))?)?)?)?)?)?"
        r"\s*" + _ZONE + r"$"
    ),
    re.compile(r"^(?P<Y>\d{4})(?P<M>\d{2})(?P<D>\d{2})$"),
    re.compile(
        r"^(?P<M>\d{1,2})/(?P<D>\d{1,2})/(?P<Y>\d{4})"
        r"(?: (?P<h>\d{1,2}):(?P<m>\d{1,2}):(?P<s>\d{1,2}))?$"
    ),
    re.compile(r"^(?P<h>\d{1,2})(?::(?P<m>\d{1,2})(?::(?P<s>\d{1,2})(?:\.(?P<f>\d+))?)?)?$"),
]


def _zone_of(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    mins = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
    from datetime import timezone

    return timezone(timedelta(minutes=mins if text[0] == "+" else -mins))


_FORMAT_RX = {
    "yyyy": r"(?P<Y>\d{4})", "YYYY": r"(?P<Y>\d{4})", "yy": r"(?P<y>\d{2})", "YY": r"(?P<y>\d{2})",
    "MM": r"(?P<M>\d{2})", "M": r"(?P<M>\d{1,2})", "dd": r"(?P<D>\d{2})", "d": r"(?P<D>\d{1,2})",
    "HH": r"(?P<h>\d{2})", "hh": r"(?P<h>\d{2})", "h": r"(?P<h>\d{1,2})", "mm": r"(?P<m>\d{2})",
    "m": r"(?P<m>\d{1,2})", "ss": r"(?P<s>\d{2})", "s": r"(?P<s>\d{1,2})", "a": r"(?P<a>AM|PM)",
    "Z": r"(?P<zone>[+-]\d{4})", "XXX": r"(?P<zone>Z|[+-]\d{2}:\d{2})", "XX": r"(?P<zone>Z|[+-]\d{4})",
    "X": r"(?P<zone>Z|[+-]\d{2})", "z": r"(?P<abbr>[A-Z]{3,4})",
}  # fmt: skip


def _format_regex(fmt: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "S":
            j = _run(fmt, i, 99)
            parts.append(r"\.(?P<f>\d{" + str(j) + "})")
            i += j
            continue
        if c == "'":
            end = fmt.find("'", i + 1)
            end = len(fmt) if end < 0 else end
            parts.append(re.escape(fmt[i + 1 : end]))
            i = end + 1
            continue
        for size in (4, 3, 2, 1):
            tok = fmt[i : i + size]
            if len(set(tok)) == 1 and tok in _FORMAT_RX:
                parts.append(_FORMAT_RX[tok])
                i += size
                break
        else:
            parts.append(re.escape(c))
            i += 1
    return re.compile("^" + "".join(parts) + "$")


def _build(m: re.Match[str]) -> datetime:
    g = m.groupdict()
    today = datetime.now(get_time_zone())
    year = int(g["Y"]) if g.get("Y") else (2000 + int(g["y"]) if g.get("y") else today.year)
    hour = int(g.get("h") or 0)
    if g.get("a") == "PM" and hour < 12:
        hour += 12
    frac = (g.get("f") or "").ljust(6, "0")[:6]
    if g.get("Y") is None and g.get("y") is None and g.get("M") is None:
        month, day = today.month, today.day
    else:
        month, day = int(g.get("M") or 1), int(g.get("D") or 1)
    zone = _zone_of(g.get("zone")) or get_time_zone()
    return datetime(year, month, day, hour, int(g.get("m") or 0), int(g.get("s") or 0),
                    int(frac or 0), zone)  # fmt: skip


def parse_time(text: str, fmt: str = "") -> datetime:
    """Parse text as eKuiper does (jinzhu/now's layouts plus ISO 8601), or ``fmt``.

    >>> set_time_zone("UTC"); parse_time("2024-01-02T03:04:05.678Z").isoformat()
    '2024-01-02T03:04:05.678000+00:00'
    """
    if fmt:  # eKuiper converts the format first and refuses letters it cannot convert
        format_time(datetime.now(UTC), fmt)
    patterns = ([_format_regex(fmt)] if fmt else []) + _LAYOUTS
    for rx in patterns:
        m = rx.match(text.strip())
        if m:
            try:
                return _build(m)
            except ValueError:
                break
    raise FunctionError(f"Can't parse string as time: {text}")


# --- durations -------------------------------------------------------------------

_UNITS = {"ns": 1e-3, "us": 1, "µs": 1, "μs": 1, "ms": 1e3, "s": 1e6, "m": 6e7, "h": 3.6e9}
_PART = re.compile(r"(\d*\.?\d*)([^\d.]*)")


def parse_duration(text: str) -> timedelta:
    """Go's ``time.ParseDuration`` ("1h30m", "-2.5s"), to the microsecond.

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    """
    quoted = '"' + text + '"'
    s = text[1:] if text[:1] in "+-" else text
    if s == "0":
        return timedelta(0)
    if not s:
        raise FunctionError(f"time: invalid duration {quoted}")
    micros, pos = 0.0, 0
    while pos < len(s):
        m = _PART.match(s, pos)
        if m is None or m.group(1) in ("", "."):
            raise FunctionError(f"time: invalid duration {quoted}")
        number, unit = m.groups()
        if not unit:
            raise FunctionError(f"time: missing unit in duration {quoted}")
        if unit not in _UNITS:
            raise FunctionError(f'time: unknown unit "{unit}" in duration {quoted}')
        micros += float(number) * _UNITS[unit]
        pos = m.end()
    return timedelta(microseconds=(-1 if text.startswith("-") else 1) * round(micros))
