"""One generated Python function per rule for the common stateless shape.

A typed JSON stream, a WHERE and a SELECT over its simple columns with
comparisons, AND/OR and + - * / arithmetic: for such rules the whole
decode-filter-project step becomes straight-line code, generated once when the
rule is planned. It is optimistic: a message it cannot handle exactly (a value of
another type than its column's, a JSON array, a division by zero, bad JSON...) is
handed to the general path, which gives eKuiper's results and error messages. So
the fast path never decides anything the general path would decide differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from ..go import int_div
from ..sql import ast

__all__ = ["FastPath", "WindowFastPath", "compile_fast_path", "compile_window_fast_path"]

_PY_TYPES = {"bigint": "int", "float": "float", "string": "str", "boolean": "bool"}
_CMP = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_NUMERIC = ("int", "float")


class _Fallback(Exception):
    """This message needs the general path."""


class _NotSimple(Exception):
    """This rule has no fast path."""


@dataclass(frozen=True, slots=True)
class _Code:
    text: str
    type: str  # "int" | "float" | "str" | "bool"
    nullable: bool


def _fdiv(a: float, b: float) -> float:
    if b == 0:
        raise _Fallback
    return a / b


def _idiv(a: int, b: int) -> int:
    if b == 0:
        raise _Fallback
    return int_div(a, b)


class _Generator:
    def __init__(
        self, schema: dict[str, ast.ColumnDef], sources: tuple[str, ...], aliases: frozenset[str]
    ) -> None:
        self.schema = schema
        self.aliases = aliases
        self.sources = sources
        self.temps = 0
        self.var = {name: f"c{i}" for i, name in enumerate(schema)}

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def expr(self, node: ast.Expr) -> _Code:
        match node:
            case ast.IntegerLiteral(value):
                return _Code(repr(value), "int", False)
            case ast.NumberLiteral(value):
                return _Code(repr(value), "float", False)
            case ast.StringLiteral(value):
                return _Code(repr(value), "str", False)
            case ast.BooleanLiteral(value):
                return _Code(repr(value), "bool", False)
            case ast.ParenExpr(inner):
                return self.expr(inner)
            case ast.FieldRef(name, stream) if stream is None or stream in self.sources:
                col = self.schema.get(name)
                if col is None or col.type not in _PY_TYPES or name in self.aliases:
                    raise _NotSimple
                return _Code(self.var[name], _PY_TYPES[col.type], True)
            case ast.BinaryExpr("AND" | "OR" as op, lhs, rhs):
                a, b = self.expr(lhs), self.expr(rhs)
                if a.type != "bool" or b.type != "bool" or a.nullable or b.nullable:
                    raise _NotSimple
                return _Code(f"({a.text} {op.lower()} {b.text})", "bool", False)
            case ast.BinaryExpr(op, lhs, rhs) if op in _CMP:
                a, b = self.expr(lhs), self.expr(rhs)
                same = a.type == b.type or (a.type in _NUMERIC and b.type in _NUMERIC)
                if not same or (a.type == "bool" and op not in ("=", "!=")):
                    raise _NotSimple
                test = f"{a.text} {_CMP[op]} {b.text}"
                guards = [f"{c.text} is not None" for c in (a, b) if c.nullable]
                return _Code(f"({' and '.join([*guards, test])})", "bool", False)
            case ast.BinaryExpr("+" | "-" | "*" | "/" as op, lhs, rhs):
                a, b = self.expr(lhs), self.expr(rhs)
                if a.type not in _NUMERIC or b.type not in _NUMERIC:
                    raise _NotSimple
                kind = "int" if a.type == b.type == "int" else "float"
                if op == "/":
                    text = f"{'_idiv' if kind == 'int' else '_fdiv'}({a.text}, {b.text})"
                else:
                    text = f"({a.text} {op} {b.text})"
                if kind == "float" and a.type == b.type == "int":  # pragma: no cover
                    text = f"float({text})"
                if a.nullable or b.nullable:
                    nulls = " or ".join(f"{c.text} is None" for c in (a, b) if c.nullable)
                    text = f"(None if {nulls} else {text})"
                return _Code(text, kind, a.nullable or b.nullable)
        raise _NotSimple


def _column_checks(schema: dict[str, ast.ColumnDef], names: dict[str, str]) -> list[str]:
    """Every declared column read and type-checked, so decode errors are never skipped."""
    lines: list[str] = []
    for name, col in schema.items():
        var = names[name]
        lines.append(f"            {var} = get({name!r})")
        py = _PY_TYPES.get(col.type)
        if py is None:  # nested or special column: only the general path converts it
            lines.append(f"            if {var} is not None: raise _Fallback")
            continue
        if py == "float":
            lines.append(f"            if {var}.__class__ is not float and {var} is not None:")
            lines.append(
                f"                if {var}.__class__ is int: {var} = float({var}); conv = True"
            )
            lines.append("                else: raise _Fallback")
        else:
            lines.append(
                f"            if {var}.__class__ is not {py} and {var} is not None: raise _Fallback"
            )
    return lines


@dataclass(slots=True)
class FastPath:
    """The generated stateless loop, in two forms made from one template.

    ``run(messages, emit, slow) -> (handled, passed, last_ts)`` takes messages;
    ``run_payloads(payloads, emit, slow) -> (handled, passed)`` takes bare payloads
    (a file of JSON lines), so no message object is made per line.
    """

    run: Callable[
        [Iterable[Any], Callable[[list[dict[str, Any]]], None], Callable[[Any], None]],
        tuple[int, int, int | None],
    ]
    run_payloads: Callable[
        [Iterable[bytes], Callable[[list[dict[str, Any]]], None], Callable[[bytes], None]],
        tuple[int, int],
    ]
    source: str
    has_where: bool


def compile_fast_path(
    select: ast.Select, schema: dict[str, ast.ColumnDef] | None, *, send_nil: bool = False
) -> FastPath | None:
    """The generated loop for ``select`` over a stream with ``schema``, or None."""
    if schema is None or select.window is not None or select.joins or select.group_by:
        return None
    if select.having is not None or select.order_by or select.limit is not None:
        return None
    sources = (select.source,) + ((select.source_alias,) if select.source_alias else ())
    gen = _Generator(schema, sources, frozenset(f.alias for f in select.fields if f.alias))
    try:
        where = gen.expr(select.where) if select.where is not None else None
        if where is not None and where.type != "bool":
            return None
        fields = []
        for f in select.fields:
            if f.invisible or isinstance(f.expr, ast.Wildcard) or isinstance(f.expr, ast.Call):
                return None
            fields.append((f.name, gen.expr(f.expr)))
    except _NotSimple:
        return None
    body = [
        "        try:",
        "            obj = loads(payload)",
        "            if obj.__class__ is not dict: raise _Fallback",
        "            get = obj.get",
        "            conv = False",
        *_column_checks(schema, gen.var),
    ]
    test = (
        "True" if where is None else where.text if not where.nullable else f"({where.text}) is True"
    )
    body.append(f"            keep = {test}")
    body.append("            if keep:")
    body.append("                row = {}")
    for key, code in fields:
        if code.nullable and not send_nil:
            tmp = gen.temp()
            body.append(f"                {tmp} = {code.text}")
            body.append(f"                if {tmp} is not None: row[{key!r}] = {tmp}")
        else:
            body.append(f"                row[{key!r}] = {code.text}")
    body += [
        "        except Exception:",
        "            slow(ITEM)",
        "            continue",
        "        handled += 1",
        "        if not keep: continue",
        "        passed += 1",
        "        emit([row])",
    ]
    messages = [
        "def run(messages, emit, slow):",
        "    handled = passed = 0",
        "    ts = None",
        "    for m in messages:",
        "        payload = m.payload",
        "        ts = m.ts",
        *[line.replace("ITEM", "m") for line in body],
        "    return handled, passed, ts",
    ]
    payloads = [
        "def run_payloads(payloads, emit, slow):",
        "    handled = passed = 0",
        "    for payload in payloads:",
        *[line.replace("ITEM", "payload") for line in body],
        "    return handled, passed",
    ]
    source = "\n".join(messages + [""] + payloads)
    env: dict[str, Any] = {
        "loads": orjson.loads,
        "_Fallback": _Fallback,
        "_fdiv": _fdiv,
        "_idiv": _idiv,
    }
    exec(source, env)  # noqa: S102 - generated from the rule's own AST; names are sanitised
    return FastPath(env["run"], env["run_payloads"], source, where is not None)


@dataclass(slots=True)
class WindowFastPath:
    """The generated ingest loop of a processing-time tumbling or hopping window.

    ``run(messages, inputs_of, advance, slow) -> (handled, kept, last_ts)``: ``advance(ts)`` fires the
    windows due by ``ts`` and returns the next deadline; ``inputs_of()`` gives the
    window's current buffer, which firing replaces.
    """

    run: Callable[..., tuple[int, int, int | None]]
    source: str


def compile_window_fast_path(
    select: ast.Select,
    schema: dict[str, ast.ColumnDef] | None,
    where: ast.Expr | None,
    fold_columns: list[str] | None = None,
) -> WindowFastPath | None:
    """The ingest loop for a windowed rule whose rows need only decoding (and ``where``).

    With ``fold_columns`` the loop folds those values into ``groups`` (incremental
    aggregation) instead of keeping rows.
    """
    if schema is None or select.joins:
        return None
    sources = (select.source,) + ((select.source_alias,) if select.source_alias else ())
    gen = _Generator(schema, sources, frozenset(f.alias for f in select.fields if f.alias))
    try:
        cond = gen.expr(where) if where is not None else None
    except _NotSimple:
        return None
    if cond is not None and cond.type != "bool":
        return None
    lines = [
        "def run(messages, inputs_of, advance, slow, groups=None, fold=None):",
        "    handled = kept = 0",
        "    ts = None",
        "    deadline = advance(None)",
        "    inputs = inputs_of()",
        "    append = inputs.append",
        "    for m in messages:",
        "        ts = m.ts",
        "        if deadline is not None and ts >= deadline:",
        "            deadline = advance(ts)",
        "            inputs = inputs_of()",
        "            append = inputs.append",
        "        try:",
        "            obj = loads(m.payload)",
        "            if obj.__class__ is not dict: raise _Fallback",
        "            get = obj.get",
        "            conv = False",
        *_column_checks(schema, gen.var),
    ]
    if cond is not None:
        test = cond.text if not cond.nullable else f"({cond.text}) is True"
        lines.append(f"            keep = {test}")
    if fold_columns is None:
        # The decoded object is the row when it holds only the decoded columns and every
        # value was kept as it was (``*``, collect(*) and deduplicate see whole rows).
        lines.append("            if not conv and obj.keys() <= KEYS:")
        lines.append("                row = obj")
        lines.append("            else:")
        lines.append("                row = {}")
        for name in schema:
            var = gen.var[name]
            lines.append(
                f"                if {var} is not None or {name!r} in obj: row[{name!r}] = {var}"
            )
    lines += [
        "        except Exception:",
        "            slow(m)",
        "            deadline = advance(None)",
        "            inputs = inputs_of()",
        "            append = inputs.append",
        "            continue",
        "        handled += 1",
    ]
    if cond is not None:
        lines.append("        if not keep: continue")
    if fold_columns is None:
        lines += ["        kept += 1", "        append((ts, row))", "    return handled, kept, ts"]
    else:  # incremental aggregation: fold the row's values into its group
        values = ", ".join(gen.var[c] for c in fold_columns)
        lines += [
            "        kept += 1",
            f"        fold(groups, {values})",
            "    return handled, kept, ts",
        ]
    source = "\n".join(lines)
    env: dict[str, Any] = {
        "loads": orjson.loads,
        "_Fallback": _Fallback,
        "_fdiv": _fdiv,
        "_idiv": _idiv,
        "KEYS": frozenset(schema),
    }
    exec(source, env)  # noqa: S102 - generated from the rule's own AST; names are sanitised
    return WindowFastPath(env["run"], source)
