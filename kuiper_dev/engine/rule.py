"""A rule: one SELECT over one stream, compiled to a push pipeline.

decode → WHERE → project → sinks, each stage a closure made once when the rule is
planned. A failing row becomes an error record (and, with ``sendError``, an
``{"error": …}`` emission); the rule goes on.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .._types import Message
from ..errors import PlanError
from ..functions._cast import go_str, go_type
from ..sql import ast, parse_select, render
from .binder import Binder
from .catalog import Catalog, StreamDef
from .clock import VirtualClock
from .compiler import Compiled, Scope, compile_expr
from .decoder import DecodeError, make_decoder
from .result import RuleErrorRecord, RuleResult
from .values import EvalError

__all__ = ["Rule", "RuleOptions"]

Sink = Callable[[list[dict[str, Any]]], None]


@dataclass(frozen=True, slots=True)
class RuleOptions:
    """eKuiper rule options the engine reads; others are kept and ignored for now."""

    send_error: bool = False
    send_nil: bool = False
    raw: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_dict(cls, options: dict[str, Any] | None) -> RuleOptions:
        options = options or {}
        return cls(
            send_error=bool(options.get("sendError", False)),
            send_nil=bool(options.get("sendNil", False)),
            raw=tuple(sorted(options.items())),
        )


class Rule:
    """A planned rule, ready to take messages of its stream."""

    def __init__(
        self,
        rule_id: str,
        sql: str,
        catalog: Catalog,
        binder: Binder,
        options: RuleOptions | None = None,
    ) -> None:
        self.id = rule_id
        self.sql = sql
        self.options = options or RuleOptions()
        self.select = parse_select(sql)
        self.stream: StreamDef = catalog.get(self.select.source)
        sources = (self.select.source,) + (
            (self.select.source_alias,) if self.select.source_alias else ()
        )
        scope = Scope(binder, rule_id, sources)
        self._runtime = scope.runtime
        self._decode = make_decoder(self.stream.schema)
        self._check_fields(self.select)
        scope.op_id = "op_2_filter"
        self._where = compile_expr(self.select.where, scope) if self.select.where else None
        scope.op_id = "op_3_project"
        self._project = self._compile_projection(self.select.fields, scope, binder)
        self.result = RuleResult(rule_id, sql)
        self.sinks: list[Sink] = [self.result.emissions.append]

    def _check_fields(self, select: ast.Select) -> None:
        schema = self.stream.schema
        if schema is None:
            return
        refs: list[ast.FieldRef] = []
        _collect_refs(select, refs)
        for ref in refs:
            if ref.name not in schema and (ref.stream is None or ref.stream == select.source):
                close = difflib.get_close_matches(ref.name, schema, n=1)
                hint = f' Did you mean "{close[0]}"?' if close else ""
                raise PlanError(f"unknown field {ref.name} in stream {self.stream.name}.{hint}")

    def _compile_projection(
        self, fields: tuple[ast.Field, ...], scope: Scope, binder: Binder
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        plan: list[tuple[str | None, Compiled, str]] = []
        for f in fields:
            name = f.name
            if f.alias is None and isinstance(f.expr, ast.Call):
                name = binder.resolve(f.expr).name
            label = f"alias: {f.alias} expr: " if f.alias else "expr: "
            key = None if isinstance(f.expr, ast.Wildcard) else name
            plan.append((key, compile_expr(f.expr, scope), label + render(f.expr)))
        send_nil = self.options.send_nil

        def project(row: dict[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, fn, label in plan:
                try:
                    value = fn(row)
                except EvalError as exc:
                    raise EvalError(f"run Select error: {label} meet error, err:{exc}") from None
                if key is None:
                    out.update(value)
                elif value is not None or send_nil:
                    out[key] = value
            return out

        return project

    # -- running -------------------------------------------------------------------
    def _error(self, ts: int, message: str) -> None:
        status = self.result.status
        status.exceptions += 1
        status.last_exception = message
        status.last_exception_time = ts
        self.result.errors.append(RuleErrorRecord(ts, message))
        if self.options.send_error:
            self._emit([{"error": message}])

    def _emit(self, emission: list[dict[str, Any]]) -> None:
        self.result.status.records_out += 1
        for sink in self.sinks:
            sink(emission)

    def process(self, message: Message) -> None:
        """Push one message through the rule."""
        self.result.messages_in += 1
        self.result.status.records_in += 1
        self._runtime.meta = {"topic": message.topic, "qos": message.qos, **message.meta}
        try:
            rows = self._decode(message.payload)
        except DecodeError as exc:
            self._error(message.ts, f"decode error: {exc}")
            return
        self.process_rows(rows, message.ts)

    def process_rows(self, rows: list[dict[str, Any]], ts: int) -> None:
        where, project = self._where, self._project
        for row in rows:
            try:
                if where is not None:
                    try:
                        keep = where(row)
                    except EvalError as exc:
                        raise EvalError(f"run Where error: {exc}") from None
                    if keep is None or keep is False:
                        continue
                    if keep is not True:
                        raise EvalError(
                            "run Where error: invalid condition that returns non-bool value "
                            f"{go_type(keep)}({go_str(keep)})"
                        )
                out = project(row)
            except EvalError as exc:
                self._error(ts, str(exc))
                continue
            except Exception as exc:  # an engine bug must not kill the rule either
                self._error(ts, f"internal error in rule {self.id}: {exc!r}")
                continue
            self._emit([out])

    def run(self, messages: Iterable[Message], clock: VirtualClock | None = None) -> RuleResult:
        """Feed messages in arrival order on a virtual clock; return the result."""
        clock = clock or VirtualClock()
        self._runtime.now_ms = clock.now_ms
        self.result.status.status = "running"
        try:
            for m in messages:
                clock.advance_to(m.ts)
                self.process(m)
        finally:
            self.result.status.status = "stopped"
        return self.result


def _collect_refs(node: Any, out: list[ast.FieldRef]) -> None:
    if isinstance(node, ast.FieldRef):
        out.append(node)
        return
    if isinstance(node, tuple):
        for n in node:
            _collect_refs(n, out)
        return
    slots = getattr(type(node), "__slots__", ())
    for name in slots:
        _collect_refs(getattr(node, name), out)
