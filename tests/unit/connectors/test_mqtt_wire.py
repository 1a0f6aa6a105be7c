"""The chunked reading under paho: buffer, QoS 0 fast path, runs of messages handed over."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator

import pytest

from kuiper_dev._types import Message
from kuiper_dev.connectors.mqtt import MqttClient, MqttConfig
from kuiper_dev.connectors.mqtt._wire import CHUNK, HOLD_MAX, ChunkedSocket, Runs


def _length(n: int) -> bytes:
    out = bytearray()
    while True:
        n, low = divmod(n, 128)
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def publish(
    topic: bytes, payload: bytes, qos: int = 0, retain: bool = False, mid: int = 1
) -> bytes:
    """A PUBLISH packet as a broker writes it (MQTT 3.1.1 section 3.3)."""
    body = (
        len(topic).to_bytes(2, "big") + topic + (mid.to_bytes(2, "big") if qos else b"") + payload
    )
    return bytes([0x30 | qos << 1 | int(retain)]) + _length(len(body)) + body


PINGRESP = b"\xd0\x00"


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    a, b = socket.socketpair()
    a.setblocking(False)
    yield a, b
    a.close()
    b.close()


def _fill(s: ChunkedSocket) -> None:
    s.recv(0)  # an empty read from memory would return b"": this one reads a chunk


def test_recv_serves_a_chunk_from_memory_across_packet_boundaries(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    a, b = pair
    idle: list[int] = []
    s = ChunkedSocket(a, idle=lambda: idle.append(1))
    b.sendall(b"abcdefgh")
    assert s.recv(3) == b"abc" and idle == [1]  # one real read, the hook first
    assert s.buffered() == 5 and s.pending() == 5 and idle == [1]
    assert s.recv(10) == b"defgh"  # the chunk's end: fewer bytes, as a socket may give
    assert s.buffered() == 0
    with pytest.raises(BlockingIOError):
        s.recv(1)  # nothing more on the socket: paho's "try again"
    assert idle == [1, 1]
    assert s.pending() == 0 and idle == [1, 1, 1]  # paho would wait now: the hook runs
    b.close()
    assert s.recv(1) == b""  # the peer closed


def test_take_publishes_parses_whole_qos0_packets_and_leaves_the_rest(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    a, b = pair
    s = ChunkedSocket(a)
    long = bytes(range(256)) * 2  # a two-byte remaining length
    qos1 = publish(b"q/1", b"one", qos=1, mid=7)
    b.sendall(
        publish(b"t/a", b"x") + publish(b"t/b", long, retain=True) + qos1 + publish(b"t/c", b"y")
    )
    _fill(s)
    got: list[tuple[bytes, bytes, bool]] = []
    assert s.take_publishes(lambda t, p, r: got.append((t, p, r)) is None, 10) == 2
    assert got == [(b"t/a", b"x", False), (b"t/b", long, True)]
    assert s.recv(len(qos1)) == qos1  # the QoS 1 packet is paho's, untouched
    assert s.take_publishes(lambda t, p, r: got.append((t, p, r)) is None, 10) == 1
    assert got[-1] == (b"t/c", b"y", False) and s.buffered() == 0


@pytest.mark.parametrize(
    ("data", "left"),
    [
        (publish(b"t", b"abcdef")[:-2], 9),  # cut off: the rest comes with the next read
        (b"\x30", 1),  # a lone header byte
        (b"\x30\xff\xff\xff\xff\x7f" + b"\x00" * 8, 14),  # a five-byte length: malformed
        (b"\x30\x02\x00\x00", 4),  # an empty topic is malformed in 3.1.1: paho says so
        (b"\x30\x03\x00\x05a", 5),  # the topic runs past the packet
        (PINGRESP + publish(b"t", b"a"), 8),  # another packet first
    ],
)
def test_take_publishes_stops_at_what_is_not_a_whole_qos0_publish(
    pair: tuple[socket.socket, socket.socket], data: bytes, left: int
) -> None:
    a, b = pair
    s = ChunkedSocket(a)
    b.sendall(data)
    _fill(s)
    got: list[bytes] = []
    assert s.take_publishes(lambda t, p, r: got.append(p) is None, 10) == 0
    assert got == [] and s.buffered() == left


def test_take_publishes_takes_at_most_most_and_what_publish_accepts(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    a, b = pair
    s = ChunkedSocket(a)
    b.sendall(b"".join(publish(b"t", str(i).encode()) for i in range(5)))
    _fill(s)
    got: list[bytes] = []
    assert s.take_publishes(lambda t, p, r: got.append(p) is None, 2) == 2
    assert s.take_publishes(lambda t, p, r: p != b"3" and got.append(p) is None, 10) == 1
    assert got == [b"0", b"1", b"2"] and s.buffered() == len(publish(b"t", b"3")) * 2


def test_random_splits_give_the_packets_back_whole_and_in_order(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    """The fast path and a paho-like reader of the rest take turns over a stream cut
    at random places; together they see every packet once, in order."""
    rng = random.Random(10)
    packets = []
    for i in range(400):
        kind = rng.random()
        if kind < 0.8:
            size = rng.choice([0, 1, 50, 127, 128, 300, 20_000])
            packets.append(
                publish(f"s/{i % 7}".encode(), rng.randbytes(size), retain=rng.random() < 0.1)
            )
        elif kind < 0.9:
            packets.append(publish(b"q", b"p%d" % i, qos=1, mid=i + 1))
        else:
            packets.append(PINGRESP)
    stream = b"".join(packets)
    a, b = pair
    b.setblocking(False)
    s = ChunkedSocket(a)
    seen: list[bytes] = []
    sent = 0

    def feed() -> None:  # the next piece, as much of it as the socket takes
        nonlocal sent
        step = rng.randint(1, CHUNK * 2)
        try:
            sent += b.send(stream[sent : sent + step])
        except BlockingIOError:
            pass

    def fast(topic: bytes, payload: bytes, retain: bool) -> bool:
        seen.append(publish(topic, payload, retain=retain))
        return True

    def read_exactly(n: int) -> bytes:
        out = b""
        for _ in range(100_000):
            if len(out) == n:
                return out
            try:
                out += s.recv(n - len(out))
            except BlockingIOError:
                feed()
        raise AssertionError("the stream stalled")

    for _ in range(100_000):
        if len(seen) == len(packets):
            break
        if sent < len(stream) and rng.random() < 0.3:
            feed()
        if s.buffered() and s.take_publishes(fast, rng.randint(1, 50)):
            continue
        first = read_exactly(1)  # paho's way: type, length byte by byte, body
        length, shift, raw = 0, 0, b""
        while True:
            byte = read_exactly(1)
            raw += byte
            length |= (byte[0] & 0x7F) << shift
            shift += 7
            if byte[0] < 0x80:
                break
        seen.append(first + raw + read_exactly(length))
    assert seen == packets


def test_runs_hand_over_in_order_and_report_failures() -> None:
    got: list[Message] = []
    errors: list[str] = []

    def take(m: Message) -> None:
        if m.payload == b"bad":
            raise ValueError("nope")
        got.append(m)

    class PahoMessage:  # what paho gives a callback: a QoS 1 message here
        topic, qos, mid, payload, retain = "p/1", 1, 9, bytearray(b"one"), False

    runs = Runs(take, errors.append)
    runs.ts = 1234
    assert runs.publish(b"f/1", b"zero", True) and runs.publish(b"f/1", b"bad", False)
    runs.add_paho(PahoMessage(), v5=False)
    assert not runs.publish(b"\xff\xfe", b"x", False)  # not UTF-8: left for paho
    assert got == []
    runs.hand_over()
    assert [(m.topic, m.payload, m.qos, m.retain, m.meta) for m in got] == [
        ("f/1", b"zero", 0, True, {"topic": "f/1", "qos": 0, "messageId": 0}),
        ("p/1", b"one", 1, False, {"topic": "p/1", "qos": 1, "messageId": 9}),
    ]
    assert got[0].ts == 1234 and type(got[1].payload) is bytes
    assert errors == ["error handling a message on 'f/1': ValueError('nope')"]
    assert runs.held == []


def test_take_from_hands_over_a_full_run_before_parsing_more(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    a, b = pair
    s = ChunkedSocket(a)
    b.sendall(b"".join(publish(b"t", b"%d" % i) for i in range(HOLD_MAX + 10)))
    got: list[Message] = []
    runs = Runs(got.append, print)
    _fill(s)  # a few KiB: all of it in one chunk
    assert runs.take_from(s) == HOLD_MAX and got == []
    assert runs.take_from(s) == 10
    assert len(got) == HOLD_MAX and len(runs.held) == 10
    assert [m.payload for m in got[:3]] == [b"0", b"1", b"2"]


def test_the_fast_path_is_on_for_mqtt_3_and_off_for_5() -> None:
    # with paho 2 installed; MQTT 5 PUBLISH packets carry properties: paho reads them
    assert MqttClient(MqttConfig(protocol_version="3.1.1"))._client.fast
    assert MqttClient(MqttConfig(protocol_version="3.1"))._client.fast
    assert not MqttClient(MqttConfig(protocol_version="5"))._client.fast
