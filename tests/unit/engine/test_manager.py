"""Rule lifecycle and shared streams through the Workspace façade."""

from __future__ import annotations

import pytest

from kuiper_dev import PlanError, RuleError, Workspace

T0 = 1_700_000_000_000


@pytest.fixture
def ws() -> Workspace:
    w = Workspace(plugins_dir=None)
    w.create_stream('CREATE STREAM demo (a BIGINT) WITH (DATASOURCE="demo")')
    return w


def test_two_rules_share_a_stream_and_stop_independently(ws: Workspace) -> None:
    ws.create_rule("big", "SELECT a FROM demo WHERE a > 1")
    ws.create_rule("all", "SELECT a * 10 AS b FROM demo")
    ws.publish("demo", [{"a": 1}, {"a": 2}])
    ws.stop_rule("all")
    ws.publish("demo", [{"a": 3}])
    assert ws.rule_output("big") == [[{"a": 2}], [{"a": 3}]]
    assert ws.rule_output("all") == [[{"b": 10}], [{"b": 20}]]
    assert [(r["id"], r["name"], r["status"]) for r in ws.show_rules()] == [
        ("all", "all", "stopped"),
        ("big", "big", "running"),
    ]


def test_status_has_per_operator_metrics(ws: Workspace) -> None:
    ws.create_rule("r", "SELECT a FROM demo WHERE a > 1")
    ws.publish("demo", [{"a": 1}, {"a": 2}, {"a": "x"}])
    status = ws.rule_status("r")
    assert (status["status"], status["message"]) == ("running", "")
    assert status["source_demo_0_records_in_total"] == 3
    assert status["op_2_decoder_0_records_out_total"] == 2
    assert status["op_2_decoder_0_exceptions_total"] == 1  # "x" is not a BIGINT
    assert status["op_3_filter_0_records_in_total"] == 2
    assert status["op_3_filter_0_records_out_total"] == 1
    assert status["sink_log_0_0_records_out_total"] == 1
    ws.stop_rule("r")
    stopped = ws.rule_status("r")  # eKuiper keeps the last run's metrics
    assert (stopped["status"], stopped["message"]) == ("stopped", "canceled manually")
    assert stopped["op_3_filter_0_records_out_total"] == 1


def test_restart_resets_state_and_delete_removes(ws: Workspace) -> None:
    ws.create_rule("r", "SELECT a FROM demo")
    ws.publish("demo", [{"a": 1}])
    ws.restart_rule("r")
    assert ws.rule_status("r")["source_demo_0_records_in_total"] == 0
    ws.delete_rule("r")
    with pytest.raises(RuleError, match="rule r not found"):
        ws.rule_status("r")


def test_duplicate_and_unknown_rules_are_clear_errors(ws: Workspace) -> None:
    ws.create_rule("hot", "SELECT a FROM demo")
    with pytest.raises(RuleError, match="rule hot already exists"):
        ws.create_rule("hot", "SELECT a FROM demo")
    with pytest.raises(RuleError, match='Did you mean "hot"'):
        ws.stop_rule("hott")


def test_windowed_rule_fires_as_the_workspace_clock_moves(ws: Workspace) -> None:
    from kuiper_dev import Message

    ws.advance(T0)
    ws.create_rule("w", "SELECT count(*) AS n FROM demo GROUP BY TUMBLINGWINDOW(ss, 10)")
    ws.publish(
        "demo", [Message("demo", b'{"a": 1}', T0 + 1000), Message("demo", b'{"a": 2}', T0 + 2000)]
    )
    assert ws.rule_output("w") == []
    ws.advance(T0 + 10_000)
    assert ws.rule_output("w") == [[{"n": 2}]]


def test_memory_topics_chain_rules(ws: Workspace) -> None:
    ws.create_stream('CREATE STREAM mid () WITH (DATASOURCE="results/+", TYPE="memory")')
    ws.create_rule(
        "first", "SELECT a * 2 AS b FROM demo", actions=[{"memory": {"topic": "results/doubled"}}]
    )
    ws.create_rule("second", "SELECT b + 1 AS c, meta(topic) AS t FROM mid")
    ws.publish("demo", [{"a": 1}, {"a": 5}])
    assert ws.rule_output("first") == [[{"b": 2}], [{"b": 10}]]
    assert ws.rule_output("second") == [
        [{"c": 3, "t": "results/doubled"}],
        [{"c": 11, "t": "results/doubled"}],
    ]


def test_lookup_table_updated_by_an_updatable_memory_sink(ws: Workspace) -> None:
    ws.create_stream(
        'CREATE STREAM alerts (id BIGINT, threshold BIGINT, action STRING) WITH (DATASOURCE="alerts")'
    )
    ws.create_stream(
        "CREATE TABLE alertTable (id BIGINT, threshold BIGINT) "
        'WITH (DATASOURCE="alertVal", TYPE="memory", KIND="lookup", KEY="id")'
    )
    ws.create_rule(
        "update",
        "SELECT * FROM alerts",
        actions=[
            {
                "memory": {
                    "topic": "alertVal",
                    "keyField": "id",
                    "rowkindField": "action",
                    "sendSingle": True,
                }
            }
        ],
    )
    ws.create_rule(
        "check",
        "SELECT demo.a AS a, alertTable.threshold AS lim FROM demo INNER JOIN alertTable ON demo.a = alertTable.id",
    )
    ws.publish(
        "alerts",
        [
            {"id": 1, "threshold": 10, "action": "upsert"},
            {"id": 2, "threshold": 20, "action": "insert"},
        ],
    )
    ws.publish("demo", [{"a": 1}, {"a": 3}])
    ws.publish("alerts", [{"id": 1, "action": "delete"}])
    ws.publish("demo", [{"a": 1}, {"a": 2}])
    assert ws.rule_output("check") == [[{"a": 1, "lim": 10}], [{"a": 2, "lim": 20}]]


def test_lookup_tables_need_memory_and_a_key(ws: Workspace) -> None:
    ws.create_stream(
        'CREATE TABLE r () WITH (DATASOURCE="0", TYPE="redis", KIND="lookup", KEY="id")'
    )
    with pytest.raises(PlanError, match='lookup tables of TYPE="memory" with a KEY'):
        ws.rule("SELECT * FROM demo INNER JOIN r ON demo.a = r.id")
