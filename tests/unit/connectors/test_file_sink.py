"""eKuiper's file sink: what it writes per emission, headers, rolling, compression, paths."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from kuiper_dev.connectors import FileSink, Sink
from kuiper_dev.errors import PlanError, RuleError


class Clock:
    def __init__(self, now: int = 0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def sink(tmp_path: Path, clock: Clock | None = None, **props: Any) -> FileSink:
    return FileSink({"path": "out.txt", **props}, root=tmp_path, now_ms=clock or Clock())


def test_lines_put_a_newline_between_emissions_and_none_at_the_end(tmp_path: Path) -> None:
    s = sink(tmp_path)
    assert isinstance(s, Sink)
    s.collect([{"b": 2.0, "a": "x"}])  # Go's JSON: keys sorted, 2.0 as 2
    s.collect({"a": 1})
    s.collect('{"from": "a template"}')
    s.close()
    assert (tmp_path / "out.txt").read_text() == (
        '[{"a":"x","b":2}]\n{"a":1}\n{"from": "a template"}'
    )


def test_json_writes_an_array_of_the_emissions(tmp_path: Path) -> None:
    s = sink(tmp_path, fileType="json")
    s.collect({"key": "value1"})
    s.collect({"key": "value2"})
    assert (tmp_path / "out.txt").read_text() == '[{"key":"value1"},{"key":"value2"}'  # flushed
    s.close()
    assert (tmp_path / "out.txt").read_text() == '[{"key":"value1"},{"key":"value2"}]'


def test_csv_header_comes_from_the_first_rows_sorted_keys(tmp_path: Path) -> None:
    s = sink(tmp_path, fileType="csv", format="delimited", hasHeader=True, delimiter=":")
    s.collect({"name": "test", "id": 12})
    s.collect({"id": 11, "name": "value2", "more": True})  # columns stay the first row's
    s.close()
    assert (tmp_path / "out.txt").read_text() == "id:name\n12:test\n11:value2"


def test_csv_values_print_as_go_and_null_as_empty(tmp_path: Path) -> None:
    s = sink(tmp_path, fileType="csv", format="delimited", fields=["a", "b", "c"], hasHeader=True)
    s.collect({"a": 1.5, "b": None, "c": False})
    s.close()
    assert (tmp_path / "out.txt").read_text() == "a,b,c\n1.5,,false"


def test_csv_list_emissions_repeat_their_header_as_ekuiper_encodes_them(tmp_path: Path) -> None:
    # eKuiper's delimited encoder writes a list with its own header line each time
    s = sink(tmp_path, fileType="csv", format="delimited", hasHeader=True)
    s.collect([{"b": 1, "a": 2}, {"a": 3, "b": 4}])
    s.collect([{"a": 5, "b": 6}])
    s.close()
    assert (tmp_path / "out.txt").read_text() == "a,b\n2,1\n3,4\na,b\n5,6"


@pytest.mark.parametrize(
    ("props", "words"),
    [
        ({"fileType": "csv"}, "format must be delimited when fileType is csv"),
        ({"fileType": "xml"}, "fileType must be one of"),
        ({"format": "protobuf"}, "use json or delimited"),
        ({"rollingCount": 0}, "one of rollingInterval, rollingCount, or rollingSize"),
        ({"rollingCount": -1}, "must not be negative"),
        ({"rollingInterval": "x"}, "is not a duration"),
        ({"rollingNamePattern": "middle"}, "prefix, suffix or none"),
        ({"compression": "zstd"}, "use gzip"),
        ({"path": ""}, "path must be set"),
    ],
)
def test_bad_props_are_refused_with_the_fix(
    tmp_path: Path, props: dict[str, Any], words: str
) -> None:
    with pytest.raises(PlanError, match="action file") as info:
        sink(tmp_path, **props)
    assert words in str(info.value)


def test_rolling_by_count_with_a_suffix_keeps_every_file(tmp_path: Path) -> None:
    clock = Clock(100)
    s = sink(tmp_path, clock, rollingCount=2, rollingNamePattern="suffix")
    for i in range(5):
        clock.now = 100 + i
        s.collect({"i": i})
    s.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out-100.txt",
        "out-102.txt",
        "out-104.txt",
    ]
    assert (tmp_path / "out-102.txt").read_text() == '{"i":2}\n{"i":3}'
    s2 = sink(tmp_path, Clock(7), path="log", rollingNamePattern="prefix")
    s2.collect({"x": 1})
    s2.close()
    assert (tmp_path / "7-log").read_text() == '{"x":1}'


def test_rolling_without_a_pattern_truncates_the_same_file(tmp_path: Path) -> None:
    s = sink(tmp_path, rollingCount=2, fileType="json")
    for i in range(3):
        s.collect({"i": i})
    s.close()
    assert (tmp_path / "out.txt").read_text() == '[{"i":2}]'


def test_rolling_by_time_rolls_at_the_first_check_tick_past_the_interval(tmp_path: Path) -> None:
    clock = Clock(0)
    s = sink(tmp_path, clock, rollingInterval=1000, checkInterval=400, rollingCount=0,
             rollingNamePattern="prefix")  # fmt: skip
    for t in (0, 900, 1100, 1300):  # ticks at 400, 800, 1200: 1200 is the first past 1000
        clock.now = t
        s.collect({"t": t})
    s.close()
    assert (tmp_path / "0-out.txt").read_text() == '{"t":0}\n{"t":900}\n{"t":1100}'
    assert (tmp_path / "1300-out.txt").read_text() == '{"t":1300}'


def test_default_check_interval_rolls_every_five_minutes_as_ekuiper_does(tmp_path: Path) -> None:
    clock = Clock(0)
    s = sink(tmp_path, clock)  # rollingInterval 0, checkInterval 5 min, no name pattern
    for t in (0, 299_000, 301_000):
        clock.now = t
        s.collect({"t": t})
    s.close()
    assert (tmp_path / "out.txt").read_text() == '{"t":301000}'


def test_rolling_by_size(tmp_path: Path) -> None:
    clock = Clock(0)
    s = sink(tmp_path, clock, rollingSize=10, rollingNamePattern="suffix")
    for t in range(3):
        clock.now = t
        s.collect({"t": 12345})  # 11 bytes: each item fills a file
    s.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out-0.txt", "out-1.txt", "out-2.txt"]


def test_gzip_packs_the_whole_file(tmp_path: Path) -> None:
    s = sink(tmp_path, fileType="json", compression="gzip")
    s.collect({"key": "value1"})
    s.collect({"key": "value2"})
    s.close()
    data = gzip.decompress((tmp_path / "out.txt").read_bytes())
    assert data == b'[{"key":"value1"},{"key":"value2"}]'


def test_a_path_template_writes_one_file_per_value(tmp_path: Path) -> None:
    s = sink(tmp_path, path="out/{{.device}}.txt", sendSingle=True)
    s.collect({"device": "a", "v": 1})
    s.collect({"device": "b", "v": 2})
    s.collect({"device": "a", "v": 3})
    s.close()
    assert (tmp_path / "out" / "a.txt").read_text() == '{"device":"a","v":1}\n{"device":"a","v":3}'
    assert (tmp_path / "out" / "b.txt").read_text() == '{"device":"b","v":2}'


def test_a_path_template_cannot_leave_its_folder(tmp_path: Path) -> None:
    s = sink(tmp_path, path="out/{{.device}}.txt")
    with pytest.raises(RuleError, match="leaves the folder"):
        s.collect({"device": "../../evil"})
    with pytest.raises(RuleError, match="a dataTemplate made text"):
        s.collect("text")
    s.close()
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_write_that_fails_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "out.txt").mkdir()
    s = sink(tmp_path)
    with pytest.raises(RuleError, match="cannot write out.txt"):
        s.collect({"a": 1})
    s.close()


def test_only_one_missing_folder_level_is_made_as_ekuiper_does(tmp_path: Path) -> None:
    s = sink(tmp_path, path="a/b/out.txt")
    with pytest.raises(RuleError, match="cannot write"):
        s.collect({"a": 1})
    s2 = sink(tmp_path, path="a/out.txt")
    s2.collect({"a": 1})
    s2.close()
    s2.close()  # closing twice is harmless
    assert (tmp_path / "a" / "out.txt").read_text() == '{"a":1}'


def test_a_reopened_sink_truncates_the_file(tmp_path: Path) -> None:
    for value in ("value1", "value2"):
        s = sink(tmp_path)
        s.collect({"key": value})
        s.close()
    assert (tmp_path / "out.txt").read_text() == '{"key":"value2"}'
