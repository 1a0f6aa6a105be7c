"""JSON functions (``json_functions.md``; to_json/parse_json from ``funcs_misc_test.go``)."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev import Workspace

from ._harness import check_call, check_validate, load


@pytest.mark.parametrize(("name", "args", "want"), load("json", "calls"))
def test_call(name: str, args: list[Any], want: Any) -> None:
    check_call(name, args, want)


@pytest.mark.parametrize(("name", "args", "want"), load("json", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


@pytest.mark.parametrize(
    ("expr", "row", "want"),
    [
        ("to_json(a)", {"a": {"b": 1.0, "a": "x"}}, '{"a":"x","b":1}'),
        ("json_path_query(a, '$.b[*].c')", {"a": {"b": [{"c": 1.0}, {"c": 2.0}]}}, [1.0, 2.0]),
        ("json_path_exists(a, '$.z')", {"a": {"b": 1.0}}, False),
    ],
)
def test_end_to_end(ws: Workspace, expr: str, row: dict[str, Any], want: Any) -> None:
    assert ws.run(f"SELECT {expr} AS v FROM d", [row]).rows == [{"v": want}]
