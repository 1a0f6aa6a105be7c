"""A live rule in the background: its own thread runs the driver on the wall clock.

The notebook kernel must stay free while a rule follows live traffic, so the run
goes to a daemon thread; the caller keeps a :class:`LiveRule` to watch the result
grow, wait for emissions, and stop it (bounded in time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from ..connectors import Source
from ..errors import RuleError
from .clock import WallClock
from .driver import Driver, LiveRun
from .pipeline import Pipeline
from .result import RuleResult

__all__ = ["LiveRule", "start_live"]


class LiveRule:
    """Handle of a rule running on live sources: ``result`` grows as it emits."""

    def __init__(
        self,
        pipeline: Pipeline,
        sources: Mapping[str, Source],
        timeout_ms: int,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self._on_stop = on_stop
        self.result: RuleResult = pipeline.result
        self.run: LiveRun | None = None
        self.error: BaseException | None = None
        self.emitted = 0  # emissions sent to the rule's sinks so far
        pipeline.watch(self._count)
        self._stop = threading.Event()
        self._started = threading.Event()
        self._thread = threading.Thread(
            target=self._main, args=(sources, timeout_ms), name=f"live-{pipeline.id}", daemon=True
        )

    def _main(self, sources: Mapping[str, Source], timeout_ms: int) -> None:
        try:
            with Driver(WallClock()).driving(self.pipeline) as driver:
                self.run = driver.run_live(
                    sources, timeout_ms=timeout_ms, done=self._stop.is_set,
                    started=self._started.set,
                )  # fmt: skip
        except BaseException as exc:  # reported to the caller by start() and stop()
            self.error = exc
        finally:
            self._started.set()
            if self._on_stop is not None:
                self._on_stop()  # the rule's sinks: flushed and closed with it

    def _count(self, _emission: object) -> None:
        self.emitted += 1

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(
        self, *, emissions: int | None = None, messages: int | None = None, timeout: float = 10.0
    ) -> bool:
        """Block until the rule has sent ``emissions`` and taken ``messages`` (True), or
        until ``timeout`` seconds pass or the rule ends (whether they were reached)."""
        end = time.monotonic() + timeout

        def reached() -> bool:
            return (emissions is None or self.emitted >= emissions) and (
                messages is None or self.result.messages_in >= messages
            )

        while not reached():
            if not self.running or time.monotonic() >= end:
                return reached()
            time.sleep(0.01)
        return True

    def join(self, timeout: float) -> bool:
        """Wait for the rule to end by itself (its ``timeout_ms``); True when it has."""
        self._thread.join(timeout)
        return not self.running

    def stop(self, timeout: float = 5.0) -> LiveRun:
        """Stop the sources and the rule; what it emitted stays in ``result``."""
        self._stop.set()
        self._thread.join(timeout)
        if self.error is not None:
            raise RuleError(f"live rule {self.pipeline.id} failed: {self.error}") from self.error
        run = self.run or LiveRun()
        run.emissions = self.emitted
        return run


def start_live(
    pipeline: Pipeline,
    sources: Mapping[str, Source],
    *,
    timeout_ms: int,
    ready: float = 10.0,
    on_stop: Callable[[], None] | None = None,
) -> LiveRule:
    """Start ``pipeline`` on ``sources`` in the background; returns once every source
    has started (subscribed), so traffic sent after it is seen. ``on_stop`` runs
    when the rule ends (its sinks' close)."""
    live = LiveRule(pipeline, sources, timeout_ms, on_stop)
    live._thread.start()
    if not live._started.wait(ready):
        live.stop()
        raise RuleError(f"live rule {pipeline.id}: its sources did not start within {ready} s")
    if live.error is not None:
        raise RuleError(f"live rule {pipeline.id} failed to start: {live.error}") from live.error
    return live
