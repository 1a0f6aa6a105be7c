"""The peers of each job: a bare Python loop and bytewax, over the same files.

Imports nothing of kuiper_dev, so a peer's process pays only for its own work.
The bare loops are the least code that does the job by hand (orjson decode plus
dicts); they set the ``limit`` that kuiper_dev's figures are divided by.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from .plugin_code import PLAIN_ABS

Run = Callable[[], int]

WINDOW_MS = 10_000
SHORT_WINDOW_MS = 1_000  # sliding and join: 1 s windows (see README)


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        yield from f


def bare_filter(path: Path) -> Run:
    def run() -> int:
        n = 0
        loads = orjson.loads
        for line in _lines(path):
            row = loads(line)
            if row["temperature"] > 50:
                out = [{"deviceId": row["deviceId"], "temperature": row["temperature"]}]
                n += len(out)
        return n

    return run


def _fire(state: dict[str, list[float]]) -> list[dict[str, Any]]:
    return [{"deviceId": d, "avg": s / c, "n": c} for d, (s, c) in state.items()]


def bare_window_event(path: Path) -> Run:
    """Event time on ``ts``: a window fires once a later event passes its end (no
    lateness allowed); windows still open at the end of the file stay unfired."""

    def run() -> int:
        n = 0
        loads = orjson.loads
        end: int | None = None
        state: dict[str, list[float]] = {}
        for line in _lines(path):
            row = loads(line)
            ts = row["ts"]
            if end is None:
                end = ts - ts % WINDOW_MS + WINDOW_MS
            elif ts >= end:
                if state:
                    n += bool(_fire(state))
                    state = {}
                end = ts - ts % WINDOW_MS + WINDOW_MS
            acc = state.get(row["deviceId"])
            if acc is None:
                state[row["deviceId"]] = [row["temperature"], 1]
            else:
                acc[0] += row["temperature"]
                acc[1] += 1
        return n

    return run


def bare_window(path: Path) -> Run:
    """Processing time (arrival = ``ts``): as above, and the last window fires too."""
    inner = bare_window_event(path)

    def run() -> int:
        return inner() + 1  # the drain fires the window that the file's end left open

    return run


def bare_sliding(path: Path) -> Run:
    """One emission per message: avg and count of the last second's messages."""

    def run() -> int:
        n = 0
        loads = orjson.loads
        window: deque[tuple[int, float]] = deque()
        total = 0.0
        for line in _lines(path):
            row = loads(line)
            ts, t = row["ts"], row["temperature"]
            window.append((ts, t))
            total += t
            while window[0][0] <= ts - SHORT_WINDOW_MS:
                total -= window.popleft()[1]
            out = [{"avg": total / len(window), "n": len(window)}]
            n += len(out)
        return n

    return run


def bare_join(path: Path) -> Run:
    """Even lines are stream demo, odd lines demo2; each 1 s window joins them on
    deviceId (a hash join) and counts the pairs per device."""

    def fire(left: dict[str, list[Any]], right: dict[str, list[Any]]) -> int:
        rows = []
        for device, mine in left.items():
            theirs = right.get(device)
            if theirs:
                pairs = [(a, b) for a in mine for b in theirs]
                rows.append({"deviceId": device, "n": len(pairs)})
        return 1 if rows else 0

    def run() -> int:
        n = 0
        loads = orjson.loads
        end: int | None = None
        sides: tuple[dict[str, list[Any]], dict[str, list[Any]]] = ({}, {})
        for i, line in enumerate(_lines(path)):
            row = loads(line)
            ts = row["ts"]
            if end is None:
                end = ts - ts % SHORT_WINDOW_MS + SHORT_WINDOW_MS
            elif ts >= end:
                n += fire(*sides)
                sides = ({}, {})
                end = ts - ts % SHORT_WINDOW_MS + SHORT_WINDOW_MS
            sides[i % 2].setdefault(row["deviceId"], []).append(row)
        return n + fire(*sides)

    return run


def bare_builtins3(path: Path) -> Run:
    def run() -> int:
        n = 0
        loads = orjson.loads
        for line in _lines(path):
            row = loads(line)
            t, d = row["temperature"], row["deviceId"]
            out = [{"deviceId": d, "a": abs(t), "u": d.upper(), "r": float(round(t))}]
            n += len(out)
        return n

    return run


def bare_replay(path: Path) -> Run:
    """The filter over a recording: each line decoded, then its payload."""

    def run() -> int:
        n = 0
        loads = orjson.loads
        lines = _lines(path)
        next(lines)  # the header
        for line in lines:
            row = loads(loads(line)["payload"])
            if row["temperature"] > 50:
                out = [{"deviceId": row["deviceId"], "temperature": row["temperature"]}]
                n += len(out)
        return n

    return run


def _mqtt(name: str, *args: int) -> Callable[[Path], Run]:
    """A peer of bench.mqtt, imported when it runs: those peers need a broker that
    kuiper_dev starts, the others nothing of kuiper_dev."""

    def make(path: Path) -> Run:
        from . import mqtt

        job = getattr(mqtt, name)
        return (job(*args) if args else job)(path)  # type: ignore[no-any-return]

    return make


def _portable(q: int) -> Callable[[Path], Run]:
    def make(path: Path) -> Run:
        from . import portable

        return portable.bare_job(q, PLAIN_ABS.format(scale=1))(path)

    return make


BARE: dict[str, Callable[[Path], Run]] = {
    "plugin_portable_p50": _portable(50),
    "plugin_portable_p99": _portable(99),
    "mqtt_e2e": _mqtt("bare_e2e_job"),
    "mqtt_e2e_amqtt": _mqtt("bare_amqtt_e2e_job"),
    "mqtt_latency_p50": _mqtt("bare_latency_job", 50),
    "mqtt_latency_p99": _mqtt("bare_latency_job", 99),
    "builtins3": bare_builtins3,
    "filter": bare_filter,
    "join": bare_join,
    "replay": bare_replay,
    "sliding": bare_sliding,
    "window": bare_window,
    "window_event": bare_window_event,
}


# -- bytewax ----------------------------------------------------------------------
def _bytewax_flow(path: Path, job: str, counted: list[int]) -> Any:
    """The filter or event-time window job as a bytewax dataflow with a counting sink."""
    from datetime import UTC, datetime, timedelta

    import bytewax.operators as op
    import bytewax.operators.windowing as win
    from bytewax.connectors.files import FileSource
    from bytewax.dataflow import Dataflow
    from bytewax.outputs import DynamicSink, StatelessSinkPartition

    class _Count(StatelessSinkPartition[Any]):  # type: ignore[misc]
        def write_batch(self, items: list[Any]) -> None:
            counted[0] += len(items)

    class _CountSink(DynamicSink[Any]):  # type: ignore[misc]
        def build(self, step_id: str, worker_index: int, worker_count: int) -> _Count:
            return _Count()

    flow = Dataflow(f"bench_{job}")
    rows = op.map("decode", op.input("file", flow, FileSource(path)), orjson.loads)
    if job == "filter":
        hot = op.filter("hot", rows, lambda r: r["temperature"] > 50)
        out = op.map(
            "project", hot, lambda r: {"deviceId": r["deviceId"], "temperature": r["temperature"]}
        )
    elif job == "window_event":
        keyed = op.key_on("device", rows, lambda r: r["deviceId"])
        clock: Any = win.EventClock(
            lambda r: datetime.fromtimestamp(r["ts"] / 1000, tz=UTC),
            wait_for_system_duration=timedelta(0),
        )
        windower = win.TumblingWindower(
            length=timedelta(milliseconds=WINDOW_MS), align_to=datetime(1970, 1, 1, tzinfo=UTC)
        )
        folded = win.fold_window(
            "avg",
            keyed,
            clock,
            windower,
            builder=lambda: (0.0, 0),
            folder=lambda acc, r: (acc[0] + r["temperature"], acc[1] + 1),
            merger=lambda a, b: (a[0] + b[0], a[1] + b[1]),
        )
        out = op.map(
            "avg_count",
            folded.down,
            lambda kv: {"deviceId": kv[0], "avg": kv[1][1][0] / kv[1][1][1], "n": kv[1][1][1]},
        )
    else:
        raise ValueError(f"bytewax runs the filter and window_event jobs, not {job!r}")
    op.output("count", out, _CountSink())
    return flow


def bytewax_job(job: str, path: Path) -> Run:
    """``job`` on bytewax's single-worker runner; counts result rows (bytewax emits
    rows, not per-window lists) and flushes open windows at the end of the file."""
    from bytewax.testing import run_main

    counted = [0]
    flow = _bytewax_flow(path, job, counted)

    def run() -> int:
        run_main(flow)
        return counted[0]

    return run
