"""MqttSource against real brokers: what a plain paho publisher sends arrives as eKuiper gives it."""

from __future__ import annotations

import threading

import pytest

from kuiper_dev._types import Message
from kuiper_dev.connectors import Source
from kuiper_dev.connectors.mqtt import EmbeddedBroker, MqttConfig, MqttSource

from .conftest import Broker, Peer, wait_until


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.status: list[str] = []
        self._lock = threading.Lock()

    def deliver(self, m: Message) -> None:
        with self._lock:
            self.messages.append(m)

    def fail(self, text: str) -> None:
        self.status.append(text)

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Message]:
        wait_until(lambda: len(self.messages) >= n, timeout)
        with self._lock:
            return list(self.messages)


def _start(b: Broker, topic: str, qos: int, inbox: Inbox, **props: object) -> MqttSource:
    src = MqttSource(MqttConfig.from_props({"server": b.url, **props}), topic, qos=qos)
    assert isinstance(src, Source)
    src.start(inbox.deliver, inbox.fail)
    return src


def test_wildcards_and_topic_lists_select_what_arrives(any_broker: Broker, mqtt_peer: Peer) -> None:
    inbox = Inbox()
    src = _start(any_broker, "home/+/temp, plant/#", 0, inbox)
    try:
        for topic in ["home/kitchen/temp", "home/kitchen/hum", "plant/a/b/c", "office/x/temp", "plant"]:
            mqtt_peer.publish(topic, topic.encode(), qos=1)
        mqtt_peer.publish("end/marker", b"", qos=1)  # not subscribed: nothing more may arrive
        got = inbox.wait_for(3)
    finally:
        src.stop()
    assert sorted(m.topic for m in got) == ["home/kitchen/temp", "plant", "plant/a/b/c"]
    assert all(m.payload == m.topic.encode() for m in got)


@pytest.mark.parametrize("sub_qos", [0, 1, 2])
def test_qos_payload_and_meta_as_ekuiper_gives_them(
    any_broker: Broker, mqtt_peer: Peer, sub_qos: int
) -> None:
    inbox = Inbox()
    src = _start(any_broker, "q/#", sub_qos, inbox)
    payloads = {0: b"\x00\xffbinary", 1: '{"t":21.5,"s":"é"}'.encode(), 2: b""}
    try:
        for pub_qos, payload in payloads.items():
            mqtt_peer.publish(f"q/{pub_qos}", payload, qos=pub_qos)
        got = inbox.wait_for(3)
    finally:
        src.stop()
    by_topic = {m.topic: m for m in got}
    assert set(by_topic) == {"q/0", "q/1", "q/2"}
    for pub_qos, payload in payloads.items():
        m = by_topic[f"q/{pub_qos}"]
        # MQTT delivers at the lower of the two; amqtt 0.12 at the subscription's own
        granted = sub_qos if isinstance(any_broker, EmbeddedBroker) else min(pub_qos, sub_qos)
        assert m.payload == payload
        assert m.qos == granted and m.retain is False
        assert m.meta["topic"] == f"q/{pub_qos}" and m.meta["qos"] == granted
        assert isinstance(m.meta["messageId"], int)
        assert (m.meta["messageId"] > 0) == (granted > 0)  # QoS 0 carries no packet id
        assert abs(m.ts - got[0].ts) < 10_000 and m.ts > 1_600_000_000_000  # epoch ms


def test_a_retained_message_arrives_flagged(any_broker: Broker, mqtt_peer: Peer) -> None:
    mqtt_peer.publish("state/door", b"open", qos=1, retain=True)
    inbox = Inbox()
    src = _start(any_broker, "state/#", 1, inbox)
    try:
        mqtt_peer.publish("state/door", b"closed", qos=1)
        got = inbox.wait_for(2)
    finally:
        src.stop()
    assert [(m.payload, m.retain) for m in got] == [(b"open", True), (b"closed", False)]


def test_source_reports_a_broker_restart_and_keeps_going(any_broker: Broker) -> None:
    inbox = Inbox()
    src = MqttSource(MqttConfig(server=any_broker.url), "r/#", qos=1, reconnect_delay=(0.1, 0.5))
    src.start(inbox.deliver, inbox.fail)
    try:
        any_broker.restart()
        assert wait_until(lambda: any("reconnected" in s for s in inbox.status)), inbox.status
        peer = Peer(any_broker)
        try:
            peer.publish("r/after", b"after restart", qos=1)
            got = inbox.wait_for(1)
        finally:
            peer.close()
    finally:
        src.stop()
    assert [m.payload for m in got] == [b"after restart"]
    assert any("disconnected" in s for s in inbox.status)
    assert all(s.startswith("mqtt source r/#: ") for s in inbox.status)


def test_a_failing_deliver_is_reported_and_the_source_goes_on(any_broker: Broker, mqtt_peer: Peer) -> None:
    inbox = Inbox()

    def deliver(m: Message) -> None:
        if m.payload == b"boom":
            raise ValueError("bad row")
        inbox.deliver(m)

    src = MqttSource(MqttConfig(server=any_broker.url), "e/#", qos=1)
    src.start(deliver, inbox.fail)
    try:
        mqtt_peer.publish("e/1", b"boom", qos=1)
        mqtt_peer.publish("e/2", b"fine", qos=1)
        got = inbox.wait_for(1)
    finally:
        src.stop()
    assert [m.payload for m in got] == [b"fine"]
    assert any("bad row" in s for s in inbox.status)


def test_mqtt5_user_properties_land_in_meta(mosquitto_broker: Broker) -> None:
    import paho.mqtt.client as paho
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    inbox = Inbox()
    src = _start(mosquitto_broker, "v5/#", 1, inbox, protocolVersion="5")
    peer = Peer(mosquitto_broker, protocol=paho.MQTTv5)
    try:
        props = Properties(PacketTypes.PUBLISH)
        props.UserProperty = [("traceparent", "00-abc"), ("site", "a")]
        peer.publish("v5/t", b"x", qos=1, properties=props)
        got = inbox.wait_for(1)
    finally:
        peer.close()
        src.stop()
    assert got[0].meta["properties"] == {"traceparent": "00-abc", "site": "a"}
