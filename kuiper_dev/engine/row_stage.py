"""The row path of a rule without a window: WHERE, then SELECT, per row.

It also runs the planner's generated stateless loop, which stands for decode,
WHERE and SELECT at once and counts into the same operator metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .._types import Message
from ..errors import EvalError
from .emit import Emitter
from .fastpath import FastPath
from .joins import TaggedRow
from .metrics import OpMetrics
from .plan import RowPlan
from .runtime import Runtime

__all__ = ["RowStage"]


class RowStage:
    """WHERE and SELECT over single rows, with the filter and project counters."""

    def __init__(
        self,
        plan: RowPlan,
        *,
        metrics: dict[str, OpMetrics],
        emit: Emitter,
        runtime: Runtime,
        tables: Callable[[], Sequence[TaggedRow]],
    ) -> None:
        self.plan = plan
        self._metrics = metrics
        self._emit = emit
        self._runtime = runtime
        self._tables = tables

    def ingest(self, row: dict[str, Any]) -> None:
        """One row; EvalError goes to the caller, which records it."""
        plan = self.plan
        if plan.collection is not None:  # a stream joined with tables
            out = plan.collection.apply([row], self._tables())
            if out is not None:
                self._emit(out)
            return
        now = self._runtime.now_ms
        if plan.where is not None:
            filt = self._metrics["filter"]
            filt.records_in += 1
            try:
                keep = plan.where(row)
            except EvalError as exc:  # eKuiper's filter operator counts what it returns
                filt.error(str(exc), now())
                raise
            if not keep:
                return
            filt.records_out += 1
        project = self._metrics["project"]
        project.records_in += 1
        self._runtime.row_index = 0
        try:
            out = plan.project(row)
        except EvalError as exc:
            project.error(str(exc), now())
            raise
        project.records_out += 1
        if plan.send_meta:  # eKuiper adds the message's metadata to each result row
            for r in out:
                r["__meta"] = self._runtime.meta
        if plan.split:
            for r in out:
                self._emit([r])
            return
        self._emit(out)

    def run_fast(
        self, fast: FastPath, messages: Iterable[Message], slow: Callable[[Message], None]
    ) -> int | None:
        """Messages through the generated loop; returns the last arrival time."""
        emit, failed = self._emit.direct()
        handled, passed, last = fast.run(messages, emit, failed, slow)
        self._emit.emitted(passed)
        self._count(handled, passed, fast.has_where, last)
        return last

    def run_fast_payloads(
        self, fast: FastPath, payloads: Iterable[bytes], ts: int, slow: Callable[[bytes], None]
    ) -> None:
        """Bare payloads (all arriving at ``ts``) through the generated loop."""
        emit, failed = self._emit.direct()
        handled, passed = fast.run_payloads(payloads, emit, failed, slow)
        self._emit.emitted(passed)
        self._count(handled, passed, fast.has_where, ts if handled else None)

    def _count(self, handled: int, passed: int, has_where: bool, last: int | None) -> None:
        m = self._metrics
        m["source"].records_in += handled
        m["source"].records_out += handled
        if last is not None:
            m["source"].last_invocation = last
        if has_where:
            m["filter"].records_in += handled
            m["filter"].records_out += passed
        m["project"].records_in += passed
        m["project"].records_out += passed
