"""JSON payloads to rows, with the types eKuiper's JSON converter gives them.

Schemaless streams get every number as a float (eKuiper's default, no
``useInt64ForWholeNumber``). Typed streams keep only declared columns and convert
each to its declared type, failing with eKuiper's ``has wrong type`` message.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

import orjson

from ..errors import DecodeError
from ..go import go_str, numbers_as_floats
from ..sql import ast

__all__ = ["make_decoder"]

_JSON_TYPES = {
    bool: "true",
    int: "number",
    float: "number",
    str: "string",
    dict: "object",
    list: "array",
}
_BOOL_TEXT = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
              "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}  # fmt: skip


def _json_type(v: Any) -> str:
    if v is False:
        return "false"
    return _JSON_TYPES.get(type(v), type(v).__name__)


def _schemaless(obj: dict[str, Any]) -> dict[str, Any]:
    out = obj
    for k, v in obj.items():
        t = type(v)
        if t is int or t is dict or t is list:
            out[k] = numbers_as_floats(v)
    return out


def _wrong(key: str, v: Any, expect: str) -> DecodeError:
    return DecodeError(f"{key} has wrong type:{_json_type(v)}, expect:{expect}")


def _typed_value(key: str, v: Any, col: ast.ColumnDef) -> Any:
    t, typ = type(v), col.type
    if typ == "float" or typ == "datetime":
        if t is int or t is float:
            return float(v)
        if typ == "datetime" and t is str:
            return v
    elif typ == "bigint":
        if t is int:
            return v
        if t is float:
            if v.is_integer():
                return int(v)
            raise DecodeError(f"{key}: cannot parse int64 from {go_str(v)}")
    elif typ == "string":
        if t is str:
            return v
        if t is int or t is float:
            return go_str(float(v))
    elif typ == "boolean":
        if t is bool:
            return v
        if t is int or t is float:
            return v != 0
        if t is str:
            if v in _BOOL_TEXT:
                return _BOOL_TEXT[v]
            raise DecodeError(f'{key}: strconv.ParseBool: parsing "{v}": invalid syntax')
    elif typ == "bytea":
        if t is str:
            try:
                return base64.b64decode(v, validate=True)
            except binascii.Error as exc:
                raise DecodeError(f"{key}: illegal base64 data ({exc})") from None
    elif typ == "array":
        if t is list:
            item = col.items
            if item is None:
                return numbers_as_floats(v)
            return [None if x is None else _typed_value(key, x, item) for x in v]
    elif typ == "struct":
        if t is dict:
            return (
                _convert(v, {c.name: c for c in col.fields}) if col.fields else numbers_as_floats(v)
            )
    raise _wrong(key, v, typ)


def _convert(obj: dict[str, Any], schema: dict[str, ast.ColumnDef]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, v in obj.items():
        col = schema.get(key)
        if col is None:
            continue
        row[key] = None if v is None else _typed_value(key, v, col)
    return row


# The value classes each column type keeps as they are; anything else takes the
# general conversion (which also raises eKuiper's "wrong type" errors).
_FAST_KEEP: dict[str, str] = {"float": "float", "bigint": "int", "string": "str", "boolean": "bool"}


def _typed(schema: dict[str, ast.ColumnDef]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A converter specialised to this schema, generated once per stream.

    Each declared column is read with one ``dict.get`` and kept when its value
    already has the column's Python type; other values go through
    :func:`_typed_value`. Undeclared keys are dropped, as eKuiper does.
    """
    lines = ["def convert(obj):", "    row = {}", "    get = obj.get"]
    env: dict[str, Any] = {"_M": _MISSING, "_slow": _typed_value}
    for i, (key, col) in enumerate(schema.items()):
        env[f"c{i}"] = col
        keep = _FAST_KEEP.get(col.type)
        k = repr(key)
        lines.append(f"    v = get({k}, _M)")
        lines.append("    if v is not _M:")
        if keep is None:
            lines.append(f"        row[{k}] = None if v is None else _slow({k}, v, c{i})")
        else:
            lines.append(
                f"        row[{k}] = v if v.__class__ is {keep} else "
                f"(None if v is None else _slow({k}, v, c{i}))"
            )
    lines.append("    return row")
    exec("\n".join(lines), env)  # noqa: S102 - our own generated code, keys are repr()-quoted
    fn: Callable[[dict[str, Any]], dict[str, Any]] = env["convert"]
    return fn


_MISSING = object()


def make_decoder(
    schema: dict[str, ast.ColumnDef] | None,
) -> Callable[[bytes], list[dict[str, Any]]]:
    """A function turning one payload into its rows (a JSON array gives several)."""
    convert = _schemaless if schema is None else _typed(schema)

    def decode(payload: bytes) -> list[dict[str, Any]]:
        try:
            obj = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            raise DecodeError(f"invalid JSON payload: {exc}") from None
        if type(obj) is dict:
            return [convert(obj)]
        if type(obj) is list and all(type(o) is dict for o in obj):
            return [convert(o) for o in obj]
        raise DecodeError(
            f"payload is a JSON {_json_type(obj)}; eKuiper's json format expects an object "
            "or an array of objects"
        )

    return decode
