"""The sensor fleet stays as it was; scenarios by name, from files, into recordings."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from kuiper_dev.connectors import (
    FAULTS,
    SCENARIOS,
    Dropout,
    Late,
    Malformed,
    SensorFleet,
    Signal,
    get_scenario,
    load_scenario,
    scenario_from_dict,
)
from kuiper_dev.errors import ScenarioError
from kuiper_dev.recording import RecordingWriter, encode_messages, read_recording


def test_the_sensor_fleet_is_pinned_byte_for_byte() -> None:
    # Notebooks and their committed outputs run over this fleet: it must not move.
    digest = hashlib.sha256(encode_messages(SensorFleet(count=300))).hexdigest()
    assert digest == "7ec29ed72ad25eb14706faa46f99032e51fd6e03d50d66c9e05c825abf92c748"


def test_the_registry_names_the_fleet_and_one_scenario_per_fault() -> None:
    expected = {"fleet", "fleet-chaos"} | {"fleet-" + f.replace("_", "-") for f in FAULTS}
    assert set(SCENARIOS) == expected
    assert all(s.name == name for name, s in SCENARIOS.items())
    assert get_scenario("fleet-out-of-order") is SCENARIOS["fleet-out-of-order"]


def test_an_unknown_name_suggests_the_closest_and_lists_the_rest() -> None:
    with pytest.raises(ScenarioError, match='Did you mean "fleet-late"') as info:
        get_scenario("fleet-lat")
    assert "fleet-dropout" in str(info.value) and ".yaml or .json" in str(info.value)


def test_a_yaml_file_extends_a_built_in_scenario(tmp_path: Path) -> None:
    path = tmp_path / "plant.yaml"
    path.write_text(
        "extends: fleet\n"
        "devices: 2\n"
        "count: 10\n"
        "topic: plant/{device}/tele\n"
        "fields:\n"
        "  pressure: {base: 1013, noise: 1, decimals: 0}\n"
        "faults:\n"
        "  late: {rate: 0.5, min_ms: 100, max_ms: 200}\n"
        "  dropout:\n"
    )
    s = get_scenario(path)
    assert s.name == "plant" and s.devices == 2 and s.count == 10
    assert s.interval_ms == SCENARIOS["fleet"].interval_ms
    assert s.fields == (Signal("pressure", base=1013, noise=1, decimals=0),)
    assert s.faults == (Late(rate=0.5, min_ms=100, max_ms=200), Dropout())
    assert {m.topic for m in s} <= {"plant/sensor-1/tele", "plant/sensor-2/tele"}


def test_a_json_file_works_alike_and_a_name_inside_wins(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    spec = {
        "name": "mine",
        "count": 4,
        "faults": {"out-of-order": {}, "malformed": {"kinds": ["truncated"]}},
    }
    path.write_text(json.dumps(spec))
    s = load_scenario(path)
    assert s.name == "mine" and s.faults[1] == Malformed(kinds=("truncated",))
    assert [f.name for f in s.faults] == ["out_of_order", "malformed"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"devics": 3}, 'unknown setting "devics". Did you mean "devices"?'),
        ({"extends": "flet"}, 'Did you mean "fleet"?'),
        ({"faults": {"lat": {}}}, 'unknown fault "lat". Did you mean "late"?'),
        ({"faults": {"late": {"rat": 1}}}, 'unknown setting "rat". Did you mean "rate"?'),
        ({"fields": {"t": {"bse": 1}}}, 'field t: unknown setting "bse". Did you mean "base"?'),
        ({"devices": "three"}, "devices must be int"),
        ({"count": 2.5}, "count must be int | None"),
        ({"fields": {"t": {"base": "warm"}}}, "base must be float"),
        ({"fields": ["t"]}, "fields must be a mapping"),
        ({"fields": {1: {"base": 1}}}, "field name 1 must be text"),
        ({"faults": {"late": 5}}, "late must be a mapping of settings"),
        ({"faults": {"late": {"rate": 2}}}, "rate must be between 0 and 1"),
        ({"devices": 0}, "devices must be at least 1"),
    ],
)
def test_bad_scenario_data_says_what_and_where(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, where="s.yaml")
    assert fragment in str(info.value) and str(info.value).startswith("s.yaml: ")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("devices: [1\n", "not valid YAML or JSON"), ("- 1\n- 2\n", "must hold a mapping")],
)
def test_a_bad_file_is_refused_with_its_name(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(ScenarioError, match=fragment) as info:
        load_scenario(path)
    assert str(path) in str(info.value)


def test_a_missing_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="check the path"):
        get_scenario(tmp_path / "none.yaml")


def test_a_scenario_written_as_a_recording_reads_back_identically(tmp_path: Path) -> None:
    scenario = SCENARIOS["fleet-chaos"].replace(count=200)
    path = tmp_path / "chaos.jsonl"
    with RecordingWriter(path, topics=["sensors/#"], start_ms=scenario.start_ms) as w:
        for m in scenario:
            w.write(m)
    rec = read_recording(path)
    assert list(rec) == list(scenario) and rec.damage is None
