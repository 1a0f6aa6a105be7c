"""Streams and tables described as eKuiper's REST API writes them
(``pkg/ast/sourceStmt.go``: ``StreamField.MarshalJSON``, ``Options``' JSON names)."""

from __future__ import annotations

from typing import Any

from ..sql import render
from ..sql.ast import ColumnDef, CreateStream

__all__ = ["options_json", "stream_fields_json"]


def _field_type(column: ColumnDef) -> Any:
    """eKuiper's ``printFieldTypeForJson``: a basic type's name, else an object."""
    if column.type == "array":
        element = _field_type(column.items) if column.items is not None else "unknown"
        return {"Type": "array", "ElementType": element}
    if column.type == "struct":
        return {"Type": "struct", "Fields": [
            {"FieldType": _field_type(f), "Name": f.name} for f in column.fields
        ]}  # fmt: skip
    return column.type


def _field_json(column: ColumnDef) -> dict[str, Any]:
    """One of eKuiper's ``StreamFields`` (``StreamField.MarshalJSON``)."""
    out: dict[str, Any] = {"FieldType": _field_type(column), "Name": column.name}
    if column.default is not None:
        out["DefaultClause"] = render(column.default)
    return out


# eKuiper's ast.Options JSON names, in its field order, and the typed ones
_OPTION_NAMES = {
    "DATASOURCE": "datasource", "KEY": "key", "FORMAT": "format", "CONF_KEY": "confKey",
    "TYPE": "type", "STRICT_VALIDATION": "strictValidation", "TIMESTAMP": "timestamp",
    "TIMESTAMP_FORMAT": "timestampFormat", "SHARED": "shared", "SCHEMAID": "schemaid",
    "VERSION": "version", "EXTRA": "extra", "RETAIN_SIZE": "retainSize", "KIND": "kind",
    "DELIMITER": "delimiter",
}  # fmt: skip


def options_json(statement: CreateStream) -> dict[str, Any]:
    """The WITH options as eKuiper's REST describes them: empty ones left out, flags as
    booleans, RETAIN_SIZE as a number."""
    out: dict[str, Any] = {}
    for key, name in _OPTION_NAMES.items():
        raw = statement.option(key)
        if not raw:
            continue
        value: Any = raw
        if key in ("STRICT_VALIDATION", "SHARED"):
            value = raw.lower() == "true"
        elif key == "RETAIN_SIZE":
            value = int(raw) if raw.isdigit() else 0
        if value:
            out[name] = value
    return out


def stream_fields_json(statement: CreateStream) -> list[dict[str, Any]]:
    """The ``StreamFields`` of a describe answer: arrays and structs nested as eKuiper
    writes them, with DEFAULT clauses.

    >>> from kuiper_dev.sql import parse
    >>> stmt = parse('CREATE STREAM s (a ARRAY(BIGINT), b STRUCT(c STRING)) WITH (DATASOURCE="s")')
    >>> stream_fields_json(stmt)[0]
    {'FieldType': {'Type': 'array', 'ElementType': 'bigint'}, 'Name': 'a'}
    """
    return [_field_json(c) for c in statement.columns]
