"""Laws of the date/time and JSON built-ins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.functions import BUILTINS
from kuiper_dev.go import set_time_zone

millis = st.integers(min_value=0, max_value=4_102_444_800_000)  # 1970 .. 2100


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    set_time_zone("UTC")
    yield
    set_time_zone(None)


@given(millis)
def test_format_then_parse_round_trips(ms: int) -> None:
    text = BUILTINS["format_time"].fn(ms, "yyyy-MM-dd HH:mm:ssSSS")
    assert BUILTINS["cast"].fn(text, "datetime") == BUILTINS["cast"].fn(ms, "datetime")


@given(millis, st.integers(min_value=-10_000, max_value=10_000))
def test_date_calc_and_date_diff_agree(ms: int, minutes: int) -> None:
    start = BUILTINS["format_time"].fn(ms, "yyyy-MM-dd HH:mm:ss")
    moved = BUILTINS["date_calc"].fn(start, f"{minutes}m")
    assert BUILTINS["date_diff"].fn(start, moved) == minutes * 60 * 10**9


@given(millis)
def test_calendar_parts_are_in_range(ms: int) -> None:
    assert 1 <= BUILTINS["month"].fn(ms) <= 12
    assert 0 <= BUILTINS["day_of_week"].fn(ms) <= 6
    assert 1 <= BUILTINS["day_of_year"].fn(ms) <= 366


json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False), st.text()
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=10,
)


@given(json_values)
def test_parse_json_inverts_to_json(v: Any) -> None:
    if v not in (None, [], {}):  # eKuiper's null check turns those into null first
        assert BUILTINS["parse_json"].fn(BUILTINS["to_json"].fn(v)) == v
