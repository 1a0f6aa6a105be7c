from __future__ import annotations

import pytest

from kuiper_dev import Workspace
from kuiper_dev.functions import BUILTINS, lookup
from kuiper_dev.go import go_str


@pytest.mark.parametrize(
    ("sql_expr", "row", "want"),
    [
        ("abs(a)", {"a": -2}, 2.0),
        ("round(a)", {"a": 2.5}, 3.0),
        ("round(a)", {"a": -2.5}, -3.0),
        ("round(a, 2)", {"a": 3.14159}, 3.14),
        ("upper(a)", {"a": 1.5}, "1.5"),
        ("lower(a)", {"a": "AbC"}, "abc"),
        ("length(a)", {"a": [1, 2, 3]}, 3),
        ("concat(a, '-', b)", {"a": "x", "b": 2}, "x-2"),
    ],
)
def test_documented_behaviour(
    ws: Workspace, sql_expr: str, row: dict[str, object], want: object
) -> None:
    assert ws.run(f"SELECT {sql_expr} AS v FROM d", [row]).rows == [{"v": want}]


def test_null_policies(ws: Workspace) -> None:
    rows = ws.run("SELECT upper(x) AS u, length(x) AS n, concat(x, 'a') AS c FROM d", [{}]).rows
    assert rows == [{"n": 0, "c": "a"}]


def test_registry_has_signatures() -> None:
    assert lookup("ROUND") is BUILTINS["round"]
    assert BUILTINS["round"].signature == "round(number, [number])"
    assert BUILTINS["concat"].category == "string"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (20.0, "20"),
        (1e6, "1e+06"),
        (123456.0, "123456"),
        (1.5e-7, "1.5e-07"),
        (0.0001, "0.0001"),
        ([1.0, None], "[1 <nil>]"),
    ],
)
def test_go_printing(value: object, text: str) -> None:
    assert go_str(value) == text


@pytest.mark.parametrize("method", ["zlib", "gzip", "flate", "zstd"])
def test_compress_round_trips_with_every_documented_method(ws: Workspace, method: str) -> None:
    sql = f"SELECT decompress(compress(s, '{method}'), '{method}') AS back FROM d"
    assert ws.run(sql, [{"s": "hello hello hello"}]).rows == [{"back": b"hello hello hello"}]
