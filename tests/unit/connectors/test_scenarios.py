"""Scenarios: seeded, byte-identical, and each signal setting visibly does what it says."""

from __future__ import annotations

import hashlib
import itertools
import statistics

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuiper_dev import Message
from kuiper_dev.connectors import SCENARIOS, Dropout, Late, Scenario, Signal
from kuiper_dev.recording import encode_messages


def _rows(messages: list[Message]) -> list[dict[str, object]]:
    return [orjson.loads(m.payload) for m in messages]


def _digest(scenario: Scenario, n: int) -> str:
    return hashlib.sha256(encode_messages(itertools.islice(scenario, n))).hexdigest()


def test_the_built_in_scenarios_are_pinned_byte_for_byte() -> None:
    # A regression pin: any change to values, order or encoding shows up here.
    # Update it only on purpose, and say so in the commit.
    assert _digest(SCENARIOS["fleet"], 300) == (
        "85f7c5ee3c9fefdafa7475f1148cdb0d94ad51a590f30ff252b236f1e83c2455"
    )
    assert _digest(SCENARIOS["fleet-chaos"], 300) == (
        "bab6410a1e2bfd00e12c88b1e4d993f4823ade92c1bfab1290601cd341496f82"
    )


def test_devices_take_turns_staggered_within_the_interval() -> None:
    s = Scenario(devices=4, count=8, interval_ms=1000, start_ms=0)
    got = list(s)
    assert [m.ts for m in got] == [0, 250, 500, 750, 1000, 1250, 1500, 1750]
    assert [m.topic for m in got[:4]] == [f"sensors/sensor-{n}" for n in (1, 2, 3, 4)]
    assert list(_rows(got)[0]) == ["deviceId", "temperature", "humidity", "ts"]
    assert all(r["ts"] == m.ts for r, m in zip(_rows(got), got, strict=True))


def test_names_topics_and_keys_follow_the_settings() -> None:
    s = Scenario(
        devices=2,
        count=2,
        topic="plant/{device}/tele",
        device_name="pump{n}",
        id_field="id",
        ts_field="time",
        fields=(Signal("p", base=3, decimals=0),),
    )
    got = list(s)
    assert [m.topic for m in got] == ["plant/pump1/tele", "plant/pump2/tele"]
    assert _rows(got)[1] == {"id": "pump2", "p": 3, "time": s.start_ms + 500}


def test_the_run_ends_at_count_or_duration_whichever_first() -> None:
    assert len(list(Scenario(devices=2, count=7))) == 7
    assert len(list(Scenario(devices=2, count=None, duration_ms=3000))) == 6
    assert len(list(Scenario(devices=2, count=3, duration_ms=3000))) == 3
    endless = Scenario(count=None, faults=(Late(rate=0.5),))
    assert len(list(itertools.islice(endless, 500))) == 500  # lazy, heap bounded


def test_noise_free_values_sit_on_the_base_and_decimals_zero_gives_integers() -> None:
    s = Scenario(count=30, fields=(Signal("v", base=7.5), Signal("n", base=4.4, decimals=0)))
    assert {(r["v"], r["n"]) for r in _rows(list(s))} == {(7.5, 4)}
    assert all(type(r["n"]) is int for r in _rows(list(s)))


def test_drift_moves_the_level_per_minute() -> None:
    s = Scenario(devices=1, count=121, interval_ms=1000, fields=(Signal("v", base=10, drift=3),))
    values = [r["v"] for r in _rows(list(s))]
    assert values[0] == 10 and values[60] == 13 and values[120] == 16


def test_a_periodic_signal_swings_by_its_amplitude_with_its_period() -> None:
    sig = Signal("v", base=0, period_ms=60_000, amplitude=5)
    values = [r["v"] for r in _rows(list(Scenario(devices=1, count=120, fields=(sig,))))]
    assert max(values) == pytest.approx(5, abs=0.02) and min(values) == pytest.approx(-5, abs=0.02)
    assert values[:60] == pytest.approx(values[60:], abs=0.011)  # repeats after one period


def test_noise_has_the_asked_spread_and_spikes_stand_out() -> None:
    noisy = [
        r["v"] for r in _rows(list(Scenario(count=3000, fields=(Signal("v", base=50, noise=2),))))
    ]
    assert statistics.mean(noisy) == pytest.approx(50, abs=0.2)
    assert statistics.stdev(noisy) == pytest.approx(2, rel=0.1)
    spiky = Signal("v", base=0, spike_rate=0.1, spike_size=20)
    values = [r["v"] for r in _rows(list(Scenario(count=2000, fields=(spiky,))))]
    spikes = [v for v in values if v != 0]
    assert 140 < len(spikes) < 260 and all(15 <= v <= 25 for v in spikes)


def test_low_and_high_clamp_and_spread_separates_devices() -> None:
    sig = Signal("v", base=50, noise=30, low=0, high=100)
    values = [r["v"] for r in _rows(list(Scenario(count=1000, fields=(sig,))))]
    assert min(values) == 0 and max(values) == 100
    spread = Signal("v", base=0, spread=10)
    per_device = {
        r["deviceId"]: r["v"] for r in _rows(list(Scenario(devices=5, count=5, fields=(spread,))))
    }
    assert len(set(per_device.values())) == 5 and all(-10 <= v <= 10 for v in per_device.values())


def test_changing_one_field_or_switching_a_fault_on_leaves_other_values_alone() -> None:
    base = Scenario(count=200)
    louder = base.replace(fields=(base.fields[0], Signal("humidity", base=80, noise=5)))
    assert [r["temperature"] for r in _rows(list(base))] == [
        r["temperature"] for r in _rows(list(louder))
    ]
    clean = {m.payload for m in base}
    assert {m.payload for m in base.with_faults(Dropout(rate=0.05))} < clean


@given(seed=st.integers(0, 2**64), devices=st.integers(1, 5), count=st.integers(0, 60))
@settings(max_examples=40, deadline=None)
def test_the_same_seed_gives_the_same_bytes(seed: int, devices: int, count: int) -> None:
    s = SCENARIOS["fleet-chaos"].replace(seed=seed, devices=devices, count=count)
    assert encode_messages(s) == encode_messages(Scenario.replace(s))


@given(st.integers(0, 2**32), st.integers(0, 2**32))
@settings(max_examples=40, deadline=None)
def test_different_seeds_give_different_values(a: int, b: int) -> None:
    if a == b:
        b += 1
    fleet = SCENARIOS["fleet"].replace(count=20)
    assert encode_messages(fleet.replace(seed=a)) != encode_messages(fleet.replace(seed=b))


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"devices": 0}, "devices must be at least 1"),
        ({"count": -1}, "count must not be negative"),
        ({"duration_ms": -5}, "duration_ms must not be negative"),
        ({"interval_ms": 0}, "interval_ms must be at least 1"),
        ({"topic": "s/{dev}"}, "topic and device_name"),
        ({"fields": (Signal("deviceId"),)}, "field names must be distinct"),
        ({"faults": (Late(), Late(rate=0.5))}, "switched on once"),
        ({"seed": -1}, "seed must not be negative"),
    ],
)
def test_bad_settings_are_refused(changes: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        Scenario(**changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"name": ""}, "needs a field name"),
        ({"noise": -1}, "must not be negative"),
        ({"spike_rate": 2}, "spike_rate"),
        ({"decimals": -1}, "decimals"),
    ],
)
def test_bad_signals_are_refused(changes: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        Signal(**{"name": "v", **changes})  # type: ignore[arg-type]


def test_with_faults_replaces_a_fault_of_the_same_name() -> None:
    s = Scenario().with_faults(Late(rate=0.1)).with_faults(Late(rate=0.2), Dropout())
    assert s.faults == (Late(rate=0.2), Dropout())
