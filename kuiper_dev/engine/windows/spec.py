"""Window configuration and eKuiper's alignment of window ends to natural time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeAlias

__all__ = ["UNIT_MS", "WindowEmit", "WindowKind", "WindowSpec", "aligned_window_end"]

WindowKind: TypeAlias = Literal["tumbling", "hopping", "sliding", "session", "count", "state"]
TimeUnit: TypeAlias = Literal["DD", "HH", "MI", "SS", "MS"]

UNIT_MS: dict[str, int] = {"DD": 86_400_000, "HH": 3_600_000, "MI": 60_000, "SS": 1000, "MS": 1}


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """A window as the SQL declares it, in units; durations are derived in ms.

    ``length`` and ``interval`` keep eKuiper's meaning per kind: tumbling (length),
    hopping (length, hop interval), sliding (length, delay in ``delay``), session
    (``length`` is the max duration, ``interval`` the timeout, as eKuiper's
    SESSIONWINDOW(unit, maxDuration, timeout) is planned), count (size, interval).
    """

    kind: WindowKind
    unit: TimeUnit | None = None
    length: int = 0
    interval: int = 0
    delay: int = 0

    @property
    def length_ms(self) -> int:
        return self.length * UNIT_MS[self.unit] if self.unit else 0

    @property
    def interval_ms(self) -> int:
        return self.interval * UNIT_MS[self.unit] if self.unit else 0

    @property
    def delay_ms(self) -> int:
        return self.delay * UNIT_MS[self.unit] if self.unit else 0

    @property
    def raw_interval(self) -> int:
        """The unit count windows align to: the hop for hopping windows, else the length."""
        return self.interval if self.kind == "hopping" else self.length


@dataclass(slots=True)
class WindowEmit:
    """One fired window: its rows in arrival (or event-time) order and its range."""

    rows: list[Any]
    start_ms: int
    end_ms: int
    meta: dict[str, Any] = field(default_factory=dict)


def aligned_window_end(now_ms: int, interval: int, unit: str) -> int:
    """The first window end after ``now_ms`` aligned to natural time, eKuiper's way.

    eKuiper's ``getAlignedWindowEndTime`` rounds up to a multiple of the interval
    within the enclosing day/hour/minute/second, counting "at or below the
    interval" as the first multiple (so 00:00:10 with a 10 s window aligns to
    00:00:10 itself). Times are taken in UTC (eKuiper uses the server's zone).

    >>> aligned_window_end(1_700_000_000_000, 10, "SS")  # 22:13:20 -> 22:13:30
    1700000010000
    """
    now = datetime.fromtimestamp(now_ms / 1000, UTC)

    def gap(value: int) -> int:
        return interval if value <= interval else interval * (value // interval + 1)

    if unit == "DD":
        end = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=interval)
    elif unit == "HH":
        end = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(hours=gap(now.hour))
    elif unit == "MI":
        base = datetime(now.year, now.month, now.day, now.hour, tzinfo=UTC)
        end = base + timedelta(minutes=gap(now.minute))
    elif unit == "SS":
        base = datetime(now.year, now.month, now.day, now.hour, now.minute, tzinfo=UTC)
        end = base + timedelta(seconds=gap(now.second))
    elif unit == "MS":
        second_ms = now_ms - now_ms % 1000
        return second_ms + gap(now_ms % 1000)
    else:
        raise ValueError(f"invalid time unit {unit}")
    return int(end.timestamp() * 1000)
