"""The reader streams lazily, reports damage after the messages before it, and refuses
what is no recording."""

from __future__ import annotations

import tracemalloc
import warnings
from pathlib import Path

import orjson
import pytest

from kuiper_dev import Message, RecordingError
from kuiper_dev.recording import (
    RecordingDamage,
    RecordingHeader,
    RecordingWarning,
    RecordingWriter,
    encode_header,
    encode_messages,
    read_recording,
)


def _msgs(n: int) -> list[Message]:
    return [Message(f"f/{i % 3}", orjson.dumps({"i": i}), 1000 + i) for i in range(n)]


def _write(path: Path, messages: list[Message], tail: bytes = b"") -> Path:
    path.write_bytes(
        encode_header(RecordingHeader(topics=("f/#",))) + encode_messages(messages) + tail
    )
    return path


def test_a_missing_file_names_the_path_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="not found; check the path") as info:
        read_recording(tmp_path / "nope.jsonl")
    assert "nope.jsonl" in str(info.value)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "is empty"), (b"\n", "is empty"), (b"a,b,c\n1,2,3\n", "not a kuiper-dev recording")],
)
def test_a_file_that_is_no_recording_is_refused_at_open(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=fragment):
        read_recording(path)


def test_a_header_only_recording_has_no_messages(tmp_path: Path) -> None:
    rec = read_recording(_write(tmp_path / "r.jsonl", []))
    assert list(rec) == [] and rec.damage is None and rec.header.topics == ("f/#",)


def test_a_cut_last_line_yields_what_came_before_and_warns(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.jsonl", _msgs(4), tail=b'{"ts":2000,"topic":"f/1","pay')
    rec = read_recording(path)
    with pytest.warns(RecordingWarning) as caught:
        got = list(rec)
    assert got == _msgs(4)
    assert rec.damage == RecordingDamage(str(path), 6, rec.damage.reason if rec.damage else "", 4)
    text = str(caught[0].message)
    assert f"recording {path} is damaged at line 6: the line is cut short" in text
    assert text.endswith("replayed the 4 messages before it")


def test_a_corrupt_line_in_the_middle_stops_the_replay_there(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    good = _msgs(6)
    body = (
        encode_messages(good[:2])
        + b'{"ts":"soon","topic":"f/0","payload":""}\n'
        + encode_messages(good[2:])
    )
    path.write_bytes(encode_header(RecordingHeader()) + body)
    seen: list[RecordingDamage] = []
    rec = read_recording(path, on_damage=seen.append)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a callback replaces the warning
        assert list(rec) == good[:2]
    assert seen == [rec.damage]
    assert (
        rec.damage is not None
        and rec.damage.line == 4
        and "ts must be an integer" in rec.damage.reason
    )


def test_a_callback_per_pass_overrides_the_recordings_own(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.jsonl", _msgs(1), tail=b"{oops}\n")
    own: list[RecordingDamage] = []
    this_pass: list[RecordingDamage] = []
    rec = read_recording(path, on_damage=own.append)
    assert list(rec.messages(on_damage=this_pass.append)) == _msgs(1)
    assert own == [] and len(this_pass) == 1


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.jsonl", _msgs(2), tail=b"\n  \n")
    rec = read_recording(path)
    assert list(rec) == _msgs(2) and rec.damage is None


def test_each_pass_reads_again_and_resets_the_damage(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.jsonl", _msgs(3))
    rec = read_recording(path)
    assert list(rec) == list(rec) == _msgs(3)
    with path.open("ab") as f:
        f.write(b"garbage\n")
    with pytest.warns(RecordingWarning):
        assert list(rec) == _msgs(3)
    assert rec.damage is not None
    path.write_bytes(path.read_bytes()[: -len(b"garbage\n")])
    assert list(rec) == _msgs(3) and rec.damage is None


def test_progress_grows_to_the_file_size(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.jsonl", _msgs(2000))
    rec = read_recording(path)
    assert rec.total_bytes == path.stat().st_size
    marks = [rec.bytes_read for _ in rec]
    assert marks == sorted(marks) and 0 < marks[0] < marks[-1]
    assert rec.bytes_read == rec.total_bytes


def test_iteration_is_lazy_and_memory_stays_flat(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as f:
        f.write(encode_header(RecordingHeader()))
        for chunk in range(50):
            f.write(
                encode_messages(
                    Message("f/x", b'{"v":%d,"pad":"%s"}' % (i, b"x" * 40), i)
                    for i in range(chunk * 1000, chunk * 1000 + 1000)
                )
            )
    rec = read_recording(path)
    first = next(iter(rec))
    assert first.ts == 0 and rec.bytes_read < 100_000 < rec.total_bytes
    tracemalloc.start()
    try:
        count = sum(1 for _ in rec)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 50_000
    assert peak < rec.total_bytes / 10  # a fraction of the ~4 MB file


def test_a_damaged_compressed_recording_reports_the_damage(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl.zst"
    with RecordingWriter(path, start_ms=0) as w:
        for m in _msgs(200):
            w.write(m)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    rec = read_recording(path)
    with pytest.warns(RecordingWarning, match="is damaged at line"):
        got = list(rec)
    assert 0 < len(got) < 200 and got == _msgs(200)[: len(got)]
    assert rec.damage is not None and rec.damage.replayed == len(got)


def test_a_compressed_recording_cut_anywhere_yields_a_prefix_and_reports_it(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl.zst"
    with RecordingWriter(path, start_ms=0) as w:
        for m in _msgs(30):
            w.write(m)
    data = path.read_bytes()
    cut = tmp_path / "cut.jsonl.zst"
    for size in range(len(data) // 4, len(data), max(1, len(data) // 40)):
        cut.write_bytes(data[:size])
        seen: list[RecordingDamage] = []
        got = list(read_recording(cut, on_damage=seen.append))
        assert got == _msgs(30)[: len(got)]
        assert len(seen) == 1 and seen[0].replayed == len(got)


def test_a_file_named_zst_that_is_not_compressed_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.jsonl.zst", _msgs(1))
    with pytest.raises(RecordingError, match="not a readable zstandard file"):
        read_recording(path)
