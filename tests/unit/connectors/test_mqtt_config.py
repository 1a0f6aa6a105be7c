"""MqttConfig reads eKuiper's property names and defaults, and refuses bad values by name."""

from __future__ import annotations

import ssl

import pytest

from kuiper_dev.connectors.mqtt import SOURCE_DEFAULTS, MqttConfig, as_config, resolve_connection
from kuiper_dev.connectors.mqtt._tls import tls_context
from kuiper_dev.errors import MqttError


def test_defaults_are_ekuipers() -> None:
    c = MqttConfig.from_props({})
    assert (c.server, c.protocol_version, c.qos, c.client_id) == ("tcp://127.0.0.1:1883", "3.1.1", 0, "")
    assert (c.insecure_skip_verify, c.enable_client_session, c.retained) == (False, False, False)
    assert c.session_expiry_interval_seconds == 60  # eKuiper's v5 client default
    source = MqttConfig.from_props({}, defaults=SOURCE_DEFAULTS)
    assert source.qos == 1  # etc/mqtt_source.yaml's default section


def test_property_names_match_ignoring_case_and_unknown_ones_are_kept() -> None:
    c = MqttConfig.from_props({
        "Server": "mqtts://broker.example:8884", "USERNAME": "u", "password": "p",
        "clientId": "c1", "protocolVersion": "4", "QoS": "2", "insecureSkipVerify": "true",
        "certficationRaw": "QQ==", "enableClientSession": True, "decompression": "gzip",
        "bufferLength": 1024,
    })
    assert (c.host, c.port, c.tls, c.scheme) == ("broker.example", 8884, True, "mqtts")
    assert (c.username, c.password, c.client_id, c.protocol_version, c.qos) == ("u", "p", "c1", "3.1.1", 2)
    assert c.insecure_skip_verify is True and c.certification_raw == "QQ==" and c.persistent
    assert c.extra == {"decompression": "gzip", "bufferLength": 1024}


@pytest.mark.parametrize(
    ("server", "port", "tls", "websocket"),
    [
        ("tcp://h", 1883, False, False),
        ("mqtt://h:1999", 1999, False, False),
        ("ssl://h", 8883, True, False),
        ("tls://h", 8883, True, False),
        ("ws://h/mqtt", 80, False, True),
        ("wss://h", 443, True, True),
    ],
)
def test_server_schemes(server: str, port: int, tls: bool, websocket: bool) -> None:
    c = MqttConfig(server=server)
    assert (c.port, c.tls, c.websocket) == (port, tls, websocket)


@pytest.mark.parametrize(
    ("props", "names"),
    [
        ({"qos": 3}, ["qos", "0 or 1 or 2"]),
        ({"qos": "high"}, ["qos", "whole number"]),
        ({"qos": 1.5}, ["qos", "whole number"]),
        ({"protocolVersion": "6"}, ["protocolVersion", "3.1.1", "5"]),
        ({"server": "http://h:1883"}, ["server", "tcp://"]),
        ({"server": "127.0.0.1:1883"}, ["server", "tcp://"]),
        ({"server": "tcp://h:99999"}, ["port"]),
        ({"server": ""}, ["missing server"]),
        ({"insecureSkipVerify": "yes"}, ["insecureSkipVerify", "true or false"]),
        ({"username": 5}, ["username", "text"]),
        ({"tlsMinVersion": "ssl3"}, ["tlsMinVersion", "tls1.2"]),
        ({"renegotiationSupport": "always"}, ["renegotiationSupport", "never"]),
        ({"properties": ["a"]}, ["properties", "map"]),
    ],
)
def test_bad_values_name_the_property_and_the_fix(props: dict[str, object], names: list[str]) -> None:
    with pytest.raises(MqttError) as info:
        MqttConfig.from_props(props)
    for name in names:
        assert name in str(info.value)


def test_connection_selector_both_spellings_override_the_given_properties() -> None:
    conns = {"mqtt": {"local": {"server": "tcp://10.0.0.2:1883", "username": "x", "xOperation": "create"}}}
    for selector in ("mqtt.local", "local"):
        merged = resolve_connection({"connectionSelector": selector, "server": "tcp://a:1", "qos": 1}, conns)
        assert merged["server"] == "tcp://10.0.0.2:1883" and merged["username"] == "x"
        assert merged["qos"] == 1 and "xOperation" not in merged
    assert resolve_connection({"qos": 2}, None) == {"qos": 2}


def test_unknown_connection_selector_suggests_a_name() -> None:
    conns = {"mqtt": {"localConnection": {"server": "tcp://h:1883"}}}
    with pytest.raises(MqttError) as info:
        MqttConfig.from_props({"connectionSelector": "mqtt.localConection"}, connections=conns)
    text = str(info.value)
    assert "localConection" in text and 'Did you mean "localConnection"?' in text
    assert "connection.yaml" in text


def test_as_config_and_client_ids() -> None:
    assert as_config("ssl://h:1").tls and as_config({"server": "tcp://h:2"}).port == 2
    c = MqttConfig()
    assert as_config(c) is c
    a, b = c.with_client_id().client_id, c.with_client_id().client_id
    assert a != b and a.startswith("kuiper-dev-")


def test_tls_context_follows_the_properties(tmp_path: object) -> None:
    strict = tls_context(MqttConfig(server="ssl://h", tls_min_version="tls1.3"))
    assert strict.verify_mode == ssl.CERT_REQUIRED and strict.check_hostname
    assert strict.minimum_version == ssl.TLSVersion.TLSv1_3
    loose = tls_context(MqttConfig(server="ssl://h", insecure_skip_verify=True))
    assert loose.verify_mode == ssl.CERT_NONE and not loose.check_hostname


@pytest.mark.parametrize(
    ("props", "names"),
    [
        ({"rootCaPath": "/nonexistent/ca.pem"}, ["/nonexistent/ca.pem", "rootCaPath"]),
        ({"rootCARaw": "not base64!"}, ["rootCARaw", "base64"]),
        ({"certificationPath": "/nonexistent/c.pem"}, ["privateKeyPath"]),
        ({"certificationPath": "/x/c.pem", "privateKeyPath": "/x/k.pem"}, ["/x/c.pem", "certificationPath"]),
    ],
)
def test_tls_errors_name_the_property(props: dict[str, object], names: list[str]) -> None:
    with pytest.raises(MqttError) as info:
        tls_context(MqttConfig.from_props({"server": "ssl://h", **props}))
    for name in names:
        assert name in str(info.value)
