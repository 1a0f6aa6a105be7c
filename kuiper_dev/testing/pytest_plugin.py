"""pytest plugin: every ``*.ruletest.json`` file is a test (registered as ``pytest11``)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

__all__ = ["RuleTestFile", "RuleTestItem"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kuiper_dev")
    group.addoption(
        "--kuiper-no-ruletests",
        action="store_true",
        default=False,
        help="do not collect *.ruletest.json files as tests",
    )


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.File | None:
    if file_path.name.endswith(".ruletest.json") and not parent.config.getoption(
        "--kuiper-no-ruletests"
    ):
        return RuleTestFile.from_parent(parent, path=file_path)
    return None


class RuleTestFailure(Exception):
    """A case that errored or whose emissions differ from ``expected``."""


class RuleTestFile(pytest.File):
    def collect(self) -> Any:
        from .ruletest import load_case  # deferred: keeps pytest start-up light

        case = load_case(self.path)
        for message in case.warnings:
            warnings.warn(message, UserWarning, stacklevel=1)
        yield RuleTestItem.from_parent(self, name=case.name, case=case)


class RuleTestItem(pytest.Item):
    def __init__(self, *, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from .ruletest import run_case

        outcome = run_case(self.case)
        if outcome.error is not None:
            raise RuleTestFailure(f"the rule stopped with an error:\n{outcome.error}")
        if outcome.passed is False:
            raise RuleTestFailure(f"emissions differ from 'expected':\n{outcome.diff}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RuleTestFailure):
            return f"{self.case.path}: case {self.case.name!r}\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"ruletest: {self.name}"
