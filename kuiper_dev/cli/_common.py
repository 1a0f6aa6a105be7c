"""Options and error handling every verb shares."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import KuiperDevError
from ..go import dumps
from ..workspace import Workspace

PluginsOpt = Annotated[
    Path, typer.Option("--plugins", help="the plugins folder (sources/, sinks/, functions/)")
]
DEFAULT_PLUGINS = Path("plugins")


@contextmanager
def user_errors() -> Iterator[None]:
    """Print our errors as one clear message and exit 1, without a traceback."""
    try:
        yield
    except KuiperDevError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def workspace(plugins: Path) -> Workspace:
    ws = Workspace(plugins_dir=plugins)
    for problem in ws.plugins.problems:
        typer.echo(f"warning: {problem}", err=True)
    return ws


def print_json(value: Any) -> None:
    sys.stdout.write(dumps(value) + "\n")


Command = Callable[..., None]
