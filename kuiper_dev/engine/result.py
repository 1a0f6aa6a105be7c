"""What running a rule gives back: emissions, errors and status, ready for pandas."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..go import dumps
from .metrics import OpMetrics

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RuleErrorRecord", "RuleResult", "RuleStatus"]


@dataclass(slots=True)
class RuleErrorRecord:
    """One row the rule could not process, and why; the rule went on."""

    ts: int
    message: str


class RuleStatus:
    """A rule's state and counters, read off its operators and error records.

    Nothing here is counted twice: messages in are the source operator's records
    in, emissions are the sink's, exceptions are the error records.
    """

    __slots__ = ("errors", "operators", "status")

    def __init__(self, errors: list[RuleErrorRecord]) -> None:
        self.status = "stopped"
        self.errors = errors
        self.operators: dict[str, OpMetrics] = {
            "source": OpMetrics("source_0"),
            "filter": OpMetrics("op_2_filter_0"),
            "window": OpMetrics("op_3_window_0"),
            "project": OpMetrics("op_4_project_0"),
            "sink": OpMetrics("sink_0"),
        }

    @property
    def records_in(self) -> int:
        return self.operators["source"].records_in

    @property
    def records_out(self) -> int:
        return self.operators["sink"].records_in

    @property
    def exceptions(self) -> int:
        return len(self.errors)

    @property
    def last_exception(self) -> str:
        return self.errors[-1].message if self.errors else ""

    @property
    def last_exception_time(self) -> int:
        return self.errors[-1].ts if self.errors else 0


@dataclass(slots=True)
class RuleResult:
    """The emissions a rule sent to its sinks, in order, with the errors met on the way."""

    rule_id: str
    sql: str
    emissions: list[list[dict[str, Any]]] = field(default_factory=list)
    errors: list[RuleErrorRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the run's input (a damaged file)
    status: RuleStatus = field(init=False)

    def __post_init__(self) -> None:
        self.status = RuleStatus(self.errors)

    @property
    def messages_in(self) -> int:
        return self.status.records_in

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [row for emission in self.emissions for row in emission]

    def json_lines(self) -> list[str]:
        """Each emission as eKuiper's sinks receive it (Go's JSON encoding)."""
        return [dumps(e) for e in self.emissions]

    def to_pandas(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows)

    def _repr_html_(self) -> str:
        frame = self.to_pandas()
        body = frame.to_html(max_rows=20) if len(frame.columns) else "<p>(no rows)</p>"
        note = (
            f"<p>rule <code>{html.escape(self.rule_id)}</code>: {self.messages_in} messages in, "
            f"{len(self.emissions)} emissions, {len(self.errors)} errors</p>"
        )
        errors = "".join(f"<pre>{html.escape(e.message)}</pre>" for e in self.errors[:3])
        return note + body + errors

    def __repr__(self) -> str:
        return (
            f"RuleResult({self.rule_id!r}: {self.messages_in} messages in, "
            f"{len(self.emissions)} emissions, {len(self.errors)} errors)"
        )
