"""eKuiper's CLI grammar for management, locally (state in --data) and with --server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuiper_dev.cli import app
from kuiper_dev.server import ServerThread, create_app, open_workspace
from tests.fixtures import ECHO_PLUGIN, ROOT

runner = CliRunner()
DEF = '(a BIGINT) WITH (DATASOURCE="demo", TYPE="simulator", FORMAT="json")'
RULE = '{"sql": "SELECT a FROM demo WHERE a > 0", "actions": [{"log": {}}]}'


def _local(tmp_path: Path, plugin_dir: Path) -> list[str]:
    return ["--data", str(tmp_path / "data"), "--plugins", str(plugin_dir)]


def _run(args: list[str], where: list[str], code: int = 0) -> str:
    result = runner.invoke(app, [*args, *where])
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result.stdout if code == 0 else result.stderr


@pytest.fixture
def server_url(tmp_path: Path, plugin_dir: Path) -> Iterator[str]:
    ws, _ = open_workspace(plugin_dir, tmp_path / "served", live=False)
    with ServerThread(create_app(ws)) as url:
        yield url


def _session(where: list[str], tmp_path: Path) -> list[str]:
    """A session a plugin author might type; every answer, in order."""
    rule_file = tmp_path / "rule.json"
    rule_file.write_text(RULE)
    table_file = tmp_path / "table.txt"
    table_file.write_text('lookup (k STRING) WITH (DATASOURCE="t.json", TYPE="file");\n')
    return [
        _run(["create", "stream", "demo", DEF], where),
        _run(["create", "table", "-f", str(table_file)], where),
        _run(["show", "streams"], where),
        _run(["show", "tables"], where),
        _run(["describe", "stream", "demo"], where),
        _run(["create", "rule", "r1", RULE], where),
        _run(["create", "rule", "r2", "-f", str(rule_file)], where),
        _run(["show", "rules"], where),
        _run(["stop", "rule", "r2"], where),
        _run(["show", "rules"], where),
        _run(["describe", "rule", "r2"], where),
        _run(["gettopo", "rule", "r1"], where),
        _run(["restart", "rule", "r1"], where),
        _run(["start", "rule", "r2"], where),
        _run(["drop", "rule", "r2"], where),
        _run(["drop", "table", "lookup"], where),
        _run(["create", "stream", "demo", DEF], where, code=1),
        _run(["describe", "rule", "nope"], where, code=1),
        _run(["getstatus", "rule", "r1"], where),
        _run(["drop", "rule", "r1"], where),
        _run(["show", "rules"], where),
        _run(["describe", "stream", "demo", "-json"], where),
    ]


def test_local_invocations_agree_through_the_data_folder(tmp_path: Path, plugin_dir: Path) -> None:
    where = _local(tmp_path, plugin_dir)
    out = _session(where, tmp_path)
    assert out[0] == "Stream demo is created.\n" and out[1] == "Table lookup is created.\n"
    # eKuiper's CLI prints stream and table names one a line, then the blank line
    assert out[2] == "demo\n\n" and out[3] == "lookup\n\n"
    assert out[4].startswith("Fields\n" + "-" * 80 + "\na\tbigint\n\nDATASOURCE: demo\n")
    assert out[5] == (
        "Rule r1 was created successfully, please use 'kuiper-dev getstatus rule r1' "
        "command to get rule status.\n"
    )
    assert out[12] == "Rule r1 was restarted.\n"
    rules = json.loads(out[7])  # eKuiper's CLI: its REST list as indented JSON
    assert [(r["id"], r["status"]) for r in rules] == [("r1", "running"), ("r2", "running")]
    assert out[7].startswith('[\n  {\n    "id": "r1",\n    "name": "r1",\n    "status"')
    assert json.loads(out[9])[1] == {
        "id": "r2",
        "name": "r2",
        "status": "stopped",
        "tags": None,
        "trace": False,
        "version": "",
    }
    assert json.loads(out[10])["sql"] == "SELECT a FROM demo WHERE a > 0"
    assert json.loads(out[11])["sources"] == ["source_demo"]
    # a simulator source gives rows, not bytes: no decoder, the filter follows the source
    assert json.loads(out[11])["edges"]["source_demo"] == ["op_2_filter"]
    assert out[14] == "Rule r2 is dropped.\n"
    assert out[16] == "error: stream demo already exists; drop it first\n"
    assert out[17] == "error: rule nope not found.\n"
    status = json.loads(out[18])
    assert status["status"] == "running" and "source_demo_0_records_in_total" in status
    assert "op_3_project_0_records_in_total" in status and "sink_log_0_0_exceptions_total" in status
    assert out[20] == "No rule definitions are found.\n"
    # eKuiper's -json keeps the colon of each option name, as its DescribeToJson does
    assert json.loads(out[21]) == {
        "Fields": [{"Name": "a", "Type": "bigint"}],
        "Options": {"DATASOURCE:": "demo", "FORMAT:": "json", "TYPE:": "simulator"},
    }


def test_with_server_the_answers_are_the_same(
    tmp_path: Path, plugin_dir: Path, server_url: str
) -> None:
    local = _session(_local(tmp_path, plugin_dir), tmp_path)
    remote = _session(["--server", server_url], tmp_path)
    assert remote == local
    assert (tmp_path / "served" / "state.json").is_file()


def test_plugin_verbs_take_server_too(plugin_dir: Path, tmp_path: Path) -> None:
    (plugin_dir / "functions" / "Echo@v1.2.0.py").write_text(ECHO_PLUGIN.format(symbol="Echo"))
    ws, _ = open_workspace(plugin_dir, tmp_path / "served", live=False)
    with ServerThread(create_app(ws)) as url:
        for args in (["describe", "plugin", "function", "echo"], ["show", "plugins", "function"],
                     ["show", "udfs"], ["describe", "udf", "echo"]):  # fmt: skip
            local = _run(args, ["--plugins", str(plugin_dir)])
            assert _run(args, ["--server", url]) == local
        assert "ecko not found" in _run(["describe", "udf", "ecko", "--server", url], [], code=1)


def test_unreachable_server_and_bad_input_are_one_line_errors(
    tmp_path: Path, plugin_dir: Path
) -> None:
    err = _run(["show", "streams", "--server", "http://127.0.0.1:1"], [], code=1)
    assert err.startswith("error: cannot reach http://127.0.0.1:1") and err.count("\n") == 1
    where = _local(tmp_path, plugin_dir)
    assert "not valid JSON" in _run(["create", "rule", "r", "{bad"], where, code=2)
    assert "either as an argument or with -f" in _run(["create", "rule", "r"], where, code=2)
    sql = _run(["create", "stream", "x", "(a BIGINT"], where, code=1)
    assert sql.count("\n") == 1 and "at line 1" in sql


def test_plugins_install_and_drop(tmp_path: Path, plugin_dir: Path) -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("Echo@v2.0.0.py", ECHO_PLUGIN.format(symbol="Echo"))
    (plugin_dir / "echo.zip").write_bytes(buf.getvalue())
    where = _local(tmp_path, plugin_dir)
    body = json.dumps({"file": (plugin_dir / "echo.zip").as_uri()})
    assert (
        _run(["create", "plugin", "function", "echo", body], where)
        == "function plugin echo is created\n"
    )
    described = _run(["describe", "plugin", "function", "echo", "--plugins", str(plugin_dir)], [])
    assert json.loads(described) == {"name": "echo", "version": "2.0.0"}
    assert (
        _run(["drop", "plugin", "function", "echo"], where) == "function plugin echo is deleted\n"
    )
    assert "not a plugin type" in _run(["drop", "plugin", "widget", "echo"], where, code=2)


def test_every_verb_has_help_without_bool_placeholders() -> None:
    for args in (["--help"], ["create", "--help"], ["create", "rule", "--help"],
                 ["getstatus", "rule", "--help"], ["serve", "--help"], ["functions", "--help"],
                 ["ruletest", "--help"], ["show", "streams", "--help"]):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "<bool>" not in result.stdout
        assert "Usage:" in result.stdout
    assert "getstatus" in runner.invoke(app, ["--help"]).stdout


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("kuiper-dev 0.")


def test_unknown_function_category_is_an_error(plugin_dir: Path) -> None:
    result = runner.invoke(app, ["functions", "--category", "mathh", "--plugins", str(plugin_dir)])
    assert result.exit_code == 2
    assert 'Did you mean "math"?' in result.stderr and "aggregate" in result.stderr
    ok = runner.invoke(
        app, ["functions", "--category", "math", "--json", "--plugins", str(plugin_dir)]
    )
    assert ok.exit_code == 0 and {r["category"] for r in json.loads(ok.stdout)} == {"math"}


def test_ruletest_heads_each_case_on_stderr() -> None:
    cases = ROOT / "tests" / "ruletests"
    files = [cases / "filter.ruletest.json", cases / "filter.ruletest.json"]
    result = runner.invoke(app, ["ruletest", *map(str, files)])
    assert result.exit_code == 0
    heads = [line for line in result.stderr.splitlines() if line.startswith("== ")]
    assert heads == [f"== {files[0]}: case {json.loads(files[0].read_text())['name']!r}"] * 2
    assert all(json.loads(line) for line in result.stdout.splitlines())


def test_ruletest_check_fails_on_a_misspelled_expected(tmp_path: Path) -> None:
    case = json.loads((ROOT / "tests" / "ruletests" / "filter.ruletest.json").read_text())
    case["expectd"] = case.pop("expected")
    path = tmp_path / "typo.ruletest.json"
    path.write_text(json.dumps(case))
    result = runner.invoke(app, ["ruletest", "--check", str(path)])
    assert result.exit_code == 1 and "expectd" in result.stderr


def test_local_verbs_print_plugin_warnings_once(tmp_path: Path, plugin_dir: Path) -> None:
    (plugin_dir / "functions" / "Echo@v1.9.0.py").write_text(ECHO_PLUGIN.format(symbol="Echo"))
    (plugin_dir / "functions" / "Echo@v1.10.0.py").write_text(ECHO_PLUGIN.format(symbol="Echo"))
    result = runner.invoke(app, ["show", "streams", *_local(tmp_path, plugin_dir)])
    assert result.exit_code == 0 and result.stdout == "No stream definitions are found.\n\n"
    warnings = [line for line in result.stderr.splitlines() if "Echo@v1.10.0.py" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: ")


def test_serve_refuses_a_bad_broker_before_binding(tmp_path: Path, plugin_dir: Path) -> None:
    result = runner.invoke(app, ["serve", "--broker", "ftp://x", *_local(tmp_path, plugin_dir)])
    assert result.exit_code == 2 and "not a broker URL" in result.stderr


def test_serve_on_a_port_in_use_is_one_clear_error(tmp_path: Path, plugin_dir: Path) -> None:
    import socket

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = str(held.getsockname()[1])
        result = runner.invoke(app, ["serve", "--port", port, *_local(tmp_path, plugin_dir)])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert not (tmp_path / "data").exists()  # nothing loaded or written before the port
