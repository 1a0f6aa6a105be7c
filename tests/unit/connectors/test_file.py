"""eKuiper's file source over real files: file types, bad rows, confinement, live reads."""

from __future__ import annotations

import gzip
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from kuiper_dev import Message, Workspace
from kuiper_dev.connectors import FileSink, FileSource, Source
from kuiper_dev.errors import RuleError


def source(tmp_path: Path, name: str, **props: Any) -> FileSource:
    return FileSource("s", name, {"path": str(tmp_path), **props}, start_ms=1000)


def rows(src: FileSource) -> list[Any]:
    return [orjson.loads(m.payload) for m in src]


def wait_for(cond: Any, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


# -- csv --------------------------------------------------------------------------------


def test_csv_with_header_gives_text_values_spaced_by_send_interval(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id, name\n1, ann\n2,bob\n")
    src = source(tmp_path, "a.csv", fileType="csv", hasHeader=True, sendInterval=250)
    msgs = list(src)
    assert [orjson.loads(m.payload) for m in msgs] == [
        {"id": "1", "name": "ann"},  # leading spaces trimmed, as Go's csv reader does
        {"id": "2", "name": "bob"},
    ]
    assert [m.ts for m in msgs] == [1000, 1250]
    assert msgs[0].meta == {"file": str(tmp_path / "a.csv")}
    assert isinstance(src, Source)


def test_csv_without_header_names_columns_as_ekuiper(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("1 x\n\n2 y\n")
    assert rows(source(tmp_path, "a.csv", fileType="csv", delimiter=" ")) == [
        {"cols0": "1", "cols1": "x"},
        {"cols0": "2", "cols1": "y"},
    ]
    assert rows(source(tmp_path, "a.csv", fileType="csv", delimiter=" ", columns=["n", "c"])) == [
        {"n": "1", "c": "x"},
        {"n": "2", "c": "y"},
    ]


def test_a_short_csv_row_is_reported_by_file_and_line_and_reading_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,name\n1,ann\n2\n3,cy,extra\n")
    seen: list[str] = []
    src = FileSource(
        "s", "a.csv", {"path": str(tmp_path), "fileType": "csv", "hasHeader": True},
        on_error=seen.append,
    )  # fmt: skip
    assert rows(src) == [{"id": "1", "name": "ann"}, {"id": "3", "name": "cy"}]
    assert len(seen) == 1 and f"{tmp_path / 'a.csv'}:3:" in seen[0]
    assert "1 fields for 2 columns" in seen[0]
    assert src.errors == seen


def test_a_broken_csv_quote_is_reported_and_later_records_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text('a,b\n1,"2"x\n3,4\n')
    src = source(tmp_path, "a.csv", fileType="csv", hasHeader=True)
    assert rows(src) == [{"a": "3", "b": "4"}]
    assert len(src.errors) == 1 and ":2: bad CSV record" in src.errors[0]


def test_ignored_lines_count_in_reported_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("# exported\n# by x\nid,v\n1,2\n3\n5,6\n-- end\n")
    src = source(
        tmp_path, "a.csv", fileType="csv", hasHeader=True, ignoreStartLines=2, ignoreEndLines=1
    )
    assert rows(src) == [{"id": "1", "v": "2"}, {"id": "5", "v": "6"}]
    assert [e.split(": ")[0] for e in src.errors] == [f"{tmp_path / 'a.csv'}:5"]


def test_a_header_that_is_missing_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("only\n")
    src = source(tmp_path, "a.csv", fileType="csv", hasHeader=True, ignoreStartLines=1)
    assert rows(src) == [] and "header not found" in src.errors[0]


# -- json, lines, raw -------------------------------------------------------------------


def test_a_json_array_gives_one_message_per_object_with_its_text_kept(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('[\n {"id": 1, "big": 12345678901234567890},\n {"f": 1.0}\n]')
    msgs = list(source(tmp_path, "a.json"))
    assert [m.payload for m in msgs] == [b'{"id": 1, "big": 12345678901234567890}', b'{"f": 1.0}']
    assert [m.ts for m in msgs] == [1000, 1000]  # sendInterval 0: all at the start


def test_a_json_file_with_one_object_gives_one_message(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"id": 1}\n')
    assert rows(source(tmp_path, "a.json")) == [{"id": 1}]


def test_json_errors_keep_the_objects_before_them(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('[{"a": 1}, 5, {"a": 2},\n {"a": }]')
    src = source(tmp_path, "a.json")
    assert rows(src) == [{"a": 1}, {"a": 2}]
    assert len(src.errors) == 2
    assert ":1: element 1 is a int" in src.errors[0]
    assert ":2: not valid JSON at column 8" in src.errors[1]


def test_json_with_another_format_and_raw_send_the_whole_file(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"\x00\x01[1]")
    for props in ({"fileType": "raw"}, {"fileType": "json", "format": "binary"}):
        assert [m.payload for m in source(tmp_path, "a.bin", **props)] == [b"\x00\x01[1]"]


def test_lines_pass_each_line_and_report_bad_json_lines(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text('{"a": 1}\r\nnot json\n[1]\n[{"a": 2}, {"a": 3}]\n')
    src = source(tmp_path, "a.txt", fileType="lines", sendInterval=10)
    msgs = list(src)
    assert [m.payload for m in msgs] == [b'{"a": 1}', b'[{"a": 2}, {"a": 3}]']
    assert [m.ts for m in msgs] == [1000, 1010]
    assert [e.split(": ")[0] for e in src.errors] == [
        f"{tmp_path / 'a.txt'}:2",
        f"{tmp_path / 'a.txt'}:3",
    ]
    delimited = source(tmp_path, "a.txt", fileType="lines", format="delimited")
    assert len(list(delimited)) == 4 and delimited.errors == []


def test_an_empty_file_gives_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"")
    src = source(tmp_path, "a.json")
    assert list(src) == [] and src.errors == []


def test_gzip_decompression_of_a_json_file(tmp_path: Path) -> None:
    (tmp_path / "a.json.gz").write_bytes(gzip.compress(b'[{"a": 1}, {"a": 2}]'))
    assert rows(source(tmp_path, "a.json.gz", decompression="gzip")) == [{"a": 1}, {"a": 2}]
    (tmp_path / "bad.gz").write_bytes(b"not gzip")
    src = source(tmp_path, "bad.gz", decompression="gzip")
    assert list(src) == [] and "cannot be read" in src.errors[0]


@pytest.mark.parametrize(
    ("props", "words"),
    [
        ({"fileType": "csv", "decompression": "gzip"}, "refuses decompression for fileType csv"),
        ({"decompression": "zstd"}, "use gzip"),
        ({"fileType": "jsn"}, 'Did you mean "json"?'),
        ({"actionAfterRead": 3}, "invalid actionAfterRead: 3"),
        ({"actionAfterRead": 2, "moveTo": ""}, "missing moveTo"),
        ({"interval": "soon"}, "is not a duration"),
        ({"sendInterval": -5}, "must not be negative"),
        ({"columns": "id,name"}, "columns must be a list"),
    ],
)
def test_bad_confs_are_refused_with_the_fix(
    tmp_path: Path, props: dict[str, Any], words: str
) -> None:
    (tmp_path / "a.json").write_text("[]")
    with pytest.raises(RuleError, match="file source s") as info:
        source(tmp_path, "a.json", **props)
    assert words in str(info.value)


# -- where files are --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../outside.json", "/etc/hostname", "sub/../../outside.json"])
def test_a_datasource_leaving_the_path_is_refused(tmp_path: Path, name: str) -> None:
    base = tmp_path / "data"
    base.mkdir()
    (tmp_path / "outside.json").write_text("[]")
    with pytest.raises(RuleError, match="leaves the source folder"):
        FileSource("s", name, {"path": str(base)})


def test_a_symlink_out_of_the_path_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "data"
    base.mkdir()
    (tmp_path / "secret.json").write_text("[]")
    (base / "link.json").symlink_to(tmp_path / "secret.json")
    with pytest.raises(RuleError, match="leaves the source folder"):
        FileSource("s", "link.json", {"path": str(base)})


def test_relative_paths_start_at_root_and_absolute_inside_is_fine(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.json").write_text('{"a": 1}')
    src = FileSource("s", "a.json", {"path": "data"}, root=tmp_path)
    assert rows(src) == [{"a": 1}]
    inside = FileSource("s", str(tmp_path / "data" / "a.json"), {"path": "data"}, root=tmp_path)
    assert rows(inside) == [{"a": 1}]


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="nosuch.json does not exist"):
        source(tmp_path, "nosuch.json")


def test_a_folder_is_read_oldest_file_first_skipping_subfolders(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "sub").mkdir()
    for name, when in (("b.json", 100), ("a.json", 200), ("c.json", 300)):
        (tmp_path / "d" / name).write_text(json.dumps({"f": name}))
        os.utime(tmp_path / "d" / name, (when, when))
    assert [r["f"] for r in rows(source(tmp_path, "d"))] == ["b.json", "a.json", "c.json"]


def test_after_read_a_file_is_deleted_or_moved(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"a": 1}')
    assert rows(source(tmp_path, "a.json", actionAfterRead=1)) == [{"a": 1}]
    assert not (tmp_path / "a.json").exists()
    (tmp_path / "b.json").write_text('{"b": 1}')
    src = FileSource(
        "s", "b.json", {"path": ".", "actionAfterRead": 2, "moveTo": "moved"}, root=tmp_path
    )
    assert rows(src) == [{"b": 1}]
    assert not (tmp_path / "b.json").exists()
    assert (tmp_path / "moved" / "b.json").read_text() == '{"b": 1}'


def test_move_to_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("[]")
    (tmp_path / "m").write_text("")
    with pytest.raises(RuleError, match="is not a directory"):
        source(tmp_path, "a.json", actionAfterRead=2, moveTo=str(tmp_path / "m"))


# -- live -------------------------------------------------------------------------------


class Collector:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def deliver(self, m: Message) -> None:
        with self.lock:
            self.messages.append(m)

    def fail(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def test_live_reads_a_file_once_stamping_rows_with_the_clock(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text('{"a": 1}\nbad\n{"a": 2}\n')
    src = FileSource("s", "a.txt", {"path": str(tmp_path), "fileType": "lines"}, now_ms=lambda: 42)
    got = Collector()
    src.start(got.deliver, got.fail)
    try:
        assert wait_for(lambda: len(got.messages) == 2 and got.errors)
        assert src._thread is not None
        src._thread.join(5)
        assert not src._thread.is_alive()  # interval 0 on a file: read once, done
    finally:
        src.stop()
    assert [(m.payload, m.ts) for m in got.messages] == [(b'{"a": 1}', 42), (b'{"a": 2}', 42)]
    assert len(got.errors) == 1 and ":2: not a JSON object" in got.errors[0]


def test_live_interval_reads_the_file_again(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"a": 1}')
    src = source(tmp_path, "a.json", interval=50)
    got = Collector()
    src.start(got.deliver, got.fail)
    try:
        assert wait_for(lambda: len(got.messages) >= 3)
    finally:
        src.stop()
    assert {m.payload for m in got.messages} == {b'{"a": 1}'}


def test_live_folder_watch_reads_new_files_once(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.json").write_text('{"n": 1}')
    src = FileSource("s", "d", {"path": str(tmp_path)}, poll_ms=20)
    got = Collector()
    src.start(got.deliver, got.fail)
    try:
        assert wait_for(lambda: len(got.messages) == 1)
        (tmp_path / "tmp.json").write_text('{"n": 2}')
        os.replace(tmp_path / "tmp.json", tmp_path / "d" / "b.json")
        assert wait_for(lambda: len(got.messages) == 2)
        time.sleep(0.1)  # several polls: nothing is read twice
    finally:
        src.stop()
    assert [orjson.loads(m.payload)["n"] for m in got.messages] == [1, 2]
    assert got.errors == []


def test_stop_ends_a_send_interval_wait_at_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("1\n2\n3\n")
    src = source(tmp_path, "a.txt", fileType="lines", format="delimited", sendInterval=60_000)
    got = Collector()
    src.start(got.deliver, got.fail)
    assert wait_for(lambda: len(got.messages) == 1)
    began = time.monotonic()
    src.stop()
    assert time.monotonic() - began < 1.0
    assert len(got.messages) == 1


def test_nan_is_no_json_here_as_in_go(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text('{"a": NaN}\n{"a": 1}\n')
    src = source(tmp_path, "a.txt", fileType="lines")
    assert rows(src) == [{"a": 1}] and ":1: not a JSON object (" in src.errors[0]
    (tmp_path / "a.json").write_text('[{"a": 1}, {"a": Infinity}]')
    src = source(tmp_path, "a.json")
    assert rows(src) == [{"a": 1}] and "Infinity is not JSON" in src.errors[0]


def test_a_file_that_cannot_be_read_is_not_deleted(tmp_path: Path) -> None:
    (tmp_path / "a.gz").write_bytes(b"not gzip")
    src = source(tmp_path, "a.gz", decompression="gzip", actionAfterRead=1)
    assert list(src) == [] and (tmp_path / "a.gz").exists()


def test_live_reports_a_failing_receiver_and_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('[{"a": 1}, {"a": 2}]')
    src = source(tmp_path, "a.json")
    got = Collector()

    def deliver(m: Message) -> None:
        if not got.errors:
            raise ValueError("full")
        got.deliver(m)

    src.start(deliver, got.fail)
    try:
        assert wait_for(lambda: len(got.messages) == 1)
    finally:
        src.stop()
    assert "delivering a row of" in got.errors[0] and "ValueError('full')" in got.errors[0]
    assert rows_of(got.messages) == [{"a": 2}]


def test_live_watch_says_so_when_its_folder_goes(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    src = FileSource("s", "d", {"path": str(tmp_path)}, poll_ms=10)
    got = Collector()
    src.start(got.deliver, got.fail)
    try:
        (tmp_path / "d").rmdir()
        assert wait_for(lambda: bool(got.errors))
    finally:
        src.stop()
    assert "stopped reading" in got.errors[0] and "check it and restart" in got.errors[0]


def rows_of(messages: list[Message]) -> list[Any]:
    return [orjson.loads(m.payload) for m in messages]


def test_a_rule_reads_a_file_source_in_virtual_time(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,temp\n1,20.5\n2,31\n3,40\n")
    ws = Workspace()
    ws.create_stream('CREATE STREAM s () WITH (DATASOURCE="a.csv", TYPE="file")')
    src = FileSource(
        "s", "a.csv", {"path": str(tmp_path), "fileType": "csv", "hasHeader": True,
                       "sendInterval": 1000}, start_ms=10_000,
    )  # fmt: skip
    result = ws.run(
        'SELECT id, meta(file) AS f, count(*) AS n FROM s WHERE cast(temp, "float") > 25 '
        "GROUP BY id, TUMBLINGWINDOW(ss, 2)",  # a group reads its first row's meta
        src,
        drain_ms=2000,
    )
    path = str(tmp_path / "a.csv")
    # rows at 10s, 11s, 12s: the window [10s, 12s) holds row 2, [12s, 14s) row 3
    assert result.emissions == [[{"id": "2", "f": path, "n": 1}], [{"id": "3", "f": path, "n": 1}]]


def test_the_file_source_reads_what_the_file_sink_wrote(tmp_path: Path) -> None:
    for file_type, props in (("lines", {}), ("json", {})):
        out = FileSink({"path": f"out.{file_type}", "fileType": file_type, **props}, root=tmp_path)
        out.collect({"a": 1, "b": "x"})
        out.collect({"a": 2, "b": "y"})
        out.close()
        back = source(tmp_path, f"out.{file_type}", fileType=file_type)
        assert rows(back) == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}] and back.errors == []
    out = FileSink(
        {"path": "out.csv", "fileType": "csv", "format": "delimited", "hasHeader": True},
        root=tmp_path,
    )
    out.collect({"a": 1, "b": "x"})
    out.close()
    assert rows(source(tmp_path, "out.csv", fileType="csv", hasHeader=True)) == [
        {"a": "1", "b": "x"}
    ]
