"""String functions, ported from eKuiper's ``funcs_str_test.go``."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev import Workspace

from ._harness import check_call, check_validate, load


@pytest.mark.parametrize(("name", "args", "want"), load("string", "calls"))
def test_call(name: str, args: list[Any], want: Any) -> None:
    check_call(name, args, want)


@pytest.mark.parametrize(("name", "args", "want"), load("string", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


@pytest.mark.parametrize(
    ("expr", "row", "want"),
    [
        ("upper(a)", {"a": 1.5}, "1.5"),
        ("substring(a, 1, 3)", {"a": "hello"}, "el"),
        ("split_value(a, '/', 1)", {"a": "x/y/z"}, "y"),
        ("numbytes(a)", {"a": "hé"}, 3),
        ("format(a, 2, 'de_DE')", {"a": 1234.5}, "1.234,50"),
    ],
)
def test_end_to_end(ws: Workspace, expr: str, row: dict[str, Any], want: Any) -> None:
    assert ws.run(f"SELECT {expr} AS v FROM d", [row]).rows == [{"v": want}]
