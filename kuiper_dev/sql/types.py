"""Data type names of eKuiper stream columns (``docs/en_US/sqls/data_types.md``)."""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = ["COMPLEX_TYPES", "SIMPLE_TYPES", "TYPES", "TypeName"]

TypeName: TypeAlias = Literal[
    "bigint", "float", "string", "datetime", "boolean", "bytea", "array", "struct"
]

SIMPLE_TYPES: frozenset[str] = frozenset(
    {"bigint", "float", "string", "datetime", "boolean", "bytea"}
)
# ARRAY(type) and STRUCT(col type, ..): ColumnDef.items / ColumnDef.fields
COMPLEX_TYPES: frozenset[str] = frozenset({"array", "struct"})
TYPES: frozenset[str] = SIMPLE_TYPES | COMPLEX_TYPES
