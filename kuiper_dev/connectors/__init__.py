"""Built-in sources and sinks: simulator and scenarios, in-memory feeds and topics,
plugin sources, recordings.

Every source fills the :class:`Source` slot and every sink the :class:`Sink` slot
of :mod:`.base`; MQTT and file connectors come next in the same slots.
"""

from __future__ import annotations

from .base import Deliver, Fail, FeedSource, Sink, Source
from .faults import FAULTS, ClockSkew, Dropout, Duplicate, Fault, Late, Malformed, OutOfOrder
from .memory import messages_from_rows
from .memory_bus import MemoryBus
from .mqtt import topic_matches
from .plugin_source import PluginSource
from .replay import RecordingSource, split_recording
from .scenarios import Scenario, Signal
from .simulator import SCENARIOS, SensorFleet, get_scenario, load_scenario, scenario_from_dict

__all__ = [
    "ClockSkew",
    "Deliver",
    "Dropout",
    "Duplicate",
    "FAULTS",
    "Fail",
    "Fault",
    "FeedSource",
    "Late",
    "Malformed",
    "MemoryBus",
    "OutOfOrder",
    "PluginSource",
    "RecordingSource",
    "SCENARIOS",
    "Scenario",
    "SensorFleet",
    "Signal",
    "Sink",
    "Source",
    "get_scenario",
    "load_scenario",
    "messages_from_rows",
    "scenario_from_dict",
    "split_recording",
    "topic_matches",
]
