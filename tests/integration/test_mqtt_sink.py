"""MqttSink against real brokers: a plain subscriber reads exactly what the rule's action produced."""

from __future__ import annotations

import pytest

from kuiper_dev.connectors import Sink
from kuiper_dev.connectors.mqtt import EmbeddedBroker, MqttConfig, MqttSink

from .conftest import Broker, Peer


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_subscriber_reads_each_emission_byte_exact(any_broker: Broker, mqtt_peer: Peer, qos: int) -> None:
    mqtt_peer.subscribe("out/#", qos=2)
    sink = MqttSink(MqttConfig(server=any_broker.url), "out/avg", qos=qos)
    assert isinstance(sink, Sink)
    emissions = ['{"a":1}', b"\x00\x01\xfe\xff", [{"t": 20.0, "s": "<b>"}], {"n": None, "v": 1.5}, "é ü"]
    for data in emissions:
        sink.collect(data)
    sink.close()
    got = mqtt_peer.wait_for(len(emissions))
    assert [m.payload for m in got] == [
        b'{"a":1}',
        b"\x00\x01\xfe\xff",
        b'[{"s":"\\u003cb\\u003e","t":20}]',  # Go's encoding/json: sorted keys, HTML escaped
        b'{"n":null,"v":1.5}',
        "é ü".encode(),
    ]
    assert {m.topic for m in got} == {"out/avg"}
    # delivered at min(published, subscribed) = the sink's qos; amqtt 0.12 uses the subscription's
    assert {m.qos for m in got} == {2 if isinstance(any_broker, EmbeddedBroker) else qos}


def test_retained_and_dynamic_topic(any_broker: Broker, mqtt_peer: Peer) -> None:
    sink = MqttSink(MqttConfig.from_props({"server": any_broker.url, "retained": True}),
                    "dev/{{.id}}/last", qos=1)
    sink.collect({"id": "d1", "v": 1})
    sink.collect("text for d2", row={"id": "d2"})
    sink.close()
    mqtt_peer.subscribe("dev/#", qos=1)  # after publishing: only retained messages can arrive
    got = mqtt_peer.wait_for(2)
    assert sorted((m.topic, m.payload, bool(m.retain)) for m in got) == [
        ("dev/d1/last", b'{"id":"d1","v":1}', True),
        ("dev/d2/last", b"text for d2", True),
    ]


def test_the_inflight_window_stays_bounded_and_nothing_is_lost(any_broker: Broker, mqtt_peer: Peer) -> None:
    mqtt_peer.subscribe("many", qos=1)
    sink = MqttSink(MqttConfig(server=any_broker.url), "many", qos=1, max_inflight=4)
    seen = []
    for i in range(300):
        sink.collect(str(i))
        assert sink._client is not None
        seen.append(sink._client.inflight)
    sink.close()
    assert max(seen) <= 4
    got = mqtt_peer.wait_for(300)
    assert [m.payload for m in got] == [str(i).encode() for i in range(300)]
