"""WindowSpec's derived durations and eKuiper's alignment of window ends to natural time
(``getAlignedWindowEndTime`` in ``window_op.go``), unit by unit."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from kuiper_dev.engine.windows import WindowSpec, aligned_window_end
from kuiper_dev.engine.windows.spec import UNIT_MS


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(
    ("spec", "length_ms", "interval_ms", "delay_ms"),
    [
        (WindowSpec("tumbling", "SS", 10), 10_000, 0, 0),
        (WindowSpec("hopping", "MI", 10, 5), 600_000, 300_000, 0),
        (WindowSpec("sliding", "MS", 100, 0, 20), 100, 0, 20),
        (WindowSpec("session", "HH", 2, 1), 7_200_000, 3_600_000, 0),
        (WindowSpec("tumbling", "DD", 1), 86_400_000, 0, 0),
        (WindowSpec("count", None, 5, 2), 0, 0, 0),  # counts are no durations
    ],
)
def test_durations_are_the_units_in_ms(
    spec: WindowSpec, length_ms: int, interval_ms: int, delay_ms: int
) -> None:
    assert (spec.length_ms, spec.interval_ms, spec.delay_ms) == (length_ms, interval_ms, delay_ms)


@pytest.mark.parametrize(
    ("spec", "raw"),
    [
        (WindowSpec("hopping", "SS", 10, 5), 5),  # hopping windows align to their hop
        (WindowSpec("tumbling", "SS", 10), 10),
        (WindowSpec("sliding", "SS", 10, 0, 2), 10),
        (WindowSpec("session", "SS", 10, 3), 10),
    ],
)
def test_windows_align_to_the_hop_or_else_the_length(spec: WindowSpec, raw: int) -> None:
    assert spec.raw_interval == raw


def test_a_spec_cannot_be_changed() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        WindowSpec("tumbling", "SS", 10).length = 5  # type: ignore[misc]


def test_unit_ms() -> None:
    assert UNIT_MS == {"DD": 86_400_000, "HH": 3_600_000, "MI": 60_000, "SS": 1000, "MS": 1}


@pytest.mark.parametrize(
    ("now", "interval", "unit", "end"),
    [
        # up to the interval, the first multiple is the interval itself
        ("2023-11-14T22:13:00.000", 10, "SS", "2023-11-14T22:13:10.000"),
        ("2023-11-14T22:13:00.300", 300, "MS", "2023-11-14T22:13:00.300"),
        ("2023-11-14T22:10:00.000", 15, "MI", "2023-11-14T22:15:00.000"),
        # past it, the next multiple of the interval within the enclosing unit ...
        ("2023-11-14T22:13:50.000", 7, "SS", "2023-11-14T22:13:56.000"),
        ("2023-11-14T22:13:00.301", 300, "MS", "2023-11-14T22:13:00.600"),
        # ... which may run past the enclosing unit: intervals that do not divide it
        ("2023-11-14T22:13:58.000", 7, "SS", "2023-11-14T22:14:03.000"),
        ("2023-11-14T22:13:00.900", 300, "MS", "2023-11-14T22:13:01.200"),
        ("2023-11-14T22:50:00.000", 15, "MI", "2023-11-14T23:00:00.000"),
        ("2023-11-14T22:13:05.000", 5, "HH", "2023-11-15T01:00:00.000"),
        # days count from today's midnight
        ("2023-11-14T00:00:00.000", 1, "DD", "2023-11-15T00:00:00.000"),
        ("2023-11-14T22:13:05.000", 2, "DD", "2023-11-16T00:00:00.000"),
        ("2023-12-31T23:59:59.999", 1, "DD", "2024-01-01T00:00:00.000"),
    ],
)
def test_aligned_window_end(now: str, interval: int, unit: str, end: str) -> None:
    assert aligned_window_end(ms(now), interval, unit) == ms(end)


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="^invalid time unit WW$"):
        aligned_window_end(0, 1, "WW")
