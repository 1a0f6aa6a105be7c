"""Function calls through the portable host: microseconds per call, p50 and p99.

The plugin is exported with ``Workspace.export(..., portable=True)`` and runs on the
real ``ekuiper`` SDK in its own process. The limit is a bare host: the fewest pynng
calls that start the same plugin and call the same function, so the ratio is what
kuiper_dev's host adds over eKuiper's protocol itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from statistics import quantiles
from typing import Any

import pynng

from kuiper_dev import Workspace
from kuiper_dev.portable import PortableHost

Run = Callable[[], int]
CALLS, WARMUP = 5_000, 300
SYMBOL = "plainAbs"


def _package(source: str) -> Path:
    """Function ``plainAbs`` (``source``) exported as portable plugin ``b{pid}``
    (ipc names are global: the pid keeps runs apart)."""
    name = f"b{os.getpid()}"
    ws = Workspace(plugins_dir=None)
    ws.define_function("PlainAbs", source)
    out = Path(tempfile.mkdtemp(prefix="kuiper-bench-portable-"))
    ws.export(SYMBOL, "1.0.0", out, portable=True, package=name)
    return out / "portables" / name


def _timed(call: Callable[[list[Any]], Any]) -> list[int]:
    for i in range(WARMUP):
        call([float(i)])
    took = []
    for i in range(CALLS):
        started = time.perf_counter_ns()
        call([float(-i)])
        took.append(time.perf_counter_ns() - started)
    return took


def _us(ns: list[int], q: int) -> int:
    return int(quantiles(ns, n=100)[q - 1] / 1000)


def host_job(q: int, source: str) -> Callable[[Path], Run]:
    """kuiper_dev's PortableHost: the ``q``-th percentile microseconds of one call."""

    def make(_path: Path) -> Run:
        folder = _package(source)

        def run() -> int:
            with PortableHost(folder) as host:
                fn = host.function(SYMBOL)
                return _us(_timed(fn.exec), q)

        return run

    return make


def bare_job(q: int, source: str) -> Callable[[Path], Run]:
    """The same calls on a host written with nothing but pynng and eKuiper's protocol."""

    def make(_path: Path) -> Run:
        folder = _package(source)

        def run() -> int:
            return _us(_bare_calls(folder), q)

        return run

    return make


def _bare_calls(folder: Path) -> list[int]:
    name = folder.name
    ipc = {k: f"/tmp/{k}_{v}.ipc" for k, v in (("plugin", name), ("func", SYMBOL))}
    ctrl = pynng.Rep0(recv_timeout=10_000)
    ctrl.listen(f"ipc://{ipc['plugin']}")
    func = pynng.Rep0(recv_timeout=10_000)
    func.listen(f"ipc://{ipc['func']}")
    proc = subprocess.Popen(
        [sys.executable, "-u", str(folder / f"{name}.py"), json.dumps({"sendTimeout": 1000})],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        ctrl.recv()  # the plugin's handshake
        meta = {"ruleId": "", "opId": "", "instanceId": 0}
        arg = json.dumps({"symbolName": SYMBOL, "meta": meta, "pluginType": "func"})
        ctrl.send(json.dumps({"cmd": "start", "arg": arg}).encode())
        assert ctrl.recv() == b"ok"
        func.recv()  # the function channel's handshake
        context = json.dumps({"ruleId": "", "opId": "", "instanceId": 0, "funcId": 0})

        def call(args: list[Any]) -> Any:
            func.send(json.dumps({"func": "Exec", "arg": [*args, context]}).encode())
            reply = func.recv()
            while reply[:1] == b"h":  # an idle plugin's handshake: send again
                func.send(json.dumps({"func": "Exec", "arg": [*args, context]}).encode())
                reply = func.recv()
            return json.loads(reply)

        return _timed(call)
    finally:
        proc.kill()
        proc.wait(10)
        ctrl.close()
        func.close()
        for path in ipc.values():
            if os.path.exists(path):
                os.unlink(path)
