"""Per-operator counters, named and shaped like eKuiper's rule status metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["OpMetrics"]


@dataclass(slots=True)
class OpMetrics:
    """One operator's counters; ``name`` is eKuiper's prefix, e.g. ``op_2_filter_0``."""

    name: str
    records_in: int = 0
    records_out: int = 0
    exceptions: int = 0
    last_exception: str = ""
    last_invocation: int = 0

    def error(self, message: str, at: int) -> None:
        self.exceptions += 1
        self.last_exception = message
        self.last_invocation = at

    def to_dict(self) -> dict[str, Any]:
        n = self.name
        return {
            f"{n}_records_in_total": self.records_in,
            f"{n}_records_out_total": self.records_out,
            f"{n}_exceptions_total": self.exceptions,
            f"{n}_last_exception": self.last_exception,
            f"{n}_last_invocation": self.last_invocation,
        }
