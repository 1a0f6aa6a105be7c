"""Rules meeting plugin sources and sinks: live runs on the wall clock, sink actions.

A stream whose ``TYPE`` names a source plugin is fed by a
:class:`~kuiper_dev.plugins.SourceRunner` thread; the rule itself runs on the
calling thread, pulling messages from a queue and firing its window timers on the
wall clock. Every run is bounded by a message limit and a timeout.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from .._types import Message
from ..connectors import MemoryBus
from ..errors import RuleError, did_you_mean
from ..plugins import PluginRegistry, SinkRunner, SourceRunner
from .actions import memory_target, parse_actions
from .clock import WallClock
from .rule import Rule

__all__ = ["LiveRun", "PluginSinks", "attach_actions", "run_live"]

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
    rule: Rule,
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


@dataclass(slots=True)
class LiveRun:
    emissions: int = 0
    messages: int = 0
    timed_out: bool = False
    source_errors: list[str] = field(default_factory=list)


def run_live(
    rule: Rule,
    plugins: PluginRegistry,
    *,
    limit: int | None,
    timeout_ms: int,
) -> LiveRun:
    """Run ``rule`` on its plugin sources until ``limit`` emissions or ``timeout_ms``."""
    outcome = LiveRun()
    inbox: Inbox = queue.Queue()
    runners: list[SourceRunner] = []
    clock = WallClock()
    rule.attach_clock(clock.now_ms)

    def count(_emission: Any) -> None:
        outcome.emissions += 1

    rule.sinks.append(count)
    try:
        for name, stream in rule.inputs().items():
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
            runner = SourceRunner(
                slot,
                stream.datasource,
                conf,
                on_message=_to_inbox(inbox, name),
                on_error=_errors_to_inbox(inbox, name),
                rule_id=rule.id,
                op_id=f"source_{name}",
            )
            runners.append(runner)
            runner.start()
        end = time.monotonic() + timeout_ms / 1000
        while limit is None or outcome.emissions < limit:
            now = time.monotonic()
            if now >= end:
                outcome.timed_out = True
                break
            wait = end - now
            deadline = rule.next_deadline()
            if deadline is not None:
                wait = min(wait, max(0.0, (deadline - clock.now_ms()) / 1000))
            try:
                name, row, extra = inbox.get(timeout=wait)
            except queue.Empty:
                rule.on_time(clock.now_ms())
                continue
            rule.on_time(clock.now_ms())
            if row is None:
                outcome.source_errors.append(f"source {name}: {extra}")
                rule.record_error(clock.now_ms(), f"source {name}: {extra}")
                continue
            outcome.messages += 1
            meta = extra if isinstance(extra, dict) else {}
            rule.process(Message(name, orjson.dumps(row), clock.now_ms(), meta=meta), name)
    finally:
        for runner in runners:
            runner.stop(2.0)
        rule.sinks.remove(count)
    return outcome


Inbox = queue.Queue[tuple[str, dict[str, Any] | None, Any]]


def _to_inbox(inbox: Inbox, stream: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    return lambda row, meta: inbox.put((stream, row, meta))


def _errors_to_inbox(inbox: Inbox, stream: str) -> Callable[[str], None]:
    return lambda text: inbox.put((stream, None, text))
