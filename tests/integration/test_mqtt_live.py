"""Record live traffic and republish it: byte-exact, in order, bounded in time."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from kuiper_dev._types import Message
from kuiper_dev.connectors.mqtt import (
    EmbeddedBroker,
    MqttConfig,
    MqttSource,
    RecordStats,
    record_live,
    republish,
)
from kuiper_dev.errors import MqttError

from .conftest import Broker, Peer, wait_until


def _messages(n: int, qos: int | None = None) -> list[Message]:
    return [
        Message(f"fleet/{i % 3}/data", bytes([i % 256, 255 - i % 256]) * (i % 7) + f"#{i}".encode(),
                0, qos=(i % 3 if qos is None else qos))  # type: ignore[arg-type]
        for i in range(n)
    ]


class Recorder:
    """record_live in a thread, as the CLI runs it with a stop event."""

    def __init__(self, url: str, topics: str, **kw: object) -> None:
        self.got: list[Message] = []
        self.stop = threading.Event()
        self.stats: RecordStats | None = None
        self.error: BaseException | None = None
        self.ready = threading.Event()

        def run() -> None:
            try:
                self.stats = record_live(url, topics, self.got.append, stop=self.stop,
                                         on_progress=lambda s: None, **kw)  # type: ignore[arg-type]
            except BaseException as e:  # noqa: BLE001 - handed to the test thread
                self.error = e

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def finish(self, timeout: float = 15.0) -> RecordStats:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "record_live did not end in time"
        if self.error is not None:
            raise self.error
        assert self.stats is not None
        return self.stats


def _wait_subscribed(rec: Recorder, b: Broker) -> None:
    """Until the recorder's subscription is live: a probe on its topic comes back."""
    probe = Message("fleet/probe", b"probe", 0, qos=1)
    deadline = time.monotonic() + 10
    while not rec.got and time.monotonic() < deadline:
        republish([probe], b.url)
        wait_until(lambda: bool(rec.got), 0.2)
    assert rec.got, "the recorder never subscribed"


def _recorded(rec: Recorder, n: int) -> list[Message]:
    """The first ``n`` non-probe messages, once they are there; then the recorder stops."""
    def data() -> list[Message]:
        return [m for m in list(rec.got) if m.topic != "fleet/probe"]

    wait_until(lambda: len(data()) >= n, 15)
    time.sleep(0.2)  # anything extra would arrive now
    rec.stop.set()
    return data()


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_record_then_republish_round_trip_is_byte_exact_and_in_order(any_broker: Broker, qos: int) -> None:
    sent = _messages(200, qos)
    rec = Recorder(any_broker.url, "fleet/#", qos=2, duration=30)
    _wait_subscribed(rec, any_broker)
    assert republish(sent, any_broker.url) == len(sent)
    got = _recorded(rec, len(sent))
    stats = rec.finish()
    assert stats.stopped_by == "stop" and stats.count == len(rec.got)
    assert stats.bytes == sum(len(m.payload) for m in rec.got)
    granted = 2 if isinstance(any_broker, EmbeddedBroker) else qos  # amqtt: the subscription's
    assert [(m.topic, m.payload, m.qos, m.retain) for m in got] == [
        (m.topic, m.payload, granted, False) for m in sent
    ]
    stamps = [m.ts for m in got]
    assert stamps == sorted(stamps)


def test_mixed_qos_keeps_order_within_each_qos(any_broker: Broker) -> None:
    sent = _messages(300)
    rec = Recorder(any_broker.url, "fleet/#", qos=2, duration=30)
    _wait_subscribed(rec, any_broker)
    assert republish(sent, any_broker.url, max_inflight=16) == len(sent)
    got = _recorded(rec, len(sent))
    rec.finish()
    assert sorted(m.payload for m in got) == sorted(m.payload for m in sent)
    for level in (0, 1, 2):  # MQTT orders messages of one QoS; levels may interleave
        assert [m.payload for m in got if m.payload in {s.payload for s in sent if s.qos == level}] == [
            s.payload for s in sent if s.qos == level
        ]


def test_retain_flags_survive_a_round_trip(any_broker: Broker, mqtt_peer: Peer) -> None:
    republish([Message("keep/a", b"1", 0, qos=1, retain=True)], any_broker.url)
    got: list[Message] = []
    stats = record_live(any_broker.url, ["keep/#"], got.append, count=1, duration=10, qos=1)
    assert stats.stopped_by == "count"
    assert [(m.topic, m.payload, m.retain) for m in got] == [("keep/a", b"1", True)]


def test_recording_stops_on_duration_and_on_the_stop_event(any_broker: Broker) -> None:
    started = time.monotonic()
    stats = record_live(any_broker.url, "quiet/#", lambda m: None, duration=0.5)
    assert stats.stopped_by == "duration" and stats.count == 0
    assert 0.4 < time.monotonic() - started < 5
    rec = Recorder(any_broker.url, "quiet/#")
    time.sleep(0.3)
    rec.stop.set()
    assert rec.finish().stopped_by == "stop"


def test_a_keyboard_interrupt_keeps_what_was_written(any_broker: Broker, mqtt_peer: Peer) -> None:
    got: list[Message] = []

    def progress(stats: RecordStats) -> None:  # Ctrl-C lands while the recorder runs
        if stats.count == 2:
            raise KeyboardInterrupt

    def publish_soon() -> None:
        time.sleep(0.3)
        for i in range(5):
            mqtt_peer.publish("ki/x", str(i).encode(), qos=1)

    t = threading.Thread(target=publish_soon)
    t.start()
    stats = record_live(any_broker.url, "ki/#", got.append, duration=10, qos=1, on_progress=progress)
    t.join(10)
    assert stats.stopped_by == "interrupt"
    assert stats.count == len(got) >= 2  # what had arrived is written too
    assert [m.payload for m in got] == [str(i).encode() for i in range(len(got))]


def test_recorder_reconnects_after_a_broker_restart(any_broker: Broker) -> None:
    rec = Recorder(any_broker.url, "rs/#", count=2, duration=20, qos=1)
    time.sleep(0.3)
    republish([Message("rs/a", b"before", 0, qos=1)], any_broker.url)
    assert wait_until(lambda: len(rec.got) == 1)
    any_broker.restart()
    # the recorder resubscribes on reconnect; publish until it is back
    deadline = time.monotonic() + 10
    while len(rec.got) < 2 and time.monotonic() < deadline:
        republish([Message("rs/b", b"after", 0, qos=1)], any_broker.url)
        wait_until(lambda: len(rec.got) >= 2, 0.3)
    stats = rec.finish()
    assert [m.payload for m in rec.got] == [b"before", b"after"]
    assert stats.reconnects >= 1 and any("disconnected" in s for s in stats.status)


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


def test_an_unreachable_broker_is_a_clear_error_in_bounded_time() -> None:
    url = _dead_url()
    for attempt in (
        lambda: record_live(url, "a/#", lambda m: None, duration=1),
        lambda: republish([Message("a", b"", 0)], url),
        lambda: MqttSource(MqttConfig(server=url), "a/#").start(lambda m: None, lambda s: None),
    ):
        started = time.monotonic()
        with pytest.raises(MqttError) as info:
            attempt()
        assert time.monotonic() - started < 6
        assert url in str(info.value) and "kuiper_dev.broker()" in str(info.value)


def test_persistent_session_loses_nothing_across_a_mosquitto_restart(mosquitto_broker: Broker) -> None:
    """QoS 1, non-clean session, persistence on: publish while the broker is down and restarting."""
    from kuiper_dev.connectors.mqtt import MqttClient

    got: list[Message] = []
    status: list[str] = []
    config = MqttConfig.from_props({"server": mosquitto_broker.url, "clientid": "persist-1",
                                    "enableClientSession": True})
    src = MqttSource(config, "p/#", qos=1, reconnect_delay=(1.5, 1.5))
    src.start(got.append, status.append)
    pub = MqttClient(MqttConfig(server=mosquitto_broker.url), reconnect_delay=(0.1, 0.2))
    pub.connect()
    n = 60
    try:
        for i in range(n // 3):
            pub.publish("p/x", f"m{i}".encode(), qos=1)
        assert pub.flush(5)
        mosquitto_broker.stop()
        for i in range(n // 3, 2 * n // 3):  # queued by the publisher while the broker is down
            pub.publish("p/x", f"m{i}".encode(), qos=1)
        mosquitto_broker.start()
        assert wait_until(lambda: pub.connected, 5)
        for i in range(2 * n // 3, n):  # queued by the broker in the source's session
            pub.publish("p/x", f"m{i}".encode(), qos=1)
        assert pub.flush(10)
        assert wait_until(lambda: len({m.payload for m in got}) >= n, 15)
    finally:
        pub.close()
        src.stop()
    assert {m.payload for m in got} == {f"m{i}".encode() for i in range(n)}
    assert any("reconnected" in s for s in status)


def test_persistent_recorder_gets_what_was_queued_while_it_was_away(mosquitto_broker: Broker) -> None:
    """record_live(persistent=True): a second run with the same client id resumes the session."""
    first = record_live(mosquitto_broker.url, "pr/#", lambda m: None, duration=0.3, qos=1,
                        client_id="recorder-7", persistent=True)
    assert first.client_id == "recorder-7" and first.stopped_by == "duration"
    queued = [Message("pr/x", f"q{i}".encode(), 0, qos=1) for i in range(20)]
    republish(queued, mosquitto_broker.url)  # nobody connected: the broker keeps them
    mosquitto_broker.restart()  # and keeps them across a restart (persistence on)
    got: list[Message] = []
    second = record_live(mosquitto_broker.url, "pr/#", got.append, count=20, duration=10, qos=1,
                         client_id="recorder-7", persistent=True)
    assert second.stopped_by == "count"
    assert [m.payload for m in got] == [m.payload for m in queued]


def test_a_clean_recorder_does_not_get_what_was_sent_while_it_was_away(mosquitto_broker: Broker) -> None:
    record_live(mosquitto_broker.url, "cl/#", lambda m: None, duration=0.3, qos=1, client_id="rec-8")
    republish([Message("cl/x", b"missed", 0, qos=1)], mosquitto_broker.url)
    stats = record_live(mosquitto_broker.url, "cl/#", lambda m: None, duration=0.5, qos=1, client_id="rec-8")
    assert stats.count == 0


def test_a_failing_write_ends_the_recording_with_its_error(embedded_broker: Broker) -> None:
    calls: list[Message] = []

    def write(m: Message) -> None:
        calls.append(m)
        raise OSError("disk full")

    republish([Message("w/a", b"1", 0, qos=1, retain=True)], embedded_broker.url)
    with pytest.raises(OSError, match="disk full"):
        record_live(embedded_broker.url, "w/#", write, duration=10, qos=1)
    assert [m.payload for m in calls] == [b"1"]  # not retried while closing
