"""Per-operator counters, and the operators eKuiper's planner would build for a rule.

The engine counts into a few counters per rule (source, filter, window, project,
sink) on its hot paths. eKuiper's ``/rules/{id}/status`` and ``/topo`` list the
operators its planner built for *this* rule (``internal/topo/planner/planner.go``
``buildOps``, ``planner_source.go``, ``planner_sink.go``): a source per stream, a
decoder for byte sources, the WHERE filter (pushed below processing-time windows),
window, join, aggregate, having, order, project, and per action a transform, an
encoder and the sink. :func:`plan_topology` names that chain from a rule's plan and
:func:`operator_metrics` reads each node's numbers off the counters, so the two stay
consistent: every node's records out are the next node's records in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .plan import RulePlan
    from .planning import RuleInput

__all__ = ["OpMetrics", "Topology", "TopologyNode", "operator_metrics", "plan_topology"]

# eKuiper's metric names in its order (internal/topo/node/metric/stats_manager.go)
OP_KEYS = (
    "records_in_total", "records_out_total", "messages_processed_total",
    "process_latency_us", "buffer_length", "last_invocation", "exceptions_total",
    "last_exception", "last_exception_time",
)  # fmt: skip
CONNECTION_KEYS = (
    "connection_status", "connection_last_connected_time",
    "connection_last_disconnected_time", "connection_last_disconnected_message",
    "connection_last_try_time",
)  # fmt: skip
# sources eKuiper reads as bytes, so that a decoder operator follows them
_BYTE_SOURCES = frozenset({"mqtt", "httppush", "websocket", "file", "edgex"})


@dataclass(slots=True)
class OpMetrics:
    """One operator's counters; ``name`` is eKuiper's prefix, e.g. ``op_3_filter_0``.

    >>> m = OpMetrics("op_3_filter_0", records_in=2, records_out=1)
    >>> m.to_dict()["op_3_filter_0_records_out_total"], len(m.to_dict())
    (1, 9)
    """

    name: str
    records_in: int = 0
    records_out: int = 0
    exceptions: int = 0
    last_exception: str = ""
    last_invocation: int = 0
    last_exception_time: int = 0
    connection: bool = False  # sources and sinks report eKuiper's connection keys too

    def error(self, message: str, at: int) -> None:
        self.exceptions += 1
        self.last_exception = message
        self.last_invocation = at
        self.last_exception_time = at

    def to_dict(self) -> dict[str, Any]:
        """eKuiper's keys for this operator, in its order (latency and buffer are not
        measured: 0)."""
        values: tuple[Any, ...] = (
            self.records_in, self.records_out, self.records_in, 0, 0, self.last_invocation,
            self.exceptions, self.last_exception, self.last_exception_time,
        )  # fmt: skip
        keys: tuple[str, ...] = OP_KEYS
        if self.connection:
            values += (0, 0, 0, "", 0)
            keys += CONNECTION_KEYS
        n = self.name
        return {f"{n}_{k}": v for k, v in zip(keys, values, strict=True)}


@dataclass(frozen=True, slots=True)
class TopologyNode:
    """One operator: its topo name (``op_3_filter``), which counts it reports as
    records in and out (keys of :func:`operator_metrics`'s table) and whose errors."""

    name: str
    counts_in: str
    counts_out: str
    errors: str = ""

    @property
    def kind(self) -> str:
        return self.name.split("_", 1)[0]


@dataclass(frozen=True, slots=True)
class Topology:
    """A rule's operators in eKuiper's order (sources, operators, sinks) and its edges."""

    nodes: tuple[TopologyNode, ...]
    edges: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """eKuiper's ``/rules/{id}/topo``: ``{"sources": [...], "edges": {...}}``."""
        return {
            "sources": [n.name for n in self.nodes if n.kind == "source"],
            "edges": {k: list(self.edges[k]) for k in sorted(self.edges)},  # a Go map
        }


class _Builder:
    """Appends operators as eKuiper's ``buildOps`` numbers them: one index per plan node
    and per source sub-operator, the window's FILTER sharing the window's index."""

    def __init__(self) -> None:
        self.index = 0
        self.sources: list[TopologyNode] = []
        self.ops: list[TopologyNode] = []
        self.sinks: list[TopologyNode] = []
        self.edges: dict[str, list[str]] = {}
        self.tails: list[str] = []

    def add(self, name: str, counts_in: str, counts_out: str, errors: str = "") -> str:
        node = TopologyNode(name, counts_in, counts_out, errors)
        {"source": self.sources, "sink": self.sinks}.get(node.kind, self.ops).append(node)
        for tail in self.tails:
            self.edges.setdefault(tail, []).append(name)
        self.tails = [name]
        return name

    def op(self, kind: str, counts_in: str, counts_out: str, errors: str = "") -> str:
        self.index += 1
        return self.add(f"op_{self.index}_{kind}", counts_in, counts_out, errors)


def _decodes(spec: RuleInput) -> bool:
    stream = spec.stream
    kind = stream.statement.option("TYPE") or ("file" if stream.kind == "table" else "mqtt")
    return kind.lower() in _BYTE_SOURCES


def plan_topology(plan: RulePlan, sink_kinds: Sequence[str] = ("log",)) -> Topology:
    """The operators eKuiper plans for ``plan``'s rule with sinks of ``sink_kinds`` (one
    per action), with the counts each reports (see :func:`operator_metrics`)."""
    b = _Builder()
    select = plan.select
    window = select.window
    trigger = _trigger(plan)
    et = plan.event_time is not None
    joined = bool(select.joins)
    inner = joined and all(j.kind in ("INNER", "CROSS") for j in select.joins)
    # eKuiper pushes WHERE (and a window's FILTER) below a processing-time window that is
    # not a count or sliding one, into a filter right after the source, as it does for
    # a rule without a window unless analytic functions must run first
    pushdown = not joined and (
        (window is None and not plan.analytics)
        or (
            window is not None
            and not et
            and window.kind in ("tumbling", "hopping", "session", "state")
        )
    )
    pre_cond = pushdown and (
        select.where is not None or (window is not None and window.filter is not None)
    )
    row_filter = window is None and select.where is not None

    def chain(name: str, spec: RuleInput) -> list[str]:
        live = name == trigger
        b.tails = []
        b.index += 1
        b.add(f"source_{name}", "messages" if live else "", "messages" if live else "")
        if _decodes(spec):
            b.op(
                "decoder",
                "messages" if live else "",
                "rows" if live else "",
                "source" if live else "",
            )
        s = spec.stream
        if et or (s.schema is not None and (s.strict or s.format == "binary")):
            b.op("preprocessor", "rows" if live else "", "rows" if live else "")
        return b.tails

    streams = [(n, i) for n, i in plan.inputs.items() if i.stream.kind != "table"]
    tables = [
        (n, i) for n, i in plan.inputs.items() if i.stream.kind == "table" and i.lookup is None
    ]
    lookups = [n for n, i in plan.inputs.items() if i.lookup is not None]
    tails: list[str] = []
    for name, spec in streams:
        tails += chain(name, spec)
    b.tails = tails
    if pre_cond:
        if row_filter:
            b.op("filter", "filter_in", "filter_out", "filter")
        else:
            b.op("filter", "rows", "window_in")
    if et:
        b.op("watermark", "rows", "rows")
    if plan.analytics:
        b.op("analytic", "rows", "rows")
    current = "rows"
    if window is not None:
        if window.filter is not None and not pre_cond:
            b.index += 1
            b.add(f"op_{b.index}_windowFilter", "rows", "window_in")
            b.index -= 1
        b.op("window", "window_in", "window_out")
        current = "window_out"
    if tables:
        upstream = b.tails
        for name, spec in tables:
            upstream += chain(name, spec)
        b.tails = upstream
        b.op("join_aligner", current, current)
    if joined and (tables or len(streams) > 1):
        b.op("join", current, "post_join")
        current = "post_join"
    for name in lookups:
        b.index += 1
        b.add(f"op_{name}", current, "post_join")
        current = "post_join"
    if select.where is not None and not pre_cond and not inner:
        if window is None and not joined:
            b.op("filter", "filter_in", "filter_out", "filter")
            current = "filter_out"
        else:
            b.op("filter", current, "post_where")
            current = "post_where"
    if window is not None and window.kind != "state" and select.group_by:
        b.op("aggregate", current, current)
    if select.having is not None:
        b.op("having", current, "post_having")
        current = "post_having"
    if select.order_by:
        b.op("order", current, current)
    split = plan.row is not None and plan.row.split
    if window is None and not joined:
        project_out = "project_out" if split else "emitted"
        b.op("project", "project_in", project_out, "project")
        if split:
            b.op("projectset", "project_out", "emitted")
    else:
        b.op("project", current, "emitted", "project")
    last = b.tails
    for i, kind in enumerate(sink_kinds):
        b.tails = last
        b.add(f"op_{kind}_{i}_0_transform", "emitted", "emitted")
        if kind != "memory":  # a tuple collector; the others take encoded bytes
            b.add(f"op_{kind}_{i}_1_encode", "emitted", "emitted")
        b.add(f"sink_{kind}_{i}", "emitted", f"sent_{i}", f"sink_{i}")
    return Topology((*b.sources, *b.ops, *b.sinks), b.edges)


def _trigger(plan: RulePlan) -> str:
    """The stream whose messages the source counter counts: FROM's, or the joined
    stream's when FROM names a table."""
    if plan.main.kind != "table":
        return plan.main.name
    streams = [n for n, i in plan.inputs.items() if i.stream.kind != "table"]
    return streams[0] if streams else plan.main.name


def operator_metrics(
    topology: Topology,
    counters: Mapping[str, OpMetrics],
    sink_errors: Mapping[int, OpMetrics] | None = None,
) -> list[OpMetrics]:
    """Each node of ``topology`` with its numbers read off the rule's ``counters``
    (``source``, ``filter``, ``window``, ``project``, ``sink``): records in and out
    chain from node to node, so what one sends on the next takes in."""
    src, filt, win = counters["source"], counters["filter"], counters["window"]
    proj, sink = counters["project"], counters["sink"]
    failed = sink_errors or {}
    emitted = sink.records_in
    fired = win.records_out
    table: dict[str, int] = {
        "": 0,
        "messages": src.records_in,
        "rows": src.records_out,
        "window_in": win.records_in,
        "window_out": fired,
        "filter_in": filt.records_in,
        "filter_out": filt.records_out,
        "project_in": proj.records_in,
        "project_out": proj.records_out,
        "emitted": emitted,
    }
    # windows (or joined rows) that sent nothing were dropped by the first operator
    # able to drop them (the join, WHERE after the window, or HAVING): what leaves it
    # and the ones after it is what reached the sinks
    for key in ("post_join", "post_where", "post_having"):
        table[key] = emitted
    errors: dict[str, OpMetrics] = {"source": src, "filter": filt, "project": proj}
    for i, m in failed.items():
        errors[f"sink_{i}"] = m
    out = []
    for node in topology.nodes:
        m = OpMetrics(f"{node.name}_0", connection=node.kind in ("source", "sink"))
        m.records_in = table.get(node.counts_in, 0)
        if node.counts_out.startswith("sent_"):
            lost = failed.get(int(node.counts_out[5:]))
            m.records_out = m.records_in - (lost.exceptions if lost is not None else 0)
        else:
            m.records_out = table.get(node.counts_out, 0)
        if m.records_in:
            m.last_invocation = src.last_invocation
        e = errors.get(node.errors)
        if e is not None:
            m.exceptions, m.last_exception = e.exceptions, e.last_exception
            m.last_exception_time = e.last_exception_time
            m.last_invocation = max(m.last_invocation, e.last_invocation)
        out.append(m)
    return out
