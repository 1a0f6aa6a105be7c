"""eKuiper's in-memory topics: memory sinks publish, memory streams and lookup tables read.

Topics match like MQTT topics. A lookup table keeps, per topic and key field, the
latest row for each key; an updatable memory sink changes it with the row's
``rowkindField`` verb (insert, update, upsert, delete), as eKuiper's docs describe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import RuleError
from .mqtt import topic_matches

__all__ = ["MemoryBus"]

Subscriber = Callable[[str, dict[str, Any]], None]
_VERBS = ("insert", "update", "upsert", "delete")


class MemoryBus:
    """The workspace's memory topics and the lookup tables built on them."""

    def __init__(self) -> None:
        self._subscribers: list[tuple[str, Subscriber]] = []
        self._tables: dict[tuple[str, str], dict[Any, dict[str, Any]]] = {}

    def subscribe(self, subscription: str, deliver: Subscriber) -> Callable[[], None]:
        """Deliver every row published to a matching topic; returns the unsubscribe call."""
        entry = (subscription, deliver)
        self._subscribers.append(entry)
        return lambda: self._subscribers.remove(entry) if entry in self._subscribers else None

    def table(self, topic: str, key: str) -> dict[Any, dict[str, Any]]:
        """The lookup table on ``topic`` keyed by ``key`` (shared by every rule using it)."""
        return self._tables.setdefault((topic, key), {})

    def publish(
        self, topic: str, row: dict[str, Any], *, rowkind_field: str = "", key_field: str = ""
    ) -> None:
        verb = "insert"
        if rowkind_field:
            raw = row.get(rowkind_field, "insert")
            verb = str(raw).lower() if raw is not None else "insert"
            if verb not in _VERBS:
                raise RuleError(
                    f"memory sink: unknown {rowkind_field} {raw!r}; use one of {', '.join(_VERBS)}"
                )
        for (table_topic, key), rows in self._tables.items():
            if not topic_matches(table_topic, topic):
                continue
            k = row.get(key_field or key)
            if verb == "delete":
                rows.pop(k, None)
            elif verb == "update" and k not in rows:
                continue
            else:
                rows[k] = dict(row)
        if verb == "delete":
            return
        for subscription, deliver in list(self._subscribers):
            if topic_matches(subscription, topic):
                deliver(topic, row)
