"""eKuiper's built-in connector TYPE names and what makes each one.

A stream's ``TYPE`` (exact case, as eKuiper's ``internal/binder/io/builtin.go``
registers them: ``file``, ``simulator``, ``memory``) picks a source factory
``(stream, datasource, props) -> Source``; an action's name picks a sink factory
``(props) -> Sink``. An unknown name gives ``None``, so the engine can go on to the
plugins. eKuiper's defaults when TYPE is empty: ``mqtt`` for a stream, ``file``
for a table.

The log, nop and memory sinks record what they receive for the CLI, so they stay
with the engine (``engine/sinks.py``); this registry holds the file sink.
The props a source gets are :func:`source_props`: eKuiper's shipped ``default:``
section, overlaid by the user's sections and ``CONF_KEY`` (the same merge as a
plugin's yaml, :func:`~kuiper_dev.plugins.conf.merge_conf`), then the stream's
options (``format``, ``delimiter``...), as eKuiper's ``GetSourceConf`` does.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .._types import Message
from ..plugins.conf import merge_conf
from .base import Deliver, Fail, Sink, Source
from .file import FileSink, FileSource
from .memory_bus import MemoryBus
from .mqtt import SOURCE_DEFAULTS, MqttConfig, MqttSink, MqttSource
from .simulator_source import SimulatorSource

__all__ = [
    "BUILTIN_SOURCE_DEFAULTS",
    "Builtins",
    "MemorySource",
    "SinkFactory",
    "SourceFactory",
    "source_props",
]

SourceFactory = Callable[[str, str, Mapping[str, Any]], Source]
"""Makes a stream's source from its name, DATASOURCE and props."""

SinkFactory = Callable[[Mapping[str, Any]], Sink]
"""Makes an action's sink from its properties."""

BUILTIN_SOURCE_DEFAULTS: dict[str, dict[str, Any]] = {
    # eKuiper's etc/sources/file.yaml and simulator.yaml, ``default:`` sections
    "file": {
        "fileType": "json", "path": "data", "interval": 0, "sendInterval": 0,
        "parallel": False, "actionAfterRead": 0, "moveTo": "/tmp/kuiper/moved",
        "hasHeader": False, "ignoreStartLines": 0, "ignoreEndLines": 0,
    },
    "simulator": {"data": [{"temperature": 22.5, "humidity": 50}], "interval": "1s", "loop": True},
    "memory": {},
}  # fmt: skip
"""The ``default:`` conf eKuiper ships for each built-in source."""


class MemorySource:
    """eKuiper's memory source: rows published to matching in-memory topics, live.

    >>> bus, seen = MemoryBus(), []
    >>> src = MemorySource(bus, "s", "a/+", now_ms=lambda: 7)
    >>> src.start(seen.append, print); bus.publish("a/b", {"x": 1}); src.stop()
    >>> [(m.topic, m.payload, m.ts) for m in seen]
    [('a/b', b'{"x":1}', 7)]
    """

    def __init__(
        self, bus: MemoryBus, stream: str, topic: str, *, now_ms: Callable[[], int] | None = None
    ) -> None:
        self.bus, self.stream, self.topic = bus, stream, topic
        self._now_ms = now_ms or (lambda: time.time_ns() // 1_000_000)
        self._unsubscribe: Callable[[], None] | None = None

    def start(self, deliver: Deliver, fail: Fail) -> None:
        def on_row(topic: str, row: dict[str, Any]) -> None:
            try:
                payload = orjson.dumps(row, option=orjson.OPT_NON_STR_KEYS)
            except TypeError as exc:
                fail(f"memory source {self.stream}: a row on {topic} is not JSON ({exc})")
                return
            deliver(Message(topic, payload, self._now_ms()))

        self._unsubscribe = self.bus.subscribe(self.topic, on_row)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Builtins:
    """The built-in connectors of one workspace: where files live, its clock and bus.

    ``root`` is eKuiper's install folder (relative file paths start there),
    ``now_ms`` the clock stamping live messages and rolling sink files, ``bus``
    the memory topics (without one, ``memory`` gives ``None``), ``mqtt_server``
    the broker mqtt sources and sinks use unless their props name one (eKuiper's
    ``etc/mqtt_source.yaml`` default).

    >>> b = Builtins(root=".")
    >>> b.source_factory("simulator") is not None, b.source_factory("nosuch")
    (True, None)
    >>> b.source_types(), b.sink_types()
    (['file', 'mqtt', 'simulator'], ['file', 'mqtt'])
    """

    root: str | Path | None = None
    now_ms: Callable[[], int] = _wall_ms
    bus: MemoryBus | None = None
    start_ms: int | None = None  # virtual start of iterated file/simulator sources
    mqtt_server: str = SOURCE_DEFAULTS["server"]  # what mqtt sources and sinks use by default
    connections: Callable[[], Mapping[str, Any]] = dict  # connection.yaml, for connectionSelector
    _sources: dict[str, SourceFactory] = field(default_factory=dict, init=False, repr=False)
    _sinks: dict[str, SinkFactory] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        kw: dict[str, Any] = {"now_ms": self.now_ms}
        if self.start_ms is not None:
            kw["start_ms"] = self.start_ms
        self._sources["file"] = lambda s, ds, props: FileSource(s, ds, props, root=self.root, **kw)
        self._sources["simulator"] = lambda s, ds, props: SimulatorSource.from_props(
            s, ds, props, **kw
        )
        bus = self.bus
        if bus is not None:
            self._sources["memory"] = lambda s, ds, props: MemorySource(
                bus, s, ds, now_ms=self.now_ms
            )
        self._sources["mqtt"] = self._mqtt_source
        self._sinks["file"] = lambda props: FileSink(props, root=self.root, now_ms=self.now_ms)
        self._sinks["mqtt"] = lambda props: MqttSink(
            MqttConfig.from_props(
                {"server": self.mqtt_server, **props}, connections=self.connections()
            )
        )

    def _mqtt_source(self, stream: str, datasource: str, props: Mapping[str, Any]) -> Source:
        defaults = {**SOURCE_DEFAULTS, "server": self.mqtt_server}
        config = MqttConfig.from_props(props, defaults=defaults, connections=self.connections())
        return MqttSource(config, datasource)

    def add_source(self, kind: str, factory: SourceFactory) -> None:
        """Register (or replace) the source of TYPE ``kind``, e.g. ``mqtt``."""
        self._sources[kind] = factory

    def add_sink(self, kind: str, factory: SinkFactory) -> None:
        """Register (or replace) the sink of action ``kind``."""
        self._sinks[kind] = factory

    def source_factory(self, kind: str) -> SourceFactory | None:
        """The factory of source TYPE ``kind`` (exact case), or None for a plugin to try."""
        return self._sources.get(kind)

    def sink_factory(self, kind: str) -> SinkFactory | None:
        """The factory of sink ``kind`` (exact case), or None for a plugin to try."""
        return self._sinks.get(kind)

    def source_types(self) -> list[str]:
        return sorted(self._sources)

    def sink_types(self) -> list[str]:
        return sorted(self._sinks)


def source_props(
    kind: str,
    conf_key: str | None = None,
    *,
    sections: Mapping[str, Mapping[str, Any]] | None = None,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The props built-in source ``kind`` gets, merged as eKuiper's ``GetSourceConf`` does.

    ``sections`` are the user's confKeys (a ``file.yaml``); its ``default`` overlays
    eKuiper's key by key. ``options`` are the stream's WITH options by eKuiper's
    names (``FORMAT``, ``DELIMITER``, ``DATASOURCE``...): they go in last, lower-cased
    as eKuiper names them in props.

    >>> p = source_props("file", "csv", sections={"csv": {"fileType": "csv"}},
    ...                  options={"FORMAT": "DELIMITED", "DELIMITER": " "})
    >>> p["fileType"], p["path"], p["format"], p["delimiter"]
    ('csv', 'data', 'delimited', ' ')
    """
    merged: dict[str, dict[str, Any]] = {
        "default": copy.deepcopy(BUILTIN_SOURCE_DEFAULTS.get(kind, {}))
    }
    for key, section in (sections or {}).items():
        base = merged.get(key, {}) if key == "default" else {}
        merged[key] = {**base, **copy.deepcopy(dict(section))}
    props = merge_conf(merged, conf_key, f"{kind}.yaml")
    opts = {str(k).upper(): v for k, v in (options or {}).items()}
    props["format"] = str(opts.get("FORMAT") or "json").lower()
    props["delimiter"] = str(opts.get("DELIMITER") or "")
    props["datasource"] = str(opts.get("DATASOURCE") or "")
    for option, name in _OPTION_PROPS:
        props[name] = str(opts.get(option) or "")
    return props


_OPTION_PROPS = (
    ("KEY", "key"), ("SCHEMAID", "schemaId"), ("TIMESTAMP", "timestamp"),
    ("TIMESTAMP_FORMAT", "timestampFormat"),
)  # fmt: skip
