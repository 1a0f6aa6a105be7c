"""What running a rule gives back: emissions, errors and status, ready for pandas."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._gojson import dumps

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RuleErrorRecord", "RuleResult", "RuleStatus"]


@dataclass(slots=True)
class RuleErrorRecord:
    """One row the rule could not process, and why; the rule went on."""

    ts: int
    message: str


@dataclass(slots=True)
class RuleStatus:
    """Counters in the spirit of eKuiper's ``getstatus``."""

    status: str = "stopped"
    records_in: int = 0
    records_out: int = 0
    exceptions: int = 0
    last_exception: str = ""
    last_exception_time: int = 0

    def to_dict(self, rule_id: str) -> dict[str, Any]:
        return {
            "status": self.status,
            "source_records_in_total": self.records_in,
            "sink_records_out_total": self.records_out,
            "exceptions_total": self.exceptions,
            "last_exception": self.last_exception,
            "last_exception_time": self.last_exception_time,
            "rule": rule_id,
        }


@dataclass(slots=True)
class RuleResult:
    """The emissions a rule sent to its sinks, in order, with the errors met on the way."""

    rule_id: str
    sql: str
    emissions: list[list[dict[str, Any]]] = field(default_factory=list)
    errors: list[RuleErrorRecord] = field(default_factory=list)
    status: RuleStatus = field(default_factory=RuleStatus)
    messages_in: int = 0

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
