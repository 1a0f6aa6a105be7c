"""Rule-level laws: properties over a rule's input and output, for use inside ``@given`` tests.

Each law runs the rule in virtual time over generated :class:`~.strategies.TimedRow`
messages and raises ``AssertionError`` (so Hypothesis shrinks the input) when
the law does not hold. eKuiper's semantics decide what "holds" means: in event
time a window fires only when later events move the watermark past its end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from .._types import Message
from ..go import normalize
from ..plugins import from_plugin, through_json
from ..workspace import Workspace
from .strategies import TimedRow

__all__ = ["agrees_with_reference", "filter_is_subset", "run_timed", "tumbling_partition"]


def run_timed(
    ws: Workspace,
    sql: str,
    stream: str,
    messages: Sequence[TimedRow],
    *,
    options: dict[str, Any] | None = None,
    drain_ms: int = 0,
) -> list[list[dict[str, Any]]]:
    """Run ``sql`` over ``messages`` arriving on ``stream`` at their arrival times; the emissions.

    >>> ws = Workspace(plugins_dir=None)
    >>> run_timed(ws, "SELECT a FROM s", "s", [TimedRow({"a": 1}, 0, 0)])
    [[{'a': 1.0}]]
    """
    feed = [Message(stream, json.dumps(m.row).encode(), m.arrival_ms) for m in messages]
    out: list[Any] = []
    ws.run(
        sql,
        {stream: feed},
        options=options,
        drain_ms=drain_ms,
        actions=[{"log": {}}],
        record=out.append,
    )
    return [e if isinstance(e, list) else [e] for e in out]


def tumbling_partition(
    ws: Workspace,
    stream: str,
    size_ms: int,
    messages: Sequence[TimedRow],
    *,
    event_time: bool = False,
    late_tolerance_ms: int = 0,
) -> None:
    """Every row lands in exactly one tumbling window, and that window's range holds its time.

    In event time a row lands in at most one window, and in exactly one when its
    window closed (a later event passed the window's end plus the lateness).
    ``stream`` must have a ``TIMESTAMP`` column for event time. Rows are told apart
    by a ``kuiper_id`` field the law adds: a typed stream must declare ``kuiper_id BIGINT``.

    >>> msgs = [TimedRow({}, t, t) for t in (0, 900, 1000, 2500)]
    >>> tumbling_partition(Workspace(plugins_dir=None), "s", 1000, msgs)
    """
    tagged = [
        TimedRow({**m.row, "kuiper_id": i}, m.event_ms, m.arrival_ms)
        for i, m in enumerate(messages)
    ]
    options: dict[str, Any] = {"isEventTime": event_time, "lateTolerance": late_tolerance_ms}
    sql = (
        f"SELECT collect(kuiper_id) AS ids, window_start() AS ws, window_end() AS we FROM {stream} "
        f"GROUP BY TUMBLINGWINDOW(ms, {size_ms})"
    )
    emissions = run_timed(ws, sql, stream, tagged, options=options, drain_ms=size_ms * 2)
    seen: dict[int, tuple[int, int]] = {}
    for rows in emissions:
        for w in rows:
            for i in w["ids"] or []:
                i = int(i)
                window = (int(w["ws"]), int(w["we"]))
                assert i not in seen, f"row {i} landed in two windows: {seen.get(i)}, {window}"
                seen[i] = window
    watermark = max((m.event_ms for m in tagged), default=0) - late_tolerance_ms
    for i, m in enumerate(tagged):
        t = m.event_ms if event_time else m.arrival_ms
        if i in seen:
            start, end = seen[i]
            assert start <= t < end, f"row {i} at {t} landed in window [{start}, {end})"
        elif not event_time or (t // size_ms + 1) * size_ms <= watermark:
            raise AssertionError(f"row {i} ({m.row}, at {t}) landed in no window: {emissions}")


def filter_is_subset(ws: Workspace, sql: str, stream: str, messages: Sequence[TimedRow]) -> None:
    """A ``SELECT * ... WHERE`` rule emits only rows of its input, each at most as often.

    >>> filter_is_subset(Workspace(plugins_dir=None), "SELECT * FROM s WHERE a > 1", "s",
    ...                  [TimedRow({"a": 1}, 0, 0), TimedRow({"a": 2}, 0, 0)])
    """
    # a row as sent, or as a schemaless stream reads it (every number a float64)
    remaining = [(normalize(m.row), normalize(through_json(m.row))) for m in messages]
    for rows in run_timed(ws, sql, stream, messages):
        for row in rows:
            got = normalize(row)
            match = next((r for r in remaining if got in r), None)
            assert match is not None, (
                f"emitted {got}, which is not an input row (left: {remaining})"
            )
            remaining.remove(match)


def agrees_with_reference(
    ws: Workspace,
    function: str,
    reference: Callable[..., Any],
    stream: str,
    columns: Sequence[str],
    messages: Sequence[TimedRow],
) -> None:
    """Plugin ``function`` called in a rule on ``columns`` gives what ``reference`` gives.

    The reference gets the row's values, its answer is read as eKuiper reads a
    plugin's (numbers as floats); a row where the rule failed counts as a difference.

    >>> ws = Workspace(plugins_dir=None)
    >>> _ = ws.define_function("Inc", '''
    ... class Inc:
    ...     def validate(self, args): return ""
    ...     def exec(self, args, ctx): return args[0] + 1
    ...     def is_aggregate(self): return False
    ... ''')
    >>> agrees_with_reference(ws, "inc", lambda a: a + 1, "s", ["a"], [TimedRow({"a": 1}, 0, 0)])
    """
    tagged = [
        TimedRow({**m.row, "kuiper_id": i}, m.event_ms, m.arrival_ms)
        for i, m in enumerate(messages)
    ]
    sql = f"SELECT kuiper_id, {function}({', '.join(columns)}) AS r FROM {stream}"
    results = {
        int(r["kuiper_id"]): r["r"] for rows in run_timed(ws, sql, stream, tagged) for r in rows
    }
    for i, m in enumerate(tagged):
        want = normalize(from_plugin(reference(*(m.row.get(c) for c in columns))))
        assert i in results, f"row {m.row}: the rule emitted nothing (did {function} raise?)"
        got = normalize(results[i])
        assert got == want, f"row {m.row}: {function} gave {got!r}, the reference {want!r}"
