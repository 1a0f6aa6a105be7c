"""eKuiper's simulator source: data sent one by one per interval, looping or not."""

from __future__ import annotations

import threading
import time
from typing import Any

import orjson
import pytest

from kuiper_dev import Message, Workspace
from kuiper_dev.connectors import SimulatorSource, Source
from kuiper_dev.errors import RuleError

DATA = [{"temperature": 22.5, "humidity": 50}, {"temperature": 23.0, "humidity": 51}]


def payloads(messages: list[Message]) -> list[Any]:
    return [orjson.loads(m.payload) for m in messages]


def test_without_loop_each_object_once_at_its_interval() -> None:
    sim = SimulatorSource(DATA, interval_ms=100, loop=False, stream="s", start_ms=5000)
    msgs = list(sim)
    assert payloads(msgs) == DATA
    assert [m.ts for m in msgs] == [5000, 5100]
    assert {m.topic for m in msgs} == {"s"}
    assert isinstance(sim, Source)


def test_a_loop_starts_over_and_needs_a_bound_to_iterate() -> None:
    sim = SimulatorSource(DATA, interval_ms=10, start_ms=0, count=5)
    assert payloads(list(sim)) == DATA + DATA + DATA[:1]
    until = SimulatorSource(DATA, interval_ms=10, start_ms=0, until_ms=30)
    assert [m.ts for m in until] == [0, 10, 20, 30]
    with pytest.raises(RuleError, match="loops forever.*count=N or until_ms=T"):
        list(SimulatorSource(DATA, interval_ms=10))


def test_interval_zero_pulls_once_as_ekuiper() -> None:
    assert len(list(SimulatorSource(DATA, interval_ms=0, loop=True))) == 1


def test_count_also_bounds_a_finite_simulator() -> None:
    assert len(list(SimulatorSource(DATA * 3, interval_ms=1, loop=False, count=4))) == 4


def test_from_props_reads_ekuiper_durations_and_a_single_object() -> None:
    sim = SimulatorSource.from_props("s", "", {"data": {"a": 1}, "interval": "1.5s", "loop": False})
    assert (sim.interval_ms, sim.loop) == (1500, False)
    assert payloads(list(sim)) == [{"a": 1}]
    assert SimulatorSource.from_props("s", "", {"data": DATA, "interval": 10}).interval_ms == 10


@pytest.mark.parametrize(
    ("data", "props", "words"),
    [
        ([], {}, "data must be a non-empty list"),
        ([{"a": 1}, 5], {}, "data[1] is a int, not an object"),
        ([{"a": {1, 2}}], {}, "data[0] cannot be sent as JSON"),
        ([{"a": 1}], {"interval": "10 parsecs"}, "is not a duration"),
        ([{"a": 1}], {"interval": -1}, "must not be negative"),
        ([{"a": 1}], {"interval": True}, "must be milliseconds"),
    ],
)
def test_bad_confs_are_refused(data: Any, props: dict[str, Any], words: str) -> None:
    with pytest.raises(RuleError, match="simulator source s") as info:
        SimulatorSource.from_props("s", "", {"data": data, **props})
    assert words in str(info.value)


class Collector:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def deliver(self, m: Message) -> None:
        with self.lock:
            self.messages.append(m)

    def fail(self, text: str) -> None:
        self.errors.append(text)


def wait_for(cond: Any, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not cond():
        time.sleep(0.005)
    return bool(cond())


def test_live_sends_the_first_at_once_then_per_interval_and_ends() -> None:
    sim = SimulatorSource(DATA, interval_ms=30, loop=False, now_ms=lambda: 1000)
    got = Collector()
    began = time.monotonic()
    sim.start(got.deliver, got.fail)
    try:
        assert wait_for(lambda: len(got.messages) == 1, 1.0)
        assert wait_for(lambda: len(got.messages) == 2)
        assert time.monotonic() - began >= 0.03
        assert sim._thread is not None
        sim._thread.join(5)
        assert not sim._thread.is_alive()
    finally:
        sim.stop()
    assert payloads(got.messages) == DATA
    assert [m.ts for m in got.messages] == [1000, 1030]  # the pull times, from the first


def test_stop_ends_a_long_wait_at_once() -> None:
    sim = SimulatorSource(DATA, interval_ms=60_000)
    got = Collector()
    sim.start(got.deliver, got.fail)
    assert wait_for(lambda: len(got.messages) == 1)
    began = time.monotonic()
    sim.stop()
    assert time.monotonic() - began < 1.0
    assert len(got.messages) == 1


def test_a_failing_receiver_is_reported_and_the_timer_goes_on() -> None:
    sim = SimulatorSource(DATA, interval_ms=5, loop=False)
    got = Collector()

    def deliver(m: Message) -> None:
        if not got.errors:
            raise ValueError("full")
        got.deliver(m)

    sim.start(deliver, got.fail)
    try:
        assert wait_for(lambda: len(got.messages) == 1)
    finally:
        sim.stop()
    assert (
        len(got.errors) == 1 and "delivering object 0 failed: ValueError('full')" in got.errors[0]
    )
    assert payloads(got.messages) == DATA[1:]


def test_starting_twice_is_refused_until_stopped() -> None:
    sim = SimulatorSource(DATA, interval_ms=60_000)
    got = Collector()
    sim.start(got.deliver, got.fail)
    try:
        with pytest.raises(RuleError, match="already started"):
            sim.start(got.deliver, got.fail)
    finally:
        sim.stop()
    sim.start(got.deliver, got.fail)  # a stopped simulator starts over at the first object
    try:
        assert wait_for(lambda: len(got.messages) == 2)
    finally:
        sim.stop()
    assert payloads(got.messages) == [DATA[0], DATA[0]]


def test_a_rule_windows_a_simulator_in_virtual_time() -> None:
    ws = Workspace()
    ws.create_stream('CREATE STREAM m () WITH (TYPE="simulator")')
    sim = SimulatorSource([{"a": 1}, {"a": 2}], interval_ms=500, stream="m", start_ms=0, count=8)
    result = ws.run("SELECT count(*) AS n FROM m GROUP BY TUMBLINGWINDOW(ss, 2)", sim, drain_ms=500)
    assert result.emissions == [[{"n": 4}], [{"n": 4}]]
