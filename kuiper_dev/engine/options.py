"""The rule options the engine reads, from eKuiper's ``options`` object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..errors import FunctionError, PlanError
from ..go import parse_duration

__all__ = ["RuleOptions", "duration_ms"]


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
        >>> RuleOptions.from_dict({"lateTolerance": "1m30s", "sendNilField": True})
        RuleOptions(send_error=False, send_nil=True, ...late_tolerance=90000...)
        """
        options = options or {}
        return cls(
            send_error=bool(options.get("sendError", False)),
            # eKuiper's name is sendNilField; sendNil is what kuiper_dev read before
            send_nil=bool(options.get("sendNilField", options.get("sendNil", False))),
            send_meta=bool(options.get("sendMetaToSink", False)),
            is_event_time=bool(options.get("isEventTime", False)),
            late_tolerance=duration_ms(options.get("lateTolerance", 0), "lateTolerance"),
            fast_paths=fast_paths,
            raw=tuple(sorted(options.items())),
        )


def duration_ms(value: Any, name: str) -> int:
    """An eKuiper duration option (``cast.DurationConf``): whole milliseconds as a
    number, or Go duration text such as ``"1s"``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PlanError(
            f'option {name}: {value!r} is no duration; give milliseconds or text like "1s"'
        )
    if isinstance(value, str):
        try:
            return parse_duration(value) // timedelta(milliseconds=1)
        except FunctionError as exc:
            raise PlanError(f'option {name}: {exc}; give milliseconds or text like "1s"') from None
    if value != int(value):
        raise PlanError(f"option {name}: duration {value} is not an integer number of milliseconds")
    return int(value)
