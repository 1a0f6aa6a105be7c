"""The paho wrapper's own promises: Nagle off, MQTT 5 sessions, no use of the caller's event loop."""

from __future__ import annotations

import asyncio
import socket

import paho.mqtt.client as paho

from kuiper_dev._types import Message
from kuiper_dev.connectors.mqtt import MqttClient, MqttConfig, MqttSink, MqttSource, broker
from kuiper_dev.connectors.mqtt._wire import ChunkedSocket

from .conftest import Broker, Peer, wait_until


def test_tcp_nodelay_is_set_after_connecting(any_broker: Broker) -> None:
    client = MqttClient(MqttConfig(server=any_broker.url))
    client.connect()
    try:
        sock = client._client.socket()
        assert isinstance(sock, ChunkedSocket)  # plain TCP is read in chunks
        assert isinstance(sock.raw, socket.socket)
        assert sock.raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        client.close()


def test_mqtt5_sink_properties_reach_an_mqtt5_source(mosquitto_broker: Broker) -> None:
    got: list[Message] = []
    props = {"server": mosquitto_broker.url, "protocolVersion": "5"}
    src = MqttSource(MqttConfig.from_props(props), "v5/#", qos=1)
    src.start(got.append, lambda s: None)
    sink = MqttSink(MqttConfig.from_props({**props, "properties": {"k": "v"}}), "v5/out", qos=1)
    try:
        sink.collect({"a": 1})
        sink.close()
        assert wait_until(lambda: len(got) == 1, 5)
    finally:
        src.stop()
    assert got[0].payload == b'{"a":1}' and got[0].meta["properties"] == {"k": "v"}


def test_mqtt5_persistent_session_keeps_the_subscription(mosquitto_broker: Broker) -> None:
    config = MqttConfig.from_props({"server": mosquitto_broker.url, "protocolVersion": "5",
                                    "clientid": "v5-persist", "enableClientSession": True,
                                    "sessionExpiryIntervalSeconds": 300})
    first = MqttSource(config, "s5/#", qos=1)
    first.start(lambda m: None, lambda s: None)
    first.stop()
    peer = Peer(mosquitto_broker, protocol=paho.MQTTv5)
    peer.publish("s5/x", b"while away", qos=1)
    peer.close()
    got: list[Message] = []
    second = MqttSource(config, "s5/#", qos=1)
    second.start(got.append, lambda s: None)
    try:
        assert wait_until(lambda: len(got) == 1, 5)
    finally:
        second.stop()
    assert got[0].payload == b"while away"


def test_the_embedded_broker_runs_beside_a_running_event_loop() -> None:
    """As in a notebook kernel: the caller's loop is running and is left alone."""

    async def inside_a_loop() -> bytes:
        caller = asyncio.get_running_loop()
        with broker() as b:
            got: list[Message] = []
            src = MqttSource(MqttConfig(server=b.url), "nb/#", qos=1)
            src.start(got.append, lambda s: None)
            sink = MqttSink(MqttConfig(server=b.url), "nb/x", qos=1)
            sink.collect(b"from a notebook")
            sink.close()
            wait_until(lambda: bool(got), 5)
            src.stop()
        assert asyncio.get_running_loop() is caller and caller.is_running()
        return got[0].payload

    assert asyncio.run(inside_a_loop()) == b"from a notebook"


def test_a_refused_connection_names_the_reason_and_the_properties_to_check() -> None:
    from kuiper_dev.connectors.mqtt import mosquitto
    from kuiper_dev.errors import MqttError

    with mosquitto(extra_config="allow_anonymous false\n") as b:
        client = MqttClient(MqttConfig(server=b.url, username="nobody", password="wrong"))
        try:
            client.connect()
        except MqttError as e:
            text = str(e)
        else:  # pragma: no cover - the assertion below reports it
            client.close()
            text = ""
    assert f"the MQTT broker at {b.url} refused the connection (Not authorized)" in text
    assert "check username, password" in text


def test_a_websocket_server_url_works() -> None:
    from kuiper_dev.connectors.mqtt import mosquitto, republish

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with mosquitto(extra_config=f"listener {port} 127.0.0.1\nprotocol websockets\n") as b:
        got: list[Message] = []
        src = MqttSource(MqttConfig(server=f"ws://127.0.0.1:{port}/mqtt"), "ws/#", qos=1)
        deadline_ok = wait_until(lambda: _accepts(port), 5)
        src.start(got.append, lambda s: None)
        try:
            republish([Message("ws/a", b"over websockets", 0, qos=1)], b.url)
            assert deadline_ok and wait_until(lambda: bool(got), 5)
        finally:
            src.stop()
    assert got[0].payload == b"over websockets"


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False
