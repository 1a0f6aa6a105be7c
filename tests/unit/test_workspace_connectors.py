"""Built-in connectors selected by a stream's TYPE and an action's name, through the Workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuiper_dev import PlanError, RuleError, Workspace


def test_a_file_stream_runs_live_into_a_file_sink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("id,temp\n1,20.5\n2,31\n3,40\n")
    (tmp_path / "plugins" / "sources").mkdir(parents=True)
    (tmp_path / "plugins" / "sources" / "file.yaml").write_text(
        "csv:\n  fileType: csv\n  hasHeader: true\n"
    )
    ws = Workspace(plugins_dir="plugins")
    ws.create_stream('CREATE STREAM s () WITH (DATASOURCE="a.csv", TYPE="file", CONF_KEY="csv")')
    action = {"file": {"path": "out.jsonl", "fileType": "lines"}}
    result, run = ws.run_live(
        'SELECT id FROM s WHERE cast(temp, "float") > 25', actions=[action], limit=2,
        timeout_ms=5000,
    )  # fmt: skip
    assert not run.timed_out
    assert result.emissions == [[{"id": "2"}], [{"id": "3"}]]
    assert (tmp_path / "out.jsonl").read_text().splitlines() == ['[{"id":"2"}]', '[{"id":"3"}]']


def test_an_unknown_type_names_the_known_sources() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM s () WITH (DATASOURCE="x", TYPE="fiel")')
    with pytest.raises(RuleError, match='Did you mean "file"'):
        ws.run_live("SELECT * FROM s", timeout_ms=100)


def test_delimited_output_is_for_the_file_sink() -> None:
    ws = Workspace(plugins_dir=None)
    with pytest.raises(PlanError, match="file sink only"):
        ws.run("SELECT a FROM s", [{"a": 1}], actions=[{"log": {"format": "delimited"}}])
