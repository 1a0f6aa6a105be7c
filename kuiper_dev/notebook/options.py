"""Rule options and sink actions the way a user types them on a magic's line: JSON,
quoted or not, a variable holding a dict, or flags such as ``--event-time
--late-tolerance 1000``."""

from __future__ import annotations

import ast
import difflib
import json
from collections.abc import Mapping
from typing import Any

from ..engine import duration_ms
from ..errors import KuiperDevError, PlanError

__all__ = [
    "RULE_OPTIONS",
    "parse_json_arg",
    "quote_json",
    "rule_options",
    "sink_actions",
    "unknown_options",
]

# eKuiper's rule options (internal/pkg/def/rule.go, docs guide/rules/overview.md) and the
# JSON types it unmarshals them from; durations also take text such as "1s" there.
RULE_OPTIONS: dict[str, tuple[type, ...]] = {
    "debug": (bool,),
    "logFilename": (str,),
    "isEventTime": (bool,),
    "lateTolerance": (int, str),
    "concurrency": (int,),
    "bufferLength": (int,),
    "sendMetaToSink": (bool,),
    "sendNilField": (bool,),
    "sendError": (bool,),
    "qos": (int,),
    "checkpointInterval": (int, str),
    "restartStrategy": (dict,),
    "cron": (str,),
    "duration": (str,),
    "cronDatetimeRange": (list,),
    "planOptimizeStrategy": (dict,),
    "notifySub": (bool,),
    "disableBufferFullDiscard": (bool,),
    "enableSaveStateBeforeStop": (bool,),
    "forceExitTimeout": (int, str),
    "enableRuleTracer": (bool,),
    "experiment": (dict,),
}
_DURATIONS = ("lateTolerance", "checkpointInterval", "forceExitTimeout")
_JSON_NAMES = {bool: "true or false", int: "a whole number", str: "a string", dict: "an object",
               list: "a list"}  # fmt: skip


def quote_json(line: str) -> str:
    """Put quotes around each unquoted word of a magic line that holds JSON with spaces,
    so that ``--options {"isEventTime": true}`` reaches the parser as one argument.

    >>> print(quote_json('--feed f --options {"isEventTime": true, "lateTolerance": 5}'))
    --feed f --options '{"isEventTime": true, "lateTolerance": 5}'
    >>> print(quote_json('--sink ledger={"limit": 100} --rows 3'))
    --sink 'ledger={"limit": 100}' --rows 3
    >>> print(quote_json('''--options '{"a": 1}' --quiet'''))
    --options '{"a": 1}' --quiet
    """
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            out.append(line[i])
            i += 1
            continue
        if line[i] in "'\"":  # a quoted word: as typed
            end = line.find(line[i], i + 1)
            end = n if end < 0 else end + 1
            out.append(line[i:end])
            i = end
            continue
        start = i
        while i < n and not line[i].isspace() and line[i] not in "{[":
            i += 1
        if i < n and line[i] in "{[":
            i = _json_end(line, i)
        while i < n and not line[i].isspace():
            i += 1
        word = line[start:i]
        spaced = any(c.isspace() for c in word)
        out.append(f"'{word}'" if spaced and "'" not in word else word)
    return "".join(out)


def _json_end(text: str, i: int) -> int:
    """The index after the bracket that closes the one at ``i`` (JSON strings skipped),
    or the end of the text."""
    depth, in_string, n = 0, False, len(text)
    while i < n:
        c = text[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _unquote(text: str) -> str:
    """IPython leaves the quotes on (``'{"a": 1}'``): take one matching pair off."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def parse_json_arg(text: str, what: str, ns: Mapping[str, Any]) -> Any:
    """A JSON value typed on a magic line, quoted or not, or the name of a variable.
    A Python literal is taken too (``{"isEventTime": True}``), as a Python user types it.

    >>> parse_json_arg("'{\\"isEventTime\\": true}'", "--options", {})
    {'isEventTime': True}
    >>> parse_json_arg("opts", "--options", {"opts": {"sendError": True}})
    {'sendError': True}
    >>> parse_json_arg("{'isEventTime': True}", "--options", {})
    {'isEventTime': True}
    """
    raw = _unquote(text)
    if raw.isidentifier() and raw not in ("true", "false", "null"):
        if raw in ns:
            return ns[raw]
        raise KuiperDevError(f"{what} {raw}: no variable {raw!r} in the notebook; define it first")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
        if isinstance(value, dict | list):
            return value
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
    >>> rule_options('{"lateTolerance": "1.5s"}', {})  # durations as eKuiper reads them
    {'lateTolerance': 1500}
    """
    options = parse_json_arg(text, "--options", ns) if text else {}
    if not isinstance(options, Mapping):
        raise KuiperDevError(
            f"--options: rule options are an object, got {type(options).__name__}; "
            """write --options '{"isEventTime": true}'"""
        )
    out = dict(options)
    _check_types(out)
    for key in _DURATIONS:
        if isinstance(out.get(key), str):
            try:
                out[key] = duration_ms(out[key], key)
            except PlanError as exc:
                raise KuiperDevError(f"--options: {exc}") from None
    if event_time:
        out["isEventTime"] = True
    if late_tolerance is not None:
        out["lateTolerance"] = late_tolerance
    if send_error:
        out["sendError"] = True
    return out


def _check_types(options: Mapping[str, Any]) -> None:
    """Refuse a known option of the wrong JSON type, as eKuiper refuses to unmarshal it.

    >>> _check_types({"isEventTime": "yes"})
    Traceback (most recent call last):
    kuiper_dev.errors.KuiperDevError: --options: isEventTime is true or false, got 'yes'; write {"isEventTime": true}
    """
    for key, value in options.items():
        kinds = RULE_OPTIONS.get(key)
        if kinds is None or (isinstance(value, kinds) and not
                             (isinstance(value, bool) and bool not in kinds)):  # fmt: skip
            continue
        wanted = " or ".join(_JSON_NAMES[k] for k in kinds)
        example = {bool: "true", int: "1000", str: '"1s"', dict: "{...}", list: "[...]"}[kinds[0]]
        raise KuiperDevError(
            f"--options: {key} is {wanted}, got {value!r}; write {{{json.dumps(key)}: {example}}}"
        )


def unknown_options(options: Mapping[str, Any]) -> list[str]:
    """A warning for each key eKuiper does not know (it ignores them silently, so a
    misspelled option would change nothing), naming the nearest known one.

    >>> print(*unknown_options({"isEventTim": True, "sendError": True}))
    rule option isEventTim is not one of eKuiper's and is ignored; did you mean isEventTime?
    """
    out = []
    for key in options:
        if key in RULE_OPTIONS:
            continue
        near = difflib.get_close_matches(key, RULE_OPTIONS, n=1, cutoff=0.6)
        hint = f"did you mean {near[0]}?" if near else f"known: {', '.join(RULE_OPTIONS)}"
        out.append(f"rule option {key} is not one of eKuiper's and is ignored; {hint}")
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
