"""A real server on a free loopback port per test, stopped after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from kuiper_dev.server import ServerThread, create_app, open_workspace

SIM_STREAM = (
    'CREATE STREAM demo (a BIGINT) WITH (DATASOURCE="demo", TYPE="simulator", FORMAT="json")'
)

Serve = Callable[..., httpx.Client]


@pytest.fixture
def serve(tmp_path: Path, plugin_dir: Path) -> Iterator[Serve]:
    """``serve(data=..., token=...)`` starts a server over ``plugin_dir`` and returns a
    client on it; every server started is stopped when the test ends."""
    started: list[tuple[ServerThread, httpx.Client]] = []

    def start(
        *, data: Path | None = None, token: str | None = None, live: bool = True
    ) -> httpx.Client:
        ws, problems = open_workspace(plugin_dir, data or tmp_path / "data", live=live)
        assert problems == []
        server = ServerThread(create_app(ws, token=token))
        url = server.start()
        client = httpx.Client(base_url=url, timeout=10.0)
        started.append((server, client))
        return client

    yield start
    for server, client in started:
        client.close()
        server.stop()
