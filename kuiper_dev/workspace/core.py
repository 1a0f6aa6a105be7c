"""The heart of the façade: plugins, streams, rules and the ways to run them.

:class:`WorkspaceCore` holds the plugins, the streams and the rules of one session
and runs rules over feeds, live sources and managed lifecycles; recordings
(:mod:`.recordings`) and the management API (:mod:`.management`) build on it, and
:class:`~kuiper_dev.workspace.Workspace` is the whole.
"""

from __future__ import annotations

import itertools
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Literal, Self, TypeAlias

from .._types import Message, PluginKind
from ..connectors import (
    FAULTS,
    Builtins,
    Fault,
    MemoryBus,
    Scenario,
    SensorFleet,
    get_scenario,
    messages_from_rows,
)
from ..engine import (
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
    first_arrival,
    plan_rule,
    sources_for,
    start_live,
)
from ..errors import (
    PluginError,
    ScenarioError,
    SqlError,
    did_you_mean,
)
from ..functions import BUILTINS
from ..plugins import LoadedPlugin, PluginRegistry, export_native, export_portable
from ..portable import PortableHost, Portables, check_portable, open_portable
from ..sql import parse_select

__all__ = ["Feed", "WorkspaceCore", "find_plugins_dir"]

Feed: TypeAlias = (
    SensorFleet | Scenario | Iterable[Message] | Sequence[Mapping[str, Any]] | Mapping[str, Any]
)
"""What a rule can run over: a simulation, messages, a list of dicts, or a mapping
from stream name to one of those (for rules reading several streams)."""

_KINDS: tuple[PluginKind, ...] = ("source", "sink", "function")


class WorkspaceCore:
    """Plugins, streams and rules of one development session (see ``Workspace``)."""

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

    def __enter__(self) -> Self:
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
            start_ms = _whole_second(first)
        rule = self.rule(
            sql, rule_id=rule_id, options=options, start_ms=start_ms, auto_stream=auto_stream
        )
        with self._driven(rule, start_ms, actions, record) as driver:
            driver.replay(feeds, drain_ms=drain_ms)
        return rule.result

    @contextmanager
    def _driven(
        self,
        rule: Pipeline,
        start_ms: int,
        actions: list[Any] | None,
        record: Callable[[Any], None] | None,
    ) -> Iterator[Driver]:
        """``rule`` on a virtual clock from ``start_ms``, its emissions to ``actions``
        (and ``record``) when given, else kept in its result; the sinks close after."""
        sinks = self.actions(rule, actions, record or (lambda _data: None)) if actions else None
        try:
            with Driver(VirtualClock(start_ms)).driving(rule) as driver:
                yield driver
        finally:
            if sinks is not None:
                sinks.close()

    def run_jsonl(
        self,
        sql: str,
        path: Path | str,
        *,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        arrival: str | None = None,
        drain_ms: int = 0,
        actions: list[Any] | None = None,
        record: Callable[[Any], None] | None = None,
    ) -> RuleResult:
        """Run a rule over a JSON-lines file of payloads, one message per line, streamed.

        The file holds no arrival times: every line arrives at time 0, or with
        ``arrival`` at the epoch ms in that field of its own (a line without one
        arrives with the line before, and a first line without one is warned of;
        the rule starts at the first, rounded down to a second, as :meth:`run`
        starts), so processing-time windows fire as they would have live;
        ``drain_ms`` more then pass, to fire the last window. With ``actions`` the
        emissions go to those sinks (and to ``record``) instead.

        >>> ws = WorkspaceCore(plugins_dir=None)
        >>> _ = ws.create_stream('CREATE STREAM s (ts BIGINT) WITH (DATASOURCE="s", FORMAT="json")')
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "s.jsonl"
        >>> _ = f.write_text('{"ts": 1500}\\n{"ts": 1900}\\n{"ts": 2100}\\n')
        >>> sql = "SELECT count(*) AS n FROM s GROUP BY TUMBLINGWINDOW(ss, 1)"
        >>> ws.run_jsonl(sql, f, arrival="ts", drain_ms=1000).emissions  # as run() gives
        [[{}], [{'n': 2}], [{'n': 1}]]
        """
        with open(path, "rb") as lines:
            payloads: Iterable[bytes] = lines
            first = None
            if arrival is not None:
                first, payloads = first_arrival(lines, arrival)
                if first is None and Path(path).stat().st_size:  # a misspelled field, most likely
                    warnings.warn(
                        f"{path}: the first line holds no epoch-ms integer in {arrival!r}, so "
                        "lines arrive at 0 until one does; name the field that holds each "
                        'line\'s time, e.g. arrival="ts"',
                        RuntimeWarning,
                        stacklevel=2,
                    )
            start = _whole_second(first)
            rule = self.rule(sql, rule_id=rule_id, options=options, start_ms=start)
            with self._driven(rule, start, actions, record) as driver:
                driver.replay_payloads(  # blank lines are skipped
                    rule.plan.main.name, payloads, ts=start, arrival=arrival, drain_ms=drain_ms
                )
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

    def show_rules(self) -> list[dict[str, Any]]:
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

        >>> sim = WorkspaceCore.simulate("fleet", count=4, faults=["duplicate"])
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


def _whole_second(first: int | None) -> int:
    """Where a replay's clock starts: its first arrival rounded down to a whole second
    (as eKuiper's own rule tests start), or 0 without one."""
    return first - first % 1000 if first is not None else 0


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
