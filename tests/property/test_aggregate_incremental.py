"""Every aggregate's incremental form agrees with its list form, bit for bit.

For generated groups (nulls, ints at the int64 limits, floats with NaN, infinities
and signed zeros, mixed ints and floats, text and other kinds where a function
refuses them): folding the rows one by one gives, after each row, what the list
form gives over the rows so far (or the same FunctionError); and folding parts
of the rows separately, then merging them, gives what folding the whole does,
whatever the cut points and the shape of the merging.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kuiper_dev.functions import BUILTINS, FunctionError
from kuiper_dev.functions.registry import Builtin, Incremental

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# -- values ----------------------------------------------------------------------

ints = st.one_of(
    st.integers(-1000, 1000),
    st.integers(INT64_MIN, INT64_MAX),
    st.sampled_from([INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1, 2**53, -(2**53) - 1]),
)
floats = st.one_of(
    st.floats(-1e6, 1e6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 0.1, 0.2, 0.3, 1e16, -1e16, 1.5, 9.3e18, -9.3e18, 1e308]),
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
)
texts = st.text(alphabet="abcé", max_size=3)
others = st.one_of(
    st.booleans(),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from("xy"), st.integers(0, 3), max_size=2),
)
anything = st.one_of(st.none(), ints, floats, texts, others)


@st.composite
def column(draw: st.DrawFn, *, main: st.SearchStrategy[Any] | None = None) -> list[Any]:
    """A column of values: mostly of one kind, with nulls and now and then another kind.

    One kind per column, as a typed stream gives, keeps most groups valid so the
    folds are compared on results and not only on errors.
    """
    if main is None:
        main = draw(st.sampled_from([ints, floats, st.one_of(ints, floats), texts]))
    nulls = draw(st.sampled_from([0, 3, 8]))  # in 20: how often null, how often off-kind
    strays = draw(st.sampled_from([0, 1, 4, 8]))
    cell = st.integers(0, 19).flatmap(
        lambda r: st.none() if r < nulls else anything if r < nulls + strays else main
    )
    return draw(st.lists(cell, max_size=24))


def one_arg(col: st.SearchStrategy[list[Any]]) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    return col.map(lambda values: [(v,) for v in values])


@st.composite
def with_flag(
    draw: st.DrawFn, values: st.SearchStrategy[list[Any]], flag: st.SearchStrategy[Any]
) -> list[tuple[Any, ...]]:
    """Rows of a value and a per-call constant (``last_value``'s bool, a percentile).

    The constant is the same on every row, as a literal is; now and then it is
    null on the first rows or of the wrong kind, to reach the errors.
    """
    xs = draw(values)
    const = draw(flag)
    leading_nulls = draw(st.sampled_from([0, 0, 0, 1, 2]))
    return [(v, None if i < leading_nulls else const) for i, v in enumerate(xs)]


@st.composite
def dedup_rows(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """``deduplicate``'s rows: the row itself, the column value, the ``all`` flag."""
    values = draw(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(0, 3),
                st.sampled_from(["1", "a"]),
                st.sampled_from([1.0, 1.5]),
            ),
            max_size=12,
        )
    )
    flag = draw(st.one_of(st.booleans(), st.booleans(), st.none(), st.just(1)))
    return [({"i": i, "v": v}, v, flag) for i, v in enumerate(values)]


# besides columns of one kind: few distinct floats with NaN and signed zeros (ties,
# NaN in mid-range), and ints mixed with text (several errors, the first must win)
numbers = st.one_of(
    column(),
    column(main=st.sampled_from([float("nan"), 0.0, -0.0, 1.0, -1.0, 2.5])),
    column(main=st.one_of(st.integers(-3, 3), texts)),
)
fractions = st.one_of(
    st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0, 1, 0, 1.2, -0.1, 0.001]),
    st.floats(0, 1),
    st.just("half"),
)
objects = st.lists(
    st.one_of(
        st.none(),
        st.integers(0, 3),
        st.dictionaries(st.sampled_from("abc"), st.one_of(st.integers(0, 5), st.none())),
    ),
    max_size=12,
)

ROWS: dict[str, st.SearchStrategy[list[tuple[Any, ...]]]] = {
    "count": one_arg(column(main=anything)),
    "sum": one_arg(numbers),
    "avg": one_arg(numbers),
    "min": one_arg(numbers),
    "max": one_arg(numbers),
    "collect": one_arg(column(main=anything)),
    "merge_agg": one_arg(objects),
    "deduplicate": dedup_rows(),
    "stddev": one_arg(numbers),
    "stddevs": one_arg(numbers),
    "var": one_arg(numbers),
    "vars": one_arg(numbers),
    "median": one_arg(numbers),
    "percentile_cont": with_flag(numbers, fractions),
    "percentile_disc": with_flag(numbers, fractions),
    "last_value": with_flag(column(main=anything), st.one_of(st.booleans(), st.just(1))),
}
AGGREGATES = sorted(n for n, b in BUILTINS.items() if b.incremental is not None)

# -- comparing outcomes ----------------------------------------------------------

Outcome = tuple[str, str]


def outcome(call: Callable[[], Any]) -> Outcome:
    """A result as its repr (bit-level for floats: ``-0.0``, ``nan``, ``1`` vs ``1.0``)
    or the FunctionError's message; any other exception fails the test."""
    try:
        return ("ok", repr(call()))
    except FunctionError as exc:
        return ("error", str(exc))


def list_form(b: Builtin, rows: list[tuple[Any, ...]]) -> Outcome:
    arity = len(b.params) + (1 if b.rows_arg else 0)
    lists = [[row[i] for row in rows] for i in range(arity)]
    return outcome(lambda: b.fn(*lists))


def fold(inc: Incremental, rows: list[tuple[Any, ...]]) -> Any:
    acc = inc.init()
    for row in rows:
        acc = inc.add(acc, *row)
    return acc


def parts(rows: list[tuple[Any, ...]], cuts: list[int]) -> list[list[tuple[Any, ...]]]:
    bounds = [0, *sorted(min(c, len(rows)) for c in cuts), len(rows)]
    return [rows[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def result_of(inc: Incremental, acc: Any) -> Outcome:
    return outcome(lambda: inc.result(acc))


def spoil(inc: Incremental, acc: Any) -> None:
    """Take a result and empty it: the caller owns it, the accumulator must not care."""
    try:
        got = inc.result(acc)
    except FunctionError:
        return
    if isinstance(got, list | dict):
        got.clear()


def incremental(name: str) -> tuple[Builtin, Incremental]:
    b = BUILTINS[name]
    assert b.incremental is not None
    return b, b.incremental


# -- the laws --------------------------------------------------------------------


def test_every_aggregate_has_an_incremental_form() -> None:
    aggregates = {n for n, b in BUILTINS.items() if b.kind == "aggregate"}
    without = {n for n in aggregates if BUILTINS[n].incremental is None}
    # last_agg_hit_* read rule-wide state at emission, not the group's rows
    assert without == {n for n in aggregates if BUILTINS[n].update_arg}
    assert without == {"last_agg_hit_count", "last_agg_hit_time"}
    assert sorted(ROWS) == AGGREGATES  # a new aggregate needs rows generated here


@pytest.mark.parametrize("name", AGGREGATES)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_folding_row_by_row_gives_the_list_form(name: str, data: st.DataObject) -> None:
    b, inc = incremental(name)
    rows = data.draw(ROWS[name], label="rows")
    acc = inc.init()
    assert result_of(inc, acc) == list_form(b, [])
    for i, row in enumerate(rows):
        acc = inc.add(acc, *row)
        spoil(inc, acc)
        # after every row, so a result taken mid-window changes nothing either
        assert result_of(inc, acc) == list_form(b, rows[: i + 1]), rows[: i + 1]


@pytest.mark.parametrize("name", AGGREGATES)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_merging_folded_parts_gives_the_whole(name: str, data: st.DataObject) -> None:
    b, inc = incremental(name)
    rows = data.draw(ROWS[name], label="rows")
    cuts = data.draw(st.lists(st.integers(0, len(rows)), max_size=4), label="cuts")
    pieces = parts(rows, cuts)
    whole = result_of(inc, fold(inc, rows))
    assert whole == list_form(b, rows)

    # every single cut: merge(head, tail) is the whole, and the tail is unchanged
    for cut in range(len(rows) + 1):
        head, tail = fold(inc, rows[:cut]), fold(inc, rows[cut:])
        tail_before = result_of(inc, tail)
        merged = inc.merge(head, tail)
        assert result_of(inc, merged) == whole, cut
        assert result_of(inc, tail) == tail_before, cut

    # several cuts, left to right, as a window folds its panes in order
    accs = [fold(inc, p) for p in pieces]
    before = [result_of(inc, a) for a in accs]
    merged = accs[0]
    for a in accs[1:]:
        merged = inc.merge(merged, a)
    assert result_of(inc, merged) == whole
    # the right-hand accumulators are unchanged: a pane may serve several windows
    assert [result_of(inc, a) for a in accs[1:]] == before[1:]

    # into a fresh accumulator, leaving every pane as it was
    accs = [fold(inc, p) for p in pieces]
    merged = inc.init()
    for a in accs:
        merged = inc.merge(merged, a)
    assert result_of(inc, merged) == whole
    assert [result_of(inc, a) for a in accs] == before

    # right-nested: merge is associative
    accs = [fold(inc, p) for p in pieces]
    merged = accs[-1]
    for a in reversed(accs[:-1]):
        merged = inc.merge(a, merged)
    assert result_of(inc, merged) == whole


@pytest.mark.parametrize(
    ("name", "rows", "cut"),
    [
        # float totals round in row order: (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3)
        ("sum", [(0.1,), (0.2,), (0.3,)], 1),
        ("avg", [(1e16,), (1.0,), (1.0,)], 1),
        # an int first value truncates the floats that follow; a float part alone
        # would have refused the int that comes later
        ("sum", [(1,), (2.5,), (3.5,), (2,)], 1),
        ("avg", [(None,), (2.5,), (1,)], 2),
        # a float part merged after an int one reads its floats as ints
        ("max", [(1,), (2.9,), (float("nan"),)], 1),
        ("min", [(float("nan"),), (1.0,)], 1),
        ("max", [(None,), (float("nan"),), (5.0,)], 2),
        ("min", [(0.0,), (-0.0,)], 1),
        ("max", [(3.0,), (float("nan"),), (5.0,)], 1),  # a NaN never becomes the extreme
        ("sum", [(1,), ("a",), ("b",)], 2),  # the first error in row order wins
        ("max", [(1.5,), (2,), ("b",)], 2),
        ("max", [("b",), (1,)], 1),
        ("sum", [(INT64_MAX,), (1,)], 1),
        ("sum", [(1,), (float("inf"),)], 1),
        ("last_value", [(1, None), (None, True), (None, 1)], 1),
        ("last_value", [(1, True), (None, False)], 1),  # the first non-null flag rules
        ("merge_agg", [({"a": 1, "b": 2},), ({"c": 3, "a": 4},)], 1),
    ],
)
def test_known_traps(name: str, rows: list[tuple[Any, ...]], cut: int) -> None:
    b, inc = incremental(name)
    whole = list_form(b, rows)
    assert result_of(inc, fold(inc, rows)) == whole
    merged = inc.merge(fold(inc, rows[:cut]), fold(inc, rows[cut:]))
    assert result_of(inc, merged) == whole


focused = st.one_of(
    # NaN anywhere, ties of signed zeros: what only a NaN-aware extreme gets right
    st.lists(st.sampled_from([float("nan"), 0.0, -0.0, 1.0, -1.0, 2.5, None]), max_size=10),
    # several bad values: the first in row order must be the one reported
    st.lists(
        st.one_of(st.integers(-3, 3), st.sampled_from(["a", "b", True, 1.5, None])), max_size=10
    ),
)


@pytest.mark.parametrize("name", ["sum", "avg", "min", "max"])
@settings(max_examples=200, deadline=None)
@given(values=focused)
def test_every_cut_of_focused_columns(name: str, values: list[Any]) -> None:
    b, inc = incremental(name)
    rows = [(v,) for v in values]
    whole = list_form(b, rows)
    for cut in range(len(rows) + 1):
        merged = inc.merge(fold(inc, rows[:cut]), fold(inc, rows[cut:]))
        assert result_of(inc, merged) == whole, cut


@example(rows=[(0.1,), (0.2,), (0.3,)])
@given(rows=one_arg(column(main=floats)))
def test_float_sums_keep_go_order(rows: list[tuple[Any, ...]]) -> None:
    """Go adds a float column one value at a time; the fold must not sum smarter."""
    b, inc = incremental("sum")
    total = 0.0
    for (v,) in rows:
        if type(v) is float:
            total += v
    if all(type(v) is float or v is None for (v,) in rows) and any(v is not None for (v,) in rows):
        assert result_of(inc, fold(inc, rows)) == ("ok", repr(total))
