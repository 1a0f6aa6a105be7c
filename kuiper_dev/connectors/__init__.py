"""Built-in sources and sinks: simulator, in-memory feeds and topics, plugin sources.

Every source fills the :class:`Source` slot and every sink the :class:`Sink` slot
of :mod:`.base`; MQTT, file and recording connectors come next in the same slots.
"""

from __future__ import annotations

from .base import Deliver, Fail, FeedSource, Sink, Source
from .memory import messages_from_rows
from .memory_bus import MemoryBus
from .mqtt import topic_matches
from .plugin_source import PluginSource
from .simulator import SensorFleet

__all__ = [
    "Deliver",
    "Fail",
    "FeedSource",
    "MemoryBus",
    "PluginSource",
    "SensorFleet",
    "Sink",
    "Source",
    "messages_from_rows",
    "topic_matches",
]
