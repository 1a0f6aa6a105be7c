"""Built-in sources and sinks: simulator, in-memory feeds and topics (mqtt, file, replay to come)."""

from __future__ import annotations

from .memory import messages_from_rows
from .memory_bus import MemoryBus
from .mqtt import topic_matches
from .simulator import SensorFleet

__all__ = ["MemoryBus", "SensorFleet", "messages_from_rows", "topic_matches"]
