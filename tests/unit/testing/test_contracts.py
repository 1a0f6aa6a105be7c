from __future__ import annotations

import json
from pathlib import Path

import pytest

from kuiper_dev import Workspace
from kuiper_dev.errors import PluginError
from kuiper_dev.testing import (
    check_function,
    check_plugin,
    check_sink,
    check_source,
    load_case,
    replay_contract,
    run_case,
)

BUGGY = Path(__file__).parent / "buggy_plugins"


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace(plugins_dir=BUGGY)


def _cell(
    ws: Workspace,
    symbol: str,
    exec_body: str,
    *,
    validate: str = 'return "" if len(args) == 1 else "one"',
) -> None:
    ws.define_function(
        symbol,
        f"""
import random
class {symbol}:
    def validate(self, args):
        {validate}
    def exec(self, args, ctx):
        {exec_body}
    def is_aggregate(self):
        return False
""",
    )


def _replays_failure(path: Path) -> str | None:
    """The rule-test case's complaint: its error, or its diff; None when it passes."""
    outcome = run_case(load_case(path))
    if outcome.error is not None:
        return outcome.error
    return outcome.diff if outcome.passed is False else None


def test_crash_on_negative_numbers_is_caught_shrunk_and_kept(ws: Workspace, tmp_path: Path) -> None:
    report = check_function(ws, "sqrtish", max_examples=200, regressions=tmp_path)
    assert not report.ok and [f.law for f in report.failures] == ["never raises"]
    failure = report.failures[0]
    assert failure.example in ([-1], [-1.0])  # shrunk: the simplest negative number
    assert "ValueError: math domain error" in failure.error
    assert "Sqrtish.py" in failure.error and "contracts.py" not in failure.error
    assert failure.regression is not None and failure.regression.parent == tmp_path
    case = json.loads(failure.regression.read_text())
    assert case["mockSource"]["regression"]["data"] == [{"a0": failure.example[0]}]
    assert _replays_failure(failure.regression) is not None


def test_a_set_result_is_not_portable(ws: Workspace, tmp_path: Path) -> None:
    report = check_function(ws, "uniques", max_examples=50, regressions=tmp_path)
    failure = report.failures[0]
    assert failure.example == [[]]
    assert "set is not JSON serializable" in failure.error
    assert failure.regression is not None and _replays_failure(failure.regression) is not None


def test_an_order_dependent_aggregate_is_caught(ws: Workspace, tmp_path: Path) -> None:
    report = check_function(ws, "firstSeen", max_examples=200, regressions=tmp_path)
    assert [f.law for f in report.failures] == ["row order"]
    rows, order = report.failures[0].example
    assert len(rows[0]) == 2 and sorted(order) == [0, 1]
    assert report.failures[0].regression is not None
    assert _replays_failure(report.failures[0].regression) is not None
    declared = check_function(ws, "firstSeen", order_dependent=True, regressions=tmp_path)
    assert declared.ok and "row order" not in declared.laws


@pytest.mark.parametrize("name", ["halve", "total"])
def test_correct_functions_pass_and_write_nothing(ws: Workspace, tmp_path: Path, name: str) -> None:
    report = check_function(ws, name, max_examples=100, regressions=tmp_path)
    assert report.ok, str(report)
    assert report.examples >= 200 and list(tmp_path.iterdir()) == []


def test_nondeterminism_is_caught_unless_declared(plugin_dir: Path, tmp_path: Path) -> None:
    (plugin_dir / "functions" / "Jitter.py").write_text(
        "import random\n"
        "class Jitter:\n"
        "    def validate(self, args): return '' if len(args) == 1 else 'one'\n"
        "    def exec(self, args, ctx): return args[0] + random.random()\n"
        "    def is_aggregate(self): return False\n"
    )
    ws = Workspace(plugins_dir=plugin_dir)
    out = tmp_path / "regressions"
    report = check_function(ws, "jitter", arg_types=["int"], max_examples=30, regressions=out)
    assert [f.law for f in report.failures] == ["deterministic"]
    assert "for the same arguments" in report.failures[0].error
    case = report.failures[0].regression
    assert case is not None and json.loads(case.read_text())["plugins"] == "../plugins"
    complaint = _replays_failure(case)
    assert complaint is not None and '"same":false' in complaint
    loose = check_function(ws, "jitter", arg_types=["int"], deterministic=False, write=False)
    assert loose.ok


def test_a_cell_plugin_failure_says_why_no_case_was_written(tmp_path: Path) -> None:
    ws = Workspace(plugins_dir=tmp_path / "plugins")
    _cell(ws, "Neg", "return 1 // args[0]")
    report = check_function(ws, "neg", arg_types=["int"], regressions=tmp_path / "reg")
    assert report.failures[0].regression is None and not (tmp_path / "reg").exists()
    assert "ZeroDivisionError" in report.failures[0].error
    assert "no regression case written: the plugin was defined in a cell" in str(report)


def test_documented_raises_are_allowed() -> None:
    ws = Workspace(plugins_dir=None)
    _cell(ws, "Strict", "if args[0] < 0: raise ValueError('negative')\n        return args[0]")
    assert not check_function(ws, "strict", arg_types=["int"], write=False).ok
    assert check_function(ws, "strict", arg_types=["int"], raises=(ValueError,), write=False).ok


def test_validate_and_exec_disagreeing_on_arity_is_caught(tmp_path: Path) -> None:
    ws = Workspace(plugins_dir=None)
    _cell(ws, "Loose", "return args[0] + args[1]", validate='return ""')  # any arity
    report = check_function(ws, "loose", arg_types=["int", "int"], regressions=tmp_path)
    assert report.failures[0].law == "validate arity"
    assert "validate accepted 1 arguments but exec raised" in report.failures[0].error
    _cell(ws, "Picky", "return 1", validate='return "no"')
    picky = check_function(ws, "picky", arg_types=["int"], write=False)
    assert "validate refused the declared 1 arguments: 'no'" in picky.failures[0].error


def test_missing_argument_types_say_how_to_declare_them() -> None:
    ws = Workspace(plugins_dir=None)
    _cell(ws, "Any1", "return 1")
    with pytest.raises(PluginError, match=r"pass arg_types=\[...\] or write"):
        check_function(ws, "any1")
    with pytest.raises(PluginError, match="no plugin function 'any2'"):
        check_function(ws, "any2", arg_types=[])


def test_a_source_that_cannot_be_reopened_is_caught(ws: Workspace, tmp_path: Path) -> None:
    report = check_source(ws, "leaky", max_examples=50, regressions=tmp_path)
    failure = report.failures[0]
    assert failure.example == ["open", "close", "open"]
    assert "RuntimeError: contract is already in use" in failure.error
    assert failure.regression is not None and failure.regression.name.endswith(".contract.json")
    again = replay_contract(failure.regression)
    assert again is not None and "already in use" in again.error


def test_a_correct_source_passes(ws: Workspace, tmp_path: Path) -> None:
    report = check_source(ws, "ticker", max_examples=10, regressions=tmp_path)
    assert report.ok, str(report)


def test_a_sink_that_forgets_acks_is_caught(ws: Workspace, tmp_path: Path) -> None:
    report = check_sink(ws, "forgetful", max_examples=25, regressions=tmp_path)
    failure = report.failures[0]
    assert len(failure.example) == 2 and all(len(e) == 1 for e in failure.example)
    assert "1 acks for 2 messages" in failure.error
    assert failure.regression is not None
    assert replay_contract(failure.regression) is not None


def test_a_correct_sink_passes(ws: Workspace, tmp_path: Path) -> None:
    assert check_sink(ws, "keeper", max_examples=10, regressions=tmp_path).ok


def test_check_plugin_finds_the_kind_by_name(ws: Workspace) -> None:
    assert check_plugin(ws, "halve", max_examples=10, write=False).kind == "function"
    assert check_plugin(ws, "keeper", max_examples=3, write=False).kind == "sink"
    assert check_plugin(ws, "ticker", "source", max_examples=3, write=False).kind == "source"
    with pytest.raises(PluginError, match="no sink plugin 'keepr'"):
        check_plugin(ws, "keepr", "sink")
    with pytest.raises(PluginError, match='no plugin function, source or sink .*"keeper"'):
        check_plugin(ws, "keepr")


def test_check_plugin_asks_when_a_name_has_two_kinds() -> None:
    ws = Workspace(plugins_dir=BUGGY)
    ws.define_sink(
        "Ticker",
        "class Ticker:\n"
        + "".join(
            f"    def {m}(self, *a): pass\n" for m in ("configure", "open", "collect", "close")
        ),
    )
    with pytest.raises(PluginError, match="ticker is a source and a sink; say which"):
        check_plugin(ws, "ticker")
