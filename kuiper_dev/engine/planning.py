"""Planning a rule's inputs: which streams and tables it reads, and how they decode.

Kept apart from :mod:`.rule` so the rule module holds the pipeline itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import PlanError
from ..functions import lookup
from ..sql import ast, walk
from .catalog import Catalog, StreamDef
from .decoder import make_decoder
from .formats import make_payload_decoder, strict_check
from .windows import WindowSpec

__all__ = [
    "RuleInput",
    "field_refs",
    "plan_inputs",
    "pruned_schema",
    "retain_size",
    "stream_decoder",
    "used_columns",
    "window_spec",
]


def used_columns(select: ast.Select) -> set[str] | None:
    """The column names a rule reads, or None when a ``*`` reads all of them.

    As in eKuiper's column pruning (``getFields``, ``PruneColumns``), a ``*``
    anywhere counts, an argument too (``collect(*)``, ``count(*)``), but not the
    meta key ``*`` of ``meta(*)``, which eKuiper parses as no wildcard.
    """
    meta_args: set[int] = set()
    for node in walk(select):
        if isinstance(node, ast.Call) and node.name.lower() in _META_CALLS:
            meta_args.update(id(a) for a in node.args)
        elif isinstance(node, ast.Wildcard) and id(node) not in meta_args:
            return None
    return {r.name for r in field_refs(select)}


_META_CALLS = frozenset({"meta", "mqtt"})


def pruned_schema(stream: StreamDef, used: set[str] | None) -> dict[str, ast.ColumnDef] | None:
    """The stream's columns a rule reads (all for ``*``), as eKuiper's PruneColumns keeps."""
    if stream.schema is None or used is None:
        return stream.schema
    keep = used | ({stream.timestamp} if stream.timestamp else set())
    return {k: c for k, c in stream.schema.items() if k in keep}


def stream_decoder(
    stream: StreamDef, used: set[str] | None
) -> Callable[[bytes], list[dict[str, Any]]]:
    """Payload to rows for the stream's FORMAT, with STRICT_VALIDATION when it asks.

    Like eKuiper's planner, a typed stream decodes only the columns the rule reads
    (and its TIMESTAMP): a bad value in a column no rule reads is no error.
    """
    stmt = stream.statement
    schema = pruned_schema(stream, used)
    decode = make_payload_decoder(
        stream.format,
        schema,
        delimiter=stmt.option("DELIMITER") or ",",
        json_decoder=make_decoder(schema),
    )
    if not stream.strict or stream.schema is None or stream.format == "binary":
        return decode
    columns = schema or {}
    timestamp_format = stmt.option("TIMESTAMP_FORMAT")

    def decode_strict(payload: bytes) -> list[dict[str, Any]]:
        rows = decode(payload)
        for row in rows:
            strict_check(row, columns, timestamp_format=timestamp_format)
        return rows

    return decode_strict


def window_spec(window: Any) -> WindowSpec:
    kind = window.kind
    if kind == "state":
        raise PlanError("a state window has no length or unit; it is planned by its conditions")
    if kind == "count":
        return WindowSpec("count", None, int(window.length), int(window.interval or 0))
    delay = int(window.interval or 0) if kind == "sliding" else 0
    interval = 0 if kind == "sliding" else int(window.interval or 0)
    return WindowSpec(kind, window.unit, int(window.length), interval, delay)


def field_refs(node: Any) -> list[ast.FieldRef]:
    """Every column reference under ``node``; a meta key (``meta(topic)``) is none."""
    keys = {
        id(n)
        for call in walk(node)
        if isinstance(call, ast.Call) and _names_keys(call)
        for arg in call.args
        for n in walk(arg)
    }
    return [n for n in walk(node) if isinstance(n, ast.FieldRef) and id(n) not in keys]


def _names_keys(call: ast.Call) -> bool:
    spec = lookup(call.name)
    return spec is not None and spec.key_args


@dataclass(frozen=True, slots=True)
class RuleInput:
    """One stream or table a rule reads: the tag its rows carry and how to decode them."""

    stream: StreamDef
    tag: str
    decode: Callable[[bytes], list[dict[str, Any]]]
    retain: int
    lookup: tuple[str, str] | None = None  # (memory topic, key) of a lookup table


def retain_size(stream: StreamDef) -> int:
    """eKuiper's scan-table size: RETAIN_SIZE, else all rows for file-like tables, else one."""
    raw = stream.statement.option("RETAIN_SIZE")
    if raw and str(raw).isdigit() and int(raw) > 0:
        return int(raw)
    return 9999 if (stream.statement.option("TYPE") or "") in ("", "file") else 1


def plan_inputs(
    select: ast.Select, joins: tuple[Any, ...], catalog: Catalog
) -> dict[str, RuleInput]:
    main = catalog.get(select.source)
    inputs = {
        main.name: RuleInput(
            main, select.source_alias or main.name, stream_decoder(main, used_columns(select)), 0
        )
    }
    for j in joins:
        other = catalog.get(j.source, at=j.source_pos)
        lookup = None
        if (other.statement.option("KIND") or "scan").lower() == "lookup":
            kind = (other.statement.option("TYPE") or "").lower()
            key = other.statement.option("KEY")
            if kind != "memory" or not key:
                raise PlanError(
                    f'table {other.name}: kuiper_dev joins lookup tables of TYPE="memory" with a '
                    f"KEY; {kind or 'other'} lookup tables need their external store"
                )
            lookup = (other.datasource, key)
        inputs[other.name] = RuleInput(
            other,
            j.alias or other.name,
            stream_decoder(other, used_columns(select)),
            retain_size(other),
            lookup,
        )
    return inputs
