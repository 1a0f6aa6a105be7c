"""The pytest plugin's fixtures, profiles and ``*.contract.json`` collection."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from kuiper_dev import Workspace
from kuiper_dev.testing import check_sink

BUGGY = Path(__file__).parent / "buggy_plugins"


def test_profiles_are_registered() -> None:
    ci, dev = settings.get_profile("ci"), settings.get_profile("dev")
    assert ci.derandomize and ci.database is None and ci.max_examples == 50
    assert dev.max_examples > ci.max_examples and not dev.derandomize


def test_a_written_contract_case_fails_under_pytest_until_fixed(pytester: pytest.Pytester) -> None:
    plugins = pytester.path / "plugins"
    shutil.copytree(BUGGY, plugins, ignore=shutil.ignore_patterns("conftest.py", "__pycache__"))
    report = check_sink(
        Workspace(plugins_dir=plugins),
        "forgetful",
        max_examples=5,
        regressions=pytester.path / "reg",
    )
    assert report.failures and report.failures[0].regression is not None
    result = pytester.runpytest("-p", "no:nbval", "reg")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the contract still breaks*", "*1 acks for 2 messages*"])
    fixed = (plugins / "sinks" / "Keeper.py").read_text().replace("class Keeper", "class Forgetful")
    (plugins / "sinks" / "Forgetful.py").write_text(fixed)
    pytester.runpytest("-p", "no:nbval", "reg").assert_outcomes(passed=1)


def test_fixtures_give_workspaces(pytester: pytest.Pytester) -> None:
    plugins = pytester.path / "myplugins"
    shutil.copytree(BUGGY, plugins, ignore=shutil.ignore_patterns("conftest.py", "__pycache__"))
    pytester.makepyfile(
        """
        from kuiper_dev.testing import check_function

        def test_uses_the_option(kuiper_workspace):
            assert "halve" in kuiper_workspace.show_udfs()
            assert check_function(kuiper_workspace, "halve", max_examples=5, write=False).ok

        def test_loader(kuiper_plugins):
            assert kuiper_plugins("myplugins").show_plugins("sink") == ["forgetful", "keeper"]
        """
    )
    result = pytester.runpytest("-p", "no:nbval", "--kuiper-plugins", "myplugins")
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("profile", "derandomize", "examples"), [("ci", True, 50), ("dev", False, 1000)]
)
def test_profiles_load_from_the_command_line(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    profile: str,
    derandomize: bool,
    examples: int,
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[3]))  # this checkout
    pytester.makepyfile(
        f"""
        from hypothesis import settings

        def test_profile():
            assert settings.default.derandomize is {derandomize}
            assert settings.default.max_examples == {examples}
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:nbval", f"--hypothesis-profile={profile}")
    result.assert_outcomes(passed=1)


def test_the_broker_fixture_carries_a_live_rule(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from kuiper_dev import Message, Workspace

        def test_live(kuiper_broker):
            assert kuiper_broker.url.startswith("tcp://127.0.0.1:")
            ws = Workspace(plugins_dir=None)
            ws.use_broker(kuiper_broker.url)
            ws.create_stream('CREATE STREAM s () WITH (DATASOURCE="s")')
            live = ws.start_live("SELECT v FROM s")
            try:
                Workspace.republish([Message("s", b'{"v": 1}', 0)], kuiper_broker.url, speed=0)
                assert live.wait(emissions=1, timeout=10)
            finally:
                live.stop()
            assert live.result.rows == [{"v": 1.0}]
        """
    )
    pytester.runpytest("-p", "no:nbval").assert_outcomes(passed=1)
