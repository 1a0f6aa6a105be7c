"""Rule options and sink actions the way a user types them on a magic's line: quoted
JSON, a variable holding a dict, or flags such as ``--event-time --late-tolerance 1000``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import KuiperDevError

__all__ = ["parse_json_arg", "rule_options", "sink_actions"]


def _unquote(text: str) -> str:
    """IPython leaves the quotes on (``'{"a": 1}'``): take one matching pair off."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def parse_json_arg(text: str, what: str, ns: Mapping[str, Any]) -> Any:
    """A JSON value typed on a magic line, quoted or not, or the name of a variable.

    >>> parse_json_arg("'{\\"isEventTime\\": true}'", "--options", {})
    {'isEventTime': True}
    >>> parse_json_arg("opts", "--options", {"opts": {"sendError": True}})
    {'sendError': True}
    """
    raw = _unquote(text)
    if raw.isidentifier() and raw not in ("true", "false", "null"):
        if raw in ns:
            return ns[raw]
        raise KuiperDevError(f"{what} {raw}: no variable {raw!r} in the notebook; define it first")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise KuiperDevError(
            f"{what}: {raw!r} is not JSON ({exc.msg} at column {exc.colno}); write it as "
            f"""{what} '{{"isEventTime": true}}' (quoted) or name a variable holding a dict"""
        ) from None


def rule_options(
    text: str | None,
    ns: Mapping[str, Any],
    *,
    event_time: bool = False,
    late_tolerance: int | None = None,
    send_error: bool = False,
) -> dict[str, Any]:
    """eKuiper rule options from ``--options`` and the shortcut flags (flags win).

    >>> rule_options(None, {}, event_time=True, late_tolerance=1000)
    {'isEventTime': True, 'lateTolerance': 1000}
    """
    options = parse_json_arg(text, "--options", ns) if text else {}
    if not isinstance(options, Mapping):
        raise KuiperDevError(
            f"--options: rule options are an object, got {type(options).__name__}; "
            """write --options '{"isEventTime": true}'"""
        )
    out = dict(options)
    if event_time:
        out["isEventTime"] = True
    if late_tolerance is not None:
        out["lateTolerance"] = late_tolerance
    if send_error:
        out["sendError"] = True
    return out


def sink_actions(sinks: list[str] | None, ns: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Actions from ``--sink NAME`` or ``--sink NAME=PROPS`` (PROPS: JSON or a variable).

    >>> sink_actions(["log", 'file={"path": "out.txt"}'], {})
    [{'log': {}}, {'file': {'path': 'out.txt'}}]
    """
    if not sinks:
        return None
    actions: list[dict[str, Any]] = []
    for spec in sinks:
        name, _, props = _unquote(spec).partition("=")
        value = parse_json_arg(props, f"--sink {name}", ns) if props else {}
        if not name.isidentifier() or not isinstance(value, Mapping):
            raise KuiperDevError(
                f"--sink {spec}: name a sink and optionally its props object; "
                """write --sink mySink or --sink 'file={"path": "out.txt"}'"""
            )
        actions.append({name: dict(value)})
    return actions
