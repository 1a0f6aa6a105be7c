"""Fixtures for the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuiper_dev import Workspace

ROOT = Path(__file__).resolve().parent.parent

ECHO_PLUGIN = """
from ekuiper import Function

class _Echo(Function):
    def validate(self, args):
        return ""
    def exec(self, args, ctx):
        return args[0]
    def is_aggregate(self):
        return False

{symbol} = _Echo()
"""


@pytest.fixture
def ws() -> Workspace:
    """A workspace without project plugins."""
    return Workspace(plugins_dir=None)


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    """An empty plugins folder with the three kind sub-folders."""
    for kind in ("sources", "sinks", "functions"):
        (tmp_path / "plugins" / kind).mkdir(parents=True)
    return tmp_path / "plugins"


def write_function(folder: Path, file_name: str, symbol: str, body: str | None = None) -> Path:
    path = folder / "functions" / file_name
    path.write_text(body if body is not None else ECHO_PLUGIN.format(symbol=symbol))
    return path
