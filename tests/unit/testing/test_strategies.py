from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from kuiper_dev import Workspace
from kuiper_dev._types import Message
from kuiper_dev.errors import PluginError, RecordingError
from kuiper_dev.recording import RecordingWriter
from kuiper_dev.testing import (
    TimedRow,
    function_args,
    metadata_arg_types,
    rows_from_ddl,
    rows_from_recording,
    timed_rows,
    values_of,
)

DDL = (
    "CREATE STREAM typed (n BIGINT, f FLOAT, s STRING, b BOOLEAN, d DATETIME, raw BYTEA, "
    "tags ARRAY(STRING), p STRUCT(x FLOAT, nest STRUCT(k BIGINT), pts ARRAY(STRUCT(v FLOAT)))) "
    'WITH (DATASOURCE="typed", FORMAT="json")'
)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(rows_from_ddl(DDL), min_size=1, max_size=5))
def test_ddl_rows_decode_without_errors(rows: list[dict[str, Any]]) -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream(DDL)
    result = ws.run("SELECT * FROM typed", rows, auto_stream=False)
    assert result.errors == []
    assert len(result.rows) == len(rows)


@settings(max_examples=60, deadline=None)
@given(row=rows_from_ddl(DDL, nullable=False))
def test_ddl_rows_have_every_column_with_its_shape(row: dict[str, Any]) -> None:
    assert set(row) == {"n", "f", "s", "b", "d", "raw", "tags", "p"}
    assert type(row["n"]) is int and -(2**63) <= row["n"] < 2**63
    assert isinstance(row["f"], float) and isinstance(row["b"], bool)
    assert all(isinstance(t, str) for t in row["tags"])
    assert set(row["p"]) == {"x", "nest", "pts"} and set(row["p"]["nest"]) == {"k"}
    assert all(set(pt) == {"v"} for pt in row["p"]["pts"])
    json.dumps(row, allow_nan=False)  # what a payload can carry


def test_nullable_columns_can_be_null() -> None:
    from hypothesis import find

    row = find(rows_from_ddl(DDL), lambda r: r["p"] is not None and r["p"]["nest"] is None)
    assert row["n"] is None and row["p"]["nest"] is None


def test_schemaless_ddl_gives_objects() -> None:
    from hypothesis import find

    row = find(rows_from_ddl('CREATE STREAM s () WITH (DATASOURCE="s")'), lambda r: len(r) >= 2)
    assert isinstance(row, dict) and len(row) == 2


def test_unknown_type_is_refused_with_the_known_ones() -> None:
    with pytest.raises(PluginError, match="no eKuiper type 'money'; use one of any, array"):
        values_of("money")


def _recording(path: Path, payloads: list[Any], topic: str = "t/1") -> Path:
    with RecordingWriter(path, topics=["t/#"], start_ms=0) as w:
        for i, p in enumerate(payloads):
            w.write(Message(topic, json.dumps(p).encode(), i))
    return path


@settings(max_examples=40, deadline=None)
@given(row=st.data())
def test_recording_rows_have_the_types_seen(tmp_path_factory: Any, row: Any) -> None:
    rec = _recording(
        tmp_path_factory.mktemp("rec") / "r.jsonl",
        [{"id": 1, "t": 20.5, "tags": ["a"]}, {"id": 2, "t": None, "ok": True}],
    )
    drawn = row.draw(rows_from_recording(rec))
    assert set(drawn) == {"id", "t", "tags", "ok"}
    assert type(drawn["id"]) is int  # never null: present every time
    assert drawn["t"] is None or type(drawn["t"]) is float
    assert drawn["tags"] is None or isinstance(drawn["tags"], list)  # missing once
    assert drawn["ok"] is None or type(drawn["ok"]) is bool


def test_recording_without_objects_is_refused(tmp_path: Path) -> None:
    rec = _recording(tmp_path / "r.jsonl", [1, "x"])
    with pytest.raises(RecordingError, match="no JSON object payloads"):
        rows_from_recording(rec)
    rec2 = _recording(tmp_path / "r2.jsonl", [{"a": 1}], topic="other")
    with pytest.raises(RecordingError, match="on topic t/1"):
        rows_from_recording(rec2, topic="t/1")


def test_metadata_arg_types_from_a_file(tmp_path: Path) -> None:
    meta = tmp_path / "geo.json"
    meta.write_text(
        json.dumps(
            {
                "functions": [
                    {"name": "enc", "args": [{"name": "la", "type": "number"}, {"name": "s"}]}
                ]
            }
        )
    )
    assert metadata_arg_types(meta, "enc") == ["number", "any"]
    with pytest.raises(
        PluginError, match=r"function 'dec' is not in the metadata \(it lists \['enc'\]\)"
    ):
        metadata_arg_types(meta, "dec")


@settings(max_examples=60, deadline=None)
@given(args=function_args(["int", "string", "bool", "list_string"]))
def test_function_args_follow_the_types(args: list[Any]) -> None:
    n, s, b, ls = args
    assert type(n) is int and type(s) is str and type(b) is bool
    assert all(type(x) is str for x in ls)


@settings(max_examples=80, deadline=None)
@given(msgs=timed_rows(st.just({"v": 1}), max_size=15, lateness_ms=700, gap_ms=10_000))
def test_timed_rows_stay_within_the_lateness(msgs: list[TimedRow]) -> None:
    arrivals = [m.arrival_ms for m in msgs]
    assert arrivals == sorted(arrivals)
    for i, m in enumerate(msgs):
        assert m.row["ts"] == m.event_ms and 0 <= m.arrival_ms - m.event_ms <= 700
        latest_before = max((p.event_ms for p in msgs[:i]), default=m.event_ms)
        assert latest_before - m.event_ms <= 700


def test_timed_rows_produce_disorder_and_gaps() -> None:
    from hypothesis import find

    late = find(
        timed_rows(st.just({}), min_size=2, max_size=4, lateness_ms=300),
        lambda s: any(a.event_ms > b.event_ms for a, b in zip(s, s[1:], strict=False)),
    )
    assert any(a.event_ms > b.event_ms for a, b in zip(late, late[1:], strict=False))
    gappy = find(
        timed_rows(st.just({}), min_size=2, max_size=2, max_step_ms=10, gap_ms=60_000),
        lambda s: s[1].event_ms - s[0].event_ms >= 60_000,
    )
    assert gappy[1].event_ms - gappy[0].event_ms == 60_000


def test_timed_rows_check_options_at_once() -> None:
    with pytest.raises(InvalidArgument, match="min_size <= max_size"):
        timed_rows(st.just({}), min_size=3, max_size=1)
    with pytest.raises(InvalidArgument, match="must not be negative"):
        timed_rows(st.just({}), lateness_ms=-1)
