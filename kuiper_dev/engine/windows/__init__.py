"""Windows: small public configs, private state machines, an injected clock.

Processing-time windows fire on timers the rule's clock drives; event-time
windows fire on watermarks (never on the clock). Both follow eKuiper's v1 window
operator (``internal/topo/node/window_op.go``, ``event_window_trigger.go``).
"""

from __future__ import annotations

from .event import NEVER, EventTimeWindow
from .processing import ProcessingWindow
from .spec import WindowEmit, WindowSpec, aligned_window_end
from .state import StateWindow
from .watermark import WatermarkGenerator

__all__ = [
    "NEVER",
    "EventTimeWindow",
    "ProcessingWindow",
    "StateWindow",
    "WatermarkGenerator",
    "WindowEmit",
    "WindowSpec",
    "aligned_window_end",
]
