"""Capture live MQTT traffic and publish it again: the wire half of record and replay.

:func:`record_live` hands every arriving message to a ``write`` callback (the
recording writer lives in :mod:`kuiper_dev.recording`; this module does not know
it); :func:`republish` sends messages back in order. Pacing a replay is the
caller's: it passes an iterable that yields each message when it is due.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..._types import Message
from ...errors import MqttError
from ._paho import MqttClient
from .config import MqttConfig, as_config

__all__ = ["RecordStats", "record_live", "republish"]

StopReason = Literal["count", "duration", "stop", "interrupt"]


@dataclass(slots=True)
class RecordStats:
    """What a recording session got: messages, payload bytes, reconnects, why it ended.

    >>> RecordStats(client_id="c").count
    0
    """

    count: int = 0
    bytes: int = 0
    started_ms: int = 0
    ended_ms: int = 0
    reconnects: int = 0
    stopped_by: StopReason | None = None
    client_id: str = ""
    status: list[str] = field(default_factory=list)
    """Disconnects, reconnects and errors reported by the client, in order."""


def _ms() -> int:
    return time.time_ns() // 1_000_000


def record_live(
    url_or_config: str | MqttConfig | Mapping[str, Any],
    topics: str | Sequence[str],
    write: Callable[[Message], None],
    *,
    count: int | None = None,
    duration: float | None = None,
    qos: int = 0,
    client_id: str | None = None,
    persistent: bool = False,
    on_progress: Callable[[RecordStats], None] | None = None,
    stop: threading.Event | None = None,
    timeout: float = 5.0,
) -> RecordStats:
    """Subscribe to ``topics`` and ``write`` each message until count, duration or stop.

    ``write`` runs in the caller's thread, in arrival order, with the exact payload
    bytes, arrival time (epoch ms), topic, QoS and retain flag. The client reconnects
    after a broker restart; ``persistent`` asks for a non-clean session so QoS 1/2
    messages queued meanwhile arrive (give a ``client_id`` to resume one across
    runs). Ctrl-C ends the recording like ``stop``: whatever arrived is written.
    An unreachable broker raises :class:`~kuiper_dev.errors.MqttError`.

    >>> from kuiper_dev.connectors.mqtt import broker
    >>> with broker() as b:
    ...     _ = republish([Message("demo/t", b"21.5", 0, qos=1, retain=True)], b.url)
    ...     got = []
    ...     stats = record_live(b.url, "demo/#", got.append, count=1, duration=5, qos=1)
    >>> stats.stopped_by, [(m.topic, m.payload, m.retain) for m in got]
    ('count', [('demo/t', b'21.5', True)])
    """
    if count is not None and count < 1:
        raise MqttError(f"count must be at least 1, not {count}; or leave it out")
    if duration is not None and duration <= 0:
        raise MqttError(f"duration must be positive seconds, not {duration}; or leave it out")
    filters = [topics] if isinstance(topics, str) else list(topics)
    if not filters:
        raise MqttError("record_live needs at least one topic filter, such as sensors/#")
    config = as_config(url_or_config).replace(enable_client_session=persistent, qos=qos)
    if client_id:
        config = config.replace(client_id=client_id)
    stats = RecordStats()
    inbox: queue.SimpleQueue[Message] = queue.SimpleQueue()
    client = MqttClient(config, on_message=inbox.put, on_status=stats.status.append, timeout=timeout)
    stats.client_id = client.config.client_id
    client.connect()
    stats.started_ms = _ms()
    deadline = None if duration is None else time.monotonic() + duration

    def take(message: Message) -> bool:
        write(message)
        stats.count += 1
        stats.bytes += len(message.payload)
        if on_progress is not None:
            on_progress(stats)
        return count is not None and stats.count >= count

    try:
        client.subscribe(filters, qos)
        while True:
            if stop is not None and stop.is_set():
                stats.stopped_by = "stop"
                break
            wait = 0.1
            if deadline is not None:
                wait = min(wait, deadline - time.monotonic())
                if wait <= 0:
                    stats.stopped_by = "duration"
                    break
            try:
                message = inbox.get(timeout=wait)
            except queue.Empty:
                continue
            if take(message):
                stats.stopped_by = "count"
                break
    except KeyboardInterrupt:
        stats.stopped_by = "interrupt"
    finally:
        client.close(timeout)
        stats.reconnects = client.reconnects
        # what arrived before a stop is kept; not after count, nor when write itself failed
        while stats.stopped_by in ("stop", "duration", "interrupt"):
            try:
                message = inbox.get_nowait()
            except queue.Empty:
                break
            if take(message):
                break
        stats.ended_ms = _ms()
    return stats


def republish(
    messages: Iterable[Message],
    url_or_config: str | MqttConfig | Mapping[str, Any],
    *,
    on_progress: Callable[[int], None] | None = None,
    client_id: str | None = None,
    max_inflight: int = 1000,
    timeout: float = 10.0,
) -> int:
    """Publish ``messages`` in order, each with its own QoS and retain flag; returns how many.

    At most ``max_inflight`` QoS 1/2 messages wait for their acknowledgement at a
    time; the call returns once all are acknowledged (MqttError after ``timeout``).
    MQTT keeps the order of the messages of one QoS level; a subscriber may see
    messages of different levels interleave (QoS 2 ones complete a round trip later).

    >>> from kuiper_dev.connectors.mqtt import broker
    >>> with broker() as b:
    ...     republish([Message("a", b"1", 0, qos=1), Message("b", b"2", 0, qos=2)], b.url)
    2
    """
    config = as_config(url_or_config)
    if client_id:
        config = config.replace(client_id=client_id)
    client = MqttClient(config, max_inflight=max_inflight, timeout=timeout)
    client.connect()
    sent = 0
    try:
        for m in messages:
            client.publish(m.topic, m.payload, m.qos, m.retain)
            sent += 1
            if on_progress is not None:
                on_progress(sent)
        if not client.flush(timeout):
            raise MqttError(
                f"{client.inflight} of {sent} messages to {client.url} were not acknowledged "
                f"within {timeout:g} s; check the broker"
            )
    finally:
        client.close(timeout)
    return sent
