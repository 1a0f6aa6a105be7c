"""``kuiper-dev test``: exit 0 when the contract holds, 1 on a broken law, 2 on bad usage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuiper_dev.cli import app

BUGGY = Path(__file__).parent / "buggy_plugins"
runner = CliRunner()


def test_a_broken_function_exits_1_with_its_shrunk_input_and_exception(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["test", "function", "sqrtish", "--plugins", str(BUGGY)])
    assert result.exit_code == 1
    assert "law 'never raises' broken on [-1" in result.stderr  # shrunk: -1 (or -1.0)
    assert "ValueError: math domain error" in result.stderr
    written = list((tmp_path / "tests" / "regressions").glob("*.ruletest.json"))
    assert len(written) == 1 and str(written[0].name) in result.stderr
    replay = runner.invoke(app, ["ruletest", "--check", str(written[0])])
    assert replay.exit_code == 1


def test_a_correct_function_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "reg"
    result = runner.invoke(
        app,
        [
            "test",
            "function",
            "halve",
            "--plugins",
            str(BUGGY),
            "--max-examples",
            "50",
            "--regressions",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "function halve: 3 of 3 laws hold" in result.stdout
    assert not out.exists()


def test_a_source_that_cannot_reopen_exits_1(tmp_path: Path) -> None:
    args = ["test", "source", "leaky", "--plugins", str(BUGGY), "--regressions", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert '["open", "close", "open"]' in result.stderr
    case = json.loads(next(tmp_path.glob("*.contract.json")).read_text())
    assert case["kind"] == "source" and case["steps"] == ["open", "close", "open"]


def test_declared_order_dependence_is_allowed(tmp_path: Path) -> None:
    args = [
        "test",
        "function",
        "firstSeen",
        "--plugins",
        str(BUGGY),
        "--regressions",
        str(tmp_path),
    ]
    assert runner.invoke(app, args).exit_code == 1
    assert runner.invoke(app, [*args, "--order-dependent"]).exit_code == 0


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["test", "portable", "x", "--plugins", str(BUGGY)]).exit_code == 2
    source = ["test", "source", "ticker", "--plugins", str(BUGGY), "--order-dependent"]
    assert runner.invoke(app, source).exit_code == 2
    assert runner.invoke(app, ["test", "function"]).exit_code == 2


def test_an_unknown_plugin_exits_1_with_a_hint() -> None:
    result = runner.invoke(app, ["test", "function", "halv", "--plugins", str(BUGGY)])
    assert result.exit_code == 1 and 'did you mean "halve"' in result.stderr.lower()
