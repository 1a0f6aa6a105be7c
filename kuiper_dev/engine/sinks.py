"""A rule's sinks: its actions' targets (log, memory, nop, plugin sinks), and its
sources: the connector each input stream's ``TYPE`` selects.

Plugin sinks run in their :class:`~kuiper_dev.plugins.SinkRunner` threads and are
closed together when the rule stops; plugin sources become
:class:`~kuiper_dev.connectors.PluginSource` instances for the driver's live runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import gotemplate
from ..connectors import Builtins, MemoryBus, PluginSource, Sink, Source, source_props
from ..errors import PlanError, RuleError, did_you_mean
from ..plugins import PluginRegistry, SinkRunner
from ..portable import Portables
from .actions import SinkMaker, parse_actions
from .pipeline import Pipeline

__all__ = [
    "MemorySink",
    "NopSink",
    "PluginSink",
    "PluginSinks",
    "RecordSink",
    "attach_actions",
    "sources_for",
]


class RecordSink:
    """The built-in log sink: what it receives is recorded (printed by the CLI)."""

    def __init__(self, record: Callable[[Any], None]) -> None:
        self.collect = record

    def close(self) -> None:
        return None


class _Recorded:
    """A built-in connector sink whose emissions the rule's record also sees."""

    def __init__(self, sink: Sink, record: Callable[[Any], None]) -> None:
        self._sink, self._record = sink, record

    def collect(self, data: Any) -> None:
        self._record(data)
        self._sink.collect(data)

    def close(self) -> None:
        self._sink.close()


class NopSink:
    """The built-in nop sink: drops everything."""

    def collect(self, data: Any) -> None:
        return None

    def close(self) -> None:
        return None


class MemorySink:
    """The built-in memory sink: publish rows to an in-memory topic (``{{...}}`` allowed).

    With ``rowkindField``/``keyField`` it updates lookup tables, as eKuiper's
    updatable memory sink does. ``record`` also sees what the sink receives.
    """

    def __init__(
        self, bus: MemoryBus, props: Mapping[str, Any], record: Callable[[Any], None] | None
    ) -> None:
        self.topic = str(props.get("topic") or "")
        if not self.topic:
            raise PlanError(
                'action memory: the "topic" property is required, e.g. {"memory": {"topic": "t"}}'
            )
        self._template = gotemplate.parse(self.topic) if "{{" in self.topic else None
        self._rowkind = str(props.get("rowkindField") or "")
        self._key = str(props.get("keyField") or "")
        self._bus = bus
        self._record = record

    def collect(self, data: Any) -> None:
        if self._record is not None:
            self._record(data)
        if isinstance(data, str):  # a dataTemplate's output must be a JSON object here
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise RuleError(f"memory sink: dataTemplate output is not JSON ({exc})") from None
        rows = data if isinstance(data, list) else [data]
        for row in rows:
            if not isinstance(row, dict):
                raise RuleError("memory sink: a dataTemplate must render a JSON object for it")
            to = self._template.execute(row) if self._template is not None else self.topic
            self._bus.publish(to, row, rowkind_field=self._rowkind, key_field=self._key)

    def close(self) -> None:
        return None


class PluginSink:
    """A sink plugin running in its runner thread; ``record`` also sees what it receives.

    Each emission goes to the runner with the rule's clock reading (``now``) at
    hand-over, so an error the plugin raises later carries the emission's time.
    """

    def __init__(
        self,
        runner: SinkRunner,
        record: Callable[[Any], None] | None,
        now: Callable[[], int] = lambda: 0,
    ) -> None:
        self._runner = runner
        self._record = record
        self._now = now

    def collect(self, data: Any) -> None:
        if self._record is not None:
            self._record(data)
        self._runner.collect(data, self._now())

    def close(self, timeout: float = 5.0) -> None:
        """Let queued emissions reach the plugin, then stop it (bounded)."""
        self._runner.drain(timeout)
        self._runner.stop(timeout)


@dataclass(slots=True)
class PluginSinks:
    """The sinks of one rule's actions, made on demand and closed together.

    ``on_error(ts, text)`` gets every plugin sink error: ``ts`` is the failing
    emission's time, or ``now()`` when the error belongs to no emission (open, close).
    """

    plugins: PluginRegistry
    rule_id: str
    on_error: Callable[[int, str], None]
    now: Callable[[], int]
    record: Callable[[Any], None]  # also sees what the log, memory and plugin sinks receive
    opened: list[Sink] = field(default_factory=list)

    def makers(
        self,
        bus: MemoryBus,
        builtins: Builtins | None = None,
        portables: Portables | None = None,
        *,
        portable_first: bool = False,
    ) -> dict[str, SinkMaker]:
        """Built-in sinks (log, memory, nop, and the connectors' file...) and one maker
        per sink plugin, native or portable; a built-in name wins, as in eKuiper, and
        a native plugin wins over a portable one unless ``portable_first``."""
        makers: dict[str, SinkMaker] = {}
        native = {name: self._plugin(name) for name in self.plugins.names("sink")}
        remote = (
            {}
            if portables is None
            else {name: self._portable(portables, name) for name in portables.symbols("sink")}
        )
        makers.update(native if portable_first else remote)
        makers.update(remote if portable_first else native)
        if builtins is not None:
            for kind in builtins.sink_types():
                makers[kind] = self._builtin(builtins, kind)
        makers["log"] = lambda _props: RecordSink(self.record)
        makers["memory"] = lambda props: MemorySink(bus, props, self.record)
        makers["nop"] = lambda _props: NopSink()
        return makers

    def _builtin(self, builtins: Builtins, kind: str) -> SinkMaker:
        def make(props: Mapping[str, Any]) -> Sink:
            factory = builtins.sink_factory(kind)
            assert factory is not None
            sink = factory(props)
            self.opened.append(sink)
            return _Recorded(sink, self.record)

        return make

    def _portable(self, portables: Portables, name: str) -> SinkMaker:
        def make(props: Mapping[str, Any]) -> Sink:
            sink = portables.sink(name, dict(props), rule_id=self.rule_id)
            self.opened.append(sink)
            return _Recorded(sink, self.record)

        return make

    def _plugin(self, name: str) -> SinkMaker:
        def make(props: Mapping[str, Any]) -> Sink:
            slot = self.plugins.sink(name)
            assert slot is not None
            runner = SinkRunner(
                slot, dict(props), on_error=lambda text: self.on_error(self.now(), text),
                on_emission_error=self.on_error, rule_id=self.rule_id,
                op_id=f"sink_{name}_{len(self.opened)}", instance_id=0,
            )  # fmt: skip
            runner.start()
            sink = PluginSink(runner, self.record, self.now)
            self.opened.append(sink)
            return sink

        return make

    def close(self) -> None:
        """Close every opened sink (each bounded in time)."""
        for sink in self.opened:
            sink.close()


def attach_actions(
    rule: Pipeline,
    actions: list[Any] | None,
    *,
    plugins: PluginRegistry,
    bus: MemoryBus,
    record: Callable[[Any], None],
    builtins: Builtins | None = None,
    portables: Portables | None = None,
    portable_first: bool = False,
) -> PluginSinks:
    """Give ``rule`` its sinks: log records, memory publishes (and records), nop drops,
    plugin sinks run in their runners. Returns the sinks, to close when done."""
    sinks = PluginSinks(
        plugins,
        rule.id,
        lambda ts, text: rule.record_error(ts, f"sink: {text}"),
        rule.now_ms,
        record,
    )
    makers = sinks.makers(bus, builtins, portables, portable_first=portable_first)
    rule.sinks = list(parse_actions(actions or [{"log": {}}], makers))
    return sinks


def sources_for(
    rule: Pipeline,
    plugins: PluginRegistry,
    builtins: Builtins,
    portables: Portables | None = None,
    *,
    portable_first: bool = False,
) -> dict[str, Source]:
    """The live source of each stream ``rule`` reads, selected by the stream's ``TYPE``:
    a built-in connector first (eKuiper's default: ``mqtt`` for a stream, ``file``
    for a table), then a source plugin, native then portable (or the other way round
    with ``portable_first``)."""
    out: dict[str, Source] = {}
    for name, spec in rule.plan.inputs.items():
        stream = spec.stream
        statement = stream.statement
        kind = statement.option("TYPE") or ("file" if stream.kind == "table" else "mqtt")
        factory = builtins.source_factory(kind)
        slot = plugins.source(kind)
        served = portables is not None and kind in portables.symbols("source")
        if factory is None and slot is None and not served:
            known = sorted({*builtins.source_types(), *plugins.names("source")})
            hint = did_you_mean(kind, known, f" Known sources: {known}.")
            raise RuleError(
                f"stream {name}: TYPE={kind!r} is neither a built-in source nor a source "
                f"plugin; give it mock data, a recording, or one of those.{hint}"
            )
        remote = factory is None and served and (portable_first or slot is None)
        sections = plugins.source_sections(kind)
        if remote:  # a portable package carries its own yaml
            assert portables is not None
            sections = portables.source_sections(kind) or sections
        props = source_props(
            kind, statement.option("CONF_KEY"), sections=sections, options=dict(statement.options)
        )
        if factory is not None:
            out[name] = factory(name, stream.datasource, props)
        elif remote:
            assert portables is not None
            out[name] = portables.source(kind, stream.datasource, props, rule_id=rule.id)
        else:
            assert slot is not None
            out[name] = PluginSource(slot, name, stream.datasource, props, rule_id=rule.id)
    return out

