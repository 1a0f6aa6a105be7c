"""Host a portable plugin the way eKuiper does: a child process spoken to over nng.

The child is the plugin's own main program on the real ``ekuiper`` SDK. It dials
``ipc:///tmp/plugin_{name}.ipc`` (the control channel, where this host listens as
REP) and sends ``handshake``; each command is the reply to its latest request and
the command's result comes back as its next request. An idle SDK re-sends
``handshake`` every 5 s, so a result that is a handshake means "send again".

The host keeps the child's output (the SDK logs to stdout), notices when it dies,
reports the crash with its last lines and restarts it, replaying the start commands
of the symbols in use, as eKuiper's plugin instance manager does.
"""

from __future__ import annotations

import collections
import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import pynng

from ..errors import PortableError
from .manifest import PortableManifest
from .symbols import PortableFunction, PortableSink, PortableSource, ipc_path

__all__ = ["PortableHost"]

log = logging.getLogger(__name__)

_POLL_MS = 100
_MAX_RESENDS = 1000  # queued handshakes of an idle child; each resend is quick
_STABLE_S = 60.0  # a process that ran this long gets its restart budget back


class PortableHost:
    """One portable plugin's process, control channel and symbol handles.

    ``folder`` holds ``{name}.json`` and its executable (see
    :func:`~kuiper_dev.portable.open_portable` for zips). ``status()`` answers as
    eKuiper's ``GET /plugins/portables/{name}``: status, pid, refCount, errMsg.
    """

    def __init__(
        self,
        folder: Path | str,
        *,
        python: str = sys.executable,
        handshake_timeout: float = 10.0,
        call_timeout: float = 5.0,
        restart: bool = True,
        max_restarts: int = 3,
    ) -> None:
        self.folder = Path(folder)
        self.manifest = _checked(self.folder)
        self.name = self.manifest.name
        self.python = python
        self.handshake_timeout = handshake_timeout
        self.call_timeout = call_timeout
        self.restart = restart
        self.max_restarts = max_restarts
        self.crashes: list[str] = []  # each crash report, oldest first
        self._status = "initializing"
        self._err = ""
        self._refs: dict[str, int] = {}
        self._commands: dict[tuple[str, str, int, str], bytes] = {}
        self._handles: list[PortableFunction | PortableSource | PortableSink] = []
        self._functions: dict[str, PortableFunction] = {}
        self._instance = 0
        self._proc: subprocess.Popen[str] | None = None
        self._output: collections.deque[str] = collections.deque(maxlen=200)
        self._ctrl: pynng.Rep0 | None = None
        self._lock = threading.RLock()  # one command at a time on the control channel
        self._stopping = False
        self._restarts = 0
        self._started = 0.0
        self._threads: list[threading.Thread] = []

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> PortableHost:
        self.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Listen on the control channel, run the plugin and wait for its handshake."""
        with self._lock:
            if self._ctrl is not None:
                raise PortableError(
                    f"portable plugin {self.name} is already started; stop it first"
                )
            self._stopping = False
            ctrl = pynng.Rep0(recv_timeout=_POLL_MS, send_timeout=1000)
            ctrl.recv_max_size = 0
            try:
                ctrl.listen(f"ipc://{ipc_path('plugin_' + self.name)}")
            except pynng.NNGException as exc:
                ctrl.close()  # the file is the other host's: leave it
                raise PortableError(
                    f"portable plugin {self.name}: cannot listen on its control channel "
                    f"{ipc_path('plugin_' + self.name)} ({exc}); is another host running it? "
                    "stop that one first"
                ) from exc
            self._ctrl = ctrl
            try:
                self._spawn()
            except BaseException:
                self.stop()
                raise

    def stop(self) -> None:
        """Stop every symbol, end the process, close the channels; leaves no ipc file."""
        with self._lock:
            self._stopping = True
            for handle in list(self._handles):
                try:
                    handle.close()
                except Exception as exc:  # the process may be gone; keep stopping
                    log.debug("portable %s: closing %s: %s", self.name, handle, exc)
            self._handles.clear()
            self._functions.clear()
            self._commands.clear()
            self._refs.clear()
            self._kill()
            self._close_ctrl()
            if self._status != "error":
                self._status, self._err = "stop", ""
        for t in self._threads:
            t.join(timeout=5)
        self._threads = [t for t in self._threads if t.is_alive()]

    def update(self, folder: Path | str) -> None:
        """Switch to a new version of the plugin: channels stay, the process is replaced."""
        folder = Path(folder)
        manifest = _checked(folder)
        if manifest.name != self.name:
            raise PortableError(
                f"update portable plugin {self.name}: {folder} holds plugin {manifest.name}; "
                "update with a package of the same name"
            )
        with self._lock:
            self._kill()
            self.folder, self.manifest = folder, manifest
            self._restarts = 0
            self._spawn()

    def status(self) -> dict[str, Any]:
        """``{"status", "pid", "refCount", "errMsg"}`` as eKuiper reports a portable plugin."""
        proc = self._proc
        code = proc.poll() if proc is not None else None
        status, err = self._status, self._err
        if proc is not None and code is not None and status == "running":
            # died a moment ago: the watcher has not reported it yet
            status, err = "error", f"plugin process exited with code {code}"
        pid = proc.pid if proc is not None and code is None else 0
        return {"refCount": dict(self._refs), "status": status, "errMsg": err, "pid": pid}

    def output(self, lines: int = 20) -> list[str]:
        """The last ``lines`` lines the plugin printed (stdout and stderr)."""
        return list(self._output)[-lines:]

    # -- symbols -----------------------------------------------------------------------
    def function(self, name: str) -> PortableFunction:
        """The handle on function symbol ``name`` (one per symbol, as eKuiper keeps it)."""
        with self._lock:
            fn = self._functions.get(name)
            if fn is None:
                self._declared("function", name, self.manifest.functions)
                fn = PortableFunction(self, name)
                self._functions[name] = fn
                self._handles.append(fn)
            return fn

    def source(
        self,
        name: str,
        datasource: str = "",
        props: dict[str, Any] | None = None,
        *,
        rule_id: str = "kuiperdev",
        op_id: str = "",
    ) -> PortableSource:
        """A :class:`~kuiper_dev.connectors.base.Source` reading source symbol ``name``."""
        self._declared("source", name, self.manifest.sources)
        handle = PortableSource(
            self,
            name,
            datasource,
            dict(props or {}),
            (rule_id, op_id or f"source_{name}", self._next()),
        )
        with self._lock:
            self._handles.append(handle)
        return handle

    def sink(
        self,
        name: str,
        props: dict[str, Any] | None = None,
        *,
        rule_id: str = "kuiperdev",
        op_id: str = "",
    ) -> PortableSink:
        """A started :class:`~kuiper_dev.connectors.base.Sink` writing to sink symbol ``name``."""
        self._declared("sink", name, self.manifest.sinks)
        handle = PortableSink(
            self, name, dict(props or {}), (rule_id, op_id or f"sink_{name}", self._next())
        )
        with self._lock:
            self._handles.append(handle)
        return handle

    def _next(self) -> int:
        with self._lock:
            self._instance += 1
            return self._instance

    def _declared(self, kind: str, name: str, names: tuple[str, ...]) -> None:
        if self._ctrl is None:
            raise PortableError(f"portable plugin {self.name} is not started; call start() first")
        if name not in names:
            listed = ", ".join(names) or "none"
            raise PortableError(
                f"portable plugin {self.name} has no {kind} {name!r} (its {kind}s: {listed}); "
                f"use one it lists in {self.name}.json"
            )

    # -- control channel (used by the symbol handles) ----------------------------------
    def send_command(self, cmd: str, ctrl: dict[str, Any]) -> None:
        """Send ``start``/``stop`` for a symbol and check the plugin answers ``ok``."""
        meta = ctrl["meta"]
        key = (meta["ruleId"], meta["opId"], meta["instanceId"], ctrl["symbolName"])
        data = json.dumps({"cmd": cmd, "arg": json.dumps(ctrl)}).encode()
        rule = meta["ruleId"]
        with self._lock:
            if cmd == "stop":
                # forgotten even if the plugin cannot answer: a restart must not replay it
                if self._commands.pop(key, None) is not None and rule in self._refs:
                    self._refs[rule] -= 1
                    if not self._refs[rule]:
                        del self._refs[rule]
            reply = self._request(data)
            if reply != b"ok":
                raise PortableError(
                    f"portable plugin {self.name}: {cmd} {ctrl['pluginType']} "
                    f"{ctrl['symbolName']} failed:\n{reply.decode(errors='replace').rstrip()}\n"
                    "fix the plugin's symbol (see the traceback above)"
                )
            if cmd == "start":
                self._commands[key] = data
                if rule:
                    self._refs[rule] = self._refs.get(rule, 0) + 1

    def forget(self, handle: Any) -> None:
        with self._lock:
            if handle in self._handles:
                self._handles.remove(handle)

    def describe_trouble(self) -> str:
        """Status and last output, for error messages."""
        st = self.status()
        last = "\n".join(self.output(10)) or "(no output)"
        return f"plugin {self.name} status {st['status']} {st['errMsg']}\nlast output:\n{last}"

    def _request(self, data: bytes) -> bytes:
        ctrl = self._ctrl
        if ctrl is None:
            raise PortableError(f"portable plugin {self.name} is not started; call start() first")
        deadline = time.monotonic() + self.call_timeout
        for _ in range(_MAX_RESENDS):
            try:
                ctrl.send(data)
            except pynng.BadState:  # no request pending: take the one waiting first
                self._recv(ctrl, deadline, "an answer")
                ctrl.send(data)
            reply = self._recv(ctrl, deadline, "an answer")
            if reply[:1] != b"h":
                return reply
        raise PortableError(f"portable plugin {self.name}: only handshakes came back; restart it")

    def _recv(self, sock: pynng.Socket, deadline: float, what: str) -> bytes:
        while True:
            try:
                return bytes(sock.recv())
            except pynng.Timeout:
                proc = self._proc
                if proc is None or proc.poll() is not None:
                    raise PortableError(
                        f"portable plugin {self.name} is not running while waiting for {what}; "
                        f"{self.describe_trouble()}"
                    ) from None
                if time.monotonic() > deadline:
                    raise PortableError(
                        f"portable plugin {self.name}: no {what} in time; {self.describe_trouble()}"
                    ) from None

    # -- process -----------------------------------------------------------------------
    def _spawn(self) -> None:
        """Run the executable, wait for its handshake, replay the symbols' start commands."""
        exe = self.folder / self.manifest.executable
        cmd = [self.python, "-u", str(exe.resolve()), json.dumps({"sendTimeout": 1000})]
        if self.manifest.language != "python":
            cmd = [str(exe.resolve()), json.dumps({"sendTimeout": 1000})]
        self._status = "initializing"
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=self.folder,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                errors="replace",
                start_new_session=True,  # a notebook's interrupt is not the plugin's
            )
        except OSError as exc:
            self._status, self._err = "error", str(exc)
            raise PortableError(
                f"portable plugin {self.name}: cannot run {cmd[0]} ({exc}); check the executable"
            ) from exc
        self._proc = proc
        self._started = time.monotonic()
        self._thread(self._read_output, proc)
        ctrl = self._ctrl
        assert ctrl is not None
        try:
            self._recv(ctrl, time.monotonic() + self.handshake_timeout, "its handshake")
        except PortableError as exc:
            msg = str(exc).replace(
                "no its handshake in time", f"no handshake within {self.handshake_timeout:g}s"
            )
            self._status, self._err = "error", msg
            self._kill()
            raise PortableError(
                f"{msg}\nThe plugin must call ekuiper.plugin.start(PluginConfig({self.name!r}, ...)); "
                "check its main program and that the ekuiper package is installed"
            ) from None
        self._status, self._err = "running", ""
        for data in list(self._commands.values()):
            reply = self._request(data)
            if reply != b"ok":
                self._status, self._err = "error", reply.decode(errors="replace")
        self._thread(self._watch, proc)

    def _thread(self, target: Any, proc: subprocess.Popen[str]) -> None:
        t = threading.Thread(target=target, args=(proc,), daemon=True, name=f"portable-{self.name}")
        self._threads = [x for x in self._threads if x.is_alive()]
        self._threads.append(t)
        t.start()

    def _read_output(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._output.append(line.rstrip("\n"))
            log.debug("portable %s: %s", self.name, line.rstrip())
        proc.stdout.close()

    def _watch(self, proc: subprocess.Popen[str]) -> None:
        code = proc.wait()
        with self._lock:
            if self._stopping or proc is not self._proc:
                return  # stopped or replaced on purpose
            time.sleep(0.05)  # let the reader take the last lines
            report = f"portable plugin {self.name} (pid {proc.pid}) exited with code {code}"
            last = "\n".join(self.output(10))
            self.crashes.append(f"{report}; last output:\n{last}")
            self._status, self._err = "error", report
            log.warning("%s; last output:\n%s", report, last)
            if time.monotonic() - self._started > _STABLE_S:
                self._restarts = 0  # it ran a good while: a fresh budget
            if not self.restart or self._restarts >= self.max_restarts:
                return
            self._restarts += 1
            try:
                self._spawn()
            except PortableError as exc:
                self.crashes.append(str(exc))
                log.warning("%s", exc)

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=3)

    def _close_ctrl(self) -> None:
        if self._ctrl is not None:  # ours to clean; another host's file is left alone
            self._ctrl.close()
            self._ctrl = None
            Path(ipc_path("plugin_" + self.name)).unlink(missing_ok=True)


def _checked(folder: Path) -> PortableManifest:
    manifest = PortableManifest.read(folder)
    exe = folder / manifest.executable
    if not exe.is_file():
        raise PortableError(
            f"{folder / (manifest.name + '.json')}: executable {manifest.executable!r} is missing "
            f'from {folder}; add it or fix "executable"'
        )
    if manifest.language == "python" and manifest.extra.get("virtualEnvType"):
        raise PortableError(
            f"portable plugin {manifest.name}: virtualEnvType "
            f"{manifest.extra['virtualEnvType']!r} is not supported by kuiper_dev's host; "
            "remove it to run with this Python"
        )
    return manifest
