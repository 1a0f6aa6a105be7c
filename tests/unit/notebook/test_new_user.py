"""The new-user pass of issue 14: cells typed the way a user types them, mistakes made on
purpose. Each mistake prints one message that names the fix (no traceback into
kuiper_dev), and the next good cell works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython

from kuiper_dev import KuiperDevError

FUNC = """from ekuiper import Function
class F(Function):
    def validate(self, args): return ""
    def is_aggregate(self): return False
    def exec(self, args, ctx): {body}
{name} = F()
"""

SOURCE = """from ekuiper import Source
class S(Source):
    def configure(self, datasource, conf): self.conf = conf
    def open(self, ctx): {body}
    def close(self, ctx): pass
{name} = S
"""

SINK = """from ekuiper import Sink
class K(Sink):
    def configure(self, conf): pass
    def open(self, ctx): pass
    def collect(self, ctx, data): {body}
    def close(self, ctx): pass
{name} = K
"""

GOOD = "%%kuiper_sql --feed rows\nSELECT a FROM d"


@pytest.fixture(scope="module")
def shell() -> Iterator[Any]:
    ip = start_ipython() or get_ipython()  # one shell per process, shared with the others
    assert ip is not None
    ip.run_line_magic("load_ext", "kuiper_dev")
    yield ip


@pytest.fixture(autouse=True)
def magics(shell: Any, tmp_path: Path) -> Iterator[Any]:
    m = shell.magics_manager.registry["KuiperMagics"]
    m.plugins_dir = str(tmp_path)
    m._workspace = None
    shell.user_ns["rows"] = [{"a": 1, "ts": 1700000000000}, {"a": 2, "ts": 1700000000600}]
    yield m
    m.stop_live()


def typed(shell: Any, capfd: pytest.CaptureFixture[str], text: str) -> tuple[Any, str]:
    """Run a cell as the notebook does; its result and everything it printed."""
    result = shell.run_cell(text)
    captured = capfd.readouterr()
    return result, captured.out + captured.err


MISTAKES = {
    "syntax error in a function cell": (
        "%%kuiper_function Broken\nfrom ekuiper import Function\nclass F(Function:\n    pass\n",
        "PluginError: %%kuiper_function Broken: syntax error on line 3 of the cell",
        "fix that line and run the cell again",
    ),
    "unknown stream": (
        "%%kuiper_sql\nSELECT a FROM nowhere",
        "PlanError: stream nowhere not found",
        "Define it with CREATE STREAM",
    ),
    "a SELECT from a misspelled stream beside the cell's DDL": (
        '%%kuiper_sql --feed rows\nCREATE STREAM sensor (a BIGINT) WITH (DATASOURCE="s");\n'
        "SELECT a FROM sensors",
        "the SELECT reads stream sensors, which is not defined (this cell defines sensor)",
        "did you mean sensor?",
    ),
    "options that are not JSON": (
        "%%kuiper_sql --feed rows --options {isEventTime: true}\nSELECT a FROM d",
        "KuiperDevError: --options: '{isEventTime: true}' is not JSON",
        """write it as --options '{"isEventTime": true}'""",
    ),
    "an option of the wrong type": (
        """%%kuiper_sql --feed rows --options '{"isEventTime": "yes"}'\nSELECT a FROM d""",
        "--options: isEventTime is true or false, got 'yes'",
        'write {"isEventTime": true}',
    ),
    "a wrong magic option": (
        "%%kuiper_sql --feed rows --bogus\nSELECT a FROM d",
        "UsageError: unrecognized arguments: --bogus",
        "see %kuiper_sql? for every option",
    ),
    "a source cell missing its class": (
        "%%kuiper_source Ticker\nfrom ekuiper import Source\nx = 1\n",
        "PluginError: <cell kuiper_source Ticker #",
        "Define Ticker in the module",
    ),
    "an unknown sub-command": (
        "%kuiper frobnicate",
        "UsageError: argument verb: invalid choice: 'frobnicate'",
        "see %kuiper? for every verb",
    ),
    "a verb without its object": (
        "%kuiper show",
        "UsageError: %kuiper show: say what to show",
        "write %kuiper show streams",
    ),
    "%kuiper test on a missing function": (
        "%kuiper test nosuch float",
        "PluginError: no plugin function, source or sink 'nosuch'",
        "define it in a cell first",
    ),
    "a plugin cell that raises while loading": (
        "%%kuiper_function Boom\nraise RuntimeError('no model file')\n",
        "PluginError: plugin Boom: the cell raised while loading",
        "RuntimeError: no model file",
    ),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_mistake_gets_one_clear_message_and_the_next_cell_works(
    shell: Any, capfd: pytest.CaptureFixture[str], mistake: str
) -> None:
    cell, message, fix = MISTAKES[mistake]
    result, shown = typed(shell, capfd, cell)
    assert not result.success
    assert message in shown and fix in shown
    assert "Traceback" not in shown.replace("the cell raised while loading:\nTraceback", "")
    assert "kuiper_dev/" not in shown  # no frames of the kit's internals
    good, shown = typed(shell, capfd, GOOD)
    assert good.success and good.result.rows == [{"a": 1}, {"a": 2}], shown


def test_a_plugin_that_raises_at_every_call_and_a_sink_that_raises(
    shell: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    typed(shell, capfd, "%%kuiper_function Fail\n" + FUNC.format(body="raise ValueError('nope')", name="Fail"))
    typed(shell, capfd, "%%kuiper_sink Drop\n" + SINK.format(body="raise OSError('disk full')", name="Drop"))
    failing, _ = typed(shell, capfd, "%%kuiper_sql --feed rows\nSELECT fail(a) AS x FROM d")
    assert failing.success and failing.result.messages_in == 2 and not failing.result.emissions
    assert [e.message.splitlines()[-1] for e in failing.result.errors] == ["ValueError: nope"] * 2
    sunk, _ = typed(shell, capfd, "%%kuiper_sql --feed rows --sink drop\nSELECT a FROM d")
    assert sunk.success and len(sunk.result.errors) == 2
    assert "OSError: disk full" in sunk.result.errors[0].message
    assert "disk full" in sunk.result._repr_html_()  # the table shows the sink's traceback
    good, _ = typed(shell, capfd, GOOD)
    assert good.result.rows == [{"a": 1}, {"a": 2}]


WINDOW = (
    'CREATE STREAM d2 () WITH (DATASOURCE="d2", TIMESTAMP="ts");\n'
    "SELECT count(*) AS n FROM d2 GROUP BY TUMBLINGWINDOW(ss, 2)"
)


@pytest.mark.parametrize(
    "options",
    [
        '--options {"isEventTime": true, "lateTolerance": 0}',  # JSON with spaces, no quotes
        '--options {"isEventTime": True}',  # a Python literal
        """--options '{"isEventTime": true, "lateTolerance": "0s"}'""",  # eKuiper's durations
    ],
)
def test_options_typed_without_quotes(shell: Any, capfd: pytest.CaptureFixture[str], options: str) -> None:
    shell.user_ns["timed"] = [{"ts": 1700000000000 + i * 700} for i in range(8)]
    result, shown = typed(shell, capfd, f"%%kuiper_sql --feed timed --drain-ms 5000 {options}\n{WINDOW}")
    # event time: windows follow the rows' ts, 700 ms apart (processing time sees one a
    # second, two per window); the last window waits for a watermark past its end
    assert result.success, shown
    assert [r["n"] for r in result.result.rows] == [3, 3], shown


def test_a_misspelled_option_is_named_with_the_right_one(
    shell: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    cell = """%%kuiper_sql --feed rows --options '{"isEventTim": true}'\nSELECT a FROM d"""
    result, shown = typed(shell, capfd, cell)
    assert result.success
    assert "warning: rule option isEventTim is not one of eKuiper's and is ignored; did you mean isEventTime?" in shown


def test_a_sink_with_unquoted_props(shell: Any, capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    result, shown = typed(shell, capfd, f'%%kuiper_sql --feed rows --sink file={{"path": "{out}"}}\nSELECT a FROM d')
    assert result.success, shown
    assert out.read_text().count('"a"') == 2


def test_a_cell_over_a_file_plugin_warns_once(
    shell: Any, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "AddN.py").write_text(FUNC.format(body="return args[0] + 100", name="AddN"))
    cell = "%%kuiper_function AddN\n" + FUNC.format(body="return args[0] + 1", name="AddN")
    result, shown = typed(shell, capfd, cell)
    assert result.success
    assert shown.count("replaces the function plugin addN") == 1
    assert shown.startswith("warning: <cell kuiper_function AddN")


def test_the_plugins_folder_set_after_first_use_takes_effect(
    shell: Any, magics: Any, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "other"
    (other / "functions").mkdir(parents=True)
    (other / "functions" / "Triple.py").write_text(FUNC.format(body="return args[0] * 3", name="Triple"))
    typed(shell, capfd, "%%kuiper_function AddN\n" + FUNC.format(body="return args[0] + 1", name="AddN"))
    _, shown = typed(shell, capfd, f"%config KuiperMagics.plugins_dir = {str(other)!r}")
    assert "a fresh workspace" in shown and "run their cells again" in shown
    udfs, shown = typed(shell, capfd, "%kuiper udfs")
    assert udfs.result == {"triple": "triple"}
    _, shown = typed(shell, capfd, "%kuiper workspace")
    assert f"plugins folder: {magics.workspace.plugins_dir.name}" not in shown  # relative, whole path
    assert "other, chosen by KuiperMagics.plugins_dir" in shown and "no such folder" not in shown
    typed(shell, capfd, f"%config KuiperMagics.plugins_dir = {str(tmp_path / 'missing')!r}")
    _, shown = typed(shell, capfd, "%kuiper workspace")
    assert "missing (no such folder: no plugin files)" in shown


def test_a_live_rule_that_times_out_says_so(shell: Any, capfd: pytest.CaptureFixture[str]) -> None:
    typed(shell, capfd, "%%kuiper_source Quiet\n" + SOURCE.format(body="pass", name="Quiet"))
    cell = ('%%kuiper_sql --limit 2 --timeout 0.3\n'
            'CREATE STREAM q () WITH (TYPE="quiet", DATASOURCE="x");\nSELECT * FROM q')
    result, shown = typed(shell, capfd, cell)
    assert result.success and result.result.emissions == []
    assert "stopped by --timeout 0.3 s after 0 of --limit 2 emissions" in shown


def test_tables_from_the_verbs(shell: Any, capfd: pytest.CaptureFixture[str]) -> None:
    k = lambda line: shell.run_line_magic("kuiper", line)  # noqa: E731
    assert k("""create table 't (k STRING) WITH (DATASOURCE="t", TYPE="memory", KIND="lookup", KEY="k")'""") == "t"
    assert k("""create stream 's (k STRING) WITH (DATASOURCE="s")'""") == "s"
    assert k("show tables") == ["t"] and k("show streams") == ["s"]
    assert k("describe table t")["Options"]["kind"] == "lookup"
    k("drop table t")
    assert k("show tables") == []


def test_export_names_the_to_folder(shell: Any, capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, shown = typed(shell, capfd, f"%%kuiper_function Kelvin --export 1.0.0 --to {tmp_path / 'out'}\n"
                     + FUNC.format(body="return args[0] + 273.15", name="Kelvin"))
    assert "exported into the --to folder: " in shown and "functions/Kelvin@v1.0.0.py" in shown
    assert (tmp_path / "out" / "functions" / "Kelvin@v1.0.0.py").is_file()


def test_bad_duration_text(shell: Any) -> None:
    with pytest.raises(KuiperDevError, match='lateTolerance: time: invalid duration "soon"; give milliseconds'):
        shell.run_cell_magic("kuiper_sql", """--feed rows --options '{"lateTolerance": "soon"}'""", "SELECT a FROM d")


def test_export_without_a_plugins_folder_makes_one_that_a_restart_loads(
    shell: Any, magics: Any, capfd: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    magics.plugins_dir = ""
    magics._workspace = None
    assert magics.chosen_plugins_dir() is None  # a fresh folder: no plugins/ here or above
    body = FUNC.format(body="return args[0] + 273.15", name="Kelvin")
    result, shown = typed(shell, capfd, "%%kuiper_function Kelvin --export 1.0.0\n" + body)
    assert result.success, shown
    assert "exported into plugins/ (a new plugins folder here" in shown
    assert "functions/Kelvin@v1.0.0.py" in shown
    magics._workspace = None  # a restart
    assert magics.chosen_plugins_dir() == tmp_path / "plugins"
    got, shown = typed(shell, capfd, "%%kuiper_sql --feed rows\nSELECT kelvin(a) AS k FROM d")
    assert got.result.rows == [{"k": 274.15}, {"k": 275.15}], shown


def test_a_replay_that_matches_no_topic_says_which_filter_would(
    shell: Any, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "fleet.jsonl"
    typed(shell, capfd, f"%kuiper simulate fleet --count 12 --seed 1 --output {path}")
    result, shown = typed(shell, capfd, f"%%kuiper_sql --recording {path} --quiet\nSELECT deviceId FROM sensors")
    assert result.success and result.result.messages_in == 0
    assert 'no recorded message matched stream sensors (DATASOURCE="sensors")' in shown
    fixed = 'CREATE STREAM sensors () WITH (DATASOURCE="sensors/#")'
    assert fixed in shown
    cell = f"%%kuiper_sql --recording {path} --quiet\n{fixed};\nSELECT deviceId FROM sensors"
    again, shown = typed(shell, capfd, cell)
    assert again.result.messages_in == 12 and len(again.result.rows) == 12 and "note:" not in shown


def test_status_and_topology_of_a_finished_cell_by_its_id(shell: Any, capfd: pytest.CaptureFixture[str]) -> None:
    result, _ = typed(shell, capfd, "%%kuiper_sql --feed rows --id hot\nSELECT a FROM d WHERE a > 1")
    table, shown = typed(shell, capfd, "%kuiper status hot")
    assert table.success, shown
    sink = table.result.index[-1]
    assert sink.startswith("sink_"), table.result.index
    assert table.result.loc[sink, "records_in"] == 1 and table.result.iloc[0]["records_in"] == 2
    picture, _ = typed(shell, capfd, "%kuiper topo hot")
    assert len(picture.result.axes) == 1
    missing, shown = typed(shell, capfd, "%kuiper status nope")
    assert not missing.success and "RuleError: rule nope not found" in shown
