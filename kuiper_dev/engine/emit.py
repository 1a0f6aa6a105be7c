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

    __slots__ = ("_metrics", "_now", "_result", "send_error", "sinks", "watchers")

    def __init__(self, result: RuleResult, metrics: OpMetrics, *, send_error: bool) -> None:
        self._result = result
        self._metrics = metrics
        self.send_error = send_error
        self.sinks: list[SinkFn] = [result.emissions.append]
        self.watchers: list[SinkFn] = []  # see each emission too, but are no sink (no metrics)
        self._now: Callable[[], int] = lambda: 0

    def attach_clock(self, now_ms: Callable[[], int]) -> None:
        self._now = now_ms

    def __call__(self, emission: list[dict[str, Any]]) -> None:
        metrics = self._metrics
        metrics.records_in += 1
        for sink in self.sinks:
            try:
                sink(emission)
            except Exception as exc:  # a failing sink is reported; the rule goes on
                now = self._now()
                metrics.error(f"{type(exc).__name__}: {exc}", now)
                self._result.status.sink_failed(
                    self.sinks.index(sink), f"{type(exc).__name__}: {exc}", now
                )
                self._result.errors.append(RuleErrorRecord(now, f"sink error: {exc}"))
                continue
            metrics.records_out += 1
        for watch in self.watchers:
            watch(emission)

    def error(self, ts: int, message: str) -> None:
        """Record a row the rule could not process; with sendError, emit it too."""
        self._result.errors.append(RuleErrorRecord(ts, message))
        if self.send_error:
            self([{"error": message}])
