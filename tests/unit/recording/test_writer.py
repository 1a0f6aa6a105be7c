"""The writer appends flushed lines, keeps an existing header and refuses non-recordings."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import orjson
import pytest

from kuiper_dev import Message, RecordingError
from kuiper_dev.recording import RecordingWarning, RecordingWriter, read_recording


def _msg(i: int) -> Message:
    return Message(f"f/{i}", orjson.dumps({"i": i}), 1000 + i)


def test_a_new_file_gets_the_header_then_one_line_per_message(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with RecordingWriter(path, broker="mqtt://127.0.0.1:1883", topics=["f/#"], start_ms=5) as w:
        w.write(_msg(1))
        w.write(_msg(2))
    lines = path.read_bytes().splitlines()
    assert orjson.loads(lines[0]) == {
        "format": "kuiper-dev-recording",
        "version": 1,
        "broker": "mqtt://127.0.0.1:1883",
        "topics": ["f/#"],
        "start_ms": 5,
    }
    assert len(lines) == 3 and w.count == 2


def test_each_write_is_on_disk_before_the_writer_closes(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    w = RecordingWriter(path, start_ms=0)
    try:
        for i in range(3):
            w.write(_msg(i))
            assert [m.ts for m in read_recording(path)] == [1000 + j for j in range(i + 1)]
    finally:
        w.close()


def test_start_defaults_to_now(tmp_path: Path) -> None:
    before = time.time_ns() // 1_000_000
    with RecordingWriter(tmp_path / "r.jsonl") as w:
        pass
    assert before <= w.header.start_ms <= time.time_ns() // 1_000_000


def test_appending_keeps_the_first_header_and_counts_this_session(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with RecordingWriter(path, broker="first", topics=["a"], start_ms=1) as w:
        w.write(_msg(1))
    with RecordingWriter(path, broker="second", topics=["b"], start_ms=2) as w2:
        w2.write(_msg(2))
        w2.write(_msg(3))
    rec = read_recording(path)
    assert (rec.header.broker, rec.header.topics, rec.header.start_ms) == ("first", ("a",), 1)
    assert w2.header == rec.header and w2.count == 2
    assert [m.ts for m in rec] == [1001, 1002, 1003]


def test_an_empty_file_gets_a_header(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.touch()
    with RecordingWriter(path, topics=["x"], start_ms=3) as w:
        w.write(_msg(0))
    assert read_recording(path).header.topics == ("x",)


def test_a_file_that_is_no_recording_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("shopping list\n")
    with pytest.raises(RecordingError, match="not a kuiper-dev recording") as info:
        RecordingWriter(path)
    assert str(path) in str(info.value)
    assert path.read_text() == "shopping list\n"


def test_a_partial_last_line_is_dropped_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with RecordingWriter(path, start_ms=0) as w:
        w.write(_msg(1))
    with path.open("ab") as f:
        f.write(b'{"ts":1002,"topic":"f/2","qo')  # a writer died mid-line
    with pytest.warns(RecordingWarning, match="partial line"):
        w2 = RecordingWriter(path)
    with w2:
        w2.write(_msg(3))
    rec = read_recording(path)
    assert [m.ts for m in rec] == [1001, 1003] and rec.damage is None


def test_a_header_cut_short_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"format":"kuiper-dev-rec')
    with pytest.raises(RecordingError):
        RecordingWriter(path)


def test_a_folder_or_a_closed_writer_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="is a folder; give a file path"):
        RecordingWriter(tmp_path)
    w = RecordingWriter(tmp_path / "r.jsonl")
    w.close()
    w.close()
    with pytest.raises(RecordingError, match="open a new RecordingWriter"):
        w.write(_msg(1))


def test_a_compressed_recording_is_readable_while_open_and_appendable_once_closed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.jsonl.zst"
    w = RecordingWriter(path, topics=["f/#"], start_ms=0)
    w.write(_msg(1))
    with pytest.warns(RecordingWarning, match="writer has not closed it"):
        assert [m.ts for m in read_recording(path)] == [1001]  # flushed, frame still open
    w.close()
    with RecordingWriter(path) as w2:
        w2.write(_msg(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = read_recording(path)
        assert [m.ts for m in rec] == [1001, 1002]
    assert path.read_bytes()[:4] == b"\x28\xb5\x2f\xfd"  # the zstandard magic number


def test_appending_after_an_unfinished_compressed_frame_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl.zst"
    w = RecordingWriter(path, start_ms=0)
    w.write(_msg(1))
    try:
        with pytest.raises(RecordingError, match="unfinished zstandard frame"):
            RecordingWriter(path)
    finally:
        w.close()
