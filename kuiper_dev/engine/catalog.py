"""Streams and tables defined with eKuiper DDL, looked up with "did you mean"."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PlanError, did_you_mean
from ..sql import ast, parse_stream

__all__ = ["Catalog", "StreamDef"]

_FORMATS = {"json", "delimited", "binary"}


@dataclass(frozen=True, slots=True)
class StreamDef:
    """A defined stream: its schema (None when schemaless) and WITH properties."""

    name: str
    schema: dict[str, ast.ColumnDef] | None
    datasource: str
    format: str
    timestamp: str | None
    kind: str
    statement: ast.CreateStream
    strict: bool = False  # STRICT_VALIDATION

    @property
    def plain_json(self) -> bool:
        """JSON without strict validation: what the generated fast paths decode."""
        return self.format == "json" and not self.strict

    @classmethod
    def from_statement(cls, stmt: ast.CreateStream) -> StreamDef:
        fmt = (stmt.option("FORMAT") or "json").lower()
        if fmt not in _FORMATS:
            raise PlanError(
                f"stream {stmt.name}: FORMAT={fmt!r} is not decoded by kuiper_dev yet; "
                'use FORMAT="json", "delimited" or "binary"'
            )
        schema = {c.name: c for c in stmt.columns} or None
        return cls(
            name=stmt.name,
            schema=schema,
            datasource=stmt.option("DATASOURCE") or stmt.name,
            format=fmt,
            timestamp=stmt.option("TIMESTAMP"),
            kind=stmt.kind,
            statement=stmt,
            strict=(stmt.option("STRICT_VALIDATION") or "").lower() == "true",
        )


class Catalog:
    """The streams of one workspace."""

    def __init__(self) -> None:
        self._streams: dict[str, StreamDef] = {}

    def create(self, sql: str | ast.CreateStream, *, replace: bool = True) -> StreamDef:
        stmt = parse_stream(sql) if isinstance(sql, str) else sql
        if not replace and stmt.name in self._streams:
            raise PlanError(f"{stmt.kind} {stmt.name} already exists; drop it first")
        stream = StreamDef.from_statement(stmt)
        self._streams[stream.name] = stream
        return stream

    def get(self, name: str, *, at: ast.Pos = ast.NOWHERE) -> StreamDef:
        """The stream or table ``name``; ``at`` is where a rule names it, for the error's caret."""
        try:
            return self._streams[name]
        except KeyError:
            hint = did_you_mean(name, self._streams, " Define it with CREATE STREAM.")
            raise PlanError(
                f"stream {name} not found.{hint}", line=at.line, column=at.column
            ) from None

    def drop(self, name: str) -> None:
        self.get(name)
        del self._streams[name]

    def names(self) -> list[str]:
        return sorted(self._streams)
