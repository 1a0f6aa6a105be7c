"""Real brokers on free loopback ports, started and stopped by the tests themselves.

``embedded_broker`` is amqtt in-process; ``mosquitto_broker`` the mosquitto
executable; ``any_broker`` runs a test once against each. ``mqtt_peer`` is a plain
paho client (publisher and subscriber) that checks what kuiper_dev's side did.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from kuiper_dev.connectors.mqtt import EmbeddedBroker, MosquittoBroker, broker, mosquitto

Broker = EmbeddedBroker | MosquittoBroker


@pytest.fixture
def embedded_broker() -> Iterator[EmbeddedBroker]:
    with broker() as b:
        yield b


@pytest.fixture
def mosquitto_broker(tmp_path: Path) -> Iterator[MosquittoBroker]:
    with mosquitto(persistence=tmp_path / "mosquitto-data") as b:
        yield b


@pytest.fixture(params=["embedded", "mosquitto"])
def any_broker(request: pytest.FixtureRequest) -> Broker:
    name = "embedded_broker" if request.param == "embedded" else "mosquitto_broker"
    b: Broker = request.getfixturevalue(name)
    return b


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` every 10 ms until true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


class Peer:
    """A plain paho client on the other end: publishes, and records what it receives."""

    def __init__(self, b: Broker, protocol: int = paho.MQTTv311) -> None:
        self.received: list[paho.MQTTMessage] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, protocol=protocol)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.connect(b.host, b.port)
        self.client.loop_start()

    def _on_message(self, client: Any, userdata: Any, msg: paho.MQTTMessage) -> None:
        with self._lock:
            self.received.append(msg)

    def subscribe(self, topic: str, qos: int = 2) -> None:
        self._subscribed.clear()
        self.client.subscribe(topic, qos)
        assert self._subscribed.wait(5), "no SUBACK within 5 s"

    def publish(self, topic: str, payload: bytes, qos: int = 0, retain: bool = False,
                properties: Any = None) -> None:
        info = self.client.publish(topic, payload, qos, retain, properties)
        info.wait_for_publish(5)
        assert info.is_published(), f"{topic} not published within 5 s"

    def wait_for(self, n: int, timeout: float = 10.0) -> list[paho.MQTTMessage]:
        wait_until(lambda: len(self.received) >= n, timeout)
        with self._lock:
            return list(self.received)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def mqtt_peer(any_broker: Broker) -> Iterator[Peer]:
    p = Peer(any_broker)
    yield p
    p.close()
