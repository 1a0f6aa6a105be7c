"""Processing-time windows against eKuiper's v1 window operator semantics.

Times are offsets from T0 = 1700000000000 (2023-11-14 22:13:20 UTC), the rule start.
"""

from __future__ import annotations

import pytest

from kuiper_dev.engine.windows import ProcessingWindow, WindowSpec, aligned_window_end

T0 = 1_700_000_000_000


def run(
    window: ProcessingWindow, arrivals: list[float], until: float
) -> list[tuple[list[float], float, float]]:
    """Drive the window as the rule's virtual clock does; return (rows, start, end) offsets in s."""
    out = []

    def collect(emits):  # type: ignore[no-untyped-def]
        for e in emits:
            out.append(([r["t"] for r in e.rows], (e.start_ms - T0) / 1000, (e.end_ms - T0) / 1000))

    for t in arrivals:
        ts = T0 + int(t * 1000)
        collect(window.on_time(ts))
        collect(window.on_row({"t": t}, ts))
    collect(window.on_time(T0 + int(until * 1000)))
    return out


@pytest.mark.parametrize(
    ("now", "interval", "unit", "expected"),
    [
        ("2023-11-14T22:13:20.000", 10, "SS", "2023-11-14T22:13:30.000"),  # 20 > 10: next multiple
        ("2023-11-14T22:13:10.000", 10, "SS", "2023-11-14T22:13:10.000"),  # at the interval: itself
        ("2023-11-14T22:13:05.400", 10, "SS", "2023-11-14T22:13:10.000"),
        ("2023-11-14T22:13:05.400", 300, "MS", "2023-11-14T22:13:05.600"),
        ("2023-11-14T22:13:05.400", 5, "MI", "2023-11-14T22:15:00.000"),
        ("2023-11-14T22:13:05.400", 2, "HH", "2023-11-15T00:00:00.000"),
        ("2023-11-14T22:13:05.400", 1, "DD", "2023-11-15T00:00:00.000"),
    ],
)
def test_alignment_to_natural_time(now: str, interval: int, unit: str, expected: str) -> None:
    from datetime import UTC, datetime

    def ms(text: str) -> int:
        return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)

    assert aligned_window_end(ms(now), interval, unit) == ms(expected)


def test_tumbling_holds_end_minus_length_to_end_and_empty_windows_emit() -> None:
    w = ProcessingWindow(WindowSpec("tumbling", "SS", 10), T0)
    assert run(w, [1, 5, 12, 29.999, 30], until=50) == [
        ([1, 5], 0, 10),
        ([12], 10, 20),
        ([29.999], 20, 30),
        ([30], 30, 40),
        ([], 40, 50),
    ]


def test_hopping_windows_overlap() -> None:
    w = ProcessingWindow(WindowSpec("hopping", "SS", 10, 5), T0)
    assert run(w, [1, 7, 12], until=25) == [
        ([1], -5, 5),
        ([1, 7], 0, 10),
        ([7, 12], 5, 15),
        ([12], 10, 20),
        ([], 15, 25),
    ]


def test_sliding_fires_per_arrival_with_closed_range() -> None:
    w = ProcessingWindow(WindowSpec("sliding", "SS", 10), T0)
    assert run(w, [0, 4, 11, 15], until=30) == [
        ([0], -10, 0),
        ([0, 4], -6, 4),
        ([4, 11], 1, 11),
        ([11, 15], 5, 15),
    ]


def test_sliding_with_delay_fires_later_including_later_rows() -> None:
    w = ProcessingWindow(WindowSpec("sliding", "SS", 10, 0, 2), T0)
    assert run(w, [0, 1, 5], until=30) == [
        ([0, 1], -10, 2),
        ([0, 1], -9, 3),
        ([0, 1, 5], -5, 7),
    ]


def test_sliding_trigger_condition() -> None:
    w = ProcessingWindow(WindowSpec("sliding", "SS", 10), T0, trigger=lambda r: r["t"] >= 4)
    assert run(w, [0, 4, 11], until=30) == [([0, 4], -6, 4), ([4, 11], 1, 11)]


def test_session_closes_on_timeout_and_on_max_duration() -> None:
    w = ProcessingWindow(WindowSpec("session", "SS", 10, 2), T0)
    assert run(w, [0.5, 1, 2, 10, 11.5], until=30) == [
        ([0.5, 1, 2], 0.5, 4),
        ([10, 11.5], 10, 13.5),
    ]
    w = ProcessingWindow(WindowSpec("session", "SS", 10, 2), T0)
    emitted = run(w, [float(i) for i in range(25)], until=40)
    assert emitted[0] == ([float(i) for i in range(10)], 0, 10)
    assert emitted[1] == ([float(i) for i in range(10, 20)], 10, 20)
    assert emitted[2] == ([float(i) for i in range(20, 25)], 20, 26)


def test_count_windows_tumbling_and_sliding() -> None:
    w = ProcessingWindow(WindowSpec("count", None, 3), T0)
    assert [rows for rows, _, _ in run(w, [1, 2, 3, 4, 5, 6, 7], until=10)] == [
        [1, 2, 3],
        [4, 5, 6],
    ]
    w = ProcessingWindow(WindowSpec("count", None, 3, 2), T0)
    assert [rows for rows, _, _ in run(w, [1, 2, 3, 4, 5, 6], until=10)] == [[2, 3, 4], [4, 5, 6]]
    # the documented COUNTWINDOW(5, 2) example: nothing until 6 events, then the latest 5
    w = ProcessingWindow(WindowSpec("count", None, 5, 2), T0)
    assert [rows for rows, _, _ in run(w, [1, 2, 3, 4, 5, 6], until=10)] == [[2, 3, 4, 5, 6]]
