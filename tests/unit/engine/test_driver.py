"""Driver: one clock, timers fired in time order before each message, live runs bounded."""

from __future__ import annotations

import threading
from typing import Any

from kuiper_dev import Message, Workspace
from kuiper_dev.connectors import Deliver, Fail
from kuiper_dev.engine import Driver, VirtualClock

T0 = 1_700_000_000_000


def rules(*sqls: str) -> tuple[Workspace, list[Any]]:
    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM a (v BIGINT) WITH (DATASOURCE="a")')
    ws.create_stream('CREATE STREAM b (v BIGINT) WITH (DATASOURCE="b")')
    return ws, [ws.rule(sql, auto_stream=False, start_ms=T0) for sql in sqls]


def test_timers_of_every_pipeline_fire_in_time_order_before_a_message() -> None:
    _, (fast, slow) = rules(
        "SELECT count(*) AS n FROM a GROUP BY TUMBLINGWINDOW(ms, 300)",
        "SELECT count(*) AS m FROM a GROUP BY TUMBLINGWINDOW(ms, 500)",
    )
    seen: list[tuple[int, Any]] = []
    driver = Driver(VirtualClock(T0))
    for rule in (fast, slow):
        driver.add(rule)
        rule.sinks = [lambda e: seen.append((driver.clock.now_ms(), e))]
    driver.deliver("a", Message("a", b'{"v": 1}', T0 + 100))
    driver.deliver("a", Message("a", b'{"v": 2}', T0 + 1000))
    assert [t - T0 for t, _ in seen] == [300, 500, 600, 900, 1000]
    assert seen[0][1] == [{"n": 1}] and seen[1][1] == [{"m": 1}]
    assert driver.next_deadline() == T0 + 1200


def test_advance_reports_the_next_deadline() -> None:
    _, (stateless,) = rules("SELECT v FROM a")
    driver = Driver(VirtualClock(T0))
    driver.add(stateless)
    assert driver.advance(T0 + 5) is None
    assert driver.clock.now_ms() == T0 + 5
    driver.advance(T0)  # the clock never goes back
    assert driver.clock.now_ms() == T0 + 5


def test_replay_merges_streams_in_arrival_order() -> None:
    _, (ra, rb) = rules("SELECT v FROM a", "SELECT v FROM b")
    order: list[int] = []
    driver = Driver(VirtualClock(T0))
    for rule in (ra, rb):
        driver.add(rule)
        rule.sinks = [lambda e: order.append(e[0]["v"])]
    feeds = {
        "a": [Message("a", b'{"v": 1}', T0 + 1), Message("a", b'{"v": 4}', T0 + 9)],
        "b": [Message("b", b'{"v": 2}', T0 + 2), Message("b", b'{"v": 3}', T0 + 3)],
    }
    driver.replay(feeds, drain_ms=10)
    assert order == [1, 2, 3, 4]
    assert driver.clock.now_ms() == T0 + 19


class ThreadSource:
    """A live source delivering from its own thread, as connectors do."""

    def __init__(self, payloads: list[bytes], fail_with: str = "") -> None:
        self.payloads = payloads
        self.fail_with = fail_with
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, deliver: Deliver, fail: Fail) -> None:
        def run() -> None:
            if self.fail_with:
                fail(self.fail_with)
            for p in self.payloads:
                deliver(Message("a", p, 0))
            self.stopped.wait(5)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(2)


def test_live_run_stops_when_done_and_stops_its_sources() -> None:
    _, (rule,) = rules("SELECT v FROM a")
    driver = Driver()  # wall-clock runs pass a WallClock; any clock drives the loop
    driver.add(rule)
    source = ThreadSource([b'{"v": 1}', b'{"v": 2}'], fail_with="sensor offline")
    run = driver.run_live(
        {"a": source}, timeout_ms=5000, done=lambda: len(rule.result.emissions) >= 2
    )
    assert (run.messages, run.timed_out) == (2, False)
    assert run.source_errors == ["source a: sensor offline"]
    assert rule.result.errors[0].message == "source a: sensor offline"
    assert source.stopped.is_set()


def test_live_run_is_bounded_in_time() -> None:
    _, (rule,) = rules("SELECT v FROM a")
    driver = Driver()
    driver.add(rule)
    run = driver.run_live({"a": ThreadSource([])}, timeout_ms=50, done=lambda: False)
    assert run.timed_out and run.messages == 0
