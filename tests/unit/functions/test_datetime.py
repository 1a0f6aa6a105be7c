"""Date and time functions, ported from eKuiper's ``funcs_datetime_test.go`` (zone: UTC)."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev import Workspace
from kuiper_dev.functions import BUILTINS
from kuiper_dev.go import set_time_zone

from ._harness import FakeContext, check_call, check_validate, load

NOW = 1_546_300_800_123  # 2019-01-01 00:00:00.123 UTC


@pytest.mark.parametrize(("name", "args", "want"), load("datetime", "calls"))
def test_call(name: str, args: list[Any], want: Any) -> None:
    check_call(name, args, want)


@pytest.mark.parametrize(("name", "args", "want"), load("datetime", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


@pytest.mark.parametrize(
    ("name", "args", "want"),
    [
        ("now", [], "2019-01-01 00:00:00"),
        ("current_timestamp", [], "2019-01-01 00:00:00"),
        ("local_timestamp", [], "2019-01-01 00:00:00"),
        # eKuiper appends ".SSS" to "ss": Go's layout then prints the dot twice
        ("now", [3], "2019-01-01 00:00:00..123"),
        ("cur_time", [], "00:00:00"),
        ("current_date", [], "2019-01-01"),
        ("cur_date", [], "2019-01-01"),
    ],
)
def test_clock_functions(name: str, args: list[Any], want: str) -> None:
    assert BUILTINS[name].fn(FakeContext(NOW), *args) == want


def test_configured_zone_applies() -> None:
    set_time_zone("Asia/Shanghai")
    assert BUILTINS["now"].fn(FakeContext(NOW)) == "2019-01-01 08:00:00"
    assert BUILTINS["hour"].fn(NOW) == 8
    assert BUILTINS["hour"].fn("2019-01-01 01:00:00") == 1  # text is read in the zone
    assert BUILTINS["from_unix_time"].fn(100) == "1970-01-01 08:01:40"


@pytest.mark.parametrize(
    ("expr", "row", "want"),
    [
        ("format_time(a, 'yyyy-MM-dd')", {"a": 1546300800123.0}, "2019-01-01"),
        ("day_name(a)", {"a": "2019-01-01 00:00:00"}, "Tuesday"),
        ("date_calc(a, '-24h')", {"a": "2019-01-01 00:00:00"}, "2018-12-31 00:00:00"),
    ],
)
def test_end_to_end(ws: Workspace, expr: str, row: dict[str, Any], want: Any) -> None:
    assert ws.run(f"SELECT {expr} AS v FROM d", [row]).rows == [{"v": want}]
