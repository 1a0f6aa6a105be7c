"""Incremental calls (``funcs_inc_agg.go``, ``funcs_inc_agg_test.go``) and ``window_trigger``.

``cases/incremental_calls.json`` holds ``sequences`` -- ``[name, [args of each
call...], [result of each call...]]`` run in order through one call site's state
(``{"error": text}`` expects a FunctionError, after which the state must be as
before) -- and ``validate`` cases in the other categories' format.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kuiper_dev import Workspace
from kuiper_dev.errors import PlanError
from kuiper_dev.functions import BUILTINS, FunctionError

from ._harness import CASES, FakeContext, check_validate, load, same

INC = (
    "inc_avg",
    "inc_collect",
    "inc_count",
    "inc_last_value",
    "inc_max",
    "inc_merge_agg",
    "inc_min",
    "inc_sum",
)


def _sequences() -> list[Any]:
    data = json.loads((CASES / "incremental_calls.json").read_text(encoding="utf-8"))
    return [
        pytest.param(name, calls, wants, id=f"{name}-{i}")
        for i, (name, calls, wants) in enumerate(data["sequences"])
    ]


@pytest.mark.parametrize(("name", "calls", "wants"), _sequences())
def test_sequence(name: str, calls: list[list[Any]], wants: list[Any]) -> None:
    assert len(calls) == len(wants)
    fn = BUILTINS[name].fn
    ctx = FakeContext()
    for args, want in zip(calls, wants, strict=True):
        if isinstance(want, dict) and set(want) == {"error"}:
            before = json.dumps(ctx.state, sort_keys=True)
            with pytest.raises(FunctionError) as info:
                fn(ctx, *args)
            assert str(info.value) == want["error"]
            assert json.dumps(ctx.state, sort_keys=True) == before  # a failed call folds nothing
        else:
            got = fn(ctx, *args)
            assert same(got, want), f"{name}{tuple(args)} = {got!r}, want {want!r}"


@pytest.mark.parametrize(("name", "args", "want"), load("incremental_calls", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


def test_registered_as_scalar_context_calls() -> None:
    for name in INC:
        b = BUILTINS[name]
        assert (b.kind, b.context, b.null, b.category) == ("scalar", True, "nil", "incremental")
        assert b.incremental is None  # a running scalar, not a window aggregate
    assert BUILTINS["window_trigger"].context and BUILTINS["window_trigger"].null == "pass"


def test_results_do_not_change_with_later_calls() -> None:
    ctx = FakeContext()
    merge, collect = BUILTINS["inc_merge_agg"].fn, BUILTINS["inc_collect"].fn
    first_map, first_list = merge(ctx, {"a": 1}), collect(ctx, 1)
    merge(ctx, {"a": 2, "b": 3})
    collect(ctx, 2)
    assert first_map == {"a": 1} and first_list == [1]


def test_each_function_keeps_its_own_state_in_one_context() -> None:
    # eKuiper keys each state by function: inc_avg's count and sum are its own
    ctx = FakeContext()
    assert BUILTINS["inc_avg"].fn(ctx, 4) == 4.0
    assert BUILTINS["inc_avg"].fn(ctx, 2) == 3.0
    assert BUILTINS["inc_last_value"].fn(FakeContext(), 5, True) == 5


def test_the_unreachable_null_branch_of_last_value() -> None:
    # eKuiper's null check answers before the function runs; the raw function still
    # follows eKuiper's code for a null value: the kept value, or null
    raw = BUILTINS["inc_last_value"].fn.__wrapped__  # type: ignore[attr-defined]
    ctx = FakeContext()
    assert raw(ctx, 7, True) == 7
    assert raw(ctx, None, True) == 7
    assert raw(ctx, None, False) is None


def test_window_trigger_direct() -> None:
    fn = BUILTINS["window_trigger"].fn
    ctx = FakeContext()
    assert fn(ctx) is None  # no window range at all
    ctx.window_end_ms = 0  # type: ignore[attr-defined]
    assert fn(ctx) is None  # the engine's "no window"
    ctx.window_end_ms = 1_700_000_010_000  # type: ignore[attr-defined]
    assert fn(ctx) == 1_700_000_010_000


ROWS: list[dict[str, Any]] = [
    {"a": 1, "b": 10},
    {"a": None, "b": 20},
    {"b": 30},
    {"a": 2.5, "b": 40},
]


def test_running_totals_in_a_rule(ws: Workspace) -> None:
    sql = (
        "SELECT inc_sum(a) AS s, inc_sum(b) AS t, inc_count(a) AS c, inc_avg(b) AS v,"
        " inc_max(b) AS mx, inc_min(b) AS mn FROM d"
    )
    rows = ws.run(sql, ROWS).rows
    totals_b = [10, 30, 60, 100]
    assert [r.get("s") for r in rows] == [1.0, None, None, 3.5]
    assert [r["t"] for r in rows] == [float(t) for t in totals_b]
    assert [r.get("c") for r in rows] == [1, None, None, 2]
    assert [r["v"] for r in rows] == [t / (i + 1) for i, t in enumerate(totals_b)]
    assert [r["mx"] for r in rows] == [10.0, 20.0, 30.0, 40.0]
    assert [r["mn"] for r in rows] == [10.0] * 4
    assert ws.run(sql, ROWS).json_lines()[0] == '[{"c":1,"mn":10,"mx":10,"s":1,"t":10,"v":10}]'


def test_two_call_sites_keep_separate_state(ws: Workspace) -> None:
    rows = ws.run("SELECT inc_count(b) AS x, inc_count(b) AS y FROM d", ROWS).rows
    assert rows == [{"x": n, "y": n} for n in (1, 2, 3, 4)]  # shared state would double
    # a condition's call is a call site of its own, counting every row it sees
    rows = ws.run("SELECT inc_count(b) AS c FROM d WHERE inc_count(b) > 2", ROWS).rows
    assert rows == [{"c": 1}, {"c": 2}]


def test_state_starts_afresh_with_each_rule(ws: Workspace) -> None:
    sql = "SELECT inc_collect(b) AS l FROM d"
    first = ws.run(sql, ROWS[:2]).rows
    again = ws.run(sql, ROWS[:2]).rows
    assert first == again == [{"l": [10.0]}, {"l": [10.0, 20.0]}]


def test_merge_and_last_value_in_a_rule(ws: Workspace) -> None:
    feed = [
        {"o": {"x": 1}, "a": 1, "f": True},
        {"o": {"y": 2}, "a": None, "f": True},
        {"o": {"x": 3}, "a": 3, "f": False},
    ]
    rows = ws.run("SELECT inc_merge_agg(o) AS m, inc_last_value(a, f) AS l FROM d", feed).rows
    assert rows == [
        {"m": {"x": 1.0}, "l": 1.0},
        {"m": {"x": 1.0, "y": 2.0}},
        {"m": {"x": 3.0, "y": 2.0}, "l": 3.0},
    ]


def test_a_bad_value_is_a_rule_error_and_folds_nothing(ws: Workspace) -> None:
    result = ws.run("SELECT inc_sum(a) AS s FROM d", [{"a": 1}, {"a": "x"}, {"a": "2"}])
    assert result.rows == [{"s": 1.0}, {"s": 3.0}]
    assert len(result.errors) == 1
    assert "cannot convert string(x) to float64" in result.errors[0].message


def test_literal_flag_of_last_value_is_refused_as_ekuiper_does(ws: Workspace) -> None:
    with pytest.raises(PlanError, match="Expect number - float or int type for parameter 2"):
        ws.run("SELECT inc_last_value(a, true) AS l FROM d", ROWS)


def test_window_trigger_in_and_out_of_windows(ws: Workspace) -> None:
    feed = [{"a": 1}, {"a": 2}]
    plain = ws.run("SELECT window_trigger() AS t, a FROM d", feed).rows
    assert plain == [{"a": 1.0}, {"a": 2.0}]  # null outside a window: the key is left out
    sql = (
        "SELECT window_trigger() AS t, window_end() AS e, inc_sum(a) AS s"
        " FROM d GROUP BY TUMBLINGWINDOW(ss, 1)"
    )
    rows = [r for r in ws.run(sql, feed, drain_ms=1000).rows if "s" in r]
    assert len(rows) == 2
    assert all(r["t"] == r["e"] and r["t"] % 1000 == 0 for r in rows)
    assert rows[0]["t"] < rows[1]["t"]
    # across windows the running sum goes on: it is a rule-wide scalar, not a window's
    assert [r["s"] for r in rows] == [1.0, 3.0]


def test_typed_columns_keep_go_kinds(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM t (n BIGINT) WITH (DATASOURCE="t", FORMAT="json")')
    sql = "SELECT inc_max(n) AS mx, inc_min(n) AS mn, inc_sum(n) AS s FROM t"
    rows = ws.run(sql, [{"n": 3}, {"n": 7}, {"n": -2}]).rows
    # max/min stay int64 as the aggregates do; the sum is eKuiper's float64
    assert [(type(r["mx"]), type(r["mn"]), type(r["s"])) for r in rows] == [(int, int, float)] * 3
    assert [(r["mx"], r["mn"], r["s"]) for r in rows] == [(3, 3, 3.0), (7, 3, 10.0), (7, -2, 8.0)]
