"""Hypothesis strategies for what eKuiper feeds a plugin: rows, function arguments, timed streams.

Rows are what a JSON payload holds before the stream decodes it (a ``BYTEA`` is
base64 text, a ``DATETIME`` epoch ms or RFC 3339 text), so they can go into a
rule-test case as they are. Function arguments are what the portable runtime
hands ``exec``: JSON values. Options are keyword-only and checked at once, the
``hypothesis.extra`` way.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from ..errors import PluginError, RecordingError
from ..recording import read_recording
from ..sql import ast, parse_stream
from ..sql.types import TYPES

__all__ = [
    "TimedRow",
    "function_args",
    "json_values",
    "metadata_arg_types",
    "rows_from_ddl",
    "rows_from_recording",
    "timed_rows",
    "values_of",
]

_BIG = 2**63 - 1
_EPOCH_MAX_MS = 4_102_444_800_000  # 2100-01-01: beyond it Go's time formats drift


class TimedRow(NamedTuple):
    """One message of a generated stream: its row, event time and arrival time (epoch ms)."""

    row: dict[str, Any]
    event_ms: int
    arrival_ms: int


def json_values(*, max_leaves: int = 8) -> SearchStrategy[Any]:
    """Any JSON value Go can read (no NaN or infinity): what a schemaless field may hold.

    >>> from hypothesis import find
    >>> find(json_values(), lambda v: isinstance(v, list) and len(v) == 2)
    [None, None]
    """
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-_BIG - 1, _BIG),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def _datetimes() -> SearchStrategy[Any]:
    ms = st.integers(0, _EPOCH_MAX_MS)
    text = ms.map(
        lambda v: (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=v)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    )
    return ms | text


_SIMPLE: dict[str, SearchStrategy[Any]] = {
    "bigint": st.integers(-_BIG - 1, _BIG),
    "int": st.integers(-_BIG - 1, _BIG),
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "number": st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False),
    "string": st.text(max_size=20),
    "text": st.text(max_size=20),
    "boolean": st.booleans(),
    "bool": st.booleans(),
    "datetime": _datetimes(),
    "bytea": st.binary(max_size=16).map(lambda b: base64.b64encode(b).decode()),
    "list_string": st.lists(st.text(max_size=10), max_size=4),
}


def values_of(
    type_name: str,
    *,
    nullable: bool = True,
    items: ast.ColumnDef | None = None,
    fields: Sequence[ast.ColumnDef] = (),
) -> SearchStrategy[Any]:
    """Values of one eKuiper type (a DDL name or a function metadata name), as JSON.

    ``items`` is an ``ARRAY``'s element type and ``fields`` a ``STRUCT``'s; an
    array without ``items`` or the type ``any`` holds any JSON value.

    >>> from hypothesis import find
    >>> find(values_of("bigint", nullable=False), lambda v: v > 10)
    11
    >>> values_of("money")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kuiper_dev.errors.PluginError: no eKuiper type 'money'; use one of any, array, bigint, ...
    """
    name = type_name.lower()
    if name in _SIMPLE:
        base = _SIMPLE[name]
    elif name == "any":
        base = json_values()
    elif name == "array":
        inner = _column(items, nullable) if items is not None else json_values()
        base = st.lists(inner, max_size=4)
    elif name == "struct":
        base = st.fixed_dictionaries({f.name: _column(f, nullable) for f in fields})
    else:
        known = sorted({*_SIMPLE, *TYPES, "any"})
        raise PluginError(f"no eKuiper type {type_name!r}; use one of {', '.join(known)}")
    return st.none() | base if nullable else base


def _column(col: ast.ColumnDef, nullable: bool) -> SearchStrategy[Any]:
    return values_of(col.type, nullable=nullable, items=col.items, fields=col.fields)


def rows_from_ddl(ddl: str, *, nullable: bool = True) -> SearchStrategy[dict[str, Any]]:
    """Rows (JSON objects) a stream defined by ``ddl`` accepts, every column present.

    A schemaless stream (``()``) gets objects of any JSON values.

    >>> from hypothesis import find
    >>> find(rows_from_ddl('CREATE STREAM s (a BIGINT, p STRUCT(x FLOAT)) WITH (DATASOURCE="s")'),
    ...      lambda row: row["p"] is not None)
    {'a': None, 'p': {'x': None}}
    """
    stmt = parse_stream(ddl)
    if not isinstance(stmt, ast.CreateStream):  # pragma: no cover - parse_stream promises it
        raise PluginError(f"not a stream definition: {ddl!r}; give CREATE STREAM ... WITH (...)")
    if not stmt.columns:
        return st.dictionaries(st.text(min_size=1, max_size=8), json_values(), max_size=4)
    return st.fixed_dictionaries({c.name: _column(c, nullable) for c in stmt.columns})


def _type_seen(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def rows_from_recording(
    path: str | Path, *, topic: str | None = None, max_messages: int = 10_000
) -> SearchStrategy[dict[str, Any]]:
    """Rows shaped like a recording's JSON payloads: each key with the types seen for it.

    For schemaless streams: a key seen with null (or missing from some payloads)
    may be null. Only messages on ``topic`` when given; at most ``max_messages`` read.
    """
    seen: dict[str, set[str]] = {}
    count = 0
    for message in read_recording(path):
        if count >= max_messages:
            break
        if topic is not None and message.topic != topic:
            continue
        try:
            payload = json.loads(message.payload)
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(payload, dict):
            continue
        for key in seen.keys() - payload.keys():
            seen[key].add("null")
        for key, value in payload.items():
            seen.setdefault(key, {"null"} if count else set()).add(_type_seen(value))
        count += 1
    if not seen:
        raise RecordingError(
            f"{path}: no JSON object payloads{f' on topic {topic}' if topic else ''}; record "
            "some traffic first, or derive rows from the stream's DDL with rows_from_ddl()"
        )
    columns = {}
    for key, types in sorted(seen.items()):
        options = [
            json_values() if t == "object" else values_of(t, nullable=False)
            for t in sorted(types - {"null"})
        ]
        strategy = st.one_of(*options) if options else st.none()
        columns[key] = st.none() | strategy if "null" in types else strategy
    return st.fixed_dictionaries(columns)


def metadata_arg_types(meta: Mapping[str, Any] | str | Path, function: str) -> list[str]:
    """The argument types of ``function`` in eKuiper function metadata (``functions/{name}.json``).

    >>> metadata_arg_types({"functions": [{"name": "f", "args": [{"name": "x", "type": "int"}]}]}, "f")
    ['int']
    """
    if not isinstance(meta, Mapping):
        path = Path(meta)
        try:
            meta = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise PluginError(
                f"{path}: cannot read function metadata ({exc}); fix the file"
            ) from exc
        if not isinstance(meta, Mapping):
            raise PluginError(f"{path}: function metadata must be a JSON object")
    for entry in meta.get("functions") or []:
        if isinstance(entry, Mapping) and entry.get("name") == function:
            return [str(a.get("type") or "any") for a in entry.get("args") or []]
    listed = [e.get("name") for e in meta.get("functions") or [] if isinstance(e, Mapping)]
    raise PluginError(
        f"function {function!r} is not in the metadata (it lists {listed}); add "
        f'{{"name": "{function}", "args": [{{"name": ..., "type": ...}}]}} to "functions"'
    )


def function_args(arg_types: Sequence[str], *, nullable: bool = False) -> SearchStrategy[list[Any]]:
    """Argument lists for a function whose parameters have ``arg_types``, as ``exec`` gets them.

    >>> from hypothesis import find
    >>> find(function_args(["int", "string"]), lambda args: args[0] < 0)
    [-1, '']
    """
    return st.tuples(*(values_of(t, nullable=nullable) for t in arg_types)).map(list)


@st.composite
def _timed(
    draw: st.DrawFn,
    rows: SearchStrategy[dict[str, Any]],
    start_ms: int,
    min_size: int,
    max_size: int,
    max_step_ms: int,
    gap_ms: int,
    lateness_ms: int,
    ts_field: str | None,
) -> list[TimedRow]:
    n = draw(st.integers(min_size, max_size))
    events, t = [], start_ms
    for _ in range(n):
        gap = draw(st.booleans()) if gap_ms else False
        t += gap_ms if gap else draw(st.integers(0, max_step_ms))
        events.append(t)
    delays = [draw(st.integers(0, lateness_ms)) if lateness_ms else 0 for _ in events]
    # arrival = event + delay: a row arrives after a later event only within the lateness
    order = sorted(range(n), key=lambda i: (events[i] + delays[i], i))
    out = []
    for i in order:
        row = dict(draw(rows))
        if ts_field is not None:
            row[ts_field] = events[i]
        out.append(TimedRow(row, events[i], events[i] + delays[i]))
    return out


def timed_rows(
    rows: SearchStrategy[dict[str, Any]],
    *,
    start_ms: int = 1_700_000_000_000,
    min_size: int = 0,
    max_size: int = 20,
    max_step_ms: int = 1000,
    gap_ms: int = 0,
    lateness_ms: int = 0,
    ts_field: str | None = "ts",
) -> SearchStrategy[list[TimedRow]]:
    """Streams of rows with event times, for windows and event time, in arrival order.

    Event times rise by ``0..max_step_ms``; with ``gap_ms`` some steps are that long
    instead (to close windows); with ``lateness_ms`` a row may arrive after rows
    at most that much later in event time, never more. ``ts_field`` puts the event
    time into each row (for ``TIMESTAMP="ts"``).

    >>> from hypothesis import find
    >>> late = find(timed_rows(st.just({}), min_size=2, max_size=2, lateness_ms=500),
    ...             lambda s: s[0].event_ms > s[1].event_ms)
    >>> late[0].event_ms - late[1].event_ms, late[0].arrival_ms <= late[1].arrival_ms
    (1, True)
    """
    if not 0 <= min_size <= max_size:
        raise InvalidArgument(
            f"timed_rows: need 0 <= min_size <= max_size, got {min_size}, {max_size}"
        )
    if min(max_step_ms, gap_ms, lateness_ms) < 0:
        raise InvalidArgument(
            "timed_rows: max_step_ms, gap_ms and lateness_ms must not be negative"
        )
    return _timed(rows, start_ms, min_size, max_size, max_step_ms, gap_ms, lateness_ms, ts_field)
