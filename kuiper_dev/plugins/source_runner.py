"""Run a source plugin for one rule, as eKuiper's portable runtime runs it.

The SDK's ``open(ctx)`` blocks until the source is closed, so it runs on a daemon
thread; the engine gets each ``ctx.emit`` through ``on_message`` on that thread.
What crosses is what Go would read after the SDK's ``json.dumps``: a JSON object,
numbers as floats. Nothing the plugin does can leave the caller stuck: ``close``
and the final join are bounded, and every plugin exception reaches ``on_error``
with the plugin's own traceback.
"""

from __future__ import annotations

import functools
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any, Literal

from ..errors import NotJsonNumber, NotPortable, PluginError
from ._threads import call_bounded
from .context import PluginContext
from .fidelity import through_json
from .loader import plugin_traceback
from .slots import PluginSlot

__all__ = ["SourceRunner", "SourceStatus"]

log = logging.getLogger(__name__)

SourceStatus = Literal["idle", "running", "ended", "dead", "stopped"]
"""idle: not started; running: open() runs; ended: open() returned by itself;
dead: configure/open raised (see ``last_error``; ``restart()``); stopped: stop() ran."""


class _Run:
    """One instance of the plugin and the thread its ``open`` runs on."""

    __slots__ = ("ctx", "delivering", "generation", "instance", "thread")

    def __init__(self, instance: Any, generation: int) -> None:
        self.instance = instance
        self.generation = generation
        self.delivering = True
        self.ctx: PluginContext | None = None
        self.thread: threading.Thread | None = None


class SourceRunner:
    """One rule's running source; switches to reloaded code between two messages.

    ``on_message(row, meta)`` and ``on_error(text)`` are called on the plugin's
    thread, one at a time. Instances: a class or factory export gives each runner
    a fresh instance; an instance export is shared by every rule, as eKuiper does.
    """

    def __init__(
        self,
        slot: PluginSlot,
        datasource: str,
        conf: dict[str, Any],
        *,
        on_message: Callable[[dict[str, Any], dict[str, Any]], None],
        on_error: Callable[[str], None],
        rule_id: str = "",
        op_id: str = "",
        instance_id: int = 0,
        close_timeout: float = 2.0,
        follow_reloads: bool = True,
    ) -> None:
        if slot.kind != "source":
            raise PluginError(f"{slot.where}: {slot.name} is a {slot.kind}, not a source")
        self.slot = slot
        self.datasource = datasource
        self.conf = dict(conf)
        self.on_message = on_message
        self.on_error = on_error
        self.rule_id, self.op_id, self.instance_id = rule_id, op_id, instance_id
        self.close_timeout = close_timeout
        self.follow_reloads = follow_reloads
        self.status: SourceStatus = "idle"
        self.last_error: str | None = None
        self.delivered = 0
        self.dropped = 0
        self._run: _Run | None = None
        # one message at a time, swaps in between; re-entrant so that on_message may stop()
        self._deliver = threading.RLock()
        self._control = threading.RLock()  # start/stop/swap one at a time

    @property
    def generation(self) -> int:
        """The slot generation the running instance was made from (-1 before start)."""
        return self._run.generation if self._run else -1

    # -- control -------------------------------------------------------------------
    def start(self) -> None:
        """Make an instance, then configure and open it on a daemon thread."""
        with self._control:
            if self.status == "running":
                return
            if self.follow_reloads:
                self.slot.unwatch(self._on_reload)
                self.slot.watch(self._on_reload)
            self._launch()

    def stop(self, timeout: float | None = None) -> bool:
        """Close the source; False (and ``on_error``) when the plugin did not stop in time."""
        self.slot.unwatch(self._on_reload)
        with self._control:
            clean = self._halt(self._run, timeout)
            self.status = "stopped"
            return clean

    def restart(self) -> None:
        """Stop (bounded) and start again with a fresh instance of the current code."""
        with self._control:
            self._halt(self._run, None)
            self.status = "idle"
            self.start()

    # -- plugin thread ---------------------------------------------------------------
    def _launch(self, instance: Any = None) -> None:
        generation = self.slot.generation
        if instance is None:
            try:
                instance = self.slot.instantiate()
            except PluginError as exc:
                self._die(str(exc))
                return
        run = _Run(instance, generation)
        run.ctx = PluginContext(
            self.rule_id,
            self.op_id,
            self.instance_id,
            emitter=functools.partial(self._emit, run),
            error_emitter=functools.partial(self._emit_error, run),
            acker=lambda _error: None,
        )
        run.thread = threading.Thread(
            target=self._main, args=(run,), daemon=True, name=f"kuiper-source-{self.slot.name}"
        )
        self._run = run
        self.status = "running"
        self.last_error = None
        run.thread.start()

    def _main(self, run: _Run) -> None:
        phase = "configure"
        try:
            # eKuiper sends the DATASOURCE as "dataSource" and in the conf as "datasource";
            # the Python SDK reads the former under "datasource", so a Python plugin's
            # first argument is always "" there: give it exactly that here
            run.instance.configure("", {**self.conf, "datasource": self.datasource})
            phase = "open"
            run.instance.open(run.ctx)
        except Exception as exc:
            if run.delivering and self._run is run:
                self._die(
                    f"source {self.slot.name} ({self.slot.where}): {phase}() raised:\n"
                    f"{plugin_traceback(exc, self.slot.where)}\n"
                    f"Fix the plugin; the rule's source is dead until restart() or a reload"
                )
            return
        if run.delivering and self._run is run:
            # open() returned without being closed: the SDK runtime then closes it
            self.status = "ended"
            call_bounded(run.instance.close, (run.ctx,), self.close_timeout, "kuiper-close")

    def _emit(self, run: _Run, message: Any, meta: Any) -> None:
        where = f"source {self.slot.name} ({self.slot.where})"
        try:
            row = through_json(message, "message")
            info = through_json(meta, "meta") if meta is not None else {}
        except NotJsonNumber as exc:
            self._report(run, f"{where}: emit(): {exc}")
            return
        except NotPortable as exc:
            self._report(run, f"{where}: emit(): {exc}")
            raise  # the SDK's json.dumps raises here too
        if type(row) is not dict or type(info) is not dict:
            bad = "message" if type(row) is not dict else "meta"
            self._report(
                run,
                f"{where}: emit(): the {bad} is a {type(message if bad == 'message' else meta).__name__}; "
                "eKuiper reads a source message and its meta as JSON objects and drops "
                "anything else; emit one dict per message",
            )
            return
        with self._deliver:
            if not run.delivering:
                self.dropped += 1
                return
            self.delivered += 1
            try:
                self.on_message(row, info)
            except Exception:  # the engine's bug, not the plugin's: keep the source alive
                log.exception("source %s: on_message failed", self.slot.name)
                self._call_on_error(
                    f"source {self.slot.name}: the engine failed on a message: "
                    f"{traceback.format_exc(limit=-1).strip()}"
                )

    def _emit_error(self, run: _Run, error: str) -> None:
        self._report(run, f"source {self.slot.name}: {error}")

    def _report(self, run: _Run, text: str) -> None:
        with self._deliver:
            if run.delivering:
                self._call_on_error(text)

    def _die(self, text: str) -> None:
        self.status = "dead"
        self.last_error = text
        with self._deliver:
            self._call_on_error(text)

    def _call_on_error(self, text: str) -> None:
        try:
            self.on_error(text)
        except Exception:
            log.exception("on_error callback failed for %s", text.splitlines()[0])

    # -- stopping and reloading ------------------------------------------------------
    def _halt(self, run: _Run | None, timeout: float | None) -> bool:
        """Close ``run`` (bounded); its messages count until close() has returned."""
        if run is None:
            return True
        timeout = self.close_timeout if timeout is None else timeout
        name = f"source {self.slot.name} ({self.slot.where})"
        finished, exc = call_bounded(run.instance.close, (run.ctx,), timeout, "kuiper-close")
        thread = run.thread
        if thread is threading.current_thread():
            thread = None  # stop() from on_message: open() returns once we are back
        if finished and thread is not None:
            thread.join(timeout)
        with self._deliver:
            run.delivering = False
        if exc is not None:
            self._call_on_error(
                f"{name}: close() raised:\n{plugin_traceback(exc, self.slot.where)}\n"
                "Fix close(); the source was stopped anyway"
            )
        if not finished or (thread is not None and thread.is_alive()):
            what = "close()" if not finished else "open()"
            self._call_on_error(
                f"{name}: {what} still running {timeout:g}s after close() was called; the "
                "thread was left behind. Make open() return soon after close() "
                "(e.g. wait on a threading.Event that close() sets)"
            )
            return False
        return exc is None

    def _on_reload(self, slot: PluginSlot) -> None:
        # The registry's caller must not wait for our close(): switch on a thread.
        threading.Thread(target=self._swap, daemon=True, name="kuiper-source-swap").start()

    def _swap(self) -> None:
        with self._control:
            if self.status not in ("running", "dead", "ended"):
                return
            old = self._run
            if old is not None and old.generation == self.slot.generation:
                return
            try:
                instance = self.slot.instantiate()  # refuse broken code before closing the old
            except PluginError as exc:
                self._call_on_error(f"{exc}\nThe previous code keeps running")
                return
            self._halt(old, None)
            self._launch(instance)
