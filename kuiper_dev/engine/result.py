"""What running a rule gives back: emissions, errors and status, ready for pandas."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..go import dumps
from .metrics import OpMetrics, Topology, operator_metrics, plan_topology

if TYPE_CHECKING:
    import pandas as pd

    from .plan import RulePlan

__all__ = ["RuleErrorRecord", "RuleResult", "RuleStatus"]

_TIME_NAME = re.compile(r"^(ts|time|timestamp|event_?time)$|(_ts|_time|timestamp)$|^window_?(start|end)$", re.I)
_EPOCH_MS = (10**11, 10**14)  # 1973..5138: an int column of these under a time name is epoch ms


def _is_time_column(name: str, values: list[Any]) -> bool:
    """A column named like a time whose values are all epoch milliseconds."""
    if not _TIME_NAME.search(name):
        return False
    present = [v for v in values if v is not None]
    return bool(present) and all(
        isinstance(v, int | float) and not isinstance(v, bool) and _EPOCH_MS[0] <= v < _EPOCH_MS[1]
        for v in present
    )


@dataclass(slots=True)
class RuleErrorRecord:
    """One row the rule could not process, and why; the rule went on."""

    ts: int
    message: str


class RuleStatus:
    """A rule's state and counters, read off its operators and error records.

    The engine counts into ``counters`` (source, filter, window, project, sink);
    ``operators`` are the operators eKuiper's planner builds for the rule, named and
    counted as its status shows them, once the pipeline has told which plan and
    sinks the rule has (without, the counters themselves). Nothing is counted twice:
    messages in are the source's records in, emissions the sink's, exceptions the
    error records.
    """

    __slots__ = ("counters", "errors", "plan", "sink_errors", "sink_kinds", "status")

    def __init__(self, errors: list[RuleErrorRecord]) -> None:
        self.status = "stopped"
        self.errors = errors
        self.counters: dict[str, OpMetrics] = {
            "source": OpMetrics("source_0"),
            "filter": OpMetrics("op_filter_0"),
            "window": OpMetrics("op_window_0"),
            "project": OpMetrics("op_project_0"),
            "sink": OpMetrics("sink_0"),
        }
        self.plan: RulePlan | None = None
        self.sink_kinds: list[str] = ["log"]
        self.sink_errors: dict[int, OpMetrics] = {}  # by action index, the sinks that failed

    def sink_failed(self, index: int, message: str, at: int) -> None:
        """Count a failure of the rule's ``index``-th sink (off the hot path: on errors)."""
        failed = self.sink_errors.setdefault(index, OpMetrics(f"sink_{index}"))
        failed.error(message, at)

    def topology(self) -> Topology | None:
        """The rule's operators as eKuiper plans them (None before a plan is known)."""
        if self.plan is None:
            return None
        return plan_topology(self.plan, self.sink_kinds)

    @property
    def operators(self) -> dict[str, OpMetrics]:
        """Each operator's metrics by eKuiper's prefix (``op_3_filter_0``), in its order."""
        topo = self.topology()
        if topo is None:
            return self.counters
        return {m.name: m for m in operator_metrics(topo, self.counters, self.sink_errors)}

    def metrics(self) -> dict[str, Any]:
        """eKuiper's status keys of every operator, in its order."""
        out: dict[str, Any] = {}
        for m in self.operators.values():
            out.update(m.to_dict())
        return out

    @property
    def records_in(self) -> int:
        return self.counters["source"].records_in

    @property
    def records_out(self) -> int:
        return self.counters["sink"].records_in

    @property
    def exceptions(self) -> int:
        return len(self.errors)

    @property
    def last_exception(self) -> str:
        return self.errors[-1].message if self.errors else ""

    @property
    def last_exception_time(self) -> int:
        return self.errors[-1].ts if self.errors else 0


@dataclass(slots=True)
class RuleResult:
    """The emissions a rule sent to its sinks, in order, with the errors met on the way."""

    rule_id: str
    sql: str
    emissions: list[list[dict[str, Any]]] = field(default_factory=list)
    errors: list[RuleErrorRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the run's input (a damaged file)
    show_rows: int = 20  # how many rows the notebook table shows
    status: RuleStatus = field(init=False)

    def __post_init__(self) -> None:
        self.status = RuleStatus(self.errors)

    @property
    def messages_in(self) -> int:
        return self.status.records_in

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [row for emission in self.emissions for row in emission]

    def json_lines(self) -> list[str]:
        """Each emission as eKuiper's sinks receive it (Go's JSON encoding)."""
        return [dumps(e) for e in self.emissions]

    @property
    def windowed(self) -> bool:
        """Whether each emission is a window (the rule groups by a window function)."""
        return re.search(r"window\s*\(", self.sql, re.I) is not None

    def to_pandas(self) -> pd.DataFrame:
        """One row per emitted row, indexed by the emission (or window) it came in;
        each epoch-ms time column gets a UTC datetime column ``{name}_utc`` beside it.

        >>> r = RuleResult("r", "SELECT ts FROM s", [[{"ts": 1700000000000}], [{"ts": 1700000001500}]])
        >>> frame = r.to_pandas()
        >>> list(frame.columns), frame.index.name, str(frame["ts_utc"][1])
        (['ts', 'ts_utc'], 'emission', '2023-11-14 22:13:21.500000+00:00')
        """
        import pandas as pd

        index = [i for i, emission in enumerate(self.emissions) for _ in emission]
        frame = pd.DataFrame(self.rows, index=pd.Index(index, name=self._index_name()))
        for name in list(frame.columns):
            values = frame[name].tolist()
            if isinstance(name, str) and _is_time_column(name, values):
                stamps = [v if isinstance(v, int | float) and v >= _EPOCH_MS[0] else None
                          for v in values]  # fmt: skip
                at = frame.columns.get_loc(name) + 1
                frame.insert(at, f"{name}_utc", pd.to_datetime(stamps, unit="ms", utc=True))
        return frame

    def _index_name(self) -> str:
        return "window" if self.windowed else "emission"

    def _repr_html_(self) -> str:
        frame = self.to_pandas()
        body = (
            frame.to_html(max_rows=self.show_rows, show_dimensions=len(frame) > self.show_rows)
            if len(frame.columns)
            else "<p>(no rows)</p>"
        )
        note = (
            f"<p>rule <code>{html.escape(self.rule_id)}</code>: {self.messages_in} messages in, "
            f"{len(self.emissions)} emissions, {len(self.errors)} errors</p>"
        )
        errors = "".join(f"<pre>{html.escape(e.message)}</pre>" for e in self.errors[:3])
        warned = "".join(f"<p>warning: {html.escape(w)}</p>" for w in self.warnings)
        return note + body + errors + warned

    def plot(
        self, inputs: Any = None, *, y: list[str] | None = None
    ) -> Any:
        """Plot the rule's input series (``inputs``: rows or ``(ts, row)`` pairs) against
        its output, windows shaded when the SELECT has ``window_start()/window_end()``
        columns; returns the matplotlib Figure (inputs above, outputs below)."""
        return _plot(self, inputs, y)

    def __repr__(self) -> str:
        return (
            f"RuleResult({self.rule_id!r}: {self.messages_in} messages in, "
            f"{len(self.emissions)} emissions, {len(self.errors)} errors)"
        )


def _input_points(inputs: Any) -> list[tuple[float, dict[str, Any]]]:
    """``(ts, row)`` of each input: messages (ts, JSON payload), pairs, or rows
    (their ``ts`` or, without one, their position)."""
    import json

    points: list[tuple[float, dict[str, Any]]] = []
    for i, item in enumerate(inputs if inputs is not None else ()):
        if hasattr(item, "payload") and hasattr(item, "ts"):
            try:
                row = json.loads(item.payload)
            except ValueError:
                continue
            if isinstance(row, dict):
                points.append((item.ts, row))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], dict):
            points.append((item[0], item[1]))
        elif isinstance(item, dict):
            points.append((item.get("ts", i), item))
    return points


def _numeric(rows: list[dict[str, Any]], wanted: list[str] | None) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        for k, v in row.items():
            if isinstance(v, int | float) and not isinstance(v, bool) and not _TIME_NAME.search(k):
                names[k] = None
    return [n for n in names if wanted is None or n in wanted]


def _plot(result: RuleResult, inputs: Any, wanted: list[str] | None) -> Any:
    """Inputs above, outputs below; on a shared time axis when the output rows carry
    times (window ends first), with each window's bounds marked."""
    from matplotlib.figure import Figure

    points = _input_points(inputs)
    rows = result.rows
    index = [i for i, emission in enumerate(result.emissions) for _ in emission]
    times = [n for n in (rows[0] if rows else {}) if _is_time_column(n, [r.get(n) for r in rows])]
    end = next((n for n in times if "end" in n.lower()), times[0] if times else None)
    start = next((n for n in times if "start" in n.lower()), None)
    timed = end is not None and bool(points) and points[0][0] >= _EPOCH_MS[0]

    def at(ms: Any) -> Any:  # epoch ms as a UTC datetime, when the axis is time
        return datetime.fromtimestamp(ms / 1000, UTC) if timed else ms

    fig = Figure(figsize=(9, 5.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=timed)
    for name in _numeric([r for _, r in points], wanted):
        xs = [at(t) for t, r in points if isinstance(r.get(name), int | float)]
        top.plot(xs, [r[name] for _, r in points if isinstance(r.get(name), int | float)],
                 ".", markersize=3, label=name)  # fmt: skip
    top.set_title(f"input ({len(points)} messages)")
    out_x: list[Any] = [at(r.get(end)) for r in rows] if timed and end else list(index)
    for name in _numeric(rows, wanted):
        xs = [x for x, r in zip(out_x, rows, strict=True) if isinstance(r.get(name), int | float)]
        ys = [r[name] for r in rows if isinstance(r.get(name), int | float)]
        bottom.plot(xs, ys, "o-" if len(xs) < 200 else "-", markersize=3, label=name)
    bottom.set_title(f"output of {result.rule_id} ({len(result.emissions)} emissions)")
    bottom.set_xlabel("time (UTC); output at each window's end" if timed else "emission")
    if timed and end:
        bounds = sorted({r[end] for r in rows} | ({r[start] for r in rows} if start else set()))
        for axis in (top, bottom):
            for b in bounds:
                axis.axvline(at(b), color="grey", linewidth=0.6, linestyle="--")
    for axis in (top, bottom):
        if axis.get_legend_handles_labels()[0]:
            axis.legend(loc="upper left", fontsize="small")
    return fig
