"""Pacing keeps the recorded gaps divided by the speed, on an injected clock."""

from __future__ import annotations

import math

import pytest

from kuiper_dev import Message
from kuiper_dev.recording import paced


class FakeTime:
    """A clock that moves only when slept on, or when work is simulated."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _msgs(*ts: int) -> list[Message]:
    return [Message("t", b"", t) for t in ts]


@pytest.mark.parametrize("speed", [1.0, 4.0, 0.5])
def test_each_message_is_due_at_its_offset_divided_by_speed(speed: float) -> None:
    fake = FakeTime()
    stamps = (5000, 5000, 6000, 9000, 9500)
    seen = [
        (m.ts, fake.now) for m in paced(_msgs(*stamps), speed, clock=fake.clock, sleep=fake.sleep)
    ]
    assert [ts for ts, _ in seen] == list(stamps)
    for ts, at in seen:
        assert at == pytest.approx(100.0 + (ts - 5000) / 1000 / speed)


def test_time_the_consumer_spends_is_not_added_on_top() -> None:
    fake = FakeTime()
    out = []
    for _m in paced(_msgs(0, 1000, 2000), 1.0, clock=fake.clock, sleep=fake.sleep):
        out.append(fake.now)
        fake.now += 0.4  # the consumer's own work between messages
    assert out == pytest.approx([100.0, 101.0, 102.0])
    assert fake.sleeps == pytest.approx([0.6, 0.6])


def test_a_slow_consumer_gets_late_messages_at_once() -> None:
    fake = FakeTime()
    for _ in paced(_msgs(0, 10, 20), 1.0, clock=fake.clock, sleep=fake.sleep):
        fake.now += 1.0
    assert fake.sleeps == []


@pytest.mark.parametrize("speed", [0, math.inf])
def test_speed_zero_or_infinite_never_waits(speed: float) -> None:
    fake = FakeTime()
    assert (
        len(list(paced(_msgs(0, 60_000, 120_000), speed, clock=fake.clock, sleep=fake.sleep))) == 3
    )
    assert fake.sleeps == []


@pytest.mark.parametrize("speed", [-1, math.nan])
def test_a_negative_or_nan_speed_is_refused(speed: float) -> None:
    with pytest.raises(ValueError, match="speed"):
        list(paced(_msgs(0), speed))
