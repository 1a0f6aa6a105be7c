"""A served rule runs live: MQTT in from a broker, through the rule, MQTT out."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from kuiper_dev.server import ServerThread, create_app, open_workspace

from .conftest import Broker, Peer, wait_until


def test_a_served_rule_follows_live_mqtt_traffic(
    any_broker: Broker, mqtt_peer: Peer, tmp_path: Path
) -> None:
    ws, _ = open_workspace(None, tmp_path / "data", live=True)
    ws.use_broker(any_broker.url)
    mqtt_peer.subscribe("out/hot")
    with ServerThread(create_app(ws)) as url, httpx.Client(base_url=url, timeout=10) as c:
        sql = 'CREATE STREAM readings (t FLOAT) WITH (DATASOURCE="in/readings", FORMAT="json")'
        assert c.post("/streams", json={"sql": sql}).status_code == 201
        rule = {
            "id": "hot",
            "sql": "SELECT t FROM readings WHERE t > 30",
            "actions": [{"mqtt": {"topic": "out/hot", "sendSingle": True}}],
        }
        assert c.post("/rules", json=rule).status_code == 201
        assert [(r["id"], r["status"]) for r in c.get("/rules").json()] == [("hot", "running")]
        for t in (20.5, 31.0, 45.25):
            mqtt_peer.publish("in/readings", json.dumps({"t": t}).encode(), qos=1)
        got = [m for m in mqtt_peer.wait_for(2) if m.topic == "out/hot"]
        assert [json.loads(m.payload) for m in got] == [{"t": 31.0}, {"t": 45.25}]
        assert wait_until(
            lambda: c.get("/rules/hot/status").json()["source_readings_0_records_in_total"] == 3
        )
        status = c.get("/rules/hot/status").json()
        # mqtt gives bytes: eKuiper decodes them in op_2_decoder before the filter
        assert status["op_2_decoder_0_records_out_total"] == 3
        assert status["op_3_filter_0_records_out_total"] == 2
        assert status["sink_mqtt_0_0_records_in_total"] == 2
        assert c.post("/rules/hot/stop").text == "Rule hot was stopped."
        mqtt_peer.publish("in/readings", json.dumps({"t": 99}).encode(), qos=1)
        assert not wait_until(lambda: len(mqtt_peer.received) > 2, timeout=0.5)
