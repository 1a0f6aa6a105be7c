"""The embedded eKuiper-compatible rule engine.

A message enters from a source, one :class:`Driver` moves the clock and pushes
it through the stages of a :class:`Pipeline` running an immutable
:class:`RulePlan` (made by :func:`plan_rule`), and it leaves through the sinks.
"""

from __future__ import annotations

from .arrival import first_arrival
from .binder import Binder
from .catalog import Catalog, StreamDef
from .clock import VirtualClock, WallClock
from .driver import Driver, LiveRun
from .live import LiveRule, start_live
from .manager import RuleDefinition, RuleManager
from .options import RuleOptions, duration_ms
from .pipeline import Pipeline
from .plan import RulePlan, plan_rule
from .result import RuleErrorRecord, RuleResult, RuleStatus
from .sinks import PluginSinks, attach_actions, sources_for

__all__ = [
    "Binder",
    "Catalog",
    "Driver",
    "LiveRule",
    "LiveRun",
    "Pipeline",
    "PluginSinks",
    "RuleDefinition",
    "RuleErrorRecord",
    "RuleManager",
    "RuleOptions",
    "RulePlan",
    "RuleResult",
    "RuleStatus",
    "StreamDef",
    "VirtualClock",
    "WallClock",
    "attach_actions",
    "duration_ms",
    "first_arrival",
    "plan_rule",
    "sources_for",
    "start_live",
]
