"""One eKuiper REST request from the command line: to ``--server URL``, or to the same
API served in process over the local engine (so the answers are the same)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from ..workspace import Workspace
from ._common import workspace

ServerOpt = Annotated[
    str | None,
    typer.Option(
        "--server", help="an eKuiper REST API, e.g. http://127.0.0.1:9081 (default: local)"
    ),
]
TokenOpt = Annotated[
    str | None,
    typer.Option("--token", help="sent as Authorization: Bearer TOKEN", envvar="KUIPER_DEV_TOKEN"),
]


def call(
    method: str,
    path: str,
    body: Any,
    *,
    server: str | None,
    token: str | None,
    data: Path,
    plugins: Path,
) -> Any:
    """One request; exit 1 with eKuiper's message on an error answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        if server is not None:
            with httpx.Client(base_url=server, headers=headers, timeout=30.0) as client:
                response = client.request(method, path, json=body)
        else:
            ws = workspace(plugins) if plugins.is_dir() else Workspace(plugins_dir=None)
            ws.plugins_dir = plugins  # a missing folder is made by the first install
            problems = ws.use_data(data, live=False)
            for problem in problems:
                typer.echo(f"warning: not restored: {problem}", err=True)
            with local_client(ws) as client:
                response = client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        typer.echo(
            f"error: cannot reach {server}: {exc}; start it with `kuiper-dev serve`", err=True
        )
        raise typer.Exit(1) from None
    if response.status_code >= 400:
        try:
            message = response.json().get("message", response.text)
        except (ValueError, AttributeError):
            message = response.text or response.reason_phrase
        lines = [line.strip() for line in str(message).splitlines() if line.strip()]
        typer.echo(f"error: {' '.join(lines[:2])}", err=True)  # one line: message and place
        raise typer.Exit(1)
    if "json" in response.headers.get("content-type", ""):
        return response.json()
    return response.text


def local_client(ws: Any) -> Any:
    """The API in process, over the local engine: the same answers as a server gives."""
    with warnings.catch_warnings():  # starlette would rather have httpx2; httpx works
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

        from ..server import create_app  # here: the server's imports cost half a second
    return TestClient(create_app(ws), raise_server_exceptions=True)
