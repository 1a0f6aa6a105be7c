"""Notebooks 07-08: recording and replaying MQTT; exporting and running portable."""

from __future__ import annotations

from ._nb import code, md

RECORDING = [
    md("""
# 07 · Recording and replaying MQTT

`kuiper_dev.broker()` starts an embedded MQTT broker (amqtt) on a free local port:
no broker to install, no network. On it this notebook runs a rule live, records the
traffic, and replays the recording through a rule in virtual time, where it gives
the same answer on every run.
"""),
    code("%load_ext kuiper_dev"),
    code('''
import tempfile, threading
from contextlib import ExitStack
from pathlib import Path

import kuiper_dev
from kuiper_dev import Workspace

stack = ExitStack()  # closed at the end of the notebook
mq = stack.enter_context(kuiper_dev.broker())
work = Path(tempfile.mkdtemp())
ws = %kuiper workspace
ws.use_broker(mq.url)  # mqtt streams without a server of their own use it
'''),
    md("A seeded simulation written as a recording: 90 readings of 3 sensors."),
    code("%kuiper simulate fleet --count 90 --seed 3 --output {work}/fleet.jsonl"),
    md("## A live rule in the background\n\nWith no feed and no recording, `%%kuiper_sql` "
       "reads the stream's own source, MQTT here. `--background` returns at once; the table "
       "below refreshes in place while the kernel stays free. Its content depends on wall-"
       "clock timing, so the cell is tagged `nbval-ignore-output`."),
    code('''
%%kuiper_sql --background --id hot --rows 5 --timeout 120 -o live
CREATE STREAM sensors (deviceId STRING, temperature FLOAT, humidity FLOAT, ts BIGINT)
    WITH (DATASOURCE="sensors/+", FORMAT="json", TIMESTAMP="ts");
SELECT deviceId, ts, temperature FROM sensors WHERE temperature > 22
''', ignore_output="a live display, refreshed in place as messages arrive (wall clock)"),
    md("Record the same traffic to a file while it flows (`Workspace.record`, here in a "
       "thread; `%kuiper record BROKER TOPIC -o FILE --count N` does the same, blocking):"),
    code('''
stats = {}
recorder = threading.Thread(target=lambda: stats.update(rec=Workspace.record(
    mq.url, "sensors/#", work / "captured.jsonl", count=90, duration=60)))
recorder.start()
import time; time.sleep(2.0)  # let the recorder subscribe
'''),
    md("Publish the simulation onto the broker, as fast as it goes (`speed=0`):"),
    code('''
Workspace.republish(work / "fleet.jsonl", mq.url, speed=0)
'''),
    md("How many rows should the rule emit? The same rule over the file, in virtual time, "
       "says; the live rule gets there as the messages arrive:"),
    code('''
expected = ws.replay("SELECT deviceId, ts, temperature FROM sensors WHERE temperature > 22",
                     work / "fleet.jsonl")
live.wait(emissions=len(expected.emissions), timeout=30)
'''),
    code("%kuiper stop hot"),
    code('''
recorder.join(60)
print(stats["rec"].count, "messages recorded; the rule emitted", len(live.result.rows))
live.result.rows == expected.rows
'''),
    md("## Replay in virtual time\n\n`--recording` replays a file through the rule: "
       "each stream gets the recorded topics its DATASOURCE matches, at their recorded "
       "times. By event time (the readings' `ts`) the windows do not depend on when the "
       "recording was made. `--quiet` hides the progress bar."),
    code('''
%%kuiper_sql --recording {work}/captured.jsonl --event-time --quiet
SELECT deviceId, count(*) AS n, round(avg(temperature), 2) AS avgTemp, window_end() AS window_end
FROM sensors GROUP BY deviceId, TUMBLINGWINDOW(ss, 10)
'''),
    md("The same rule over the simulated file gives the same windows:"),
    code('''
%%kuiper_sql --recording {work}/fleet.jsonl --event-time --quiet -o simulated
SELECT deviceId, count(*) AS n, round(avg(temperature), 2) AS avgTemp, window_end() AS window_end
FROM sensors GROUP BY deviceId, TUMBLINGWINDOW(ss, 10)
'''),
    code('_.to_pandas().equals(simulated)'),
    md("A long replay shows a progress bar (its rates vary, so the cell is tagged "
       "`nbval-ignore-output`):"),
    code('''
%%kuiper_sql --recording {work}/fleet.jsonl
SELECT deviceId, temperature FROM sensors WHERE temperature > 24
''', ignore_output="a progress bar, with wall-clock rates"),
    code("stack.close()"),
]

EXPORT = [
    md("""
# 08 · Exporting, and running as a portable plugin

A cell plugin is a real module: `%kuiper export` writes it in eKuiper's layouts. The
native layout (`functions/Name@vV.py` and its metadata) is what this kit's `plugins/`
folder holds; the portable layout is one package (a folder and a zip) that eKuiper
installs and runs in its own process. `Workspace(portable=True)` runs plugins that
way here, so a rule can be checked against both.
"""),
    code("%load_ext kuiper_dev"),
    code('''
%%kuiper_function Fahrenheit
from ekuiper import Function

class FahrenheitFunc(Function):
    def validate(self, args):
        return "" if len(args) == 1 else "fahrenheit takes one argument, degrees Celsius"

    def exec(self, args, ctx):
        return None if args[0] is None else round(args[0] * 9 / 5 + 32, 2)

    def is_aggregate(self):
        return False

Fahrenheit = FahrenheitFunc()
'''),
    code('''
import os, tempfile

work = tempfile.mkdtemp()
paths = %kuiper export fahrenheit --version 1.0.0 --to {work}/native
sorted(os.path.relpath(p, work) for p in paths)
'''),
    code('''
paths = %kuiper export fahrenheit heatIndex --version 1.0.0 --portable --package sensorkit --to {work}/portable
sorted(os.path.relpath(p, work) for p in paths)
'''),
    md("## The same rule, in-process and portable\n\n`Workspace(portable=True)` exports "
       "the plugins it loads as one portable plugin and runs it in a separate process, "
       "over eKuiper's portable protocol, as eKuiper would."),
    code('''
from kuiper_dev import SensorFleet, Workspace

sql = "SELECT deviceId, temperature, fahrenheit(temperature) AS f FROM sensors"
fleet = SensorFleet(devices=2, count=20, seed=4)
with Workspace(plugins_dir=f"{work}/native") as native:
    here = native.run(sql, fleet)
with Workspace(plugins_dir=f"{work}/native", portable=True) as portable:
    there = portable.run(sql, fleet)
print(here.rows == there.rows, len(there.rows), there.rows[:2])
'''),
    md("## A cell plugin that survives a kernel restart\n\n`--export VERSION` writes the "
       "plugin into the plugins folder as the cell defines it (or `--to DIR`); after a "
       "restart the workspace loads it from the file, and running the cell again replaces "
       "it (with a warning) until `%kuiper reload` brings the file back."),
    code('''
%%kuiper_function Kelvin --export 1.0.0 --to {work}/plugins
from ekuiper import Function

class KelvinFunc(Function):
    def validate(self, args):
        return "" if len(args) == 1 else "kelvin takes one argument, degrees Celsius"

    def exec(self, args, ctx):
        return None if args[0] is None else round(args[0] + 273.15, 2)

    def is_aggregate(self):
        return False

Kelvin = KelvinFunc()
'''),
    code('''
with Workspace(plugins_dir=f"{work}/plugins") as restarted:  # what a new kernel would load
    print(restarted.show_udfs(), restarted.run("SELECT kelvin(t) AS k FROM d", [{"t": 20}]).rows)
'''),
]
