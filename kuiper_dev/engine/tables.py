"""The tables a rule joins: scan tables it fills itself, lookup tables on memory topics.

A scan table keeps its last ``RETAIN_SIZE`` rows from its own messages; a memory
lookup table is the workspace's shared keyed view of a memory topic.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..connectors import MemoryBus
from ..errors import EvalError
from .joins import TaggedRow
from .planning import RuleInput

__all__ = ["Tables"]


class Tables:
    """One rule's table rows, tagged for the join."""

    def __init__(self, inputs: Mapping[str, RuleInput], bus: MemoryBus | None) -> None:
        self._inputs = inputs
        self._bus = bus
        self._scan: dict[str, list[TaggedRow]] = {
            n: [] for n, i in inputs.items() if i.stream.kind == "table" and i.lookup is None
        }

    def holds(self, stream: str) -> bool:
        """Whether ``stream`` is a scan table whose messages fill this rule's table."""
        return stream in self._scan

    def retain(self, stream: str, rows: list[TaggedRow]) -> None:
        """Add a scan table's rows, keeping its last RETAIN_SIZE."""
        table = self._scan[stream] + rows
        self._scan[stream] = table[-self._inputs[stream].retain :]

    def rows(self) -> list[TaggedRow]:
        """Every table's rows, scan tables first, then the lookup tables' current rows."""
        rows = [row for table in self._scan.values() for row in table]
        for spec in self._inputs.values():
            if spec.lookup is not None:
                if self._bus is None:
                    raise EvalError(
                        f"lookup table {spec.stream.name} needs the workspace's memory topics"
                    )
                table = self._bus.table(*spec.lookup)
                rows.extend(TaggedRow(spec.tag, r) for r in table.values())
        return rows
