"""Built-in sources and sinks: simulator, in-memory feeds and topics, plugin sources, MQTT.

Every source fills the :class:`Source` slot and every sink the :class:`Sink` slot
of :mod:`.base`; file and recording connectors come next in the same slots.
"""

from __future__ import annotations

from .base import Deliver, Fail, FeedSource, Sink, Source
from .memory import messages_from_rows
from .memory_bus import MemoryBus
from .mqtt import (
    MqttConfig,
    MqttSink,
    MqttSource,
    RecordStats,
    broker,
    mosquitto,
    record_live,
    republish,
    topic_matches,
)
from .plugin_source import PluginSource
from .simulator import SensorFleet

__all__ = [
    "Deliver",
    "Fail",
    "FeedSource",
    "MemoryBus",
    "MqttConfig",
    "MqttSink",
    "MqttSource",
    "PluginSource",
    "RecordStats",
    "SensorFleet",
    "Sink",
    "Source",
    "broker",
    "messages_from_rows",
    "mosquitto",
    "record_live",
    "republish",
    "topic_matches",
]
