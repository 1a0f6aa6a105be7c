"""The kuiper_dev side of each bench job, run in a child process of its own.

A job is set up first (workspace, streams, plugins, data files), then only its run
is timed. Emissions stream to a counting sink (a ``log`` action whose record
callback counts), so no result is kept and memory stays flat.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kuiper_dev import Message, Workspace

from . import data, mqtt, portable
from .plugin_code import PLAIN_ABS

Run = Callable[[], int]
"""A prepared job: runs once and returns how many emissions its sinks received."""

DDL = (
    "CREATE STREAM demo (deviceId STRING, temperature FLOAT, ts BIGINT) "
    f'WITH (DATASOURCE="{data.TOPIC}", FORMAT="json", TIMESTAMP="ts")'
)
DDL2 = DDL.replace("demo (", "demo2 (").replace(data.TOPIC, data.TOPIC + "2")
FILTER_SQL = "SELECT deviceId, temperature FROM demo WHERE temperature > 50"
TUMBLING_SQL = (
    "SELECT deviceId, avg(temperature) AS avg, count(*) AS n FROM demo "
    "GROUP BY deviceId, TUMBLINGWINDOW(ss, 10)"
)
EVENT_TIME = {"isEventTime": True, "lateTolerance": 0}
SLIDING_SQL = (
    "SELECT avg(temperature) AS avg, count(*) AS n FROM demo GROUP BY SLIDINGWINDOW(ss, 1)"
)
JOIN_SQL = (
    "SELECT demo.deviceId, count(*) AS n FROM demo INNER JOIN demo2 "
    "ON demo.deviceId = demo2.deviceId GROUP BY demo.deviceId, TUMBLINGWINDOW(ss, 1)"
)
BUILTINS3_SQL = (
    "SELECT deviceId, abs(temperature) AS a, upper(deviceId) AS u, round(temperature) AS r "
    "FROM demo"
)
PLUGIN_SQL = "SELECT deviceId, plainAbs(temperature) AS t FROM demo"
BUILTIN_SQL = "SELECT deviceId, abs(temperature) AS t FROM demo"
DRAIN_MS = 10_000  # lets the last processing-time window fire, as the bare loop flushes it


class Counter:
    """A record callback that only counts: the sink of every job."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, _data: Any) -> None:
        self.n += 1


def workspace() -> Workspace:
    """A workspace with the bench's two streams and no plugins folder."""
    ws = Workspace(plugins_dir=None)
    ws.create_stream(DDL)
    ws.create_stream(DDL2)
    return ws


def _jsonl(
    ws: Workspace,
    sql: str,
    path: Path,
    options: dict[str, Any] | None = None,
    *,
    arrival: str | None = None,
    drain_ms: int = 0,
) -> int:
    """``Workspace.run_jsonl`` with a counting sink instead of a kept result."""
    count = Counter()
    ws.run_jsonl(
        sql, path, options=options, arrival=arrival, drain_ms=drain_ms,
        actions=[{"log": {}}], record=count,
    )  # fmt: skip
    return count.n


def _run(ws: Workspace, sql: str, feed: Any, drain_ms: int = DRAIN_MS) -> int:
    count = Counter()
    ws.run(sql, feed, actions=[{"log": {}}], record=count, drain_ms=drain_ms)
    return count.n


def _every_other(path: Path, first: int, topic: str) -> Iterator[Message]:
    """Lines ``first``, ``first + 2``... of the file as messages on ``topic``, each
    arriving at its ``ts`` (cut from the line's end, as :func:`data.messages` does).

    The lines between are skipped unread (``islice`` over the file), so each stream
    pays for its own lines only: one ``Message`` per line, no JSON decode.
    """
    with path.open("rb") as f:
        for line in itertools.islice(f, first, None, 2):
            payload = line.rstrip(b"\n")
            yield Message(topic, payload, int(payload[payload.rindex(b":") + 1 : -1]))


def filter_job(path: Path) -> Run:
    ws = workspace()
    return lambda: _jsonl(ws, FILTER_SQL, path)


def window_event_job(path: Path) -> Run:
    ws = workspace()
    return lambda: _jsonl(ws, TUMBLING_SQL, path, EVENT_TIME)


def window_job(path: Path) -> Run:
    ws = workspace()
    return lambda: _jsonl(ws, TUMBLING_SQL, path, arrival="ts", drain_ms=DRAIN_MS)


def sliding_job(path: Path) -> Run:
    ws = workspace()
    return lambda: _run(ws, SLIDING_SQL, data.messages(path))


def join_job(path: Path) -> Run:
    ws = workspace()
    return lambda: _run(
        ws,
        JOIN_SQL,
        {
            "demo": _every_other(path, 0, data.TOPIC),
            "demo2": _every_other(path, 1, data.TOPIC + "2"),
        },
    )


def builtins3_job(path: Path) -> Run:
    ws = workspace()
    return lambda: _run(ws, BUILTINS3_SQL, data.messages(path), drain_ms=0)


def plugin_inprocess_job(path: Path) -> Run:
    ws = workspace()
    ws.define_function("PlainAbs", PLAIN_ABS.format(scale=1))
    return lambda: _run(ws, PLUGIN_SQL, data.messages(path), drain_ms=0)


def plugin_builtin_job(path: Path) -> Run:
    ws = workspace()
    return lambda: _run(ws, BUILTIN_SQL, data.messages(path), drain_ms=0)


def replay_job(path: Path) -> Run:
    ws = workspace()
    count = Counter()
    return lambda: _replayed(ws, FILTER_SQL, path, count)


def replay_window_job(path: Path) -> Run:
    """The tumbling window over a recording (arrival time): what the rss scenarios hold."""
    ws = workspace()
    count = Counter()
    return lambda: _replayed(ws, TUMBLING_SQL, path, count, drain_ms=DRAIN_MS)


def _replayed(ws: Workspace, sql: str, path: Path, count: Counter, drain_ms: int = 0) -> int:
    count.n = 0
    ws.replay(sql, path, drain_ms=drain_ms, actions=[{"log": {}}], record=count)
    return count.n


def idle_job(path: Path) -> Run:
    """kuiper_dev imported and a workspace made, nothing run: the RSS floor."""
    ws = workspace()
    return lambda: len(ws.show_streams())


RELOADS = 20


def hot_reload_job(path: Path) -> Run:
    """Redefine a function plugin that a running rule calls; the run returns the
    median milliseconds of one redefinition (checked to take effect)."""
    import time

    ws = workspace()
    ws.define_function("PlainAbs", PLAIN_ABS.format(scale=1))
    ws.create_rule("hot", "SELECT plainAbs(temperature) AS t FROM demo", actions=[{"log": {}}])

    def run() -> int:
        took: list[float] = []
        for i in range(2, RELOADS + 2):
            started = time.perf_counter()
            ws.define_function("PlainAbs", PLAIN_ABS.format(scale=i))
            took.append(time.perf_counter() - started)
            ws.publish("demo", [{"deviceId": "d", "temperature": -1.0, "ts": 0}])
            last = ws.rule_output("hot")[-1]
            row = last[0] if isinstance(last, list) else last
            if row["t"] != float(i):
                raise AssertionError(f"hot reload {i} not in effect: the rule returned {row}")
        took.sort()
        return round(took[len(took) // 2] * 1e6)  # microseconds, as an int count

    return run


JOBS: dict[str, Callable[[Path], Run]] = {
    "plugin_portable_p50": portable.host_job(50, PLAIN_ABS.format(scale=1)),
    "plugin_portable_p99": portable.host_job(99, PLAIN_ABS.format(scale=1)),
    "mqtt_e2e": mqtt.e2e_job,
    "mqtt_e2e_amqtt": mqtt.amqtt_e2e_job,
    "mqtt_latency_p50": mqtt.latency_job(50),
    "mqtt_latency_p99": mqtt.latency_job(99),
    "builtins3": builtins3_job,
    "filter": filter_job,
    "hot_reload": hot_reload_job,
    "idle": idle_job,
    "join": join_job,
    "plugin_builtin": plugin_builtin_job,
    "plugin_inprocess": plugin_inprocess_job,
    "replay": replay_job,
    "replay_window": replay_window_job,
    "sliding": sliding_job,
    "window": window_job,
    "window_event": window_event_job,
}
