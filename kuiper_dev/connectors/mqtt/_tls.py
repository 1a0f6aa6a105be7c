"""The TLS context of an ``ssl://``/``mqtts://`` connection, from eKuiper's TLS properties.

As eKuiper's ``pkg/cert``: file paths win over the base64 ``*Raw`` texts, the minimum
version defaults to TLS 1.2, ``insecureSkipVerify`` accepts any certificate and host.
"""

from __future__ import annotations

import base64
import binascii
import os
import ssl
import tempfile

from ...errors import MqttError
from .config import MqttConfig

__all__ = ["tls_context"]

_VERSIONS = {
    "tls1.0": ssl.TLSVersion.TLSv1,
    "tls1.1": ssl.TLSVersion.TLSv1_1,
    "tls1.2": ssl.TLSVersion.TLSv1_2,
    "tls1.3": ssl.TLSVersion.TLSv1_3,
}


def tls_context(config: MqttConfig) -> ssl.SSLContext:
    """A client context for ``config``; errors name the property and the file.

    >>> ctx = tls_context(MqttConfig(server="ssl://h:8883", insecure_skip_verify=True))
    >>> ctx.verify_mode == ssl.CERT_NONE, ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    (True, True)
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = _VERSIONS[config.tls_min_version or "tls1.2"]
    if config.insecure_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    try:
        if config.root_ca_path:
            ctx.load_verify_locations(cafile=config.root_ca_path)
        elif config.root_ca_raw:
            ctx.load_verify_locations(cadata=_b64("rootCARaw", config.root_ca_raw).decode())
        else:
            ctx.load_default_certs()
    except (OSError, ssl.SSLError, UnicodeDecodeError) as e:
        where = config.root_ca_path or "rootCARaw"
        raise MqttError(f"cannot load the root CA from {where}: {e}; fix rootCaPath/rootCARaw") from e
    if config.certification_path or config.private_key_path:
        _load_pair(ctx, config.certification_path, config.private_key_path)
    elif config.certification_raw or config.private_key_raw:
        cert = _b64("certificationRaw", config.certification_raw)
        key = _b64("privateKeyRaw", config.private_key_raw)
        # ssl loads a key pair only from files: write them for the call, then remove
        with tempfile.TemporaryDirectory(prefix="kuiper-dev-tls-") as tmp:
            cert_file, key_file = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
            for path, data in ((cert_file, cert), (key_file, key)):
                with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as f:
                    f.write(data)
            _load_pair(ctx, cert_file, key_file)
    return ctx


def _load_pair(ctx: ssl.SSLContext, cert: str, key: str) -> None:
    if not cert or not key:
        raise MqttError(
            "a client certificate needs both certificationPath and privateKeyPath; set the missing one"
        )
    try:
        ctx.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as e:
        raise MqttError(
            f"cannot load the client certificate {cert} with key {key}: {e}; "
            "fix certificationPath/privateKeyPath"
        ) from e


def _b64(prop: str, text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise MqttError(f"{prop} is not base64 text: {e}; encode the PEM file with base64") from e
