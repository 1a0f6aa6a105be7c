"""Object functions, ported from eKuiper's ``funcs_obj_test.go``."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev import Workspace

from ._harness import check_call, check_validate, load


@pytest.mark.parametrize(("name", "args", "want"), load("object", "calls"))
def test_call(name: str, args: list[Any], want: Any) -> None:
    check_call(name, args, want)


@pytest.mark.parametrize(("name", "args", "want"), load("object", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


@pytest.mark.parametrize(
    ("expr", "row", "want"),
    [
        ("keys(a)", {"a": {"b": 1, "a": 2}}, ["a", "b"]),
        ("object_pick(a, 'x')", {"a": {"x": 1.0, "y": 2.0}}, {"x": 1.0}),
        ("object_construct('k', a)", {"a": "v"}, {"k": "v"}),
    ],
)
def test_end_to_end(ws: Workspace, expr: str, row: dict[str, Any], want: Any) -> None:
    assert ws.run(f"SELECT {expr} AS v FROM d", [row]).rows == [{"v": want}]
