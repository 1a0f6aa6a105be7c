"""Issue 14's notebook kit in a real IPython shell: atomic definitions, options as typed,
sinks and plugin sources in one line, verbs, result tables, pictures, live rules."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython

from kuiper_dev import KuiperDevError, PluginError

FUNC = """from ekuiper import Function
class F(Function):
    def validate(self, args): return ""
    def is_aggregate(self): return False
    def exec(self, args, ctx): return args[0] + {n}
{name} = F()
"""

COUNTER = """from ekuiper import Source
import time
class Counter(Source):
    def configure(self, datasource, conf):
        self.n, self.gap = conf.get("n", 3), conf.get("gap", 0)
        self.stopped = False
    def open(self, ctx):
        for i in range(self.n):
            if self.stopped:
                return
            ctx.emit({"i": i, "ts": 1700000000000 + i * 1000}, {})
            time.sleep(self.gap)
    def close(self, ctx):
        self.stopped = True
"""

KEEP = """kept = []
class Keep:
    def configure(self, conf): self.tag = conf.get("tag", "")
    def open(self, ctx): pass
    def collect(self, ctx, data): kept.append((self.tag, data))
    def close(self, ctx): pass
"""


@pytest.fixture(scope="module")
def shell() -> Iterator[Any]:
    ip = start_ipython() or get_ipython()  # one shell per process, shared with test_magics
    assert ip is not None
    ip.run_line_magic("load_ext", "kuiper_dev")
    yield ip


@pytest.fixture(autouse=True)
def magics(shell: Any, tmp_path: Path) -> Iterator[Any]:
    m = shell.magics_manager.registry["KuiperMagics"]
    m.plugins_dir = str(tmp_path)
    m._workspace = None
    yield m
    m.stop_live()


def test_a_builtin_name_is_refused_and_changes_nothing(shell: Any, magics: Any) -> None:
    shell.run_cell_magic("kuiper_function", "AddOne", FUNC.format(n=1, name="AddOne"))
    before = magics.workspace.show_udfs()
    with pytest.raises(PluginError, match="abs is a built-in function"):
        shell.run_cell_magic("kuiper_function", "Abs", FUNC.format(n=1, name="Abs"))
    assert magics.workspace.show_udfs() == before == {"addOne": "addOne"}
    # later definitions and reloads go on as if nothing had happened
    shell.run_cell_magic("kuiper_function", "AddTwo", FUNC.format(n=2, name="AddTwo"))
    assert shell.run_line_magic("kuiper", "reload") == []
    shell.user_ns["rows"] = [{"a": -3}]
    got = shell.run_cell_magic("kuiper_sql", "--feed rows", "SELECT abs(a) AS x, addTwo(a) AS y FROM d")
    assert got.rows == [{"x": 3, "y": -1.0}]


def test_a_cell_over_a_file_plugin_warns_and_reload_restores_it(
    shell: Any, magics: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "AddN.py").write_text(FUNC.format(n=100, name="AddN"))
    shell.user_ns["rows"] = [{"a": 1}]
    sql = "SELECT addN(a) AS b FROM d"
    assert shell.run_cell_magic("kuiper_sql", "--feed rows", sql).rows == [{"b": 101.0}]
    shell.run_cell_magic("kuiper_function", "AddN", FUNC.format(n=1, name="AddN"))
    out = capsys.readouterr().out
    assert "warning:" in out and "loaded from" in out and "%kuiper reload" in out
    assert shell.run_cell_magic("kuiper_sql", "--feed rows", sql).rows == [{"b": 2.0}]
    assert shell.run_line_magic("kuiper", "reload") == [("function", "addN")]
    assert shell.run_cell_magic("kuiper_sql", "--feed rows", sql).rows == [{"b": 101.0}]
    assert shell.run_line_magic("kuiper", "reload") == []  # once restored, nothing to do


WINDOW = "SELECT count(*) AS n, window_end() AS window_end FROM d GROUP BY TUMBLINGWINDOW(ss, 2)"


@pytest.mark.parametrize(
    "options",
    [
        """--options '{"isEventTime": true}'""",
        """--options '{"isEventTime":true}'""",
        "--options opts",
        "--event-time --late-tolerance 0",
    ],
)
def test_options_are_taken_as_typed(shell: Any, options: str) -> None:
    shell.user_ns["opts"] = {"isEventTime": True}
    shell.user_ns["rows"] = [{"ts": 1700000000000 + i * 700} for i in range(8)]
    cell = 'CREATE STREAM d () WITH (DATASOURCE="d", TIMESTAMP="ts");\n' + WINDOW
    got = shell.run_cell_magic("kuiper_sql", f"--feed rows --drain-ms 5000 {options}", cell)
    # event time: windows follow the rows' ts, 700 ms apart (processing time sees one a
    # second, two per window); the last window waits for a watermark past its end
    assert [r["n"] for r in got.rows] == [3, 3]


def test_bad_options_name_the_fix(shell: Any) -> None:
    shell.user_ns["rows"] = []
    with pytest.raises(KuiperDevError, match="is not JSON.*quoted"):
        shell.run_cell_magic("kuiper_sql", "--feed rows --options '{isEventTime: 1}'", "SELECT a FROM d")
    with pytest.raises(KuiperDevError, match="no variable 'nope'"):
        shell.run_cell_magic("kuiper_sql", "--feed rows --options nope", "SELECT a FROM d")


def test_a_wrong_option_prints_the_usage_not_a_traceback(
    shell: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_cell("%%kuiper_sql --bogus 1\nSELECT a FROM d")
    shell.run_cell("%kuiper frobnicate")
    shell.run_cell("%%kuiper_function\nx = 1")
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert text.count("UsageError") == 3 and "Traceback" not in text
    assert "usage: %kuiper_sql" in text and "usage: %kuiper\n" in text and "frobnicate" in text
    assert "usage: %kuiper_function" in text


def test_the_help_lists_every_option(shell: Any) -> None:
    doc = shell.find_line_magic("kuiper").__doc__ + shell.find_cell_magic("kuiper_sql").__doc__
    for option in ("--feed", "--recording", "--event-time", "--sink", "-o", "--plot", "--rows",
                   "--background", "--limit", "status", "topo", "simulate", "export", "record"):
        assert option in doc


def test_a_syntax_error_names_the_cell_line(shell: Any) -> None:
    with pytest.raises(PluginError, match=r"syntax error on line 3 of the cell"):
        shell.run_cell_magic("kuiper_function", "Bad", "from ekuiper import Function\ndef f(:\n")


def test_out_variable_rows_and_time_columns(shell: Any) -> None:
    shell.user_ns["rows"] = [{"ts": 1700000000000 + i * 700} for i in range(8)]
    cell = 'CREATE STREAM d () WITH (DATASOURCE="d", TIMESTAMP="ts");\n' + WINDOW
    got = shell.run_cell_magic("kuiper_sql", "--feed rows --event-time --drain-ms 5000 -o df --rows 1", cell)
    df = shell.user_ns["df"]
    assert list(df.columns) == ["n", "window_end", "window_end_utc"]
    assert df.index.name == "window" and list(df.index) == [0, 1]
    assert str(df["window_end_utc"].iloc[0]) == "2023-11-14 22:13:22+00:00"
    assert got.show_rows == 1 and "2 rows" in got._repr_html_()


def test_a_sink_and_a_plugin_source_in_one_line(shell: Any) -> None:
    shell.user_ns["conf"] = {"default": {"n": 4}}
    shell.run_cell_magic("kuiper_source", "Counter --conf conf", COUNTER)
    shell.run_cell_magic("kuiper_sink", "Keep", KEEP)
    cell = 'CREATE STREAM c () WITH (TYPE="counter", DATASOURCE="x");\nSELECT i FROM c WHERE i > 0'
    got = shell.run_cell_magic("kuiper_sql", """--limit 3 --timeout 5 --sink 'keep={"tag": "t"}'""", cell)
    assert [r["i"] for r in got.rows] == [1, 2, 3]
    from kuiper_cells import keep  # the cell's module, importable by name

    assert [tag for tag, _ in keep.kept] == ["t", "t", "t"]
    shell.run_cell_magic("kuiper_sink", "Keep", KEEP)  # redefined: a fresh module
    import kuiper_cells.keep

    assert kuiper_cells.keep is not keep and kuiper_cells.keep.kept == []


def test_verbs_mirror_the_cli(shell: Any, magics: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    k = lambda line: shell.run_line_magic("kuiper", line)  # noqa: E731
    ws = k("workspace")
    shown = f"plugins folder: {os.path.relpath(tmp_path)}, chosen by KuiperMagics.plugins_dir"
    assert shown in capsys.readouterr().out
    assert k("""create stream 's (a BIGINT) WITH (DATASOURCE="s/#")'""") == "s"
    assert k("show streams") == ["s"]
    assert k("describe stream s")["StreamFields"] == [{"Name": "a", "FieldType": "bigint"}]
    assert k("create rule r1 'SELECT a FROM s WHERE a > 1'") == "r1"
    ws.publish("s", [{"a": 1}, {"a": 2}, {"a": 3}])
    table = k("status r1")
    assert list(table.index)[0] == "source_s_0" and list(table.index)[-1] == "sink_log_0_0"
    assert table.loc["op_3_filter_0", "records_in"] == 3
    assert table.loc["sink_log_0_0", "records_in"] == 2
    assert len(k("topo r1").axes) == 1
    assert [(r["id"], r["status"]) for r in k("show rules")] == [("r1", "running")]
    k("drop rule r1")
    k("drop stream s")
    assert k("show rules") == [] and k("show streams") == []
    k("simulate fleet --count 5 --seed 3 -o sim")
    assert len(list(shell.user_ns["sim"])) >= 5
    shell.run_cell_magic("kuiper_function", "AddOne", FUNC.format(n=1, name="AddOne"))
    paths = k(f"export addOne --version 1.0.0 --to {tmp_path / 'dist'}")
    assert any(p.endswith("AddOne@v1.0.0.py") for p in paths)


def test_export_from_the_cell_survives_a_restart(
    shell: Any, magics: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_cell_magic("kuiper_function", "AddSeven --export 1.0.0", FUNC.format(n=7, name="AddSeven"))
    assert "exported into the plugins folder: functions/" in capsys.readouterr().out
    assert (tmp_path / "functions" / "AddSeven@v1.0.0.py").is_file()
    magics._workspace = None  # a restart: a fresh workspace over the same folder
    shell.user_ns["rows"] = [{"a": 1}]
    assert shell.run_cell_magic("kuiper_sql", "--feed rows", "SELECT addSeven(a) AS b FROM d").rows == [{"b": 8.0}]


def test_plot_marks_windows_and_the_magic_plots(shell: Any) -> None:
    rows = [{"ts": 1700000000000 + i * 700, "t": float(i)} for i in range(8)]
    shell.user_ns["rows"] = rows
    cell = ('CREATE STREAM d () WITH (DATASOURCE="d", TIMESTAMP="ts");\n'
            "SELECT avg(t) AS t, window_start() AS window_start, window_end() AS window_end "
            "FROM d GROUP BY TUMBLINGWINDOW(ss, 2)")
    result = shell.run_cell_magic("kuiper_sql", "--feed rows --event-time --drain-ms 5000", cell)
    fig = result.plot(rows)
    top, bottom = fig.axes
    assert len(top.lines[0].get_xdata()) == 8 and len(bottom.lines[0].get_xdata()) == 2
    bounds = {line.get_xdata()[0] for line in bottom.lines[1:]}  # window starts and ends
    assert bounds == {datetime.fromtimestamp(1700000000 + s, UTC) for s in (0, 2, 4)}
    assert shell.run_cell_magic("kuiper_sql", "--feed rows --event-time --drain-ms 5000 --plot", cell) is None


def test_a_background_rule_updates_in_place_and_stops_from_the_next_cell(shell: Any, magics: Any) -> None:
    shell.user_ns["conf"] = {"default": {"n": 10_000, "gap": 0.01}}
    shell.run_cell_magic("kuiper_source", "Counter --conf conf", COUNTER)
    cell = 'CREATE STREAM c () WITH (TYPE="counter", DATASOURCE="x");\nSELECT i FROM c'
    started = time.monotonic()
    shown = shell.run_cell_magic("kuiper_sql", "--background --id bg --rows 3 --timeout 30 -o live", cell)
    live = shell.user_ns["live"]
    assert shown is None  # the display shows it
    assert time.monotonic() - started < 5 and live.running  # the kernel is free
    assert live.wait(emissions=5, timeout=10)
    shown = magics.live["bg"][1]
    deadline = time.monotonic() + 10
    while shown.updates < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert shown.updates >= 2
    assert shell.run_line_magic("kuiper", "status bg").loc["sink_log_0_0", "records_in"] >= 5
    shell.run_line_magic("kuiper", "stop bg")
    assert not live.running and "bg" not in magics.live
    n = len(live.result.emissions)
    time.sleep(0.1)
    assert len(live.result.emissions) == n  # stopped for good


def test_property_test_verb_takes_nulls_and_writes_nothing(shell: Any, tmp_path: Path) -> None:
    one = FUNC.replace('return ""', 'return "" if len(args) == 1 else "one"').format(n=1, name="Inc")
    shell.run_cell_magic("kuiper_function", "Inc", one)
    loose = shell.run_line_magic("kuiper", "test inc int --no-write")
    strict = shell.run_line_magic("kuiper", f"test inc int --nullable --regressions {tmp_path / 'r'}")
    assert loose.ok and not strict.ok
    assert strict.failures[0].example == [None] and "broken on [null]" in str(strict.failures[0])
