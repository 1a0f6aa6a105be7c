"""TLS as eKuiper configures it (ssl://, rootCaPath, rootCARaw, insecureSkipVerify) against mosquitto."""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kuiper_dev._types import Message
from kuiper_dev.connectors.mqtt import MosquittoBroker, MqttConfig, MqttSource, mosquitto, republish
from kuiper_dev.errors import MqttError

from .conftest import wait_until


def _openssl(*args: str, cwd: Path) -> None:
    exe = shutil.which("openssl")
    assert exe, "the TLS tests need the openssl command (apt-get install openssl)"
    subprocess.run([exe, *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throw-away CA and a server certificate for 127.0.0.1 signed by it."""
    d = tmp_path_factory.mktemp("tls")
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "2", "-subj", "/CN=kuiper-dev test CA", cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=127.0.0.1", cwd=d)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext", cwd=d)
    return d


@pytest.fixture
def tls_broker(certs: Path) -> Iterator[tuple[MosquittoBroker, str]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    extra = (f"listener {port} 127.0.0.1\ncafile {certs / 'ca.crt'}\n"
             f"certfile {certs / 'server.crt'}\nkeyfile {certs / 'server.key'}\n")
    with mosquitto(extra_config=extra) as b:
        assert wait_until(lambda: _listening(port), 5)
        yield b, f"ssl://127.0.0.1:{port}"


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _round_trip(b: MosquittoBroker, props: dict[str, object]) -> bytes:
    got: list[Message] = []
    src = MqttSource(MqttConfig.from_props(props), "tls/#", qos=1)
    src.start(got.append, lambda s: None)
    try:
        republish([Message("tls/x", b"secret", 0, qos=1)], b.url)  # in over plain TCP
        assert wait_until(lambda: bool(got), 5)
    finally:
        src.stop()
    return got[0].payload


def test_root_ca_path_and_raw_verify_the_broker(tls_broker: tuple[MosquittoBroker, str], certs: Path) -> None:
    b, url = tls_broker
    assert _round_trip(b, {"server": url, "rootCaPath": str(certs / "ca.crt")}) == b"secret"
    raw = base64.b64encode((certs / "ca.crt").read_bytes()).decode()
    assert _round_trip(b, {"server": url, "rootCARaw": raw, "tlsMinVersion": "tls1.2"}) == b"secret"


def test_insecure_skip_verify_accepts_an_unknown_ca(tls_broker: tuple[MosquittoBroker, str]) -> None:
    b, url = tls_broker
    assert _round_trip(b, {"server": url, "insecureSkipVerify": True}) == b"secret"


def test_an_unverifiable_broker_is_refused_with_a_clear_error(tls_broker: tuple[MosquittoBroker, str]) -> None:
    _, url = tls_broker
    with pytest.raises(MqttError) as info:
        republish([Message("t", b"", 0)], url, timeout=3)
    assert url in str(info.value) and "CERTIFICATE_VERIFY_FAILED" in str(info.value)
