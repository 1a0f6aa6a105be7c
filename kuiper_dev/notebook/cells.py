"""What the magics need around the workspace: cell plugins as importable modules,
the emissions sinks received, the FROM stream of a rule, and logged warnings shown once."""

from __future__ import annotations

import json
import logging
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import KuiperDevError
from ..plugins import LoadedPlugin
from ..recording import read_recording
from ..sql import parse
from ..workspace import Workspace

__all__ = [
    "CELLS",
    "once_each",
    "publish_module",
    "select_source",
    "unmatched_recording",
    "warnings_once",
]


def once_each(received: list[Any], sinks: int) -> list[list[Any]]:
    """The emissions, once each, from what ``sinks`` sinks each received (in order).

    >>> once_each([[{"a": 1}], [{"a": 1}], {"a": 2}, {"a": 2}], 2)
    [[{'a': 1}], [{'a': 2}]]
    """
    seen: dict[str, int] = {}
    out: list[list[Any]] = []
    for item in received:
        if not isinstance(item, list | dict):
            continue
        key = json.dumps(item, sort_keys=True, default=str)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] % sinks == 1 or sinks == 1:
            out.append(item if isinstance(item, list) else [item])
    return out


CELLS = "kuiper_cells"


@contextmanager
def warnings_once() -> Iterator[list[str]]:
    """Collect kuiper_dev's logged warnings while a magic runs and print each once as
    ``warning: ...`` (unhandled, logging's last resort would print them to stderr,
    beside the magic's own line about the same thing)."""
    seen: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logger = logging.getLogger("kuiper_dev")
    handler = _Keep(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        for text in dict.fromkeys(seen):
            print(f"warning: {text}")


def publish_module(ws: Workspace, plugin: LoadedPlugin) -> None:
    """Make the cell's module importable as ``kuiper_cells.{name}`` (its latest version),
    so that tests and other cells can reach what the plugin keeps."""
    if plugin.kind == "function":
        fn = ws.plugins.function(plugin.functions[0]) if plugin.functions else None
        obj = fn.impl if fn is not None else None
    else:
        slot = ws.plugins.source(plugin.name) if plugin.kind == "source" else ws.plugins.sink(plugin.name)
        obj = slot.value if slot is not None else None
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    if module is None:
        return
    package = sys.modules.get(CELLS)
    if package is None:
        package = types.ModuleType(CELLS, "The modules of the notebook's plugin cells, by name.")
        package.__path__ = []  # a package: ``import kuiper_cells.name`` works
        sys.modules[CELLS] = package
    setattr(package, plugin.name, module)
    sys.modules[f"{CELLS}.{plugin.name}"] = module


def select_source(select: str) -> str | None:
    """The FROM stream of a SELECT, or None where the SELECT does not parse (the
    engine reports that with its place)."""
    try:
        statement = parse(select)
    except KuiperDevError:
        return None
    source = getattr(statement, "source", None)
    return source if isinstance(source, str) else None


def unmatched_recording(ws: Workspace, select: str, path: str) -> str:
    """Why a replay saw no message: the FROM stream's DATASOURCE matched no recorded
    topic (a stream made on the fly subscribes to its own name), and the fix."""
    source = select_source(select) or "?"
    datasource = source
    if source in ws.show_streams():
        datasource = ws.describe_stream(source)["Options"].get("datasource", source)
    topics = list(read_recording(path).header.topics)
    example = topics[0] if topics else "topic/#"
    return (
        f'note: no recorded message matched stream {source} (DATASOURCE="{datasource}"); the '
        f"recording holds {', '.join(topics) or 'no topic list'}. Define the stream first with "
        f'a matching topic filter: CREATE STREAM {source} () WITH (DATASOURCE="{example}")'
    )
