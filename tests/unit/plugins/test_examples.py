"""The project's example plugins, exercised through the registry and the runners."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import pytest

from kuiper_dev.plugins import PluginRegistry, SinkRunner, SourceRunner

PLUGINS = Path(__file__).resolve().parents[3] / "plugins"


@pytest.fixture(scope="module")
def reg() -> PluginRegistry:
    registry = PluginRegistry()
    registry.load_dir(PLUGINS)
    return registry


def test_every_example_loads(reg: PluginRegistry) -> None:
    assert reg.problems == []
    assert reg.names("source") == ["modbusSim"] and reg.names("sink") == ["csvWriter"]
    assert {"celsiusToFahrenheit": "units", "fahrenheitToCelsius": "units"}.items() <= (
        reg.udfs().items()
    )
    assert reg.udfs()["heatIndex"] == "heatIndex"


def poll(reg: PluginRegistry, conf_key: str | None, count: int) -> list[dict[str, Any]]:
    conf = reg.resolve_source_conf("modbusSim", conf_key) | {"count": count, "interval": 0}
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    slot = reg.source("modbusSim")
    assert slot is not None
    run = SourceRunner(
        slot, "plc-1", conf, on_message=lambda r, m: rows.append(r), on_error=errors.append
    )
    run.start()
    assert run._run is not None and run._run.thread is not None
    run._run.thread.join(2)  # count polls, then open() returns by itself
    assert run.status == "ended" and errors == []
    return rows


def test_modbus_sim_is_deterministic_and_follows_its_conf(reg: PluginRegistry) -> None:
    assert reg.source_conf_keys("modbusSim") == ["default", "fast", "boiler"]
    assert reg.resolve_source_conf("modbusSim", "fast")["interval"] == 100
    rows = poll(reg, None, 5)
    assert rows == poll(reg, None, 5)  # same seed, same readings
    assert [r["seq"] for r in rows] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert all(r["deviceId"] == "plc-1" and 15.0 <= r["temperature"] <= 35.0 for r in rows)
    boiler = poll(reg, "boiler", 3)
    assert set(boiler[0]) == {"deviceId", "unitId", "seq", "pressure", "waterTemp"}
    assert boiler[0]["unitId"] == 7.0 and 1.0 <= boiler[0]["pressure"] <= 3.0


def test_modbus_sim_refuses_a_register_that_does_not_fit(reg: PluginRegistry) -> None:
    slot = reg.source("modbusSim")
    assert slot is not None
    errors: list[str] = []
    failed = threading.Event()
    bad = {"registers": [{"name": "x", "min": 0, "max": 1e9}]}
    run = SourceRunner(
        slot,
        "plc",
        bad,
        on_message=lambda r, m: None,
        on_error=lambda e: (errors.append(e), failed.set()),  # type: ignore[func-returns-value]
    )
    run.start()
    assert failed.wait(2) and run.status == "dead"
    assert "must fit 0..65535" in errors[0] and "ModbusSim.py" in errors[0]


def test_csv_writer_appends_rows_and_acks(reg: PluginRegistry, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    slot = reg.sink("csvWriter")
    assert slot is not None
    errors: list[str] = []
    acks: list[str | None] = []
    conf = {"path": str(out), "fields": ["deviceId", "t"], "requireAck": True}
    run = SinkRunner(slot, conf, on_error=errors.append, on_ack=acks.append)
    run.start()
    run.collect([{"deviceId": "a", "t": 20.5}, {"deviceId": "b", "t": 21.0}])
    run.collect([{"deviceId": "c", "t": None, "extra": 1}])
    assert run.drain(2) and run.stop()
    with out.open() as f:
        assert list(csv.reader(f)) == [
            ["deviceId", "t"],
            ["a", "20.5"],
            ["b", "21"],  # eKuiper's JSON writes a whole float without a fraction
            ["c", ""],
        ]
    assert acks == [None, None] and errors == []


def test_csv_writer_without_path_is_dead_with_the_reason(reg: PluginRegistry) -> None:
    slot = reg.sink("csvWriter")
    assert slot is not None
    errors: list[str] = []
    run = SinkRunner(slot, {}, on_error=errors.append)
    run.start()
    assert run.drain(1) and run.stop()
    assert "needs a 'path' property" in errors[0] and run.status == "stopped"


def test_units_functions_convert_both_ways(reg: PluginRegistry) -> None:
    c2f, f2c = reg.function("celsiusToFahrenheit"), reg.function("fahrenheitToCelsius")
    assert c2f is not None and f2c is not None
    assert c2f.impl.exec([100], None) == 212.0 and f2c.impl.exec([212], None) == 100.0
    assert c2f.impl.exec([None], None) is None and not c2f.is_aggregate()
    assert "takes 1 argument" in f2c.impl.validate([1, 2])
    assert reg.get("function", "units").describe()["functions"] == [  # type: ignore[union-attr]
        "celsiusToFahrenheit",
        "fahrenheitToCelsius",
    ]
