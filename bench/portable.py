"""Portable plugins: function calls (microseconds, p50 and p99) and source messages/s.

Each plugin is exported with ``Workspace.export(..., portable=True)`` and runs on the
real ``ekuiper`` SDK in its own process. The limit is a bare host: the fewest pynng
calls that start the same plugin and speak eKuiper's protocol to it, so the ratio is
what kuiper_dev's host (and, for the source, the rule behind it) adds over the
protocol itself.

- calls: ``plainAbs`` called through ``PortableHost.function`` against a bare REP
  socket; one run gives both percentiles (``{"p50": us, "p99": us}``).
- source: ``benchBurst`` emits N sensor rows as fast as the SDK sends them; the kit
  runs a filter rule on it as a live rule reads a portable source (the stream's
  ``TYPE``), or (``_host``) only its host's source handle into a counting callback;
  the bare host pulls and decodes them. Each is timed from the ``start`` command to
  the N-th message taken.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from statistics import quantiles
from typing import Any

import orjson
import pynng

from kuiper_dev import Workspace
from kuiper_dev.portable import PortableHost

Run = Callable[[], Any]
CALLS, WARMUP = 5_000, 300
SYMBOL = "plainAbs"
SOURCE = "benchBurst"
TIMEOUT_S = 120  # a source run that has not taken every message by then fails

BURST = '''\
"""benchBurst: emits conf["count"] sensor rows as fast as the SDK sends them."""
import threading

from ekuiper import Source


class _Burst(Source):
    def __init__(self):
        self.count = 0
        self._stop = threading.Event()

    def configure(self, datasource, conf):
        self.count = int(conf.get("count", 0))

    def open(self, ctx):
        for i in range(self.count):
            row = {"deviceId": "d%03d" % (i % 100), "temperature": (i * 37) % 10000 / 100,
                   "ts": 1700000000000 + i}
            ctx.emit(row, {})
        self._stop.wait()  # keep the channel open until the rule stops the source

    def close(self, ctx):
        self._stop.set()


BenchBurst = _Burst
'''
STREAM = (
    "CREATE STREAM burst (deviceId STRING, temperature FLOAT, ts BIGINT) "
    f'WITH (TYPE="{SOURCE}", DATASOURCE="burst", FORMAT="json")'
)
FILTER = "SELECT deviceId, temperature FROM burst WHERE temperature > 50"


def _export(define: Callable[[Workspace], Any], symbol: str) -> Path:
    """One plugin exported as portable package ``b{pid}`` (ipc names are global: the
    pid keeps concurrent runs apart); returns the plugins folder holding it."""
    name = f"b{os.getpid()}"
    ws = Workspace(plugins_dir=None)
    define(ws)
    out = Path(tempfile.mkdtemp(prefix="kuiper-bench-portable-"))
    ws.export(symbol, "1.0.0", out, portable=True, package=name)
    return out


def _discard(plugins: Path) -> None:
    """Remove an exported plugins folder (``plugins/portables/NAME`` given too)."""
    root = plugins.parents[1] if plugins.parent.name == "portables" else plugins
    if root.name.startswith("kuiper-bench-portable-"):
        shutil.rmtree(root, ignore_errors=True)


def _package(source: str) -> Path:
    """Function ``plainAbs`` (``source``) as a portable package folder."""
    out = _export(lambda ws: ws.define_function("PlainAbs", source), SYMBOL)
    return out / "portables" / f"b{os.getpid()}"


def _timed(call: Callable[[list[Any]], Any], calls: int) -> list[int]:
    for i in range(WARMUP):
        call([float(i)])
    took = []
    for i in range(calls):
        started = time.perf_counter_ns()
        call([float(-i)])
        took.append(time.perf_counter_ns() - started)
    return took


def _us(ns: list[int], q: int) -> int:
    return int(quantiles(ns, n=100)[q - 1] / 1000)


def _both(ns: list[int]) -> dict[str, int]:
    return {"p50": _us(ns, 50), "p99": _us(ns, 99)}


def _host_calls(folder: Path, calls: int) -> list[int]:
    try:
        with PortableHost(folder) as host:
            return _timed(host.function(SYMBOL).exec, calls)
    finally:
        _discard(folder)


def host_job(q: int, source: str) -> Callable[[Path], Run]:
    """kuiper_dev's PortableHost: the ``q``-th percentile microseconds of one call."""

    def make(_path: Path) -> Run:
        folder = _package(source)
        return lambda: _us(_host_calls(folder, CALLS), q)

    return make


def bare_job(q: int, source: str) -> Callable[[Path], Run]:
    """The same calls on a host written with nothing but pynng and eKuiper's protocol."""

    def make(_path: Path) -> Run:
        folder = _package(source)
        return lambda: _us(_bare_calls(folder, CALLS), q)

    return make


def host_calls_job(source: str) -> Callable[[Path, int], Run]:
    """Both percentiles of ``calls`` calls through kuiper_dev's host, from one run."""

    def make(_path: Path, calls: int) -> Run:
        folder = _package(source)
        return lambda: _both(_host_calls(folder, calls or CALLS))

    return make


def bare_calls_job(source: str) -> Callable[[Path, int], Run]:
    """Both percentiles of the same calls through the bare host."""

    def make(_path: Path, calls: int) -> Run:
        folder = _package(source)
        return lambda: _both(_bare_calls(folder, calls or CALLS))

    return make


class _BareHost:
    """The plugin's process and control channel, with nothing of kuiper_dev's host."""

    def __init__(self, folder: Path) -> None:
        self.name = folder.name
        self.ipc = [f"/tmp/plugin_{self.name}.ipc"]
        self.ctrl = pynng.Rep0(recv_timeout=10_000)
        self.ctrl.listen(f"ipc://{self.ipc[0]}")
        self.sockets: list[pynng.Socket] = [self.ctrl]
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(folder / f"{self.name}.py"),
             json.dumps({"sendTimeout": 1000})],
            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.ctrl.recv()  # the plugin's handshake

    def listen(self, sock: pynng.Socket, stem: str) -> pynng.Socket:
        self.ipc.append(f"/tmp/{stem}.ipc")
        sock.recv_max_size = 0
        sock.listen(f"ipc://{self.ipc[-1]}")
        self.sockets.append(sock)
        return sock

    def start(self, symbol: str, kind: str, meta: dict[str, Any], **more: Any) -> None:
        arg = json.dumps({"symbolName": symbol, "meta": meta, "pluginType": kind, **more})
        self.ctrl.send(json.dumps({"cmd": "start", "arg": arg}).encode())
        reply = self.ctrl.recv()
        if reply != b"ok":
            raise RuntimeError(f"bare host: start {symbol} answered {reply!r}")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        for sock in self.sockets:
            sock.close()
        for path in self.ipc:
            Path(path).unlink(missing_ok=True)


def _bare_calls(folder: Path, calls: int) -> list[int]:
    bare = _BareHost(folder)
    try:
        func = bare.listen(pynng.Rep0(recv_timeout=10_000), f"func_{SYMBOL}")
        bare.start(SYMBOL, "func", {"ruleId": "", "opId": "", "instanceId": 0})
        func.recv()  # the function channel's handshake
        context = json.dumps({"ruleId": "", "opId": "", "instanceId": 0, "funcId": 0})

        def call(args: list[Any]) -> Any:
            func.send(json.dumps({"func": "Exec", "arg": [*args, context]}).encode())
            reply = func.recv()
            while reply[:1] == b"h":  # an idle plugin's handshake: send again
                func.send(json.dumps({"func": "Exec", "arg": [*args, context]}).encode())
                reply = func.recv()
            return json.loads(reply)

        return _timed(call, calls)
    finally:
        bare.close()
        _discard(folder)


def _source_plugins(count: int) -> Path:
    """A plugins folder holding ``benchBurst`` as a portable package, set to ``count``."""
    return _export(
        lambda ws: ws.define_source("BenchBurst", BURST, conf={"default": {"count": count}}),
        SOURCE,
    )


def host_source_job(_path: Path, count: int) -> Run:
    """The filter rule on the portable source, run as a live rule: the result is how
    many messages the rule took (all ``count``, or the run failed)."""
    plugins = _source_plugins(count)
    ws = Workspace(plugins_dir=plugins)
    ws.create_stream(STREAM)
    ws.portables.host(f"b{os.getpid()}")  # process up and handshaken before the timer

    def run() -> int:
        try:
            live = ws.start_live(FILTER, rule_id=f"bench{os.getpid()}", actions=[{"log": {}}],
                                 record=lambda _data: None)  # fmt: skip
            try:
                if not live.wait(messages=count, timeout=TIMEOUT_S):
                    raise RuntimeError(
                        f"portable source: {live.result.messages_in} of {count} messages "
                        f"within {TIMEOUT_S} s"
                    )
                return live.result.messages_in
            finally:
                live.stop()
        finally:
            ws.close()
            _discard(plugins)

    return run


def host_only_source_job(_path: Path, count: int) -> Run:
    """The same source through kuiper_dev's host alone (``PortableHost.source``, as a
    rule's source) into a counting callback: what the host adds without the rule."""
    folder = _source_plugins(count) / "portables" / f"b{os.getpid()}"
    host = PortableHost(folder)
    host.start()
    source = host.source(SOURCE, "burst", {"count": count}, rule_id=f"bench{os.getpid()}")
    got, errors, done = [0], [], threading.Event()

    def deliver(_message: Any) -> None:
        got[0] += 1
        if got[0] >= count:
            done.set()

    def run() -> int:
        try:
            source.start(deliver, errors.append)
            if not done.wait(TIMEOUT_S):
                raise RuntimeError(f"portable source: {got[0]} of {count} messages "
                                   f"within {TIMEOUT_S} s; errors: {errors[:3]}")  # fmt: skip
            return got[0]
        finally:
            source.stop()
            host.stop()
            _discard(folder)

    return run


def bare_source_job(_path: Path, count: int) -> Run:
    """The same plugin's messages into a bare PULL socket, each one decoded."""
    folder = _source_plugins(count) / "portables" / f"b{os.getpid()}"
    bare = _BareHost(folder)
    meta = {"ruleId": f"bench{os.getpid()}", "opId": "source", "instanceId": 1}
    pull = bare.listen(pynng.Pull0(recv_timeout=TIMEOUT_S * 1000),
                       f"{meta['ruleId']}_{meta['opId']}_{meta['instanceId']}")  # fmt: skip

    def run() -> int:
        try:
            bare.start(SOURCE, "source", meta, config={"count": count})
            recv, loads = pull.recv, orjson.loads
            for _ in range(count):
                loads(recv())
            return count
        finally:
            bare.close()
            _discard(folder)

    return run


JOBS: dict[str, Callable[[Path, int], Run]] = {
    "plugin_portable_source": host_source_job,
    "plugin_portable_source_host": host_only_source_job,
}
BARE: dict[str, Callable[[Path, int], Run]] = {"plugin_portable_source": bare_source_job}
