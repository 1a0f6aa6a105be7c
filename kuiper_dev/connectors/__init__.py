"""Built-in sources and sinks: simulator and in-memory feeds (mqtt, file, replay to come)."""

from __future__ import annotations

from .memory import messages_from_rows
from .simulator import SensorFleet

__all__ = ["SensorFleet", "messages_from_rows"]
