"""Event-time tumbling windows that fold per window (and their generated loop) emit
exactly what the general path emits: late rows, watermarks, nulls and bad values."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kuiper_dev import Message, Workspace
from kuiper_dev.engine import Driver, VirtualClock
from kuiper_dev.engine.fastpath import EventWindowFastPath
from kuiper_dev.engine.formats import EXACT_MS, parse_event_time
from kuiper_dev.errors import FunctionError
from kuiper_dev.go import set_time_zone, to_time, unix_milli

T0 = 1_700_000_000_000
DDL = (
    "CREATE STREAM demo (id BIGINT, t FLOAT, name STRING, ts BIGINT) "
    'WITH (DATASOURCE="demo", FORMAT="json", TIMESTAMP="ts")'
)
RULES = [
    "SELECT name, sum(id) AS s, avg(id) AS ai, avg(t) AS a, min(t) AS lo, max(name) AS hi, "
    "count(*) AS n FROM demo GROUP BY name, TUMBLINGWINDOW(ss, 2)",
    "SELECT count(*) AS n, sum(t) AS s, window_start() AS ws, window_end() AS we FROM demo "
    "GROUP BY TUMBLINGWINDOW(ms, 700)",
    "SELECT id, count(t) AS c, max(t) AS m FROM demo GROUP BY id, TUMBLINGWINDOW(ss, 1)",
]

scalars = st.one_of(
    st.none(),
    st.integers(min_value=-3, max_value=3),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["a", "b", ""]),
    st.booleans(),
)


@st.composite
def timed_payloads(draw: st.DrawFn) -> list[tuple[int, bytes]]:
    """(arrival gap, payload): event times mostly ascending, some late, equal or bad."""
    out = []
    ts = T0
    for _ in range(draw(st.integers(min_value=0, max_value=14))):
        ts += draw(st.integers(min_value=-400, max_value=1500))
        obj: dict[str, Any] = draw(
            st.fixed_dictionaries({}, optional={"id": scalars, "t": scalars, "name": scalars})
        )
        kind = draw(st.sampled_from(["ms"] * 6 + ["same", "none", "float", "text", "missing"]))
        if kind == "ms":
            obj["ts"] = ts
        elif kind == "same":
            obj["ts"] = ts - ts % 700  # often equal to an earlier row's time
        elif kind == "none":
            obj["ts"] = None
        elif kind == "float":
            obj["ts"] = ts + 0.5
        elif kind == "text":
            obj["ts"] = "2023-11-14T22:13:25Z"
        payload = orjson.dumps(obj)
        if draw(st.integers(min_value=0, max_value=20)) == 0:
            payload = draw(st.sampled_from([b"{bad", b"[]", orjson.dumps([obj, obj])]))
        out.append((draw(st.integers(min_value=0, max_value=300)), payload))
    return out


def outcome(
    sql: str, batch: list[tuple[int, bytes]], *, fast: bool, late: int, payloads: bool
) -> tuple[object, ...]:
    ws = Workspace(plugins_dir=None, fast_paths=fast)
    ws.create_stream(DDL)
    options = {"isEventTime": True, "lateTolerance": late}
    rule = ws.rule(sql, auto_stream=False, start_ms=T0, options=options)
    window = rule.plan.window
    assert window is not None
    assert (window.incremental is not None) == fast, f"incremental fold for {sql}"
    assert isinstance(window.fast, EventWindowFastPath) == (fast and late == 0), sql
    driver = Driver(VirtualClock(T0))
    driver.add(rule)
    if payloads:  # a file of JSON lines: every payload at one arrival time
        driver.replay_payloads("demo", [p for _, p in batch], ts=T0)
    else:
        messages, at = [], T0
        for gap, payload in batch:
            at += gap
            messages.append(Message("demo", payload, at))
        driver.replay({"demo": messages}, drain_ms=5000)
    errors = [(e.ts, e.message) for e in rule.result.errors]
    return rule.result.emissions, errors, rule.status(), driver.clock.now_ms()


@pytest.mark.parametrize("sql", RULES)
@pytest.mark.parametrize("late", [0, 500])
@pytest.mark.parametrize("payloads", [False, True])
@settings(max_examples=50, deadline=None)
@given(batch=timed_payloads())
@example(batch=[(0, b'{"ts":1700000000000}'), (5, b'{"ts":1700000002100,"t":1}')])
def test_event_window_paths_agree(
    sql: str, late: int, payloads: bool, batch: list[tuple[int, bytes]]
) -> None:
    fast = outcome(sql, batch, fast=True, late=late, payloads=payloads)
    general = outcome(sql, batch, fast=False, late=late, payloads=payloads)
    assert fast == general


def test_many_windows_fire_in_order_through_the_loop() -> None:
    """A long in-order run: the loop takes nearly every row and fires every window."""
    rows = [
        orjson.dumps({"id": i % 3, "t": i / 7, "name": "abc"[i % 3], "ts": T0 + 37 * i})
        for i in range(2000)
    ]
    batch = [(1, p) for p in rows]
    sql = RULES[0]
    fast = outcome(sql, batch, fast=True, late=0, payloads=True)
    assert fast == outcome(sql, batch, fast=False, late=0, payloads=True)
    emissions = fast[0]
    # every 2 s window whose end the last row's time passes fires, the last one stays open
    assert isinstance(emissions, list) and len(emissions) == (37 * 1999) // 2000


@settings(max_examples=200, deadline=None)
@given(
    ms=st.one_of(
        st.integers(min_value=EXACT_MS[0], max_value=EXACT_MS[1]),
        st.integers(min_value=EXACT_MS[0] - 10**9, max_value=EXACT_MS[0] + 10**9),
        st.integers(min_value=EXACT_MS[1] - 10**9, max_value=EXACT_MS[1] + 10**9),
    ),
    zone=st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York", "Pacific/Kiritimati"]),
)
def test_int_event_times_take_the_conversions_value(ms: int, zone: str) -> None:
    """The shortcut for int event times gives what the conversion through a time gives."""
    set_time_zone(zone)
    try:
        expected: object = unix_milli(to_time(ms))
    except (OverflowError, ValueError, FunctionError) as exc:
        expected = type(exc)
    try:
        got: object = parse_event_time(ms)
    except (OverflowError, ValueError, FunctionError) as exc:
        got = type(exc)
    finally:
        set_time_zone(None)  # back to the local zone, as the other tests leave it
    assert got == expected
