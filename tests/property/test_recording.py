"""Recordings lose nothing: any bytes, topic, QoS, retain flag and time come back exactly."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kuiper_dev import Message
from kuiper_dev.recording import RecordingWriter, decode_message, encode_message, read_recording

# MQTT topics are UTF-8 text without NUL; anything else goes, including wildcards' characters.
topics = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
# text payloads are stored as text, other bytes as base64: draw both kinds
payloads = st.one_of(st.binary(max_size=200), st.text(max_size=100).map(str.encode))
messages = st.builds(
    Message,
    topic=topics,
    payload=payloads,
    ts=st.integers(min_value=-(2**62), max_value=2**62),
    qos=st.sampled_from([0, 1, 2]),
    retain=st.booleans(),
)


@given(messages)
@settings(max_examples=200, deadline=None)
def test_a_line_round_trips_exactly(message: Message) -> None:
    line = encode_message(message)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode_message(line) == message


@given(st.lists(messages, max_size=20))
@settings(max_examples=40, deadline=None)
def test_a_file_round_trips_exactly(batch: list[Message]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.jsonl"
        with RecordingWriter(path, topics=["#"], start_ms=1) as w:
            for m in batch:
                w.write(m)
        rec = read_recording(path)
        assert list(rec) == batch
        assert rec.damage is None and w.count == len(batch)
        assert rec.bytes_read == rec.total_bytes == path.stat().st_size


@given(st.lists(messages, max_size=10))
@settings(max_examples=20, deadline=None)
def test_a_compressed_file_round_trips_exactly(batch: list[Message]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.jsonl.zst"
        with RecordingWriter(path, start_ms=1) as w:
            for m in batch:
                w.write(m)
        assert list(read_recording(path)) == batch
