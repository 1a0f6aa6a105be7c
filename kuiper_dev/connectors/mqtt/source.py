"""eKuiper's MQTT source: subscribe to a stream's DATASOURCE and deliver each message.

The DATASOURCE may list several topic filters separated by commas, as eKuiper's
MQTT source accepts. Each message carries the meta eKuiper's source gives a rule
(``topic``, ``qos``, ``messageId``; MQTT 5 user properties as ``properties``).
"""

from __future__ import annotations

from ...errors import MqttError
from ..base import Deliver, Fail
from ._paho import MqttClient
from .config import MqttConfig

__all__ = ["MqttSource"]


class MqttSource:
    """A live MQTT subscription in the :class:`~kuiper_dev.connectors.base.Source` slot.

    ``start`` connects and subscribes (an unreachable broker raises
    :class:`~kuiper_dev.errors.MqttError` within ``timeout``), then returns; messages
    arrive on paho's thread. Lost connections are reported through ``fail`` as
    status text while the client reconnects and the source goes on.

    >>> src = MqttSource(MqttConfig(qos=1), "sensors/+/temp, sensors/+/hum")
    >>> src.topics, src.qos
    (['sensors/+/temp', 'sensors/+/hum'], 1)
    """

    def __init__(
        self,
        config: MqttConfig,
        topic: str,
        *,
        qos: int | None = None,
        timeout: float = 5.0,
        reconnect_delay: tuple[float, float] = (0.25, 10.0),
    ) -> None:
        self.config = config if qos is None else config.replace(qos=qos)
        self.topics = [t.strip() for t in topic.split(",") if t.strip()]
        if not self.topics:
            raise MqttError("topic is required: give the stream a DATASOURCE such as sensors/#")
        self.timeout = timeout
        self.reconnect_delay = reconnect_delay
        self._client: MqttClient | None = None

    @property
    def qos(self) -> int:
        return self.config.qos

    @property
    def client(self) -> MqttClient | None:
        """The running client (None before ``start`` and after ``stop``)."""
        return self._client

    def start(self, deliver: Deliver, fail: Fail) -> None:
        client = MqttClient(
            self.config,
            on_message=deliver,
            on_status=lambda text: fail(f"mqtt source {','.join(self.topics)}: {text}"),
            timeout=self.timeout,
            reconnect_delay=self.reconnect_delay,
        )
        client.connect()
        try:
            client.subscribe(self.topics, self.qos)
        except BaseException:
            client.close()
            raise
        self._client = client

    def stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close(self.timeout)
