"""compile_expr: expressions become closures once; null policy, AND/OR, IN, BETWEEN, LIKE
and names as eKuiper's valuer (``internal/xsql/valuer.go``) evaluates them."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.engine import Binder
from kuiper_dev.engine.compiler import compile_expr
from kuiper_dev.engine.joins import JoinedRow, TaggedRow
from kuiper_dev.engine.runtime import Group, Scope
from kuiper_dev.errors import EvalError, PlanError
from kuiper_dev.plugins import PluginRegistry
from kuiper_dev.sql import ast, parse_expr

BINDER = Binder(PluginRegistry())
ROW = {"a": 1, "f": 2.5, "n": None, "s": "abc", "l": [1, 2, 3], "m": {"k": 7}, "t": True}


def scope(**changes: Any) -> Scope:
    return Scope(BINDER, "rule", changes.pop("sources", ("s",)), **changes)


def ev(text: str, row: Any = ROW, **changes: Any) -> Any:
    return compile_expr(parse_expr(text), scope(**changes))(row)


def error_of(text: str) -> str:
    with pytest.raises(EvalError) as info:
        ev(text)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a + n", None),  # arithmetic with null is null
        ("n * 2", None),
        ("missing + 1", None),  # a column the row lacks reads as null
        ("a = n", False),  # comparisons with null are false, even null = null
        ("n = n", False),
        ("a != n", False),
        ("a > n", False),
        ("n <= a", False),
    ],
)
def test_null_policy(text: str, expected: Any) -> None:
    got = ev(text)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("false AND 1 / 0 = 1", False),  # the right side is never evaluated
        ("true OR 1 / 0 = 1", True),
        ("false AND 1", False),  # nor type-checked
        ("true OR 'x'", True),
        ("n AND true", False),  # null in a logical operator counts as false
        ("true AND n", False),
        ("n OR true", False),
        ("false OR n", False),
        ("true AND a = 1", True),
        ("false OR a = 1", True),
    ],
)
def test_and_or_short_circuit_and_treat_null_as_false(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("true AND 1 / 0 = 1", "divided by zero"),
        ("true AND 1", "invalid operation bool(true) AND int64(1)"),
        ("a OR true", "invalid operation int64(1) OR bool(true)"),
    ],
)
def test_and_or_evaluate_the_right_side_when_the_left_does_not_decide(
    text: str, message: str
) -> None:
    assert error_of(text) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a IN (1, 2)", True),
        ("a IN (2, 3)", False),
        ("a NOT IN (2, 3)", True),
        ("a IN (1.0)", True),  # numbers compare across int and float
        ("s IN ('x', 'abc')", True),
        ("a IN l", True),  # an array column is a value set
        ("5 NOT IN l", True),
        ("a IN n", False),  # a null set holds nothing ...
        ("a NOT IN n", True),
        ("n IN (1, 2)", False),  # ... and a null value is in no set, nor out of one
        ("n NOT IN (1, 2)", False),
        ("a IN (n, 1)", True),  # a null item just never matches
    ],
)
def test_in(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_in_with_an_item_that_cannot_be_compared_is_an_error() -> None:
    assert error_of("a IN ('1', 2)") == (
        "evaluate in expression error: invalid operation int64(1) = string(1)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a BETWEEN 1 AND 2", True),  # both bounds are included
        ("a BETWEEN 0 AND 1", True),
        ("f BETWEEN 2 AND 3", True),
        ("a BETWEEN 1.5 AND 3", False),
        ("a NOT BETWEEN 2 AND 3", True),
        ("s BETWEEN 'abb' AND 'abd'", True),
        ("n BETWEEN 0 AND 1", False),  # a null value is neither between nor not
        ("n NOT BETWEEN 0 AND 1", False),
        ("a BETWEEN n AND 3", False),  # a null bound compares false
    ],
)
def test_between(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_between_names_the_bound_it_cannot_compare() -> None:
    message = "between operator cannot compare int64(1) and string(z)"
    assert error_of("a BETWEEN 0 AND 'z'") == message
    assert error_of("a BETWEEN 'z' AND 2") == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("s LIKE 'a%'", True),
        ("s LIKE '%c'", True),
        ("s LIKE 'a_c'", True),
        ("s LIKE '_b'", False),  # the whole text must match
        ("s LIKE 'A%'", False),  # case matters
        ("s NOT LIKE 'x%'", True),
        ("s LIKE s", True),  # the pattern may come from the row
    ],
)
def test_like(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a LIKE '1'", "LIKE operator left operand expects string, but found 1"),
        ("s LIKE a", "invalid LIKE pattern, must be a string but got 1"),
    ],
)
def test_like_needs_strings_on_both_sides(text: str, message: str) -> None:
    assert error_of(text) == message


def test_a_like_literal_that_is_no_pattern_is_refused_when_compiled() -> None:
    node = ast.BinaryExpr("LIKE", ast.FieldRef("s"), ast.StringLiteral("a("))
    with pytest.raises(PlanError, match="^invalid LIKE pattern: "):
        compile_expr(node, scope())


def test_an_alias_compiles_to_its_expression() -> None:
    assert ev("double + 1", aliases={"double": parse_expr("a * 2")}) == 3


def test_an_alias_named_as_a_column_reads_the_column_inside_its_own_expression() -> None:
    assert ev("a * 100", aliases={"a": parse_expr("a + 10")}) == 1100


def test_a_qualified_name_of_the_stream_is_its_column_and_of_anything_else_a_path() -> None:
    assert ev("s.a") == 1
    assert ev("m.k") == 7  # ``m`` is no stream: m.k reads key k of column m
    assert ev("m.nope") is None


def test_the_wildcard_is_a_copy_of_the_row() -> None:
    row = {"a": 1}
    copy = ev("*", row)
    copy["a"] = 2
    assert row == {"a": 1}


def test_an_aggregate_scope_reads_plain_names_from_the_groups_first_row() -> None:
    group = Group([{"a": 1}, {"a": 2}])
    assert ev("a + 1", group, group=True) == 2
    assert ev("*", group, group=True) == {"a": 1}
    assert ev("a", Group([]), group=True) is None


def test_a_joined_scope_reads_a_qualified_name_from_that_streams_row() -> None:
    row = JoinedRow([TaggedRow("a", {"id": 1, "v": "left"}), TaggedRow("b", {"id": 2})])
    joined = {"sources": ("a", "b", "x"), "joined": True, "tags": {"a": "a", "b": "b", "x": "b"}}
    assert [ev(t, row, **joined) for t in ("a.id", "b.id", "x.id", "id", "b.v")] == [
        1,
        2,
        2,  # an alias is a tag of its stream
        1,  # unqualified: the first stream's value
        None,  # b has no v even if a has
    ]


def test_literals_and_parentheses() -> None:
    assert ev("(a + 1) * 2") == 4
    assert [ev(t) for t in ("7", "2.5", "'x'", "true")] == [7, 2.5, "x", True]


def test_a_node_without_a_compiled_form_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="^cannot compile 'ss': TimeLiteral is not supported yet"):
        compile_expr(ast.TimeLiteral("SS"), scope())
