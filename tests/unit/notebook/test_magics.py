"""The magics in a real IPython shell."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.testing.globalipapp import start_ipython

from kuiper_dev import PluginError, RuleResult, SqlError


@pytest.fixture(scope="module")
def shell() -> Iterator[object]:
    ip = start_ipython()
    assert ip is not None
    ip.run_line_magic("load_ext", "kuiper_dev")
    yield ip


@pytest.fixture(autouse=True)
def fresh_workspace(shell: object, tmp_path: Path) -> None:
    magics = shell.magics_manager.registry["KuiperMagics"]  # type: ignore[attr-defined]
    magics.plugins_dir = str(tmp_path)
    magics._workspace = None


FUNC = """from ekuiper import Function
class F(Function):
    def validate(self, args): return ""
    def is_aggregate(self): return False
    def exec(self, args, ctx): return args[0] + {n}
AddN = F()
"""


def test_function_cell_defines_and_rerun_replaces(
    shell: object, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_cell_magic("kuiper_function", "AddN", FUNC.format(n=1))  # type: ignore[attr-defined]
    assert "function plugin addN loaded" in capsys.readouterr().out
    shell.user_ns["rows"] = [{"a": 1}]  # type: ignore[attr-defined]
    first = shell.run_cell_magic("kuiper_sql", "--feed rows", "SELECT addN(a) AS b FROM d")  # type: ignore[attr-defined]
    shell.run_cell_magic("kuiper_function", "AddN", FUNC.format(n=10))  # type: ignore[attr-defined]
    second = shell.run_cell_magic("kuiper_sql", "--feed rows", "SELECT addN(a) AS b FROM d")  # type: ignore[attr-defined]
    assert isinstance(first, RuleResult)
    assert first.rows == [{"b": 2.0}] and second.rows == [{"b": 11.0}]
    assert list(second.to_pandas().columns) == ["b"]
    assert "<table" in second._repr_html_()


def test_sql_cell_with_ddl_and_simulation(shell: object) -> None:
    shell.run_cell("from kuiper_dev import SensorFleet; fleet = SensorFleet(count=50, seed=1)")  # type: ignore[attr-defined]
    cell = (
        'CREATE STREAM s (deviceId STRING, temperature FLOAT) WITH (DATASOURCE="sensors/+");\n'
        "SELECT deviceId FROM s WHERE temperature > 0"
    )
    result = shell.run_cell_magic("kuiper_sql", "--feed fleet", cell)  # type: ignore[attr-defined]
    assert len(result.rows) == 50 and set(result.rows[0]) == {"deviceId"}


def test_errors_are_clear(shell: object) -> None:
    with pytest.raises(PluginError, match="rename it to AddN"):
        shell.run_cell_magic("kuiper_function", "addN", FUNC.format(n=1))  # type: ignore[attr-defined]
    shell.user_ns["rows"] = []  # type: ignore[attr-defined]
    with pytest.raises(SqlError, match="line 1, column"):
        shell.run_cell_magic("kuiper_sql", "--feed rows", "SELECT FROM d")  # type: ignore[attr-defined]
    assert SqlError("x")._render_traceback_() == ["SqlError: x"]


SOURCE = """from ekuiper import Source
class Counter(Source):
    def configure(self, datasource, conf):
        self.n = conf.get("n", 2)
    def open(self, ctx):
        for i in range(self.n):
            ctx.emit({"i": i}, {})
    def close(self, ctx):
        pass
Counter_ = Counter
"""


def test_source_and_sink_cells(shell: object, capsys: pytest.CaptureFixture[str]) -> None:
    shell.user_ns["conf"] = {"default": {"n": 3}}  # type: ignore[attr-defined]
    shell.run_cell_magic(
        "kuiper_source", "Counter --conf conf", SOURCE.replace("Counter_ = Counter", "")
    )  # type: ignore[attr-defined]
    shell.run_cell_magic(  # type: ignore[attr-defined]
        "kuiper_sink",
        "Keep",
        "class Keep:\n    def configure(self, conf): pass\n    def open(self, ctx): pass\n"
        "    def collect(self, ctx, data): pass\n    def close(self, ctx): pass\n",
    )
    out = capsys.readouterr().out
    assert "source plugin counter loaded" in out and "sink plugin keep loaded" in out
    ws = shell.run_line_magic("kuiper", "workspace")  # type: ignore[attr-defined]
    assert ws.show_plugins("source") == ["counter"] and ws.show_plugins("sink") == ["keep"]
    assert ws.plugins.resolve_source_conf("counter") == {"n": 3}
    assert shell.run_line_magic("kuiper", "reload") == []  # type: ignore[attr-defined]


def test_sql_cell_over_a_recording(shell: object, tmp_path: Path) -> None:
    from kuiper_dev import Message, RecordingWriter

    path = tmp_path / "r.jsonl"
    with RecordingWriter(path, start_ms=0) as w:
        for i in range(3):
            w.write(Message(f"sensors/d{i}", b'{"t": %d}' % (i * 10), 1000 + i))
        w.write(Message("other", b'{"t": 99}', 1010))
    cell = 'CREATE STREAM r () WITH (DATASOURCE="sensors/+");\nSELECT t FROM r WHERE t > 5'
    result = shell.run_cell_magic("kuiper_sql", f"--recording {path}", cell)  # type: ignore[attr-defined]
    assert result.rows == [{"t": 10.0}, {"t": 20.0}]


CHECKED = """from ekuiper import Function
class F(Function):
    def validate(self, args): return "" if len(args) == 1 else "expect one argument"
    def is_aggregate(self): return False
    def exec(self, args, ctx): return None if args[0] is None else args[0] * 2
Twice = F()
"""


def test_kuiper_test_checks_a_cell_plugins_contract(shell: object) -> None:
    shell.run_cell_magic("kuiper_function", "Twice", CHECKED)  # type: ignore[attr-defined]
    report = shell.run_line_magic("kuiper", "test twice int")  # type: ignore[attr-defined]
    assert report.ok, str(report)
    # the function of the first test validates any arity, then fails on no argument
    shell.run_cell_magic("kuiper_function", "AddN", FUNC.format(n=1))  # type: ignore[attr-defined]
    broken = shell.run_line_magic("kuiper", "test addN int")  # type: ignore[attr-defined]
    assert not broken.ok and "validate arity" in str(broken)
