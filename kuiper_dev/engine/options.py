"""The rule options the engine reads, from eKuiper's ``options`` object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["RuleOptions"]


@dataclass(frozen=True, slots=True)
class RuleOptions:
    """eKuiper rule options the engine reads; the rest are kept as given in ``raw``.

    ``fast_paths`` is kuiper_dev's own switch, not an eKuiper option: with it off the
    planner never picks a generated loop, so tests can compare both paths through
    public API alone.
    """

    send_error: bool = False
    send_nil: bool = False
    send_meta: bool = False
    is_event_time: bool = False
    late_tolerance: int = 0
    fast_paths: bool = True
    raw: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_dict(cls, options: dict[str, Any] | None, *, fast_paths: bool = True) -> RuleOptions:
        """Read eKuiper's camelCase options.

        >>> RuleOptions.from_dict({"isEventTime": True, "lateTolerance": 500}).late_tolerance
        500
        """
        options = options or {}
        return cls(
            send_error=bool(options.get("sendError", False)),
            send_nil=bool(options.get("sendNil", False)),
            send_meta=bool(options.get("sendMetaToSink", False)),
            is_event_time=bool(options.get("isEventTime", False)),
            late_tolerance=int(options.get("lateTolerance", 0)),
            fast_paths=fast_paths,
            raw=tuple(sorted(options.items())),
        )
