"""Run a sink plugin for one rule, as eKuiper's portable runtime runs it.

eKuiper encodes what a rule emits to JSON before a portable sink sees it: the
whole emission (a JSON array of objects) per ``collect`` call, or one JSON object
per call when the action sets ``sendSingle``. The plugin's ``collect(ctx, data)``
gets those bytes. Delivery is asynchronous, as eKuiper's is: :meth:`SinkRunner.collect`
queues and returns; one daemon worker thread calls the plugin in order. With
``requireAck`` the worker waits (bounded) for ``ctx.ack_ok()``/``ctx.ack_error()``.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Literal

from ..errors import PluginError
from ..go import dumps
from ._threads import call_bounded
from .context import PluginContext
from .loader import plugin_traceback
from .slots import PluginSlot

__all__ = ["SinkRunner", "SinkStatus", "encode_emission"]

log = logging.getLogger(__name__)

SinkStatus = Literal["idle", "running", "dead", "stopped"]
"""idle: not started; running: open() returned and collects go on; dead: the
instance could not be made, configured or opened (``last_error``; ``restart()``);
stopped: stop() ran."""

_STOP = object()
_POLL = 0.05  # seconds the idle worker waits before looking for a reload


def encode_emission(rows: list[dict[str, Any]] | dict[str, Any], send_single: bool) -> list[bytes]:
    """The bytes a portable sink's ``collect`` receives for one emission, call by call.

    >>> encode_emission([{"b": 2.0, "a": "x"}], send_single=False)
    [b'[{"a":"x","b":2}]']
    >>> encode_emission([{"a": 1}, {"a": 2}], send_single=True)
    [b'{"a":1}', b'{"a":2}']
    """
    if isinstance(rows, dict):
        return [dumps(rows).encode()]
    if send_single:
        return [dumps(row).encode() for row in rows]
    return [dumps(rows).encode()]


class _Instance:
    __slots__ = ("ctx", "generation", "obj")

    def __init__(self, obj: Any, ctx: PluginContext, generation: int) -> None:
        self.obj, self.ctx, self.generation = obj, ctx, generation


class SinkRunner:
    """One rule's sink action; switches to reloaded code between two collects.

    ``on_error(text)`` gets every plugin exception (with its traceback), ack error
    and ack timeout; ``on_ack(error)`` every ack (``None`` for ``ack_ok``). Both are
    called on the worker thread. With ``on_emission_error(ts, text)`` the errors
    of one emission (its ``collect()`` raised, its ack failed or timed out, it was
    dropped) go there instead, with the ``ts`` the emission was handed over with,
    since the worker reports them later than the engine's clock saw them.
    ``conf`` is the action's properties, passed whole to ``configure`` as eKuiper
    does; ``requireAck`` and ``sendSingle`` are read from it.
    """

    def __init__(
        self,
        slot: PluginSlot,
        conf: dict[str, Any],
        *,
        on_error: Callable[[str], None],
        on_ack: Callable[[str | None], None] | None = None,
        on_emission_error: Callable[[int, str], None] | None = None,
        rule_id: str = "",
        op_id: str = "",
        instance_id: int = 0,
        ack_timeout: float = 5.0,
        close_timeout: float = 2.0,
        follow_reloads: bool = True,
    ) -> None:
        if slot.kind != "sink":
            raise PluginError(f"{slot.where}: {slot.name} is a {slot.kind}, not a sink")
        self.slot = slot
        self.conf = dict(conf)
        self.require_ack = bool(conf.get("requireAck", False))
        self.send_single = bool(conf.get("sendSingle", False))
        self.on_error = on_error
        self.on_ack = on_ack
        self.on_emission_error = on_emission_error
        self.rule_id, self.op_id, self.instance_id = rule_id, op_id, instance_id
        self.ack_timeout = ack_timeout
        self.close_timeout = close_timeout
        self.follow_reloads = follow_reloads
        self.status: SinkStatus = "idle"
        self.last_error: str | None = None
        self.collected = 0  # collect() calls that returned without raising
        self.acked = 0
        self._queue: queue.Queue[Any] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._current: _Instance | None = None
        self._reload = threading.Event()
        self._ack = threading.Event()
        self._ack_result: str | None = None
        self._ack_lock = threading.Lock()
        self._awaiting = False
        self._worker: threading.Thread | None = None
        self._epoch = 0

    @property
    def generation(self) -> int:
        """The slot generation the current instance was made from (-1 without one)."""
        return self._current.generation if self._current else -1

    # -- engine side -----------------------------------------------------------------
    def start(self) -> None:
        """Start the worker: it makes, configures and opens an instance, then collects."""
        if self._worker is not None and self._worker.is_alive():
            return
        if self.follow_reloads:
            self.slot.unwatch(self._on_reload)
            self.slot.watch(self._on_reload)
        self.status = "running"
        self._epoch += 1
        self._queue = queue.Queue()
        with self._idle:
            self._pending = 0
        self._worker = threading.Thread(
            target=self._work,
            args=(self._queue, self._epoch),
            daemon=True,
            name=f"kuiper-sink-{self.slot.name}",
        )
        self._worker.start()

    def collect(self, rows: list[dict[str, Any]] | dict[str, Any], ts: int = 0) -> None:
        """Queue one emission (JSON-encoded now, so later changes to ``rows`` don't leak).

        ``ts`` is the emission's time (the rule's clock, epoch ms): its errors carry it.
        """
        if self.status in ("dead", "stopped", "idle"):
            self._report(
                f"sink {self.slot.name}: emission dropped, the sink is {self.status}"
                + (f" ({self.last_error.splitlines()[0]})" if self.last_error else "")
                + "; fix the plugin and restart() it",
                ts,
            )
            return
        for data in encode_emission(rows, self.send_single):
            with self._idle:
                self._pending += 1
            self._queue.put((data, ts))

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every queued emission has been collected; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout: float | None = None) -> bool:
        """Finish queued collects and close the sink; False when it did not stop in time."""
        self.slot.unwatch(self._on_reload)
        timeout = self.close_timeout if timeout is None else timeout
        worker = self._worker
        if worker is None:
            self.status = "stopped"
            return True
        self._queue.put(_STOP)
        if worker is not threading.current_thread():
            worker.join(timeout)
        self.status = "stopped"
        if worker.is_alive() and worker is not threading.current_thread():
            self._report(
                f"sink {self.slot.name} ({self.slot.where}): still busy {timeout:g}s after "
                "stop(); the worker thread was left behind. Make collect() and close() "
                "return promptly"
            )
            return False
        return True

    def restart(self) -> None:
        """Stop (bounded) and start again with a fresh instance of the current code."""
        self.stop()
        self.last_error = None
        self.start()

    # -- worker thread -----------------------------------------------------------------
    def _work(self, inbox: queue.Queue[Any], epoch: int) -> None:
        # ``inbox`` and ``current`` are this worker's own: a worker left behind by a
        # timed-out stop() must not touch the instance of the one restart() began.
        current = self._open_new()
        self._publish(epoch, current)
        while True:
            if self._reload.is_set() and epoch == self._epoch:
                self._reload.clear()
                current = self._switch(current)
                self._publish(epoch, current)
            try:
                data = inbox.get(timeout=_POLL)
            except queue.Empty:
                continue
            if data is _STOP:
                break
            payload, ts = data  # the encoded emission and its time
            try:
                self._collect_one(current, payload, ts)
            finally:
                with self._idle:
                    if epoch == self._epoch:
                        self._pending -= 1
                        self._idle.notify_all()
        if epoch == self._epoch:
            with self._idle:
                self._pending = 0
                self._idle.notify_all()
        if current is not None:
            self._close(current)
        self._publish(epoch, None)

    def _publish(self, epoch: int, current: _Instance | None) -> None:
        if epoch == self._epoch:
            self._current = current

    def _open_new(self) -> _Instance | None:
        generation = self.slot.generation
        where = f"sink {self.slot.name} ({self.slot.where})"
        try:
            obj = self.slot.instantiate()
        except PluginError as exc:
            self._fail(str(exc))
            return None
        ctx = PluginContext(self.rule_id, self.op_id, self.instance_id, acker=self._on_plugin_ack)
        steps: tuple[tuple[str, Any, tuple[Any, ...]], ...] = (
            ("configure", obj.configure, (dict(self.conf),)),
            ("open", obj.open, (ctx,)),
        )
        for phase, call, args in steps:
            try:
                call(*args)
            except Exception as exc:
                self._fail(
                    f"{where}: {phase}() raised:\n{plugin_traceback(exc, self.slot.where)}\n"
                    "Fix the plugin; restart() the sink or reload the plugin"
                )
                return None
        return _Instance(obj, ctx, generation)

    def _collect_one(self, current: _Instance | None, data: bytes, ts: int) -> None:
        if current is None:
            self._report(f"sink {self.slot.name}: emission dropped, the sink is dead", ts)
            return
        with self._ack_lock:
            self._ack.clear()
            self._ack_result = None
            self._awaiting = self.require_ack
        try:
            current.obj.collect(current.ctx, data)
        except Exception as exc:
            with self._ack_lock:
                self._awaiting = False
            self._report(
                f"sink {self.slot.name} ({self.slot.where}): collect() raised:\n"
                f"{plugin_traceback(exc, self.slot.where)}\n"
                "The emission is lost; the sink goes on with the next one",
                ts,
            )
            return
        self.collected += 1
        if self.require_ack:
            self._await_ack(ts)

    def _await_ack(self, ts: int) -> None:
        got = self._ack.wait(self.ack_timeout)
        with self._ack_lock:
            self._awaiting = False
            result = self._ack_result
        if not got:
            self._report(
                f"sink {self.slot.name} ({self.slot.where}): requireAck is set but no "
                f"ack came within {self.ack_timeout:g}s; call ctx.ack_ok() or "
                "ctx.ack_error(msg) once per collect()",
                ts,
            )
            return
        self.acked += 1
        if self.on_ack is not None:
            try:
                self.on_ack(result)
            except Exception:
                log.exception("on_ack callback failed")
        if result is not None:
            self._report(f"sink {self.slot.name}: ack error: {result}", ts)

    def _on_plugin_ack(self, error: str | None) -> None:
        # Called on whatever thread the plugin acks from; an ack nobody waits for
        # (requireAck off, or after the timeout) is ignored as eKuiper ignores it.
        with self._ack_lock:
            if not self._awaiting or self._ack.is_set():
                return
            self._ack_result = error
            self._ack.set()

    def _switch(self, current: _Instance | None) -> _Instance | None:
        """Open the reloaded code, then close the old instance: no collect is lost."""
        if current is not None and current.generation == self.slot.generation:
            return current
        fresh = self._open_new()
        if fresh is None:
            if current is not None:
                self.status = "running"
                self._report("The previous code keeps collecting")
            return current
        self.status = "running"
        self.last_error = None
        if current is not None:
            self._close(current)
        return fresh

    def _close(self, inst: _Instance) -> None:
        finished, exc = call_bounded(
            inst.obj.close, (inst.ctx,), self.close_timeout, "kuiper-sink-close"
        )
        where = f"sink {self.slot.name} ({self.slot.where})"
        if exc is not None:
            self._report(f"{where}: close() raised:\n{plugin_traceback(exc, self.slot.where)}")
        elif not finished:
            self._report(
                f"{where}: close() did not return within {self.close_timeout:g}s; left behind. "
                "Make close() return promptly"
            )

    def _on_reload(self, slot: PluginSlot) -> None:
        self._reload.set()  # the worker switches before its next collect

    def _fail(self, text: str) -> None:
        self.status = "dead"
        self.last_error = text
        self._report(text)

    def _report(self, text: str, ts: int | None = None) -> None:
        """Hand an error to ``on_error``, or with the emission's ``ts`` to ``on_emission_error``."""
        try:
            if ts is not None and self.on_emission_error is not None:
                self.on_emission_error(ts, text)
            else:
                self.on_error(text)
        except Exception:
            log.exception("on_error callback failed for %s", text.splitlines()[0])
