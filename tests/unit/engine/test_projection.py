"""make_projector: the SELECT list as one function, with eKuiper's alias binding, sendNil,
set-returning (unnest) and multi-column (changed_cols) functions and * EXCEPT/REPLACE."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.engine import Binder
from kuiper_dev.engine.aliases import bind_aliases
from kuiper_dev.engine.projection import Projector, make_projector
from kuiper_dev.engine.runtime import Group, Scope
from kuiper_dev.errors import EvalError, PlanError
from kuiper_dev.plugins import PluginRegistry
from kuiper_dev.sql import parse_select

BINDER = Binder(PluginRegistry())
ROW = {"a": 1, "b": 2, "n": None, "l": [1, 2], "objs": [{"x": 1}, {"x": 2, "y": 3}]}


def projector(fields: str, *, send_nil: bool = False, group: bool = False) -> Projector:
    select = parse_select(f"SELECT {fields} FROM s")
    scope = Scope(BINDER, "rule", ("s",), group=group)
    scope.aliases = {f.alias: f.expr for f in select.fields if f.alias}  # as the planner sets
    return make_projector(
        select, BINDER, scope, bind_aliases(select.fields, typed=False), send_nil=send_nil
    )


def project(fields: str, row: Any = ROW, **options: Any) -> list[dict[str, Any]]:
    return projector(fields, **options)(row)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("a + 1 AS sum1, sum1 + 1 AS sum2", {"sum1": 2, "sum2": 3}),  # eKuiper's own example
        ("a + 1 AS a, a + 2 AS sum2", {"a": 2, "sum2": 4}),  # ... and its same-name example
    ],
)
def test_a_field_sees_the_aliases_of_the_fields_before_it_and_its_own_name_is_a_column(
    fields: str, expected: dict[str, Any]
) -> None:
    assert project(fields) == [expected]


def test_null_values_are_left_out_unless_send_nil() -> None:
    assert project("n, a, missing") == [{"a": 1}]
    assert project("n, a, missing", send_nil=True) == [{"n": None, "a": 1, "missing": None}]


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ("upper(a)", "upper"),
        ("UPPER(a)", "upper"),
        ("a + b", "kuiper_field_0"),
        ("s.a", "a"),
        ("abs(abs(a) + 1)", "abs"),  # the outermost function
        ("o->x", "kuiper_field_0"),
        ("o.x", "x"),  # a column of a non-stream ``o``: named before it becomes a path
        ("l[0]", "kuiper_field_0"),
        ("CASE WHEN a > 0 THEN 1 END", "kuiper_field_0"),
        ("'text'", "kuiper_field_0"),
        ("(a)", "kuiper_field_0"),  # parentheses are no field reference
    ],
)
def test_an_unaliased_field_is_named_as_ekuiper_names_it(fields: str, name: str) -> None:
    assert list(project(fields, {**ROW, "o": {"x": 1}})[0]) == [name]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("a / 0 AS x", "run Select error: alias: x expr: a / 0 meet error, err:divided by zero"),
        ("a / 0", "run Select error: expr: a / 0 meet error, err:divided by zero"),
    ],
)
def test_a_failing_field_names_itself_in_the_error(fields: str, message: str) -> None:
    with pytest.raises(EvalError) as info:
        project(fields)
    assert str(info.value) == message


def test_unnest_makes_one_row_per_item_beside_the_other_fields() -> None:
    assert project("unnest(l) AS u, a") == [{"a": 1, "u": 1}, {"a": 1, "u": 2}]
    assert project("a, unnest(l)") == [{"a": 1, "unnest": 1}, {"a": 1, "unnest": 2}]


def test_unnest_merges_the_keys_of_object_items() -> None:
    assert project("a, unnest(objs)") == [{"a": 1, "x": 1}, {"a": 1, "x": 2, "y": 3}]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "run Select error: can't find the result from the u function"),
        ([], "run Select error: can't find the result from the u function"),  # [] is null
        (1, "run Select error: the argument for the u function should be array"),
    ],
)
def test_unnest_needs_a_non_empty_array(value: Any, message: str) -> None:
    with pytest.raises(EvalError) as info:
        project("unnest(v) AS u", {"v": value})
    assert str(info.value) == message


def test_only_one_set_returning_function_may_be_selected() -> None:
    with pytest.raises(PlanError, match="^only one set-returning function"):
        projector("unnest(l), unnest(objs)")


def test_a_multi_column_function_merges_its_columns_into_the_row() -> None:
    changed = projector("a AS id, changed_cols('c_', true, a, b)")
    assert changed({"a": 1, "b": 2}) == [{"id": 1, "c_a": 1, "c_b": 2}]
    assert changed({"a": 1, "b": 3}) == [{"id": 1, "c_b": 3}]
    assert changed({"a": 1, "b": 3}) == [{"id": 1}]  # nothing changed: no columns


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("*", ROW),  # the wildcard keeps the row's null values
        ("* EXCEPT(a, n)", {"b": 2, "l": [1, 2], "objs": ROW["objs"]}),
        ("* REPLACE(a * 10 AS a)", {**ROW, "a": 10}),
        ("* REPLACE(a + b AS c)", {**ROW, "c": 3}),
        ("* EXCEPT(a, b, l, objs) REPLACE(a * 10 AS a)", {"n": None, "a": 10}),  # REPLACE wins
        ("*, a * 10 AS a", {**ROW, "a": 10}),  # an alias after * overrides its column
    ],
)
def test_wildcard_except_and_replace(fields: str, expected: dict[str, Any]) -> None:
    assert project(fields) == [expected]


def test_an_aggregate_projection_reads_plain_names_from_the_first_row() -> None:
    group = Group([{"a": 1}, {"a": 2}])
    assert project("a, count(*) AS c, sum(a) AS t", group, group=True) == [{"a": 1, "c": 2, "t": 3}]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("collect(*)[0]->color AS c", {"c": "red"}),
        ("collect(a)[1] AS a1, collect(a)[-1]", {"a1": 2, "kuiper_field_0": 2}),
        ("collect(*)[0:1] AS one", {"one": [{"a": 1, "color": "red"}]}),
        ("collect(*)[1]->a + 1 AS n", {"n": 3}),
    ],
)
def test_an_aggregate_result_can_be_indexed_sliced_and_pathed(
    fields: str, expected: dict[str, Any]
) -> None:
    group = Group([{"a": 1, "color": "red"}, {"a": 2, "color": "blue"}])
    assert project(fields, group, group=True) == [expected]


def test_unnamed_fields_are_numbered_in_order_skipping_named_ones() -> None:
    assert list(project("a + 1, b, a + 2, upper(b), 3 AS c, a * 2")[0]) == [
        "kuiper_field_0",
        "b",
        "kuiper_field_1",
        "upper",
        "c",
        "kuiper_field_2",
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("a AS abs, abs(b)", {"abs": 1}),  # an alias beats an expression, wherever it is
        ("abs(b), a AS abs", {"abs": 1}),
        ("abs(b), b + 1 AS b, b", {"abs": 2, "b": 3}),  # and a column
        ("abs(a), abs(b)", {"abs": 2}),  # one kind: the later wins
        ("a + 10 AS b, *", {**ROW, "b": 11}),  # ``*`` is columns: the alias wins
        ("* REPLACE(a + 10 AS b), b * 0 AS b", {**ROW, "b": 0}),  # REPLACE items are aliases
    ],
)
def test_fields_giving_one_name_are_decided_by_kind_as_ekuiper_does(
    fields: str, expected: dict[str, Any]
) -> None:
    assert project(fields) == [expected]


def test_send_nil_keeps_nulls_of_columns_and_aliases_but_not_of_unaliased_expressions() -> None:
    # eKuiper's project operator (map mode) sets an unaliased expression only when not null
    assert project("n, abs(n), n + 1, abs(n) AS x, missing", send_nil=True) == [
        {"n": None, "x": None, "missing": None}
    ]
