"""Hashing functions: digests of known texts (RFC and Go test vectors)."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev import Workspace

from ._harness import check_call, check_validate, load


@pytest.mark.parametrize(("name", "args", "want"), load("hashing", "calls"))
def test_call(name: str, args: list[Any], want: Any) -> None:
    check_call(name, args, want)


@pytest.mark.parametrize(("name", "args", "want"), load("hashing", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


@pytest.mark.parametrize(
    ("expr", "row", "want"),
    [
        ("md5(a)", {"a": "abc"}, "900150983cd24fb0d6963f7d28e17f72"),
        ("crc32(a)", {"a": "abc"}, "352441c2"),
        ("sha1(a)", {"a": "abc"}, "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ],
)
def test_end_to_end(ws: Workspace, expr: str, row: dict[str, Any], want: Any) -> None:
    assert ws.run(f"SELECT {expr} AS v FROM d", [row]).rows == [{"v": want}]
