"""The library façade: one object that the notebook, CLI, REST and pytest plugin call.

A :class:`Workspace` holds the plugins, the streams and the rules of one session
and runs rules in virtual time over feeds: simulated fleets, lists of dicts or
recorded messages.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

from ._types import Message, PluginKind
from .connectors import SensorFleet, messages_from_rows
from .engine import Binder, Catalog, Rule, RuleOptions, RuleResult, StreamDef, VirtualClock
from .errors import PluginError
from .functions import BUILTINS
from .plugins import LoadedPlugin, PluginRegistry
from .sql import parse_select

__all__ = ["Feed", "Workspace", "find_plugins_dir"]

Feed: TypeAlias = SensorFleet | Iterable[Message] | Sequence[Mapping[str, Any]]
"""What a rule can run over: a simulated fleet, messages, or a list of dicts."""

_KINDS: tuple[PluginKind, ...] = ("source", "sink", "function")


class Workspace:
    """Plugins, streams and rules of one development session.

    >>> ws = Workspace(plugins_dir=None)
    >>> ws.run("SELECT a * 2 AS b FROM demo", [{"a": 1}, {"a": 2.5}]).rows
    [{'b': 2.0}, {'b': 5.0}]
    """

    def __init__(self, plugins_dir: Path | str | None = "plugins") -> None:
        self.plugins = PluginRegistry()
        self.catalog = Catalog()
        self.binder = Binder(self.plugins)
        self._rule_ids = itertools.count(1)
        self.plugins_dir = Path(plugins_dir) if plugins_dir is not None else None
        if self.plugins_dir is not None:
            self.plugins.load_dir(self.plugins_dir)
            self._refuse_builtin_clashes()

    # -- plugins -------------------------------------------------------------------
    def define_function(
        self, symbol: str, source: str, *, version: str = "", filename: str | None = None
    ) -> LoadedPlugin:
        """Define or replace a function plugin from source text (hot reload)."""
        plugin = self.plugins.define_function(symbol, source, version=version, filename=filename)
        self._refuse_builtin_clashes()
        return plugin

    def _refuse_builtin_clashes(self) -> None:
        for fn, plugin in self.plugins.udfs().items():
            if fn.lower() in BUILTINS:
                raise PluginError(
                    f"plugin {plugin}: function name {fn} is a built-in function of eKuiper; "
                    "rename the plugin function"
                )

    def describe_plugin(self, kind: PluginKind, name: str) -> dict[str, Any]:
        """``{"name", "version"}`` as eKuiper's ``describe plugin`` answers."""
        plugin = self.plugins.get(kind, name)
        if plugin is None:
            import difflib

            close = difflib.get_close_matches(name, self.plugins.names(kind), n=1)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            raise PluginError(f"{kind} plugin {name} not found.{hint}")
        return {"name": plugin.name, "version": plugin.version}

    def show_plugins(self, kind: PluginKind) -> list[str]:
        return self.plugins.names(kind)

    def show_udfs(self) -> dict[str, str]:
        return self.plugins.udfs()

    # -- streams and rules ---------------------------------------------------------
    def create_stream(self, sql: str) -> StreamDef:
        """Define a stream or table with eKuiper DDL."""
        return self.catalog.create(sql)

    def rule(
        self,
        sql: str,
        *,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        auto_stream: bool = True,
        start_ms: int = 0,
    ) -> Rule:
        """Plan a rule; with ``auto_stream`` an undefined source becomes a schemaless stream."""
        if auto_stream:
            source = parse_select(sql).source
            if source not in self.catalog.names():
                self.catalog.create(
                    f'CREATE STREAM {source} () WITH (DATASOURCE="{source}", FORMAT="json")'
                )
        return Rule(
            rule_id or f"rule{next(self._rule_ids)}",
            sql,
            self.catalog,
            self.binder,
            RuleOptions.from_dict(dict(options or {})),
            start_ms=start_ms,
        )

    def run(
        self,
        sql: str,
        feed: Feed,
        *,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        start_ms: int | None = None,
        drain_ms: int = 0,
    ) -> RuleResult:
        """Run a rule over a feed in virtual time and return what its sinks received.

        The rule starts at ``start_ms``, by default the first arrival rounded down to
        a whole second (as eKuiper's own rule tests start); after the last message
        the clock moves on by ``drain_ms`` so that pending windows can fire.
        """
        messages = iter(self.messages(feed))
        first = next(messages, None)
        if start_ms is None:
            start_ms = first.ts - first.ts % 1000 if first is not None else 0
        rule = self.rule(sql, rule_id=rule_id, options=options, start_ms=start_ms)
        replay = itertools.chain([first], messages) if first is not None else iter(())
        return rule.run(replay, VirtualClock(start_ms), drain_ms=drain_ms)

    @staticmethod
    def messages(feed: Feed) -> Iterable[Message]:
        """Turn any feed into timed messages."""
        if isinstance(feed, SensorFleet):
            return iter(feed)
        if isinstance(feed, Sequence) and (not feed or isinstance(feed[0], Mapping)):
            return messages_from_rows([dict(r) for r in feed])
        return feed  # type: ignore[return-value]

    @staticmethod
    def simulate(devices: int = 3, count: int = 100, seed: int = 42, **kwargs: Any) -> SensorFleet:
        """A seeded simulated sensor fleet (see :class:`SensorFleet`)."""
        return SensorFleet(devices=devices, count=count, seed=seed, **kwargs)


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
