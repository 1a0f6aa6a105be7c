"""The generated ingest loop of a processing-time window over a JOIN of typed JSON streams.

Until its window fires, a join rule only keeps rows: each message of either
stream is decoded, tagged with its stream and appended to the window's buffer.
The general path spends most of a join's time in that step (a call per stage per
message), so the planner writes it as one loop instead: per stream, the stream's
:class:`~.typed.TypedCompiler` decodes the typed columns inline and the loop
builds the :class:`~.joins.TaggedRow` the general decoder would, in the schema's
order. Firing, the join itself and what follows stay the general path's.

The loop is optimistic, as :mod:`.fastpath`'s are: a message it cannot take
exactly (bad JSON, an array, a value of another type than its column's, another
stream's message) goes to ``slow``, the general path, after the loop has told the
rule's counters, runtime and clock what it took so far. The pipeline decides when
the loop may stand in: a tumbling or hopping window in processing time, with no
FILTER, analytic function or table (see ``Pipeline``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from ..sql import ast
from .joins import TaggedRow
from .planning import RuleInput, pruned_schema
from .typed import TypedCompiler, define, indent
from .windows import ProcessingWindow

if TYPE_CHECKING:
    from .plan import RulePlan
    from .window_stage import WindowStage

__all__ = ["JoinLoop", "compile_join_loop", "loop_for"]


@dataclass(frozen=True, slots=True)
class JoinLoop:
    """The generated loop; ``source`` is its text (for tests and curious readers).

    ``run(routed, advance, move_to, inputs_of, slow, runtime, source, counts)``
    takes ``(stream, message)`` pairs in arrival order and returns the last
    message's time (None for none). ``advance(ts)`` fires the windows due by
    ``ts`` and returns the next deadline; ``move_to(ts)`` moves the clock;
    ``inputs_of()`` is the window's current buffer (firing replaces it);
    ``slow(stream, message)`` is the general path; ``runtime``, ``source``
    (the trigger stream's counters) and ``counts`` (the window's) are what the
    general path would have updated per message, updated before each call out.
    """

    run: Callable[..., int | None]
    source: str
    streams: tuple[str, ...]


def compile_join_loop(
    inputs: Mapping[str, RuleInput], used: set[str] | None, trigger: str, window: str
) -> JoinLoop | None:
    """The loop over ``inputs`` (every one a typed JSON stream, else None), decoding
    the ``used`` columns (None: all) as the rule's decoders do; ``trigger`` is the
    stream whose messages the source counters count. ``window`` is the window's kind:
    only a tumbling or hopping window keeps rows until a timer fires them.

    >>> from kuiper_dev.engine.catalog import Catalog
    >>> from kuiper_dev.engine.planning import plan_inputs
    >>> from kuiper_dev.sql import parse_select
    >>> catalog = Catalog()
    >>> _ = catalog.create('CREATE STREAM a (k STRING, v FLOAT) WITH (DATASOURCE="a")')
    >>> _ = catalog.create('CREATE STREAM b (k STRING) WITH (DATASOURCE="b")')
    >>> sql = "SELECT * FROM a INNER JOIN b ON a.k = b.k GROUP BY TUMBLINGWINDOW(ss, 1)"
    >>> select = parse_select(sql)
    >>> inputs = plan_inputs(select, tuple(select.joins), catalog)
    >>> compile_join_loop(inputs, {"k"}, "a", "tumbling").streams
    ('a', 'b')
    >>> print(compile_join_loop(inputs, {"k"}, "a", "count"))
    None
    >>> _ = catalog.create('CREATE STREAM b () WITH (DATASOURCE="b")')  # schemaless
    >>> inputs = plan_inputs(select, tuple(select.joins), catalog)
    >>> print(compile_join_loop(inputs, None, "a", "tumbling"))
    None
    """
    if trigger not in inputs or window not in _LOOPED:
        return None
    for i in inputs.values():
        if i.stream.kind == "table" or not i.stream.plain_json or i.stream.schema is None:
            return None
    # the trigger stream's branch first: it is tested first, and takes half the messages
    names = sorted(inputs, key=lambda name: name != trigger)
    branches: list[str] = []
    for n, name in enumerate(names):
        schema = pruned_schema(inputs[name].stream, used)
        assert schema is not None  # a typed stream's schema, pruned
        branch = _branch(name, inputs[name].tag, schema, main=name == trigger)
        branches += [f"{'if' if n == 0 else 'elif'} stream == {name!r}:", *indent(branch, 1)]
    step = [
        "ts = m.ts",
        "if ts >= deadline:",
        *indent(_FLUSH, 1),
        "    deadline = advance(ts)",
        "    if deadline is None: deadline = INF",
        "    append = inputs_of().append",
        # the general path moves the clock to each arrival, never back: to the latest
        "if ts > hi: hi = ts",
        *branches,
        "else:",  # a stream without a branch: the general path decides (it ignores it)
        *indent(_SLOW, 1),
        "at = ts",
        "append((ts, row))",
        "kept += 1",
    ]
    body = [
        "def run(routed, advance, move_to, inputs_of, slow, runtime, source, counts):",
        "    kept = taken = 0",  # rows appended, trigger messages taken: not yet counted
        "    msg = at = ts = None",  # the last trigger message and row time not yet told
        "    hi = -INF",  # the latest arrival taken, where the clock is once told
        "    deadline = advance(None)",
        "    if deadline is None: deadline = INF",
        "    append = inputs_of().append",
        "    try:",
        "        for stream, m in routed:",
        *indent(step, 3),
        "    finally:",  # also when a feed or a sink raises: what was taken is told
        *indent(_FLUSH, 2),
        "        if hi > -INF:",
        "            move_to(hi)",
        "    return ts",
    ]
    source = "\n".join(body)
    env = define(source, loads=orjson.loads, new=dict.__new__, TaggedRow=TaggedRow, INF=math.inf)
    return JoinLoop(env["run"], source, tuple(names))


def loop_for(plan: RulePlan, window: WindowStage | None) -> JoinLoop | None:
    """The planner's join loop for a pipeline running ``plan`` with ``window``, when
    nothing but keeping rows happens between a message and the window's next timer:
    a processing-time tumbling or hopping window with no FILTER, analytic function,
    table or fold, over streams only; else None (the general path)."""
    join = plan.window.collection.join if plan.window is not None else None
    if join is None or join.loop is None or window is None or plan.analytics:
        return None
    wp = window.plan
    if wp.event_time or wp.filter is not None or wp.state is not None or wp.stamp_rows:
        return None
    if wp.incremental is not None or wp.fold is not None or window.folds is not None:
        return None
    if wp.spec.kind not in _LOOPED or not isinstance(window.window, ProcessingWindow):
        return None
    if set(join.loop.streams) != set(plan.inputs):
        return None
    loop: JoinLoop = join.loop
    return loop


_LOOPED = ("tumbling", "hopping")  # windows that only keep rows until a timer fires them


# What the general path would have told the rule by now, told before each call out.
_FLUSH = [
    "if msg is not None:",
    "    runtime.message = msg",
    "    source.last_invocation = msg.ts",
    "    msg = None",
    "if at is not None:",
    "    runtime.event_time = at",
    "    at = None",
    "if taken:",
    "    source.records_in += taken",
    "    source.records_out += taken",
    "    taken = 0",
    "if kept:",
    "    counts.records_in += kept",
    "    kept = 0",
]

# The general path takes the message where it arrives; a processing-time tumbling or
# hopping window sets no timer on a row, so the next deadline stays as it was.
_SLOW = [
    *_FLUSH,
    "move_to(hi)",
    "slow(stream, m)",
    "append = inputs_of().append",
    "continue",
]


def _branch(name: str, tag: str, schema: dict[str, ast.ColumnDef], *, main: bool) -> list[str]:
    """One stream's message: decoded into its tagged row, or handed to ``slow``.

    The typed decode reads every column by subscript and, when one is missing,
    reads them all again with ``get`` (``get`` is then bound). A row read whole
    holds every column; otherwise a column is in the row when the object has its
    key, as the general decoder keeps it (null included).
    """
    compiler = TypedCompiler(schema)
    full = [f"row[{k!r}] = {compiler.var(k)}" for k in schema]
    partial = [
        f"if {compiler.var(k)} is not None or {k!r} in obj: row[{k!r}] = {compiler.var(k)}"
        for k in schema
    ]
    decode = [
        "obj = loads(m.payload)",
        "get = None",
        *compiler.decode(),
        "row = new(TaggedRow)",
        *(["if get is None:", *indent(full, 1)] if full else []),
        *(["else:", *indent(partial, 1)] if partial else []),
    ]
    return [
        "try:",
        *indent(decode, 1),
        "except Exception:",  # bad JSON, an array, a wrong type: the general path decides
        *indent(_SLOW, 1),
        f"row.emitter = {tag!r}",
        *(["msg = m", "taken += 1"] if main else []),
    ]
