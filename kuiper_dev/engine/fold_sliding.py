"""Sliding (and overlapping count) windows folded as rows arrive: two-stack
aggregation per group.

A sliding window ending at ``right`` holds the rows from ``right - length -
delay`` up to ``right`` (inclusive without a delay), in time order, and windows
move forward with the triggers. Each group keeps its in-window rows as a queue
whose aggregate is answered by two stacks (a back stack with one running
accumulator, a front stack of suffix accumulators rebuilt when it runs dry), so
a window's result costs a few merges instead of a pass over its rows. Group
order, first rows and errors follow the rows in the window, as the row-keeping
window's scan gives them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import EvalError
from .fold import fold_row, merge_accs
from .runtime import FoldedGroup, FoldSpec

__all__ = ["SlidingFolds"]

Accs = list[Any]


def _single(specs: Sequence[FoldSpec], row: dict[str, Any]) -> Accs:
    """One row's accumulators."""
    accs: Accs = [s.init() for s in specs]
    fold_row(specs, accs, row)
    return accs


def _merged(specs: Sequence[FoldSpec], a: Accs | None, b: Accs) -> Accs:
    """``a`` then ``b`` as new accumulators, leaving both as they were."""
    out: Accs = [s.init() for s in specs]
    if a is not None:
        merge_accs(specs, out, a)
    merge_accs(specs, out, b)
    return out


class _Queue:
    """One group's rows in the window, oldest first, with its aggregate at hand."""

    __slots__ = ("_back", "_back_accs", "_front", "_specs")

    def __init__(self, specs: Sequence[FoldSpec]) -> None:
        self._specs = specs
        self._back: list[tuple[int, dict[str, Any], Accs]] = []  # (seq, row, its accs)
        self._back_accs: Accs | None = None
        self._front: list[tuple[int, dict[str, Any], Accs]] = []  # (seq, row, suffix accs)

    def __bool__(self) -> bool:
        return bool(self._front or self._back)

    def push(self, seq: int, row: dict[str, Any], accs: Accs) -> None:
        self._back.append((seq, row, accs))
        if self._back_accs is None:  # a copy: the row keeps its own accumulators
            self._back_accs = _merged(self._specs, None, accs)
        else:  # the back stack's total is the queue's own: grow it in place, not anew
            merge_accs(self._specs, self._back_accs, accs)

    def pop(self) -> None:
        if not self._front:
            suffix: Accs | None = None
            for seq, row, accs in reversed(self._back):
                suffix = _merged(self._specs, accs, suffix) if suffix is not None else accs
                self._front.append((seq, row, suffix))
            self._back, self._back_accs = [], None
        self._front.pop()

    def oldest(self) -> tuple[int, dict[str, Any]]:
        seq, row, _ = self._front[-1] if self._front else self._back[0]
        return seq, row

    def aggregate(self) -> Accs:
        front = self._front[-1][2] if self._front else None
        if self._back_accs is None:
            assert front is not None
            return front
        return (
            _merged(self._specs, front, self._back_accs) if front is not None else self._back_accs
        )


class SlidingFolds:
    """A sliding window's groups over the rows it currently spans."""

    def __init__(
        self,
        specs: Sequence[FoldSpec],
        key_of: Callable[[dict[str, Any]], str] | None,
        *,
        length_ms: int,
        delay_ms: int,
        immediate: bool,
        max_rows: int | None = None,
    ) -> None:
        self._specs = specs
        self._key_of = key_of
        self._span = length_ms + delay_ms
        self._inclusive = delay_ms == 0  # a delayed window ends before its end time
        self._pending: deque[tuple[int, dict[str, Any]]] = deque()  # not yet reached
        self._order: deque[tuple[int, int, str | None]] = deque()  # (ts, seq, key; None: error)
        self._errors: deque[tuple[int, EvalError]] = deque()  # (seq, key error) in the window
        self._groups: dict[str, _Queue] = {}
        self._seq = 0
        # processing time: every row is inside the next window's end, so it enters at
        # once; event time: rows past a window's end wait for the windows they are in
        self._immediate = immediate
        self._max_rows = max_rows  # a count window: the last ``max_rows`` rows, whatever time

    def add(self, row: dict[str, Any], ts: int) -> None:
        """A row in time order; it joins the windows that end at or after it."""
        if self._max_rows is not None:
            self._enter(ts, row)
            while len(self._order) > self._max_rows:
                self._evict_oldest()
        elif self._immediate:
            self._enter(ts, row)
            self.evict_before(ts - self._span)  # no later window reaches back further
        else:
            self._pending.append((ts, row))

    def evict_before(self, left: int) -> None:
        """Forget rows older than any later window reaches (``left``)."""
        order = self._order
        while order and order[0][0] < left:
            self._evict_oldest()

    def _evict_oldest(self) -> None:
        _, _seq, key = self._order.popleft()
        if key is None:
            self._errors.popleft()
            return
        queue = self._groups[key]
        queue.pop()
        if not queue:
            del self._groups[key]

    def items_at(self, end: int) -> list[FoldedGroup] | None:
        """The groups of the window ending at ``end``, ordered by their first row."""
        if self._max_rows is None:
            pending = self._pending
            while pending and (pending[0][0] <= end if self._inclusive else pending[0][0] < end):
                ts, row = pending.popleft()
                self._enter(ts, row)
            self.evict_before(end - self._span)
        if self._errors:
            raise self._errors[0][1]
        if not self._groups:
            if self._key_of is not None:
                return None
            return [FoldedGroup({}, [s.init() for s in self._specs])]
        firsts = sorted((q.oldest(), key) for key, q in self._groups.items())
        return [FoldedGroup(row, self._groups[key].aggregate()) for (_, row), key in firsts]

    def _enter(self, ts: int, row: dict[str, Any]) -> None:
        self._seq += 1
        seq = self._seq
        key = ""
        if self._key_of is not None:
            try:
                key = self._key_of(row)
            except EvalError as exc:
                self._order.append((ts, seq, None))
                self._errors.append((seq, exc))
                return
        queue = self._groups.get(key)
        if queue is None:
            queue = self._groups[key] = _Queue(self._specs)
        queue.push(seq, row, _single(self._specs, row))
        self._order.append((ts, seq, key))
