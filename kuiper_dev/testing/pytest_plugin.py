"""pytest plugin (registered as ``pytest11``): case files as tests, fixtures, Hypothesis profiles.

Every ``*.ruletest.json`` file is a test, and so is every ``*.contract.json``
regression case that a contract check wrote. Fixtures: ``kuiper_workspace`` (a
:class:`~kuiper_dev.Workspace` over ``--kuiper-plugins``) and ``kuiper_plugins``
(load another plugins folder). Profiles ``ci`` and ``dev`` are registered for
``--hypothesis-profile``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "ContractCaseFile",
    "ContractCaseItem",
    "RuleTestFile",
    "RuleTestItem",
    "kuiper_plugins",
    "kuiper_workspace",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kuiper_dev")
    group.addoption(
        "--kuiper-no-ruletests",
        action="store_true",
        default=False,
        help="do not collect *.ruletest.json files as tests",
    )
    group.addoption(
        "--kuiper-plugins",
        default=None,
        help="the plugins folder of the kuiper_workspace fixture (default: ./plugins if present)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # Hypothesis loads --hypothesis-profile in its own pytest_configure: register ours
    # first, and only then, so that runs without Hypothesis do not import it.
    try:
        wanted = config.getoption("hypothesis_profile")
    except ValueError:  # Hypothesis' plugin is not loaded
        return
    if wanted:
        from . import profiles  # noqa: F401  (registers ci and dev on import)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.File | None:
    if parent.config.getoption("--kuiper-no-ruletests"):
        return None
    if file_path.name.endswith(".ruletest.json"):
        return RuleTestFile.from_parent(parent, path=file_path)
    if file_path.name.endswith(".contract.json"):
        return ContractCaseFile.from_parent(parent, path=file_path)
    return None


@pytest.fixture
def kuiper_workspace(request: pytest.FixtureRequest) -> Any:
    """A fresh Workspace over ``--kuiper-plugins`` (or ``./plugins`` when it exists)."""
    from ..workspace import Workspace

    option = request.config.getoption("--kuiper-plugins")
    folder = Path(option) if option else Path("plugins")
    return Workspace(plugins_dir=folder if option or folder.is_dir() else None)


@pytest.fixture
def kuiper_plugins() -> Any:
    """A loader: ``kuiper_plugins(DIR)`` is a fresh Workspace with the plugins of ``DIR``."""
    from ..workspace import Workspace

    def load(folder: str | Path) -> Workspace:
        return Workspace(plugins_dir=Path(folder))

    return load


@pytest.fixture
def kuiper_broker() -> Any:
    """An embedded MQTT broker on a free 127.0.0.1 port for the test (``.url``), stopped after.

    Point a workspace at it with ``ws.use_broker(kuiper_broker.url)``.
    """
    from ..connectors import broker

    with broker() as running:
        yield running


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


class ContractCaseFile(pytest.File):
    """A ``*.contract.json`` regression case: a source's or sink's shrunk failure."""

    def collect(self) -> Any:
        yield ContractCaseItem.from_parent(self, name=self.path.name)


class ContractCaseItem(pytest.Item):
    def runtest(self) -> None:
        from .lifecycle import replay_contract

        failure = replay_contract(self.path)
        if failure is not None:
            raise RuleTestFailure(str(failure))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RuleTestFailure):
            return f"{self.path}: the contract still breaks:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"contract: {self.name}"
