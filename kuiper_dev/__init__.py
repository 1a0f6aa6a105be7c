"""kuiper_dev: write eKuiper plugins in a notebook, run real eKuiper SQL over them, test, export."""

from __future__ import annotations

from ._types import Message
from .connectors import Scenario, SensorFleet, broker
from .engine import RuleResult
from .errors import (
    DecodeError,
    EvalError,
    FunctionError,
    KuiperDevError,
    MqttError,
    NotJsonNumber,
    NotPortable,
    PlanError,
    PluginError,
    PluginNameError,
    PortableError,
    RecordingError,
    RecordingWarning,
    RuleError,
    RuleTestError,
    ScenarioError,
    SqlError,
    TemplateError,
    TemplateFuncError,
)
from .recording import RecordingWriter, read_recording
from .workspace import Workspace

__all__ = [
    "DecodeError",
    "EvalError",
    "FunctionError",
    "KuiperDevError",
    "Message",
    "MqttError",
    "NotJsonNumber",
    "NotPortable",
    "PlanError",
    "PluginError",
    "PluginNameError",
    "PortableError",
    "RecordingError",
    "RecordingWarning",
    "RecordingWriter",
    "RuleError",
    "RuleResult",
    "RuleTestError",
    "Scenario",
    "ScenarioError",
    "SensorFleet",
    "SqlError",
    "TemplateError",
    "TemplateFuncError",
    "Workspace",
    "broker",
    "load_ipython_extension",
    "read_recording",
]

__version__ = "0.1.0"


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext kuiper_dev``: register the magics (the notebook layer loads on demand)."""
    from .notebook import load_ipython_extension as load

    load(ipython)
