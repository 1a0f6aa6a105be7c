"""``make bench``: rule throughput in virtual time against a bare Python loop.

Each figure is messages per second over the same data in this process: a JSON-lines
file of 1,000,000 simulated sensor messages for the file replays, 200,000 in-memory
messages for the rest. The ratio to a bare loop (orjson decode plus the same work
written by hand) shows the engine's overhead. Not a test: its only checks are that
engine and bare loop produce the same number of results.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from kuiper_dev import SensorFleet, Workspace

FILE_COUNT = 1_000_000
MEMORY_COUNT = 200_000
ROOT = Path(__file__).resolve().parents[2]
DDL = (
    "CREATE STREAM demo (deviceId STRING, temperature FLOAT, humidity FLOAT, ts BIGINT) "
    'WITH (DATASOURCE="sensors/+", FORMAT="json")'
)
FILTER_SQL = "SELECT deviceId, temperature FROM demo WHERE temperature > 30"
WINDOW_SQL = (
    "SELECT deviceId, avg(temperature) AS t, count(*) AS n FROM demo "
    "GROUP BY deviceId, TUMBLINGWINDOW(ss, 10)"
)
DEMO_SQL = (
    "SELECT deviceId, temperature, humidity, heatIndex(temperature, humidity) AS feelsLike "
    "FROM demo WHERE temperature > 30"
)


def _timed(fn: Callable[[], int], count: int) -> tuple[float, int]:
    started = time.perf_counter()
    out = fn()
    return count / (time.perf_counter() - started), out


def _line(label: str, rate: float, other_label: str, other: float, out: int) -> None:
    print(
        f"{label:26s} engine {rate:>11,.0f} msg/s   {other_label} {other:>11,.0f} msg/s   "
        f"ratio {rate / other:.2f}   ({out:,} results)"
    )


def file_replays(folder: Path) -> None:
    path = folder / "sensors.jsonl"
    with path.open("wb") as f:
        for m in SensorFleet(devices=10, count=FILE_COUNT, seed=1, interval_ms=10):
            f.write(m.payload + b"\n")
    ws = Workspace(plugins_dir=None)
    ws.create_stream(DDL)

    def bare_filter() -> int:
        out = []
        loads = orjson.loads
        with path.open("rb") as f:
            for line in f:
                row = loads(line)
                if row["temperature"] > 30:
                    out.append([{"deviceId": row["deviceId"], "temperature": row["temperature"]}])
        return len(out)

    def engine_filter() -> int:
        return len(ws.run_jsonl(FILTER_SQL, path).emissions)

    print(f"{FILE_COUNT:,} JSON lines from a file, virtual time")
    bare_rate, bare_out = _timed(bare_filter, FILE_COUNT)
    rate, out = _timed(engine_filter, FILE_COUNT)
    assert out == bare_out, f"filter: engine {out}, bare loop {bare_out}"
    _line("filter (fast path)", rate, "bare loop", bare_rate, out)


def in_memory() -> None:
    messages = list(SensorFleet(devices=10, count=MEMORY_COUNT, seed=1))
    ws = Workspace(plugins_dir=ROOT / "plugins")
    ws.create_stream(DDL)
    heat_index = ws.plugins.function("heatIndex").impl  # type: ignore[union-attr]

    def bare_demo() -> int:
        out = []
        for m in messages:
            row = orjson.loads(m.payload)
            if row["temperature"] > 30:
                hi = heat_index.exec([row["temperature"], row["humidity"]], None)
                out.append([{"deviceId": row["deviceId"], "temperature": row["temperature"],
                             "humidity": row["humidity"], "feelsLike": hi}])  # fmt: skip
        return len(out)

    def engine(sql: str) -> Callable[[], int]:
        return lambda: len(ws.run(sql, messages).emissions)

    print(f"{MEMORY_COUNT:,} simulated messages in memory, virtual time")
    window_messages = list(SensorFleet(devices=10, count=MEMORY_COUNT, seed=1, interval_ms=10))

    def bare_window() -> int:
        windows: dict[int, dict[str, list[float]]] = {}
        for m in window_messages:
            row = orjson.loads(m.payload)
            w = windows.setdefault(m.ts // 10_000, {})
            w.setdefault(row["deviceId"], []).append(row["temperature"])
        results = [[(d, sum(v) / len(v), len(v)) for d, v in g.items()] for g in windows.values()]
        return len(results)

    def engine_window() -> int:
        return len(ws.run(WINDOW_SQL, window_messages, drain_ms=10_000).emissions)

    bare_rate, bare_out = _timed(bare_window, MEMORY_COUNT)
    rate, out = _timed(engine_window, MEMORY_COUNT)
    _line("10 s tumbling avg/count", rate, "bare loop", bare_rate, out)

    bare_rate, bare_out = _timed(bare_demo, MEMORY_COUNT)
    rate, out = _timed(engine(DEMO_SQL), MEMORY_COUNT)
    assert out == bare_out
    _line("demo rule (plugin call)", rate, "bare loop", bare_rate, out)

    three = (
        "SELECT deviceId, temperature FROM demo "
        "WHERE abs(temperature) > 30 AND lower(deviceId) != 'x' AND round(humidity) >= 0"
    )
    general_filter = "SELECT deviceId, temperature FROM demo WHERE temperature + 0 > 30"
    general = Workspace(plugins_dir=None, fast_paths=False)  # both lines on the general path
    general.create_stream(DDL)
    filter_rate, _ = _timed(
        lambda: len(general.run(general_filter, messages).emissions), MEMORY_COUNT
    )
    three_rate, three_out = _timed(engine(three), MEMORY_COUNT)
    _line("3 built-ins per message", three_rate, "filter rule", filter_rate, three_out)

    ws.define_function(
        "PlainAbs",
        "class _A:\n"
        "    def validate(self, args): return ''\n"
        "    def is_aggregate(self): return False\n"
        "    def exec(self, args, ctx):\n"
        "        v = args[0]\n"
        "        return None if v is None else abs(v)\n"
        "PlainAbs = _A()\n",
    )
    plugin_rate, plugin_out = _timed(
        engine("SELECT deviceId, plainAbs(temperature) AS t FROM demo"), MEMORY_COUNT
    )
    builtin_rate, builtin_out = _timed(
        engine("SELECT deviceId, abs(temperature) AS t FROM demo"), MEMORY_COUNT
    )
    assert plugin_out == builtin_out
    print(
        f"{'plugin abs() vs built-in':26s} plugin {plugin_rate:>11,.0f} msg/s   "
        f"built-in {builtin_rate:>11,.0f} msg/s   cost {builtin_rate / plugin_rate:.2f}x"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        file_replays(Path(folder))
    in_memory()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MiB (the in-memory part holds its messages for the comparison)")


if __name__ == "__main__":
    main()
