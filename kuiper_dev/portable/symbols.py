"""Handles on a hosted portable plugin's symbols: the data channels eKuiper opens per symbol.

- function: this side listens REP on ``/tmp/func_{symbol}.ipc``; a call is the reply to
  the plugin's latest request, its answer the next request (a handshake: send again).
- source: this side listens PULL on ``/tmp/{ruleId}_{opId}_{instanceId}.ipc``, the plugin
  pushes ``{"message", "meta"}`` (or ``{"error"}``).
- sink: the plugin listens PULL on that address, this side pushes each emission as
  JSON bytes; acks come back on ``..._ack.ipc`` where this side listens.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pynng

from .._types import Message
from ..connectors.base import Deliver, Fail
from ..errors import PortableError

if TYPE_CHECKING:
    from .host import PortableHost

__all__ = ["PortableFunction", "PortableSink", "PortableSource", "ipc_path"]

_POLL_MS = 100
_MAX_RESENDS = 1000


def ipc_path(stem: str) -> str:
    """The file behind eKuiper's ``ipc:///tmp/{stem}.ipc`` addresses.

    >>> ipc_path("plugin_kit")
    '/tmp/plugin_kit.ipc'
    """
    return f"/tmp/{stem}.ipc"


def _ctrl(symbol: str, kind: str, meta: tuple[str, str, int], **more: Any) -> dict[str, Any]:
    rule, op, inst = meta
    ctrl: dict[str, Any] = {
        "symbolName": symbol,
        "meta": {"ruleId": rule, "opId": op, "instanceId": inst},
        "pluginType": kind,
    }
    ctrl.update({k: v for k, v in more.items() if v})  # Go's omitempty
    return ctrl


class PortableFunction:
    """A function symbol: ``validate(args)``, ``exec(args)``, ``is_aggregate()``."""

    def __init__(self, host: PortableHost, symbol: str) -> None:
        self.host = host
        self.symbol = symbol
        self._lock = threading.Lock()
        self._agg: bool | None = None
        self._ctx = json.dumps({"ruleId": "", "opId": "", "instanceId": 0, "funcId": 0})
        self._sock = pynng.Rep0(recv_timeout=_POLL_MS, send_timeout=int(host.call_timeout * 1000))
        self._sock.recv_max_size = 0
        self._path = ipc_path(f"func_{symbol}")
        self._ctrl = _ctrl(symbol, "func", ("", "", 0))
        try:
            self._sock.listen(f"ipc://{self._path}")
            host.send_command("start", self._ctrl)
        except BaseException as exc:
            self._sock.close()
            if isinstance(exc, pynng.NNGException):
                raise PortableError(
                    f"function {symbol}: cannot listen on {self._path} ({exc}); "
                    "is another host serving it? stop that one"
                ) from exc
            raise

    def _call(self, data: bytes) -> Any:
        sock = self._sock
        with self._lock:
            deadline = time.monotonic() + self.host.call_timeout
            try:
                sock.send(data)
            except pynng.BadState:  # fresh channel: the plugin's handshake is waiting
                self._recv(deadline)
                sock.send(data)
            except pynng.Closed:
                raise PortableError(
                    f"function {self.symbol}: its channel is closed; start the host again"
                ) from None
            for _ in range(_MAX_RESENDS):
                reply = self._recv(deadline)
                if reply[:1] != b"h":
                    return orjson.loads(reply)
                sock.send(data)
        raise PortableError(
            f"function {self.symbol}: only handshakes came back; restart the plugin"
        )

    def _recv(self, deadline: float) -> bytes:
        recv = self._sock.recv
        while True:
            try:
                return bytes(recv())
            except pynng.Timeout:
                if time.monotonic() > deadline:
                    raise PortableError(
                        f"function {self.symbol}: no answer within {self.host.call_timeout:g}s; "
                        f"{self.host.describe_trouble()}"
                    ) from None
            except pynng.Closed:
                raise PortableError(
                    f"function {self.symbol}: its channel is closed; start the host again"
                ) from None

    def validate(self, args: list[Any]) -> str:
        """The plugin's verdict on the arguments: ``""`` when valid, else its message."""
        reply = self._call(orjson.dumps({"func": "Validate", "arg": args}))
        return "" if reply.get("state") else str(reply.get("result") or "invalid arguments")

    def exec(self, args: list[Any]) -> Any:
        """Call the function; a plugin error is raised as :class:`PortableError`."""
        reply = self._call(orjson.dumps({"func": "Exec", "arg": [*args, self._ctx]}))
        if reply.get("state"):
            return reply.get("result")
        raise PortableError(
            f"function {self.symbol} failed: {str(reply.get('result')).rstrip()}\n"
            "fix the plugin's exec()"
        )

    def is_aggregate(self) -> bool:
        """Whether the function takes a group's values (asked once, as eKuiper caches it)."""
        if self._agg is None:
            reply = self._call(b'{"func":"IsAggregate","arg":null}')
            self._agg = bool(reply.get("state")) and reply.get("result") is True
        return self._agg

    def close(self) -> None:
        try:
            self.host.send_command("stop", self._ctrl)  # the SDK logs "symbol not found": harmless
        finally:
            self._sock.close()
            Path(self._path).unlink(missing_ok=True)
            self.host.forget(self)


class PortableSource:
    """A source symbol as a :class:`~kuiper_dev.connectors.base.Source`."""

    def __init__(
        self,
        host: PortableHost,
        symbol: str,
        datasource: str,
        props: dict[str, Any],
        meta: tuple[str, str, int],
    ) -> None:
        self.host = host
        self.symbol = symbol
        self.datasource = datasource
        self.props = props
        self.meta = meta
        # eKuiper sends "dataSource"; note the Python SDK reads "datasource" and so sees ""
        self._ctrl = _ctrl(symbol, "source", meta, dataSource=datasource, config=props)
        self._path = ipc_path(f"{meta[0]}_{meta[1]}_{meta[2]}")
        self._sock: pynng.Pull0 | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    def start(self, deliver: Deliver, fail: Fail) -> None:
        """Open the data channel, start the symbol, deliver on a thread until stopped."""
        if self._sock is not None:
            raise PortableError(f"source {self.symbol} is already started; stop it first")
        sock = pynng.Pull0(recv_timeout=_POLL_MS)
        sock.recv_max_size = 0
        try:
            sock.listen(f"ipc://{self._path}")
        except pynng.NNGException as exc:
            sock.close()
            raise PortableError(
                f"source {self.symbol}: cannot listen on {self._path} ({exc}); another rule "
                "uses this ruleId/opId/instanceId; give this one another rule_id or op_id"
            ) from exc
        try:
            self.host.send_command("start", self._ctrl)
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self._stopped.clear()
        topic = self.datasource or self.symbol
        self._thread = threading.Thread(
            target=self._run,
            args=(sock, topic, deliver, fail),
            daemon=True,
            name=f"portable-source-{self.symbol}",
        )
        self._thread.start()

    def _run(self, sock: pynng.Pull0, topic: str, deliver: Deliver, fail: Fail) -> None:
        while not self._stopped.is_set():
            try:
                raw = sock.recv()
            except pynng.Timeout:
                continue
            except pynng.Closed:
                return
            try:
                data = orjson.loads(raw)
                if "error" in data:
                    fail(f"source {self.symbol}: {data['error']}")
                    continue
                payload = orjson.dumps(data.get("message"))
            except (orjson.JSONDecodeError, TypeError, AttributeError) as exc:
                fail(f"source {self.symbol}: invalid data format, cannot decode {raw!r} ({exc})")
                continue
            deliver(
                Message(topic, payload, time.time_ns() // 1_000_000, meta=data.get("meta") or {})
            )

    def stop(self) -> None:
        """Close the data channel and stop the symbol; bounded in time."""
        sock, self._sock = self._sock, None
        if sock is None:
            return
        self._stopped.set()
        sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        try:
            self.host.send_command("stop", self._ctrl)
        finally:
            Path(self._path).unlink(missing_ok=True)

    def close(self) -> None:
        try:
            self.stop()
        finally:
            self.host.forget(self)


class PortableSink:
    """A started sink symbol as a :class:`~kuiper_dev.connectors.base.Sink`.

    With ``requireAck`` in its props each :meth:`collect` waits for the plugin's ack
    and raises its error, as eKuiper's portable sink does.
    """

    def __init__(
        self, host: PortableHost, symbol: str, props: dict[str, Any], meta: tuple[str, str, int]
    ) -> None:
        self.host = host
        self.symbol = symbol
        self.require_ack = props.get("requireAck") is True
        self._ctrl = _ctrl(symbol, "sink", meta, config=props)
        stem = f"{meta[0]}_{meta[1]}_{meta[2]}"
        self._paths = (ipc_path(stem), ipc_path(stem + "_ack"))
        self._ack = pynng.Pull0(recv_timeout=_POLL_MS)
        self._ack.recv_max_size = 0
        self._data = pynng.Push0(send_timeout=int(host.call_timeout * 1000))
        try:
            try:
                self._ack.listen(f"ipc://{self._paths[1]}")
            except pynng.NNGException as exc:
                raise PortableError(
                    f"sink {symbol}: cannot listen on {self._paths[1]} ({exc}); another rule "
                    "uses this ruleId/opId/instanceId; give this one another rule_id or op_id"
                ) from exc
            host.send_command("start", self._ctrl)
            self._data.dial(f"ipc://{self._paths[0]}", block=True)  # the plugin listens now
        except BaseException:
            self._data.close()
            self._ack.close()
            raise
        self._closed = False

    def collect(self, data: Any) -> None:
        """Send one emission (bytes as they are, anything else as JSON)."""
        raw = data if isinstance(data, bytes) else orjson.dumps(data)
        try:
            self._data.send(raw)
        except pynng.NNGException as exc:
            raise PortableError(
                f"sink {self.symbol}: cannot send ({exc}); {self.host.describe_trouble()}"
            ) from exc
        if self.require_ack:
            self._wait_ack()

    def _wait_ack(self) -> None:
        deadline = time.monotonic() + self.host.call_timeout
        while True:
            try:
                reply = orjson.loads(self._ack.recv())
                break
            except pynng.Timeout:
                if time.monotonic() > deadline:
                    raise PortableError(
                        f"sink {self.symbol}: no ack within {self.host.call_timeout:g}s; with "
                        "requireAck the sink must call ctx.ack_ok() or ctx.ack_error(msg); "
                        f"{self.host.describe_trouble()}"
                    ) from None
        error = reply.get("error") if isinstance(reply, dict) else None
        if error:
            raise PortableError(f"sink {self.symbol} refused the data: {error}")

    def close(self) -> None:
        """Close both channels and stop the symbol."""
        if self._closed:
            return
        self._closed = True
        self._data.close()
        self._ack.close()
        try:
            self.host.send_command("stop", self._ctrl)
        finally:
            for path in self._paths:  # the plugin's listener file stays if it was killed
                Path(path).unlink(missing_ok=True)
            self.host.forget(self)
