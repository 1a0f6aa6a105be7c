"""eKuiper's CLI grammar for management: create, show, describe, drop, start, stop,
restart, getstatus, gettopo, and ``serve``.

Every verb is one eKuiper REST request. With ``--server URL`` it goes to that
server (the kit's own or a real eKuiper); without, to the same API served in
process over the local engine, whose state lives in ``--data`` (so two
invocations agree). The answers are therefore the same either way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import KuiperDevError
from ..workspace import Workspace
from ._common import DEFAULT_PLUGINS, PluginsOpt, loaded, user_errors
from ._remote import ServerOpt, TokenOpt, call
from ._text import describe_json, describe_text, indented, show_text
from .plugins import describe_app, show_app

__all__ = ["DEFAULT_DATA", "register"]

DEFAULT_DATA = Path(".kuiper-dev")

DataOpt = Annotated[
    Path, typer.Option("--data", help="where the local engine keeps streams and rules")
]
FileOpt = Annotated[
    Path | None,
    typer.Option("-f", "--file", help="read the definition from this file", dir_okay=False),
]
NameArg = Annotated[str, typer.Argument(help="the name (rule id)")]

create_app_ = typer.Typer(
    help="Create a stream, table, rule or plugin.", no_args_is_help=True, rich_markup_mode=None
)
drop_app = typer.Typer(
    help="Drop a stream, table, rule or plugin.", no_args_is_help=True, rich_markup_mode=None
)
getstatus_app = typer.Typer(
    help="Rule state and per-operator metrics.", no_args_is_help=True, rich_markup_mode=None
)
gettopo_app = typer.Typer(
    help="Rule topology: sources and edges.", no_args_is_help=True, rich_markup_mode=None
)
start_app = typer.Typer(help="Start a rule.", no_args_is_help=True, rich_markup_mode=None)
stop_app = typer.Typer(help="Stop a rule.", no_args_is_help=True, rich_markup_mode=None)
restart_app = typer.Typer(help="Restart a rule.", no_args_is_help=True, rich_markup_mode=None)

_PLURAL = {"source": "sources", "sink": "sinks", "function": "functions", "portable": "portables"}


def _out(value: Any, *, escape_html: bool = True) -> None:
    """A reply as eKuiper's CLI prints it: a sentence, or JSON indented by two spaces
    (HTML characters escaped as Go's Marshal does, unless the reply was written by hand,
    as the rule status is)."""
    typer.echo(value if isinstance(value, str) else indented(value, escape_html=escape_html))


def _definition(text: str | None, file: Path | None, what: str) -> str:
    if (text is None) == (file is None):
        typer.echo(f"error: give the {what} either as an argument or with -f FILE", err=True)
        raise typer.Exit(2)
    if file is not None:
        try:
            return file.read_text(encoding="utf-8").strip().rstrip(";")
        except OSError as exc:
            typer.echo(f"error: cannot read {file}: {exc}", err=True)
            raise typer.Exit(1) from None
    assert text is not None
    return text


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        typer.echo(f"error: the {what} is not valid JSON: {exc}; quote it as '{{...}}'", err=True)
        raise typer.Exit(2) from None


def _stream_create(kind: str) -> Any:
    def create(
        name: Annotated[str | None, typer.Argument(help="the stream or table name")] = None,
        definition: Annotated[
            str | None, typer.Argument(help="'(fields) WITH (...)' as eKuiper's CLI takes it")
        ] = None,
        file: FileOpt = None,
        server: ServerOpt = None,
        token: TokenOpt = None,
        data: DataOpt = DEFAULT_DATA,
        plugins: PluginsOpt = DEFAULT_PLUGINS,
    ) -> None:
        if file is not None:
            if name is not None:
                typer.echo(f"error: with -f the file names the {kind}; drop the name", err=True)
                raise typer.Exit(2)
            sql = f"CREATE {kind.upper()} {_definition(None, file, kind + ' definition')}"
        else:
            if name is None or definition is None:
                typer.echo("error: give NAME and '(fields) WITH (...)', or -f FILE", err=True)
                raise typer.Exit(2)
            sql = f"CREATE {kind.upper()} {name} {definition}"
        _out(call("POST", f"/{kind}s", {"sql": sql}, server=server, token=token, data=data,
                   plugins=plugins))  # fmt: skip

    create.__doc__ = f"Create a {kind}: create {kind} NAME '(fields) WITH (...)' or -f FILE."
    return create


def _verb(kind: str, method: str, template: str, doc: str) -> Any:
    def verb(
        name: NameArg,
        server: ServerOpt = None,
        token: TokenOpt = None,
        data: DataOpt = DEFAULT_DATA,
        plugins: PluginsOpt = DEFAULT_PLUGINS,
    ) -> None:
        reply = call(method, template.format(name=name), None, server=server, token=token,
                     data=data, plugins=plugins)  # fmt: skip
        _out(reply, escape_html=not template.endswith("/status"))

    verb.__doc__ = doc
    return verb


def _describer(kind: str) -> Any:
    def describe(
        name: NameArg,
        as_json: Annotated[
            bool, typer.Option("--json", "-json", help="format output as json, as eKuiper's -json")
        ] = False,
        server: ServerOpt = None,
        token: TokenOpt = None,
        data: DataOpt = DEFAULT_DATA,
        plugins: PluginsOpt = DEFAULT_PLUGINS,
    ) -> None:
        described = call("GET", f"/{kind}s/{name}", None, server=server, token=token,
                         data=data, plugins=plugins)  # fmt: skip
        if as_json:
            typer.echo(describe_json(described))
        else:
            typer.echo(describe_text(described), nl=False)

    describe.__doc__ = f"Print a {kind}'s fields and options, as eKuiper's CLI does."
    return describe


def _lister(kind: str, doc: str) -> Any:
    def lister(
        server: ServerOpt = None,
        token: TokenOpt = None,
        data: DataOpt = DEFAULT_DATA,
        plugins: PluginsOpt = DEFAULT_PLUGINS,
    ) -> None:
        listed = call("GET", f"/{kind}s", None, server=server, token=token, data=data,
                      plugins=plugins)  # fmt: skip
        typer.echo(show_text(kind, listed), nl=False)

    lister.__doc__ = doc
    return lister


def create_rule(
    name: NameArg,
    definition: Annotated[
        str | None, typer.Argument(help='the rule JSON: {"sql": ..., "actions": [...]}')
    ] = None,
    file: FileOpt = None,
    server: ServerOpt = None,
    token: TokenOpt = None,
    data: DataOpt = DEFAULT_DATA,
    plugins: PluginsOpt = DEFAULT_PLUGINS,
) -> None:
    """Create and start a rule: create rule NAME '{"sql": ..., "actions": [...]}' or -f FILE."""
    body = _json(_definition(definition, file, "rule JSON"), "rule")
    if isinstance(body, dict):
        body.setdefault("id", name)
    call("POST", "/rules", body, server=server, token=token, data=data, plugins=plugins)
    rule_id = body.get("id", name) if isinstance(body, dict) else name
    typer.echo(  # eKuiper's CLI answer (its REST one is shorter)
        f"Rule {rule_id} was created successfully, please use "
        f"'kuiper-dev getstatus rule {rule_id}' command to get rule status."
    )


def restart_rule(
    name: NameArg,
    server: ServerOpt = None,
    token: TokenOpt = None,
    data: DataOpt = DEFAULT_DATA,
    plugins: PluginsOpt = DEFAULT_PLUGINS,
) -> None:
    """Restart a rule."""
    call("POST", f"/rules/{name}/restart", None, server=server, token=token, data=data,
         plugins=plugins)  # fmt: skip
    typer.echo(f"Rule {name} was restarted.")  # eKuiper's CLI answer; its REST one has no dot


def create_plugin(
    kind: Annotated[str, typer.Argument(help="source, sink, function or portable")],
    name: NameArg,
    definition: Annotated[
        str | None, typer.Argument(help='{"file": "file:///... or http://....zip"}')
    ] = None,
    file: FileOpt = None,
    server: ServerOpt = None,
    token: TokenOpt = None,
    data: DataOpt = DEFAULT_DATA,
    plugins: PluginsOpt = DEFAULT_PLUGINS,
) -> None:
    """Install a plugin zip: create plugin TYPE NAME '{"file": URL}' or -f FILE."""
    body = _json(_definition(definition, file, "plugin JSON"), "plugin")
    if isinstance(body, dict):
        body.setdefault("name", name)
    _out(call("POST", f"/plugins/{_plural(kind)}", body, server=server, token=token, data=data,
               plugins=plugins))  # fmt: skip


def drop_plugin(
    kind: Annotated[str, typer.Argument(help="source, sink, function or portable")],
    name: NameArg,
    server: ServerOpt = None,
    token: TokenOpt = None,
    data: DataOpt = DEFAULT_DATA,
    plugins: PluginsOpt = DEFAULT_PLUGINS,
) -> None:
    """Uninstall a plugin."""
    _out(call("DELETE", f"/plugins/{_plural(kind)}/{name}", None, server=server, token=token,
               data=data, plugins=plugins))  # fmt: skip


def _plural(kind: str) -> str:
    if kind not in _PLURAL:
        raise typer.BadParameter(f"{kind!r} is not a plugin type; use one of {', '.join(_PLURAL)}")
    return _PLURAL[kind]


def serve(
    host: Annotated[
        str, typer.Option(help="the address to bind; another than loopback must be asked for")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="the port (eKuiper's is 9081)")] = 9081,
    token: Annotated[
        str | None,
        typer.Option(
            help="require Authorization: Bearer TOKEN on every request",
            envvar="KUIPER_DEV_TOKEN",
        ),
    ] = None,
    data: DataOpt = DEFAULT_DATA,
    plugins: PluginsOpt = DEFAULT_PLUGINS,
    broker: Annotated[
        str | None,
        typer.Option(
            help="the MQTT broker of mqtt streams and sinks without a server of their own"
        ),
    ] = None,
) -> None:
    """Serve eKuiper's REST API over the local engine; started rules run live."""
    from ..connectors.mqtt import as_config  # only this verb pays for them
    from ..server import listen, open_workspace
    from ..server import serve as run_server

    if broker is not None:
        try:
            as_config(broker)  # a bad URL fails here, before the port is taken
        except KuiperDevError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
    with user_errors():
        sock = listen(host, port)  # before anything starts: a port in use fails alone
    restored: list[str] = []

    def make() -> Workspace:
        ws, problems = open_workspace(plugins, data, live=True, broker=broker)
        restored.extend(problems)
        return ws

    try:
        with user_errors():
            ws = loaded(make)
    except typer.Exit:
        sock.close()
        raise
    for problem in restored:
        typer.echo(f"warning: not restored: {problem}", err=True)
    auth = "with a bearer token" if token else "without authentication"
    typer.echo(
        f"serving eKuiper's REST API on http://{host}:{sock.getsockname()[1]} {auth}; "
        f"data in {data}",
        err=True,
    )
    run_server(ws, token=token, sock=sock)


def register(app: typer.Typer) -> None:
    """Add the management verbs to ``app``, eKuiper's CLI grammar."""
    for kind in ("stream", "table"):
        create_app_.command(kind)(_stream_create(kind))
        show_app.command(f"{kind}s")(_lister(kind, f"List the {kind}s, one name a line."))
        describe_app.command(kind)(_describer(kind))
        drop_app.command(kind)(_verb(kind, "DELETE", f"/{kind}s/{{name}}", f"Drop a {kind}."))
    create_app_.command("rule")(create_rule)
    create_app_.command("plugin")(create_plugin)
    drop_app.command("plugin")(drop_plugin)
    show_app.command("rules")(_lister("rule", "List the rules with their state (JSON)."))
    describe_app.command("rule")(
        _verb("rule", "GET", "/rules/{name}", "Print a rule's definition (JSON).")
    )
    drop_app.command("rule")(_verb("rule", "DELETE", "/rules/{name}", "Drop a rule."))
    getstatus_app.command("rule")(
        _verb("rule", "GET", "/rules/{name}/status", "Print a rule's state and metrics (JSON).")
    )
    gettopo_app.command("rule")(
        _verb("rule", "GET", "/rules/{name}/topo", "Print a rule's topology (JSON).")
    )
    for sub, verb in ((start_app, "start"), (stop_app, "stop")):
        sub.command("rule")(
            _verb("rule", "POST", f"/rules/{{name}}/{verb}", f"{verb.capitalize()} a rule.")
        )
    restart_app.command("rule")(restart_rule)
    for name, sub in (("create", create_app_), ("drop", drop_app), ("getstatus", getstatus_app),
                      ("gettopo", gettopo_app), ("start", start_app), ("stop", stop_app),
                      ("restart", restart_app)):  # fmt: skip
        app.add_typer(sub, name=name)
    app.command("serve")(serve)
