"""Conditional state windows: opened and closed by rows, never by time.

eKuiper runs ``STATEWINDOW`` only on its v2 window operator
(``internal/topo/node/window_v2_op.go``, ``StateWindowOp``); the v1 operator
refuses it. The window reads each row's timestamp but sets no timer, so the same
state machine serves processing time (arrival order) and event time (rows as the
watermark releases them, in event-time order, with their event timestamps).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...errors import EvalError
from ...go import go_str
from .spec import WindowEmit

__all__ = ["StateWindow"]

Condition = Callable[[Any], Any]


def _matches(condition: Condition, row: Any) -> bool:
    """eKuiper's ``isMatchCondition``: only a boolean true opens or closes a window.

    A nil result, an error (eKuiper logs it) or any non-boolean value counts as false.
    """
    try:
        return condition(row) is True
    except EvalError:
        return False


@dataclass(slots=True)
class _Partition:
    """One partition's state, eKuiper's ``StateWindowStatus``."""

    open: bool = False
    start_ms: int = 0
    rows: Any = field(default_factory=list)  # a list, or what ``new_rows`` makes


class StateWindow:
    """``STATEWINDOW(begin, end)`` or ``STATEWINDOW(cond)`` with optional ``PARTITION BY``.

    Two conditions: rows before ``begin`` holds are dropped; the row meeting
    ``begin`` opens the window (``end`` is not tested on it) and the first later
    row meeting ``end`` closes it, included. One condition (``end`` is None): the
    first row meeting it opens the window; each later row meeting it sends
    the rows stored so far (without itself) and opens the next window with itself.
    ``window_start`` is the opening row's timestamp, ``window_end`` the closing
    row's (for one condition, the row that starts the next window).

    >>> w = StateWindow(lambda r: r["a"] > 1, lambda r: r["a"] > 5)
    >>> [e.rows for t, a in enumerate([1, 2, 6]) for e in w.on_row({"a": a}, t)]
    [[{'a': 2}, {'a': 6}]]
    """

    def __init__(
        self,
        begin: Condition,
        end: Condition | None = None,
        partition: Sequence[Condition] = (),
        *,
        new_rows: Callable[[], Any] = list,
    ) -> None:
        self.begin = begin
        self.end = end
        self.partition = tuple(partition)
        self._new_rows = new_rows  # what holds a window's rows: a list, or folds with append
        self.partitions: dict[str, _Partition] = {}

    def partition_key(self, row: Any) -> str:
        """eKuiper's ``calPartition``: ``%v`` of each value, an erroring expression skipped.

        Values that print alike share a partition, as in eKuiper (1, 1.0 and "1").
        """
        key = "parKey_"
        for expr in self.partition:
            try:
                value = expr(row)
            except EvalError:
                continue
            key += ("<nil>" if value is None else go_str(value)) + ","
        return key

    def next_deadline(self) -> int | None:
        """Always None: state windows set no timers (the driver's interface)."""
        return None

    def on_time(self, now: int) -> list[WindowEmit]:
        return []

    def on_row(self, row: Any, ts: int) -> list[WindowEmit]:
        key = self.partition_key(row)
        state = self.partitions.get(key)
        if state is None:
            state = self.partitions[key] = _Partition()
        if not state.open:
            if _matches(self.begin, row):
                state.open, state.start_ms, state.rows = True, ts, self._first(row)
            return []
        if self.end is not None:
            state.rows.append(row)
            if not _matches(self.end, row):
                return []
            emit = WindowEmit(state.rows, state.start_ms, ts)
            state.open, state.rows = False, self._new_rows()
            return [emit]
        if not _matches(self.begin, row):
            state.rows.append(row)
            return []
        emit = WindowEmit(state.rows, state.start_ms, ts)
        state.start_ms, state.rows = ts, self._first(row)
        return [emit]

    def _first(self, row: Any) -> Any:
        rows = self._new_rows()
        rows.append(row)
        return rows
