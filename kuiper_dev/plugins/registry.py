"""The plugins kuiper_dev knows: discovered in folders or defined in notebook cells.

Rules bind function calls to :class:`FunctionSlot` objects, which stay the same
while the plugin behind them is replaced: hot reload swaps ``slot.impl`` and
running rules call the new code with the next message.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._types import PluginKind
from ..errors import PluginError, PluginNameError
from .loader import load_module, load_source, resolve_symbol
from .naming import PluginFile, check_symbol, lc_first, parse_plugin_file, pick_latest, uc_first

__all__ = ["FunctionSlot", "LoadedPlugin", "PluginRegistry"]

log = logging.getLogger(__name__)

_FOLDERS: dict[PluginKind, str] = {"source": "sources", "sink": "sinks", "function": "functions"}


@dataclass(slots=True)
class FunctionSlot:
    """A stable handle on one plugin function; ``impl`` changes on hot reload."""

    name: str
    plugin: str
    impl: Any
    where: str  # file or cell name, for tracebacks and messages
    generation: int = 0


@dataclass(slots=True)
class LoadedPlugin:
    kind: PluginKind
    name: str
    version: str
    where: str
    functions: list[str] = field(default_factory=list)
    warning: str | None = None

    def describe(self) -> dict[str, Any]:
        """``{"name", "version"}`` as eKuiper's describe answers (plus ``functions``)."""
        info: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.kind == "function":
            info["functions"] = list(self.functions)
        return info


class PluginRegistry:
    """Every loaded plugin by kind and name, and every plugin function by name."""

    def __init__(self) -> None:
        self._plugins: dict[PluginKind, dict[str, LoadedPlugin]] = {k: {} for k in _FOLDERS}
        self._slots: dict[str, FunctionSlot] = {}
        self.problems: list[str] = []

    # -- discovery -----------------------------------------------------------------
    def load_dir(self, root: Path | str) -> None:
        """Load the function plugins under ``root/functions``; record, not raise, bad files."""
        folder = Path(root) / _FOLDERS["function"]
        if not folder.is_dir():
            return
        groups: dict[str, list[PluginFile]] = {}
        for path in sorted(folder.iterdir()):
            if path.suffix != ".py" or path.name.startswith(("_", ".")):
                continue
            try:
                pf = parse_plugin_file(path)
            except PluginNameError as exc:
                self._problem(str(exc))
                continue
            groups.setdefault(pf.name, []).append(pf)
        for files in groups.values():
            chosen, warning = pick_latest(files)
            if warning:
                log.warning(warning)
            try:
                module = load_module(chosen.path)
                self._install_functions(
                    chosen.name,
                    chosen.symbol,
                    chosen.version,
                    module,
                    str(chosen.path),
                    _metadata_functions(folder / f"{chosen.name}.json"),
                    warning,
                )
            except PluginError as exc:
                self._problem(str(exc))

    def _problem(self, message: str) -> None:
        log.warning(message)
        self.problems.append(message)

    # -- definition ----------------------------------------------------------------
    def define_function(
        self,
        symbol: str,
        source: str,
        *,
        version: str = "",
        functions: list[str] | None = None,
        filename: str | None = None,
    ) -> LoadedPlugin:
        """Define (or replace) a function plugin from source text, as a notebook cell does."""
        check_symbol(symbol, f"plugin {symbol!r}")
        module = load_source(source, symbol, filename)
        return self._install_functions(
            lc_first(symbol),
            symbol,
            version,
            module,
            filename or f"<kuiper plugin {symbol}>",
            functions,
            None,
        )

    def _install_functions(
        self,
        name: str,
        symbol: str,
        version: str,
        module: Any,
        where: str,
        functions: list[str] | None,
        warning: str | None,
    ) -> LoadedPlugin:
        names = functions or [name]
        impls = {fn: resolve_symbol(module, uc_first(fn), "function", where) for fn in names}
        for fn in names:
            owner = self._slots.get(fn)
            if owner is not None and owner.plugin != name:
                raise PluginError(
                    f"{where}: function name {fn} already exists in plugin {owner.plugin}; "
                    "rename one of them"
                )
        previous = self._plugins["function"].get(name)
        for old in previous.functions if previous else []:
            if old not in impls:
                self._slots.pop(old, None)
        for fn, impl in impls.items():
            slot = self._slots.get(fn)
            if slot is None:
                self._slots[fn] = FunctionSlot(fn, name, impl, where)
            else:
                slot.impl, slot.where, slot.generation = impl, where, slot.generation + 1
        plugin = LoadedPlugin("function", name, version, where, names, warning)
        self._plugins["function"][name] = plugin
        return plugin

    # -- lookup --------------------------------------------------------------------
    def function(self, name: str) -> FunctionSlot | None:
        return self._slots.get(name)

    def function_names(self) -> list[str]:
        return sorted(self._slots)

    def names(self, kind: PluginKind) -> list[str]:
        return sorted(self._plugins[kind])

    def get(self, kind: PluginKind, name: str) -> LoadedPlugin | None:
        return self._plugins[kind].get(name)

    def udfs(self) -> dict[str, str]:
        """Each plugin function and the plugin that holds it."""
        return {fn: slot.plugin for fn, slot in sorted(self._slots.items())}


def _metadata_functions(path: Path) -> list[str] | None:
    """Function names listed in eKuiper's ``functions/{name}.json`` metadata, if any."""
    if not path.is_file():
        return None
    try:
        meta = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise PluginError(f"{path}: not valid JSON ({exc}); fix or remove the file") from exc
    listed = meta.get("functions") if isinstance(meta, dict) else None
    if not listed:
        return None
    names = [f["name"] if isinstance(f, dict) else str(f) for f in listed]
    return names or None
