"""Generated ingest loops for rules over typed JSON streams.

A typed JSON stream, a WHERE and a SELECT over its simple columns with
comparisons, AND/OR and arithmetic: for such rules the whole
decode-filter-project step becomes straight-line code, generated once when the
rule is planned. This module writes only the loops; every expression in them,
and the decoding of each column, is :class:`~.typed.TypedCompiler` text. It is
optimistic: a message the loop cannot handle exactly (a value of another type
than its column's, a JSON array, a division by zero, bad JSON...) is handed to
the general path, which gives eKuiper's results and error messages. So the fast
path never decides anything the general path would decide differently.

Three loops: the stateless one (WHERE and SELECT), the ingest loop of a
processing-time window, and the ingest loop of an event-time tumbling window,
which also takes over the watermark's step for the rows it releases at once
(:mod:`.event_loop` holds the general path's state it reads and writes back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson

from ..sql import ast
from .formats import EXACT_MS
from .projection import omits_nil
from .typed import NotTyped, Typed, TypedCompiler, define, indent

__all__ = [
    "EventWindowFastPath",
    "FastPath",
    "WindowFastPath",
    "compile_event_window_fast_path",
    "compile_fast_path",
    "compile_window_fast_path",
]


def _decode(
    compiler: TypedCompiler, payload: str, *, conv: bool = False, exact: str | None = None
) -> list[str]:
    """The try block's head: one JSON object (else TypeError), every column read and
    type-checked; with ``conv``, ``conv`` tells whether a value was converted; the
    variable ``exact`` must hold an exact epoch-ms integer (an arrival time)."""
    return [
        f"obj = loads({payload})",
        *(["conv = False"] if conv else []),
        *compiler.decode(conv=conv, exact=exact),
    ]


# -- the stateless loop ----------------------------------------------------------


@dataclass(slots=True)
class FastPath:
    """The generated stateless loop, in two forms made from one template.

    ``run(messages, emit, failed, slow) -> (handled, passed, last_ts)`` takes
    messages; ``run_payloads(payloads, emit, failed, slow) -> (handled, passed)``
    takes bare payloads (a file of JSON lines), so no message object is made per
    line. ``emit`` and ``failed`` are :meth:`Emitter.direct`'s pair.
    """

    run: Callable[..., tuple[int, int, int | None]]
    run_payloads: Callable[..., tuple[int, int]]
    source: str
    has_where: bool


def compile_fast_path(
    select: ast.Select, schema: dict[str, ast.ColumnDef] | None, *, send_nil: bool = False
) -> FastPath | None:
    """The generated loop for ``select`` over a stream with ``schema``, or None."""
    if schema is None or not _stateless(select):
        return None
    if send_nil and any(omits_nil(f) for f in select.fields):
        return None  # the general projector keeps eKuiper's sendNil exception
    compiler = TypedCompiler.for_select(select, schema)
    try:
        where = compiler.predicate(select.where) if select.where is not None else None
        fields = _projection(select, compiler)
    except NotTyped:
        return None
    body = _stateless_body(compiler, where, fields, send_nil)
    source = "\n".join([*_messages_loop(body), "", *_payloads_loop(body)])
    env = define(source, loads=orjson.loads)
    return FastPath(env["run"], env["run_payloads"], source, where is not None)


def _stateless(select: ast.Select) -> bool:
    """Whether ``select`` decides each message alone (no window, join, grouping or order)."""
    return not (
        select.window is not None
        or select.joins
        or select.group_by
        or select.having is not None
        or select.order_by
        or select.limit is not None
    )


def _projection(select: ast.Select, compiler: TypedCompiler) -> list[tuple[str, Typed]]:
    """Each output key with its typed value; raises NotTyped for anything else."""
    fields = []
    for f in select.fields:
        if f.invisible or isinstance(f.expr, ast.Wildcard | ast.Call):
            raise NotTyped
        fields.append((f.name, compiler.expr(f.expr)))
    return fields


def _row(compiler: TypedCompiler, fields: list[tuple[str, Typed]], send_nil: bool) -> list[str]:
    """Statements building ``row``; a null value is left out unless ``send_nil``.

    When every nullable value is a plain variable, a row with none of them null
    (the usual row) is built as one literal; the key-by-key build is its fallback.
    """
    nullable = [code for _, code in fields if code.nullable and not send_nil]
    if nullable and all(code.plain for code in nullable):
        literal = ", ".join(f"{key!r}: {code.text}" for key, code in fields)
        test = " and ".join(f"{code.text} is not None" for code in nullable)
        return [
            f"if {test}: row = {{{literal}}}",
            "else:",
            *indent(_row_by_key(compiler, fields, send_nil), 1),
        ]
    return _row_by_key(compiler, fields, send_nil)


def _row_by_key(
    compiler: TypedCompiler, fields: list[tuple[str, Typed]], send_nil: bool
) -> list[str]:
    lines = ["row = {}"]
    for key, code in fields:
        if code.nullable and not send_nil and code.plain:
            lines.append(f"if {code.text} is not None: row[{key!r}] = {code.text}")
        elif code.nullable and not send_nil:
            tmp = compiler.temp()
            lines.append(f"{tmp} = {code.text}")
            lines.append(f"if {tmp} is not None: row[{key!r}] = {tmp}")
        else:
            lines.append(f"row[{key!r}] = {code.text}")
    return lines


def _stateless_body(
    compiler: TypedCompiler, where: str | None, fields: list[tuple[str, Typed]], send_nil: bool
) -> list[str]:
    """One message's step, at the loops' depth; ``ITEM`` stands for what ``slow`` gets."""
    skip = [f"    if not ({where}):", "        handled += 1", "        continue"] if where else []
    return [
        "try:",
        *indent(_decode(compiler, "payload"), 1),
        *skip,
        *indent(_row(compiler, fields, send_nil), 1),
        "except Exception:",  # Fallback, a runtime error or bad JSON: the general path decides
        "    slow(ITEM)",
        "    continue",
        "handled += 1",
        "passed += 1",
        "try: emit([row])",
        "except Exception as exc: failed(exc)",  # a sink that raises is reported; go on
    ]


def _messages_loop(body: list[str]) -> list[str]:
    return [
        "def run(messages, emit, failed, slow):",
        "    handled = passed = 0",
        "    ts = None",
        "    for m in messages:",
        "        payload = m.payload",
        "        ts = m.ts",
        *indent((line.replace("ITEM", "m") for line in body), 2),
        "    return handled, passed, ts",
    ]


def _payloads_loop(body: list[str]) -> list[str]:
    return [
        "def run_payloads(payloads, emit, failed, slow):",
        "    handled = passed = 0",
        "    for payload in payloads:",
        *indent((line.replace("ITEM", "payload") for line in body), 2),
        "    return handled, passed",
    ]


# -- the window ingest loop ------------------------------------------------------


@dataclass(slots=True)
class WindowFastPath:
    """The generated ingest loop of a processing-time tumbling or hopping window.

    ``run(messages, inputs_of, advance, slow) -> (handled, kept, last_ts)``: ``advance(ts)`` fires the
    windows due by ``ts`` and returns the next deadline; ``inputs_of()`` gives the
    window's current buffer, which firing replaces. ``arrival_loop(column)`` is the
    same loop over bare payloads, each arriving at the time its ``column`` holds.
    """

    run: Callable[..., tuple[int, int, int | None]]
    source: str
    arrival_loop: Callable[[str], Callable[..., tuple[int, int, int]] | None]


def compile_window_fast_path(
    select: ast.Select,
    schema: dict[str, ast.ColumnDef] | None,
    where: ast.Expr | None,
    fold_columns: list[str] | None = None,
    fold_body: list[str] | None = None,
) -> WindowFastPath | None:
    """The ingest loop for a windowed rule whose rows need only decoding (and ``where``).

    With ``fold_columns`` the loop folds those values into ``groups`` (incremental
    aggregation) instead of keeping rows: inline when ``fold_body`` is given.
    """
    if schema is None or select.joins:
        return None
    compiler = TypedCompiler.for_select(select, schema)
    try:
        keep = compiler.predicate(where) if where is not None else None
    except NotTyped:
        return None
    tail = _window_tail(compiler, keep, fold_columns, fold_body)
    step = _window_step(compiler, keep, fold_columns is None, "m")
    source = "\n".join(
        [
            *_window_head(),
            *indent(step, 2),
            "        handled += 1",
            *indent(tail, 2),
            f"    return handled, {'kept' if keep else 'handled'}, ts",
        ]
    )
    env = define(source, loads=orjson.loads, KEYS=frozenset(schema))
    loops: dict[str, Callable[..., tuple[int, int, int]] | None] = {}

    def arrival_loop(column: str) -> Callable[..., tuple[int, int, int]] | None:
        if column not in loops:
            loops[column] = _arrival_loop(compiler, schema, column, keep, fold_columns, tail)
        return loops[column]

    return WindowFastPath(env["run"], source, arrival_loop)


def _arrival_loop(
    compiler: TypedCompiler,
    schema: dict[str, ast.ColumnDef],
    column: str,
    keep: str | None,
    fold_columns: list[str] | None,
    tail: list[str],
) -> Callable[..., tuple[int, int, int]] | None:
    """``run_payloads(payloads, ts, inputs_of, advance, slow, groups, fold) ->
    (handled, kept, ts)``: the window loop over bare payloads, each arriving at its
    BIGINT ``column`` (never before the previous one). ``slow(payload, ts)`` takes
    what the loop cannot and returns the clock after it."""
    if column not in schema or schema[column].type != "bigint":
        return None
    at = compiler.var(column)
    step = _window_step(compiler, keep, fold_columns is None, "payload", arrival=at)
    source = "\n".join(
        [
            "def run_payloads(payloads, ts, inputs_of, advance, slow, groups=None, fold=None):",
            "    handled = kept = 0",
            "    deadline = advance(None)",
            "    inputs = inputs_of()",
            "    append = inputs.append",
            "    for payload in payloads:",
            *indent(step, 2),
            f"        if {at} > ts: ts = {at}",
            "        if deadline is not None and ts >= deadline:",
            "            deadline = advance(ts)",
            "            inputs = inputs_of()",
            "            append = inputs.append",
            "        handled += 1",
            *indent(tail, 2),
            f"    return handled, {'kept' if keep else 'handled'}, ts",
        ]
    )
    env = define(source, loads=orjson.loads, KEYS=frozenset(schema), HIGH=EXACT_MS[1])
    return env["run_payloads"]  # type: ignore[no-any-return]


def _window_head() -> list[str]:
    """The loop's start: firing the windows due before each message."""
    return [
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
    ]


def _window_step(
    compiler: TypedCompiler, keep: str | None, rows: bool, item: str, arrival: str | None = None
) -> list[str]:
    """Decode, test and (when ``rows``) build the row of ``item`` (a message, or a
    bare payload whose ``arrival`` variable must hold an exact time); the general
    path takes any failure."""
    payload = "m.payload" if item == "m" else item
    lines = ["try:", *indent(_decode(compiler, payload, conv=rows, exact=arrival), 1)]
    if keep is not None:
        lines.append(f"    keep = {keep}")
    if rows:
        lines += indent(_window_row(compiler), 1)
    return [
        *lines,
        "except Exception:",
        f"    {'slow(m)' if arrival is None else 'ts = slow(payload, ts)'}",
        "    deadline = advance(None)",  # the general path may have fired windows
        "    inputs = inputs_of()",
        "    append = inputs.append",
        "    continue",
    ]


def _window_row(compiler: TypedCompiler) -> list[str]:
    # The decoded object is the row when it holds only the decoded columns and every
    # value was kept as it was (``*``, collect(*) and deduplicate see whole rows).
    lines = ["if not conv and obj.keys() <= KEYS:", "    row = obj", "else:", "    row = {}"]
    for name in compiler.schema:
        var = compiler.var(name)
        lines.append(f"    if {var} is not None or {name!r} in obj: row[{name!r}] = {var}")
    return lines


def _window_tail(
    compiler: TypedCompiler,
    keep: str | None,
    fold_columns: list[str] | None,
    fold_body: list[str] | None,
) -> list[str]:
    """Keep the row in the window's buffer, or fold its values into its group."""
    # without WHERE every handled row is kept: the loops return ``handled`` for both
    lines = ["if not keep: continue", "kept += 1"] if keep is not None else []
    if fold_columns is None:
        lines.append("append((ts, row))")
    else:
        lines += _fold_step(compiler, fold_columns, fold_body)
    return lines


def _fold_step(
    compiler: TypedCompiler, fold_columns: list[str], fold_body: list[str] | None
) -> list[str]:
    """Fold the row's values into ``groups``: the fold's own statements when given
    (a call per message saved), else a call of ``fold``."""
    if fold_body is not None:
        return fold_body
    return [f"fold(groups, {', '.join(compiler.var(c) for c in fold_columns)})"]


# -- the event-time window loop ----------------------------------------------------


@dataclass(slots=True)
class EventWindowFastPath:
    """The generated ingest loop of an event-time tumbling window that folds.

    ``run(messages, state, slow, fold)`` and ``run_payloads(payloads, ts, state,
    slow, fold)`` take the rows the general path would take in one step: each
    row's event time an int past the watermark, nothing waiting in the watermark
    generator, the window's first end known. Each such row moves the watermark to
    its own time (one stream, no late tolerance), folds into its window's groups
    (``state.locate``), and when it passes the window's end ``state.fire`` fires the
    window as the watermark would, after the row, as the general path does. Any
    other row, and any message the typed decode cannot take, goes to ``slow``; the
    loop keeps the general path's counters and watermark through ``state.flush``
    before each call out, so either path may take the next message.
    """

    run: Callable[..., int | None]  # returns the last message's arrival time
    run_payloads: Callable[..., None]
    source: str


def compile_event_window_fast_path(
    select: ast.Select,
    schema: dict[str, ast.ColumnDef] | None,
    fold_columns: list[str],
    timestamp: str | None,
    fold_body: list[str] | None = None,
) -> EventWindowFastPath | None:
    """The loop for a folding event-time window over ``schema``, whose TIMESTAMP
    column ``timestamp`` must be a BIGINT (epoch ms, taken as it is)."""
    if schema is None or select.joins or not timestamp or timestamp not in schema:
        return None
    if schema[timestamp].type != "bigint":
        return None
    compiler = TypedCompiler.for_select(select, schema)
    at = compiler.var(timestamp)
    decode = indent(_decode(compiler, "payload"), 1)

    def step(item: str, ts: str) -> list[str]:
        """One message, at the loops' depth: ``item`` is what ``slow`` takes."""
        lines = [
            "try:",
            *decode,
            f"    if not ok or {at}.__class__ is not int or {at} <= mark or {at} > HIGH:",
            "        raise Fallback",
            "except Exception:",  # the general path decides: late, out of order, bad, ...
            "    state.flush(mark, handled, last)",
            "    handled = 0",
            f"    slow({item})",
            "    mark, end, ok = state.sync()",
            "    lo = hi = 0",
            "    continue",
            "handled += 1",
            f"mark = {at}",
            f"last = {item}",
            "if mark >= hi or mark < lo:",
            "    groups, lo, hi = state.locate(mark)",
            *_fold_step(compiler, fold_columns, fold_body),
            "if mark >= end:",
            "    state.flush(mark, handled, last)",
            "    handled = 0",
            f"    end = state.fire(mark, {ts})",
        ]
        return indent(lines, 2)

    head = [
        "    handled = lo = hi = 0",
        "    groups = last = None",
        "    mark, end, ok = state.sync()",
    ]
    source = "\n".join(
        [
            "def run(messages, state, slow, fold):",
            *head,
            "    ts = None",
            "    for m in messages:",
            "        payload = m.payload",
            "        ts = m.ts",
            *step("m", "ts"),
            "    state.flush(mark, handled, last)",
            "    return ts",
            "",
            "def run_payloads(payloads, ts, state, slow, fold):",
            *head,
            "    for payload in payloads:",
            *step("payload", "ts"),
            "    state.flush(mark, handled, last)",
        ]
    )
    env = define(source, loads=orjson.loads, HIGH=EXACT_MS[1])
    return EventWindowFastPath(env["run"], env["run_payloads"], source)
