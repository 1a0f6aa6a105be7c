"""A rule's sinks: its actions' targets (log, memory, nop, plugin sinks), and its
sources: the connector each input stream's ``TYPE`` selects.

Plugin sinks run in their :class:`~kuiper_dev.plugins.SinkRunner` threads and are
closed together when the rule stops; plugin sources become
:class:`~kuiper_dev.connectors.PluginSource` instances for the driver's live runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..connectors import MemoryBus, PluginSource, Source
from ..errors import RuleError, did_you_mean
from ..plugins import PluginRegistry, SinkRunner
from .actions import memory_target, parse_actions
from .pipeline import Pipeline

__all__ = ["PluginSinks", "attach_actions", "sources_for"]

Target = Callable[[Any], None]


@dataclass(slots=True)
class PluginSinks:
    """Sink targets backed by plugin sinks, started on first use and stopped together."""

    plugins: PluginRegistry
    rule_id: str
    on_error: Callable[[str], None]
    record: Callable[[Any], None] | None = None
    runners: list[SinkRunner] = field(default_factory=list)

    def makers(self) -> dict[str, Callable[[Mapping[str, Any]], Target]]:
        return {name: self._maker(name) for name in self.plugins.names("sink")}

    def _maker(self, name: str) -> Callable[[Mapping[str, Any]], Target]:
        def make(props: Mapping[str, Any]) -> Target:
            slot = self.plugins.sink(name)
            assert slot is not None
            runner = SinkRunner(
                slot, dict(props), on_error=self.on_error, rule_id=self.rule_id,
                op_id=f"sink_{name}_{len(self.runners)}", instance_id=0,
            )  # fmt: skip
            runner.start()
            self.runners.append(runner)
            record = self.record

            def deliver(data: Any) -> None:
                if record is not None:
                    record(data)
                runner.collect(data)

            return deliver

        return make

    def close(self, timeout: float = 5.0) -> None:
        """Let queued emissions reach the plugins, then stop them (bounded)."""
        for runner in self.runners:
            runner.drain(timeout)
            runner.stop(timeout)


def attach_actions(
    rule: Pipeline,
    actions: list[Any] | None,
    *,
    plugins: PluginRegistry,
    bus: MemoryBus,
    record: Callable[[Any], None],
) -> PluginSinks:
    """Give ``rule`` its sinks: log records, memory publishes (and records), nop drops,
    plugin sinks run in their runners. Returns the plugin sinks, to close when done."""
    sinks = PluginSinks(
        plugins, rule.id, lambda text: rule.record_error(0, f"sink: {text}"), record
    )
    targets: dict[str, Callable[[Mapping[str, Any]], Target]] = {
        **sinks.makers(),
        "log": lambda _props: record,
        "memory": memory_target(bus, record),
        "nop": lambda _props: lambda _data: None,
    }
    rule.sinks = list(parse_actions(actions or [{"log": {}}], targets))
    return sinks


def sources_for(rule: Pipeline, plugins: PluginRegistry) -> dict[str, Source]:
    """The live source of each stream ``rule`` reads, selected by the stream's ``TYPE``."""
    out: dict[str, Source] = {}
    for name, spec in rule.plan.inputs.items():
        stream = spec.stream
        kind = stream.statement.option("TYPE") or ""
        slot = plugins.source(kind)
        if slot is None:
            known = plugins.names("source")
            hint = did_you_mean(kind, known, f" Known sources: {known}.")
            raise RuleError(
                f"stream {name}: TYPE={kind!r} is not a source plugin, and live MQTT is not "
                f"in kuiper_dev yet; give it mock data or a plugin source.{hint}"
            )
        conf = plugins.resolve_source_conf(kind, stream.statement.option("CONF_KEY"))
        out[name] = PluginSource(slot, name, stream.datasource, conf, rule_id=rule.id)
    return out
