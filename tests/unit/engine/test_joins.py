"""JoinPlan: inner, left, right, full and cross joins over a window's tagged rows, as
eKuiper's ``join_operator.go`` pairs them."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.engine import Binder
from kuiper_dev.engine.compiler import compile_expr
from kuiper_dev.engine.joins import JoinedRow, JoinPlan, TaggedRow, join_streams
from kuiper_dev.engine.runtime import Scope
from kuiper_dev.errors import EvalError, PlanError
from kuiper_dev.plugins import PluginRegistry
from kuiper_dev.sql import parse_select

TAGS = {"a": "a", "b": "b", "c": "c", "x": "x", "y": "y"}
A = [TaggedRow("a", {"id": 1, "v": "a1"}), TaggedRow("a", {"id": 2, "v": "a2"})]
B = [TaggedRow("b", {"id": 2, "w": "b2"}), TaggedRow("b", {"id": 3, "w": "b3"})]
C = [TaggedRow("c", {"id": 2, "z": "c2"})]


def plan(joins: str, source: str = "a") -> JoinPlan:
    select = parse_select(f"SELECT * FROM {source} {joins} GROUP BY COUNTWINDOW(5)")
    scope = Scope(Binder(PluginRegistry()), "rule", tuple(TAGS), joined=True, tags=TAGS)
    compiled = [(j, compile_expr(j.on, scope) if j.on is not None else None) for j in select.joins]
    return JoinPlan(compiled, select.source_alias or select.source)


def pairs(joined: list[JoinedRow]) -> list[list[str]]:
    """Each joined row as the rows it holds, e.g. ``["a2", "b2"]``."""
    return [[f"{p.emitter}{p['id']}" for p in row.parts] for row in joined]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("INNER", [["a2", "b2"]]),
        ("LEFT", [["a1"], ["a2", "b2"]]),
        ("RIGHT", [["b2", "a2"], ["b3"]]),  # a right join walks the right rows
        ("FULL", [["a1"], ["a2", "b2"], ["b3"]]),
    ],
)
def test_join_kinds_pair_matching_rows_and_keep_their_unmatched_side(
    kind: str, expected: list[list[str]]
) -> None:
    assert pairs(plan(f"{kind} JOIN b ON a.id = b.id").apply(A + B)) == expected


def test_cross_join_pairs_every_row_with_every_row() -> None:
    assert pairs(plan("CROSS JOIN b").apply(A + B)) == [
        ["a1", "b2"],
        ["a1", "b3"],
        ["a2", "b2"],
        ["a2", "b3"],
    ]


@pytest.mark.parametrize(
    ("kind", "rows", "expected"),
    [
        ("INNER", A, []),
        ("LEFT", A, [["a1"], ["a2"]]),
        ("RIGHT", B, [["b2"], ["b3"]]),
        ("FULL", A, [["a1"], ["a2"]]),
        ("FULL", B, [["b2"], ["b3"]]),
        ("CROSS", A, []),
    ],
)
def test_a_side_without_rows(kind: str, rows: list[TaggedRow], expected: list[Any]) -> None:
    on = "" if kind == "CROSS" else " ON a.id = b.id"
    assert pairs(plan(f"{kind} JOIN b{on}").apply(rows)) == expected


def test_a_row_matching_several_rows_joins_each_of_them() -> None:
    rights = [TaggedRow("b", {"id": 2, "w": "first"}), TaggedRow("b", {"id": 2, "w": "second"})]
    joined = plan("LEFT JOIN b ON a.id = b.id").apply(A + rights)
    assert [r.get("w") for r in joined] == [None, "first", "second"]


def test_later_joins_extend_the_rows_joined_so_far() -> None:
    inner = plan("INNER JOIN b ON a.id = b.id INNER JOIN c ON b.id = c.id")
    assert pairs(inner.apply(A + B + C)) == [["a2", "b2", "c2"]]
    left = plan("LEFT JOIN b ON a.id = b.id LEFT JOIN c ON a.id = c.id")
    assert pairs(left.apply(A + B + C)) == [["a1"], ["a2", "b2", "c2"]]


def test_streams_are_told_apart_by_alias() -> None:
    rows = [TaggedRow("x", {"id": 2}), TaggedRow("y", {"id": 2}), TaggedRow("a", {"id": 2})]
    assert pairs(plan("INNER JOIN b AS y ON x.id = y.id", "a AS x").apply(rows)) == [["x2", "y2"]]


def test_a_joined_row_reads_a_shared_name_from_the_first_stream_and_keeps_each_row() -> None:
    row = JoinedRow([TaggedRow("a", {"id": 1, "v": "a"}), TaggedRow("b", {"id": 2, "w": "b"})])
    assert dict(row) == {"id": 1, "v": "a", "w": "b"}
    assert row.tables == {"a": {"id": 1, "v": "a"}, "b": {"id": 2, "w": "b"}}


def test_a_tagged_row_is_its_own_streams_table() -> None:
    row = TaggedRow("a", {"id": 1})
    assert row == {"id": 1} and row.emitter == "a" and row.tables == {"a": row}


@pytest.mark.parametrize(
    ("joins", "source", "expected"),
    [
        ("INNER JOIN b ON a.id = b.id", "a", ("a", "b")),
        ("INNER JOIN b ON b.id = a.id", "a", ("b", "a")),  # the order ON names them in
        ("INNER JOIN b ON a.id = 1", "a", ("a", "b")),  # one stream named: FROM, then JOIN
        ("CROSS JOIN b", "a", ("a", "b")),
        ("LEFT JOIN b AS y ON y.k = 1", "a AS x", ("x", "y")),
    ],
)
def test_join_streams_are_those_on_names_else_from_and_the_joined(
    joins: str, source: str, expected: tuple[str, str]
) -> None:
    select = parse_select(f"SELECT * FROM {source} {joins} GROUP BY COUNTWINDOW(5)")
    assert join_streams(select.joins[0], select.source_alias or select.source) == expected


def test_the_stream_on_names_first_is_the_left_side() -> None:
    joined = plan("INNER JOIN b ON b.id = a.id").apply(A + B)
    assert pairs(joined) == [["b2", "a2"]]
    assert joined[0]["id"] == 2 and "w" in joined[0]


def test_a_non_boolean_join_condition_is_an_error() -> None:
    with pytest.raises(EvalError, match="^run Join error: invalid join condition that returns non"):
        plan("INNER JOIN b ON a.id").apply(A + B)


def test_a_join_plan_needs_a_join() -> None:
    with pytest.raises(PlanError, match="^a join plan needs at least one JOIN$"):
        JoinPlan([], "a")
