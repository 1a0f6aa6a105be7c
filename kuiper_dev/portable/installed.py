"""The portable plugins installed in a plugins folder (``plugins/portables/{name}/``).

eKuiper discovers portable plugins beside the native ones and starts each one's
process when a rule first needs a symbol of it; so does :class:`Portables`. Each
function symbol gets an object of the SDK's ``Function`` shape, so the engine's
binder and call path treat it like an in-process plugin function, while the
call goes to the plugin's process.
"""

from __future__ import annotations

import atexit
import sys
import threading
import weakref
from pathlib import Path
from typing import Any

from ..connectors import Sink, Source
from ..errors import PortableError, did_you_mean
from ..plugins.conf import load_source_yaml
from .host import PortableHost
from .manifest import PortableManifest
from .package import open_portable

__all__ = ["PortableFunctionImpl", "Portables"]


class Portables:
    """The portable plugins under ``root/portables``; hosts start on first use.

    >>> Portables(None).names()
    []
    """

    def __init__(self, root: Path | str | None, *, python: str = sys.executable) -> None:
        self.folder = Path(root) / "portables" if root is not None else None
        self.python = python
        self.problems: list[str] = []  # folders refused at discovery, with the reason
        self._found: dict[str, tuple[Path, PortableManifest]] = {}
        self._hosts: dict[str, PortableHost] = {}
        self._lock = threading.Lock()
        self.scan()
        _OPEN.add(self)

    def scan(self) -> list[str]:
        """Find the plugin folders again; a running plugin whose package changed switches
        to the new version (eKuiper's hot update). Returns the names that changed."""
        before = dict(self._found)
        self._found.clear()
        self.problems.clear()
        if self.folder is None or not self.folder.is_dir():
            return sorted(before)
        for path in sorted(p for p in self.folder.iterdir() if p.is_dir()):
            try:
                checked = open_portable(path)
            except PortableError as exc:
                self.problems.append(str(exc))
                continue
            self._found[checked.manifest.name] = (checked.path, checked.manifest)
        changed = sorted(
            n for n in {*before, *self._found}
            if before.get(n, (None, None))[1] != self._found.get(n, (None, None))[1]
        )  # fmt: skip
        for name in changed:
            host = self._hosts.get(name)
            if host is None:
                continue
            if name in self._found:
                host.update(self._found[name][0])
            else:  # the package is gone: its process goes too, as eKuiper drops it
                self._hosts.pop(name).stop()
        return changed

    def names(self) -> list[str]:
        return sorted(self._found)

    def manifest(self, name: str) -> PortableManifest:
        return self._entry(name)[1]

    def symbols(self, kind: str) -> dict[str, str]:
        """Each ``kind`` symbol (``source``, ``sink``, ``function``) and its plugin."""
        return {
            symbol: name
            for name, (_, m) in self._found.items()
            for k, symbol in m.symbols()
            if k == kind
        }

    def source_sections(self, symbol: str) -> dict[str, dict[str, Any]]:
        """Source ``symbol``'s yaml sections from its package (``sources/{symbol}.yaml``),
        which eKuiper installs into ``etc/sources``."""
        plugin = self.symbols("source").get(symbol)
        if plugin is None:
            return {}
        path = self._entry(plugin)[0] / "sources" / f"{symbol}.yaml"
        return load_source_yaml(path) if path.is_file() else {}

    def describe(self, name: str) -> dict[str, Any]:
        """eKuiper's ``describe plugin portable NAME``: the manifest and the status fields."""
        _, m = self._entry(name)
        host = self._hosts.get(name)
        status = (
            host.status()
            if host is not None
            else {"refCount": {}, "status": "stop", "errMsg": "", "pid": 0}
        )
        return {
            "name": m.name,
            "version": m.version,
            "language": m.language,
            "executable": m.executable,
            "sources": list(m.sources),
            "sinks": list(m.sinks),
            "functions": list(m.functions),
            **status,
        }

    def host(self, name: str) -> PortableHost:
        """The plugin's running host, started now if it is not yet."""
        with self._lock:
            host = self._hosts.get(name)
            if host is None:
                folder, _ = self._entry(name)
                host = PortableHost(folder, python=self.python)
                host.start()
                self._hosts[name] = host
            return host

    def function_impl(self, symbol: str) -> PortableFunctionImpl:
        """The SDK-shaped function object for ``symbol`` (its host starts on first call)."""
        plugin = self.symbols("function").get(symbol)
        if plugin is None:
            raise self._unknown("function", symbol)
        return PortableFunctionImpl(self, plugin, symbol)

    def source(
        self, symbol: str, datasource: str, props: dict[str, Any], *, rule_id: str
    ) -> Source:
        plugin = self.symbols("source").get(symbol)
        if plugin is None:
            raise self._unknown("source", symbol)
        return self.host(plugin).source(symbol, datasource, props, rule_id=rule_id)

    def sink(self, symbol: str, props: dict[str, Any], *, rule_id: str) -> Sink:
        plugin = self.symbols("sink").get(symbol)
        if plugin is None:
            raise self._unknown("sink", symbol)
        return self.host(plugin).sink(symbol, props, rule_id=rule_id)

    def close(self) -> None:
        """Stop every started host: no process and no ipc file stays behind."""
        with self._lock:
            hosts, self._hosts = list(self._hosts.values()), {}
        for host in hosts:
            host.stop()

    def _entry(self, name: str) -> tuple[Path, PortableManifest]:
        found = self._found.get(name)
        if found is None:
            hint = did_you_mean(name, self._found)
            where = self.folder or "plugins/portables"
            raise PortableError(
                f"portable plugin {name} not found in {where}.{hint} Export one with "
                "`kuiper-dev export NAME --version V --portable`"
            )
        return found

    def _unknown(self, kind: str, symbol: str) -> PortableError:
        hint = did_you_mean(symbol, self.symbols(kind))
        return PortableError(f"no portable plugin serves {kind} {symbol!r}.{hint}")


class PortableFunctionImpl:
    """A portable function symbol in the SDK ``Function`` shape (what a FunctionSlot holds)."""

    def __init__(self, portables: Portables, plugin: str, symbol: str) -> None:
        self.portables, self.plugin, self.symbol = portables, plugin, symbol

    def _handle(self) -> Any:
        return self.portables.host(self.plugin).function(self.symbol)

    def validate(self, args: list[Any]) -> str:
        answer: str = self._handle().validate(args)
        return answer

    def exec(self, args: list[Any], ctx: Any) -> Any:
        return self._handle().exec(args)

    def is_aggregate(self) -> bool:
        answer: bool = self._handle().is_aggregate()
        return answer


_OPEN: weakref.WeakSet[Portables] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:  # a notebook kernel that exits leaves no plugin process behind
    for portables in list(_OPEN):
        portables.close()
