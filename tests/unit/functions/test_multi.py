"""Window, multi-row and multi-column functions (``funcs_window_test.go``, ``funcs_srf_test.go``,
``funcs_cols_test.go``)."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.functions import BUILTINS, FunctionError

from ._harness import FakeContext, check_validate


def test_kinds() -> None:
    kinds = {n: BUILTINS[n].kind for n in ("row_number", "unnest", "extract", "changed_cols")}
    assert kinds == {
        "row_number": "window",
        "unnest": "srf",
        "extract": "srf",
        "changed_cols": "cols",
    }


def test_row_number_counts_from_one() -> None:
    assert [BUILTINS["row_number"].fn(i) for i in range(3)] == [1, 2, 3]


def test_unnest_and_extract() -> None:
    assert BUILTINS["unnest"].fn([1, 2]) == [1, 2]
    assert BUILTINS["unnest"].fn(3) == 3
    assert BUILTINS["unnest"].fn(None) is None
    assert BUILTINS["unnest"].fn([]) is None
    assert BUILTINS["extract"].fn({"a": 1}) == [{"a": 1}]
    with pytest.raises(FunctionError, match="extract should use map"):
        BUILTINS["extract"].fn([1])


def test_changed_cols_sequence() -> None:
    fn, ctx = BUILTINS["changed_cols"].fn, FakeContext()
    keys = ["", "", "a", "b"]
    assert fn(ctx, "c_", True, 1, "x", keys) == {"c_a": 1, "c_b": "x"}
    assert fn(ctx, "c_", True, 1, "x", keys) is None
    assert fn(ctx, "c_", True, 2, None, keys) == {"c_a": 2}
    assert fn(ctx, "c_", False, 2, None, keys) == {"c_b": None}
    assert fn(ctx, "", True, 2.0, None, keys) == {"a": 2.0}  # 2 and 2.0 differ, as in Go
    with pytest.raises(FunctionError, match="the length of keys 3 does not match the args 2"):
        fn(ctx, "", True, 1, 2, ["", "", "a"])
    with pytest.raises(FunctionError, match="first arg is not a string but got 1"):
        fn(ctx, 1, True, 1, keys[:3])
    with pytest.raises(FunctionError, match="second arg is not a bool but got <nil>"):
        fn(ctx, "c_", None, 1, keys[:3])


@pytest.mark.parametrize(
    ("name", "args", "want"),
    [
        ("row_number", [], None),
        ("row_number", [1], "Expect 0 arguments but found 1."),
        ("unnest", [], "Expect 1 arguments but found 0."),
        ("extract", [{"field": "a"}], None),
        ("changed_cols", ["c_", True], "expect more than two args but got 2"),
        ("changed_cols", [1, True, {"field": "a"}], "Expect string type for parameter 1"),
        ("changed_cols", ["c_", "x", {"field": "a"}], "Expect bool type for parameter 2"),
        ("changed_cols", ["c_", True, {"field": "a"}], None),
    ],
)
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)
