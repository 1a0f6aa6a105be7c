"""Data type names of eKuiper stream columns (``docs/en_US/sqls/data_types.md``)."""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = ["SIMPLE_TYPES", "TypeName"]

TypeName: TypeAlias = Literal["bigint", "float", "string", "datetime", "boolean", "bytea"]

SIMPLE_TYPES: frozenset[str] = frozenset(
    {"bigint", "float", "string", "datetime", "boolean", "bytea"}
)
