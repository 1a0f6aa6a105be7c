"""Mathematical functions, ported from eKuiper's ``funcs_math_test.go``."""

from __future__ import annotations

import math
from typing import Any

import pytest

from kuiper_dev import Workspace
from kuiper_dev.functions import BUILTINS

from ._harness import check_call, check_validate, load


@pytest.mark.parametrize(("name", "args", "want"), load("math", "calls"))
def test_call(name: str, args: list[Any], want: Any) -> None:
    check_call(name, args, want)


@pytest.mark.parametrize(("name", "args", "want"), load("math", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


@pytest.mark.parametrize(
    ("expr", "row", "want"),
    [
        ("abs(a)", {"a": -2.0}, 2.0),  # schemaless JSON numbers are floats
        ("sign(a)", {"a": -3.5}, -1),
        ("power(a, 2)", {"a": 3}, 9.0),
        ("bitand(a, 6)", {"a": 3}, 2),
        ("conv(a, 16, 10)", {"a": "ff"}, "255"),
    ],
)
def test_end_to_end(ws: Workspace, expr: str, row: dict[str, Any], want: Any) -> None:
    assert ws.run(f"SELECT {expr} AS v FROM d", [row]).rows == [{"v": want}]


def test_runtime_error_is_reported(ws: Workspace) -> None:
    result = ws.run("SELECT sqrt(a) AS v FROM d", [{"a": -4.0}])
    assert result.rows == []
    assert "The argument must be a positive number but got -4" in result.errors[0].message


def test_mod_by_zero_is_nan_as_in_go() -> None:
    assert math.isnan(BUILTINS["mod"].fn(5, 0))
