"""WatermarkGenerator: rows wait in event-time order until the watermark (the minimum of
each stream's latest time, minus lateTolerance) passes them; older rows are dropped."""

from __future__ import annotations

from typing import Any

from kuiper_dev.engine.windows import WatermarkGenerator
from kuiper_dev.engine.windows.watermark import ZERO_TIME


def feed(wm: WatermarkGenerator, *events: tuple[str, Any, int]) -> list[tuple[list[Any], Any]]:
    """(released rows, new watermark) after each (stream, row, ts)."""
    out = []
    for stream, row, ts in events:
        released, mark = wm.on_row(stream, row, ts)
        out.append(([r for _, r in released], mark))
    return out


def test_the_watermark_starts_at_gos_zero_time() -> None:
    wm = WatermarkGenerator(["s"])
    assert wm.watermark == ZERO_TIME == -62_135_596_800_000
    assert (wm.pending, wm.dropped) == (0, 0)


def test_a_single_stream_releases_each_row_as_its_time_is_reached() -> None:
    wm = WatermarkGenerator(["s"])
    assert feed(wm, ("s", "a", 100), ("s", "b", 200)) == [(["a"], 100), (["b"], 200)]


def test_rows_are_released_in_event_time_order_and_ties_in_arrival_order() -> None:
    wm = WatermarkGenerator(["s"], late_tolerance_ms=100)
    feed(wm, ("s", "first", 50), ("s", "c", 150), ("s", "a", 120), ("s", "b", 120))
    assert wm.pending == 3
    released, mark = wm.on_row("s", "d", 400)
    assert mark == 300 and [r for _, r in released] == ["a", "b", "c"]
    assert [ts for ts, _ in released] == [120, 120, 150]


def test_a_row_at_the_watermark_is_kept_and_one_before_it_dropped() -> None:
    wm = WatermarkGenerator(["s"], late_tolerance_ms=100)
    feed(wm, ("s", "a", 500))  # watermark 400
    assert feed(wm, ("s", "on time", 400), ("s", "late", 399)) == [([], None), ([], None)]
    assert (wm.dropped, wm.pending) == (1, 2)
    assert feed(wm, ("s", "b", 700)) == [(["on time", "a"], 600)]


def test_the_watermark_never_goes_back() -> None:
    wm = WatermarkGenerator(["s"], late_tolerance_ms=100)
    feed(wm, ("s", "a", 500))
    assert feed(wm, ("s", "b", 450)) == [([], None)]  # its stream's time stays at 500
    assert wm.watermark == 400


def test_the_slowest_stream_holds_the_watermark_back() -> None:
    wm = WatermarkGenerator(["fast", "slow"])
    steps = feed(wm, ("fast", "f1", 100), ("fast", "f2", 300), ("slow", "s1", 200))
    assert steps == [([], None), ([], None), (["f1", "s1"], 200)]
    assert wm.pending == 1  # f2 waits for the slow stream to reach 300
    assert feed(wm, ("slow", "s2", 500)) == [(["f2"], 300)]


def test_a_stream_the_rule_did_not_list_takes_part_once_it_sends() -> None:
    wm = WatermarkGenerator(["s"])
    feed(wm, ("s", "a", 500))
    assert feed(wm, ("other", "o", 100)) == [([], None)]  # late itself, but now tracked
    assert wm.dropped == 1
    assert feed(wm, ("s", "b", 900)) == [([], None)]  # min(900, 100): no progress
    assert feed(wm, ("other", "p", 800)) == [(["p"], 800)]
    assert wm.pending == 1  # b waits for the other stream to reach 900
