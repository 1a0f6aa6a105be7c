"""Notebooks 02-04: a function plugin (scalar and aggregate), a source plugin, a sink
plugin with acks."""

from __future__ import annotations

from ._nb import code, md

FUNCTIONS = [
    md("""
# 02 · A function plugin: scalar and aggregate

A scalar function gets one row's arguments; an aggregate gets, for each argument, the
list of values of the whole group (a window, a `GROUP BY` key). Both are plain
`ekuiper.Function` classes; `is_aggregate()` tells eKuiper which one it is.
Everything runs in virtual time over a seeded simulation: the outputs are the same on
every run.
"""),
    code("%load_ext kuiper_dev"),
    md("## A scalar function\n\n`%%kuiper_function Name` loads the cell as the plugin module; "
       "SQL calls it `fahrenheit` (eKuiper lower-cases the first letter)."),
    code('''
%%kuiper_function Fahrenheit
from ekuiper import Function

class FahrenheitFunc(Function):
    def validate(self, args):
        return "" if len(args) == 1 else "fahrenheit takes one argument, degrees Celsius"

    def exec(self, args, ctx):
        c = args[0]
        return None if c is None else round(c * 9 / 5 + 32, 2)

    def is_aggregate(self):
        return False

Fahrenheit = FahrenheitFunc()
'''),
    code('''
from kuiper_dev import SensorFleet

fleet = SensorFleet(devices=3, count=300, seed=11)
'''),
    code('''
%%kuiper_sql --feed fleet --rows 5 -o readings
CREATE STREAM sensors (deviceId STRING, temperature FLOAT, humidity FLOAT, ts BIGINT)
    WITH (DATASOURCE="sensors/+", FORMAT="json", TIMESTAMP="ts");
SELECT deviceId, ts, temperature, fahrenheit(temperature) AS tempF FROM sensors
'''),
    md("`-o readings` kept the table as a DataFrame. The index says which emission each row "
       "came in; `ts` is epoch milliseconds, so `ts_utc` shows it as a date."),
    code('readings.groupby("deviceId")["tempF"].describe().round(2)'),
    md("## An aggregate function\n\n`spread` is the range of a group's values. Over a "
       "30-second tumbling window per device the window index tells the windows apart."),
    code('''
%%kuiper_function Spread
from ekuiper import Function

class SpreadFunc(Function):
    def validate(self, args):
        return "" if len(args) == 1 else "spread takes one column"

    def exec(self, args, ctx):
        values = [v for v in args[0] if v is not None]
        return round(max(values) - min(values), 3) if values else None

    def is_aggregate(self):
        return True

Spread = SpreadFunc()
'''),
    code('''
%%kuiper_sql --feed fleet --drain-ms 30000 --rows 6 --plot
SELECT deviceId, count(*) AS n, spread(temperature) AS spread, round(avg(temperature), 2) AS avgTemp,
       window_start() AS window_start, window_end() AS window_end
FROM sensors
GROUP BY deviceId, TUMBLINGWINDOW(ss, 30)
'''),
    md("## A refused definition changes nothing\n\nA plugin function may not take a built-in's "
       "name. The refusal leaves the workspace as it was: the plugins defined before still "
       "work, and the next definition goes through."),
    code('''
%%kuiper_function Abs
from ekuiper import Function

class AbsFunc(Function):
    def validate(self, args):
        return ""

    def exec(self, args, ctx):
        return abs(args[0])

    def is_aggregate(self):
        return False

Abs = AbsFunc()
''', raises=True),
    code("%kuiper udfs"),
    md("## Hot reload\n\nRunning a `%%kuiper_function` cell again replaces the plugin, in "
       "running rules too. Here `fahrenheit` learns to round to whole degrees."),
    code('''
%%kuiper_function Fahrenheit
from ekuiper import Function

class FahrenheitFunc(Function):
    def validate(self, args):
        return "" if len(args) == 1 else "fahrenheit takes one argument, degrees Celsius"

    def exec(self, args, ctx):
        return None if args[0] is None else round(args[0] * 9 / 5 + 32)

    def is_aggregate(self):
        return False

Fahrenheit = FahrenheitFunc()
'''),
    code('''
%%kuiper_sql --feed fleet --rows 3
SELECT deviceId, temperature, fahrenheit(temperature) AS tempF FROM sensors
'''),
]

SOURCES = [
    md("""
# 03 · A source plugin

A source plugin feeds a stream: eKuiper calls `configure(datasource, conf)` with the
conf section it picked (`CONF_KEY`, over `default`), then `open(ctx)`, which emits
messages until `close(ctx)`. The stream's DATASOURCE is in `conf["datasource"]`: eKuiper's
Python runtime leaves the first argument empty (see `docs/fidelity.md`), and so does this kit. A stream reads it with
`TYPE="name"`; `%%kuiper_sql` without a feed runs the rule on the streams' own sources,
live, until `--limit` emissions (or `--timeout` seconds).
"""),
    code("%load_ext kuiper_dev"),
    code('''
conf = """
default:
  count: 6
  start: 20.0
  step: 0.5
steep:
  step: 2.0
"""
'''),
    code('''
%%kuiper_source Ramp --conf conf
from ekuiper import Source

class RampSource(Source):
    """Emits count readings rising by step from start, then stops."""

    def configure(self, datasource, conf):
        self.device = conf["datasource"]  # eKuiper passes `datasource` empty
        self.count, self.start, self.step = conf["count"], conf["start"], conf["step"]
        self.closed = False

    def open(self, ctx):
        for i in range(self.count):
            if self.closed:
                return
            ctx.emit({"deviceId": self.device, "seq": i, "value": self.start + i * self.step}, {})

    def close(self, ctx):
        self.closed = True

Ramp = RampSource
'''),
    md("One line runs a rule on it: the stream names the source with `TYPE`, the conf "
       "section with `CONF_KEY`. The schema types the columns (without one, eKuiper reads "
       "every JSON number as a float: `seq` would show as 0.0, 1.0, ...)."),
    code(  # one line of DDL per stream, as the notebook shows it
        "%%kuiper_sql --limit 6\n"
        "CREATE STREAM ramp (deviceId STRING, seq BIGINT, value FLOAT) "
        'WITH (TYPE="ramp", DATASOURCE="boiler-1", CONF_KEY="default");\n'
        "SELECT deviceId, seq, value FROM ramp"
    ),
    code(
        "%%kuiper_sql --limit 4\n"
        "CREATE STREAM steep (deviceId STRING, seq BIGINT, value FLOAT) "
        'WITH (TYPE="ramp", DATASOURCE="boiler-2", CONF_KEY="steep");\n'
        "SELECT deviceId, seq, value FROM steep WHERE value > 22"
    ),
    md("## The project's source plugins\n\n`plugins/sources/ModbusSim.py` is found in the "
       "project's `plugins/` folder: a seeded simulated Modbus device, polled every "
       "`interval` ms (the `fast` section: 100 ms)."),
    code("%kuiper show plugins source"),
    code('''
%%kuiper_sql --limit 5
CREATE STREAM unit1 (deviceId STRING, seq BIGINT, temperature FLOAT, humidity FLOAT)
    WITH (TYPE="modbusSim", DATASOURCE="unit-1", CONF_KEY="fast");
SELECT deviceId, seq, temperature, humidity FROM unit1
'''),
    md("The same rule's metrics, per operator, as eKuiper's `getstatus rule` reports them:"),
    code('''
from kuiper_dev.notebook import metrics_table, topology

unit1 = _
metrics_table(unit1)[["records_in", "exceptions"]]
'''),
    md("and its operators as a picture, each with the records it took in and sent on:"),
    code("topology(unit1)"),
]

SINKS = [
    md("""
# 04 · A sink plugin with acks

A sink plugin gets each emission in `collect(ctx, data)`: the JSON bytes eKuiper's
portable runtime sends (`sendSingle` sends one row at a time). With `requireAck` the
rule waits for the sink to answer each collect with `ctx.ack_ok()` or
`ctx.ack_error(text)`; an error becomes one of the rule's error records, and the rule
goes on.
"""),
    code("%load_ext kuiper_dev"),
    code('''
%%kuiper_sink Ledger
import json
from ekuiper import Sink

entries = []  # what the sink accepted, for this notebook to look at

class LedgerSink(Sink):
    def configure(self, conf):
        self.limit = conf.get("limit", 100)
        self.require_ack = conf.get("requireAck", False)

    def open(self, ctx):
        pass

    def collect(self, ctx, data):
        row = json.loads(data)
        if row["amount"] > self.limit:
            if self.require_ack:
                ctx.ack_error(f"amount {row['amount']} is over the limit {self.limit}")
            return
        entries.append(row)
        if self.require_ack:
            ctx.ack_ok()

    def close(self, ctx):
        pass

Ledger = LedgerSink
'''),
    code('''
payments = [{"id": i, "amount": a} for i, a in enumerate([40, 250, 75, 99, 180, 12])]
'''),
    md("`--sink NAME=PROPS` sends the rule's emissions to a sink (PROPS: quoted JSON or a "
       "variable); the table shows what the sink received."),
    code('''
%%kuiper_sql --feed payments --sink 'ledger={"limit": 100, "requireAck": true, "sendSingle": true}'
CREATE STREAM pay (id BIGINT, amount BIGINT) WITH (DATASOURCE="pay");
SELECT id, amount FROM pay
'''),
    code('''
result = _
for error in result.errors:
    print(error.message)
'''),
    md("The sink kept only what it acked. A plugin cell is a real module, importable as "
       "`kuiper_cells.NAME` (its latest definition), by tests as well:"),
    code('''
from kuiper_cells import ledger

ledger.entries
'''),
    md("## The project's sink\n\n`plugins/sinks/CsvWriter.py` appends rows to a CSV file; "
       "two sinks at once get every emission each."),
    code('''
import os, tempfile

out = os.path.join(tempfile.mkdtemp(), "payments.csv")
props = {"path": out, "fields": ["id", "amount"], "sendSingle": True}
'''),
    code('''
%%kuiper_sql --feed payments --sink csvWriter=props
SELECT id, amount FROM pay WHERE amount < 100
'''),
    code("print(open(out).read())"),
]
