"""Date and time functions (``docs/en_US/sqls/functions/datetime_functions.md``).

Follows ``funcs_datetime.go``. Time values are aware :class:`datetime.datetime`
objects (see :mod:`kuiper_dev.go.timefmt`); most of these functions return text, as eKuiper's do
(``now()`` is ``"2006-01-02 15:04:05"`` in the configured zone). ``date_diff``
returns Go's ``time.Duration``: an int of nanoseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ..go import get_time_zone, go_str, parse_duration, timefmt, to_int, to_time
from ..sql import ast
from .registry import builtin


def _fsp(args: Sequence[ast.Expr]) -> str | None:
    if len(args) > 1:
        return "too many arguments"
    if args and not isinstance(args[0], ast.IntegerLiteral):
        return "Expect int type for parameter 1"
    return None


def _current(ctx: Any, fsp: Any, time_only: bool) -> str:
    now = datetime.fromtimestamp(ctx.now_ms() / 1000, get_time_zone())
    fmt = "yyyy-MM-dd HH:mm:ss"
    if type(fsp) is int and 1 <= fsp <= 6:
        fmt += "." + "S" * fsp  # Go's layout then reads "05..000": two dots, as eKuiper
    text = timefmt.format_time(now, fmt)
    return text.split(" ", 1)[1] if time_only else text


@builtin(
    "datetime",
    ["int"],
    optional=1,
    null="pass",
    validator=_fsp,
    context=True,
    aliases=["current_timestamp", "local_time", "local_timestamp"],
)
def now(ctx: Any, fsp: Any = 0) -> str:
    """Current date and time as text, with ``fsp`` fractional digits (0..6)."""
    return _current(ctx, fsp, False)


@builtin("datetime", ["int"], optional=1, null="pass", validator=_fsp, context=True,
         aliases=["current_time"])  # fmt: skip
def cur_time(ctx: Any, fsp: Any = 0) -> str:
    """Current time of day as text (``HH:mm:ss``)."""
    return _current(ctx, fsp, True)


@builtin("datetime", [], null="pass", context=True, aliases=["current_date"])
def cur_date(ctx: Any) -> str:
    """Current date as ``yyyy-MM-dd``."""
    now = datetime.fromtimestamp(ctx.now_ms() / 1000, get_time_zone())
    return timefmt.format_time(now, "yyyy-MM-dd")


@builtin("datetime", ["datetime", "string"])
def format_time(t: Any, fmt: Any) -> str:
    """A time as text in eKuiper's pattern (``yyyy-MM-dd HH:mm:ssSSS``)."""
    return timefmt.format_time(to_time(t), go_str(fmt))


def _date_calc_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 2:
        return f"Expect 2 arguments but found {len(args)}."
    if isinstance(
        args[0], ast.IntegerLiteral | ast.NumberLiteral | ast.StringLiteral | ast.BooleanLiteral
    ):
        return "Expect datetime type for parameter 1"
    if not isinstance(args[1], ast.StringLiteral):
        return "Expect string type for parameter 2"
    return None


@builtin("datetime", ["datetime", "string"], null="pass", validator=_date_calc_validator)
def date_calc(t: Any, duration: Any) -> str:
    """The time moved by a Go duration (``"-1h30m"``), as ``yyyy-MM-dd HH:mm:ss``."""
    base = to_time(t)
    text = go_str(duration)
    sign = 1
    if text.startswith("-"):
        sign, text = -1, text[1:]
    return format_time_text(base + sign * parse_duration(text), "yyyy-MM-dd HH:mm:ss")


def format_time_text(t: datetime, fmt: str) -> str:
    """Shared formatter under a name that the SQL function does not shadow."""
    return timefmt.format_time(t, fmt)


def _date_diff_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 2:
        return f"Expect 2 arguments but found {len(args)}."
    if any(isinstance(a, _NOT_TIME) for a in args):
        return "Expect datetime type for parameter 1"  # sic: Go names parameter 1 for both
    return None


_NOT_TIME = (ast.IntegerLiteral, ast.NumberLiteral, ast.StringLiteral, ast.BooleanLiteral)


@builtin("datetime", ["datetime", "datetime"], null="pass", validator=_date_diff_validator)
def date_diff(a: Any, b: Any) -> int:
    """``b - a`` as Go's ``time.Duration``: nanoseconds, an int."""
    delta = to_time(b) - to_time(a)
    return (delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + delta.microseconds) * 1000


@builtin("datetime", ["datetime"], null="pass")
def day_name(t: Any) -> str:
    """English weekday name (``Monday``)."""
    return _DAYS[to_time(t).weekday()]


_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip


@builtin("datetime", ["datetime"], null="pass", aliases=["day"])
def day_of_month(t: Any) -> int:
    """Day of the month, 1..31."""
    return to_time(t).day


@builtin("datetime", ["datetime"], null="pass")
def day_of_week(t: Any) -> int:
    """Go's ``time.Weekday``: 0 is Sunday .. 6 Saturday."""
    return (to_time(t).weekday() + 1) % 7


@builtin("datetime", ["datetime"], null="pass")
def day_of_year(t: Any) -> int:
    """Day of the year, 1..366."""
    return to_time(t).timetuple().tm_yday


def _int_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 1:
        return f"Expect 1 arguments but found {len(args)}."
    if isinstance(
        args[0], ast.IntegerLiteral | ast.NumberLiteral | ast.StringLiteral | ast.BooleanLiteral
    ):
        return "Expect int type for parameter 1"  # Go refuses even int literals here
    return None


@builtin("datetime", ["any"], validator=_int_validator)
def from_days(days: Any) -> str | None:
    """The date ``days - 1`` days after 1970-01-01 (UTC), as ``yyyy-MM-dd``; 0 gives null."""
    n = to_int(days, "strict")
    if n == 0:
        return None
    # Go's time.Unix(0, 0) is in the local zone: the date shown follows it
    t = datetime(1970, 1, 1, tzinfo=UTC).astimezone(get_time_zone()) + timedelta(days=n - 1)
    return format_time_text(t, "yyyy-MM-dd")


@builtin("datetime", ["any"], validator=_int_validator)
def from_unix_time(seconds: Any) -> str | None:
    """Epoch seconds as ``yyyy-MM-dd HH:mm:ss`` in the configured zone; 0 gives null."""
    n = to_int(seconds, "strict")
    if n == 0:
        return None
    t = datetime.fromtimestamp(n, get_time_zone())
    return format_time_text(t, "yyyy-MM-dd HH:mm:ss")


@builtin("datetime", ["datetime"], null="pass")
def hour(t: Any) -> int:
    """Hour of the day, 0..23."""
    return to_time(t).hour


@builtin("datetime", ["datetime"], null="pass")
def last_day(t: Any) -> str:
    """The last day of the time's month, as ``yyyy-MM-dd``."""
    v = to_time(t)
    first_next = datetime(v.year + v.month // 12, v.month % 12 + 1, 1, tzinfo=UTC)
    return format_time_text(first_next - timedelta(days=1), "yyyy-MM-dd")


@builtin("datetime", ["datetime"], null="pass")
def microsecond(t: Any) -> int:
    """Microseconds within the second."""
    return to_time(t).microsecond


@builtin("datetime", ["datetime"], null="pass")
def minute(t: Any) -> int:
    """Minute of the hour."""
    return to_time(t).minute


@builtin("datetime", ["datetime"], null="pass")
def month(t: Any) -> int:
    """Month, 1..12."""
    return to_time(t).month


def _month_name_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 1:
        return f"Expect 1 arguments but found {len(args)}."
    if isinstance(
        args[0], ast.IntegerLiteral | ast.NumberLiteral | ast.StringLiteral | ast.BooleanLiteral
    ):
        return "Expect datetime type for parameter 2"  # sic: eKuiper says parameter 2
    return None


@builtin("datetime", ["datetime"], null="pass", validator=_month_name_validator)
def month_name(t: Any) -> str:
    """English month name (``January``)."""
    return _MONTHS[to_time(t).month - 1]


@builtin("datetime", ["datetime"], null="pass")
def second(t: Any) -> int:
    """Second of the minute."""
    return to_time(t).second
