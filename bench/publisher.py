"""A publisher in a process of its own: ``python -m bench.publisher HOST PORT PATH COUNT RATE``.

It reads COUNT lines of the bench's JSON-lines file, prints ``ready``, waits for a
line on stdin, then publishes them at QoS 0 on the bench topic as fast as it can
(RATE 0) or RATE messages per second with the send time (``sent_ns``) in each
payload, for latency. A bare paho client: what is measured is the receiving side.
"""

from __future__ import annotations

import socket
import sys
import time

import orjson
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

TOPIC = "bench/mqtt"


def main(argv: list[str]) -> int:
    host, port, path, count, rate = argv[0], int(argv[1]), argv[2], int(argv[3]), float(argv[4])
    with open(path, "rb") as f:
        lines = [next(f).rstrip(b"\n") for _ in range(count)]
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-publisher")
    client.max_queued_messages_set(0)
    client.connect(host, port)
    client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delay
    client.loop_start()
    print("ready", flush=True)
    sys.stdin.readline()
    if rate <= 0:
        for line in lines:
            client.publish(TOPIC, line, 0)
    else:
        step, start = 1 / rate, time.perf_counter()
        for i, line in enumerate(lines):
            wait = start + i * step - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            row = orjson.loads(line)
            row["sent_ns"] = time.time_ns()
            client.publish(TOPIC, orjson.dumps(row), 0)
    time.sleep(0.5)  # let paho's thread write what it holds
    client.loop_stop()
    client.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
