"""An MQTT connection's properties, named and defaulted as eKuiper names them.

eKuiper reads a source's properties from ``etc/mqtt_source.yaml`` (``default`` and
a conf key), a sink's from its action, and both may point at a shared connection of
``etc/connections/connection.yaml`` with ``connectionSelector``; the selected
connection's properties then replace the ones given beside it. Property names match
ignoring case, as eKuiper's struct decoding does. No paho here: the client wrapper
(:mod:`._paho`) reads this config.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias
from urllib.parse import urlsplit

from ...errors import MqttError, did_you_mean

__all__ = [
    "SOURCE_DEFAULTS",
    "MqttConfig",
    "ProtocolVersion",
    "as_config",
    "resolve_connection",
]

ProtocolVersion: TypeAlias = Literal["3.1", "3.1.1", "5"]

SOURCE_DEFAULTS: Mapping[str, Any] = {
    "qos": 1,
    "server": "tcp://127.0.0.1:1883",
    "protocolVersion": "3.1.1",
    "insecureSkipVerify": False,
}
"""The ``default`` section eKuiper ships in ``etc/mqtt_source.yaml`` (a sink's qos is 0)."""

_TLS_SCHEMES = frozenset({"ssl", "tls", "mqtts", "wss"})
_PLAIN_SCHEMES = frozenset({"tcp", "mqtt", "ws"})
_DEFAULT_PORTS = {"tcp": 1883, "mqtt": 1883, "ssl": 8883, "tls": 8883, "mqtts": 8883, "ws": 80, "wss": 443}
_VERSIONS: Mapping[str, ProtocolVersion] = {"3.1": "3.1", "3.1.1": "3.1.1", "4": "3.1.1", "5": "5"}
_TLS_MIN = ("tls1.0", "tls1.1", "tls1.2", "tls1.3")
_RENEGOTIATION = ("never", "once", "freely")

# eKuiper's property name -> our field; the docs spell certificationRaw "certficationRaw"
_PROPS: Mapping[str, str] = {
    "server": "server",
    "username": "username",
    "password": "password",
    "protocolversion": "protocol_version",
    "clientid": "client_id",
    "qos": "qos",
    "insecureskipverify": "insecure_skip_verify",
    "certificationpath": "certification_path",
    "privatekeypath": "private_key_path",
    "rootcapath": "root_ca_path",
    "certificationraw": "certification_raw",
    "certficationraw": "certification_raw",
    "privatekeyraw": "private_key_raw",
    "rootcaraw": "root_ca_raw",
    "tlsminversion": "tls_min_version",
    "renegotiationsupport": "renegotiation_support",
    "enableclientsession": "enable_client_session",
    "sessionexpiryintervalseconds": "session_expiry_interval_seconds",
    "clientstatepath": "client_state_path",
    "topic": "topic",
    "retained": "retained",
    "properties": "properties",
    "connectionselector": "connection_selector",
}


@dataclass(frozen=True, slots=True)
class MqttConfig:
    """One MQTT connection as eKuiper configures it (Go zero values as defaults).

    >>> c = MqttConfig.from_props({"server": "ssl://broker:8883", "protocolVersion": "5", "qos": 1})
    >>> c.host, c.port, c.tls, c.protocol_version, c.qos
    ('broker', 8883, True, '5', 1)
    """

    server: str = "tcp://127.0.0.1:1883"
    username: str = ""
    password: str = ""
    protocol_version: ProtocolVersion = "3.1.1"
    client_id: str = ""
    qos: int = 0
    insecure_skip_verify: bool = False
    certification_path: str = ""
    private_key_path: str = ""
    root_ca_path: str = ""
    certification_raw: str = ""
    private_key_raw: str = ""
    root_ca_raw: str = ""
    tls_min_version: str = ""
    renegotiation_support: str = ""
    enable_client_session: bool = False
    session_expiry_interval_seconds: int = 60
    client_state_path: str = ""
    topic: str = ""
    retained: bool = False
    properties: Mapping[str, str] = field(default_factory=dict)
    connection_selector: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Properties kuiper_dev does not act on (``decompression``, ``bufferLength`` ...), kept."""

    def __post_init__(self) -> None:
        _check(self)

    @classmethod
    def from_props(
        cls,
        props: Mapping[str, Any],
        *,
        connections: Mapping[str, Any] | None = None,
        defaults: Mapping[str, Any] | None = None,
    ) -> MqttConfig:
        """Read eKuiper's property map; ``connectionSelector`` is looked up in ``connections``.

        ``connections`` is ``connection.yaml`` as a mapping (``{"mqtt": {"name": {...}}}``);
        ``defaults`` go under ``props`` (pass :data:`SOURCE_DEFAULTS` for a source).

        >>> conns = {"mqtt": {"local": {"server": "tcp://10.0.0.1:1883", "username": "u"}}}
        >>> c = MqttConfig.from_props({"connectionSelector": "mqtt.local", "qos": 2}, connections=conns)
        >>> c.server, c.username, c.qos
        ('tcp://10.0.0.1:1883', 'u', 2)
        """
        merged = resolve_connection({**(defaults or {}), **props}, connections)
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in merged.items():
            name = _PROPS.get(str(key).lower())
            if name is None:
                extra[str(key)] = value
            elif value is not None:
                values[name] = _coerce(name, str(key), value)
        return cls(**values, extra=extra)

    @property
    def scheme(self) -> str:
        """The URL scheme of ``server``: tcp, mqtt, ssl, tls, mqtts, ws or wss."""
        return urlsplit(self.server).scheme.lower()

    @property
    def host(self) -> str:
        return urlsplit(self.server).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.server).port or _DEFAULT_PORTS[self.scheme]

    @property
    def path(self) -> str:
        """The websocket path (``ws://host/mqtt``); ``/mqtt`` when the URL names none."""
        return urlsplit(self.server).path or "/mqtt"

    @property
    def tls(self) -> bool:
        """Whether the connection is TLS: a TLS scheme, or any certificate or skip-verify."""
        return self.scheme in _TLS_SCHEMES

    @property
    def websocket(self) -> bool:
        return self.scheme in ("ws", "wss")

    @property
    def persistent(self) -> bool:
        """A non-clean session: the broker keeps subscriptions and queued QoS 1/2 messages."""
        return self.enable_client_session

    def with_client_id(self) -> MqttConfig:
        """This config with a client id; a random one when none is set, as eKuiper does.

        >>> MqttConfig(client_id="a").with_client_id().client_id
        'a'
        """
        if self.client_id:
            return self
        return dataclasses.replace(self, client_id=f"kuiper-dev-{uuid.uuid4().hex[:12]}")

    def replace(self, **changes: Any) -> MqttConfig:
        """A copy with ``changes`` (field names), checked again.

        >>> MqttConfig().replace(qos=2).qos
        2
        """
        return dataclasses.replace(self, **changes)


def as_config(url_or_config: str | MqttConfig | Mapping[str, Any]) -> MqttConfig:
    """A config from a broker URL, a property map or a config.

    >>> as_config("tcp://127.0.0.1:1884").port
    1884
    """
    if isinstance(url_or_config, MqttConfig):
        return url_or_config
    if isinstance(url_or_config, str):
        return MqttConfig(server=url_or_config)
    return MqttConfig.from_props(url_or_config)


def resolve_connection(
    props: Mapping[str, Any], connections: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``props`` with the selected shared connection's properties over them.

    The selector is ``mqtt.NAME`` (eKuiper 1.x docs) or ``NAME`` (eKuiper 2, looked
    up under ``mqtt:``). A selector that names nothing is an error, as in eKuiper 2.

    >>> resolve_connection({"connectionSelector": "c1", "qos": 1},
    ...                    {"mqtt": {"c1": {"server": "tcp://h:1883"}}})["server"]
    'tcp://h:1883'
    """
    out = dict(props)
    selector = next((v for k, v in props.items() if str(k).lower() == "connectionselector"), None)
    if not selector:
        return out
    if not isinstance(selector, str):
        raise MqttError(
            f"connectionSelector must be a text like mqtt.NAME, not {selector!r}; fix the property"
        )
    kind, _, name = selector.rpartition(".")
    section = (connections or {}).get(kind or "mqtt")
    if not isinstance(section, Mapping) or name not in section:
        known = list(section) if isinstance(section, Mapping) else []
        raise MqttError(
            f"connectionSelector {selector!r}: no connection {name!r} under "
            f"{kind or 'mqtt'!r} in connection.yaml.{did_you_mean(name, known)} "
            "Add it to connections/connection.yaml or fix the selector."
        )
    conn = section[name]
    if not isinstance(conn, Mapping):
        raise MqttError(
            f"connection {selector!r} in connection.yaml is not a mapping of properties; fix the file"
        )
    out.update({k: v for k, v in conn.items() if str(k).lower() != "xoperation"})
    return out


def _coerce(name: str, key: str, value: Any) -> Any:
    """A property value as the field wants it, or an error naming the property."""
    if name in ("qos", "session_expiry_interval_seconds"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise MqttError(f"{key} must be a whole number, not {value!r}; fix the property")
        try:
            number = float(value)
        except ValueError:
            raise MqttError(f"{key} must be a whole number, not {value!r}; fix the property") from None
        if number != int(number):
            raise MqttError(f"{key} must be a whole number, not {value!r}; fix the property")
        return int(number)
    if name in ("insecure_skip_verify", "enable_client_session", "retained"):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise MqttError(f"{key} must be true or false, not {value!r}; fix the property")
    if name == "protocol_version":
        text = str(value)
        version = _VERSIONS.get(text)
        if version is None:
            raise MqttError(
                f"unsupported protocol version {text} in protocolVersion; use 3.1, 3.1.1 (or 4) or 5"
            )
        return version
    if name == "properties":
        if not isinstance(value, Mapping):
            raise MqttError(f"{key} must be a map of text to text, not {value!r}; fix the property")
        return {str(k): str(v) for k, v in value.items()}
    if not isinstance(value, str):
        raise MqttError(f"{key} must be text, not {value!r}; fix the property")
    return value


def _check(c: MqttConfig) -> None:
    parts = urlsplit(c.server)
    scheme = parts.scheme.lower()
    if not c.server:
        raise MqttError("missing server property; set server, e.g. tcp://127.0.0.1:1883")
    if scheme not in _TLS_SCHEMES | _PLAIN_SCHEMES or not parts.hostname:
        raise MqttError(
            f"server {c.server!r} is not a broker URL; use tcp://HOST:PORT "
            "(or mqtt://, ssl://, mqtts://, ws://, wss://)"
        )
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        raise MqttError(f"server {c.server!r} has a bad port; use a number 1-65535") from None
    if c.protocol_version not in ("3.1", "3.1.1", "5"):
        raise MqttError(
            f"unsupported protocol version {c.protocol_version} in protocolVersion; use 3.1, 3.1.1 or 5"
        )
    if c.qos not in (0, 1, 2):
        raise MqttError(f"invalid qos value {c.qos}, the value could be only int 0 or 1 or 2")
    if c.tls_min_version and c.tls_min_version not in _TLS_MIN:
        raise MqttError(
            f"tlsMinVersion {c.tls_min_version!r} is unknown; use one of {', '.join(_TLS_MIN)}"
        )
    if c.renegotiation_support and c.renegotiation_support not in _RENEGOTIATION:
        raise MqttError(
            f"renegotiationSupport {c.renegotiation_support!r} is unknown; "
            f"use one of {', '.join(_RENEGOTIATION)}"
        )
    if c.session_expiry_interval_seconds < 0:
        raise MqttError("sessionExpiryIntervalSeconds must not be negative; fix the property")
