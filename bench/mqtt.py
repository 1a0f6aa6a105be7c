"""The MQTT jobs: a rule fed by a real mosquitto on loopback, against a bare paho
subscriber on the same traffic (same publisher process, same broker, QoS 0).

``mqtt_e2e`` is messages/s from the first publish to the last message taken by the
filter rule, nothing lost; ``mqtt_latency_*`` publish-to-sink latency at 2,000
msg/s. The broker and the publisher start before the timed run. The publisher
(``bench.publisher``) writes pre-encoded packets far faster than either side
reads them, so the broker queues the flood and the figure is the receiver's rate.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from statistics import quantiles
from typing import Any

import orjson

from kuiper_dev import Workspace
from kuiper_dev.connectors import broker, mosquitto

from .publisher import TOPIC

Run = Callable[[], int]
E2E_MAX = 200_000  # messages of the e2e job, whatever the suite's size
AMQTT_MAX = 30_000  # the embedded broker is slower: its job stays short
LATENCY_RATE, LATENCY_COUNT = 2_000, 10_000
TIMEOUT_S = 120
DDL = (
    "CREATE STREAM demo (deviceId STRING, temperature FLOAT, ts BIGINT, sent_ns BIGINT) "
    f'WITH (DATASOURCE="{TOPIC}", FORMAT="json")'
)


class _Setup:
    """A broker and a waiting publisher; ``go`` starts the traffic, ``close`` ends all."""

    def __init__(self, path: Path, count: int, rate: float, *, embedded: bool = False) -> None:
        self.stack = ExitStack()
        self.broker: Any = self.stack.enter_context(broker() if embedded else mosquitto())
        self.count = count
        cmd = [sys.executable, "-m", "bench.publisher", self.broker.host, str(self.broker.port),
               str(path), str(count), str(rate)]  # fmt: skip
        self.publisher = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
        self.stack.callback(self._end_publisher)
        assert self.publisher.stdout is not None
        if self.publisher.stdout.readline().strip() != "ready":
            self.close()
            raise RuntimeError("the publisher did not start")

    def go(self) -> None:
        assert self.publisher.stdin is not None
        self.publisher.stdin.write("go\n")
        self.publisher.stdin.flush()

    def _end_publisher(self) -> None:
        try:
            self.publisher.wait(TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.publisher.kill()

    def close(self) -> None:
        self.stack.close()


def _kuiper(
    path: Path, count: int, rate: float, sql: str, record: Any, *, embedded: bool = False
) -> tuple[_Setup, Any]:
    setup = _Setup(path, count, rate, embedded=embedded)
    ws = Workspace(plugins_dir=None)
    ws.use_broker(setup.broker.url)
    ws.create_stream(DDL)
    live = ws.start_live(sql, actions=[{"log": {}}], record=record)
    return setup, live


def e2e_job(path: Path, *, embedded: bool = False, most: int = E2E_MAX) -> Run:
    """The filter rule live: result is how many messages it took (all, or it failed)."""
    count = _count(path, most)
    setup, live = _kuiper(path, count, 0, "SELECT deviceId, temperature FROM demo "
                          "WHERE temperature > 50", lambda _data: None,
                          embedded=embedded)  # fmt: skip

    def run() -> int:
        try:
            setup.go()
            live.wait(messages=count, timeout=TIMEOUT_S)
            return live.result.messages_in
        finally:
            live.stop()
            setup.close()

    return run


def amqtt_e2e_job(path: Path) -> Run:
    """The same through the embedded amqtt broker: its ceiling, for the README."""
    return e2e_job(path, embedded=True, most=AMQTT_MAX)


def bare_e2e_job(path: Path, *, embedded: bool = False, most: int = E2E_MAX) -> Run:
    """A bare paho subscriber doing the filter by hand on the same traffic."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    count = _count(path, most)
    setup = _Setup(path, count, 0, embedded=embedded)
    got, done = [0, 0], threading.Event()

    def on_message(_c: Any, _u: Any, m: Any) -> None:
        row = orjson.loads(m.payload)
        if row["temperature"] > 50:
            got[1] += 1
        got[0] += 1
        if got[0] >= count:
            done.set()

    client = paho.Client(CallbackAPIVersion.VERSION2)
    client.on_message = on_message
    client.connect(setup.broker.host, setup.broker.port)
    client.subscribe(TOPIC, 0)
    client.loop_start()
    time.sleep(0.3)  # the subscription lands before the traffic starts

    def run() -> int:
        try:
            setup.go()
            done.wait(TIMEOUT_S)
            return got[0]
        finally:
            client.loop_stop()
            setup.close()

    return run


def bare_amqtt_e2e_job(path: Path) -> Run:
    return bare_e2e_job(path, embedded=True, most=AMQTT_MAX)


def latency_job(quantile: int) -> Callable[[Path], Run]:
    """Publish-to-sink latency of the live rule at 2,000 msg/s: the result is the
    ``quantile``-th percentile in microseconds."""

    def make(path: Path) -> Run:
        seen: list[int] = []

        def record(data: Any) -> None:
            now = time.time_ns()
            for row in data:
                seen.append(now - int(row["sent_ns"]))

        setup, live = _kuiper(path, LATENCY_COUNT, LATENCY_RATE, "SELECT sent_ns FROM demo",
                              record)  # fmt: skip

        def run() -> int:
            try:
                setup.go()
                live.wait(messages=LATENCY_COUNT, timeout=TIMEOUT_S)
            finally:
                live.stop()
                setup.close()
            return _percentile(seen, quantile)

        return run

    return make


def bare_latency_job(quantile: int) -> Callable[[Path], Run]:
    """The same latency for a bare paho subscriber that decodes each payload."""

    def make(path: Path) -> Run:
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        setup = _Setup(path, LATENCY_COUNT, LATENCY_RATE)
        seen: list[int] = []
        done = threading.Event()

        def on_message(_c: Any, _u: Any, m: Any) -> None:
            seen.append(time.time_ns() - int(orjson.loads(m.payload)["sent_ns"]))
            if len(seen) >= LATENCY_COUNT:
                done.set()

        client = paho.Client(CallbackAPIVersion.VERSION2)
        client.on_message = on_message
        client.connect(setup.broker.host, setup.broker.port)
        client.subscribe(TOPIC, 0)
        client.loop_start()
        time.sleep(0.3)

        def run() -> int:
            try:
                setup.go()
                done.wait(TIMEOUT_S)
            finally:
                client.loop_stop()
                setup.close()
            return _percentile(seen, quantile)

        return run

    return make


def _percentile(ns: list[int], q: int) -> int:
    if len(ns) < 2:
        return 0
    return int(quantiles(ns, n=100)[q - 1] / 1000)


def _count(path: Path, most: int) -> int:
    with open(path, "rb") as f:
        return min(most, sum(1 for _ in f))
