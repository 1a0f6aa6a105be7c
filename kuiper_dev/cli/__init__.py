"""The ``kuiper-dev`` command: eKuiper's CLI words for management, our verbs for development.

One module per verb group; each command parses its input and makes one call into
the :class:`~kuiper_dev.workspace.Workspace` (or the testing tools).
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

import typer

from . import demo, functions, manage, plugins, recordings, ruletest, ship, test

__all__ = ["app", "main"]

app = typer.Typer(
    name="kuiper-dev",
    help="Develop, test and export eKuiper plugins.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: typer's rich panels print "<bool>" beside flags
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kuiper-dev {version('kuiper_dev')}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", help="print the version and exit", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Develop, test and export eKuiper plugins."""


app.command("ruletest")(ruletest.ruletest)
app.command("demo")(demo.demo)
app.command("functions")(functions.functions)
app.command("simulate")(recordings.simulate)
app.command("record")(recordings.record)
app.command("replay")(recordings.replay)
app.command("test")(test.test)
app.command("export")(ship.export)
app.command("deploy")(ship.deploy)
app.add_typer(ship.portable_app, name="portable")
app.add_typer(plugins.show_app, name="show")
app.add_typer(plugins.describe_app, name="describe")
manage.register(app)  # eKuiper's management verbs and serve


def main() -> None:
    app()
