"""eKuiper's MQTT sink: publish each emission a rule's action produces.

``collect`` takes what the action made of an emission: text (a ``dataTemplate``'s
output) goes as its UTF-8 bytes, bytes as they are, a map or a list as Go-compatible
JSON. The topic may hold a Go template (eKuiper's dynamic topic, ``{{.mytopic}}``),
rendered over the emission's data: one row with ``sendSingle``, else the list.
"""

from __future__ import annotations

from typing import Any

from ...errors import MqttError
from ...go import json as go_json
from ...gotemplate import Template, parse
from ._paho import MqttClient
from .config import MqttConfig

__all__ = ["MqttSink"]


class MqttSink:
    """A live MQTT publisher in the :class:`~kuiper_dev.connectors.base.Sink` slot.

    Connects on the first ``collect`` (or ``connect()``); at most ``max_inflight``
    QoS 1/2 messages wait for their acknowledgement, further ``collect`` calls wait.
    ``close`` flushes within ``timeout``.

    >>> sink = MqttSink(MqttConfig(), "alerts/{{.device}}", qos=1)
    >>> sink.topic_for({"device": "d1"}), sink.encode({"t": 20.0})
    ('alerts/d1', b'{"t":20}')
    """

    def __init__(
        self,
        config: MqttConfig,
        topic: str | None = None,
        *,
        qos: int | None = None,
        retained: bool | None = None,
        max_inflight: int = 1000,
        timeout: float = 5.0,
    ) -> None:
        changes: dict[str, Any] = {}
        if qos is not None:
            changes["qos"] = qos
        if retained is not None:
            changes["retained"] = retained
        self.config = config.replace(**changes) if changes else config
        self.topic = config.topic if topic is None else topic
        if not self.topic:
            raise MqttError("mqtt sink is missing property topic; set topic, e.g. results/avg")
        if "#" in self.topic or "+" in self.topic:
            raise MqttError(
                f"mqtt sink topic shouldn't contain # or +: {self.topic!r}; publish to a plain topic"
            )
        self._template: Template | None = parse(self.topic) if "{{" in self.topic else None
        self.max_inflight = max_inflight
        self.timeout = timeout
        self.sent = 0
        self._client: MqttClient | None = None

    @property
    def qos(self) -> int:
        return self.config.qos

    @property
    def retained(self) -> bool:
        return self.config.retained

    def connect(self) -> None:
        """Connect now instead of at the first ``collect``; MqttError if unreachable."""
        if self._client is None:
            client = MqttClient(self.config, max_inflight=self.max_inflight, timeout=self.timeout)
            client.connect()
            self._client = client

    def collect(self, data: Any, *, row: Any = None) -> None:
        """Publish one emission; ``row`` is what a dynamic topic renders over (default ``data``)."""
        payload = self.encode(data)
        topic = self.topic_for(data if row is None else row)
        self.connect()
        assert self._client is not None
        self._client.publish(topic, payload, self.qos, self.retained, dict(self.config.properties))
        self.sent += 1

    def encode(self, data: Any) -> bytes:
        """The payload bytes for ``data``: text as UTF-8, bytes as is, maps and lists as JSON."""
        if isinstance(data, bytes | bytearray | memoryview):
            return bytes(data)
        if isinstance(data, str):
            return data.encode("utf-8")
        if isinstance(data, dict | list):
            return go_json.dumps(data).encode("utf-8")
        raise MqttError(
            f"mqtt sink cannot publish a {type(data).__name__}; give it text, bytes, a map or a list"
        )

    def topic_for(self, data: Any) -> str:
        """The topic for one emission: the dynamic topic rendered over ``data``."""
        if self._template is None:
            return self.topic
        if not isinstance(data, dict | list):
            raise MqttError(
                f"the dynamic topic {self.topic!r} needs the emission's rows to render over; "
                "pass row=... to collect"
            )
        topic = self._template.execute(data)
        if not topic or "#" in topic or "+" in topic:
            raise MqttError(
                f"the dynamic topic {self.topic!r} rendered {topic!r}, not a topic to publish to; "
                "check the field it reads"
            )
        return topic

    def flush(self, timeout: float | None = None) -> bool:
        """Wait for every acknowledgement; False if some are missing after ``timeout``."""
        return self._client is None or self._client.flush(timeout)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if not client.flush(self.timeout):
                raise MqttError(
                    f"{client.inflight} messages to {client.url} were not acknowledged within "
                    f"{self.timeout:g} s; check the broker (they may be lost)"
                )
        finally:
            client.close(self.timeout)
