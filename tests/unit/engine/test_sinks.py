"""A rule's sinks: built-in log, memory and nop sinks and plugin sinks, closed together."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev import PlanError, RuleError
from kuiper_dev.connectors import MemoryBus, Sink
from kuiper_dev.engine.sinks import MemorySink, NopSink, RecordSink


def test_built_in_sinks_fill_the_sink_slot() -> None:
    got: list[Any] = []
    for sink in (RecordSink(got.append), NopSink(), MemorySink(MemoryBus(), {"topic": "t"}, None)):
        assert isinstance(sink, Sink)
        sink.collect([{"a": 1}])
        sink.close()
    assert got == [[{"a": 1}]]


def test_memory_sink_publishes_each_row_to_its_templated_topic() -> None:
    bus = MemoryBus()
    seen: list[tuple[str, dict[str, Any]]] = []
    bus.subscribe("out/#", lambda topic, row: seen.append((topic, row)))
    recorded: list[Any] = []
    sink = MemorySink(bus, {"topic": "out/{{.id}}"}, recorded.append)
    sink.collect([{"id": "a", "v": 1}, {"id": "b", "v": 2}])
    assert seen == [("out/a", {"id": "a", "v": 1}), ("out/b", {"id": "b", "v": 2})]
    assert recorded == [[{"id": "a", "v": 1}, {"id": "b", "v": 2}]]


def test_memory_sink_needs_a_topic_and_json_objects() -> None:
    with pytest.raises(PlanError, match='"topic" property is required'):
        MemorySink(MemoryBus(), {}, None)
    with pytest.raises(RuleError, match="not JSON"):
        MemorySink(MemoryBus(), {"topic": "t"}, None).collect("not json")


RAISING_SINK = """
class Mysink:
    def configure(self, conf): pass
    def open(self, ctx): pass
    def collect(self, ctx, data):
        if b"boom" in data:
            raise ValueError("cannot write")
    def close(self, ctx): pass
"""


def test_a_plugin_sink_error_carries_the_time_of_the_emission_that_failed() -> None:
    from kuiper_dev import Message, Workspace

    t0 = 1_700_000_000_000
    ws = Workspace(plugins_dir=None)
    ws.plugins.define_sink("Mysink", RAISING_SINK, filename="<cell s>")
    feed = [
        Message("d", b'{"v": "fine"}', t0 + 100),
        Message("d", b'{"v": "boom"}', t0 + 1_250),
        Message("d", b'{"v": "fine"}', t0 + 2_000),
    ]
    result = ws.run("SELECT v FROM d", feed, actions=[{"mysink": {}}], drain_ms=500)
    assert [e.ts for e in result.errors] == [t0 + 1_250]
    assert "sink: sink mysink" in result.errors[0].message
    assert "ValueError: cannot write" in result.errors[0].message
