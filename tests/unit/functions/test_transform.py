"""Transform functions, ported from eKuiper's ``funcs_misc_test.go`` (cast, convert_tz...)."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from kuiper_dev import Workspace
from kuiper_dev.functions import BUILTINS, FunctionError

from ._harness import FakeContext, check_call, check_validate, load


@pytest.mark.parametrize(("name", "args", "want"), load("transform", "calls"))
def test_call(name: str, args: list[Any], want: Any) -> None:
    check_call(name, args, want)


@pytest.mark.parametrize(("name", "args", "want"), load("transform", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


T0 = datetime(2022, 4, 13, 6, 22, 32, 233000, UTC)


def test_convert_tz() -> None:
    tz = BUILTINS["convert_tz"].fn
    assert tz(T0, "UTC") == T0
    shanghai = tz(T0, "Asia/Shanghai")
    assert (shanghai.hour, shanghai.utcoffset()) == (14, timedelta(hours=8))
    with pytest.raises(FunctionError, match="unknown time zone Unknown"):
        tz(T0, "Unknown")
    with pytest.raises(FunctionError, match="unsupported type to convert to timestamp true"):
        tz(True, "UTC")


def test_cast_datetime() -> None:
    cast = BUILTINS["cast"].fn
    assert cast(1649830952233, "datetime") == T0
    assert cast("2022-04-13 06:22:32.233", "datetime") == T0
    assert cast("2022-04-13T14:22:32.233+08:00", "datetime") == T0
    assert cast(T0, "datetime") is T0
    assert cast(T0.astimezone(timezone(timedelta(hours=2))), "string") == (
        "2022-04-13 08:22:32.233 +0200 +0200"
    )


def test_to_seconds_of_time() -> None:
    assert BUILTINS["to_seconds"].fn(datetime.fromtimestamp(1e9, UTC)) == 1_000_000_000


@pytest.mark.parametrize(
    ("method", "undo"),
    [
        ("zlib", zlib.decompress),
        ("gzip", gzip.decompress),
        ("flate", lambda b: zlib.decompress(b, -15)),
    ],
)
def test_compress_round_trip(method: str, undo: Any) -> None:
    ctx = FakeContext()
    packed = BUILTINS["compress"].fn(ctx, "hello hello hello", method)
    assert undo(packed) == b"hello hello hello"
    assert BUILTINS["decompress"].fn(FakeContext(), packed, method) == b"hello hello hello"


def test_compress_method_must_not_change() -> None:
    ctx = FakeContext()
    BUILTINS["compress"].fn(ctx, "a", "zlib")
    with pytest.raises(
        FunctionError, match="compress type must be consistent, previous zlib, now gzip"
    ):
        BUILTINS["compress"].fn(ctx, "a", "gzip")
    assert BUILTINS["compress"].fn(ctx, None, "zlib") is None
    with pytest.raises(FunctionError, match="require string or bytea parameter, but got 1"):
        BUILTINS["compress"].fn(ctx, 1, "zlib")


@pytest.mark.parametrize(
    ("expr", "row", "want"),
    [
        ("cast(a, 'bigint')", {"a": 101.5}, 101),
        ("cast(a, 'string')", {"a": 2.0}, "2"),
        ("encode(a, 'base64')", {"a": "hello"}, "aGVsbG8="),
        ("trunc(a, 1)", {"a": 3.26}, 3.3),
        ("dec2hex(a)", {"a": 16.0}, "0x10"),
        ("hex2dec(a)", {"a": "0x10"}, 16),
    ],
)
def test_end_to_end(ws: Workspace, expr: str, row: dict[str, Any], want: Any) -> None:
    assert ws.run(f"SELECT {expr} AS v FROM d", [row]).rows == [{"v": want}]
