"""Type aliases and small value types shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

JsonValue: TypeAlias = Any
"""A value that survives a JSON round trip: None, bool, int, float, str, list, dict."""

Row: TypeAlias = dict[str, Any]
"""One message or result row, as eKuiper's maps."""

Emission: TypeAlias = list[dict[str, Any]]
"""What a sink receives at once: a list of result rows."""

QoS: TypeAlias = Literal[0, 1, 2]

PluginKind: TypeAlias = Literal["source", "sink", "function"]


@dataclass(frozen=True, slots=True)
class Message:
    """One MQTT-like message: what sources deliver and recordings hold.

    ``ts`` is the arrival time in epoch milliseconds; ``payload`` the raw bytes.
    """

    topic: str
    payload: bytes
    ts: int
    qos: QoS = 0
    retain: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
