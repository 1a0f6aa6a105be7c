"""``make bench``: rule throughput in virtual time against a bare Python loop.

Each figure is messages per second over the same pre-generated messages, measured
in this process; the ratio to a bare loop (orjson decode + the same filter and
projection written by hand) shows the engine's overhead. Not a test: the one check is that engine
and bare loop emit the same number of rows.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from kuiper_dev import SensorFleet, Workspace

COUNT = 200_000
ROOT = Path(__file__).resolve().parents[2]
FILTER_SQL = "SELECT deviceId, temperature FROM demo WHERE temperature > 30"
DEMO_SQL = (
    "SELECT deviceId, temperature, humidity, heatIndex(temperature, humidity) AS feelsLike "
    "FROM demo WHERE temperature > 30"
)


def _rate(fn: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    out = fn()
    return COUNT / (time.perf_counter() - started), out


def main() -> None:
    messages = list(SensorFleet(devices=10, count=COUNT, seed=1))
    ws = Workspace(plugins_dir=ROOT / "plugins")
    ws.create_stream(
        "CREATE STREAM demo (deviceId STRING, temperature FLOAT, humidity FLOAT, ts BIGINT) "
        'WITH (DATASOURCE="sensors/+", FORMAT="json")'
    )
    heat_index = ws.plugins.function("heatIndex").impl  # type: ignore[union-attr]

    def bare_filter() -> int:
        out = []
        for m in messages:
            row = orjson.loads(m.payload)
            if row["temperature"] > 30:
                out.append([{"deviceId": row["deviceId"], "temperature": row["temperature"]}])
        return len(out)

    def bare_demo() -> int:
        out = []
        for m in messages:
            row = orjson.loads(m.payload)
            if row["temperature"] > 30:
                hi = heat_index.exec([row["temperature"], row["humidity"]], None)
                out.append(
                    [
                        {
                            "deviceId": row["deviceId"],
                            "temperature": row["temperature"],
                            "humidity": row["humidity"],
                            "feelsLike": hi,
                        }
                    ]
                )
        return len(out)

    def engine(sql: str) -> Callable[[], int]:
        return lambda: len(ws.run(sql, messages).emissions)

    print(f"{COUNT:,} simulated JSON messages, virtual time, one process")
    for label, bare, sql in (
        ("filter", bare_filter, FILTER_SQL),
        ("demo (plugin call)", bare_demo, DEMO_SQL),
    ):
        bare_rate, bare_out = _rate(bare)
        rate, out = _rate(engine(sql))
        assert out == bare_out, f"{label}: engine emitted {out}, bare loop {bare_out}"
        print(
            f"{label:20s} engine {rate:>12,.0f} msg/s   bare loop {bare_rate:>12,.0f} msg/s   "
            f"ratio {rate / bare_rate:.2f}   ({out:,} emissions)"
        )
    # three scalar built-ins on every message against the plain filter rule
    three = (
        "SELECT deviceId, temperature FROM demo "
        "WHERE abs(temperature) > 30 AND lower(deviceId) != 'x' AND round(humidity) >= 0"
    )
    filter_rate, _ = _rate(engine(FILTER_SQL))
    three_rate, three_out = _rate(engine(three))
    print(
        f"{'3 built-ins/message':20s} engine {three_rate:>12,.0f} msg/s   filter rule {filter_rate:>12,.0f} msg/s   "
        f"ratio {three_rate / filter_rate:.2f}   ({three_out:,} emissions)"
    )

    # an in-process plugin function against the equivalent built-in, same rule shape
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
    plugin_rate, plugin_out = _rate(engine("SELECT deviceId, plainAbs(temperature) AS t FROM demo"))
    builtin_rate, builtin_out = _rate(engine("SELECT deviceId, abs(temperature) AS t FROM demo"))
    assert plugin_out == builtin_out
    print(
        f"{'plugin abs() call':20s} engine {plugin_rate:>12,.0f} msg/s   built-in abs {builtin_rate:>12,.0f} msg/s   "
        f"cost ratio {builtin_rate / plugin_rate:.2f} (built-in rate / plugin rate)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MiB (messages held in memory for the comparison)")


if __name__ == "__main__":
    main()
