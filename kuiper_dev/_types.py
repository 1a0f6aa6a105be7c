"""Type aliases and small value types shared by every layer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

JsonValue: TypeAlias = Any
"""A value that survives a JSON round trip: None, bool, int, float, str, list, dict."""

Row: TypeAlias = dict[str, Any]
"""One message or result row, as eKuiper's maps."""

Emission: TypeAlias = list[dict[str, Any]]
"""What a sink receives at once: a list of result rows."""

QoS: TypeAlias = Literal[0, 1, 2]

PluginKind: TypeAlias = Literal["source", "sink", "function"]


NO_META: Mapping[str, Any] = MappingProxyType({})
"""The metadata of a message that has none: one read-only mapping shared by all."""


@dataclass(slots=True, init=False, repr=False)
class Message:
    """One MQTT-like message: what sources deliver and recordings hold.

    ``ts`` is the arrival time in epoch milliseconds; ``payload`` the raw bytes.
    Treat it as immutable. It is not a frozen dataclass because that makes every
    construction 3 to 6 times dearer, and a replay makes one per message; for the
    same reason a message without metadata shares :data:`NO_META`.

    >>> Message("a/b", b"{}", 7) == Message("a/b", b"{}", 7, meta={})
    True
    """

    topic: str
    payload: bytes
    ts: int
    qos: QoS
    retain: bool
    meta: Mapping[str, Any]

    def __init__(
        self,
        topic: str,
        payload: bytes,
        ts: int,
        qos: QoS = 0,
        retain: bool = False,
        meta: Mapping[str, Any] = NO_META,
    ) -> None:
        self.topic = topic
        self.payload = payload
        self.ts = ts
        self.qos = qos
        self.retain = retain
        self.meta = meta

    def __repr__(self) -> str:  # the shared NO_META shows as the {} it stands for
        return (
            f"Message(topic={self.topic!r}, payload={self.payload!r}, ts={self.ts!r}, "
            f"qos={self.qos!r}, retain={self.retain!r}, meta={dict(self.meta)!r})"
        )
