"""Built-in sources and sinks: simulator, file, in-memory feeds and topics, plugin sources.

Every source fills the :class:`Source` slot and every sink the :class:`Sink` slot
of :mod:`.base`; :class:`Builtins` maps eKuiper's connector TYPE names (``file``,
``simulator``, ``memory``) to their factories. MQTT and recording connectors come
next in the same slots.
"""

from __future__ import annotations

from .base import Deliver, Fail, FeedSource, Sink, Source
from .builtin import (
    BUILTIN_SOURCE_DEFAULTS,
    Builtins,
    MemorySource,
    SinkFactory,
    SourceFactory,
    sink_factory,
    source_factory,
    source_props,
)
from .file import FileSink, FileSource
from .memory import messages_from_rows
from .memory_bus import MemoryBus
from .mqtt import topic_matches
from .plugin_source import PluginSource
from .simulator import SensorFleet
from .simulator_source import SimulatorSource

__all__ = [
    "BUILTIN_SOURCE_DEFAULTS",
    "Builtins",
    "Deliver",
    "Fail",
    "FeedSource",
    "FileSink",
    "FileSource",
    "MemoryBus",
    "MemorySource",
    "PluginSource",
    "SensorFleet",
    "SimulatorSource",
    "Sink",
    "SinkFactory",
    "Source",
    "SourceFactory",
    "messages_from_rows",
    "sink_factory",
    "source_factory",
    "source_props",
    "topic_matches",
]
