"""``kuiper-dev functions``: every built-in and plugin function with category and signature."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..errors import did_you_mean
from ._common import DEFAULT_PLUGINS, PluginsOpt, print_json, user_errors, workspace


def functions(
    plugins: PluginsOpt = DEFAULT_PLUGINS,
    as_json: Annotated[
        bool, typer.Option("--json", help="print a JSON list instead of a table")
    ] = False,
    category: Annotated[str | None, typer.Option(help="only this category, e.g. math")] = None,
) -> None:
    """List the functions a rule can call."""
    with user_errors():
        rows = workspace(plugins).functions()
    if category:
        known = sorted({r["category"] for r in rows})
        if category not in known:
            hint = did_you_mean(category, known)
            typer.echo(
                f"error: no function category {category!r}.{hint} Categories: {', '.join(known)}",
                err=True,
            )
            raise typer.Exit(2)
        rows = [r for r in rows if r["category"] == category]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} functions")
    for column in ("name", "category", "kind", "signature"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["name"], r["category"], r["kind"], r["signature"])
    Console().print(table)
