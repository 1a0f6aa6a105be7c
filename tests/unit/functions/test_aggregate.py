"""Aggregate functions, ported from eKuiper's ``funcs_agg_test.go``.

Each argument is the list of that argument's values over the group's rows.
"""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.functions import BUILTINS

from ._harness import FakeContext, check_call, check_validate, load

AGGREGATES = ["avg", "count", "max", "min", "sum", "collect", "merge_agg", "deduplicate"]
AGGREGATES += ["stddev", "stddevs", "var", "vars", "median", "percentile_cont", "percentile_disc"]
AGGREGATES += ["last_value", "last_agg_hit_count", "last_agg_hit_time"]


@pytest.mark.parametrize(("name", "args", "want"), load("aggregate", "calls"))
def test_call(name: str, args: list[Any], want: Any) -> None:
    check_call(name, args, want)


@pytest.mark.parametrize(("name", "args", "want"), load("aggregate", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


def test_all_registered_as_aggregates() -> None:
    assert [n for n in AGGREGATES if BUILTINS[n].kind != "aggregate"] == []


def test_last_agg_hit() -> None:
    ctx = FakeContext()
    count, when = BUILTINS["last_agg_hit_count"].fn, BUILTINS["last_agg_hit_time"].fn
    assert [count(ctx, True), count(ctx, True), count(ctx, False)] == [0, 1, 2]
    assert [when(ctx, True, 10), when(ctx, True, 20), when(ctx, False, 30)] == [0, 10, 20]
