from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuiper_dev import Workspace
from kuiper_dev.testing import (
    TimedRow,
    agrees_with_reference,
    filter_is_subset,
    rows_from_ddl,
    timed_rows,
    tumbling_partition,
)

EVENTS = (
    "CREATE STREAM ev (v BIGINT, ts BIGINT, kuiper_id BIGINT) "
    'WITH (DATASOURCE="ev", FORMAT="json", TIMESTAMP="ts")'
)
ROWS = st.fixed_dictionaries({"v": st.integers(-5, 5)})


@settings(max_examples=25, deadline=None)
@given(msgs=timed_rows(ROWS, max_size=12, max_step_ms=800, gap_ms=5000))
def test_processing_time_rows_land_in_exactly_one_tumbling_window(msgs: list[TimedRow]) -> None:
    tumbling_partition(Workspace(plugins_dir=None), "ev", 2000, msgs)


@settings(max_examples=25, deadline=None)
@given(msgs=timed_rows(ROWS, max_size=12, max_step_ms=800, lateness_ms=500))
def test_event_time_rows_within_the_tolerance_land_once(msgs: list[TimedRow]) -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream(EVENTS)
    tumbling_partition(ws, "ev", 2000, msgs, event_time=True, late_tolerance_ms=500)


def test_tumbling_partition_notices_a_row_in_no_window() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream(EVENTS)
    # a row later than the tolerance is dropped by the window: the law names it
    late = [TimedRow({"v": 1, "ts": 5000}, 5000, 5000), TimedRow({"v": 2, "ts": 100}, 100, 5000)]
    late += [TimedRow({"v": 3, "ts": 9000}, 9000, 9000)]
    with pytest.raises(AssertionError, match="row 1 .* landed in no window"):
        tumbling_partition(ws, "ev", 2000, late, event_time=True, late_tolerance_ms=0)


@settings(max_examples=25, deadline=None)
@given(
    msgs=timed_rows(
        rows_from_ddl('CREATE STREAM f (a BIGINT, b STRING) WITH (DATASOURCE="f")'), ts_field=None
    )
)
def test_a_filter_emits_a_subset_of_its_input(msgs: list[TimedRow]) -> None:
    filter_is_subset(Workspace(plugins_dir=None), "SELECT * FROM f WHERE a > 0", "f", msgs)


def test_filter_is_subset_rejects_a_rule_that_invents_rows() -> None:
    msgs = [TimedRow({"a": 1}, 0, 0)]
    with pytest.raises(AssertionError, match="not an input row"):
        filter_is_subset(Workspace(plugins_dir=None), "SELECT a + 1 AS a FROM f", "f", msgs)


PLUGIN = """
class Clamp:
    def validate(self, args): return ""
    def exec(self, args, ctx): return max(0, min(10, args[0])){bug}
    def is_aggregate(self): return False
"""


@settings(max_examples=25, deadline=None)
@given(
    msgs=timed_rows(st.fixed_dictionaries({"x": st.integers(-100, 100)}), min_size=1, ts_field=None)
)
def test_a_plugin_agrees_with_its_reference_in_a_rule(msgs: list[TimedRow]) -> None:
    ws = Workspace(plugins_dir=None)
    ws.define_function("Clamp", PLUGIN.format(bug=""))
    agrees_with_reference(ws, "clamp", lambda x: max(0, min(10, x)), "s", ["x"], msgs)


def test_a_plugin_that_disagrees_is_named() -> None:
    ws = Workspace(plugins_dir=None)
    ws.define_function("Clamp", PLUGIN.format(bug=" + 1"))
    with pytest.raises(AssertionError, match=r"clamp gave 6(\.0)?, the reference 5"):
        agrees_with_reference(ws, "clamp", lambda x: x, "s", ["x"], [TimedRow({"x": 5}, 0, 0)])
