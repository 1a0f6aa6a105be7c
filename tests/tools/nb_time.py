"""Notebooks 05-06: windows and event time (late data, watermarks); property testing."""

from __future__ import annotations

from ._nb import code, md

WINDOWS = [
    md("""
# 05 · Windows and event time

A window groups the rows of a stretch of time. *Which* time is the rule's choice:
processing time (when a message arrives, the default) or event time (a timestamp in
the message, `isEventTime`). With event time, eKuiper moves a watermark along behind
the newest timestamp seen, less `lateTolerance`; a window fires when the watermark
passes its end, and a message older than the watermark is dropped as late.

The `fleet-late` simulation delays 5 % of the readings by 5 to 15 seconds. Time is
virtual: every run gives the same numbers.
"""),
    code("%load_ext kuiper_dev"),
    code("%kuiper simulate fleet-late --count 600 --seed 5 -o late"),
    code('''
import json
import pandas as pd

arrivals = pd.DataFrame(
    {"arrived": m.ts, "ts": json.loads(m.payload)["ts"]} for m in late
)
arrivals["delay_ms"] = arrivals["arrived"] - arrivals["ts"]
arrivals["delay_ms"].describe().round(1)
'''),
    md("## Processing time\n\nA late reading lands in the window it *arrived* in, whatever "
       "its timestamp. Every reading is counted (all 600), but a delayed one moves to a "
       "later window: the counts wobble around 30 (3 sensors, 10 s), 29 here and 31 there, "
       "and a last window holds the stragglers."),
    code('''
%%kuiper_sql --feed late --drain-ms 10000 --rows 4 -o by_arrival
CREATE STREAM sensors (deviceId STRING, temperature FLOAT, ts BIGINT)
    WITH (DATASOURCE="sensors/+", FORMAT="json", TIMESTAMP="ts");
SELECT count(*) AS n, window_start() AS window_start, window_end() AS window_end
FROM sensors GROUP BY TUMBLINGWINDOW(ss, 10)
'''),
    md("## Event time, no tolerance\n\n`--event-time` (the rule option `isEventTime`) "
       "windows by the readings' `ts`. A reading that arrives after the watermark passed "
       "its window is dropped: some windows count fewer than 30."),
    code('''
%%kuiper_sql --feed late --event-time --rows 4 -o strict
SELECT count(*) AS n, window_start() AS window_start, window_end() AS window_end
FROM sensors GROUP BY TUMBLINGWINDOW(ss, 10)
'''),
    md("## Event time with a late tolerance\n\n`--late-tolerance 15000` holds the "
       "watermark 15 s behind the newest timestamp: the windows fire later, and the "
       "delayed readings are counted where they belong. The options may as well be "
       "typed as JSON: `--options '{\"isEventTime\": true, \"lateTolerance\": 15000}'`."),
    code('''
%%kuiper_sql --feed late --options '{"isEventTime": true, "lateTolerance": 15000}' --rows 4 -o tolerant --plot
SELECT count(*) AS n, window_start() AS window_start, window_end() AS window_end
FROM sensors GROUP BY TUMBLINGWINDOW(ss, 10)
'''),
    code('''
pd.DataFrame({
    "windows": [len(by_arrival), len(strict), len(tolerant)],
    "readings counted": [by_arrival["n"].sum(), strict["n"].sum(), tolerant["n"].sum()],
    "windows short of 30": [(by_arrival["n"] < 30).sum(), (strict["n"] < 30).sum(),
                            (tolerant["n"] < 30).sum()],
}, index=["processing time", "event time", "event time, 15 s tolerance"])
'''),
    md("With event time the last windows fire only when a later timestamp moves the "
       "watermark past them; at the end of the feed nothing does, so they stay open (as "
       "in eKuiper: a watermark needs data)."),
    md("## A hopping window\n\nThe same readings in a 30 s hopping window "
       "every 10 s, by event time: each reading is counted in three windows."),
    code('''
%%kuiper_sql --feed late --event-time --late-tolerance 15000 --rows 5
SELECT deviceId, count(*) AS n, round(avg(temperature), 2) AS avgTemp, window_end() AS window_end
FROM sensors GROUP BY deviceId, HOPPINGWINDOW(ss, 30, 10)
'''),
]

PROPERTIES = [
    md("""
# 06 · Property testing a plugin with Hypothesis

`%kuiper test NAME [ARG_TYPE ...]` checks a plugin against eKuiper's contract with
Hypothesis: `validate` accepts the arities it should and refuses the others, `exec`
returns a value eKuiper can carry for any arguments of the declared types (nulls
included), and an aggregate takes lists. A failure comes with the smallest example
Hypothesis found, written as a regression rule test unless `--no-write`. The `ci`
profile makes the runs derandomized: the same failures every time (only the run time of
the summary varies, so this notebook prints the laws and failures).
"""),
    code("%load_ext kuiper_dev"),
    code("""
from hypothesis import settings
import kuiper_dev.testing  # registers the ci and dev profiles
settings.load_profile("ci")  # derandomized and bounded: the same examples every run
"""),
    code('''
%%kuiper_function Clamp
from ekuiper import Function

class ClampFunc(Function):
    """clamp(x, lo, hi): x limited to [lo, hi]."""

    def validate(self, args):
        return "" if len(args) == 3 else "clamp takes x, lo and hi"

    def exec(self, args, ctx):
        x, lo, hi = args
        return max(lo, min(hi, x))

    def is_aggregate(self):
        return False

Clamp = ClampFunc()
'''),
    code("""
report = %kuiper test clamp float float float --nullable --no-write
print(report.ok, report.laws)
for failure in report.failures:
    print(failure)
"""),
    md("`--nullable` let Hypothesis pass nulls, as eKuiper does for a missing field, and "
       "`exec` breaks on them. Fix it and test again:"),
    code('''
%%kuiper_function Clamp
from ekuiper import Function

class ClampFunc(Function):
    """clamp(x, lo, hi): x limited to [lo, hi]; null in, null out."""

    def validate(self, args):
        return "" if len(args) == 3 else "clamp takes x, lo and hi"

    def exec(self, args, ctx):
        x, lo, hi = args
        if x is None or lo is None or hi is None:
            return None
        return max(lo, min(hi, x))

    def is_aggregate(self):
        return False

Clamp = ClampFunc()
'''),
    code("report = %kuiper test clamp float float float --nullable --no-write\nreport.ok"),
    md("A plugin with metadata JSON (`plugins/functions/units.json`) names its functions' "
       "argument types, so it needs none on the line:"),
    code("""
report = %kuiper test celsiusToFahrenheit --no-write
for failure in report.failures:
    print(failure)
"""),
    md("A huge float overflows to infinity, which Go's JSON cannot carry: the plugin should "
       "return `None` there."),
    md("Without metadata, give the argument types:"),
    code("""
report = %kuiper test heatIndex float float --no-write
for failure in report.failures:
    print(failure)
"""),
    md("The same overflow: no sensor reads a humidity of 10¹⁵⁴ %, but a malformed message "
       "can carry one, and the plugin should return `None` rather than an infinity eKuiper "
       "cannot carry."),
]
