"""Rules with a lifecycle, sharing streams, on one clock (eKuiper's rule registry).

Rules are created from a definition (id, SQL, actions, options) and then
started, stopped, restarted or deleted. A running rule is a pipeline on the
manager's :class:`Driver`: messages published to a stream reach every running
rule that reads it, and the driver fires all rules' window timers in time order
before each message.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from .._types import Message
from ..connectors import Builtins, MemoryBus, topic_matches
from ..errors import KuiperDevError, RuleError, did_you_mean
from ..plugins import PluginRegistry
from ..portable import Portables
from ..sql import parse_select
from .binder import Binder
from .catalog import Catalog
from .clock import VirtualClock
from .driver import Driver
from .live import LiveRule, start_live
from .options import RuleOptions
from .pipeline import Pipeline
from .plan import plan_rule
from .sinks import PluginSinks, attach_actions, sources_for

__all__ = ["RuleDefinition", "RuleManager"]


@dataclass(slots=True)
class RuleDefinition:
    id: str
    sql: str
    actions: list[Any] = field(default_factory=lambda: [{"log": {}}])
    options: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # eKuiper's name, tags, version


@dataclass(slots=True)
class _Managed:
    definition: RuleDefinition
    rule: Pipeline | None = None
    state: str = "stopped"
    delivered: list[Any] = field(default_factory=list)
    sinks: PluginSinks | None = None  # plugin sinks of the running rule, closed on stop
    last_start: int = 0
    last_stop: int = 0
    live: LiveRule | None = None  # the background run of a live rule
    reason: str = ""  # why a live rule stopped by itself


class RuleManager:
    """The rules of one workspace and the virtual clock that drives them."""

    def __init__(
        self,
        catalog: Catalog,
        binder: Binder,
        clock: VirtualClock | None = None,
        bus: MemoryBus | None = None,
        plugins: PluginRegistry | None = None,
        builtins: Builtins | None = None,
    ) -> None:
        self.catalog = catalog
        self.builtins = builtins
        self.portables: Portables | None = None  # set by the workspace
        self.portable_first = False
        self.binder = binder
        self.clock = clock or VirtualClock()
        self.driver = Driver(self.clock, on_step=self._drain)
        self.bus = bus or MemoryBus()
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self.bus.subscribe("#", lambda topic, row: self._pending.append((topic, row)))
        self.plugins = plugins or PluginRegistry()
        self._rules: dict[str, _Managed] = {}
        self.live = False
        """Started rules run on their streams' live sources on the wall clock (``serve``)."""

    def _get(self, rule_id: str) -> _Managed:
        try:
            return self._rules[rule_id]
        except KeyError:
            raise RuleError(
                f"rule {rule_id} not found.{did_you_mean(rule_id, self._rules)}"
            ) from None

    def create(self, definition: RuleDefinition, *, start: bool = True) -> None:
        if definition.id in self._rules:
            raise RuleError(
                f"rule {definition.id} already exists; delete it first or use another id"
            )
        managed = _Managed(definition)
        self._plan(managed)  # fail now on bad SQL or actions, as eKuiper does at creation
        self._close_sinks(managed)
        self._rules[definition.id] = managed
        if start:
            self.start(definition.id)

    def _plan(self, managed: _Managed) -> Pipeline:
        d = managed.definition
        plan = plan_rule(
            parse_select(d.sql),
            self.catalog,
            self.binder,
            RuleOptions.from_dict(d.options),
            rule_id=d.id,
            sql=d.sql,
        )
        rule = Pipeline(plan, start_ms=self.clock.now_ms(), bus=self.bus)
        managed.sinks = attach_actions(
            rule, d.actions, plugins=self.plugins, bus=self.bus, record=managed.delivered.append,
            builtins=self.builtins, portables=self.portables, portable_first=self.portable_first,
        )  # fmt: skip
        rule.attach_clock(self.clock.now_ms)
        return rule

    def start(self, rule_id: str) -> None:
        managed = self._get(rule_id)
        if managed.state == "running":
            return
        if self.live:
            self._start_live(managed)
            return
        managed.rule = self.driver.add(self._plan(managed))
        managed.state = "running"
        managed.last_start = self.clock.now_ms()

    def _close_sinks(self, managed: _Managed) -> None:
        if managed.sinks is not None:
            managed.sinks.close()
            managed.sinks = None

    def stop(self, rule_id: str) -> None:
        managed = self._get(rule_id)
        self._close_sinks(managed)
        if managed.live is not None:
            live, managed.live = managed.live, None
            try:
                live.stop()
            except RuleError as exc:
                managed.reason = str(exc)
            managed.state = "stopped"
            managed.last_stop = int(time.time() * 1000)
            return
        if managed.rule is not None:
            self.driver.remove(managed.rule)
        managed.state = "stopped"
        managed.last_stop = self.clock.now_ms()

    def restart(self, rule_id: str) -> None:
        self.stop(rule_id)
        self.start(rule_id)

    def delete(self, rule_id: str) -> None:
        self.stop(rule_id)
        del self._rules[rule_id]

    def status(self, rule_id: str) -> dict[str, Any]:
        """eKuiper 2's rule status: the state's name (``running``, ``stopped``, ``stopped
        by error``), its last will, the run times, then each planned operator's metrics
        (a stopped rule keeps its last run's, as eKuiper does)."""
        managed = self._get(rule_id)
        self._settle(managed)
        will = managed.reason or ("canceled manually" if managed.last_stop else "")
        out: dict[str, Any] = {
            "status": self._state_name(managed),
            "message": "" if managed.state == "running" else will,
            "lastStartTimestamp": managed.last_start,
            "lastStopTimestamp": managed.last_stop,
            "nextStartTimestamp": 0,
        }
        if managed.rule is not None:
            out.update(managed.rule.result.status.metrics())
        return out

    @staticmethod
    def _state_name(managed: _Managed) -> str:
        if managed.state == "running":
            return "running"
        return "stopped by error" if managed.reason else "stopped"

    def delivered(self, rule_id: str) -> list[Any]:
        """What the rule's built-in log/memory sinks received, in order."""
        return self._get(rule_id).delivered

    def list_rules(self) -> list[dict[str, Any]]:
        """eKuiper 2's rule list: id, name, state name, version, trace and tags, by id."""
        out: list[dict[str, Any]] = []
        for rid, m in sorted(self._rules.items()):
            self._settle(m)
            extra = m.definition.extra
            out.append({
                "id": rid, "name": extra.get("name") or rid, "status": self._state_name(m),
                "version": extra.get("version", ""), "trace": False, "tags": extra.get("tags"),
            })  # fmt: skip
        return out

    def advance(self, to: int) -> None:
        """Move the clock to ``to``, firing every running rule's timers in time order."""
        self.driver.advance(to)

    def publish(self, stream: str, messages: Iterable[Message]) -> int:
        """Deliver messages to the running rules reading ``stream``; return how many."""
        self.catalog.get(stream)
        count = 0
        for m in messages:
            self.driver.deliver(stream, m)
            count += 1
        return count

    def _drain(self, limit: int = 100_000) -> None:
        """Hand rows published to memory topics to the rules reading memory streams."""
        handed = 0
        while self._pending:
            topic, row = self._pending.pop(0)
            handed += 1
            if handed > limit:
                self._pending.clear()
                raise RuleError(
                    f"memory topics passed on {limit} rows without settling; a rule pipeline "
                    "probably feeds itself (check the memory sinks' topics)"
                )
            payload = orjson.dumps(row)
            for name in self.catalog.names():
                stream = self.catalog.get(name)
                kind = (stream.statement.option("TYPE") or "").lower()
                if (
                    kind != "memory"
                    or stream.kind != "stream"
                    or not topic_matches(stream.datasource, topic)
                ):
                    continue
                message = Message(name, payload, self.clock.now_ms(), meta={"topic": topic})
                self.driver.route(name, message)

    # -- management: live runs, definitions, updates, topology (REST and CLI) --------
    def _start_live(self, managed: _Managed) -> None:
        """Run the rule on its streams' live sources; a source that cannot start leaves
        the rule stopped with the reason, as eKuiper's status shows it."""
        rule = self._plan(managed)
        sinks, managed.sinks = managed.sinks, None
        managed.last_start = int(time.time() * 1000)
        managed.reason = ""
        try:
            sources = sources_for(rule, self.plugins, self.builtins or Builtins(bus=self.bus))
            managed.live = start_live(
                rule, sources, timeout_ms=10 * 365 * 86_400_000,
                on_stop=sinks.close if sinks is not None else None,
            )  # fmt: skip
        except KuiperDevError as exc:
            if sinks is not None:
                sinks.close()
            managed.state = "stopped"
            managed.reason = str(exc)
            managed.last_stop = int(time.time() * 1000)
            return
        managed.rule = rule
        managed.state = "running"

    def _settle(self, managed: _Managed) -> None:
        """A live rule whose thread ended (an error, or its time bound) is stopped."""
        live = managed.live
        if live is None or live.running:
            return
        managed.live = None
        managed.state = "stopped"
        managed.last_stop = int(time.time() * 1000)
        if live.error is not None:
            managed.reason = str(live.error)

    def definition(self, rule_id: str) -> RuleDefinition:
        """The rule as it was created or last updated."""
        return self._get(rule_id).definition

    def is_running(self, rule_id: str) -> bool:
        managed = self._get(rule_id)
        self._settle(managed)
        return managed.state == "running"

    def update(self, definition: RuleDefinition) -> None:
        """Replace a rule's definition; a bad one changes nothing. A running rule is
        restarted with the new definition, as eKuiper's update does."""
        managed = self._get(definition.id)
        trial = _Managed(definition)
        self._plan(trial)  # fail before anything changes
        self._close_sinks(trial)
        running = managed.state == "running"
        if running:
            self.stop(definition.id)
        managed.definition = definition
        if running:
            self.start(definition.id)

    def topo(self, rule_id: str) -> dict[str, Any]:
        """eKuiper's ``/rules/{id}/topo``: the source nodes and the edges between the
        operators its planner builds for this rule (planned now if it never ran)."""
        managed = self._get(rule_id)
        rule = managed.rule
        if rule is None:
            trial = _Managed(managed.definition)
            rule = self._plan(trial)
            self._close_sinks(trial)
        topology = rule.result.status.topology()
        assert topology is not None  # a pipeline's status knows its plan
        return topology.to_dict()

    def names(self) -> list[str]:
        return sorted(self._rules)
