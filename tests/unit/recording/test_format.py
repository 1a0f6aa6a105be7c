"""The line format: readable text payloads, base64 for the rest, clear refusals."""

from __future__ import annotations

import orjson
import pytest

from kuiper_dev import Message, RecordingError
from kuiper_dev.recording import (
    FORMAT,
    RecordingHeader,
    decode_header,
    decode_message,
    encode_header,
    encode_message,
)


def test_text_payloads_stay_text_and_other_bytes_become_base64() -> None:
    text = orjson.loads(encode_message(Message("a", "héllo".encode(), 1)))
    binary = orjson.loads(encode_message(Message("a", b"\x00\xff\xfe", 1)))
    assert text["payload"] == "héllo" and "payload_b64" not in text
    assert binary["payload_b64"] == "AP/+" and "payload" not in binary


def test_the_line_holds_the_documented_keys_in_order() -> None:
    line = encode_message(Message("f/1", b"{}", 1700000000123, qos=2, retain=True))
    assert list(orjson.loads(line)) == ["ts", "topic", "qos", "retain", "payload"]
    assert orjson.loads(line)["ts"] == 1700000000123


def test_a_float_time_is_refused_with_the_fix() -> None:
    with pytest.raises(TypeError, match="int"):
        encode_message(Message("a", b"", 1.5))  # type: ignore[arg-type]


def test_header_round_trips_with_extra_keys() -> None:
    header = RecordingHeader("mqtt://127.0.0.1:1883", ("f/#", "g"), 17, extra={"seed": 3})
    line = encode_header(header)
    assert orjson.loads(line)["format"] == FORMAT
    assert decode_header(line, "x") == header


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        (b"not json", "not a kuiper-dev recording"),
        (b'{"format":"other"}', "not a kuiper-dev recording"),
        (b'{"format":"kuiper-dev-recording"}', "valid version"),
        (b'{"format":"kuiper-dev-recording","version":9}', "upgrade kuiper_dev"),
        (b'{"format":"kuiper-dev-recording","version":1,"topics":"a"}', "malformed header"),
    ],
)
def test_bad_headers_name_the_file_and_the_problem(line: bytes, fragment: str) -> None:
    with pytest.raises(RecordingError, match=fragment) as info:
        decode_header(line, "rec.jsonl")
    assert "rec.jsonl" in str(info.value)


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        (b'{"ts":1,"topic":"a","payl', "not a complete JSON object"),
        (b"[1]", "not a JSON object"),
        (b'{"ts":"1","topic":"a","payload":""}', "ts must be an integer"),
        (b'{"ts":true,"topic":"a","payload":""}', "ts must be an integer"),
        (b'{"ts":1,"topic":3,"payload":""}', "topic must be text"),
        (b'{"ts":1,"topic":"a","qos":3,"payload":""}', "qos must be"),
        (b'{"ts":1,"topic":"a","qos":true,"payload":""}', "qos must be"),
        (b'{"ts":1,"topic":"a","retain":1,"payload":""}', "retain must be"),
        (b'{"ts":1,"topic":"a"}', "exactly one of"),
        (b'{"ts":1,"topic":"a","payload":"x","payload_b64":"eA=="}', "exactly one of"),
        (b'{"ts":1,"topic":"a","payload_b64":"!!"}', "not base64"),
    ],
)
def test_bad_message_lines_say_what_is_wrong(line: bytes, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        decode_message(line)


def test_qos_and_retain_default_when_a_hand_written_line_omits_them() -> None:
    assert decode_message(b'{"ts":5,"topic":"a","payload":"x"}') == Message("a", b"x", 5)
