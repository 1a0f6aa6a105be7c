"""A rule's status and topology list the operators eKuiper's planner builds for its SQL
(internal/topo/planner/planner.go buildOps, planner_source.go, planner_sink.go)."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev import Workspace
from kuiper_dev.engine import RuleDefinition
from kuiper_dev.engine.metrics import OpMetrics

SINKS = ["op_log_0_0_transform", "op_log_0_1_encode", "sink_log_0"]


@pytest.fixture
def ws() -> Workspace:
    w = Workspace(plugins_dir=None)
    w.create_stream(
        'CREATE STREAM demo (a BIGINT, b BIGINT) WITH (DATASOURCE="demo", TIMESTAMP="b")'
    )
    w.create_stream('CREATE STREAM mem (a BIGINT) WITH (DATASOURCE="m", TYPE="memory")')
    w.create_stream('CREATE STREAM other (a BIGINT, c BIGINT) WITH (DATASOURCE="o")')
    w.create_stream('CREATE TABLE tb (a BIGINT, k STRING) WITH (DATASOURCE="t.json", TYPE="file")')
    return w


def _chain(topo: dict[str, Any]) -> list[str]:
    """The nodes from the (single) source to the first sink, following the edges."""
    (node,) = topo["sources"]
    out = [node]
    while node in topo["edges"]:
        node = topo["edges"][node][0]
        out.append(node)
    return out


# (SQL, options, the operators between the source and the first sink's transform)
CASES = [
    ("SELECT a FROM demo", {}, ["op_2_decoder", "op_3_project"]),
    ("SELECT a FROM mem", {}, ["op_2_project"]),  # a memory source gives rows: no decoder
    ("SELECT a FROM demo WHERE a > 1", {}, ["op_2_decoder", "op_3_filter", "op_4_project"]),
    # WHERE is pushed below a processing-time tumbling window
    ("SELECT count(*) AS n FROM demo WHERE a > 1 GROUP BY TUMBLINGWINDOW(ss, 1)", {},
     ["op_2_decoder", "op_3_filter", "op_4_window", "op_5_project"]),
    # ... with the window's FILTER, into the same filter
    ("SELECT count(*) AS n FROM demo GROUP BY TUMBLINGWINDOW(ss, 1) FILTER (WHERE b > 0)", {},
     ["op_2_decoder", "op_3_filter", "op_4_window", "op_5_project"]),
    # but not below a count window, whose FILTER shares the window's index
    ("SELECT count(*) AS n FROM demo WHERE a > 1 GROUP BY b, COUNTWINDOW(2) "
     "FILTER (WHERE b > 0) HAVING count(*) > 0 ORDER BY n", {},
     ["op_2_decoder", "op_3_windowFilter", "op_3_window", "op_4_filter", "op_5_aggregate",
      "op_6_having", "op_7_order", "op_8_project"]),
    # event time: a preprocessor after the decoder, a watermark before the window
    ("SELECT count(*) AS n FROM demo WHERE a > 1 GROUP BY TUMBLINGWINDOW(ss, 1)",
     {"isEventTime": True},
     ["op_2_decoder", "op_3_preprocessor", "op_4_watermark", "op_5_window", "op_6_filter",
      "op_7_project"]),
    # analytic functions run first, so WHERE is not pushed below them
    ("SELECT a FROM demo WHERE lag(a) > 0", {},
     ["op_2_decoder", "op_3_analytic", "op_4_filter", "op_5_project"]),
    ("SELECT a FROM demo ORDER BY a", {}, ["op_2_decoder", "op_3_order", "op_4_project"]),
]  # fmt: skip


@pytest.mark.parametrize(("sql", "options", "ops"), CASES)
def test_the_operators_are_those_eKuiper_plans_for_the_sql(
    ws: Workspace, sql: str, options: dict[str, Any], ops: list[str]
) -> None:
    ws.rules.create(RuleDefinition("r", sql, options=options), start=False)
    topo = ws.rule_topo("r")
    source = "source_mem" if " mem" in sql else "source_demo"
    assert _chain(topo) == [source, *ops, *SINKS]
    status = ws.rules.status("r")
    assert [k for k in status if k.endswith("_records_in_total")] == []  # never ran: no metrics
    ws.start_rule("r")
    keys = [k.removesuffix("_0_records_in_total") for k in ws.rules.status("r")
            if k.endswith("_records_in_total")]  # fmt: skip
    assert keys == [source, *ops, *SINKS[:2], "sink_log_0"]


def test_a_join_of_two_streams_lists_both_sources(ws: Workspace) -> None:
    sql = ("SELECT demo.a, other.c FROM demo INNER JOIN other ON demo.a = other.a "
           "GROUP BY TUMBLINGWINDOW(ss, 1)")  # fmt: skip
    ws.rules.create(RuleDefinition("j", sql), start=False)
    topo = ws.rule_topo("j")
    assert topo["sources"] == ["source_demo", "source_other"]
    assert topo["edges"]["source_other"] == ["op_4_decoder"]
    # the inner join swallows WHERE; both decoders feed the window
    assert topo["edges"]["op_2_decoder"] == topo["edges"]["op_4_decoder"] == ["op_5_window"]
    assert topo["edges"]["op_5_window"] == ["op_6_join"]
    assert topo["edges"]["op_6_join"] == ["op_7_project"]


def test_a_table_join_aligns_the_table_after_the_stream(ws: Workspace) -> None:
    sql = "SELECT demo.a, tb.k FROM demo INNER JOIN tb ON demo.a = tb.a"
    ws.rules.create(RuleDefinition("t", sql), start=False)
    topo = ws.rule_topo("t")
    assert topo["sources"] == ["source_demo", "source_tb"]
    assert topo["edges"]["op_2_decoder"] == topo["edges"]["op_4_decoder"] == ["op_5_join_aligner"]
    assert topo["edges"]["op_5_join_aligner"] == ["op_6_join"]


def test_each_action_has_its_own_chain_and_a_failing_sink_counts_alone(ws: Workspace) -> None:
    actions = [{"log": {}}, {"memory": {"topic": "out"}}, {"log": {}}]
    ws.create_rule("r", "SELECT a FROM demo WHERE a > 1", actions=actions)
    topo = ws.rule_topo("r")
    assert topo["edges"]["op_4_project"] == [
        "op_log_0_0_transform", "op_memory_1_0_transform", "op_log_2_0_transform"
    ]  # fmt: skip
    # memory is a tuple sink in eKuiper: no encoder before it
    assert topo["edges"]["op_memory_1_0_transform"] == ["sink_memory_1"]
    pipeline = ws.rules._rules["r"].rule
    assert pipeline is not None

    def broken(_emission: Any) -> None:
        raise OSError("disk full")

    pipeline.emit.sinks[2] = broken
    ws.publish("demo", [{"a": 1, "b": 0}, {"a": 2, "b": 0}, {"a": 3, "b": 0}])
    status = ws.rule_status("r")
    for sink, out, errors in (("sink_log_0_0", 2, 0), ("sink_memory_1_0", 2, 0),
                              ("sink_log_2_0", 0, 2)):  # fmt: skip
        assert status[f"{sink}_records_in_total"] == 2
        assert (status[f"{sink}_records_out_total"], status[f"{sink}_exceptions_total"]) == (
            out,
            errors,
        )
    assert status["sink_log_2_0_last_exception"] == "OSError: disk full"
    assert status["sink_log_2_0_connection_status"] == 0  # sinks carry the connection keys


def test_each_operator_takes_in_what_the_one_before_sent_on(ws: Workspace) -> None:
    sql = "SELECT count(*) AS n FROM demo WHERE a > 1 GROUP BY b, COUNTWINDOW(2) HAVING n > 0"
    feed = [{"a": a, "b": a % 2} for a in range(12)] + [{"a": "bad", "b": 0}]
    result = ws.run(sql, feed)
    ops = list(result.status.operators.values())
    assert ops[0].records_in == 13 and ops[1].exceptions == 1  # the decoder refused one
    for before, after in zip(ops, ops[1:-3], strict=False):
        assert after.records_in == before.records_out, (before.name, after.name)
    emitted = len(result.emissions)
    assert 0 < emitted < ops[2].records_out  # WHERE after the window dropped the first one
    assert [m.records_in for m in ops[-3:]] == [emitted] * 3
    assert result.status.records_in == 13 and result.status.records_out == emitted


def test_metrics_keys_follow_eKuiper_order_and_connection_keys() -> None:
    op = list(OpMetrics("op_3_filter_0").to_dict())
    assert [k.removeprefix("op_3_filter_0_") for k in op] == [
        "records_in_total", "records_out_total", "messages_processed_total",
        "process_latency_us", "buffer_length", "last_invocation", "exceptions_total",
        "last_exception", "last_exception_time",
    ]  # fmt: skip
    assert len(OpMetrics("sink_log_0_0", connection=True).to_dict()) == 14


def test_status_is_eKuipers_2_shape(ws: Workspace) -> None:
    ws.create_rule("r", "SELECT a FROM demo")
    ws.publish("demo", [{"a": 1, "b": 2}])
    status = ws.rule_status("r")
    assert list(status)[:6] == [
        "status", "message", "lastStartTimestamp", "lastStopTimestamp", "nextStartTimestamp",
        "source_demo_0_records_in_total",
    ]  # fmt: skip
    assert status["source_demo_0_last_invocation"] == status["op_3_project_0_last_invocation"]
