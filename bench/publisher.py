"""A publisher in a process of its own: ``python -m bench.publisher HOST PORT PATH COUNT RATE``.

It reads COUNT lines of the bench's JSON-lines file, connects, prints ``ready``,
waits for a line on stdin, then publishes them at QoS 0 on the bench topic: as fast
as the broker takes them (RATE 0), or RATE messages per second with the send time
(``sent_ns``) in each payload, for latency.

It speaks MQTT 3.1.1 over a plain socket instead of through paho: a QoS 0 PUBLISH
is a few header bytes before the payload, so the packets are encoded before the
start and written in large batches. A paho publisher managed 15,000-20,000 msg/s
here, below what a subscriber takes; this one writes several hundred thousand a
second, so the figures measure the receiving side. Bench-only: no QoS 1/2, no
pings (a keepalive of 60 s: every PUBLISH counts as traffic, and a run is shorter;
amqtt drops a client asking for 0, "no keepalive"), no reconnect.
"""

from __future__ import annotations

import socket
import sys
import time

import orjson

TOPIC = "bench/mqtt"
BATCH_BYTES = 1 << 18  # bytes per write when flooding: few system calls per message


def _length(n: int) -> bytes:
    """MQTT's "remaining length": 7 bits a byte, low bits first, high bit = more.

    >>> _length(0), _length(127), _length(128), _length(16_383)
    (b'\\x00', b'\\x7f', b'\\x80\\x01', b'\\xff\\x7f')
    """
    out = bytearray()
    while True:
        n, low = divmod(n, 128)
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _text(s: str) -> bytes:
    raw = s.encode()
    return len(raw).to_bytes(2, "big") + raw


def connect_packet(client_id: str) -> bytes:
    """CONNECT: protocol "MQTT" level 4 (3.1.1), clean session, keepalive 60 s."""
    body = _text("MQTT") + bytes([4, 0x02]) + (60).to_bytes(2, "big") + _text(client_id)
    return b"\x10" + _length(len(body)) + body


def publish_packet(topic: bytes, payload: bytes) -> bytes:
    """PUBLISH at QoS 0, not retained: no packet id, so the bytes depend on the payload only.

    >>> publish_packet(_text("t"), b"hi")
    b'0\\x05\\x00\\x01thi'
    """
    return b"\x30" + _length(len(topic) + len(payload)) + topic + payload


def _connect(host: str, port: int) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # latency runs: no Nagle delay
    sock.sendall(connect_packet("bench-publisher"))
    connack = b""
    while len(connack) < 4:  # 0x20, length 2, session-present flags, return code
        chunk = sock.recv(4 - len(connack))
        if not chunk:
            raise SystemExit("the broker closed the connection before its CONNACK")
        connack += chunk
    if connack[0] != 0x20 or connack[3] != 0:
        raise SystemExit(f"the broker refused the connection: CONNACK {connack.hex()}")
    return sock


def main(argv: list[str]) -> int:
    host, port, path, count, rate = argv[0], int(argv[1]), argv[2], int(argv[3]), float(argv[4])
    with open(path, "rb") as f:
        lines = [next(f).rstrip(b"\n") for _ in range(count)]
    topic = _text(TOPIC)
    sock = _connect(host, port)
    flood = b"".join(publish_packet(topic, line) for line in lines) if rate <= 0 else b""
    print("ready", flush=True)
    sys.stdin.readline()
    if rate <= 0:
        view = memoryview(flood)
        for start in range(0, len(view), BATCH_BYTES):
            sock.sendall(view[start : start + BATCH_BYTES])
    else:
        step, start = 1 / rate, time.perf_counter()
        for i, line in enumerate(lines):
            wait = start + i * step - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            row = orjson.loads(line)
            row["sent_ns"] = time.time_ns()
            sock.sendall(publish_packet(topic, orjson.dumps(row)))
    sock.sendall(b"\xe0\x00")  # DISCONNECT: the broker has read everything before it
    sock.shutdown(socket.SHUT_WR)
    sock.settimeout(10)
    try:
        while sock.recv(4096):  # the broker closes its side once it has processed all
            pass
    except OSError:
        pass
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
