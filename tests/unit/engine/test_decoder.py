from __future__ import annotations

import pytest

from kuiper_dev.engine.decoder import make_decoder
from kuiper_dev.errors import DecodeError
from kuiper_dev.sql import parse_stream


def schema(ddl_columns: str) -> dict[str, object]:
    stmt = parse_stream(f'CREATE STREAM s ({ddl_columns}) WITH (DATASOURCE="s")')
    return {c.name: c for c in stmt.columns}


def test_schemaless_numbers_become_floats_like_ekuiper() -> None:
    rows = make_decoder(None)(b'{"a": 1, "b": {"c": [2, "x"]}, "d": null}')
    assert rows == [{"a": 1.0, "b": {"c": [2.0, "x"]}, "d": None}]
    assert type(rows[0]["a"]) is float


def test_array_payload_gives_several_rows() -> None:
    assert make_decoder(None)(b'[{"a": 1}, {"a": 2}]') == [{"a": 1.0}, {"a": 2.0}]


def test_typed_stream_converts_and_drops_undeclared() -> None:
    decode = make_decoder(schema("a BIGINT, b FLOAT, s STRING, ok BOOLEAN"))  # type: ignore[arg-type]
    assert decode(b'{"a": 3, "b": 2, "s": 1.5, "ok": "true", "extra": 1}') == [
        {"a": 3, "b": 2.0, "s": "1.5", "ok": True}
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"a": "x"}', "a has wrong type:string, expect:bigint"),
        (b'{"b": "x"}', "b has wrong type:string, expect:float"),
        (b'{"s": true}', "s has wrong type:true, expect:string"),
        (b'{"a": 1.5}', "cannot parse int64 from 1.5"),
        (b"{not json", "invalid JSON payload"),
        (b"42", "payload is a JSON number"),
    ],
)
def test_typed_errors(payload: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        make_decoder(schema("a BIGINT, b FLOAT, s STRING"))(payload)  # type: ignore[arg-type]


def test_nested_array_and_struct_columns() -> None:
    decode = make_decoder(schema("v ARRAY(BIGINT), p STRUCT(x FLOAT, tags ARRAY(STRING))"))  # type: ignore[arg-type]
    assert decode(b'{"v": [1, 2], "p": {"x": 3, "tags": ["a"], "extra": 1}}') == [
        {"v": [1, 2], "p": {"x": 3.0, "tags": ["a"]}}
    ]
    with pytest.raises(DecodeError, match="v has wrong type:string, expect:bigint"):
        decode(b'{"v": ["x"]}')
    with pytest.raises(DecodeError, match="p has wrong type:array, expect:struct"):
        decode(b'{"p": [1]}')
