"""Array functions, ported from eKuiper's ``funcs_array_test.go``."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev import Workspace

from ._harness import check_call, check_validate, load


@pytest.mark.parametrize(("name", "args", "want"), load("array", "calls"))
def test_call(name: str, args: list[Any], want: Any) -> None:
    check_call(name, args, want)


@pytest.mark.parametrize(("name", "args", "want"), load("array", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


@pytest.mark.parametrize(
    ("expr", "row", "want"),
    [
        (
            "array_position(a, 2)",
            {"a": [3, 2, 1]},
            -1,
        ),  # JSON numbers are floats: 2 (int) is not 2.0
        ("array_position(a, 2.0)", {"a": [3, 2, 1]}, 1),
        ("element_at(a, 0)", {"a": ["x", "y"]}, "x"),
        ("array_join(a, ',')", {"a": ["x", None, "y"]}, "x,y"),
        ("cardinality(a)", {"a": [1, 2]}, 2),
    ],
)
def test_end_to_end(ws: Workspace, expr: str, row: dict[str, Any], want: Any) -> None:
    assert ws.run(f"SELECT {expr} AS v FROM d", [row]).rows == [{"v": want}]
