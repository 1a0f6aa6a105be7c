"""A recording as a source: topic filters, virtual time, live delivery, damage, splitting."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from kuiper_dev import Message, Workspace
from kuiper_dev.connectors import RecordingSource, SensorFleet, Source, split_recording
from kuiper_dev.recording import RecordingWriter, read_recording

TOPICS = ["home/kitchen/temp", "home/hall/temp", "home/kitchen/hum", "office/temp"]


def _record(path: Path, messages: list[Message], tail: bytes = b"") -> Path:
    with RecordingWriter(path, topics=["#"], start_ms=0) as w:
        for m in messages:
            w.write(m)
    if tail:
        with path.open("ab") as f:
            f.write(tail)
    return path


def _traffic(n: int = 12, gap_ms: int = 10) -> list[Message]:
    return [
        Message(TOPICS[i % 4], orjson.dumps({"i": i}), 1000 + i * gap_ms, qos=1) for i in range(n)
    ]


@pytest.mark.parametrize(
    ("subscription", "expected"),
    [
        ("home/+/temp", {"home/kitchen/temp", "home/hall/temp"}),
        ("home/#", {"home/kitchen/temp", "home/hall/temp", "home/kitchen/hum"}),
        ("#", set(TOPICS)),
        ("office/temp", {"office/temp"}),
        ("nothing/here", set()),
    ],
)
def test_iterating_yields_the_matching_messages_in_order(
    tmp_path: Path, subscription: str, expected: set[str]
) -> None:
    path = _record(tmp_path / "r.jsonl", _traffic())
    got = list(RecordingSource(path, subscription))
    assert got == [m for m in _traffic() if m.topic in expected]


def test_a_recording_object_is_accepted_and_damage_is_visible(tmp_path: Path) -> None:
    path = _record(tmp_path / "r.jsonl", _traffic(4), tail=b"{broken\n")
    source = RecordingSource(read_recording(path, on_damage=lambda d: None), "#")
    assert len(list(source)) == 4
    assert source.damage is not None and source.damage.line == 6


def test_started_it_delivers_from_its_own_thread_without_failing(tmp_path: Path) -> None:
    path = _record(tmp_path / "r.jsonl", _traffic())
    source = RecordingSource(path, "home/+/temp")
    assert isinstance(source, Source)
    threads: set[str] = set()
    got: list[Message] = []
    failures: list[str] = []

    def deliver(m: Message) -> None:
        threads.add(threading.current_thread().name)
        got.append(m)

    source.start(deliver, failures.append)
    try:
        assert source.join(5)
    finally:
        source.stop()
    assert not source.running
    assert got == list(RecordingSource(path, "home/+/temp")) and failures == []
    assert threads == {"kuiper-replay"}


def test_damage_fails_the_source_after_the_messages_before_it(tmp_path: Path) -> None:
    path = _record(tmp_path / "r.jsonl", _traffic(5), tail=b'{"ts":9999,"topic":"a","pay')
    events: list[tuple[str, object]] = []
    source = RecordingSource(path, "#")
    source.start(lambda m: events.append(("message", m.ts)), lambda t: events.append(("fail", t)))
    try:
        assert source.join(5)
    finally:
        source.stop()
    assert events[:5] == [("message", m.ts) for m in _traffic(5)]
    assert len(events) == 6 and events[5][0] == "fail"
    assert "is damaged at line 7" in str(events[5][1])
    assert "replayed the 5 messages before it" in str(events[5][1])


def test_a_paced_replay_stops_promptly_from_another_thread(tmp_path: Path) -> None:
    # one message now, the next a minute later at real speed: stop must cut the wait short
    path = _record(tmp_path / "r.jsonl", [Message("a", b"1", 0), Message("a", b"2", 60_000)])
    source = RecordingSource(path, "#", speed=1.0)
    first = threading.Event()
    got: list[Message] = []

    def deliver(m: Message) -> None:
        got.append(m)
        first.set()

    source.start(deliver, lambda t: None)
    assert first.wait(5)
    assert source.running
    source.stop(timeout=2.0)
    assert not source.running
    assert [m.payload for m in got] == [b"1"]


def test_a_paced_replay_keeps_order(tmp_path: Path) -> None:
    path = _record(tmp_path / "r.jsonl", _traffic(6, gap_ms=5))
    assert list(RecordingSource(path, "#", speed=100.0)) == _traffic(6, gap_ms=5)


@pytest.mark.parametrize("speed", [-1.0, float("nan")])
def test_a_bad_speed_is_refused(tmp_path: Path, speed: float) -> None:
    path = _record(tmp_path / "r.jsonl", [])
    with pytest.raises(ValueError, match="speed"):
        RecordingSource(path, "#", speed=speed)


def test_split_feeds_every_matching_name_in_one_lazy_pass() -> None:
    pulled: list[int] = []

    def source() -> Iterator[Message]:
        for m in _traffic(8):
            pulled.append(m.ts)
            yield m

    subs = {"temps": "home/+/temp", "kitchen": "home/kitchen/#", "all": "#"}
    out = split_recording(source(), subs)
    assert next(out) == ("temps", _traffic(1)[0]) and len(pulled) == 1
    rest = list(out)
    assert len(pulled) == 8
    got = [("temps", _traffic(1)[0]), *rest]
    for name, sub in subs.items():
        expected = [m for m in _traffic(8) if m.topic in _matching(sub)]
        assert [m for n, m in got if n == name] == expected


def _matching(sub: str) -> set[str]:
    return {
        "home/+/temp": {"home/kitchen/temp", "home/hall/temp"},
        "home/kitchen/#": {"home/kitchen/temp", "home/kitchen/hum"},
        "#": set(TOPICS),
    }[sub]


def test_split_stays_right_past_its_topic_cache() -> None:
    messages = [Message(f"dev/{i}/t", b"", i) for i in range(5000)] + [Message("dev/0/t", b"", 9)]
    got = list(split_recording(messages, {"even": "dev/+/t", "zero": "dev/0/t"}))
    assert sum(1 for n, _ in got if n == "even") == 5001
    assert [m.ts for n, m in got if n == "zero"] == [0, 9]


def test_a_rule_over_a_recording_sees_what_it_sees_over_the_live_feed(tmp_path: Path) -> None:
    fleet = list(SensorFleet(devices=3, count=60, seed=3))
    path = _record(tmp_path / "fleet.jsonl", fleet)
    sql = (
        "SELECT deviceId, count(*) AS n, max(temperature) AS hi FROM demo "
        "GROUP BY deviceId, TUMBLINGWINDOW(ss, 5)"
    )
    direct = Workspace(plugins_dir=None).run(sql, fleet, drain_ms=5000)
    replayed = Workspace(plugins_dir=None).run(
        sql, RecordingSource(path, "sensors/#"), drain_ms=5000
    )
    assert replayed.emissions == direct.emissions and len(direct.rows) >= 12


def test_the_live_driver_runs_a_rule_on_a_started_recording(tmp_path: Path) -> None:
    from kuiper_dev.engine import Driver, WallClock

    fleet = list(SensorFleet(devices=2, count=20, seed=5, interval_ms=20))
    path = _record(tmp_path / "fleet.jsonl", fleet)
    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM demo () WITH (DATASOURCE="sensors/#", FORMAT="json")')
    rule = ws.rule(
        "SELECT deviceId, temperature FROM demo WHERE temperature > 0", auto_stream=False
    )
    source = RecordingSource(path, "sensors/#", speed=10.0)
    with Driver(WallClock()).driving(rule) as driver:
        run = driver.run_live(
            {"demo": source}, timeout_ms=10_000, done=lambda: len(rule.result.rows) >= 20
        )
    assert not run.timed_out and run.messages == 20 and run.source_errors == []
    expected = [
        {"deviceId": r["deviceId"], "temperature": r["temperature"]}
        for r in (orjson.loads(m.payload) for m in fleet)
    ]
    assert rule.result.rows == expected
    assert not source.running
