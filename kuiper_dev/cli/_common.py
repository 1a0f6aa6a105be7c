"""Options and error handling every verb shares."""

from __future__ import annotations

import logging
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


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _plugin_warnings() -> Iterator[list[str]]:
    """Collect what plugin loading logs (e.g. the version-order warning) for the verb to print.

    Only verbs that load plugins come here, so ``--help`` never prints a warning.
    """
    logger = logging.getLogger("kuiper_dev.plugins")
    handler, propagate = _Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # the verb prints them once, as "warning: ..."
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def workspace(plugins: Path) -> Workspace:
    """Load the plugins folder and print its problems and warnings (on stderr)."""
    return loaded(lambda: Workspace(plugins_dir=plugins))


def loaded(make: Callable[[], Workspace]) -> Workspace:
    """Make a workspace (which loads plugins) and print its plugins' problems and what
    loading logged, each once, as ``warning: ...`` on stderr."""
    with _plugin_warnings() as logged:
        ws = make()
    problems = ws.plugins.problems
    # A refused plugin is logged and kept in ``problems``: print the fuller problem only.
    extra = [m for m in dict.fromkeys(logged) if not any(m in p for p in problems)]
    for text in (*problems, *extra):
        typer.echo(f"warning: {text}", err=True)
    return ws


def print_json(value: Any) -> None:
    sys.stdout.write(dumps(value) + "\n")


Command = Callable[..., None]
