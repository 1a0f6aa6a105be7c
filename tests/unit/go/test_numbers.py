"""Go's integer arithmetic: truncating division, remainder's sign, int64 wrapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.go import INT64_MAX, INT64_MIN, int_avg, int_div, int_rem, wrap_int64

int64s = st.integers(min_value=INT64_MIN, max_value=INT64_MAX)
nonzero = int64s.filter(lambda n: n != 0)


@pytest.mark.parametrize(
    ("a", "b", "quotient", "remainder"),
    [(7, 2, 3, 1), (-7, 2, -3, -1), (7, -2, -3, 1), (-7, -2, 3, -1), (1, 3, 0, 1), (-1, 3, 0, -1)],
)
def test_division_truncates_toward_zero(a: int, b: int, quotient: int, remainder: int) -> None:
    assert int_div(a, b) == quotient
    assert int_rem(a, b) == remainder


@pytest.mark.parametrize("fn", [int_div, int_rem])
def test_division_by_zero_is_left_to_the_caller(fn: object) -> None:
    with pytest.raises(ZeroDivisionError):
        fn(1, 0)  # type: ignore[operator]


@given(int64s, nonzero)
def test_quotient_and_remainder_recompose(a: int, b: int) -> None:
    r = int_rem(a, b)
    assert int_div(a, b) * b + r == a
    assert abs(r) < abs(b)
    assert r == 0 or (r < 0) == (a < 0)  # the remainder takes the dividend's sign


def test_min_int64_divided_by_minus_one_overflows_as_in_go() -> None:
    assert wrap_int64(int_div(INT64_MIN, -1)) == INT64_MIN


@pytest.mark.parametrize(
    ("v", "wrapped"),
    [(INT64_MAX, INT64_MAX), (INT64_MAX + 1, INT64_MIN), (INT64_MIN - 1, INT64_MAX), (2**64, 0)],
)
def test_wrap_int64(v: int, wrapped: int) -> None:
    assert wrap_int64(v) == wrapped


@given(st.integers(min_value=-(2**70), max_value=2**70), st.integers(min_value=1, max_value=10**6))
def test_integer_average_is_the_truncated_quotient(total: int, n: int) -> None:
    assert int_avg(total, n) == int_div(total, n)
