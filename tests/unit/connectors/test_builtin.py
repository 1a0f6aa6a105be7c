"""Built-in connector TYPE names to factories, and the props eKuiper gives built-in sources."""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
import pytest

from kuiper_dev import Message
from kuiper_dev.connectors import (
    BUILTIN_SOURCE_DEFAULTS,
    Builtins,
    FeedSource,
    FileSink,
    FileSource,
    MemoryBus,
    MemorySource,
    SimulatorSource,
    source_props,
)


def test_type_names_are_exact_and_unknown_ones_give_none() -> None:
    b = Builtins()
    assert b.source_types() == ["file", "mqtt", "simulator"]
    assert b.sink_types() == ["file", "mqtt"]
    for name in ("File", "SIMULATOR", "MQTT", "mySource", ""):
        assert b.source_factory(name) is None
    assert b.sink_factory("log") is None  # the engine keeps log, nop and memory
    assert b.source_factory("Simulator") is None and b.sink_factory("file") is not None


def test_memory_is_there_with_a_bus_and_delivers_published_rows() -> None:
    bus = MemoryBus()
    b = Builtins(bus=bus, now_ms=lambda: 9)
    make = b.source_factory("memory")
    assert make is not None
    src = make("s", "dev/+", {})
    assert isinstance(src, MemorySource)
    seen: list[Message] = []
    src.start(seen.append, lambda text: None)
    bus.publish("dev/1", {"a": 1})
    bus.publish("other", {"a": 2})
    src.stop()
    bus.publish("dev/2", {"a": 3})  # stopped: no more
    assert [(m.topic, orjson.loads(m.payload), m.ts) for m in seen] == [("dev/1", {"a": 1}, 9)]


def test_file_factories_use_the_root_and_clock(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.json").write_text('[{"a": 1}]')
    b = Builtins(root=tmp_path, now_ms=lambda: 77, start_ms=500)
    make = b.source_factory("file")
    assert make is not None
    src = make("s", "a.json", source_props("file"))
    assert isinstance(src, FileSource)
    assert [(m.payload, m.ts) for m in src] == [(b'{"a": 1}', 500)]
    make_sink = b.sink_factory("file")
    assert make_sink is not None
    sink = make_sink({"path": "out.txt", "rollingNamePattern": "prefix"})
    assert isinstance(sink, FileSink)
    sink.collect({"a": 1})
    sink.close()
    assert (tmp_path / "77-out.txt").read_text() == '{"a":1}'


def test_the_simulator_factory_takes_ekuiper_defaults() -> None:
    make = Builtins(start_ms=0).source_factory("simulator")
    assert make is not None
    src = make("s", "", {**source_props("simulator"), "loop": False})
    assert isinstance(src, SimulatorSource)
    assert [(orjson.loads(m.payload), m.ts) for m in src] == [
        ({"temperature": 22.5, "humidity": 50}, 0)
    ]


def test_a_type_can_be_added_or_replaced() -> None:
    b = Builtins()
    feed = FeedSource([Message("t", b"{}", 1)])
    b.add_source("mqtt", lambda stream, datasource, props: feed)
    made = b.source_factory("mqtt")
    assert made is not None and made("s", "t", {}) is feed
    b.add_sink("nop2", lambda props: FileSink({"path": "x"}))
    assert "nop2" in b.sink_types()


def test_props_start_from_ekuiper_defaults_then_confkey_then_stream_options() -> None:
    props = source_props("file")
    assert props["fileType"] == "json" and props["path"] == "data"
    assert (props["format"], props["delimiter"], props["datasource"]) == ("json", "", "")
    sections = {"default": {"path": "mine"}, "csv": {"fileType": "csv", "hasHeader": True}}
    csv = source_props("file", "CSV", sections=sections, options={"format": "DELIMITED",
                       "delimiter": ";", "DATASOURCE": "a.csv", "TIMESTAMP_FORMAT": "x"})  # fmt: skip
    assert (csv["fileType"], csv["hasHeader"], csv["path"], csv["interval"]) == (
        "csv",
        True,
        "mine",
        0,
    )
    assert (csv["format"], csv["delimiter"], csv["datasource"]) == ("delimited", ";", "a.csv")
    assert csv["timestampFormat"] == "x"
    assert BUILTIN_SOURCE_DEFAULTS["file"]["path"] == "data"  # the shipped defaults stay


def test_a_stream_delimiter_replaces_the_confs_as_ekuiper_does() -> None:
    props = source_props("file", sections={"default": {"delimiter": ";"}})
    assert props["delimiter"] == ""


def test_an_unknown_confkey_warns_and_keeps_the_default(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        props = source_props("file", "nosuch", sections={"csv": {"fileType": "csv"}})
    assert props["fileType"] == "json"
    assert "confKey 'nosuch' not found" in caplog.text
