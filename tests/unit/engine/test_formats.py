"""FORMAT decoding, event time and strict validation against eKuiper's own cases.

Sources: ``internal/converter/delimited/converter_test.go`` and
``binary/converter_test.go`` (``go:converter``), ``internal/topo/operator/
preprocessor_test.go`` (``go:preprocessor``), ``pkg/cast/time_test.go``
(``go:cast``) and ``docs/en_US/guide/streams/overview.md`` (``doc:``).
Go's tests feed the preprocessor ``json.Unmarshal`` output, so JSON inputs here
go through :func:`numbers_as_floats` first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
import pytest

from kuiper_dev.engine.decoder import make_decoder
from kuiper_dev.engine.formats import (
    make_payload_decoder,
    parse_event_time,
    row_event_time,
    strict_check,
)
from kuiper_dev.errors import DecodeError, EvalError
from kuiper_dev.go import numbers_as_floats, set_time_zone, unix_milli
from kuiper_dev.sql import ast, parse_stream


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    set_time_zone("UTC")
    yield
    set_time_zone(None)


def columns(ddl: str) -> dict[str, ast.ColumnDef]:
    stmt = parse_stream(f'CREATE STREAM demo ({ddl}) WITH (DATASOURCE="demo")')
    return {c.name: c for c in stmt.columns}


def _no_json(payload: bytes) -> list[dict[str, Any]]:
    raise AssertionError("not a JSON stream")


# --- payload formats ------------------------------------------------------------------

DECODE_CASES: list[tuple[str, str, str | None, dict[str, Any], bytes, list[dict[str, Any]]]] = [
    (
        "go:converter TestDecode without fields: col0, col1, ...",
        "delimited",
        None,
        {"delimiter": "\t"},
        b"#\t1\t1670170500\t161.927872",
        [{"col0": "#", "col1": "1", "col2": "1670170500", "col3": "161.927872"}],
    ),
    (
        "go:converter TestDecode with fields",
        "delimited",
        None,
        {"delimiter": "\t", "fields": ["@", "id", "ts", "value"]},
        b"#\t1\t1670170500\t161.927872",
        [{"@": "#", "id": "1", "ts": "1670170500", "value": "161.927872"}],
    ),
    (
        "delimited: the stream schema neither names nor types the values",
        "delimited",
        "id BIGINT, name STRING",
        {},
        b"12,test",
        [{"col0": "12", "col1": "test"}],
    ),
    (
        "delimited: an empty DELIMITER is a comma (NewConverter's default)",
        "DELIMITED",
        None,
        {"delimiter": ""},
        b"1,,x",
        [{"col0": "1", "col1": "", "col2": "x"}],
    ),
    (
        "delimited: tokens past the fields are dropped, missing ones absent; no line split",
        "delimited",
        None,
        {"delimiter": "::", "fields": ["a", "b"]},
        b"1::2\n3::4",
        [{"a": "1", "b": "2\n3"}],
    ),
    (
        "delimited: fewer tokens than fields",
        "delimited",
        None,
        {"fields": ["a", "b", "c"]},
        b"1,2",
        [{"a": "1", "b": "2"}],
    ),
    (
        "go:converter binary TestMessageDecode: schemaless payload in self",
        "binary",
        None,
        {},
        b"\xff\xd8\xff\xe0 image",
        [{"self": b"\xff\xd8\xff\xe0 image"}],
    ),
    (
        "doc:Binary Stream demoBin (image BYTEA): the payload is the image column",
        "BINARY",
        "image BYTEA",
        {},
        b"\x00\x01",
        [{"image": b"\x00\x01"}],
    ),
]


@pytest.mark.parametrize(
    ("name", "fmt", "ddl", "options", "payload", "expected"),
    DECODE_CASES,
    ids=[c[0] for c in DECODE_CASES],
)
def test_payload_decoder(
    name: str,
    fmt: str,
    ddl: str | None,
    options: dict[str, Any],
    payload: bytes,
    expected: list[dict[str, Any]],
) -> None:
    decode = make_payload_decoder(
        fmt, columns(ddl) if ddl else None, json_decoder=_no_json, **options
    )
    assert decode(payload) == expected


def test_json_is_the_given_decoder() -> None:
    json_decoder = make_decoder(None)
    decode = make_payload_decoder("Json", None, json_decoder=json_decoder)
    assert decode is json_decoder
    with pytest.raises(DecodeError, match="invalid JSON payload"):
        decode(b"{")


def test_unknown_format_has_ekuipers_converter_error() -> None:
    with pytest.raises(ValueError, match="format type protobuf not supported"):
        make_payload_decoder("protobuf", None, json_decoder=_no_json)


# --- event time -------------------------------------------------------------------------

EVENT_TIME_CASES: list[tuple[str, Any, str | None, int | str]] = [
    (
        "go:preprocessor eventtime 0 bigint",
        1568854515000,
        "yyyy-MM-dd''T''HH:mm:ssX'",
        1568854515000,
    ),
    ("go:preprocessor eventtime 1 schemaless float", 1568854515000.0, None, 1568854515000),
    ("go:cast InterfaceToTime float truncates", 1568854515000.9, None, 1568854515000),
    (
        "go:preprocessor eventtime 2 bool",
        True,
        None,
        "cannot convert timestamp field abc to timestamp with error "
        "unsupported type to convert to timestamp true",
    ),
    ("go:preprocessor eventtime 3 ISO text", "2019-09-23T02:47:29.754Z", None, 1569206849754),
    ("go:preprocessor eventtime 4 ISO text", "2019-09-19T00:55:15.000Z", None, 1568854515000),
    (
        "go:preprocessor eventtime 5 quoted literal",
        "2019-09-23AT02:47:29",
        "yyyy-MM-dd'AT'HH:mm:ss",
        1569206849000,
    ),
    (
        "go:preprocessor eventtime 6 'a' is AM/PM",
        "2019-09-23AT02:47:29",
        "yyyy-MM-ddaHH:mm:ss",
        "cannot convert timestamp field abc to timestamp with error "
        "Can't parse string as time: 2019-09-23AT02:47:29",
    ),
    (
        "go:preprocessor time 3 literal text and X zone",
        "2019-09-19 at 18:55:15Z+07",
        "yyyy-MM-dd 'at' HH:mm:ss'Z'X",
        1568894115000,
    ),
    (
        "go:cast TestParseTimeIssue escaped Z",
        "2025-06-04T08:54:00.7530000Z",
        r"YYYY-MM-ddTHH:mm:ssSSSSSSS\Z",
        1749027240753,
    ),
    (
        "go:cast TestParseTime SSS",
        "2020-01-16 02:14:24.913",
        "YYYY-MM-dd HH:mm:ssSSS",
        1579140864913,
    ),
    ("go:cast TestParseTime no format", "2020-01-16 02:14:24", None, 1579140864000),
    (
        "null",
        None,
        None,
        "cannot convert timestamp field abc to timestamp with error unsupported type to convert to timestamp <nil>",
    ),
]


@pytest.mark.parametrize(
    ("name", "value", "fmt", "expected"), EVENT_TIME_CASES, ids=[c[0] for c in EVENT_TIME_CASES]
)
def test_event_time(name: str, value: Any, fmt: str | None, expected: int | str) -> None:
    if isinstance(expected, int):
        assert parse_event_time(value, fmt) == expected
        assert row_event_time({"abc": value}, "abc", fmt) == expected
    else:
        with pytest.raises(EvalError) as info:
            row_event_time({"abc": value}, "abc", fmt)
        assert str(info.value) == expected
        with pytest.raises(EvalError) as info:
            parse_event_time(value, fmt)
        assert str(info.value) == expected.split(" with error ", 1)[1]


def test_event_time_follows_the_configured_zone() -> None:
    set_time_zone("Asia/Shanghai")
    assert parse_event_time("2020-01-16 02:14:24", "YYYY-MM-dd HH:mm:ss") == 1579112064000


def test_missing_timestamp_field_has_the_preprocessor_message() -> None:
    with pytest.raises(
        EvalError, match=r"^cannot find timestamp field ts in tuple map\[a:1 b:<nil>\]$"
    ):
        row_event_time({"b": None, "a": 1.0}, "ts")


def test_invalid_format_letters_are_errors() -> None:
    with pytest.raises(EvalError, match="invalid time format YYY for Y/y"):
        parse_event_time("2020", "YYY")


# --- strict validation --------------------------------------------------------------------

T = "$time"  # expected datetimes as {"$time": epoch ms}

STRICT_CASES: list[tuple[str, str, str | None, bytes, dict[str, Any] | str]] = [
    ("go:preprocessor 0", "abc BIGINT", None, b'{"a": 6}', "field abc is not found"),
    (
        "go:preprocessor 1",
        "abc BIGINT",
        None,
        b'{"abc": null}',
        "field abc type mismatch: cannot convert <nil>(<nil>) to int64",
    ),
    ("go:preprocessor 3", "abc BIGINT", None, b'{"abc": 6}', {"abc": 6}),
    (
        "go:preprocessor 5 case-insensitive",
        "abc FLOAT, dEf STRING",
        None,
        b'{"abc": 34, "def" : "hello", "ghi": 50}',
        {"abc": 34.0, "dEf": "hello", "def": "hello", "ghi": 50.0},
    ),
    (
        "go:preprocessor 7",
        "abc FLOAT, def STRING",
        None,
        b'{"abc": "34", "def" : "hello", "ghi": "50"}',
        "field abc type mismatch: cannot convert string(34) to float64",
    ),
    (
        "go:preprocessor 8",
        "abc FLOAT, def BOOLEAN",
        None,
        b'{"abc": 77, "def" : "hello"}',
        "field def type mismatch: cannot convert string(hello) to bool",
    ),
    ("go:preprocessor 9", "abc FLOAT", None, b'{"a": {"b" : "hello"}}', "field abc is not found"),
    (
        "go:preprocessor 11",
        "a STRUCT(b STRING)",
        None,
        b'{"a": {"b" : "hello"}}',
        {"a": {"b": "hello"}},
    ),
    (
        "go:preprocessor 12 struct as JSON text",
        "a STRUCT(b FLOAT)",
        None,
        b'{"a": "{\\"b\\" : \\"32\\"}"}',
        "field a type mismatch: field b type mismatch: cannot convert string(32) to float64",
    ),
    (
        "go:preprocessor 14",
        "a ARRAY(STRUCT(b STRING))",
        None,
        b'{"a": [{"b" : "hello1"}, {"b" : "hello2"}]}',
        {"a": [{"b": "hello1"}, {"b": "hello2"}]},
    ),
    ("go:preprocessor 15", "a ARRAY(STRUCT(b STRING))", None, b'{"a": []}', {"a": []}),
    ("go:preprocessor 16", "a ARRAY(STRUCT(b STRING))", None, b'{"a": null}', {"a": None}),
    (
        "go:preprocessor 17",
        "a ARRAY(STRUCT(b STRING))",
        None,
        b'{"a": [null, {"b" : "hello2"}]}',
        {"a": [None, {"b": "hello2"}]},
    ),
    (
        "go:preprocessor 18",
        "a ARRAY(ARRAY(BIGINT))",
        None,
        b'{"a": [[50, 60, 70],[66], [77]]}',
        {"a": [[50, 60, 70], [66], [77]]},
    ),
    (
        "go:preprocessor 19",
        "a ARRAY(ARRAY(BIGINT))",
        None,
        b'{"a": [null, [66], [77]]}',
        {"a": [None, [66], [77]]},
    ),
    (
        "go:preprocessor 21",
        "a ARRAY(FLOAT)",
        None,
        b'{"a": "[\\"55\\", \\"77\\"]"}',
        'field a type mismatch: expect array but got ["55", "77"]',
    ),
    (
        "go:preprocessor 23 float to bigint truncates",
        "a STRUCT(b STRING, c STRUCT(d BIGINT))",
        None,
        b'{"a": {"b" : "hello", "c": {"d": 35.2}}}',
        {"a": {"b": "hello", "c": {"d": 35}}},
    ),
    (
        "go:preprocessor 24",
        "a STRUCT(b STRING, c STRUCT(d BIGINT))",
        None,
        b'{"a": null}',
        {"a": None},
    ),
    (
        "go:preprocessor 25",
        "a STRUCT(b STRING, c ARRAY(FLOAT))",
        None,
        b'{"a": {"b" : "hello", "c": [35.2, 38.2]}}',
        {"a": {"b": "hello", "c": [35.2, 38.2]}},
    ),
    (
        "go:preprocessor 26",
        "a STRUCT(b STRING, c ARRAY(FLOAT))",
        None,
        b'{"a": {"b" : "hello", "c": null}}',
        {"a": {"b": "hello", "c": None}},
    ),
    (
        "go:preprocessor 27",
        "a STRUCT(b STRING, c ARRAY(FLOAT))",
        None,
        b'{"a": {"b" : "hello", "c": [null, 35.4]}}',
        "field a type mismatch: field c type mismatch: "
        "array element type mismatch: cannot convert <nil>(<nil>) to float64",
    ),
    (
        "go:preprocessor 29 default",
        "ab BIGINT DEFAULT 22, cd STRING",
        None,
        b'{"cd": "hello"}',
        {"ab": 22, "cd": "hello"},
    ),
    (
        "go:preprocessor 30 default",
        'ab STRING DEFAULT "foo", cd FLOAT',
        None,
        b'{"cd": 44.4}',
        {"ab": "foo", "cd": 44.4},
    ),
    (
        "go:preprocessor 31 defaults",
        "ab BIGINT DEFAULT 22, cd FLOAT DEFAULT 55.23, ef BOOLEAN DEFAULT false, "
        'gh STRING DEFAULT "foo bar"',
        None,
        b"{}",
        {"ab": 22, "cd": 55.23, "ef": False, "gh": "foo bar"},
    ),
    (
        "go:preprocessor 32 string defaults",
        'bb STRING DEFAULT "10", cc STRING DEFAULT "false"',
        None,
        b"{}",
        {"bb": "10", "cc": "false"},
    ),
    ("go:preprocessor 33 empty default", 'aa STRING DEFAULT ""', None, b"{}", {"aa": ""}),
    (
        "go:preprocessor error 0",
        "abc BIGINT",
        None,
        b'{"abc": "dafsad"}',
        "field abc type mismatch: cannot convert string(dafsad) to int64",
    ),
    (
        "go:preprocessor error 1",
        "a STRUCT(b STRING)",
        None,
        b'{"a": {"d" : "hello"}}',
        "field a type mismatch: field b is not found",
    ),
    (
        "go:preprocessor error 2 format is for datetime only",
        "abc BIGINT",
        "yyyy-MM-dd''T''HH:mm:ssX'",
        b'{"abc": "not a time"}',
        "field abc type mismatch: cannot convert string(not a time) to int64",
    ),
    (
        "go:preprocessor time 0",
        "abc DATETIME, def DATETIME",
        None,
        b'{"abc": "2019-09-19T00:55:15.000Z", "def" : 1568854573431}',
        {"abc": {T: 1568854515000}, "def": {T: 1568854573431}},
    ),
    (
        "go:preprocessor time 2",
        "abc DATETIME, def DATETIME",
        None,
        b'{"abc": "2019-09-19T00:55:1dd5Z", "def" : 111568854573431}',
        "field abc type mismatch: Can't parse string as time: 2019-09-19T00:55:1dd5Z",
    ),
    (
        "go:preprocessor time 3 TIMESTAMP_FORMAT",
        "abc DATETIME, def DATETIME",
        "yyyy-MM-dd 'at' HH:mm:ss'Z'X",
        b'{"abc": "2019-09-19 at 18:55:15Z+07", "def" : 1568854573431}',
        {"abc": {T: 1568894115000}, "def": {T: 1568854573431}},
    ),
    (
        "go:preprocessor time 4 array",
        "a ARRAY(DATETIME)",
        None,
        b'{"a": [1568854515123, 1568854573431]}',
        {"a": [{T: 1568854515123}, {T: 1568854573431}]},
    ),
    (
        "go:preprocessor time 5 struct",
        "a STRUCT(b STRING, c DATETIME)",
        None,
        b'{"a": {"b" : "hello", "c": 1568854515000}}',
        {"a": {"b": "hello", "c": {T: 1568854515000}}},
    ),
    (
        "go:preprocessor binary 0 base64 in struct",
        "a STRUCT(b BYTEA)",
        None,
        b'{"a": {"b" : "AAH/"}}',
        {"a": {"b": b"\x00\x01\xff"}},
    ),
    (
        "go:preprocessor binary 1 base64 in array",
        "a ARRAY(BYTEA)",
        None,
        b'{"a": ["AAH/"]}',
        {"a": [b"\x00\x01\xff"]},
    ),
    (
        "cast ToByteA samekind: text that is not base64 keeps its bytes",
        "a BYTEA",
        None,
        b'{"a": "not base64!"}',
        {"a": b"not base64!"},
    ),
    (
        "a bool is not a bigint",
        "a BIGINT",
        None,
        b'{"a": true}',
        "field a type mismatch: cannot convert bool(true) to int64",
    ),
    (
        "struct from text that is not an object",
        "a STRUCT(b STRING)",
        None,
        b'{"a": "[1]"}',
        "field a type mismatch: invalid data type for [1], expect map but found string([1])",
    ),
    (
        "struct from a number",
        "a STRUCT(b STRING)",
        None,
        b'{"a": 3}',
        "field a type mismatch: expect struct but found float64(3)",
    ),
]


def _shown(v: Any) -> Any:
    if isinstance(v, datetime):
        return {T: unix_milli(v)}
    if isinstance(v, dict):
        return {k: _shown(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_shown(x) for x in v]
    return v


@pytest.mark.parametrize(
    ("name", "ddl", "fmt", "data", "expected"), STRICT_CASES, ids=[c[0] for c in STRICT_CASES]
)
def test_strict_validation(
    name: str, ddl: str, fmt: str | None, data: bytes, expected: dict[str, Any] | str
) -> None:
    row = numbers_as_floats(orjson.loads(data))
    if isinstance(expected, str):
        with pytest.raises(DecodeError) as info:
            strict_check(row, columns(ddl), timestamp_format=fmt)
        assert str(info.value) == f"error in preprocessor: {expected}"
    else:
        strict_check(row, columns(ddl), timestamp_format=fmt)
        assert _shown(row) == expected


def test_strict_validation_of_a_typed_delimited_stream_fails_on_numbers() -> None:
    """eKuiper's delimited values are strings and CONVERT_SAMEKIND never parses them."""
    row = make_payload_decoder("delimited", None, json_decoder=_no_json, fields=["id", "name"])(
        b"12,test"
    )[0]
    strict_check(row, columns("name STRING"))
    assert row == {"id": "12", "name": "test"}
    with pytest.raises(DecodeError, match=r"field id type mismatch: cannot convert string\(12\)"):
        strict_check(row, columns("id BIGINT"))
