"""Built-in sources and sinks: MQTT, simulator and scenarios, file, in-memory feeds
and topics, plugin sources, recordings.

Every source fills the :class:`Source` slot and every sink the :class:`Sink` slot
of :mod:`.base`; MQTT lives in :mod:`.mqtt` (the one paho importer);
:class:`Builtins` maps eKuiper's connector TYPE names (``mqtt``, ``file``,
``simulator``, ``memory``) to their factories.
"""

from __future__ import annotations

from .base import Deliver, Fail, FeedSource, Sink, Source
from .builtin import (
    BUILTIN_SOURCE_DEFAULTS,
    Builtins,
    MemorySource,
    SinkFactory,
    SourceFactory,
    source_props,
)
from .faults import FAULTS, ClockSkew, Dropout, Duplicate, Fault, Late, Malformed, OutOfOrder
from .file import FileSink, FileSource
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
from .replay import RecordingSource, split_recording
from .scenarios import Scenario, Signal
from .simulator import SCENARIOS, SensorFleet, get_scenario, load_scenario, scenario_from_dict
from .simulator_source import SimulatorSource

__all__ = [
    "BUILTIN_SOURCE_DEFAULTS",
    "Builtins",
    "ClockSkew",
    "Deliver",
    "Dropout",
    "Duplicate",
    "FAULTS",
    "Fail",
    "Fault",
    "FeedSource",
    "FileSink",
    "FileSource",
    "Late",
    "Malformed",
    "MemoryBus",
    "MemorySource",
    "MqttConfig",
    "MqttSink",
    "MqttSource",
    "OutOfOrder",
    "PluginSource",
    "RecordStats",
    "RecordingSource",
    "SCENARIOS",
    "Scenario",
    "SensorFleet",
    "Signal",
    "SimulatorSource",
    "Sink",
    "SinkFactory",
    "Source",
    "SourceFactory",
    "broker",
    "get_scenario",
    "load_scenario",
    "messages_from_rows",
    "mosquitto",
    "record_live",
    "republish",
    "scenario_from_dict",
    "source_props",
    "split_recording",
    "topic_matches",
]
