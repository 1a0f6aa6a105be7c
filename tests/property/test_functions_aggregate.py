"""Laws of the aggregate built-ins over generated groups."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.functions import BUILTINS

groups = st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=30)


def agg(name: str, *args: object) -> Any:
    return BUILTINS[name].fn(*args)


@given(groups)
def test_avg_median_percentiles_between_min_and_max(xs: list[float]) -> None:
    lo, hi = agg("min", xs), agg("max", xs)
    for v in (agg("avg", xs), agg("median", xs), agg("percentile_cont", xs, [0.5] * len(xs))):
        assert lo - 1e-6 <= v <= hi + 1e-6
    assert agg("percentile_disc", xs, [0.5] * len(xs)) in xs


@given(groups)
def test_variance_laws(xs: list[float]) -> None:
    var, std = agg("var", xs), agg("stddev", xs)
    assert var >= 0
    assert math.isclose(std**2, var, rel_tol=1e-9, abs_tol=1e-6)


@given(st.lists(st.one_of(st.none(), st.integers(-100, 100)), min_size=1, max_size=30))
def test_count_and_sum_ignore_nulls(xs: list[int | None]) -> None:
    present = [x for x in xs if x is not None]
    assert agg("count", xs) == len(present)
    assert agg("sum", xs) == (sum(present) if present else None)
    assert agg("collect", xs) == xs
