"""MQTT for real: paho-mqtt connectors, brokers for tests, a live recorder, a republisher.

Only :mod:`._paho` imports paho-mqtt (STYLE habit 14); the rest of the package goes
through its :class:`MqttClient`. :mod:`.config` reads eKuiper's connection
properties, :mod:`.source` and :mod:`.sink` fill the connector slots,
:mod:`.brokers` starts an embedded amqtt broker or a mosquitto process,
:mod:`.live` records and republishes, and :mod:`._wire` reads plain TCP under paho
in chunks, parsing runs of QoS 0 messages itself (paho's per-packet path bounded
a live rule's rate).
"""

from __future__ import annotations

from ._paho import MqttClient, topic_matches
from .brokers import EmbeddedBroker, MosquittoBroker, broker, mosquitto
from .config import SOURCE_DEFAULTS, MqttConfig, ProtocolVersion, as_config, resolve_connection
from .live import RecordStats, record_live, republish
from .sink import MqttSink
from .source import MqttSource

__all__ = [
    "EmbeddedBroker",
    "MosquittoBroker",
    "MqttClient",
    "MqttConfig",
    "MqttSink",
    "MqttSource",
    "ProtocolVersion",
    "RecordStats",
    "SOURCE_DEFAULTS",
    "as_config",
    "broker",
    "mosquitto",
    "record_live",
    "republish",
    "resolve_connection",
    "topic_matches",
]
