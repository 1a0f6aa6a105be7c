"""State windows against eKuiper's ``StateWindowOp`` (``internal/topo/node/window_v2_op.go``).

Cases come from eKuiper's ``internal/topo/node/node_test/window_v2_op_test.go``
(``go:``) and ``docs/en_US/sqls/windows.md`` (``doc:``); the Go tests check only
window contents, so ranges follow the operator's ``StartTime``/``EndTime``
(``op:`` cases pin further branches of that operator). Times are ms offsets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kuiper_dev.engine.values import binary_op
from kuiper_dev.engine.windows import StateWindow
from kuiper_dev.engine.windows.state import Condition
from kuiper_dev.errors import EvalError

T0 = 1_700_000_000_000


def cmp(field: str, op: str, value: Any) -> Condition:
    """``field op value`` with the engine's own operator (errors on bool vs int, as eKuiper)."""
    fn = binary_op(op)
    return lambda row: fn(row.get(field), value)


def ref(field: str) -> Condition:
    """A bare field reference as the condition, ``statewindow(a)``."""
    return lambda row: row.get(field)


def had_changed(field: str) -> Condition:
    """eKuiper's ``had_changed``: true when the value differs from the last one (nil at first)."""
    last: list[Any] = [None]

    def changed(row: dict[str, Any]) -> bool:
        value = row.get(field)
        if value == last[0] and type(value) is type(last[0]):
            return False
        last[0] = value
        return True

    return changed


Case = tuple[
    str,
    Callable[[], tuple[Condition, Condition | None, tuple[Condition, ...]]],
    list[tuple[dict[str, Any], int]],
    list[tuple[list[dict[str, Any]], int, int]],
]

CASES: list[Case] = [
    (
        "go:TestStateWindowStatePartition statewindow(a = 1, a = 2) over (partition by b)",
        lambda: (cmp("a", "=", 1), cmp("a", "=", 2), (ref("b"),)),
        [
            ({"a": True}, 0),  # a = 1 errors on a bool: not a begin
            ({"a": False}, 500),
            ({"a": 1, "b": 1}, 0),
            ({"a": 1, "b": 2}, 0),
            ({"a": 2, "b": 1}, 500),
        ],
        [([{"a": 1, "b": 1}, {"a": 2, "b": 1}], 0, 500)],
    ),
    (
        # eKuiper restores the state into a second operator; here one window sees both halves
        "go:TestStateWindowState statewindow(a), state carried over",
        lambda: (ref("a"), None, ()),
        [({"a": True}, 0), ({"a": False}, 500), ({"a": False}, 500), ({"a": True}, 500)],
        [([{"a": True}, {"a": False}, {"a": False}], 0, 500)],
    ),
    (
        "go:TestSingleConditionStWindow statewindow(a)",
        lambda: (ref("a"), None, ()),
        [({"a": True}, 0), ({"a": False}, 500), ({"a": False}, 500), ({"a": True}, 500)],
        [([{"a": True}, {"a": False}, {"a": False}], 0, 500)],
    ),
    (
        "go:TestStateWindow statewindow(a > 1, a > 5)",
        lambda: (cmp("a", ">", 1), cmp("a", ">", 5), ()),
        [({"a": 1}, 0), ({"a": 2}, 500), ({"a": 6}, 500)],
        [([{"a": 2}, {"a": 6}], 500, 500)],
    ),
    (
        "doc:statewindow(had_changed(a))",
        lambda: (had_changed("a"), None, ()),
        [({"a": 1}, 0), ({"a": 1}, 1), ({"a": 1}, 2), ({"a": 2}, 3), ({"a": 2}, 4), ({"a": 3}, 5)],
        [([{"a": 1}, {"a": 1}, {"a": 1}], 0, 3), ([{"a": 2}, {"a": 2}], 3, 5)],
    ),
    (
        "doc:statewindow(a = 1, a = 5) over (partition by b)",
        lambda: (cmp("a", "=", 1), cmp("a", "=", 5), (ref("b"),)),
        [({"a": 1, "b": 1}, 0), ({"a": 1, "b": 2}, 1), ({"a": 5, "b": 1}, 2)],
        [([{"a": 1, "b": 1}, {"a": 5, "b": 1}], 0, 2)],
    ),
    (
        "op:the begin row is not tested against end; rows between windows are dropped",
        lambda: (cmp("a", ">", 1), cmp("a", ">", 5), ()),
        [({"a": 9}, 0), ({"a": 0}, 1), ({"a": 7}, 2), ({"a": 0}, 3), ({"a": 2}, 4), ({"a": 8}, 5)],
        [([{"a": 9}, {"a": 0}, {"a": 7}], 0, 2), ([{"a": 2}, {"a": 8}], 4, 5)],
    ),
    (
        "op:only a boolean true matches; null and numbers do not",
        lambda: (ref("a"), None, ()),
        [
            ({"a": 1}, 0),
            ({}, 1),
            ({"a": True}, 2),
            ({"a": 1}, 3),
            ({"a": None}, 4),
            ({"a": True}, 5),
        ],
        [([{"a": True}, {"a": 1}, {"a": None}], 2, 5)],
    ),
    (
        "op:partition keys print with %v: 1, 1.0 and '1' share one; a missing b is <nil>",
        lambda: (cmp("a", "=", 1), cmp("a", "=", 5), (ref("b"),)),
        [
            ({"a": 1, "b": 1}, 0),
            ({"a": 1}, 1),
            ({"a": 0, "b": 1.0}, 2),
            ({"a": 5, "b": "1"}, 3),
            ({"a": 5}, 4),
        ],
        [
            ([{"a": 1, "b": 1}, {"a": 0, "b": 1.0}, {"a": 5, "b": "1"}], 0, 3),
            ([{"a": 1}, {"a": 5}], 1, 4),
        ],
    ),
]


@pytest.mark.parametrize(("name", "make", "rows", "expected"), CASES, ids=[c[0] for c in CASES])
def test_state_window(
    name: str,
    make: Callable[[], tuple[Condition, Condition | None, tuple[Condition, ...]]],
    rows: list[tuple[dict[str, Any], int]],
    expected: list[tuple[list[dict[str, Any]], int, int]],
) -> None:
    begin, end, partition = make()
    window = StateWindow(begin, end, partition)
    got = []
    for row, offset in rows:
        assert window.next_deadline() is None
        assert window.on_time(T0 + offset) == []
        got += [(e.rows, e.start_ms - T0, e.end_ms - T0) for e in window.on_row(row, T0 + offset)]
    assert got == expected


def test_erroring_partition_expression_is_skipped_in_the_key() -> None:
    def boom(row: Any) -> Any:
        raise EvalError("invalid operation")

    window = StateWindow(ref("a"), None, (boom, ref("b")))
    assert window.partition_key({"b": 2}) == "parKey_2,"
    assert StateWindow(ref("a")).partition_key({"b": 2}) == "parKey_"


def test_end_is_only_evaluated_while_open_and_begin_only_while_closed() -> None:
    """Stateful functions in the conditions see exactly the rows eKuiper evaluates them on."""
    seen: dict[str, list[int]] = {"begin": [], "end": []}

    def track(which: str, pred: Condition) -> Condition:
        def cond(row: Any) -> Any:
            seen[which].append(row["a"])
            return pred(row)

        return cond

    window = StateWindow(track("begin", cmp("a", ">", 1)), track("end", cmp("a", ">", 5)))
    for i, a in enumerate([1, 2, 3, 6, 0, 4]):
        window.on_row({"a": a}, i)
    assert seen == {"begin": [1, 2, 0, 4], "end": [3, 6]}
