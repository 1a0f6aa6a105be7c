"""Calling conventions are flags on the registration, not name checks in the engine.

The tables below name every built-in carrying each flag, so renaming a function or
dropping a flag fails here rather than silently changing how the engine calls it.
"""

from __future__ import annotations

import pytest

from kuiper_dev.functions import BUILTINS, builtin
from kuiper_dev.functions.registry import keep_values

FLAGS: dict[str, set[str]] = {
    "rows_arg": {"deduplicate"},
    "update_arg": {"last_hit_count", "last_hit_time", "last_agg_hit_count", "last_agg_hit_time"},
    "event_time_arg": {"last_hit_time", "last_agg_hit_time"},
    "key_args": {"meta", "mqtt"},
    "column_names_arg": {"changed_cols"},
    "row_index_arg": {"row_number"},
}


@pytest.mark.parametrize(("flag", "names"), sorted(FLAGS.items()))
def test_which_builtins_carry_each_flag(flag: str, names: set[str]) -> None:
    assert {n for n, b in BUILTINS.items() if getattr(b, flag)} == names


def test_window_bounds() -> None:
    bounds = {n: b.window_bound for n, b in BUILTINS.items() if b.window_bound is not None}
    assert bounds == {"window_start": "start", "window_end": "end"}


def test_incremental_forms_that_keep_values() -> None:
    kept = {n for n, b in BUILTINS.items() if b.incremental and b.incremental.keeps_values}
    assert kept == {
        "collect", "deduplicate", "median", "percentile_cont", "percentile_disc",
        "stddev", "stddevs", "var", "vars",
    }  # fmt: skip


def test_the_flags_match_the_kinds_they_go_with() -> None:
    for b in BUILTINS.values():
        assert (b.kind == "cols") == b.column_names_arg, b.name
        assert (b.kind == "window") == b.row_index_arg, b.name
        assert not b.update_arg or b.context, b.name  # the state lives in the CallContext
        assert not b.key_args or b.context, b.name  # the meta is the CallContext's


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "aggregate"}, "needs an incremental form"),
        ({"incremental": keep_values}, "only an aggregate"),
        ({"event_time_arg": True}, "after the do_update"),
        ({"rows_arg": True}, "rows_arg is for aggregates"),
    ],
)
def test_inconsistent_registrations_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        builtin("test", ["any"], name="never_registered", **kwargs)  # type: ignore[arg-type]
    assert "never_registered" not in BUILTINS
