"""float_sum adds as Go's loop adds: in order from zero, each step rounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.go import float_sum


def _go_loop(values: list[float]) -> float:
    total = 0.0
    for v in values:
        total += v
    return total


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=40))
def test_float_sum_rounds_each_addition_as_a_loop_does(values: list[float]) -> None:
    assert float_sum(values).hex() == _go_loop(values).hex()


def test_float_sum_is_not_a_compensated_sum() -> None:
    # a compensated sum (Python 3.12's sum, math.fsum) gives 2.0 here; Go's loop 1.0
    values = [1e100, 1.0, -1e100, 1.0]
    assert float_sum(values) == _go_loop(values) == 1.0
