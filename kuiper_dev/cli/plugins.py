"""``show plugins|udfs`` and ``describe plugin|udf``: eKuiper's CLI words."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, cast

import typer

from .._types import PluginKind
from ..errors import PluginError
from ._common import DEFAULT_PLUGINS, PluginsOpt, print_json, user_errors, workspace
from ._remote import ServerOpt, TokenOpt, call

show_app = typer.Typer(
    help="List streams, tables, rules, plugins or user functions.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
describe_app = typer.Typer(
    help="Describe a stream, table, rule, plugin or user function.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_KINDS = ("source", "sink", "function", "portable")


def _remote(path: str, server: str, token: str | None) -> None:
    """The same question put to a server (``--server``): eKuiper's answer, printed."""
    print_json(call("GET", path, None, server=server, token=token, data=Path(), plugins=Path()))


def _names(names: list[str], none: str) -> None:
    """eKuiper's CLI lists names one per line, and says so when there are none."""
    typer.echo("\n".join(names) if names else none)


def _kind(value: str) -> PluginKind | Literal["portable"]:
    if value not in _KINDS:
        raise typer.BadParameter(f"{value!r} is not a plugin type; use one of {', '.join(_KINDS)}")
    return cast(Literal["source", "sink", "function", "portable"], value)


@show_app.command("plugins")
def show_plugins(
    kind: Annotated[str, typer.Argument(help="source, sink, function or portable")],
    plugins: PluginsOpt = DEFAULT_PLUGINS,
    server: ServerOpt = None,
    token: TokenOpt = None,
) -> None:
    """List the plugins of one type, one name per line (portable ones as JSON), as
    eKuiper's CLI does."""
    kind = _kind(kind)
    if kind == "portable" and server is not None:
        return _remote("/plugins/portables", server, token)
    if server is not None:
        found = call("GET", f"/plugins/{kind}s", None, server=server, token=token,
                     data=Path(), plugins=Path())  # fmt: skip
        return _names(list(found), "No plugin is found.")
    with user_errors():
        listed = workspace(plugins).show_plugins(kind)
        if kind == "portable":
            return print_json(listed)
        _names(list(listed), "No plugin is found.")


@show_app.command("udfs")
def show_udfs(
    plugins: PluginsOpt = DEFAULT_PLUGINS, server: ServerOpt = None, token: TokenOpt = None
) -> None:
    """List the plugin functions, one name per line, as eKuiper's CLI does."""
    if server is not None:
        found = call("GET", "/plugins/udfs", None, server=server, token=token,
                     data=Path(), plugins=Path())  # fmt: skip
        return _names(list(found), "No udf is found.")
    with user_errors():
        _names(list(workspace(plugins).show_udfs()), "No udf is found.")


@describe_app.command("plugin")
def describe_plugin(
    kind: Annotated[str, typer.Argument(help="source, sink, function or portable")],
    name: Annotated[str, typer.Argument(help="the plugin name, e.g. heatIndex")],
    plugins: PluginsOpt = DEFAULT_PLUGINS,
    server: ServerOpt = None,
    token: TokenOpt = None,
) -> None:
    """Print {"name": ..., "version": ...} as eKuiper's describe answers (a portable
    plugin: its symbols and status, pid, refCount, errMsg too)."""
    if server is not None:
        return _remote(f"/plugins/{_kind(kind)}s/{name}", server, token)
    with user_errors():
        print_json(workspace(plugins).describe_plugin(_kind(kind), name))


@describe_app.command("udf")
def describe_udf(
    name: Annotated[str, typer.Argument(help="the function name")],
    plugins: PluginsOpt = DEFAULT_PLUGINS,
    server: ServerOpt = None,
    token: TokenOpt = None,
) -> None:
    """Print {"name": ..., "plugin": ...}: which plugin holds a function."""
    if server is not None:
        return _remote(f"/plugins/udfs/{name}", server, token)
    with user_errors():
        udfs = workspace(plugins).show_udfs()
        if name not in udfs:
            raise PluginError(f"user function {name} not found; `kuiper-dev show udfs` lists them")
        print_json({"name": name, "plugin": udfs[name]})
