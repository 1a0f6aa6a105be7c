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
