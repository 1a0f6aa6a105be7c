"""Other functions (``other_functions.md``): null tests, ids, clocks, rule context.

Context functions read what the engine gives through the
:class:`~kuiper_dev.functions.CallContext`. Besides the protocol's ``rule_id``,
``state``, ``meta`` and ``now_ms()``, some read optional attributes the engine
should supply (looked up with ``getattr``): ``rule_start_ms``,
``event_time_ms``, ``window_start_ms``, ``window_end_ms``. ``last_hit_count``
and ``last_hit_time`` take the hidden arguments eKuiper's planner appends:
``do_update`` (the WHERE/WHEN condition held) and, for the time, the event time.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

from ..errors import FunctionError
from ..go import go_str, message_value, verb_v
from ..sql import ast
from .registry import builtin


@builtin("other", ["any"], null="pass")
def isnull(v: Any) -> bool:
    """Whether the value is null (an empty array or object is not null)."""
    return v is None


def _at_least_one(args: Sequence[ast.Expr]) -> str | None:
    return "The arguments should be at least one." if not args else None


@builtin("other", [], variadic="any", null="pass", validator=_at_least_one)
def coalesce(*args: Any) -> Any:
    """The first non-null argument, or null."""
    return next((a for a in args if a is not None), None)


@builtin("other", [], null="pass")
def newuuid() -> str:
    """A new time-based (version 1) UUID, as eKuiper's ``uuid.NewUUID``."""
    return str(uuid.uuid1())


@builtin("other", [], null="pass", context=True)
def tstamp(ctx: Any) -> int:
    """Current epoch milliseconds on the rule's clock (virtual in replays)."""
    return int(ctx.now_ms())


@builtin("other", [], null="pass", context=True)
def rule_id(ctx: Any) -> str:
    """The id of the rule evaluating this call."""
    return str(ctx.rule_id)


def _from_context(ctx: Any, attr: str, what: str) -> Any:
    value = getattr(ctx, attr, None)
    if value is None:
        raise FunctionError(f"{what} is not available here: the engine did not supply {attr}")
    return value


@builtin("other", [], null="pass", context=True)
def rule_start(ctx: Any) -> int:
    """Epoch milliseconds when the rule started."""
    return int(_from_context(ctx, "rule_start_ms", "rule_start()"))


@builtin("other", [], null="pass", context=True)
def event_time(ctx: Any) -> int:
    """The current event's time in ms (a window's end in a window rule)."""
    value = getattr(ctx, "event_time_ms", None)
    return int(value) if value is not None else int(ctx.now_ms())


@builtin("other", [], null="pass", context=True, window_bound="start")
def window_start(ctx: Any) -> int:
    """Start of the current window in epoch ms (0 outside a window, as eKuiper)."""
    return int(getattr(ctx, "window_start_ms", None) or 0)


@builtin("other", [], null="pass", context=True, window_bound="end")
def window_end(ctx: Any) -> int:
    """End of the current window in epoch ms (0 outside a window, as eKuiper)."""
    return int(getattr(ctx, "window_end_ms", None) or 0)


@builtin("other", [], null="pass", context=True)
def window_trigger(ctx: Any) -> int | None:
    """When the current window fired, in epoch ms (its end); null outside a window.

    eKuiper reads it from the window's range as ``window_end`` is read, but a row
    outside a window has no such range and gives null, not 0.

    >>> from types import SimpleNamespace
    >>> from kuiper_dev.functions import lookup
    >>> call = lookup("window_trigger").fn
    >>> call(SimpleNamespace(window_end_ms=1_700_000_010_000)), call(SimpleNamespace())
    (1700000010000, None)
    """
    return int(getattr(ctx, "window_end_ms", None) or 0) or None


def _meta_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 1:
        return f"Expect 1 arguments but found {len(args)}."
    expr = args[0]
    # a meta reference: ``topic``, ``*``, or a ``->`` path starting at one
    while isinstance(expr, ast.BinaryExpr) and expr.op == "->":
        expr = expr.lhs
    if isinstance(expr, ast.FieldRef | ast.Wildcard):
        return None
    return "Expect meta reference type for parameter 1"


@builtin("other", ["any"], null="pass", context=True, validator=_meta_validator, key_args=True)
def meta(ctx: Any, key: Any) -> Any:
    """The message's metadata ``key`` (``meta(topic)``); the engine passes the key's name.

    eKuiper evaluates the argument as a meta reference; kuiper_dev's engine should
    pass the referenced name as text (``"*"`` for ``meta(*)``), and this reads it
    from ``ctx.meta``. For ``meta(a->b)`` the engine resolves ``->`` on the result.
    """
    if not isinstance(key, str):
        return key
    if key == "*":
        return dict(ctx.meta)
    return message_value(ctx.meta, key)  # eKuiper's metadata reads keys ignoring case


def _mqtt_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 1:
        return f"Expect 1 arguments but found {len(args)}."
    a = args[0]
    if not isinstance(a, ast.FieldRef):
        return "Expect meta reference type for parameter 1"
    if a.name.lower() not in ("topic", "messageid"):
        return "Parameter of mqtt function can be only topic or messageid."
    return None


@builtin("other", ["any"], null="pass", context=True, validator=_mqtt_validator, key_args=True)
def mqtt(ctx: Any, key: Any) -> Any:
    """The MQTT ``topic`` or ``messageid`` of the message (the engine passes the name)."""
    if not isinstance(key, str):
        return None
    return message_value(ctx.meta, key)


@builtin("other", [], null="pass", context=True, update_arg=True)
def last_hit_count(ctx: Any, do_update: Any = False) -> int:
    """Times the rule passed before this message; counts this one when ``do_update``."""
    count = int(ctx.state.get("count", 0))
    if do_update is True:
        ctx.state["count"] = count + 1
    return count


@builtin("other", [], null="pass", context=True, update_arg=True, event_time_arg=True)
def last_hit_time(ctx: Any, do_update: Any = False, now_ms: Any = 0) -> int:
    """Event time (ms) when the rule last passed; records ``now_ms`` when ``do_update``."""
    last = int(ctx.state.get("time", 0))
    if do_update is True:
        ctx.state["time"] = int(now_ms)
    return last


_KEYED_TYPES = ("bigint", "float", "string", "boolean", "datetime")


def _keyed_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 3:
        return f"Expect 3 arguments but found {len(args)}."
    a = args[1]
    if isinstance(a, ast.IntegerLiteral | ast.NumberLiteral | ast.BooleanLiteral):
        return "Expect string type for parameter 1"
    if isinstance(a, ast.StringLiteral) and a.value not in _KEYED_TYPES:
        return (
            "expect one of following value for the 2nd parameter: "
            "bigint, float, string, boolean, datetime"
        )
    return None


@builtin(
    "other", ["string", "string", "any"], null="pass", context=True, validator=_keyed_validator
)
def get_keyed_state(ctx: Any, key: Any, type_name: Any, default: Any) -> Any:
    """A value of eKuiper's keyed state store converted to ``type_name``, else ``default``.

    The engine supplies the store as ``ctx.keyed_state`` (a dict); without one every
    key is missing and the default comes back.
    """
    from .transform import to_type

    if not isinstance(key, str):
        raise FunctionError(f"key {verb_v(key)} is not a string")
    store = getattr(ctx, "keyed_state", None) or {}
    if key not in store:
        return default
    return to_type(store[key], type_name)


@builtin("other", ["number", "any"])
def delay(ms: Any, value: Any) -> Any:
    """Sleep ``ms`` milliseconds of wall time, then return ``value`` (for tests of slowness)."""
    from ..go import to_int

    time.sleep(max(to_int(ms, "samekind"), 0) / 1000)
    return value


@builtin("other", ["any"], variadic="any", null="pass", validator=lambda args: None)
def bypass(*args: Any) -> Any:
    """The first argument unchanged (eKuiper's internal pass-through)."""
    return args[0] if args else None


@builtin("other", ["string"], context=True)
def props(ctx: Any, key: Any) -> Any:
    """A rule property from eKuiper's property store (``ctx.props`` when the engine has one)."""
    if not isinstance(key, str):
        raise FunctionError(f"invalid input {go_str(key)}: must be property name of string type")
    store = getattr(ctx, "props", None) or {}
    if key not in store:
        raise FunctionError(f"property {key} not found")
    return store[key]
