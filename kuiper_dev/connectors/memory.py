"""Feeds from Python data: a list of dicts becomes timed messages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from .._types import Message

__all__ = ["messages_from_rows"]


def messages_from_rows(
    rows: Iterable[dict[str, Any]],
    *,
    topic: str = "",
    timestamps: Sequence[int] | None = None,
    interval_ms: int = 1000,
    start_ms: int = 1_700_000_000_000,
) -> Iterator[Message]:
    """Encode each row as a JSON message arriving at ``timestamps[i]`` or at a fixed interval.

    Rows go through JSON exactly as a broker would carry them, so typed streams
    see the same values they would see from MQTT.
    """
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise TypeError(f"row {i} is a {type(row).__name__}; each row must be a dict")
        if timestamps is not None:
            if i >= len(timestamps):
                raise ValueError(f"{len(timestamps)} timestamps for more rows; give one per row")
            ts = int(timestamps[i])
        else:
            ts = start_ms + i * interval_ms
        yield Message(topic, orjson.dumps(row), ts)
