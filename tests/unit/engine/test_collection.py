"""CollectionPlan: what a fired window becomes, in eKuiper's order after the window:
WHERE, GROUP BY, HAVING, ORDER BY (nulls last), SELECT, LIMIT."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.engine import Binder
from kuiper_dev.engine.aliases import bind_aliases
from kuiper_dev.engine.collection import CollectionPlan
from kuiper_dev.engine.projection import make_projector
from kuiper_dev.engine.runtime import Scope
from kuiper_dev.errors import EvalError
from kuiper_dev.plugins import PluginRegistry
from kuiper_dev.sql import parse_select

BINDER = Binder(PluginRegistry())
ROWS: list[dict[str, Any]] = [
    {"a": 1, "g": "x"},
    {"a": 2, "g": "y"},
    {"a": 3, "g": "x"},
    {"g": None},
]


def plan(clauses: str, *, where: bool = True) -> CollectionPlan:
    """The collection plan of ``SELECT <clauses>`` over stream s (window left out)."""
    select = parse_select(f"SELECT {clauses}")
    scope = Scope(BINDER, "rule", (select.source,))
    scope.aliases = {f.alias: f.expr for f in select.fields if f.alias}

    def projector(s: Scope) -> Any:
        return make_projector(select, BINDER, s, bind_aliases(select.fields, typed=False), send_nil=False)

    return CollectionPlan(select, scope, projector, where=where)


def test_a_window_without_group_by_emits_its_rows() -> None:
    assert plan("a FROM s").apply(ROWS) == [{"a": 1}, {"a": 2}, {"a": 3}, {}]


def test_an_empty_window_emits_an_empty_list_not_nothing() -> None:
    assert plan("a FROM s").apply([]) == []


def test_an_aggregating_select_makes_one_row_of_the_whole_window() -> None:
    assert plan("count(*) AS n, sum(a) AS t FROM s").apply(ROWS) == [{"n": 4, "t": 6}]


def test_an_aggregating_select_over_an_empty_window_still_makes_its_one_row() -> None:
    # count over no rows is null and null columns are left out (see the ruletests)
    assert plan("count(*) AS n FROM s").apply([]) == [{}]


@pytest.mark.parametrize(
    "select",
    [
        "a FROM s WHERE a > 10",
        "count(*) AS n FROM s WHERE a > 10",
        "g FROM s WHERE a > 10 GROUP BY g",
    ],
)
def test_a_where_that_keeps_no_row_emits_nothing(select: str) -> None:
    assert plan(select).apply(ROWS) is None


def test_where_left_to_the_window_is_not_applied_again() -> None:
    assert plan("a FROM s WHERE a > 10", where=False).apply(ROWS[:1]) == [{"a": 1}]


def test_a_null_where_drops_the_row() -> None:
    assert plan("a FROM s WHERE a > 1").apply(ROWS) == [{"a": 2}, {"a": 3}]


def test_a_non_boolean_where_is_an_error_not_a_false() -> None:
    with pytest.raises(
        EvalError, match="^run Where error: invalid condition that returns non-bool"
    ):
        plan("a FROM s WHERE g").apply(ROWS)


def test_group_by_over_no_rows_emits_nothing() -> None:
    assert plan("g, count(*) AS n FROM s GROUP BY g").apply([]) is None


def test_groups_come_in_order_of_first_arrival_and_null_is_a_group_of_its_own() -> None:
    out = plan("g, count(*) AS n, sum(a) AS t FROM s GROUP BY g").apply(ROWS)
    assert out == [{"g": "x", "n": 2, "t": 4}, {"g": "y", "n": 1, "t": 2}, {"n": 1}]


def test_a_plain_column_of_an_aggregate_query_reads_the_first_row_of_its_group() -> None:
    assert plan("a, count(*) AS n FROM s GROUP BY g").apply(ROWS[:3]) == [
        {"a": 1, "n": 2},
        {"a": 2, "n": 1},
    ]


def test_having_keeps_the_groups_it_holds_for() -> None:
    out = plan("g, count(*) AS n FROM s GROUP BY g HAVING count(*) > 1").apply(ROWS)
    assert out == [{"g": "x", "n": 2}]


def test_having_that_keeps_no_group_emits_nothing() -> None:
    assert plan("g FROM s GROUP BY g HAVING count(*) > 5").apply(ROWS) is None


def test_having_without_group_by_filters_the_window_as_one_group() -> None:
    assert plan("count(*) AS n FROM s HAVING sum(a) > 5").apply(ROWS) == [{"n": 4}]
    assert plan("count(*) AS n FROM s HAVING sum(a) > 6").apply(ROWS) is None


def test_a_non_boolean_having_is_an_error() -> None:
    with pytest.raises(
        EvalError, match="^run Having error: invalid condition that returns non-bool"
    ):
        plan("g FROM s GROUP BY g HAVING count(*)").apply(ROWS)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("a", [1, 1.5, 2, None]),
        ("a ASC", [1, 1.5, 2, None]),
        ("a DESC", [2, 1.5, 1, None]),  # nulls last whatever the direction, as MultiSorter
    ],
)
def test_order_by_puts_nulls_last(order: str, expected: list[Any]) -> None:
    rows: list[dict[str, Any]] = [{"a": 2}, {"a": None}, {"a": 1.5}, {"a": 1}]
    out = plan(f"a FROM s ORDER BY {order}").apply(rows)
    assert out is not None and [r.get("a") for r in out] == expected


def test_order_by_several_keys_and_ties_keep_their_arrival_order() -> None:
    rows: list[dict[str, Any]] = [
        {"k": 1, "v": 1, "i": 0},
        {"k": None, "v": 9, "i": 1},
        {"k": 1, "v": None, "i": 2},
    ]
    rows += [{"k": 1, "v": 3, "i": 3}, {"k": 0, "v": 3, "i": 4}, {"k": 0, "v": 3, "i": 5}]
    out = plan("i FROM s ORDER BY k, v DESC").apply(rows)
    assert out is not None and [r["i"] for r in out] == [4, 5, 3, 0, 2, 1]


def test_order_by_an_aggregate_through_its_alias() -> None:
    out = plan("g, sum(a) AS t FROM s GROUP BY g ORDER BY t DESC").apply(ROWS)
    assert out == [{"g": "x", "t": 4}, {"g": "y", "t": 2}, {}]


def test_order_by_a_column_the_select_leaves_out() -> None:
    out = plan("a FROM s ORDER BY g DESC").apply(ROWS)
    assert out == [{"a": 2}, {"a": 1}, {"a": 3}, {}]


@pytest.mark.parametrize(("limit", "expected"), [(0, []), (2, [3, 2]), (10, [3, 2, 1])])
def test_limit_cuts_after_ordering(limit: int, expected: list[int]) -> None:
    out = plan(f"a FROM s WHERE a > 0 ORDER BY a DESC LIMIT {limit}").apply(ROWS)
    assert out is not None and [r["a"] for r in out] == expected


def test_row_number_counts_the_rows_in_their_emitted_order() -> None:
    out = plan("a, row_number() AS r FROM s WHERE a > 0 ORDER BY a DESC").apply(ROWS)
    assert out == [{"a": 3, "r": 1}, {"a": 2, "r": 2}, {"a": 1, "r": 3}]


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("x", "x,"),
        ("", ","),
        (None, "<nil>,"),
        (1, "1,"),
        (1.5, "1.5,"),
        (True, "true,"),
        ([1, "a"], "[1 a],"),
        ({"k": 1}, "map[k:1],"),
    ],
)
def test_a_group_key_is_go_text_of_each_dimension(value: Any, key: str) -> None:
    one_column, expression = plan("g FROM s GROUP BY g"), plan("g FROM s GROUP BY g, 'c'")
    assert one_column.dim_column == "g" and expression.dim_column is None
    assert one_column.key_of({"g": value}) == key
    assert expression.key_of({"g": value}) == key + "c,"


def test_a_group_by_alias_is_no_plain_column() -> None:
    assert plan("a * 2 AS g FROM s GROUP BY g").dim_column is None


def test_a_failing_group_by_expression_is_a_group_by_error() -> None:
    with pytest.raises(EvalError, match="^run Group By error: divided by zero$"):
        plan("g FROM s GROUP BY a / 0").apply(ROWS)
