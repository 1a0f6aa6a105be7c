"""Running the app: ``serve`` in the foreground, or a :class:`ServerThread` for tests."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI

from ..errors import KuiperDevError
from ..workspace import Workspace
from .app import create_app

__all__ = ["ServerThread", "listen", "open_workspace", "serve"]


def open_workspace(
    plugins: Path | str | None, data: Path | str, *, live: bool, broker: str | None = None
) -> tuple[Workspace, list[str]]:
    """A workspace on ``plugins`` whose streams and rules live in ``data`` (mqtt ones on
    ``broker`` when given, before any restored rule starts); returns it and what could
    not be restored."""
    if plugins is not None:
        Path(plugins).mkdir(parents=True, exist_ok=True)  # installs go there
    ws = Workspace(plugins_dir=plugins)
    if broker is not None:
        ws.use_broker(broker)
    return ws, ws.use_data(data, live=live)


def listen(host: str = "127.0.0.1", port: int = 9081) -> socket.socket:
    """A socket bound to ``host:port``, before anything else starts: a port in use is one
    clear error instead of a server that loaded everything and then failed."""
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise KuiperDevError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; pick another --port "
            "(or --host), or stop what holds it"
        ) from None
    return sock


def serve(
    ws: Workspace,
    *,
    host: str = "127.0.0.1",
    port: int = 9081,
    token: str | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve until interrupted (uvicorn handles SIGINT/SIGTERM), on ``sock`` when given
    (see :func:`listen`), else on ``host:port``."""
    sock = sock if sock is not None else listen(host, port)
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(ws, token=token, port=port), log_level="warning")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT it shut down on
        pass
    finally:
        sock.close()
        ws.halt()  # live rules end with the server; the data folder resumes them


class ServerThread:
    """The app on a free loopback port in a thread: ``with ServerThread(app) as url: ...``."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and
        # without it every JSON answer waits ~40 ms for a delayed ACK (Nagle)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = self.sock.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}"
        app.state.ctx.port = self.port
        self.ws: Workspace = app.state.ctx.ws
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True,
            name=f"kuiper-dev-serve-{self.port}",
        )  # fmt: skip

    def start(self, timeout: float = 10.0) -> str:
        self.thread.start()
        end = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() >= end or not self.thread.is_alive():
                self.stop()
                raise KuiperDevError(f"the server on {self.url} did not start within {timeout} s")
            time.sleep(0.01)
        return self.url

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        self.sock.close()
        with self.ws_lock():
            self.ws.halt()

    def ws_lock(self) -> Any:
        return self.app.state.ctx.lock

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
