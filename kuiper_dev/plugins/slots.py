"""Stable handles on plugins whose code hot reload replaces.

A rule binds to a slot once; reload changes what the slot holds and bumps its
``generation``. Function slots are read per call; source and sink runners are told
through :meth:`PluginSlot.watch` and switch at a message boundary.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._types import PluginKind
from ..errors import PluginError
from .loader import instantiate, is_shared, plugin_traceback

__all__ = ["FunctionSlot", "LoadedPlugin", "PluginSlot"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class FunctionSlot:
    """A stable handle on one plugin function; ``impl`` changes on hot reload."""

    name: str
    plugin: str
    impl: Any
    where: str  # file or cell name, for tracebacks and messages
    generation: int = 0

    def is_aggregate(self) -> bool:
        """Whether the engine must call this function with a group's values.

        Asked of the plugin each time (a reload may change the answer); a plugin that
        raises or answers a non-bool is refused with its own traceback.
        """
        try:
            answer = self.impl.is_aggregate()
        except Exception as exc:
            raise PluginError(
                f"{self.where}: function {self.name}: is_aggregate() raised:\n"
                f"{plugin_traceback(exc, self.where)}\nFix is_aggregate() to return True or False"
            ) from exc
        if type(answer) is not bool:
            raise PluginError(
                f"{self.where}: function {self.name}: is_aggregate() returned {answer!r}; "
                "return True or False"
            )
        return answer


@dataclass(slots=True, eq=False)  # compared by identity: a slot is a handle
class PluginSlot:
    """A stable handle on a source or sink plugin's exported symbol.

    ``value`` is what the module exports: an instance (shared by every rule, as
    eKuiper shares an exported value) or a class/factory (called once per rule).
    """

    kind: PluginKind
    name: str
    symbol: str
    value: Any
    where: str
    version: str = ""
    generation: int = 0
    _watchers: list[Callable[[PluginSlot], None]] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def shared(self) -> bool:
        """True when every rule gets the same instance."""
        return is_shared(self.value, self.kind)

    def instantiate(self) -> Any:
        """An instance for one rule: the shared value, or a fresh one from the class."""
        return instantiate(self.value, self.symbol, self.kind, self.where)

    def replace(self, value: Any, where: str, version: str) -> None:
        """Install new code and tell every watcher (runners switch on their own threads)."""
        with self._lock:
            self.value, self.where, self.version = value, where, version
            self.generation += 1
            watchers = list(self._watchers)
        for watcher in watchers:
            try:
                watcher(self)
            except Exception:  # a runner's bug must not stop the reload of others
                log.exception("plugin %s: a watcher failed on reload", self.name)

    def watch(self, callback: Callable[[PluginSlot], None]) -> None:
        with self._lock:
            self._watchers.append(callback)

    def unwatch(self, callback: Callable[[PluginSlot], None]) -> None:
        with self._lock:
            if callback in self._watchers:
                self._watchers.remove(callback)


@dataclass(slots=True)
class LoadedPlugin:
    """One plugin as eKuiper's plugin manager lists and describes it."""

    kind: PluginKind
    name: str
    version: str
    where: str
    functions: list[str] = field(default_factory=list)
    warning: str | None = None

    def describe(self) -> dict[str, Any]:
        """``{"name", "version"}`` as eKuiper's describe answers (plus ``functions``).

        A version-order warning rides along under ``warning`` so the CLI can show it.
        """
        info: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.kind == "function":
            info["functions"] = list(self.functions)
        if self.warning:
            info["warning"] = self.warning
        return info
