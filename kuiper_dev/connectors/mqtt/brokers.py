"""Brokers on a free loopback port, for notebooks and tests: amqtt in-process, or mosquitto.

:func:`broker` runs an amqtt broker on an asyncio loop of its own, in a daemon
thread: a notebook kernel already runs a loop, and the caller's is never touched.
:func:`mosquitto` launches the mosquitto executable with a generated config, for
what amqtt cannot do (MQTT 5, persistence across a restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ...errors import MqttError

__all__ = ["EmbeddedBroker", "MosquittoBroker", "broker", "mosquitto"]

_HOST = "127.0.0.1"


def _free_port(host: str = _HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _wait_listening(host: str, port: int, timeout: float, alive: Any = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            return False
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


class EmbeddedBroker:
    """An amqtt broker in a daemon thread; ``url`` is ``tcp://127.0.0.1:PORT``.

    >>> with broker() as b:
    ...     b.url.startswith("tcp://127.0.0.1:")
    True
    """

    def __init__(self, host: str = _HOST, port: int = 0, *, timeout: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._broker: Any = None
        self._transports: set[asyncio.WriteTransport] = set()

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def start(self) -> None:
        """Start the loop thread and the broker; returns when it accepts connections."""
        if self._loop is None:
            loop = asyncio.new_event_loop()
            self._thread = threading.Thread(
                target=loop.run_forever, name=f"amqtt-broker-{id(self):x}", daemon=True
            )
            self._thread.start()
            self._loop = loop
        if not self.port:
            self.port = _free_port(self.host)
        self._run(self._start())  # returns once the listener is bound

    def stop(self) -> None:
        """Stop the broker and its loop thread (bounded by ``timeout``)."""
        loop = self._loop
        if loop is None:
            return
        try:
            if self._broker is not None:
                self._run(self._stop())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(self.timeout)
            if not loop.is_running():
                loop.close()
            self._loop = None
            self._thread = None

    def restart(self, *, down: float = 0.0) -> None:
        """Stop the broker, wait ``down`` seconds, start it again on the same port.

        amqtt keeps no state across this: sessions and retained messages are lost.
        """
        if self._broker is not None:
            self._run(self._stop())
        time.sleep(down)
        self.start()

    def _run(self, coro: Any) -> Any:
        assert self._loop is not None
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(self.timeout)
        except TimeoutError:
            future.cancel()
            raise MqttError(f"the embedded broker on {self.url} did not answer in {self.timeout:g} s") from None

    async def _start(self) -> None:
        from amqtt.broker import Broker

        # amqtt logs every connection at INFO; a notebook wants only its warnings
        logging.getLogger("amqtt").setLevel(logging.WARNING)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        last: Exception | None = None
        for _ in range(20):  # the port may linger a moment after a restart
            b = Broker(config, loop=asyncio.get_running_loop())
            self._track_connections(b)
            try:
                await b.start()
            except Exception as e:  # noqa: BLE001 - amqtt wraps bind errors in BrokerError
                last = e
                await asyncio.sleep(0.1)
                continue
            self._broker = b
            return
        raise MqttError(f"the embedded broker could not listen on {self.url}: {last}; use another port")

    def _track_connections(self, b: Any) -> None:
        # amqtt's shutdown can wait on a client's unfinished QoS exchange: keep each
        # connection's transport so stopping can cut them as a dying broker would
        original = getattr(b, "stream_connected", None)
        if original is None:
            return

        async def stream_connected(reader: Any, writer: asyncio.StreamWriter, listener_name: str) -> None:
            self._transports.add(writer.transport)
            try:
                await original(reader, writer, listener_name)
            finally:
                self._transports.discard(writer.transport)

        b.stream_connected = stream_connected

    async def _stop(self) -> None:
        b, self._broker = self._broker, None
        if b is None:
            return
        for transport in list(self._transports):
            transport.abort()
        self._transports.clear()
        try:
            await asyncio.wait_for(b.shutdown(), timeout=min(self.timeout, 3.0))
        except Exception:  # noqa: BLE001 - a timeout, or a broker complaining as it is torn down
            current = asyncio.current_task()
            for task in asyncio.all_tasks():
                if task is not current:
                    task.cancel()
            for server in getattr(b, "_servers", {}).values():
                instance = getattr(server, "instance", None)
                if instance is not None:
                    instance.close()


@contextlib.contextmanager
def broker(*, host: str = _HOST, port: int = 0, timeout: float = 10.0) -> Iterator[EmbeddedBroker]:
    """An embedded amqtt broker for the ``with`` body, on a free port unless ``port`` is given.

    >>> with broker() as b:
    ...     (b.host, b.port > 0)
    ('127.0.0.1', True)
    """
    b = EmbeddedBroker(host, port, timeout=timeout)
    try:
        b.start()
        yield b
    finally:
        b.stop()


def find_mosquitto() -> str:
    """The mosquitto executable on PATH or in the sbin folders, or an error saying how to install it."""
    found = shutil.which("mosquitto")
    if found:
        return found
    for folder in ("/usr/sbin", "/usr/local/sbin", "/opt/homebrew/sbin", "/usr/local/opt/mosquitto/sbin"):
        path = Path(folder) / "mosquitto"
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    raise MqttError(
        "mosquitto is not installed: install it (Debian/Ubuntu: sudo apt-get install mosquitto; "
        "macOS: brew install mosquitto) or use kuiper_dev.broker() for an in-process broker"
    )


class MosquittoBroker:
    """A mosquitto process on a loopback port, with a generated config.

    ``persistence`` (a folder) keeps sessions and queued messages across
    :meth:`restart`; stopping sends SIGTERM, so mosquitto saves them first.
    """

    def __init__(
        self,
        *,
        host: str = _HOST,
        port: int = 0,
        persistence: str | os.PathLike[str] | None = None,
        extra_config: str = "",
        executable: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port or _free_port(host)
        self.persistence = Path(persistence) if persistence is not None else None
        self.executable = executable or find_mosquitto()
        self.timeout = timeout
        self._dir = tempfile.TemporaryDirectory(prefix="kuiper-dev-mosquitto-")
        self.config_file = Path(self._dir.name) / "mosquitto.conf"
        self.log_file = Path(self._dir.name) / "mosquitto.log"
        lines = [
            f"listener {self.port} {host}",
            "allow_anonymous true",
            # mosquitto 2.0.11 may leave QoS 2 messages queued behind a full in-flight
            # window until more traffic comes; with no window limit nothing queues
            # while a client is connected (and a test broker should drop nothing)
            "max_inflight_messages 0",
            "max_queued_messages 1000000",
            f"log_dest file {self.log_file}",
            "log_type error",
            "log_type warning",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            lines.append("user root")  # as root mosquitto would switch to a user that cannot write here
        if self.persistence is not None:
            self.persistence.mkdir(parents=True, exist_ok=True)
            lines += ["persistence true", f"persistence_location {self.persistence}/"]
        self.config_file.write_text("\n".join(lines) + "\n" + extra_config)
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def start(self) -> None:
        """Launch mosquitto; returns when it accepts connections, else MqttError with its log."""
        self._proc = subprocess.Popen(
            [self.executable, "-c", str(self.config_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        proc = self._proc
        if not _wait_listening(self.host, self.port, self.timeout, alive=lambda: proc.poll() is None):
            tail = self._log_tail()
            self.stop()
            raise MqttError(
                f"mosquitto did not start on {self.url}: {tail}; "
                f"check its config {self.config_file} or pick another port"
            )

    def stop(self) -> None:
        """SIGTERM (mosquitto saves its persistence), then SIGKILL after ``timeout``."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(self.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(self.timeout)
        finally:
            if proc.stderr is not None:
                proc.stderr.close()

    def restart(self, *, down: float = 0.0) -> None:
        """Stop, wait ``down`` seconds, start again on the same port."""
        self.stop()
        time.sleep(down)
        self.start()

    def close(self) -> None:
        """Stop and remove the generated config and log."""
        self.stop()
        self._dir.cleanup()

    def _log_tail(self) -> str:
        text = ""
        with contextlib.suppress(OSError):
            text = self.log_file.read_text(errors="replace")
        if self._proc is not None and self._proc.stderr is not None and self._proc.poll() is not None:
            text += self._proc.stderr.read().decode(errors="replace")
        return " | ".join(text.strip().splitlines()[-5:]) or "no log"


@contextlib.contextmanager
def mosquitto(
    *,
    port: int = 0,
    persistence: str | os.PathLike[str] | None = None,
    extra_config: str = "",
    executable: str | None = None,
    timeout: float = 10.0,
) -> Iterator[MosquittoBroker]:
    """A mosquitto broker for the ``with`` body (needs the mosquitto executable)."""
    b = MosquittoBroker(
        port=port,
        persistence=persistence,
        extra_config=extra_config,
        executable=executable,
        timeout=timeout,
    )
    try:
        b.start()
        yield b
    finally:
        b.close()
