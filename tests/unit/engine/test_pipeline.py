"""Pipeline: messages pushed through the plan's stages; failures stay on the rule."""

from __future__ import annotations

from typing import Any

from kuiper_dev import Message, Workspace

DDL = 'CREATE STREAM demo (id BIGINT, t FLOAT) WITH (DATASOURCE="demo")'
T0 = 1_700_000_000_000


def make(sql: str, *, options: dict[str, Any] | None = None, start_ms: int = T0) -> Any:
    ws = Workspace(plugins_dir=None)
    ws.create_stream(DDL)
    return ws.rule(sql, options=options, auto_stream=False, start_ms=start_ms)


def msg(payload: bytes, ts: int = T0) -> Message:
    return Message("demo", payload, ts)


def test_a_bad_payload_becomes_an_error_record_and_the_rule_goes_on() -> None:
    rule = make("SELECT id FROM demo", options={"sendError": True})
    rule.push("demo", [msg(b"{nope"), msg(b'{"id": 3}')])
    assert rule.result.emissions[-1] == [{"id": 3}]
    assert rule.result.emissions[0][0]["error"].startswith("decode error:")
    status = rule.status()
    assert status["source_demo_0_records_in_total"] == 2
    assert status["op_2_decoder_0_exceptions_total"] == 1  # eKuiper's decoder owns them


def test_a_failing_sink_is_reported_and_the_other_sinks_still_get_the_emission() -> None:
    rule = make("SELECT id FROM demo")
    got: list[Any] = []

    def broken(_emission: Any) -> None:
        raise OSError("disk full")

    rule.sinks = [broken, got.append]
    rule.push("demo", [msg(b'{"id": 1}')])
    assert got == [[{"id": 1}]]
    assert rule.result.errors[0].message == "sink error: disk full"
    assert rule.status()["sink_log_0_0_exceptions_total"] == 1


def test_windows_fire_only_when_time_passes() -> None:
    rule = make("SELECT count(*) AS n FROM demo GROUP BY TUMBLINGWINDOW(ss, 1)")
    rule.push("demo", [msg(b'{"id": 1}', T0 + 10), msg(b'{"id": 2}', T0 + 20)])
    assert rule.result.emissions == []
    assert rule.next_deadline() == T0 + 1000
    rule.on_time(T0 + 1000)
    assert rule.result.emissions == [[{"n": 2}]]


def test_messages_of_streams_the_rule_does_not_read_are_ignored() -> None:
    rule = make("SELECT id FROM demo")
    rule.push("other", [Message("other", b'{"id": 1}', T0)])
    assert rule.result.emissions == [] and rule.status()["source_demo_0_records_in_total"] == 0


def test_the_generated_loop_and_the_general_path_count_alike() -> None:
    sql = "SELECT id FROM demo WHERE t > 1"
    batch = [b'{"id": 1, "t": 2}', b'{"id": 2, "t": 0}', b'{"id": "x"}']
    outcomes = []
    for fast in (True, False):
        ws = Workspace(plugins_dir=None, fast_paths=fast)
        ws.create_stream(DDL)
        rule = ws.rule(sql, auto_stream=False)
        rule.push_payloads(batch, 5)
        outcomes.append((rule.result.emissions, rule.status()))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1]["op_3_filter_0_records_out_total"] == 1


def test_a_table_in_from_fills_from_its_messages_and_the_stream_drives_the_rule() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM s (id BIGINT) WITH (DATASOURCE="s")')
    ws.create_stream('CREATE TABLE tb (id BIGINT, name STRING) WITH (DATASOURCE="tb")')
    rule = ws.rule("SELECT tb.name FROM tb INNER JOIN s ON s.id = tb.id", auto_stream=False)
    rule.push("tb", [Message("tb", b'{"id": 1, "name": "one"}', T0)])
    assert rule.result.emissions == []  # a table row alone emits nothing
    rule.push("s", [Message("s", b'{"id": 1}', T0 + 1)])
    assert rule.result.emissions == [[{"name": "one"}]]
    assert rule.status()["source_s_0_records_in_total"] == 1
