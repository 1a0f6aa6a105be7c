"""The chunked reading and QoS 0 fast path over real TCP: a scripted broker for exact
byte layouts, and mosquitto under a flood of mixed QoS."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kuiper_dev._types import Message
from kuiper_dev.connectors.mqtt import MosquittoBroker, MqttClient, MqttConfig

from ..unit.connectors.test_mqtt_wire import PINGRESP, publish
from .conftest import wait_until


class ScriptedBroker:
    """Accepts one client on a loopback port, answers CONNECT and SUBSCRIBE, then
    writes ``script`` (each item in one ``sendall``) and reads until the client leaves."""

    def __init__(self, script: list[bytes]) -> None:
        self.script = script
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _packet(self, conn: socket.socket) -> tuple[int, bytes]:
        def exactly(n: int) -> bytes:
            out = b""
            while len(out) < n:
                chunk = conn.recv(n - len(out))
                if not chunk:
                    raise ConnectionError("client left")
                out += chunk
            return out

        first = exactly(1)[0]
        length, shift = 0, 0
        for _ in range(4):
            byte = exactly(1)[0]
            length |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        return first, exactly(length)

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            try:
                assert self._packet(conn)[0] == 0x10  # CONNECT
                conn.sendall(b"\x20\x02\x00\x00")
                first, body = self._packet(conn)
                assert first == 0x82  # SUBSCRIBE: grant QoS 1
                conn.sendall(b"\x90\x03" + body[:2] + b"\x01")
                for piece in self.script:
                    conn.sendall(piece)
                while True:
                    self._packet(conn)  # PUBACKs, PINGREQ, DISCONNECT
            except (OSError, ConnectionError):
                pass

    def close(self) -> None:
        self.server.close()
        self.thread.join(10)


def _client(port: int, got: list[Message], status: list[str]) -> MqttClient:
    client = MqttClient(MqttConfig(server=f"tcp://127.0.0.1:{port}"), on_message=got.append,
                        on_status=status.append)  # fmt: skip
    client.connect()
    client.subscribe(["#"], qos=1)
    return client


@pytest.fixture
def scripted() -> Iterator[Any]:
    brokers: list[ScriptedBroker] = []

    def start(script: list[bytes]) -> ScriptedBroker:
        brokers.append(ScriptedBroker(script))
        return brokers[-1]

    yield start
    for b in brokers:
        b.close()


def test_a_run_that_ends_in_another_packet_is_handed_over_at_once(scripted: Any) -> None:
    """Messages wait for the end of their read; a read that ends in a PINGRESP must
    not keep them until the next traffic (the keepalive, 20 s later)."""
    b = scripted([publish(b"a", b"1") + publish(b"a", b"2") + PINGRESP])
    got: list[Message] = []
    client = _client(b.port, got, [])
    try:
        assert wait_until(lambda: len(got) == 2, 2.0)
    finally:
        client.close()
    assert [(m.topic, m.payload) for m in got] == [("a", b"1"), ("a", b"2")]


def test_mixed_packets_cut_anywhere_arrive_whole_in_order_with_their_meta(scripted: Any) -> None:
    rng = random.Random(7)
    expected = []
    packets = []
    for i in range(3000):
        qos = 1 if i % 10 == 3 else 0
        payload = rng.randbytes(rng.choice([1, 60, 200, 5000]))
        topic = f"d/{i % 13}"
        packets.append(publish(topic.encode(), payload, qos=qos, retain=i % 17 == 0, mid=i + 1))
        meta = {"topic": topic, "qos": qos, "messageId": i + 1 if qos else 0}
        expected.append((topic, payload, qos, i % 17 == 0, meta))
        if i % 100 == 50:
            packets.append(PINGRESP)
    stream = b"".join(packets)
    cuts = sorted(rng.sample(range(1, len(stream)), 300))
    pieces = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    b = scripted(pieces)
    got: list[Message] = []
    status: list[str] = []
    client = _client(b.port, got, status)
    try:
        assert wait_until(lambda: len(got) == len(expected), 20.0)
    finally:
        client.close()
    assert [(m.topic, m.payload, m.qos, m.retain, m.meta) for m in got] == expected
    assert status == []


def test_a_topic_that_is_not_utf8_is_reported_and_the_rest_arrives(scripted: Any) -> None:
    b = scripted([publish(b"ok", b"1") + publish(b"\xff\xfe", b"bad") + publish(b"ok", b"2")])
    got: list[Message] = []
    status: list[str] = []
    client = _client(b.port, got, status)
    try:
        assert wait_until(lambda: len(got) == 2 and len(status) == 1, 5.0)
    finally:
        client.close()
    assert [m.payload for m in got] == [b"1", b"2"]
    assert "error handling a message on" in status[0] and "\\xff\\xfe" in status[0]


def test_a_flood_through_mosquitto_loses_nothing(mosquitto_broker: MosquittoBroker) -> None:
    """A raw publisher writes 50,000 QoS 0 and QoS 1 messages in large writes; the
    client gets each once, QoS 0 and QoS 1 each in their order."""
    got: list[Message] = []
    status: list[str] = []
    client = _client(mosquitto_broker.port, got, status)
    pub = socket.create_connection((mosquitto_broker.host, mosquitto_broker.port), timeout=10)
    try:
        client_id = b"flood"
        body = b"\x00\x04MQTT\x04\x02\x00\x00" + len(client_id).to_bytes(2, "big") + client_id
        pub.sendall(b"\x10" + bytes([len(body)]) + body)
        assert pub.recv(4)[:2] == b"\x20\x02"
        n = 50_000
        flood = b"".join(
            publish(b"flood/t", b'{"i":%d}' % i, qos=1 if i % 7 == 0 else 0, mid=i % 65535 + 1)
            for i in range(n)
        )
        for start in range(0, len(flood), 1 << 18):
            pub.sendall(flood[start : start + (1 << 18)])
        assert wait_until(lambda: len(got) >= n, 60.0)
    finally:
        pub.close()
        client.close()
    numbers = {q: [int(m.payload[5:-1]) for m in got if m.qos == q] for q in (0, 1)}
    assert numbers[0] == [i for i in range(n) if i % 7]
    assert numbers[1] == list(range(0, n, 7))
    assert status == []
