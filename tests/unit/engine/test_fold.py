"""GroupFolds and WindowFolds: rows folded as they arrive, merged in panes, errors kept."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.engine.fold import GroupFolds, PaneGroups, WindowFolds
from kuiper_dev.engine.runtime import FoldedGroup, FoldFailure, FoldSpec
from kuiper_dev.errors import EvalError


def summing(column: str, index: int = 0) -> FoldSpec:
    def add(acc: Any, row: dict[str, Any]) -> Any:
        value = row[column]
        if value == "boom":
            raise EvalError(f"bad {column}")
        return acc + value

    return FoldSpec(index, lambda: 0, add, lambda a, b: a + b)


def by_key(row: dict[str, Any]) -> str:
    if row["k"] is None:
        raise EvalError("run Group By error: no key")
    return f"{row['k']},"


def accs(groups: list[FoldedGroup] | None) -> list[tuple[Any, list[Any]]]:
    assert groups is not None
    return [(g.first.get("k"), g.accs) for g in groups]


def test_groups_keep_their_first_row_and_order_of_arrival() -> None:
    folds = GroupFolds([summing("v")], by_key)
    for k, v in [("b", 1), ("a", 2), ("b", 3)]:
        folds.add({"k": k, "v": v})
    assert accs(folds.items()) == [("b", [4]), ("a", [2])]


def test_an_empty_window_is_one_group_unless_grouped() -> None:
    assert GroupFolds([summing("v")], by_key).items() is None
    (only,) = GroupFolds([summing("v")], None).items() or []
    assert only.first == {} and only.accs == [0]


def test_a_failing_key_fails_the_window_and_a_failing_argument_its_call() -> None:
    folds = GroupFolds([summing("v")], by_key)
    folds.add({"k": "a", "v": "boom"})
    folds.add({"k": "a", "v": 5})
    (group,) = folds.items() or []
    assert isinstance(group.accs[0], FoldFailure) and str(group.accs[0].error) == "bad v"
    folds.add({"k": None, "v": 1})
    with pytest.raises(EvalError, match="no key"):
        folds.items()


def test_merge_combines_in_time_order_and_leaves_the_later_pane_alone() -> None:
    early, late = GroupFolds([summing("v")], by_key), GroupFolds([summing("v")], by_key)
    early.add({"k": "a", "v": 1})
    late.add({"k": "b", "v": 10})
    late.add({"k": "a", "v": 2})
    window = GroupFolds([summing("v")], by_key)
    window.merge(early)
    window.merge(late)
    assert accs(window.items()) == [("a", [3]), ("b", [10])]
    assert accs(late.items()) == [("b", [10]), ("a", [2])]


def test_hopping_windows_merge_the_panes_they_span() -> None:
    # length 3, hop 1, grid starting at end 10: panes end at 10, 11, 12, ...
    folds = WindowFolds([summing("v")], None, pane_ms=1, length_ms=3, first_end=lambda ts: 10)
    for ts, v in [(9, 1), (10, 10), (11, 100), (12, 1000)]:
        folds.add({"k": "x", "v": v}, ts)
    assert accs(folds.take(10).items()) == [("x", [1])]
    assert accs(folds.take(11).items()) == [("x", [11])]
    assert accs(folds.take(12).items()) == [("x", [111])]
    assert accs(folds.take(13).items()) == [("x", [1110])]


def test_since_last_fire_hands_over_everything_folded() -> None:
    folds = WindowFolds([summing("v")], None, pane_ms=None, length_ms=5, first_end=lambda ts: 0)
    folds.add({"k": "x", "v": 2}, 1)
    folds.add({"k": "x", "v": 3}, 99)
    assert accs(folds.take(5).items()) == [("x", [5])]
    assert accs(folds.take(10).items()) == [(None, [0])]  # an empty window: one group


def test_pane_groups_keep_each_window_apart_on_the_first_rows_grid() -> None:
    panes = PaneGroups(10, first_end=lambda ts: ts - ts % 10 + 10)
    groups, start, end = panes.locate(13)
    assert (start, end) == (10, 20)
    groups["k"] = [1]
    later, start, end = panes.locate(20)  # a window's end belongs to the next window
    assert (start, end) == (20, 30) and later is not groups
    assert panes.locate(19)[0] is groups
    assert panes.take(20) == {"k": [1]}
    assert panes.take(20) == {}  # taken once; a window no row fell in is empty
    assert panes.locate(5)[1:] == (0, 10)  # before the grid's first end: still on the grid
