"""The library façade: one object that the notebook, CLI, REST and pytest plugin call.

A :class:`Workspace` holds the plugins, the streams and the rules of one session
and runs rules in virtual time over feeds: simulated fleets, lists of dicts or
recorded messages.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Literal, TypeAlias

from ._types import Message, PluginKind
from .connectors import (
    FAULTS,
    Builtins,
    Fault,
    MemoryBus,
    RecordStats,
    Scenario,
    SensorFleet,
    get_scenario,
    messages_from_rows,
    record_live,
    republish,
    split_recording,
)
from .connectors.mqtt import as_config
from .engine import (
    Binder,
    Catalog,
    Driver,
    LiveRule,
    LiveRun,
    Pipeline,
    PluginSinks,
    RuleDefinition,
    RuleManager,
    RuleOptions,
    RuleResult,
    StreamDef,
    VirtualClock,
    attach_actions,
    plan_rule,
    sources_for,
    start_live,
)
from .errors import (
    KuiperDevError,
    PlanError,
    PluginError,
    RecordingWarning,
    RuleError,
    ScenarioError,
    SqlError,
    did_you_mean,
)
from .functions import BUILTINS
from .plugins import LoadedPlugin, PluginRegistry, export_native, export_portable
from .portable import PortableHost, Portables, check_portable, open_portable
from .recording import (
    Recording,
    RecordingDamage,
    RecordingWriter,
    paced,
    read_recording,
    with_progress,
)
from .sql import parse, parse_select, split_statements
from .sql.ast import CreateStream

__all__ = ["Feed", "Workspace", "find_plugins_dir"]

Feed: TypeAlias = (
    SensorFleet | Scenario | Iterable[Message] | Sequence[Mapping[str, Any]] | Mapping[str, Any]
)
"""What a rule can run over: a simulation, messages, a list of dicts, or a mapping
from stream name to one of those (for rules reading several streams)."""

_KINDS: tuple[PluginKind, ...] = ("source", "sink", "function")


class Workspace:
    """Plugins, streams and rules of one development session.

    >>> ws = Workspace(plugins_dir=None)
    >>> ws.run("SELECT a * 2 AS b FROM demo", [{"a": 1}, {"a": 2.5}]).rows
    [{'b': 2.0}, {'b': 5.0}]
    """

    def __init__(
        self,
        plugins_dir: Path | str | None = "plugins",
        *,
        fast_paths: bool = True,
        portable: bool = False,
    ) -> None:
        self.fast_paths = fast_paths
        """Let the planner pick generated loops; off, every rule takes the general path."""
        self.plugins = PluginRegistry()
        self.catalog = Catalog()
        self.binder = Binder(self.plugins)
        self._rule_ids = itertools.count(1)
        self.bus = MemoryBus()
        self.builtins = Builtins(bus=self.bus, connections=self.plugins.connections)
        """eKuiper's built-in connectors (file, simulator, memory...); relative file paths
        start in the current folder."""
        self.rules = RuleManager(
            self.catalog, self.binder, bus=self.bus, plugins=self.plugins, builtins=self.builtins
        )
        self.plugins_dir = Path(plugins_dir) if plugins_dir is not None else None
        if self.plugins_dir is not None:
            self.plugins.load_dir(self.plugins_dir)
            self._refuse_builtin_clashes()
        self.plugins.reserved = frozenset(BUILTINS)  # later definitions are refused whole
        self.portable = portable
        """Run the native plugins as one portable plugin, as eKuiper would run them
        once exported (``portables/`` plugins always run portable)."""
        self._exported = self._as_portable() if portable else None
        self.portables = Portables(self._exported or self.plugins_dir, python=sys.executable)
        self._serve_portable_functions()
        self.rules.portables, self.rules.portable_first = self.portables, portable

    def _as_portable(self) -> Path:
        """The loaded native plugins exported into one portable package in a temp folder."""
        out = Path(tempfile.mkdtemp(prefix="kuiper-dev-portable-"))
        loaded = [p for kind in _KINDS for n in self.plugins.names(kind)
                  if (p := self.plugins.get(kind, n)) is not None]  # fmt: skip
        if loaded:
            export_portable(loaded, "kuiperdev", "0.0.0", out, registry=self.plugins)
        for src in (self.plugins_dir / "portables",) if self.plugins_dir else ():
            for folder in sorted(src.iterdir()) if src.is_dir() else ():
                shutil.copytree(folder, out / "portables" / folder.name, dirs_exist_ok=True)
        return out

    def _serve_portable_functions(self) -> None:
        """Bind each portable function symbol; in portable mode it replaces the native one."""
        for symbol, plugin in self.portables.symbols("function").items():
            owner = self.plugins.function(symbol)
            name = owner.plugin if owner is not None and self.portable else plugin
            impl = self.portables.function_impl(symbol)
            self.plugins.install_served_functions(name, {symbol: impl}, f"portable {plugin}")

    def close(self) -> None:
        """Stop what the workspace started: portable plugin processes (and their ipc files)."""
        self.portables.close()
        if self._exported is not None:
            shutil.rmtree(self._exported, ignore_errors=True)
            self._exported = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plugins -------------------------------------------------------------------
    def define_function(
        self, symbol: str, source: str, *, version: str = "", filename: str | None = None
    ) -> LoadedPlugin:
        """Define or replace a function plugin from source text (hot reload); a refused
        definition leaves the workspace as it was."""
        return self.plugins.define_function(symbol, source, version=version, filename=filename)

    def _refuse_builtin_clashes(self) -> None:
        for fn, plugin in self.plugins.udfs().items():
            if fn.lower() in BUILTINS:
                raise PluginError(
                    f"plugin {plugin}: function name {fn} is a built-in function of eKuiper; "
                    "rename the plugin function"
                )

    def define_source(
        self, symbol: str, source: str, *, conf: Any = None, version: str = ""
    ) -> LoadedPlugin:
        """Define or replace a source plugin from source text; ``conf`` is its yaml (text or dict)."""
        return self.plugins.define_source(symbol, source, conf=conf, version=version)

    def define_sink(self, symbol: str, source: str, *, version: str = "") -> LoadedPlugin:
        """Define or replace a sink plugin from source text."""
        return self.plugins.define_sink(symbol, source, version=version)

    def reload_plugins(self) -> list[tuple[str, str]]:
        """Reload plugin files changed on disk (and portable packages: a running one
        switches to its new version); running rules pick up the new code."""
        changed = self.plugins.reload_changed()
        self._refuse_builtin_clashes()
        updated = [] if self.portable else self.portables.scan()
        if updated:
            self._serve_portable_functions()
        return [(str(kind), name) for kind, name in changed] + [("portable", n) for n in updated]

    def describe_plugin(self, kind: PluginKind | Literal["portable"], name: str) -> dict[str, Any]:
        """``{"name", "version"}`` as eKuiper's ``describe plugin`` answers; a portable
        plugin also gives its symbols and eKuiper's status, pid, refCount and errMsg."""
        if kind == "portable":
            return self.portables.describe(name)
        plugin = self.plugins.get(kind, name)
        if plugin is None:
            hint = did_you_mean(name, self.plugins.names(kind))
            raise PluginError(f"{kind} plugin {name} not found.{hint}")
        return {"name": plugin.name, "version": plugin.version}

    def plugin_warning(self, kind: PluginKind, name: str) -> str | None:
        """Why eKuiper's version order may surprise for this plugin, if it may."""
        plugin = self.plugins.get(kind, name)
        return plugin.warning if plugin is not None else None

    def show_plugins(self, kind: PluginKind | Literal["portable"]) -> list[str]:
        if kind == "portable":
            return self.portables.names()
        return self.plugins.names(kind)

    def show_udfs(self) -> dict[str, str]:
        return self.plugins.udfs()

    def functions(self) -> list[dict[str, str]]:
        """Every function a rule can call: built-ins by category, then plugin functions."""
        rows = [
            {"name": b.name, "category": b.category, "kind": b.kind, "signature": b.signature}
            for b in sorted(BUILTINS.values(), key=lambda b: (b.category, b.name))
        ]
        for fn, plugin in self.plugins.udfs().items():
            rows.append(
                {
                    "name": fn,
                    "category": f"plugin {plugin}",
                    "kind": "plugin",
                    "signature": f"{fn}(...)",
                }
            )
        return rows

    # -- export (eKuiper's layouts) ----------------------------------------------------
    def export(
        self,
        names: str | Sequence[str],
        version: str,
        out_dir: str | Path = "dist",
        *,
        portable: bool = False,
        package: str | None = None,
        force: bool = False,
        check: bool = False,
        check_props: Mapping[str, dict[str, Any]] | None = None,
        kind: PluginKind | None = None,
    ) -> list[Path]:
        """Write plugins in a layout eKuiper installs: each as ``out_dir/{kind}s/Name@vV.py``
        with its metadata, or with ``portable`` all of them as one portable plugin
        ``package`` (default: the first name), zip and folder. ``check`` validates the
        portable package as eKuiper would and runs each symbol once through the host
        (``check_props``: a symbol's props by name, for sinks that need some)."""
        wanted = [names] if isinstance(names, str) else list(names)
        if not portable:
            return [p for n in wanted for p in export_native(self.plugins, n, version, out_dir,
                                                              force=force, kind=kind)]  # fmt: skip
        plugins = [self._loaded(n, kind) for n in wanted]
        paths = export_portable(
            plugins, package or wanted[0], version, out_dir, force=force, registry=self.plugins
        )
        if check:
            check_portable(paths[0], props=dict(check_props or {}))
        return paths

    def _loaded(self, name: str, kind: PluginKind | None) -> LoadedPlugin:
        kinds = [kind] if kind is not None else list(_KINDS)
        found = [p for k in kinds if (p := self.plugins.get(k, name)) is not None]
        if len(found) == 1:
            return found[0]
        if found:
            raise PluginError(f"{name} names a {' and a '.join(p.kind for p in found)} plugin; "
                              "say which with kind=")  # fmt: skip
        known = sorted({n for k in kinds for n in self.plugins.names(k)})
        raise PluginError(f"no plugin {name!r} to export.{did_you_mean(name, known)}")

    @staticmethod
    def host_portable(path: str | Path) -> AbstractContextManager[PortableHost]:
        """Host a portable plugin (folder or zip) as eKuiper does, for the ``with`` body."""
        return _hosted(Path(path))

    # -- streams and rules ---------------------------------------------------------
    def create_stream(self, sql: str) -> StreamDef:
        """Define a stream or table with eKuiper DDL.

        A memory lookup table starts gathering rows from its topic at once, whether
        or not a rule uses it yet, as eKuiper's does.
        """
        stream = self.catalog.create(sql)
        opts = stream.statement
        if (opts.option("KIND") or "").lower() == "lookup" and (
            opts.option("TYPE") or ""
        ).lower() == "memory":
            key = opts.option("KEY")
            if key:
                self.bus.table(stream.datasource, key)
        return stream

    def rule(
        self,
        sql: str,
        *,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        auto_stream: bool = True,
        start_ms: int = 0,
    ) -> Pipeline:
        """Plan a rule and make its pipeline; with ``auto_stream`` an undefined source
        becomes a schemaless stream."""
        select = parse_select(sql)
        if auto_stream and select.source not in self.catalog.names():
            self.catalog.create(
                f'CREATE STREAM {select.source} () WITH (DATASOURCE="{select.source}", FORMAT="json")'
            )
        plan = plan_rule(
            select,
            self.catalog,
            self.binder,
            RuleOptions.from_dict(dict(options or {}), fast_paths=self.fast_paths),
            rule_id=rule_id or f"rule{next(self._rule_ids)}",
            sql=sql,
        )
        return Pipeline(plan, start_ms=start_ms, bus=self.bus)

    def run(
        self,
        sql: str,
        feed: Feed,
        *,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        start_ms: int | None = None,
        drain_ms: int = 0,
        actions: list[Any] | None = None,
        record: Callable[[Any], None] | None = None,
        auto_stream: bool = True,
    ) -> RuleResult:
        """Run a rule over a feed in virtual time and return what its sinks received.

        A mapping feeds each stream its own messages (merged in arrival order);
        anything else feeds the FROM stream. The rule starts at ``start_ms``, by
        default the first arrival rounded down to a whole second (as eKuiper's own
        rule tests start); after the last message the clock moves on by
        ``drain_ms`` so that pending windows can fire. With ``actions`` the
        emissions go to those sinks (and to ``record``) instead of the result.
        """
        if isinstance(feed, Mapping):
            named = {str(k): self.messages(f) for k, f in feed.items()}
        else:
            named = {parse_select(sql).source: self.messages(feed)}
        feeds, first = _peek_first(named)
        if start_ms is None:
            start_ms = first - first % 1000 if first is not None else 0
        rule = self.rule(
            sql, rule_id=rule_id, options=options, start_ms=start_ms, auto_stream=auto_stream
        )
        sinks = self.actions(rule, actions, record or (lambda _data: None)) if actions else None
        try:
            with Driver(VirtualClock(start_ms)).driving(rule) as driver:
                driver.replay(feeds, drain_ms=drain_ms)
        finally:
            if sinks is not None:
                sinks.close()
        return rule.result

    def run_jsonl(
        self,
        sql: str,
        path: Path | str,
        *,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> RuleResult:
        """Run a rule over a JSON-lines file of payloads, one message per line, streamed.

        Every line arrives at time 0 (the file holds no arrival times).
        """
        rule = self.rule(sql, rule_id=rule_id, options=options)
        with Driver(VirtualClock(0)).driving(rule) as driver, open(path, "rb") as lines:
            payloads = (line for line in lines if line.strip())
            driver.replay_payloads(rule.plan.main.name, payloads)
        return rule.result

    def run_live(
        self,
        sql: str,
        *,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        actions: list[Any] | None = None,
        record: Callable[[Any], None] | None = None,
        limit: int | None = None,
        timeout_ms: int = 10_000,
    ) -> tuple[RuleResult, LiveRun]:
        """Run a rule on its streams' live sources in wall-clock time, bounded by
        ``limit`` emissions and ``timeout_ms``; returns when either is reached."""
        live = self.start_live(
            sql, rule_id=rule_id, options=options, actions=actions, record=record,
            timeout_ms=timeout_ms,
        )  # fmt: skip
        if limit is None:  # no limit: it runs until its timeout
            live.join(timeout_ms / 1000 + 5)
            reached = False
        else:
            reached = live.wait(emissions=limit, timeout=timeout_ms / 1000)
        run = live.stop()
        run.timed_out = run.timed_out or not reached
        return live.result, run

    def start_live(
        self,
        sql: str,
        *,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        actions: list[Any] | None = None,
        record: Callable[[Any], None] | None = None,
        timeout_ms: int = 3_600_000,
    ) -> LiveRule:
        """Run a rule on its streams' live sources in the background (the notebook stays
        free): watch ``.result``, ``.wait(emissions=N)``, and ``.stop()`` it. It stops
        by itself after ``timeout_ms``."""
        rule = self.rule(sql, rule_id=rule_id, options=options, auto_stream=False)
        sources = sources_for(
            rule, self.plugins, self.builtins, self.portables, portable_first=self.portable
        )
        if actions:  # the result grows too, for the caller to watch
            sinks = self.actions(rule, actions, record or (lambda _data: None))
            rule.watch(rule.result.emissions.append)
        else:
            sinks = self.actions(rule, None, record or rule.result.emissions.append)
        try:
            return start_live(rule, sources, timeout_ms=timeout_ms, on_stop=sinks.close)
        except BaseException:
            sinks.close()
            raise

    # -- managed rules (eKuiper's rule lifecycle on the workspace clock) -------------
    def create_rule(
        self,
        rule_id: str,
        sql: str,
        *,
        actions: list[Any] | None = None,
        options: Mapping[str, Any] | None = None,
        start: bool = True,
    ) -> None:
        """Create (and by default start) a rule that runs as messages are published."""
        self.rules.create(
            RuleDefinition(rule_id, sql, actions or [{"log": {}}], dict(options or {})), start=start
        )

    def start_rule(self, rule_id: str) -> None:
        self.rules.start(rule_id)

    def stop_rule(self, rule_id: str) -> None:
        self.rules.stop(rule_id)

    def restart_rule(self, rule_id: str) -> None:
        self.rules.restart(rule_id)

    def delete_rule(self, rule_id: str) -> None:
        self.rules.delete(rule_id)

    def rule_status(self, rule_id: str) -> dict[str, Any]:
        """eKuiper's ``getstatus rule``: state and per-operator metrics."""
        return self.rules.status(rule_id)

    def show_rules(self) -> list[dict[str, str]]:
        return self.rules.list_rules()

    def rule_output(self, rule_id: str) -> list[Any]:
        """What a managed rule's log/memory sinks received so far."""
        return self.rules.delivered(rule_id)

    def publish(self, stream: str, feed: Feed) -> int:
        """Send a feed to a stream: every running rule reading it gets each message."""
        return self.rules.publish(stream, self.messages(feed))

    def advance(self, to_ms: int) -> None:
        """Move the workspace clock on, firing the windows that fall due."""
        self.rules.advance(to_ms)

    # -- stream management ---------------------------------------------------------
    def show_streams(self) -> list[str]:
        return self.catalog.names()

    def describe_stream(self, name: str) -> dict[str, Any]:
        """A stream's fields and options, in the shape of eKuiper's describe."""
        stream = self.catalog.get(name)
        return {
            "Name": stream.name,
            "StreamFields": [
                {"Name": c.name, "FieldType": c.type} for c in stream.statement.columns
            ],
            "Options": {k.lower(): v for k, v in stream.statement.options},
        }

    def drop_stream(self, name: str) -> None:
        """Delete a stream; running rules keep the plan they were made with, as in eKuiper."""
        self.catalog.drop(name)

    # -- sinks ---------------------------------------------------------------------
    def actions(
        self, rule: Pipeline, actions: list[Any] | None, record: Callable[[Any], None]
    ) -> PluginSinks:
        """Give ``rule`` its sinks (see :func:`attach_actions`); close what comes back."""
        return attach_actions(
            rule, actions, plugins=self.plugins, bus=self.bus, record=record,
            builtins=self.builtins, portables=self.portables, portable_first=self.portable,
        )  # fmt: skip

    def run_script(
        self,
        script: str,
        feed: Feed | None = None,
        *,
        recording: str | Path | None = None,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        drain_ms: int = 0,
    ) -> RuleResult:
        """Define the script's streams, then run its last statement, a SELECT, over a feed
        or a recording (with a progress bar).

        What a ``%%kuiper_sql`` cell holds: ``CREATE STREAM ...; SELECT ...``.
        """
        if (feed is None) == (recording is None):
            raise RuleError("give the rule either a feed or a recording to run over")
        *ddl, select = split_statements(script) or [""]
        for text in ddl:
            if not isinstance(parse(text), CreateStream):
                raise RuleError("only the last statement of a script may be a SELECT")
            self.create_stream(text)
        if recording is not None:
            return self.replay(
                select, recording, rule_id=rule_id, options=options, drain_ms=drain_ms,
                progress=True,
            )  # fmt: skip
        assert feed is not None
        return self.run(select, feed, rule_id=rule_id, options=options, drain_ms=drain_ms)

    @staticmethod
    def messages(feed: Feed) -> Iterable[Message]:
        """Turn any feed into timed messages."""
        if isinstance(feed, SensorFleet):
            return iter(feed)
        if isinstance(feed, Sequence) and (not feed or isinstance(feed[0], Mapping)):
            return messages_from_rows([dict(r) for r in feed])
        return feed  # type: ignore[return-value]

    @staticmethod
    def simulate(
        scenario: str | Path | Scenario | None = None,
        *,
        faults: Iterable[str | Fault] = (),
        **settings: Any,
    ) -> Scenario | SensorFleet:
        """A seeded simulation to run rules over: a named scenario (``"fleet-late"``),
        a scenario file, or a :class:`Scenario`, with extra ``faults`` switched on and
        ``settings`` (``count``, ``seed``, ``devices``...) replaced. Without a scenario,
        the plain :class:`SensorFleet` of ``settings``.

        >>> sim = Workspace.simulate("fleet", count=4, faults=["duplicate"])
        >>> sim.name, len(list(sim)) >= 4
        ('fleet', True)
        """
        if scenario is None and not faults:
            return SensorFleet(**settings)
        chosen = (
            scenario if isinstance(scenario, Scenario) else get_scenario(str(scenario or "fleet"))
        )
        if settings:
            chosen = chosen.replace(**settings)
        extra: list[Fault] = []
        for f in faults:
            if not isinstance(f, str):
                extra.append(f)
            elif f in FAULTS:
                extra.append(FAULTS[f]())
            else:
                hint = did_you_mean(f, FAULTS, f" Known faults: {', '.join(sorted(FAULTS))}.")
                raise ScenarioError(f"unknown fault {f!r}.{hint}")
        return chosen.with_faults(*extra) if extra else chosen

    # -- recordings ----------------------------------------------------------------
    def use_broker(self, url: str) -> None:
        """Point mqtt streams and sinks without a ``server`` of their own at ``url``
        (eKuiper's ``etc/mqtt_source.yaml`` default), e.g. an embedded broker's."""
        as_config(url)  # a bad URL fails here, naming the fix
        self.builtins.mqtt_server = url

    @staticmethod
    def record(
        broker: str,
        topics: str | Sequence[str],
        path: str | Path,
        *,
        count: int | None = None,
        duration: float | None = None,
        qos: int = 0,
        client_id: str | None = None,
        persistent: bool = False,
        on_progress: Callable[[RecordStats], None] | None = None,
        stop: threading.Event | None = None,
    ) -> RecordStats:
        """Capture live MQTT traffic into the recording at ``path`` (appended, each line
        flushed) until ``count`` messages, ``duration`` seconds, ``stop`` or Ctrl-C;
        whatever arrived is kept."""
        subscriptions = [topics] if isinstance(topics, str) else list(topics)
        with RecordingWriter(path, broker=broker, topics=subscriptions) as writer:
            return record_live(
                broker, subscriptions, writer.write, count=count, duration=duration, qos=qos,
                client_id=client_id, persistent=persistent, on_progress=on_progress, stop=stop,
            )  # fmt: skip

    @staticmethod
    def republish(
        recording: str | Path | Recording | Iterable[Message],
        broker: str,
        *,
        speed: float = 1.0,
        progress: bool = False,
    ) -> int:
        """Publish a recording (or any messages) onto a broker in order, keeping their
        relative timing divided by ``speed`` (0: as fast as possible), QoS and retain."""
        if isinstance(recording, str | Path):
            recording = read_recording(recording)
        messages: Iterable[Message] = recording
        if progress and isinstance(recording, Recording):
            messages = with_progress(messages, recording, desc=f"publish to {broker}")
        return republish(paced(messages, speed), broker)

    def replay(
        self,
        sql: str,
        recording: str | Path | Recording,
        *,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        start_ms: int | None = None,
        drain_ms: int = 0,
        actions: list[Any] | None = None,
        record: Callable[[Any], None] | None = None,
        speed: float | None = None,
        progress: bool = False,
    ) -> RuleResult:
        """Run a rule over a recording in virtual time: each stream it reads gets the
        messages whose topic matches the stream's DATASOURCE (MQTT wildcards), at
        their recorded arrival times. The file is read once, as it goes (flat memory).

        ``speed`` paces the replay in real time (2.0: twice as fast); the results are
        the same as without it. A damaged recording replays up to the damage, which
        is warned of and kept in the result's ``warnings``. ``progress`` draws a bar.
        """
        rec = recording if isinstance(recording, Recording) else read_recording(recording)
        plan = self.rule(sql, rule_id=rule_id, options=options).plan
        subscriptions = {name: i.stream.datasource for name, i in plan.inputs.items()}
        damages: list[RecordingDamage] = []
        messages: Iterable[Message] = rec.messages(on_damage=damages.append)
        if progress:
            messages = with_progress(messages, rec, desc=f"replay {plan.rule_id}")
        if speed is not None:
            messages = paced(messages, speed)
        routed = split_recording(messages, subscriptions)
        head = next(routed, None)
        if start_ms is None:
            start_ms = head[1].ts - head[1].ts % 1000 if head is not None else 0
        rule = Pipeline(plan, start_ms=start_ms, bus=self.bus)
        sinks = self.actions(rule, actions, record or (lambda _data: None)) if actions else None
        try:
            with Driver(VirtualClock(start_ms)).driving(rule) as driver:
                if head is None:
                    driver.advance(start_ms + drain_ms)
                elif len(subscriptions) == 1:  # one stream: the pipeline's own loop may run it
                    ((name, _),) = subscriptions.items()
                    feed = (m for _, m in itertools.chain([head], routed))
                    driver.replay({name: feed}, drain_ms=drain_ms)
                else:
                    driver.replay_routed(itertools.chain([head], routed), drain_ms=drain_ms)
        finally:
            if sinks is not None:
                sinks.close()
        for damage in damages:  # the replay stopped there: say so where results are read
            rule.result.warnings.append(str(damage))
            warnings.warn(str(damage), RecordingWarning, stacklevel=2)
        return rule.result

    # -- management API (REST and CLI) ----------------------------------------------
    # eKuiper's management verbs over this workspace. With a data folder (use_data)
    # every change is saved at once, atomically, and loaded again on the next start.
    # The answers are eKuiper's texts; ``serve`` and the CLI shape them, nothing more.

    def use_data(self, folder: Path | str, *, live: bool = False) -> list[str]:
        """Keep streams, tables and rules (with their run state) in ``folder`` and load
        what it holds; with ``live``, started rules run on their live sources on the
        wall clock (``serve``). Returns what could not be restored, one line each."""
        self._data_dir: Path | None = Path(folder)
        self._data_dir.mkdir(parents=True, exist_ok=True)
        self._ddl: dict[str, str] = {}
        self.rules.live = live
        path = self._data_dir / "state.json"
        if not path.exists():
            return []
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RuleError(
                f"{path}: cannot read the saved state ({exc}); move the file aside to start empty"
            ) from exc
        problems: list[str] = []
        for item in state.get("streams", []):
            try:
                stream = self.create_stream(item["sql"])
                self._ddl[stream.name] = item["sql"]
            except KuiperDevError as exc:
                problems.append(f"stream {item.get('name')}: {exc}")
        for item in state.get("rules", []):
            d = RuleDefinition(item["id"], item["sql"], item["actions"], item["options"])
            try:
                self.rules.create(d, start=False)
                if item.get("triggered"):
                    self.rules.start(d.id)
            except KuiperDevError as exc:
                problems.append(f"rule {d.id}: {exc}")
        return problems

    def _save_state(self) -> None:
        folder = getattr(self, "_data_dir", None)
        if folder is None:
            return
        rules = []
        for row in self.rules.list_rules():
            d = self.rules.definition(row["id"])
            rules.append(
                {"id": d.id, "sql": d.sql, "actions": d.actions, "options": d.options,
                 "triggered": self.rules.is_running(d.id)}
            )  # fmt: skip
        ddl = getattr(self, "_ddl", {})
        state = {
            "streams": [{"name": n, "sql": ddl[n]} for n in self.catalog.names() if n in ddl],
            "rules": rules,
        }
        tmp = folder / f".state.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(state, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / "state.json")  # readers see the old file or the new one

    def _stream_of_kind(self, name: str, kind: str) -> StreamDef:
        stream = self.catalog.get(name)
        if stream.kind != kind:
            names = self.list_streams(kind)
            raise PlanError(f"{kind} {name} not found.{did_you_mean(name, names)}")
        return stream

    def add_stream(self, sql: str, kind: str = "stream") -> str:
        """eKuiper's ``create stream|table``: refused when the name is taken."""
        statement = parse(sql)
        if not isinstance(statement, CreateStream) or statement.kind != kind:
            raise SqlError(f"expected a CREATE {kind.upper()} statement; got: {sql.strip()[:60]}")
        if statement.name in self.catalog.names():
            existing = self.catalog.get(statement.name).kind
            raise PlanError(f"{existing} {statement.name} already exists; drop it first")
        self.create_stream(sql)
        getattr(self, "_ddl", {})[statement.name] = sql
        self._save_state()
        return f"{kind.capitalize()} {statement.name} is created."

    def replace_stream(self, name: str, sql: str, kind: str = "stream") -> str:
        """eKuiper's update: the statement must name the same stream."""
        self._stream_of_kind(name, kind)
        statement = parse(sql)
        if not isinstance(statement, CreateStream) or statement.kind != kind:
            raise SqlError(f"expected a CREATE {kind.upper()} statement; got: {sql.strip()[:60]}")
        if statement.name != name:
            raise PlanError(f"{kind} {name}: the statement defines {statement.name}; keep the name")
        self.create_stream(sql)
        getattr(self, "_ddl", {})[name] = sql
        self._save_state()
        return f"{kind.capitalize()} {name} is updated."

    def remove_stream(self, name: str, kind: str = "stream", *, force: bool = False) -> str:
        """Drop a stream or table; refused while a rule reads it, unless ``force``
        (eKuiper's ``?force=true``)."""
        self._stream_of_kind(name, kind)
        users = [
            rid for rid in self.rules.names()
            if name in _rule_streams(self.rules.definition(rid).sql)
        ]  # fmt: skip
        if users and not force:
            raise PlanError(
                f"{kind} {name} has been referenced by other rules ({', '.join(users)}); "
                "drop them first, or drop with force=true"
            )
        self.drop_stream(name)
        getattr(self, "_ddl", {}).pop(name, None)
        self._save_state()
        return f"{kind.capitalize()} {name} is dropped."

    def list_streams(self, kind: str = "stream") -> list[str]:
        return [n for n in self.catalog.names() if self.catalog.get(n).kind == kind]

    def stream_details(self, name: str, kind: str = "stream") -> dict[str, Any]:
        """``describe_stream`` with the statement it was made from."""
        self._stream_of_kind(name, kind)
        out = self.describe_stream(name)
        out["Statement"] = getattr(self, "_ddl", {}).get(name, "")
        return out

    @staticmethod
    def _rule_definition(body: Any, rule_id: str | None = None) -> RuleDefinition:
        if not isinstance(body, Mapping):
            raise RuleError("a rule is a JSON object with id, sql and actions")
        rid = body.get("id", rule_id) if rule_id is None else rule_id
        if not isinstance(rid, str) or not rid.strip():
            raise RuleError('the rule needs an "id": a non-empty string')
        if body.get("id", rid) != rid:
            raise RuleError(f'rule {rid}: the body\'s "id" is {body.get("id")!r}; make them agree')
        sql = body.get("sql")
        if not isinstance(sql, str) or not sql.strip():
            raise RuleError(f'rule {rid}: "sql" must be a non-empty string')
        actions = body.get("actions", [{"log": {}}])
        if not isinstance(actions, list) or not all(isinstance(a, Mapping) for a in actions):
            raise RuleError(f'rule {rid}: "actions" must be a list of objects, e.g. [{{"log": {{}}}}]')
        options = body.get("options", {})
        if not isinstance(options, Mapping):
            raise RuleError(f'rule {rid}: "options" must be an object')
        return RuleDefinition(rid, sql, [dict(a) for a in actions] or [{"log": {}}], dict(options))

    def add_rule(self, body: Mapping[str, Any]) -> str:
        """eKuiper's ``create rule``: checked, created and started (unless
        ``"triggered": false``)."""
        d = self._rule_definition(body)
        self.rules.create(d, start=bool(body.get("triggered", True)))
        self._save_state()
        return f"Rule {d.id} was created successfully."

    def replace_rule(self, rule_id: str, body: Mapping[str, Any]) -> str:
        """eKuiper's upsert: update (a running rule restarts) or create."""
        d = self._rule_definition(body, rule_id)
        if rule_id in self.rules.names():
            self.rules.update(d)
        else:
            self.rules.create(d, start=bool(body.get("triggered", True)))
        self._save_state()
        return f"Rule {rule_id} was updated successfully."

    def remove_rule(self, rule_id: str) -> str:
        self.delete_rule(rule_id)
        self._save_state()
        return f"Rule {rule_id} is dropped."

    def rule_definition(self, rule_id: str) -> dict[str, Any]:
        d = self.rules.definition(rule_id)
        return {"id": d.id, "sql": d.sql, "actions": d.actions, "options": d.options,
                "triggered": self.rules.is_running(rule_id)}  # fmt: skip

    def rule_command(self, rule_id: str, command: str) -> str:
        """``start``, ``stop`` or ``restart`` a rule; the answer eKuiper gives."""
        if command == "start":
            self.start_rule(rule_id)
            text = f"Rule {rule_id} was started"
        elif command == "stop":
            self.stop_rule(rule_id)
            text = f"Rule {rule_id} was stopped."
        elif command == "restart":
            self.restart_rule(rule_id)
            text = f"Rule {rule_id} was restarted"
        else:
            raise RuleError(f"unknown rule command {command!r}; use start, stop or restart")
        self._save_state()
        return text

    def rule_topo(self, rule_id: str) -> dict[str, Any]:
        return self.rules.topo(rule_id)

    def install_plugin(
        self, kind: PluginKind, name: str, files: Mapping[str, bytes], *, replace: bool = False
    ) -> str:
        """Write a checked plugin's files (bare names) into the plugins folder and load it;
        a plugin that does not load is removed again, the error says why."""
        if self.plugins_dir is None:
            raise PluginError("this workspace has no plugins folder; start it with one")
        folder = self.plugins_dir / f"{kind}s"
        existing = self.plugins.get(kind, name)
        if existing is not None and not replace:
            raise PluginError(f"{kind} plugin {name} already exists; drop it first or update it")
        if replace:
            self._plugin_files(kind, name, remove=True)
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        try:
            for fname, data in files.items():
                tmp = folder / f".{fname}.part"
                written.append(tmp)
                tmp.write_bytes(data)
                os.replace(tmp, folder / fname)
                written.append(folder / fname)
        except OSError as exc:
            for path in written:
                path.unlink(missing_ok=True)
            raise PluginError(f"{kind} plugin {name}: cannot write {folder} ({exc})") from exc
        self.plugins.reload_changed()
        if self.plugins.get(kind, name) is None:
            problems = [p for p in self.plugins.problems if name in p]
            for path in written:
                path.unlink(missing_ok=True)
            self.plugins.reload_changed()
            why = problems[0] if problems else "it did not load"
            raise PluginError(f"{kind} plugin {name} not installed: {why}")
        self._refuse_builtin_clashes()
        return f"{kind} plugin {name} is {'updated' if replace else 'created'}"

    def uninstall_plugin(self, kind: PluginKind, name: str) -> str:
        self.describe_plugin(kind, name)  # not found: the error says so
        self._plugin_files(kind, name, remove=True)
        self.plugins.reload_changed()
        return f"{kind} plugin {name} is deleted"

    def _plugin_files(self, kind: PluginKind, name: str, *, remove: bool) -> list[Path]:
        if self.plugins_dir is None:
            return []
        folder = self.plugins_dir / f"{kind}s"
        symbol = name[:1].upper() + name[1:]
        found = [
            p for p in folder.glob("*")
            if p.name in (f"{symbol}.py", f"{name}.yaml", f"{name}.json")
            or (p.name.startswith(f"{symbol}@v") and p.suffix == ".py")
        ]  # fmt: skip
        if remove:
            for path in found:
                path.unlink(missing_ok=True)
        return found

    def halt(self) -> None:
        """Stop every running rule without saving it as stopped: the next start of the
        data folder resumes them (``serve`` calls this when it exits)."""
        for row in self.rules.list_rules():
            if self.rules.is_running(row["id"]):
                self.rules.stop(row["id"])

    def test_rule(
        self,
        sql: str,
        mock_source: Mapping[str, Any] | None = None,
        sink_props: Mapping[str, Any] | None = None,
        *,
        start_ms: int = 0,
    ) -> list[Any]:
        """eKuiper's ``/ruletest`` on the defined streams, in virtual time: each mock
        stream's ``data`` arrives every ``interval`` ms (once; ``loop`` is not
        repeated). Returns what the rule's sink received, each emission once."""
        feeds: dict[str, list[Message]] = {}
        for stream, spec in (mock_source or {}).items():
            if not isinstance(spec, Mapping) or not isinstance(spec.get("data"), list):
                raise RuleError(f'mockSource.{stream} needs a "data" list of objects')
            interval = spec.get("interval", 1000)
            if not isinstance(interval, int) or isinstance(interval, bool) or interval < 0:
                raise RuleError(f"mockSource.{stream}.interval must be a non-negative integer (ms)")
            self.catalog.get(stream)
            feeds[stream] = [
                Message(stream, json.dumps(row).encode(), start_ms + i * interval)
                for i, row in enumerate(spec["data"])
            ]
        parse_select(sql)
        emissions: list[Any] = []
        self.run(
            sql, feeds, rule_id="ruletest", start_ms=start_ms, auto_stream=False,
            actions=[{"log": dict(sink_props or {})}], record=emissions.append,
        )  # fmt: skip
        return emissions


def find_plugins_dir(start: Path | str) -> Path | None:
    """The nearest ``plugins/`` folder in ``start`` or above it: the project's plugins.

    ``start`` may be a folder or a file in one.
    """
    here = Path(start).resolve()
    folder = here if here.is_dir() else here.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "plugins").is_dir():
            return candidate / "plugins"
    return None


def _rule_streams(sql: str) -> list[str]:
    """The streams and tables a rule's SQL reads (none when it does not parse)."""
    try:
        select = parse_select(sql)
    except SqlError:
        return []
    return [select.source, *(j.source for j in select.joins)]


def _peek_first(
    feeds: Mapping[str, Iterable[Message]],
) -> tuple[dict[str, Iterable[Message]], int | None]:
    """The feeds unchanged, and the earliest first arrival among them (None if all empty)."""
    out: dict[str, Iterable[Message]] = {}
    first: int | None = None
    for name, messages in feeds.items():
        it = iter(messages)
        head = next(it, None)
        if head is None:
            out[name] = ()
            continue
        first = head.ts if first is None else min(first, head.ts)
        out[name] = itertools.chain([head], it)
    return out, first


@contextmanager
def _hosted(path: Path) -> Iterator[PortableHost]:
    with open_portable(path) as folder, PortableHost(folder.path) as host:
        yield host
