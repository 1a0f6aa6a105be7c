"""Laws of the analytic built-ins over generated message sequences."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.functions import BUILTINS


class Ctx:
    def __init__(self) -> None:
        self.rule_id = "r"
        self.meta: dict[str, Any] = {}
        self.state: dict[Any, Any] = {}

    def now_ms(self) -> int:
        return 0


values = st.lists(st.one_of(st.none(), st.integers(-3, 3)), max_size=20)


@given(values)
def test_lag_with_nulls_kept_is_a_shifted_stream(xs: list[Any]) -> None:
    ctx = Ctx()
    got = [BUILTINS["lag"].fn(ctx, x, 1, "d", False, True, "") for x in xs]
    assert got == (["d", *xs[:-1]] if xs else [])


@given(values)
def test_acc_count_counts_non_nulls(xs: list[Any]) -> None:
    ctx = Ctx()
    got = [BUILTINS["acc_count"].fn(ctx, x, True, "") for x in xs]
    running = [sum(1 for y in xs[: i + 1] if y is not None) for i in range(len(xs))]
    assert got == running


@given(values)
def test_partitions_do_not_share_state(xs: list[Any]) -> None:
    ctx, solo = Ctx(), Ctx()
    mixed = []
    for x in xs:
        mixed.append(BUILTINS["latest"].fn(ctx, x, True, "a"))
        BUILTINS["latest"].fn(ctx, 99, True, "b")  # interleaved traffic of another key
    alone = [BUILTINS["latest"].fn(solo, x, True, "a") for x in xs]
    assert mixed == alone
