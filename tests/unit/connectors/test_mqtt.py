"""The mqtt package without a broker: one paho importer, sink encoding, argument checks."""

from __future__ import annotations

import ast
import socket
import time
from pathlib import Path

import pytest

import kuiper_dev.connectors.mqtt as mqtt_pkg
from kuiper_dev._types import Message
from kuiper_dev.connectors.mqtt import (
    MqttClient,
    MqttConfig,
    MqttSink,
    MqttSource,
    brokers,
    record_live,
    republish,
    topic_matches,
)
from kuiper_dev.errors import MqttError, TemplateError


def test_only_one_module_of_the_package_imports_paho() -> None:
    importers = []
    for path in Path(mqtt_pkg.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n == "paho" or n.startswith("paho.") for n in names):
                importers.append(path.name)
    assert sorted(set(importers)) == ["_paho.py"]


def test_topic_matches_uses_mqtt_wildcards() -> None:
    assert topic_matches("a/+/c", "a/b/c") and topic_matches("a/#", "a") and topic_matches("#", "x/y")
    assert not topic_matches("a/+", "a/b/c") and not topic_matches("a/b", "a/c")


def test_sink_encodes_text_bytes_and_json_as_go_does() -> None:
    sink = MqttSink(MqttConfig(), "out")
    assert sink.encode("héllo") == "héllo".encode()
    assert sink.encode(b"\x00\xff") == b"\x00\xff" and sink.encode(bytearray(b"ab")) == b"ab"
    assert sink.encode([{"b": 2.0, "a": "<x>"}]) == b'[{"a":"\\u003cx\\u003e","b":2}]'
    assert sink.encode({"big": 1e21, "n": None}) == b'{"big":1e+21,"n":null}'
    with pytest.raises(MqttError, match="cannot publish a int; give it text, bytes, a map or a list"):
        sink.encode(5)


def test_sink_topics_follow_ekuipers_rules() -> None:
    with pytest.raises(MqttError, match="missing property topic"):
        MqttSink(MqttConfig())
    with pytest.raises(MqttError, match=r"shouldn't contain # or \+"):
        MqttSink(MqttConfig(), "a/#")
    with pytest.raises(TemplateError):
        MqttSink(MqttConfig(), "a/{{.x | nosuch}}")
    assert MqttSink(MqttConfig(topic="from/config")).topic == "from/config"
    dynamic = MqttSink(MqttConfig(), "d/{{.id}}/{{len .}}")
    assert dynamic.topic_for({"id": "x"}) == "d/x/1"
    assert MqttSink(MqttConfig(), "d/{{(index . 0).id}}").topic_for([{"id": "y"}]) == "d/y"
    with pytest.raises(MqttError, match="pass row="):
        dynamic.topic_for("text")
    with pytest.raises(MqttError, match="rendered ''"):
        MqttSink(MqttConfig(), "{{.id}}").topic_for({"id": ""})
    with pytest.raises(MqttError, match="rendered 'a/#'"):
        MqttSink(MqttConfig(), "{{.id}}").topic_for({"id": "a/#"})
    sink = MqttSink(MqttConfig(qos=0), "t", qos=2, retained=True)
    assert (sink.qos, sink.retained) == (2, True)


def test_source_needs_a_topic_and_splits_lists() -> None:
    with pytest.raises(MqttError, match="topic is required"):
        MqttSource(MqttConfig(), " , ")
    assert MqttSource(MqttConfig(qos=2), "a,b/+").topics == ["a", "b/+"]


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [({"count": 0}, "count"), ({"duration": 0}, "duration")],
)
def test_record_live_checks_its_arguments_before_connecting(kwargs: dict[str, float], text: str) -> None:
    with pytest.raises(MqttError, match=text):
        record_live("tcp://127.0.0.1:1", "a/#", lambda m: None, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(MqttError, match="at least one topic"):
        record_live("tcp://127.0.0.1:1", [], lambda m: None)


def test_client_refuses_an_empty_window() -> None:
    with pytest.raises(MqttError, match="max_inflight"):
        MqttClient(MqttConfig(), max_inflight=0)


def test_nothing_listening_is_a_quick_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    started = time.monotonic()
    with pytest.raises(MqttError) as info:
        republish([Message("t", b"", 0)], url, timeout=2)
    assert time.monotonic() - started < 3
    assert f"cannot connect to the MQTT broker at {url}" in str(info.value)


def test_missing_mosquitto_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(brokers.shutil, "which", lambda name: None)
    monkeypatch.setattr(brokers.os, "access", lambda path, mode: False)
    with pytest.raises(MqttError) as info:
        brokers.find_mosquitto()
    assert "apt-get install mosquitto" in str(info.value) and "kuiper_dev.broker()" in str(info.value)
