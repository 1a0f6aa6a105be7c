from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuiper_dev.cli import app
from tests.fixtures import ECHO_PLUGIN, ROOT, write_function

runner = CliRunner()
CASES = ROOT / "tests" / "ruletests"


def test_describe_plugin_prints_name_and_version(plugin_dir: Path) -> None:
    write_function(plugin_dir, "Echo@v1.2.0.py", "Echo")
    result = runner.invoke(
        app, ["describe", "plugin", "function", "echo", "--plugins", str(plugin_dir)]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"name": "echo", "version": "1.2.0"}


def test_describe_unknown_plugin_suggests(plugin_dir: Path) -> None:
    write_function(plugin_dir, "Echo.py", "Echo")
    result = runner.invoke(
        app, ["describe", "plugin", "function", "ecko", "--plugins", str(plugin_dir)]
    )
    assert result.exit_code == 1 and 'Did you mean "echo"' in result.stderr


def test_show_plugins_and_udfs(plugin_dir: Path) -> None:
    write_function(plugin_dir, "Echo.py", "Echo")
    # eKuiper's CLI prints names one per line (and says when there are none)
    shown = runner.invoke(app, ["show", "plugins", "function", "--plugins", str(plugin_dir)])
    assert shown.stdout == "echo\n"
    assert runner.invoke(app, ["show", "udfs", "--plugins", str(plugin_dir)]).stdout == "echo\n"
    none = runner.invoke(app, ["show", "plugins", "sink", "--plugins", str(plugin_dir)])
    assert none.stdout == "No plugin is found.\n"
    out = runner.invoke(app, ["describe", "udf", "echo", "--plugins", str(plugin_dir)]).stdout
    assert json.loads(out) == {"name": "echo", "plugin": "echo"}


def test_bad_plugin_file_is_reported(plugin_dir: Path) -> None:
    write_function(plugin_dir, "echo.py", "echo")
    result = runner.invoke(app, ["show", "plugins", "function", "--plugins", str(plugin_dir)])
    assert result.exit_code == 0 and "rename it to Echo" in result.stderr


def test_ruletest_prints_one_json_line_per_emission() -> None:
    result = runner.invoke(app, ["ruletest", str(CASES / "filter.ruletest.json")])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        '[{"deviceId":"b","temperature":51}]',
        '[{"deviceId":"c","temperature":70.25}]',
    ]


def test_ruletest_check_fails_with_a_diff_and_writes_report(tmp_path: Path) -> None:
    case = json.loads((CASES / "filter.ruletest.json").read_text())
    case["expected"][0][0]["temperature"] = 52
    case["colour"] = "blue"
    path = tmp_path / "wrong.ruletest.json"
    path.write_text(json.dumps(case))
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["ruletest", str(path), "--check", "--report", str(report)])
    assert result.exit_code == 1
    assert "unknown key 'colour' ignored" in result.stderr
    assert '-[{"deviceId":"b","temperature":52}]' in result.stderr
    assert '+[{"deviceId":"b","temperature":51}]' in result.stderr
    entries = json.loads(report.read_text())
    assert entries == [
        {
            "file": str(path),
            "name": "filter hot readings",
            "passed": False,
            "error": None,
            "emissions": [
                [{"deviceId": "b", "temperature": 51}],
                [{"deviceId": "c", "temperature": 70.25}],
            ],
        }
    ]


def test_ruletest_check_passes_on_matching_cases() -> None:
    files = [str(p) for p in sorted(CASES.glob("*.ruletest.json"))]
    result = runner.invoke(app, ["ruletest", *files, "--check"])
    assert result.exit_code == 0, result.stderr


def test_ruletest_reports_sql_errors_with_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.ruletest.json"
    path.write_text(
        json.dumps(
            {
                "streams": ['CREATE STREAM d () WITH (DATASOURCE="d")'],
                "sql": "SELECT a FROM d WHERE",
                "mockSource": {"d": {"data": [{"a": 1}]}},
            }
        )
    )
    result = runner.invoke(app, ["ruletest", str(path), "--check"])
    assert result.exit_code == 1
    assert (
        'found "EOF", expected expression.' in result.stderr
        and "line 1, column 22" in result.stderr
    )


def test_demo_runs_on_embedded_defaults() -> None:
    result = runner.invoke(app, ["demo", "--plugins", str(ROOT / "plugins"), "--count", "2000"])
    assert result.exit_code == 0, result.output
    assert "hot readings" in result.stdout and "2000 messages" in result.stdout


def test_functions_lists_builtins_and_plugins(plugin_dir: Path) -> None:
    write_function(plugin_dir, "Echo.py", "Echo")
    result = runner.invoke(app, ["functions", "--json", "--plugins", str(plugin_dir)])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    by_name = {r["name"]: r for r in rows}
    assert by_name["round"]["category"] == "math" and by_name["round"]["signature"].startswith(
        "round("
    )
    assert by_name["avg"]["kind"] == "aggregate"
    assert by_name["echo"] == {
        "name": "echo",
        "category": "plugin echo",
        "kind": "plugin",
        "signature": "echo(...)",
    }
    math_only = json.loads(runner.invoke(app, ["functions", "--json", "--category", "math"]).stdout)
    assert math_only and {r["category"] for r in math_only} == {"math"}


def test_describe_warns_when_text_and_number_order_disagree(plugin_dir: Path) -> None:
    write_function(plugin_dir, "Echo@v1.9.0.py", "Echo")
    write_function(plugin_dir, "Echo@v1.10.0.py", "Echo")
    result = runner.invoke(
        app, ["describe", "plugin", "function", "echo", "--plugins", str(plugin_dir)]
    )
    assert json.loads(result.stdout) == {"name": "echo", "version": "1.9.0"}
    assert "Echo@v1.10.0.py" in result.stderr and "newer by number" in result.stderr


def _tag_plugins(folder: Path, tag: str) -> Path:
    """A plugins folder whose function ``tag()`` returns ``tag``."""
    for kind in ("sources", "sinks", "functions"):
        (folder / kind).mkdir(parents=True)
    body = ECHO_PLUGIN.format(symbol="Tag").replace("return args[0]", f"return {tag!r}")
    write_function(folder, "Tag.py", "Tag", body)
    return folder


def _tag_case(path: Path, **extra: str) -> Path:
    case = {
        "streams": ['CREATE STREAM d () WITH (DATASOURCE="d")'],
        "sql": "SELECT tag(a) AS t FROM d",
        "mockSource": {"d": {"data": [{"a": 1}]}},
        **extra,
    }
    path.write_text(json.dumps(case))
    return path


def test_ruletest_plugins_come_from_the_case_then_the_option_then_the_nearest_folder(
    tmp_path: Path,
) -> None:
    _tag_plugins(tmp_path / "cases" / "plugins", "nearest")
    cli = _tag_plugins(tmp_path / "cli", "option")
    _tag_plugins(tmp_path / "own", "case")
    plain = _tag_case(tmp_path / "cases" / "plain.ruletest.json")
    own = _tag_case(tmp_path / "cases" / "own.ruletest.json", plugins="../own")
    result = runner.invoke(app, ["ruletest", str(plain), str(own)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ['[{"t":"nearest"}]', '[{"t":"case"}]']
    result = runner.invoke(app, ["ruletest", str(plain), str(own), "--plugins", str(cli)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ['[{"t":"option"}]', '[{"t":"case"}]']


HELPS = [
    ["--help"],
    ["show", "--help"],
    ["show", "plugins", "--help"],
    ["describe", "plugin", "--help"],
    ["functions", "--help"],
    ["ruletest", "--help"],
    ["demo", "--help"],
]


def test_help_prints_no_plugin_warning_but_a_verb_that_loads_plugins_does(
    plugin_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    write_function(plugin_dir, "Echo@v1.9.0.py", "Echo")
    write_function(plugin_dir, "Echo@v1.10.0.py", "Echo")
    monkeypatch.chdir(plugin_dir.parent)  # ./plugins, the default, has two versions
    caplog.set_level(logging.WARNING)
    for args in HELPS:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert "warning" not in result.output and "newer by number" not in result.output, args
    assert caplog.records == []  # nothing loaded the plugins, so nothing was logged either
    result = runner.invoke(app, ["show", "plugins", "function", "--plugins", str(plugin_dir)])
    assert result.stdout == "echo\n"
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "Echo@v1.10.0.py" in warnings[0]
    assert "newer by number" in warnings[0]


def test_simulate_writes_the_same_recording_twice(tmp_path: Path) -> None:
    for name in ("a.jsonl", "b.jsonl"):
        out = runner.invoke(app, ["simulate", "fleet-late", "--count", "30", "-o", str(tmp_path / name)])
        assert out.exit_code == 0, out.output
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == 31  # header + 30


def test_simulate_names_a_misspelled_scenario() -> None:
    out = runner.invoke(app, ["simulate", "flet"])
    assert out.exit_code == 1
    assert 'Did you mean "fleet"' in out.output
