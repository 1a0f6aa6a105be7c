"""The sink stage: hand each emission to the rule's sinks, count it, keep errors.

A sink that raises is reported on the rule (and in the sink operator's metrics);
the other sinks still get the emission and the rule goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .metrics import OpMetrics
from .result import RuleErrorRecord, RuleResult

__all__ = ["Emitter", "SinkFn"]

SinkFn = Callable[[list[dict[str, Any]]], None]


class Emitter:
    """The rule's sinks, its error records and the ``sendError`` option."""

    __slots__ = (
        "_direct", "_direct_failures", "_metrics", "_now", "_result", "send_error", "sinks", "watchers"
    )  # fmt: skip

    def __init__(self, result: RuleResult, metrics: OpMetrics, *, send_error: bool) -> None:
        self._result = result
        self._metrics = metrics
        self.send_error = send_error
        self.sinks: list[SinkFn] = [result.emissions.append]
        self.watchers: list[SinkFn] = []  # see each emission too, but are no sink (no metrics)
        self._now: Callable[[], int] = lambda: 0
        self._direct = False
        self._direct_failures = 0

    def attach_clock(self, now_ms: Callable[[], int]) -> None:
        self._now = now_ms

    def __call__(self, emission: list[dict[str, Any]]) -> None:
        self._metrics.records_in += 1
        self._fan_out(emission)

    def _fan_out(self, emission: list[dict[str, Any]]) -> None:
        """Every sink and watcher gets ``emission``; each success counts out."""
        metrics = self._metrics
        for index, sink in enumerate(self.sinks):
            try:
                sink(emission)
            except Exception as exc:  # a failing sink is reported; the rule goes on
                self._sink_failed(exc, index)
                continue
            metrics.records_out += 1
        for watch in self.watchers:
            watch(emission)

    def direct(self) -> tuple[SinkFn, Callable[[Exception], None]]:
        """What the generated loops hand each emission to, and what they call when it
        raises; neither counts, the loop reports its total with :meth:`emitted`.

        With one sink and no watchers that is the sink's own target, so an emission
        costs one call instead of three frames. Taken afresh per run, as sinks change.
        """
        self._direct_failures = 0
        self._direct = len(self.sinks) == 1 and not self.watchers
        if not self._direct:
            return self._fan_out, self._direct_failed  # _fan_out never raises
        sink = self.sinks[0]
        direct = getattr(sink, "direct", None)
        return (direct() if direct is not None else sink), self._direct_failed

    def emitted(self, count: int) -> None:
        """Count ``count`` emissions handed out through :meth:`direct` since it was taken."""
        metrics = self._metrics
        metrics.records_in += count
        if self._direct:  # every one reached the sink but those that raised
            metrics.records_out += count - self._direct_failures

    def _direct_failed(self, exc: Exception) -> None:
        self._direct_failures += 1
        self._sink_failed(exc, 0)

    def _sink_failed(self, exc: Exception, index: int) -> None:
        """Sink ``index`` raised: counted on the sinks and on that sink's own node."""
        now = self._now()
        text = f"{type(exc).__name__}: {exc}"
        self._metrics.error(text, now)
        self._result.status.sink_failed(index, text, now)
        self._result.errors.append(RuleErrorRecord(now, f"sink error: {exc}"))

    def error(self, ts: int, message: str) -> None:
        """Record a row the rule could not process; with sendError, emit it too."""
        self._result.errors.append(RuleErrorRecord(ts, message))
        if self.send_error:
            self([{"error": message}])
