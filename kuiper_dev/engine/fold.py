"""Groups folded as rows arrive: a window keeps accumulators instead of rows.

When every aggregate call of a windowed rule has an incremental form (see
:class:`~kuiper_dev.functions.Incremental`), the window stage folds each row
into its group's accumulators at once and hands the folded groups to the
collection plan when the window fires. Errors wait for the result, as the list
forms would meet them: a GROUP BY key that fails fails the window's emission, an
argument that fails fails its call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import EvalError
from .runtime import FoldedGroup, FoldFailure, FoldSpec

__all__ = ["GroupFolds", "PaneGroups", "WindowFolds", "fold_row", "merge_accs", "pane_end"]


def fold_row(specs: Sequence[FoldSpec], accs: list[Any], row: dict[str, Any]) -> None:
    """Fold ``row`` into ``accs`` in place; an argument that fails keeps its error in
    the slot (the call raises it at the result), and a failed slot folds no more."""
    for spec in specs:
        i = spec.index
        acc = accs[i]
        if acc.__class__ is FoldFailure:
            continue
        try:
            accs[i] = spec.add(acc, row)
        except EvalError as exc:
            accs[i] = FoldFailure(exc)


def merge_accs(specs: Sequence[FoldSpec], accs: list[Any], later: list[Any]) -> None:
    """Merge the accumulators of later rows into ``accs`` in place, leaving ``later`` as
    it was; the first failure in row order wins."""
    for spec in specs:
        i = spec.index
        if accs[i].__class__ is FoldFailure:
            continue
        if later[i].__class__ is FoldFailure:
            accs[i] = later[i]
        else:
            accs[i] = spec.merge(accs[i], later[i])


class GroupFolds:
    """One window's groups and their accumulators (or one pane's, to merge later)."""

    __slots__ = ("_key_of", "_specs", "error", "groups", "rows")

    def __init__(
        self, specs: Sequence[FoldSpec], key_of: Callable[[dict[str, Any]], str] | None
    ) -> None:
        self._specs = specs
        self._key_of = key_of
        self.groups: dict[str, FoldedGroup] = {}
        self.error: EvalError | None = None
        self.rows = 0

    def add(self, row: dict[str, Any]) -> None:
        """Fold one row into its group (made with this row as its first)."""
        self.rows += 1
        key = ""
        if self._key_of is not None:
            try:
                key = self._key_of(row)
            except EvalError as exc:
                if self.error is None:
                    self.error = exc
                return
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = FoldedGroup(row, [s.init() for s in self._specs])
        fold_row(self._specs, group.accs, row)

    append = add  # so a window machine that collects rows in a list can fold them instead

    def merge(self, later: GroupFolds) -> None:
        """Fold in the groups of the rows that came after this one's; ``later`` is
        left as it was (a pane may be merged into several windows)."""
        self.rows += later.rows
        if self.error is None and later.error is not None:
            self.error = later.error
        specs = self._specs
        for key, group in later.groups.items():
            mine = self.groups.get(key)
            if mine is None:
                mine = self.groups[key] = FoldedGroup(group.first, [s.init() for s in specs])
            merge_accs(specs, mine.accs, group.accs)

    def items(self) -> list[FoldedGroup] | None:
        """The folded groups in order of first arrival; None when a GROUP BY window
        saw no row. A window without GROUP BY is one group, even when empty."""
        if self.error is not None:
            raise self.error
        if not self.groups:
            if self._key_of is not None:
                return None
            return [FoldedGroup({}, [s.init() for s in self._specs])]
        return list(self.groups.values())


class WindowFolds:
    """Which rows a fired window's folds hold.

    Processing-time tumbling and session windows take every row since they last
    fired (the driver fires a window before any later message arrives), so one
    :class:`GroupFolds` is filled and handed over. Hopping windows, and tumbling
    windows in event time (whose rows are released in event-time order, past the
    end of the window still open), fold each row into its *pane*: the interval
    it falls in on the window's grid of ends. A window is the merge of the panes
    it spans, in time order; panes no window needs any more are dropped.
    """

    def __init__(
        self,
        specs: Sequence[FoldSpec],
        key_of: Callable[[dict[str, Any]], str] | None,
        *,
        pane_ms: int | None,
        length_ms: int,
        first_end: Callable[[int], int],
    ) -> None:
        self._specs = specs
        self._key_of = key_of
        self._pane = pane_ms  # None: fold everything since the last fire
        self._length = length_ms
        self._first_end = first_end  # the grid's first end, from the first row's time
        self._origin: int | None = None
        self._current = GroupFolds(specs, key_of)
        self._panes: dict[int, GroupFolds] = {}

    def add(self, row: dict[str, Any], ts: int) -> None:
        if self._pane is None:
            self._current.add(row)
            return
        end = self._pane_end(ts, self._pane)
        pane = self._panes.get(end)
        if pane is None:
            pane = self._panes[end] = GroupFolds(self._specs, self._key_of)
        pane.add(row)

    def _pane_end(self, ts: int, pane: int) -> int:
        if self._origin is None:
            self._origin = self._first_end(ts)
        return pane_end(self._origin, ts, pane)

    def items_at(self, end: int) -> list[FoldedGroup] | None:
        """The folded groups of the window ending at ``end``."""
        return self.take(end).items()

    def take(self, end: int) -> GroupFolds:
        """The folds of the window ending at ``end``."""
        if self._pane is None:
            taken, self._current = self._current, GroupFolds(self._specs, self._key_of)
            return taken
        start = end - self._length
        spanned = sorted(e for e in self._panes if start < e <= end)
        window = GroupFolds(self._specs, self._key_of)
        for e in spanned:
            window.merge(self._panes[e])
        if not window.rows and self._pane < self._length:
            # eKuiper's scan of an overlapping window that holds no row keeps nothing
            # of its buffer, so rows already past this window's end (event time) go too
            self._panes.clear()
        for e in [e for e in self._panes if e <= end - self._length + self._pane]:
            del self._panes[e]  # no later window reaches back this far
        return window


def pane_end(origin: int, ts: int, pane: int) -> int:
    """The end of the pane holding ``ts`` on the grid of ends ``origin + k * pane``: a
    pane holds the times from its start up to, not including, its end.

    >>> pane_end(10_000, 19_999, 10_000), pane_end(10_000, 20_000, 10_000), pane_end(10_000, 5, 10_000)
    (20000, 30000, 10000)
    """
    return origin + ((ts - origin) // pane + 1) * pane  # floor division: also before origin


class PaneGroups:
    """The generated fold's groups (:mod:`.incremental`) of an event-time tumbling
    window, one dict per window: rows are released in event-time order past the end
    of the window still open, so each folds into its own window's groups."""

    __slots__ = ("_first_end", "_length", "_origin", "_panes")

    def __init__(self, length_ms: int, first_end: Callable[[int], int]) -> None:
        self._length = length_ms
        self._first_end = first_end  # the grid's first end, from the first row's time
        self._origin: int | None = None
        self._panes: dict[int, dict[Any, list[Any]]] = {}

    def locate(self, ts: int) -> tuple[dict[Any, list[Any]], int, int]:
        """The groups of the window holding ``ts``, with that window's start and end."""
        if self._origin is None:
            self._origin = self._first_end(ts)
        end = pane_end(self._origin, ts, self._length)
        groups = self._panes.get(end)
        if groups is None:
            groups = self._panes[end] = {}
        return groups, end - self._length, end

    def take(self, end: int) -> dict[Any, list[Any]]:
        """The groups of the window ending at ``end`` (empty when no row fell in it)."""
        return self._panes.pop(end, {})
