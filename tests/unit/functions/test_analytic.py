"""Analytic functions, ported from eKuiper's ``funcs_analytic_test.go`` and ``funcs_acc_test.go``.

Each sequence runs on one CallContext in order; every call passes eKuiper's two
hidden trailing arguments: the WHEN result and the partition key.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kuiper_dev.functions import BUILTINS, FunctionError

from ._harness import CASES, FakeContext, check_validate, same

SEQUENCES: dict[str, Any] = json.loads((CASES / "analytic.json").read_text())["sequences"]


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_sequence(name: str) -> None:
    spec = SEQUENCES[name]
    fn, ctx = BUILTINS[spec["fn"]].fn, FakeContext()
    for i, (args, want) in enumerate(spec["cases"]):
        if isinstance(want, dict) and set(want) == {"error"}:
            with pytest.raises(FunctionError) as info:
                fn(ctx, *args)
            assert str(info.value) == want["error"], f"step {i}"
        else:
            got = fn(ctx, *args)
            assert same(got, want), f"step {i}: {spec['fn']}{tuple(args)} = {got!r}, want {want!r}"


@pytest.mark.parametrize(
    ("name", "args", "want"),
    [
        ("changed_col", ["foo"], "Expect 2 arguments but found 1."),
        ("changed_col", ["foo", "bar"], "Expect boolean type for parameter 1"),
        ("changed_col", ["foo", "bar", "baz"], "Expect 2 arguments but found 3."),
        ("changed_col", [True, "baz"], None),
        ("had_changed", [True], "expect more than one arg but got 1"),
        ("had_changed", ["foo", "bar"], "Expect bool type for parameter 1"),
        ("had_changed", [True, "bar", 20], None),
        ("lag", [], "expect one two or three args but got 0"),
        ("lag", ["a", 1, 2, True, 5], "expect one two or three args but got 5"),
        ("lag", [{"field": "a"}, -1], "the index should not be a nagtive integer"),
        ("lag", [{"field": "a"}, {"field": "n"}], "Expect int type for parameter 2"),
        ("lag", [{"field": "a"}, 1.5], "Expect int type for parameter 2"),
        ("lag", [{"field": "a"}, 1, 0, "x"], "Expect bool type for parameter 4"),
        ("lag", [{"field": "a"}, 2, 0, False], None),
        ("latest", [], "expect one or two args but got 0"),
        ("latest", [{"field": "a"}, 0], None),
        ("acc_sum", [{"field": "a"}, True], "Expect 1/3 arguments but found 2."),
        ("acc_count", [{"field": "a"}], None),
    ],
)
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


def test_kinds_are_analytic() -> None:
    names = ["lag", "latest", "changed_col", "had_changed", "acc_sum", "acc_avg", "acc_max"]
    names += ["acc_min", "acc_count"]
    assert all(BUILTINS[n].kind == "analytic" and BUILTINS[n].context for n in names)
