"""The shipping verbs as a user runs them: export (native and portable, checked) and
portable run, on the project's example plugins."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kuiper_dev import Workspace
from kuiper_dev.cli import app
from tests.fixtures import ROOT

runner = CliRunner()
PLUGINS = str(ROOT / "plugins")


def test_a_native_export_loads_back_and_is_refused_twice(tmp_path: Path) -> None:
    args = ["export", "heatIndex", "--version", "2.0.0", "-o", str(tmp_path), "--plugins", PLUGINS]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert (tmp_path / "functions" / "HeatIndex@v2.0.0.py").is_file()
    assert Workspace(tmp_path).describe_plugin("function", "heatIndex")["version"] == "2.0.0"
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "--force" in again.output


def test_a_portable_export_is_checked_and_hosted(tmp_path: Path) -> None:
    out = runner.invoke(
        app, ["export", "heatIndex", "modbusSim", "csvWriter", "--version", "1.0.0", "--portable",
              "--name", "kit", "--check", "-o", str(tmp_path), "--plugins", PLUGINS,
              "--props", json.dumps({"csvWriter": {"path": str(tmp_path / "c.csv")}})],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    manifest = json.loads((tmp_path / "portables" / "kit" / "kit.json").read_text())
    assert manifest["sources"] == ["modbusSim"] and manifest["sinks"] == ["csvWriter"]
    hosted = runner.invoke(
        app, ["portable", "run", str(tmp_path / "kit.zip"), "--seconds", "0.5"]
    )
    assert hosted.exit_code == 0, hosted.output
    status = json.loads(hosted.stdout.splitlines()[0])
    assert status["status"] == "running" and status["pid"] > 0
    assert status["functions"] == ["heatIndex"]


def test_the_exported_folder_runs_as_an_installed_portable(tmp_path: Path) -> None:
    runner.invoke(
        app, ["export", "heatIndex", "--version", "1.0.0", "--portable", "-o", str(tmp_path),
              "--plugins", PLUGINS],
    )  # fmt: skip
    with Workspace(tmp_path) as ws:  # tmp_path/portables/heatIndex is discovered
        assert ws.show_plugins("portable") == ["heatIndex"]
        result = ws.run("SELECT heatIndex(t, h) AS x FROM s", [{"t": 30, "h": 50}])
        assert ws.describe_plugin("portable", "heatIndex")["status"] == "running"
    with Workspace(PLUGINS) as native:
        assert result.rows == native.run("SELECT heatIndex(t, h) AS x FROM s",
                                         [{"t": 30, "h": 50}]).rows  # fmt: skip
