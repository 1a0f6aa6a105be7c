"""Stream payload formats beyond JSON, event timestamps and strict validation.

eKuiper decodes a payload with the converter the stream's FORMAT names
(``internal/converter/``), then, only when needed, runs its preprocessor
(``internal/topo/operator/preprocessor.go``): strict validation of typed streams,
the renaming of a typed binary stream's payload, and the event time taken from
the TIMESTAMP column. This module is those three steps; ``decoder.py`` stays the
JSON converter.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, TypeAlias

import orjson

from ..errors import DecodeError, EvalError, FunctionError
from ..go import go_str, go_type, numbers_as_floats, to_time, unix_milli
from ..sql import ast

__all__ = [
    "BINARY_FIELD",
    "EXACT_MS",
    "PayloadFormat",
    "make_payload_decoder",
    "parse_event_time",
    "row_event_time",
    "strict_check",
]

PayloadFormat: TypeAlias = Literal["json", "delimited", "binary"]

BINARY_FIELD = "self"
"""eKuiper's ``message.DefaultField``: where a schemaless binary stream keeps its payload."""

Rows: TypeAlias = list[dict[str, Any]]


def make_payload_decoder(
    fmt: str,
    columns: dict[str, ast.ColumnDef] | None,
    *,
    delimiter: str = ",",
    json_decoder: Callable[[bytes], Rows],
    fields: Sequence[str] | None = None,
) -> Callable[[bytes], Rows]:
    """A function turning one payload of a stream with FORMAT ``fmt`` into its rows.

    ``json`` delegates to ``json_decoder`` (``decoder.make_decoder``). ``delimited``
    splits on ``delimiter`` (empty means a comma) and names the values ``col0``,
    ``col1``, ... or by ``fields`` (the source's ``fields`` property, which eKuiper
    reads from the source configuration or EXTRA, never from the stream schema);
    every value stays a string, as eKuiper's converter leaves them. ``binary`` puts
    the whole payload in the stream's only (BYTEA) column, or in ``self`` when the
    stream is schemaless.

    >>> split = make_payload_decoder("delimited", None, delimiter=":", json_decoder=lambda b: [])
    >>> split(b"1:a")
    [{'col0': '1', 'col1': 'a'}]
    """
    kind = fmt.lower()
    if kind == "json":
        return json_decoder
    if kind == "delimited":
        return _delimited(delimiter or ",", list(fields) if fields else None)
    if kind == "binary":
        # eKuiper's preprocessor renames "self" to the typed stream's one column
        name = next(iter(columns)) if columns else BINARY_FIELD
        return lambda payload: [{name: bytes(payload)}]
    raise ValueError(f"format type {kind} not supported")  # eKuiper's GetOrCreateConverter


def _delimited(delimiter: str, names: list[str] | None) -> Callable[[bytes], Rows]:
    def decode(payload: bytes) -> Rows:
        # Go's string(b) keeps invalid UTF-8; it shows as U+FFFD once encoded again
        tokens = payload.decode("utf-8", "replace").split(delimiter)
        if names is None:
            return [{f"col{i}": v for i, v in enumerate(tokens)}]
        return [dict(zip(names, tokens, strict=False))]

    return decode


# --- event time -------------------------------------------------------------------

EXACT_MS = (-62_000_000_000_000, 253_000_000_000_000)
"""Epoch ms (years 5 to 9987) that :func:`~kuiper_dev.go.to_time` maps to a time and
back unchanged in every zone: an int event time in this range is its own value.
Outside it the conversion itself decides (and fails as eKuiper's would)."""


def parse_event_time(value: Any, fmt: str | None = None, *, field: str | None = None) -> int:
    """Epoch ms of a TIMESTAMP column value, as eKuiper's ``cast.InterfaceToTime``.

    Numbers are epoch ms (floats truncated), text is parsed with TIMESTAMP_FORMAT
    (Java-style letters, then eKuiper's fallback layouts), times are taken as they
    are. The conversion is ``go.timefmt.to_time``, the one the time functions
    use. With ``field`` the error carries the preprocessor's wording.

    >>> parse_event_time(1568854515000.9)
    1568854515000
    >>> parse_event_time("2019-09-23AT02:47:29+00:00", "yyyy-MM-dd'AT'HH:mm:ssXXX")
    1569206849000
    """
    if value.__class__ is int and EXACT_MS[0] <= value <= EXACT_MS[1]:
        return value  # the round trip through a time would give it back (the common case)
    try:
        return unix_milli(to_time(value, fmt or ""))
    except FunctionError as exc:
        if field is None:
            raise EvalError(str(exc)) from None
        raise EvalError(
            f"cannot convert timestamp field {field} to timestamp with error {exc}"
        ) from None


def row_event_time(row: dict[str, Any], field: str, fmt: str | None = None) -> int:
    """The event time of a decoded row: its TIMESTAMP column, looked up by exact name."""
    if field not in row:
        raise EvalError(f"cannot find timestamp field {field} in tuple {_go_v(row)}")
    return parse_event_time(row[field], fmt, field=field)


# --- strict validation --------------------------------------------------------------


def strict_check(
    row: dict[str, Any],
    columns: dict[str, ast.ColumnDef],
    *,
    timestamp_format: str | None = None,
) -> None:
    """STRICT_VALIDATION of one decoded row, in place, with eKuiper's messages.

    Beyond ``decoder.py``'s typing this checks every column is present (a DEFAULT
    fills a missing one), rejects nulls in scalar columns, turns DATETIME values
    into times (text read with TIMESTAMP_FORMAT), base64-decodes BYTEA text and
    reads STRUCT columns given as JSON text. Conversions are eKuiper's
    ``CONVERT_SAMEKIND``: text never becomes a number, so delimited rows of a typed
    strict stream fail on every non-string column, as in eKuiper. Columns are
    matched case-insensitively and a column found under another spelling is added
    under its declared name. eKuiper checks only the columns the rule uses (all of
    them for ``SELECT *``); pass those.

    >>> row = {"abc": 34}
    >>> strict_check(row, {"abc": ast.ColumnDef("abc", "float")}); row
    {'abc': 34.0}
    """
    try:
        _check_message(row, columns.values(), timestamp_format or "")
    except _Mismatch as exc:
        raise DecodeError(f"error in preprocessor: {exc}") from None


class _Mismatch(Exception):
    """A strict validation failure; its text is the part after ``error in preprocessor:``."""


_MISSING = object()


def _lookup(message: dict[str, Any], name: str) -> Any:
    """eKuiper's ``Message.Value`` with the default ``ignoreCase``: exact, then any case."""
    if name in message:
        return message[name]
    folded = name.casefold()
    for key, value in message.items():
        if key.casefold() == folded:
            return value
    return _MISSING


def _check_message(
    message: dict[str, Any], columns: Iterable[ast.ColumnDef], fmt: str
) -> dict[str, Any]:
    for col in columns:
        value = _lookup(message, col.name)
        if value is _MISSING:
            if col.default is None:
                raise _Mismatch(f"field {col.name} is not found")
            message[col.name] = _default_value(col.default)
            continue
        try:
            message[col.name] = _check_value(col, value, fmt)
        except _Mismatch as exc:
            raise _Mismatch(f"field {col.name} type mismatch: {exc}") from None
    return message


_DEFAULT_LITERALS = (ast.IntegerLiteral, ast.NumberLiteral, ast.StringLiteral, ast.BooleanLiteral)


def _default_value(literal: ast.Expr) -> Any:
    """A DEFAULT literal's value; the DDL parser already typed it as eKuiper's getClause does."""
    if isinstance(literal, _DEFAULT_LITERALS):
        return literal.value
    raise _Mismatch(f"unsupported default literal type {type(literal).__name__}")


def _go_v(v: Any) -> str:
    """Go's ``%v``, where a nil prints ``<nil>`` (``go_str`` gives eKuiper's "")."""
    if v is None:
        return "<nil>"
    if isinstance(v, dict):
        inner = " ".join(f"{k}:{_go_v(v[k])}" for k in sorted(v))
        return f"map[{inner}]"
    return go_str(v)


def _cannot(v: Any, target: str) -> _Mismatch:
    return _Mismatch(f"cannot convert {go_type(v)}({_go_v(v)}) to {target}")


def _check_value(col: ast.ColumnDef, v: Any, fmt: str) -> Any:
    t, typ = type(v), col.type
    if typ == "bigint":
        if t is int:
            return v
        if t is float and v == v and abs(v) != float("inf"):
            return int(v)  # Go's int64(f) truncates
        raise _cannot(v, "int64")
    if typ == "float":
        if t is float:
            return v
        if t is int:
            return float(v)
        raise _cannot(v, "float64")
    if typ == "boolean":
        if t is bool:
            return v
        raise _cannot(v, "bool")
    if typ == "string":
        if t is str:
            return v
        if t is bytes:
            return v.decode("utf-8", "replace")
        raise _cannot(v, "string")
    if typ == "datetime":
        try:
            return to_time(v, fmt)
        except FunctionError as exc:
            raise _Mismatch(str(exc)) from None
    if typ == "bytea":
        if t is bytes:
            return v
        if t is str:
            try:
                return base64.b64decode(v, validate=True)
            except (binascii.Error, ValueError):
                return v.encode()  # not base64: the text's own bytes (CONVERT_SAMEKIND)
        raise _cannot(v, "bytea")
    if typ == "array":
        return _check_array(col, v, fmt)
    if typ == "struct":
        return _check_struct(col, v, fmt)
    raise _Mismatch(f"unsupported type {typ}")


def _check_array(col: ast.ColumnDef, v: Any, fmt: str) -> Any:
    if v is None:
        return None
    if type(v) is not list:
        raise _Mismatch(f"expect array but got {_go_v(v)}")
    if col.items is None:
        return v
    for i, element in enumerate(v):
        try:
            checked = _check_value(col.items, element, fmt)
        except _Mismatch as exc:
            raise _Mismatch(f"array element type mismatch: {exc}") from None
        if checked is not None:
            v[i] = checked
    return v


def _check_struct(col: ast.ColumnDef, v: Any, fmt: str) -> Any:
    if v is None:
        return None
    if type(v) is str:
        try:
            parsed = orjson.loads(v)
        except orjson.JSONDecodeError:
            parsed = _MISSING
        if parsed is not None and type(parsed) is not dict:
            raise _Mismatch(f"invalid data type for {v}, expect map but found string({v})")
        v = numbers_as_floats(parsed) if parsed is not None else {}
    elif type(v) is not dict:
        raise _Mismatch(f"expect struct but found {go_type(v)}({_go_v(v)})")
    if not col.fields:
        return v
    return _check_message(v, col.fields, fmt)
