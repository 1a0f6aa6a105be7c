"""Event-time windows and the watermark, against eKuiper's watermark_op.go and event window."""

from __future__ import annotations

from typing import Any

from kuiper_dev.engine.windows import EventTimeWindow, WatermarkGenerator, WindowSpec

T0 = 1_700_000_000_000


def drive(spec: WindowSpec, events: list[int], tolerance: int = 0) -> tuple[list[Any], int]:
    wm = WatermarkGenerator(["s"], tolerance)
    win = EventTimeWindow(spec)
    out = []
    for offset in events:
        released, mark = wm.on_row("s", {"t": offset}, T0 + offset)
        for ts, row in released:
            win.on_row(row, ts)
        if mark is not None:
            for e in win.on_watermark(mark):
                out.append(([r["t"] for r in e.rows], e.start_ms - T0, e.end_ms - T0))
    return out, wm.dropped


def test_watermark_releases_in_order_and_drops_late_rows() -> None:
    wm = WatermarkGenerator(["s"], late_tolerance_ms=1000)
    assert wm.on_row("s", "a", 5000) == ([], 4000)
    released, mark = wm.on_row("s", "b", 7000)
    assert mark == 6000 and [r for _, r in released] == ["a"]
    released, mark = wm.on_row("s", "c", 6500)  # not late: at or after the watermark
    assert mark is None and released == []
    released, mark = wm.on_row("s", "d", 5500)  # before the watermark 6000: late
    assert wm.dropped == 1
    released, mark = wm.on_row("s", "e", 9000)
    assert mark == 8000 and [r for _, r in released] == ["c", "b"]


def test_watermark_is_the_minimum_over_streams() -> None:
    wm = WatermarkGenerator(["a", "b"], 0)
    assert wm.on_row("a", 1, 5000)[1] is None  # stream b has said nothing: no watermark yet
    released, mark = wm.on_row("b", 2, 3000)
    assert mark == 3000 and [r for _, r in released] == [2]


def test_tumbling_fires_on_watermark_never_on_clock() -> None:
    out, dropped = drive(WindowSpec("tumbling", "SS", 2), [500, 1500, 2500, 1200, 4100])
    assert dropped == 1  # 1200 arrived after the watermark reached 2500
    assert out == [([500, 1500], 500, 2000), ([2500], 2000, 4000)]


def test_late_tolerance_keeps_out_of_order_rows() -> None:
    out, dropped = drive(
        WindowSpec("tumbling", "SS", 2), [500, 1500, 2500, 1700, 4100, 6100], tolerance=1000
    )
    assert dropped == 0  # 1700 is behind 2500 but not behind the watermark 1500
    assert out == [([500, 1500, 1700], 500, 2000), ([2500], 2000, 4000)]


def test_sliding_in_event_time() -> None:
    out, _ = drive(WindowSpec("sliding", "SS", 1), [0, 500, 1200, 3000])
    assert out == [
        ([0], -1000, 0),
        ([0, 500], -500, 500),
        ([500, 1200], 200, 1200),
        ([3000], 2000, 3000),
    ]
