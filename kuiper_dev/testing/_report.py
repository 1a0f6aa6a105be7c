"""What a contract check reports (private; re-exported by :mod:`kuiper_dev.testing`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._types import PluginKind

__all__ = ["ContractFailure", "ContractReport"]


@dataclass(slots=True)
class ContractFailure:
    """One broken law: the shrunk input, the plugin's own error, the regression case written."""

    law: str
    example: Any
    error: str
    regression: Path | None = None

    def __str__(self) -> str:
        where = f"\n  regression case: {self.regression}" if self.regression else ""
        return f"law '{self.law}' broken on {json.dumps(self.example, default=repr)}\n{self.error}{where}"


@dataclass(slots=True)
class ContractReport:
    """What a contract check found; ``ok`` when every law held."""

    kind: PluginKind
    name: str
    laws: list[str] = field(default_factory=list)
    failures: list[ContractFailure] = field(default_factory=list)
    examples: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        """One line: how many laws hold, over how many examples, in how long."""
        return (
            f"{self.kind} {self.name}: {len(self.laws) - len(self.failures)} of {len(self.laws)} "
            f"laws hold ({self.examples} examples, {self.seconds:.2f}s)"
        )

    def __str__(self) -> str:
        return "\n".join([self.summary(), *(f"FAIL {f}" for f in self.failures)])

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))  # a notebook shows the summary and each broken law
