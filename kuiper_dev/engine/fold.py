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

__all__ = ["GroupFolds"]


class GroupFolds:
    """One window's groups and their accumulators (or one pane's, to merge later)."""

    __slots__ = ("_key_of", "_specs", "error", "groups")

    def __init__(
        self, specs: Sequence[FoldSpec], key_of: Callable[[dict[str, Any]], str] | None
    ) -> None:
        self._specs = specs
        self._key_of = key_of
        self.groups: dict[str, FoldedGroup] = {}
        self.error: EvalError | None = None

    def add(self, row: dict[str, Any]) -> None:
        """Fold one row into its group (made with this row as its first)."""
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
        accs = group.accs
        for spec in self._specs:
            acc = accs[spec.index]
            if acc.__class__ is FoldFailure:
                continue
            try:
                accs[spec.index] = spec.add(acc, row)
            except EvalError as exc:
                accs[spec.index] = FoldFailure(exc)

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
