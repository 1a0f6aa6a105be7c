"""The plugins kuiper_dev knows: discovered in folders or defined in notebook cells.

Rules bind to slots (:class:`FunctionSlot`, :class:`PluginSlot`) which stay the same
while the plugin behind them is replaced: hot reload swaps what a slot holds and
running rules use the new code from the next message on.

Discovery follows eKuiper's plugin manager: ``plugins/{sources,sinks,functions}/``,
one module per plugin, the latest version wins, a bad file is recorded in
:attr:`PluginRegistry.problems` and never stops the others from loading.
"""

from __future__ import annotations

import difflib
import json
import logging
import sys
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._types import PluginKind
from ..errors import PluginError, PluginNameError
from .conf import load_source_yaml, merge_conf, parse_source_yaml
from .loader import export_symbol, load_module, load_source, resolve_symbol
from .naming import PluginFile, check_symbol, lc_first, parse_plugin_file, pick_latest, uc_first
from .slots import FunctionSlot, LoadedPlugin, PluginSlot

__all__ = ["FunctionSlot", "LoadedPlugin", "PluginRegistry", "PluginSlot"]

log = logging.getLogger(__name__)

_FOLDERS: dict[PluginKind, str] = {"source": "sources", "sink": "sinks", "function": "functions"}
_Stamp = dict[str, tuple[int, int]]  # path -> (mtime_ns, size) of a plugin's files


@dataclass(slots=True)
class _Origin:
    """Where a discovered plugin came from, to tell on reload whether it changed."""

    folder: Path
    code: _Stamp
    meta: _Stamp


class PluginRegistry:
    """Every loaded plugin by kind and name, and every plugin function by name."""

    def __init__(self) -> None:
        self._plugins: dict[PluginKind, dict[str, LoadedPlugin]] = {k: {} for k in _FOLDERS}
        self._slots: dict[str, FunctionSlot] = {}
        self._units: dict[PluginKind, dict[str, PluginSlot]] = {"source": {}, "sink": {}}
        self._confs: dict[str, dict[str, dict[str, Any]]] = {}
        self._modules: dict[str, tuple[types.ModuleType, str]] = {}  # function plugin -> module
        self._registered: dict[str, list[str]] = {}  # register_functions() lists
        self._origins: dict[tuple[PluginKind, str], _Origin] = {}
        self._roots: list[Path] = []
        self._name_problems: dict[str, str] = {}  # file -> naming rule broken
        self._load_problems: dict[tuple[PluginKind, str], str] = {}
        self._refused: dict[tuple[PluginKind, str], tuple[_Stamp, _Stamp]] = {}
        self._overridden: set[tuple[PluginKind, str]] = set()  # file plugins a cell replaced
        self.reserved: frozenset[str] = frozenset()
        """Function names (lower case) no plugin may take: refused before anything changes."""

    @property
    def problems(self) -> list[str]:
        """Every file refused at discovery or reload, with the rule broken and the fix."""
        return [*self._name_problems.values(), *self._load_problems.values()]

    # -- discovery -----------------------------------------------------------------
    def load_dir(self, root: Path | str) -> None:
        """Load the plugins under ``root/{sources,sinks,functions}``; record bad files."""
        root = Path(root)
        if root not in self._roots:
            self._roots.append(root)
        for kind, sub in _FOLDERS.items():
            folder = root / sub
            for name, files in self._scan(kind, folder).items():
                if not self._shadowed(kind, name, files, folder):
                    self._load_group(kind, name, files, folder)

    def reload_changed(self) -> list[tuple[PluginKind, str]]:
        """Reload plugins whose files changed since they were loaded; return which.

        Polls modification times (no watcher thread, no dependency): call it from a
        timer or before each run. A file that fails to load keeps the old code
        running and is recorded in :attr:`problems`.
        """
        changed: list[tuple[PluginKind, str]] = []
        for root in self._roots:
            for kind, sub in _FOLDERS.items():
                folder = root / sub
                groups = self._scan(kind, folder)
                for name, files in groups.items():
                    origin = self._origins.get((kind, name))
                    code = _stamp(f.path for f in files)
                    meta = _stamp(_meta_paths(kind, name, folder))
                    if self._refused.get((kind, name)) == (code, meta):
                        continue  # still the files that were refused
                    if self._shadowed(kind, name, files, folder):
                        continue
                    if origin is None or origin.code != code or (kind, name) in self._overridden:
                        self._load_group(kind, name, files, folder)
                    elif origin.meta != meta:
                        self._reload_meta(kind, name, folder, origin)
                    else:
                        continue
                    changed.append((kind, name))
                for key, origin in list(self._origins.items()):
                    if key[0] == kind and origin.folder == folder and key[1] not in groups:
                        self._drop(*key)
                        changed.append(key)
                for key, (code, _) in list(self._refused.items()):
                    gone = key[1] not in groups and key not in self._origins
                    if key[0] == kind and gone and any(Path(p).parent == folder for p in code):
                        self._drop(*key)  # a refused file that was deleted: forget it
        return changed

    def _shadowed(self, kind: PluginKind, name: str, files: list[PluginFile], folder: Path) -> bool:
        """True (and a problem) when another root already holds a plugin of this name."""
        origin = self._origins.get((kind, name))
        if origin is None or origin.folder == folder:
            return False
        self._name_problems[str(files[0].path)] = (
            f"{kind} plugin {name} in {folder} ignored: already loaded from "
            f"{origin.folder}; plugin names are unique per kind, rename one"
        )
        return True

    def _scan(self, kind: PluginKind, folder: Path) -> dict[str, list[PluginFile]]:
        for stale in [p for p in self._name_problems if Path(p).parent == folder]:
            del self._name_problems[stale]
        groups: dict[str, list[PluginFile]] = {}
        if not folder.is_dir():
            return groups
        for path in sorted(folder.iterdir()):
            if path.suffix != ".py" or path.name.startswith(("_", ".")):
                continue
            try:
                pf = parse_plugin_file(path)
            except PluginNameError as exc:
                self._name_problems[str(path)] = f"{kind} plugin refused: {exc}"
                log.warning("%s", exc)
                continue
            groups.setdefault(pf.name, []).append(pf)
        return groups

    def _load_group(
        self, kind: PluginKind, name: str, files: list[PluginFile], folder: Path
    ) -> None:
        chosen, warning = pick_latest(files)
        if warning:
            log.warning(warning)
        key = (kind, name)
        self._load_problems.pop(key, None)
        code = _stamp(f.path for f in files)
        meta = _stamp(_meta_paths(kind, name, folder))
        try:
            module = load_module(chosen.path)
            where = str(chosen.path)
            if kind == "function":
                listed = self._registered.get(name) or _metadata_functions(folder / f"{name}.json")
                self._install_functions(
                    name, chosen.symbol, chosen.version, module, where, listed, warning
                )
            else:
                conf = _source_conf(folder / f"{name}.yaml") if kind == "source" else None
                value = export_symbol(module, chosen.symbol, kind, where)
                self._install_unit(kind, name, chosen.symbol, chosen.version, value, where, warning)
                if conf is not None:
                    self._confs[name] = conf
        except PluginError as exc:
            self._load_problems[key] = f"{kind} plugin {name} refused: {exc}"
            self._refused[key] = (code, meta)
            log.warning("%s", exc)
            return
        self._refused.pop(key, None)
        self._overridden.discard(key)
        self._origins[key] = _Origin(folder, code, meta)

    def _reload_meta(self, kind: PluginKind, name: str, folder: Path, origin: _Origin) -> None:
        """Re-read a yaml conf or functions metadata without re-running the module."""
        key = (kind, name)
        self._load_problems.pop(key, None)
        try:
            if kind == "source":
                self._confs[name] = _source_conf(folder / f"{name}.yaml")
            elif kind == "function" and name not in self._registered:
                module, symbol = self._modules[name]
                plugin = self._plugins["function"][name]
                listed = _metadata_functions(folder / f"{name}.json")
                self._install_functions(
                    name, symbol, plugin.version, module, plugin.where, listed, plugin.warning
                )
        except PluginError as exc:
            self._load_problems[key] = f"{kind} plugin {name} refused: {exc}"
        origin.meta = _stamp(_meta_paths(kind, name, folder))

    def _drop(self, kind: PluginKind, name: str) -> None:
        """Forget a plugin whose files are gone; rules already bound keep their slots."""
        self._origins.pop((kind, name), None)
        self._load_problems.pop((kind, name), None)
        self._refused.pop((kind, name), None)
        plugin = self._plugins[kind].pop(name, None)
        if kind == "function":
            for fn in plugin.functions if plugin else []:
                self._slots.pop(fn, None)
            self._modules.pop(name, None)
        else:
            self._units[kind].pop(name, None)
            self._confs.pop(name, None)

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
        where = filename or f"<kuiper plugin {symbol}>"
        self._put_slots_check(lc_first(symbol), functions or [lc_first(symbol)], where)
        module = load_source(source, symbol, filename)
        try:
            warning = self._cell_over_file("function", lc_first(symbol), where)
            return self._install_functions(
                lc_first(symbol), symbol, version, module, where, functions, warning
            )
        except BaseException:
            sys.modules.pop(module.__name__, None)
            raise

    def _cell_over_file(self, kind: PluginKind, name: str, where: str) -> str | None:
        """Warn when source text replaces a plugin loaded from a file; reload restores it."""
        origin = self._origins.get((kind, name))
        if origin is None:
            return None
        self._overridden.add((kind, name))
        text = (
            f"{where} replaces the {kind} plugin {name} loaded from {origin.folder}; "
            "reload the plugins (%kuiper reload) to bring the file back"
        )
        log.warning("%s", text)
        return text

    def define_source(
        self,
        symbol: str,
        source: str,
        *,
        version: str = "",
        conf: dict[str, dict[str, Any]] | str | None = None,
        filename: str | None = None,
    ) -> LoadedPlugin:
        """Define (or replace) a source plugin from source text; running sources switch.

        ``conf`` is the yaml file's content: its text, or the parsed sections.
        """
        return self._define_unit("source", symbol, source, version, filename, conf)

    def define_sink(
        self, symbol: str, source: str, *, version: str = "", filename: str | None = None
    ) -> LoadedPlugin:
        """Define (or replace) a sink plugin from source text; running sinks switch."""
        return self._define_unit("sink", symbol, source, version, filename, None)

    def _define_unit(
        self,
        kind: PluginKind,
        symbol: str,
        source: str,
        version: str,
        filename: str | None,
        conf: dict[str, dict[str, Any]] | str | None,
    ) -> LoadedPlugin:
        check_symbol(symbol, f"{kind} plugin {symbol!r}")
        where = filename or f"<kuiper plugin {symbol}>"
        module = load_source(source, symbol, where)
        value = export_symbol(module, symbol, kind, where)
        name = lc_first(symbol)
        if isinstance(conf, str):
            conf = parse_source_yaml(conf, f"{where} conf")
        warning = self._cell_over_file(kind, name, where)
        plugin = self._install_unit(kind, name, symbol, version, value, where, warning)
        if conf is not None:
            self._confs[name] = conf
        return plugin

    def _install_unit(
        self,
        kind: PluginKind,
        name: str,
        symbol: str,
        version: str,
        value: Any,
        where: str,
        warning: str | None,
    ) -> LoadedPlugin:
        slot = self._units[kind].get(name)
        if slot is None:
            self._units[kind][name] = PluginSlot(kind, name, symbol, value, where, version)
        else:
            slot.replace(value, where, version)
        plugin = LoadedPlugin(kind, name, version, where, [], warning)
        self._plugins[kind][name] = plugin
        return plugin

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
        previous = self._plugins["function"].get(name)
        self._put_slots(name, impls, where, previous.functions if previous else [])
        plugin = LoadedPlugin("function", name, version, where, names, warning)
        self._plugins["function"][name] = plugin
        self._modules[name] = (module, symbol)
        return plugin

    def _put_slots(
        self, owner: str, impls: Mapping[str, Any], where: str, previous: Iterable[str]
    ) -> None:
        """Install ``owner``'s function impls; a name another plugin holds is refused."""
        self._put_slots_check(owner, impls, where)
        for old in previous:
            if old not in impls:
                self._slots.pop(old, None)
        for fn, impl in impls.items():
            slot = self._slots.get(fn)
            if slot is None:
                self._slots[fn] = FunctionSlot(fn, owner, impl, where)
            else:
                slot.impl, slot.where, slot.generation = impl, where, slot.generation + 1

    def _put_slots_check(self, owner: str, names: Iterable[str], where: str) -> None:
        """Refuse, before anything changes, names that are reserved or another plugin's."""
        for fn in names:
            if fn.lower() in self.reserved:
                raise PluginError(
                    f"{where}: function name {fn} is a built-in function of eKuiper; "
                    "rename the plugin function"
                )
            holder = self._slots.get(fn)
            if holder is not None and holder.plugin != owner:
                raise PluginError(
                    f"{where}: function name {fn} already exists in plugin {holder.plugin}; "
                    "rename one of them"
                )

    def install_served_functions(self, plugin: str, impls: Mapping[str, Any], where: str) -> None:
        """Functions whose code runs elsewhere (a portable plugin's process): the engine
        binds and calls them like any plugin function; the impls speak for the process."""
        self._put_slots(plugin, impls, where, ())

    def drop_served_functions(self, plugin: str) -> None:
        """Forget the served functions of ``plugin`` (its package was removed)."""
        for fn in [fn for fn, slot in self._slots.items() if slot.plugin == plugin]:
            del self._slots[fn]

    def register_functions(self, plugin: str, functions: list[str]) -> LoadedPlugin:
        """eKuiper's ``register functions``: set the functions a function plugin exports.

        The list replaces the previous one (and the plugin's metadata) and survives
        reloads of the plugin's file, as eKuiper keeps it in its store.
        """
        if not functions:
            raise PluginError(
                f"register functions for {plugin}: property 'functions' must not be empty; "
                "list at least one function name"
            )
        entry = self._modules.get(plugin)
        if entry is None:
            raise self._unknown("function", plugin)
        module, symbol = entry
        loaded = self._plugins["function"][plugin]
        result = self._install_functions(
            plugin, symbol, loaded.version, module, loaded.where, list(functions), loaded.warning
        )
        self._registered[plugin] = list(functions)
        return result

    # -- lookup --------------------------------------------------------------------
    def function(self, name: str) -> FunctionSlot | None:
        return self._slots.get(name)

    def function_names(self) -> list[str]:
        return sorted(self._slots)

    def source(self, name: str) -> PluginSlot | None:
        """The slot a :class:`~kuiper_dev.plugins.SourceRunner` runs for source ``name``."""
        return self._units["source"].get(name)

    def sink(self, name: str) -> PluginSlot | None:
        """The slot a :class:`~kuiper_dev.plugins.SinkRunner` runs for sink ``name``."""
        return self._units["sink"].get(name)

    def names(self, kind: PluginKind) -> list[str]:
        return sorted(self._plugins[kind])

    def get(self, kind: PluginKind, name: str) -> LoadedPlugin | None:
        return self._plugins[kind].get(name)

    def udfs(self) -> dict[str, str]:
        """Each plugin function and the plugin that holds it."""
        return {fn: slot.plugin for fn, slot in sorted(self._slots.items())}

    def source_conf_keys(self, name: str) -> list[str]:
        """The sections of source ``name``'s yaml file (``default`` among them)."""
        return list(self._confs.get(name, {}))

    def source_sections(self, kind: str) -> dict[str, dict[str, Any]]:
        """Source ``kind``'s yaml sections (``default`` and its confKeys): a source
        plugin's loaded conf, else ``sources/{kind}.yaml`` in a plugins folder, where
        eKuiper's ``etc/sources`` holds a built-in source's."""
        if kind in self._confs:
            return dict(self._confs[kind])
        for root in reversed(self._roots):
            path = root / _FOLDERS["source"] / f"{kind}.yaml"
            if path.is_file():
                return load_source_yaml(path)
        return {}

    def connections(self) -> dict[str, dict[str, Any]]:
        """Shared connections by kind (``{"mqtt": {"name": {...}}}``) that a
        ``connectionSelector`` names: ``connections/connection.yaml`` in a plugins
        folder, as eKuiper's ``etc/connections/connection.yaml``."""
        for root in reversed(self._roots):
            path = root / "connections" / "connection.yaml"
            if path.is_file():
                return load_source_yaml(path)
        return {}

    def resolve_source_conf(self, name: str, conf_key: str | None = None) -> dict[str, Any]:
        """The conf source ``name`` is configured with: confKey values over ``default``.

        A source without a yaml file gets ``{}``; an unknown confKey the default,
        with a warning, as eKuiper gives them.
        """
        if name not in self._units["source"]:
            raise self._unknown("source", name)
        where = f"{name}.yaml"
        return merge_conf(self._confs.get(name, {}), conf_key, where)

    def _unknown(self, kind: PluginKind, name: str) -> PluginError:
        close = difflib.get_close_matches(name, self.names(kind), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return PluginError(
            f"no {kind} plugin {name!r}; {hint}put {uc_first(name)}.py in plugins/"
            f"{_FOLDERS[kind]}/ or define it in a cell"
        )


def _meta_paths(kind: PluginKind, name: str, folder: Path) -> list[Path]:
    if kind == "source":
        return [folder / f"{name}.yaml"]
    if kind == "function":
        return [folder / f"{name}.json"]
    return []


def _stamp(paths: Any) -> _Stamp:
    stamp: _Stamp = {}
    for path in paths:
        try:
            st = path.stat()
            stamp[str(path)] = (st.st_mtime_ns, st.st_size)
        except OSError:
            continue
    return stamp


def _source_conf(path: Path) -> dict[str, dict[str, Any]]:
    return load_source_yaml(path) if path.is_file() else {}


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
