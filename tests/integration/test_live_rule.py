"""A live rule end to end over a real broker: simulated fleet → broker → MQTT source →
rule with a plugin function → MQTT sink → subscriber, checked message by message."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from kuiper_dev import Message, Workspace
from kuiper_dev.connectors import MqttConfig, MqttSource
from kuiper_dev.connectors.mqtt import EmbeddedBroker, MosquittoBroker
from tests.fixtures import ROOT

SQL = (
    "SELECT deviceId, temperature, heatIndex(temperature, humidity) AS feelsLike "
    "FROM sensors WHERE temperature > 25"
)
DDL = (
    "CREATE STREAM sensors (deviceId STRING, temperature FLOAT, humidity FLOAT, ts BIGINT) "
    'WITH (DATASOURCE="sensors/+", FORMAT="json")'
)


def test_a_live_rule_gives_what_the_virtual_run_gives(
    any_broker: EmbeddedBroker | MosquittoBroker,
) -> None:
    ws = Workspace(plugins_dir=ROOT / "plugins")
    ws.create_stream(DDL)
    fleet = list(ws.simulate("fleet", count=300))
    expected = ws.run(SQL, fleet).emissions
    assert expected, "the scenario should have hot readings"

    ws.use_broker(any_broker.url)
    received: list[dict[str, object]] = []
    got_all = threading.Event()

    def on_alert(message: object) -> None:
        received.append(json.loads(message.payload))  # type: ignore[attr-defined]
        if len(received) == sum(len(e) for e in expected):
            got_all.set()

    subscriber = MqttSource(MqttConfig(server=any_broker.url, qos=1), "alerts/#")
    subscriber.start(on_alert, lambda _text: None)
    live = ws.start_live(
        SQL, actions=[{"mqtt": {"topic": "alerts/{{.deviceId}}", "qos": 1, "sendSingle": True}}]
    )
    try:
        sent = Workspace.republish(fleet, any_broker.url, speed=0)
        assert sent == len(fleet)
        assert live.wait(emissions=len(expected), messages=len(fleet), timeout=20)
        assert got_all.wait(20)
    finally:
        run = live.stop()
        subscriber.stop()
    assert run.messages == len(fleet)
    assert live.result.emissions == expected
    assert received == [row for emission in expected for row in emission]


def test_a_stream_finds_its_broker_through_conf_key_and_connection_selector(
    embedded_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "connections").mkdir()
    (tmp_path / "sources" / "mqtt.yaml").write_text(
        "default:\n  qos: 1\nlocal:\n  connectionSelector: mqtt.edge\n"
    )
    (tmp_path / "connections" / "connection.yaml").write_text(
        f"mqtt:\n  edge:\n    server: {embedded_broker.url}\n"
    )
    ws = Workspace(plugins_dir=tmp_path)  # no use_broker: the conf names the broker
    ws.create_stream('CREATE STREAM s () WITH (DATASOURCE="t/#", CONF_KEY="local")')
    live = ws.start_live("SELECT v FROM s")
    try:
        Workspace.republish([Message("t/1", b'{"v": 5}', 0)], embedded_broker.url, speed=0)
        assert live.wait(emissions=1, timeout=10)
    finally:
        live.stop()
    assert live.result.emissions == [[{"v": 5.0}]]
