"""One switch, same results: every example plugin in-process and as a portable plugin
(its own process, eKuiper's protocol over nng) gives the same emissions."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pytest

from kuiper_dev import Workspace
from tests.fixtures import ROOT

PLUGINS = ROOT / "plugins"


def both(run: object) -> tuple[object, object]:
    outcomes = []
    for portable in (False, True):
        with Workspace(PLUGINS, portable=portable) as ws:
            outcomes.append(run(ws))  # type: ignore[operator]
    return outcomes[0], outcomes[1]


def test_function_plugins_give_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    sql = (
        "SELECT deviceId, heatIndex(temperature, humidity) AS hi, "
        "celsiusToFahrenheit(temperature) AS f, fahrenheitToCelsius(humidity) AS c "
        "FROM sensors WHERE temperature > 26"
    )

    def run(ws: Workspace) -> list[object]:
        return ws.run(sql, ws.simulate(devices=3, count=150, seed=3)).emissions

    native, portable = both(run)
    assert native and native == portable


def test_the_source_plugin_gives_the_same_messages() -> None:
    def run(ws: Workspace) -> list[object]:
        ws.create_stream(
            'CREATE STREAM m () WITH (DATASOURCE="boiler-7", TYPE="modbusSim", CONF_KEY="fast")'
        )
        result, live = ws.run_live("SELECT * FROM m", limit=4, timeout_ms=15_000)
        assert not live.timed_out
        return [[{k: v for k, v in r.items()} for r in e] for e in result.emissions]

    native, portable = both(run)
    assert len(native) == 4 and native == portable
    assert native[0][0]["deviceId"] == "boiler-7"  # conf["datasource"], as eKuiper gives it


def test_the_sink_plugin_writes_the_same_file(tmp_path: Path) -> None:
    def run(ws: Workspace) -> str:
        out = tmp_path / f"out-{ws.portable}.csv"
        action = {"csvWriter": {"path": str(out), "fields": ["deviceId", "temperature"],
                                "sendSingle": True, "requireAck": True}}  # fmt: skip
        ws.run(
            "SELECT deviceId, temperature FROM s WHERE temperature > 25",
            ws.simulate(devices=2, count=60, seed=5),
            actions=[action],
        )
        return out.read_text()

    native, portable = both(run)
    assert native.count("\n") > 2 and native == portable


def test_closing_the_workspace_leaves_no_process_and_no_ipc_file() -> None:
    before = set(glob.glob("/tmp/*.ipc"))
    with Workspace(PLUGINS, portable=True) as ws:
        ws.run("SELECT heatIndex(t, h) AS x FROM s", [{"t": 30, "h": 50}])
        pid = ws.describe_plugin("portable", "kuiperdev")["pid"]
        assert pid > 0
    assert set(glob.glob("/tmp/*.ipc")) <= before
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_updating_an_installed_portable_switches_running_rules_to_it(tmp_path: Path) -> None:
    def export(scale: int, version: str) -> None:
        ws = Workspace(plugins_dir=None)
        ws.define_function(
            "Scaled",
            "class _S:\n"
            "    def validate(self, args): return ''\n"
            "    def is_aggregate(self): return False\n"
            f"    def exec(self, args, ctx): return args[0] * {scale}\n"
            "Scaled = _S()\n",
        )
        ws.export("scaled", version, tmp_path, portable=True, force=True)

    export(2, "1.0.0")
    with Workspace(tmp_path) as ws:
        ws.create_stream('CREATE STREAM s () WITH (DATASOURCE="s")')
        ws.create_rule("r", "SELECT scaled(v) AS x FROM s", actions=[{"log": {}}])
        ws.publish("s", [{"v": 1}])
        first_pid = ws.describe_plugin("portable", "scaled")["pid"]
        export(10, "2.0.0")
        assert ("portable", "scaled") in ws.reload_plugins()
        ws.publish("s", [{"v": 1}])
        described = ws.describe_plugin("portable", "scaled")
        assert ws.rule_output("r") == [[{"x": 2.0}], [{"x": 10.0}]]
        assert described["version"] == "2.0.0" and described["pid"] not in (0, first_pid)
