"""The recording format: one header line, then one JSON line per message (DESIGN.md).

A message line carries the arrival time in epoch ms, the topic, QoS, retain flag
and the payload: as text when its bytes are UTF-8 (so a recording stays readable
with ``head`` and ``grep``), else as ``payload_b64``. Either way the bytes come
back exactly as they were recorded.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import orjson

from .._types import JsonValue, Message, QoS
from ..errors import RecordingError

__all__ = [
    "FORMAT",
    "VERSION",
    "RecordingHeader",
    "decode_header",
    "decode_message",
    "encode_header",
    "encode_message",
    "encode_messages",
]

FORMAT = "kuiper-dev-recording"
"""The ``format`` value of every header line."""

VERSION = 1
"""The newest format version this kuiper_dev reads and the one it writes."""

_HEADER_KEYS = ("format", "version", "broker", "topics", "start_ms")


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    """What the first line says: where and when the traffic was captured.

    ``extra`` keeps any other keys of the header (a simulation's scenario and seed,
    say), so a newer writer's additions survive a read.

    >>> RecordingHeader(broker="mqtt://127.0.0.1:1883", topics=("f/#",), start_ms=5).topics
    ('f/#',)
    """

    broker: str = ""
    topics: tuple[str, ...] = ()
    start_ms: int = 0
    version: int = VERSION
    extra: Mapping[str, JsonValue] = field(default_factory=dict, hash=False)


def encode_header(header: RecordingHeader) -> bytes:
    """The header line, newline included.

    >>> encode_header(RecordingHeader(topics=("a",), start_ms=1))
    b'{"format":"kuiper-dev-recording","version":1,"broker":"","topics":["a"],"start_ms":1}\\n'
    """
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": header.version,
        "broker": header.broker,
        "topics": list(header.topics),
        "start_ms": header.start_ms,
    }
    for key, value in header.extra.items():
        if key not in data:
            data[key] = value
    return orjson.dumps(data) + b"\n"


def decode_header(line: bytes, where: str) -> RecordingHeader:
    """The header of a recording's first line; ``where`` names the file in errors.

    >>> decode_header(b'{"format":"kuiper-dev-recording","version":1}', "x.jsonl").version
    1
    """
    fix = "check the path, or record one with `kuiper-dev record` or RecordingWriter"
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordingError(
            f"{where} is not a kuiper-dev recording: its first line is not a "
            f'{{"format":"{FORMAT}",...}} header; {fix}'
        )
    version = data.get("version")
    if type(version) is not int or version < 1:
        raise RecordingError(f"{where} has a header without a valid version; {fix}")
    if version > VERSION:
        raise RecordingError(
            f"{where} is a version {version} recording and this kuiper_dev reads up to "
            f"version {VERSION}; upgrade kuiper_dev to read it"
        )
    broker = data.get("broker", "")
    topics = data.get("topics", [])
    start_ms = data.get("start_ms", 0)
    if not isinstance(broker, str) or not _is_str_list(topics) or type(start_ms) is not int:
        raise RecordingError(
            f"{where} has a malformed header (broker must be text, topics a list of text, "
            f"start_ms an integer); {fix}"
        )
    extra = {k: v for k, v in data.items() if k not in _HEADER_KEYS}
    return RecordingHeader(broker, tuple(topics), start_ms, version, extra)


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(t, str) for t in value)


def encode_message(message: Message) -> bytes:
    """One message line, newline included; text payloads stay text.

    >>> encode_message(Message("a/b", b"hi", 7))
    b'{"ts":7,"topic":"a/b","qos":0,"retain":false,"payload":"hi"}\\n'
    >>> encode_message(Message("a/b", b"\\xff", 7, qos=1))
    b'{"ts":7,"topic":"a/b","qos":1,"retain":false,"payload_b64":"/w=="}\\n'
    """
    if type(message.ts) is not int:
        raise TypeError(
            f"message ts must be an int of epoch milliseconds, got {message.ts!r}; "
            "convert it with int(...)"
        )
    data: dict[str, Any] = {
        "ts": message.ts,
        "topic": message.topic,
        "qos": message.qos,
        "retain": message.retain,
    }
    try:
        data["payload"] = message.payload.decode("utf-8")
    except UnicodeDecodeError:
        data["payload_b64"] = base64.b64encode(message.payload).decode("ascii")
    return orjson.dumps(data) + b"\n"


def decode_message(line: bytes) -> Message:
    """The message of one line; ValueError says what is wrong with a bad line.

    >>> decode_message(b'{"ts":7,"topic":"a/b","qos":1,"retain":true,"payload":"hi"}')
    Message(topic='a/b', payload=b'hi', ts=7, qos=1, retain=True, meta={})
    """
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        raise ValueError(f"not a complete JSON object ({e})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    ts, topic = data.get("ts"), data.get("topic")
    qos, retain = data.get("qos", 0), data.get("retain", False)
    if type(ts) is not int:
        raise ValueError(f"ts must be an integer of epoch milliseconds, got {ts!r}")
    if not isinstance(topic, str):
        raise ValueError(f"topic must be text, got {topic!r}")
    if qos not in (0, 1, 2) or type(qos) is not int:
        raise ValueError(f"qos must be 0, 1 or 2, got {qos!r}")
    if type(retain) is not bool:
        raise ValueError(f"retain must be true or false, got {retain!r}")
    return Message(topic, _payload(data), ts, cast(QoS, qos), retain)


def _payload(data: dict[str, Any]) -> bytes:
    text, b64 = data.get("payload"), data.get("payload_b64")
    if isinstance(text, str) and b64 is None:
        return text.encode("utf-8")
    if isinstance(b64, str) and text is None:
        try:
            return base64.b64decode(b64, validate=True)
        except binascii.Error as e:
            raise ValueError(f"payload_b64 is not base64 ({e})") from None
    raise ValueError('needs exactly one of "payload" (text) and "payload_b64" (base64 text)')


def encode_messages(messages: Iterable[Message]) -> bytes:
    """Many message lines at once (tests and pins): the bytes a writer would append.

    >>> encode_messages([Message("t", b"1", 1), Message("t", b"2", 2)]).count(b"\\n")
    2
    """
    return b"".join(encode_message(m) for m in messages)
