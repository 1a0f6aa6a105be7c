"""Each named fault visibly does what it says, and arrival order never goes back."""

from __future__ import annotations

from collections import Counter, defaultdict

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuiper_dev import Message
from kuiper_dev.connectors import (
    FAULTS,
    SCENARIOS,
    ClockSkew,
    Dropout,
    Duplicate,
    Fault,
    Late,
    Malformed,
    OutOfOrder,
    Scenario,
)
from kuiper_dev.connectors.faults import Reading, inject

BASE = Scenario(devices=3, count=600, start_ms=0)


def _event_ts(m: Message) -> int:
    ts = orjson.loads(m.payload)["ts"]
    assert isinstance(ts, int)
    return ts


def _arrivals_never_decrease(messages: list[Message]) -> bool:
    return all(a.ts <= b.ts for a, b in zip(messages, messages[1:], strict=False))


fault_configs: st.SearchStrategy[Fault] = st.one_of(
    st.builds(Late, rate=st.floats(0, 1), min_ms=st.integers(0, 5000)).map(
        lambda f: Late(f.rate, f.min_ms, f.min_ms + 3000)
    ),
    st.builds(OutOfOrder, rate=st.floats(0, 1), max_ms=st.integers(1, 5000)),
    st.builds(Duplicate, rate=st.floats(0, 1), max_delay_ms=st.integers(0, 5000)),
    st.builds(Malformed, rate=st.floats(0, 1)),
    st.builds(ClockSkew, device=st.integers(1, 3), offset_ms=st.integers(-(10**6), 10**6)),
    st.builds(Dropout, rate=st.floats(0, 0.2), duration_ms=st.integers(1, 20_000)),
)


@given(
    faults=st.lists(fault_configs, max_size=6, unique_by=lambda f: f.name),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=60, deadline=None)
def test_arrival_order_never_goes_back_whatever_the_faults(faults: list[Fault], seed: int) -> None:
    got = list(BASE.replace(seed=seed, count=200, faults=tuple(faults)))
    assert _arrivals_never_decrease(got)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_built_in_scenario_arrives_in_order(name: str) -> None:
    assert _arrivals_never_decrease(list(SCENARIOS[name]))


@given(st.integers(0, 2**32))
@settings(max_examples=25, deadline=None)
def test_late_messages_arrive_past_the_bound_with_their_event_time(seed: int) -> None:
    fault = Late(rate=0.05, min_ms=5000, max_ms=15000)
    got = list(BASE.replace(seed=seed, faults=(fault,)))
    delays = [m.ts - _event_ts(m) for m in got]
    assert any(d >= fault.min_ms for d in delays)
    assert all(d == 0 or fault.min_ms <= d <= fault.max_ms for d in delays)
    assert sorted(m.payload for m in got) == sorted(m.payload for m in BASE.replace(seed=seed))


@given(st.integers(0, 2**32))
@settings(max_examples=25, deadline=None)
def test_out_of_order_messages_are_overtaken_within_the_bound(seed: int) -> None:
    fault = OutOfOrder(rate=0.2, max_ms=3000)
    got = list(BASE.replace(seed=seed, faults=(fault,)))
    events = [_event_ts(m) for m in got]
    assert any(a > b for a, b in zip(events, events[1:], strict=False))
    assert all(0 <= m.ts - _event_ts(m) <= fault.max_ms for m in got)


@given(st.integers(0, 2**32))
@settings(max_examples=25, deadline=None)
def test_duplicates_repeat_payloads(seed: int) -> None:
    got = list(BASE.replace(seed=seed, faults=(Duplicate(rate=0.05, max_delay_ms=500),)))
    repeats = [p for p, n in Counter(m.payload for m in got).items() if n > 1]
    assert repeats and len(got) == 600 + len(repeats)
    assert all(n <= 2 for n in Counter(m.payload for m in got).values())


@given(st.integers(0, 2**32))
@settings(max_examples=25, deadline=None)
def test_malformed_payloads_are_cut_or_carry_a_wrong_type(seed: int) -> None:
    got = list(BASE.replace(seed=seed, faults=(Malformed(rate=0.1),)))
    cut, wrong = 0, 0
    for m in got:
        try:
            row = orjson.loads(m.payload)
        except orjson.JSONDecodeError:
            cut += 1
            continue
        if "n/a" in (row["temperature"], row["humidity"]):
            wrong += 1
        else:
            assert all(isinstance(row[k], float | int) for k in ("temperature", "humidity"))
    assert cut and wrong and 30 < cut + wrong < 100


def test_malformed_kinds_limit_what_breaks() -> None:
    got = list(BASE.replace(faults=(Malformed(rate=0.2, kinds=("wrong_type",)),)))
    rows = [orjson.loads(m.payload) for m in got]  # all still JSON
    assert sum("n/a" in r.values() for r in rows) > 60


@pytest.mark.parametrize("offset", [-45_000, 90_000])
def test_clock_skew_offsets_one_devices_payload_time(offset: int) -> None:
    got = list(BASE.replace(faults=(ClockSkew(device=2, offset_ms=offset),)))
    for m in got:
        expected = offset if orjson.loads(m.payload)["deviceId"] == "sensor-2" else 0
        assert _event_ts(m) - m.ts == expected


@given(st.integers(0, 2**32))
@settings(max_examples=25, deadline=None)
def test_dropout_leaves_a_device_silent_for_the_span(seed: int) -> None:
    fault = Dropout(rate=0.02, duration_ms=10_000)
    got = list(BASE.replace(seed=seed, faults=(fault,)))
    times: defaultdict[str, list[int]] = defaultdict(list)
    for m in got:
        times[orjson.loads(m.payload)["deviceId"]].append(m.ts)
    gaps = [b - a for ts in times.values() for a, b in zip(ts, ts[1:], strict=False)]
    assert max(gaps) > fault.duration_ms and len(got) < 600
    assert set(m.payload for m in got) <= set(m.payload for m in BASE.replace(seed=seed))


def test_the_built_in_fault_scenarios_cover_every_fault() -> None:
    for name in FAULTS:
        scenario = SCENARIOS["fleet-" + name.replace("_", "-")]
        assert [f.name for f in scenario.faults] == [name]
    assert {f.name for f in SCENARIOS["fleet-chaos"].faults} == set(FAULTS)


def test_inject_refuses_the_same_fault_twice() -> None:
    readings = [Reading(0, 0, "t", {"ts": 0})]
    with pytest.raises(ValueError, match="once"):
        list(inject(readings, [Late(), Late()], seed=1, ts_field="ts", value_fields=[]))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Late(rate=1.5),
        lambda: Late(min_ms=10, max_ms=5),
        lambda: OutOfOrder(max_ms=0),
        lambda: Duplicate(max_delay_ms=-1),
        lambda: Malformed(kinds=()),
        lambda: Malformed(kinds=("garbled",)),  # type: ignore[arg-type]
        lambda: ClockSkew(device=0),
        lambda: Dropout(duration_ms=0),
        lambda: Scenario(devices=2, faults=(ClockSkew(device=3),)),
    ],
)
def test_bad_fault_settings_are_refused(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]
