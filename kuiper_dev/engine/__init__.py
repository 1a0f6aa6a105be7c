"""The embedded eKuiper-compatible rule engine."""

from __future__ import annotations

from .binder import Binder
from .catalog import Catalog, StreamDef
from .clock import VirtualClock, WallClock
from .manager import RuleDefinition, RuleManager
from .result import RuleErrorRecord, RuleResult, RuleStatus
from .rule import Rule, RuleOptions

__all__ = [
    "Binder",
    "Catalog",
    "Rule",
    "RuleDefinition",
    "RuleErrorRecord",
    "RuleManager",
    "RuleOptions",
    "RuleResult",
    "RuleStatus",
    "StreamDef",
    "VirtualClock",
    "WallClock",
]
