"""``kuiper-dev export`` and ``portable run``: plugins out to eKuiper's layouts, and a
portable plugin hosted the way eKuiper hosts it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, cast

import typer

from .._types import PluginKind
from ..portable import deploy as deploy_portable
from ..workspace import Workspace
from ._common import DEFAULT_PLUGINS, PluginsOpt, print_json, user_errors, workspace

portable_app = typer.Typer(
    help="Portable plugins: host one as eKuiper does.", no_args_is_help=True, rich_markup_mode=None
)

_KINDS = ("source", "sink", "function")


def export(
    names: Annotated[list[str], typer.Argument(help="plugin names (several: one portable)")],
    version: Annotated[str, typer.Option(help="the version, as after @v (e.g. 1.0.0)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the folder written to")] = Path(
        "dist"
    ),
    portable: Annotated[
        bool, typer.Option("--portable", help="one portable plugin: NAME.zip and its folder")
    ] = False,
    package: Annotated[
        str | None, typer.Option("--name", help="the portable plugin's name (first NAME)")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="validate the package and run each symbol once")
    ] = False,
    props: Annotated[
        str | None,
        typer.Option(help='with --check: props by symbol as JSON, e.g. \'{"mySink": {"path": "x"}}\''),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="replace an existing export")] = False,
    kind: Annotated[
        str | None, typer.Option(help="source, sink or function, when a name is ambiguous")
    ] = None,
    plugins: PluginsOpt = DEFAULT_PLUGINS,
) -> None:
    """Export plugins as plugins/{sources,sinks,functions}/Name@vV.py with their metadata,
    or with --portable as a portable plugin eKuiper installs (zip and folder)."""
    if kind is not None and kind not in _KINDS:
        raise typer.BadParameter(f"{kind!r} is not a plugin type; use one of {', '.join(_KINDS)}")
    if check and not portable:
        raise typer.BadParameter("--check validates a portable package: add --portable")
    try:
        check_props = json.loads(props) if props else None
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"--props is not JSON ({exc}); give an object by symbol") from exc
    with user_errors():
        paths = workspace(plugins).export(
            names, version, output, portable=portable, package=package, force=force,
            check=check, check_props=check_props, kind=cast(PluginKind | None, kind),
        )  # fmt: skip
    for path in paths:
        typer.echo(str(path))
    if check:
        typer.echo("check: the package holds and every symbol ran through the portable host", err=True)


@portable_app.command("run")
def run(
    path: Annotated[Path, typer.Argument(help="a portable plugin folder or NAME.zip")],
    seconds: Annotated[
        float | None, typer.Option(help="stop after this long (default: until Ctrl-C)")
    ] = None,
    plugins: PluginsOpt = DEFAULT_PLUGINS,  # every verb takes it; the package is the PATH
) -> None:
    """Start the plugin's program and speak eKuiper's protocol with it; print its status."""
    with user_errors(), Workspace.host_portable(path) as host:
        print_json({"name": host.name, "version": host.manifest.version,
                    "sources": list(host.manifest.sources), "sinks": list(host.manifest.sinks),
                    "functions": list(host.manifest.functions), **host.status()})  # fmt: skip
        end = None if seconds is None else time.monotonic() + seconds
        try:
            while end is None or time.monotonic() < end:
                time.sleep(0.1 if end is None else max(0.0, min(0.1, end - time.monotonic())))
        except KeyboardInterrupt:
            pass
        for line in host.output():
            typer.echo(f"{host.name}: {line}", err=True)


def deploy(
    zip_path: Annotated[Path, typer.Argument(help="a portable plugin zip (kuiper-dev export)")],
    server: Annotated[str, typer.Option(help="eKuiper's REST API, e.g. http://127.0.0.1:9081")],
    token: Annotated[str | None, typer.Option(help="a bearer token, when the server asks")] = None,
    plugins: PluginsOpt = DEFAULT_PLUGINS,  # every verb takes it; the zip is what goes
) -> None:
    """Install (or update) a portable plugin on a running eKuiper through its REST API."""
    with user_errors():
        done = deploy_portable(zip_path, server, token=token)
    print_json({"name": done.name, "updated": done.updated, "status": done.status,
                "answer": done.answer})  # fmt: skip
