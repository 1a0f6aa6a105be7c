"""The REST API over real HTTP on loopback: streams, tables, rules, errors, auth, state."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from .conftest import SIM_STREAM, Serve


def _wait(check: object, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_ping_info_and_openapi(serve: Serve) -> None:
    c = serve()
    assert c.get("/ping").status_code == 200
    assert set(c.get("/").json()) == {"version", "os", "upTimeSeconds"}
    paths = c.get("/openapi.json").json()["paths"]
    for path in ("/streams", "/tables/{name}", "/rules/{rule_id}/status", "/rules/{rule_id}/topo",
                 "/plugins/{ptype}", "/plugins/udfs", "/ruletest"):  # fmt: skip
        assert path in paths


def test_stream_lifecycle_in_ekuipers_words(serve: Serve) -> None:
    c = serve()
    r = c.post("/streams", json={"sql": SIM_STREAM})
    assert (r.status_code, r.text) == (201, "Stream demo is created.")
    assert c.get("/streams").json() == ["demo"]
    assert c.get("/tables").json() == []
    described = c.get("/streams/demo").json()
    assert described["Name"] == "demo"
    assert described["StreamFields"] == [{"Name": "a", "FieldType": "bigint"}]
    assert described["Options"]["type"] == "simulator"
    new = SIM_STREAM.replace("(a BIGINT)", "(a BIGINT, b STRING)")
    assert c.put("/streams/demo", json={"sql": new}).text == "Stream demo is updated."
    assert [f["Name"] for f in c.get("/streams/demo").json()["StreamFields"]] == ["a", "b"]
    assert c.delete("/streams/demo").text == "Stream demo is dropped."
    assert c.get("/streams").json() == []


def test_tables_are_apart_from_streams(serve: Serve) -> None:
    c = serve()
    table = 'CREATE TABLE t (k STRING) WITH (DATASOURCE="t.json", TYPE="file", FORMAT="json")'
    assert c.post("/tables", json={"sql": table}).status_code == 201
    assert c.get("/tables").json() == ["t"] and c.get("/streams").json() == []
    wrong = c.post("/streams", json={"sql": table})
    assert wrong.status_code == 400 and "CREATE STREAM" in wrong.json()["message"]
    assert c.get("/streams/t").status_code == 404
    assert c.delete("/tables/t").text == "Table t is dropped."


def test_a_json_body_is_read_whatever_its_content_type(serve: Serve) -> None:
    c = serve()  # as eKuiper's handlers decode it: `curl -d '{...}'` sends a form type
    form = {"content-type": "application/x-www-form-urlencoded"}
    made = c.post("/streams", content=json.dumps({"sql": SIM_STREAM}), headers=form)
    assert (made.status_code, made.text) == (201, "Stream demo is created.")
    bad = c.post("/rules", content="{nope", headers=form)
    assert bad.status_code == 400 and bad.json()["error"] == 1000


def test_describe_writes_fields_and_options_as_ekuiper_does(serve: Serve) -> None:
    c = serve()
    table = (
        "CREATE TABLE t (k STRING, v ARRAY(STRUCT(x FLOAT)), n BIGINT DEFAULT 3) WITH "
        '(DATASOURCE="t.json", TYPE="memory", KIND="lookup", KEY="k", RETAIN_SIZE="5", '
        'CONF_KEY="c", STRICT_VALIDATION="true")'
    )
    assert c.post("/tables", json={"sql": table}).status_code == 201
    described = c.get("/tables/t").json()
    assert described["StreamFields"] == [
        {"FieldType": "string", "Name": "k"},
        {"FieldType": {"Type": "array", "ElementType": {
            "Type": "struct", "Fields": [{"FieldType": "float", "Name": "x"}]}}, "Name": "v"},
        {"FieldType": "bigint", "Name": "n", "DefaultClause": "3"},
    ]  # fmt: skip
    # pkg/ast Options' JSON names, typed
    assert described["Options"] == {
        "datasource": "t.json", "key": "k", "confKey": "c", "type": "memory",
        "strictValidation": True, "retainSize": 5, "kind": "lookup",
    }  # fmt: skip


def test_errors_have_ekuipers_shape_and_change_nothing(serve: Serve, tmp_path: Path) -> None:
    c = serve()
    c.post("/streams", json={"sql": SIM_STREAM})
    state = (tmp_path / "data" / "state.json").read_bytes()
    cases = [
        c.post("/streams", content=b"{not json", headers={"content-type": "application/json"}),
        c.post("/streams", json={"sql": SIM_STREAM}),  # duplicate
        c.post("/streams", json={"sql": "CREATE STREAM x (a BIGINT"}),  # SQL error
        c.post("/rules", json={"id": "r", "sql": "SELECT nosuch(a) FROM demo"}),
        c.post("/rules", json={"id": "r", "sql": "SELECT a FROM nostream"}),
        c.post("/rules", json={"sql": "SELECT a FROM demo"}),  # no id
        c.post("/rules", json={"id": "r", "sql": "SELECT a FROM demo", "actions": "log"}),
        c.post("/plugins/widgets", json={"name": "x", "file": "file:///x.zip"}),
    ]
    for r in cases:
        body = r.json()
        assert r.status_code == 400, body
        assert set(body) == {"error", "message"} and body["error"] == 1000 and body["message"]
    missing = [c.get("/streams/nope"), c.get("/rules/nope"), c.delete("/rules/nope"),
               c.post("/rules/nope/start"), c.get("/plugins/functions/nope")]  # fmt: skip
    for r in missing:
        assert (r.status_code, r.json()["error"]) == (404, 1002)
    assert c.get("/rules").json() == [] and c.get("/streams").json() == ["demo"]
    assert (tmp_path / "data" / "state.json").read_bytes() == state
    assert not [p for p in (tmp_path / "data").iterdir() if p.name != "state.json"]


def test_rule_lifecycle_status_and_topo(serve: Serve) -> None:
    c = serve()
    c.post("/streams", json={"sql": SIM_STREAM})
    rule = {"id": "r1", "sql": "SELECT a FROM demo WHERE a > 0", "actions": [{"log": {}}]}
    r = c.post("/rules", json=rule)
    assert (r.status_code, r.text) == (201, "Rule r1 was created successfully.")
    assert c.get("/rules").json() == [
        {"id": "r1", "name": "r1", "status": "running", "version": "", "trace": False, "tags": None}
    ]
    described = c.get("/rules/r1").json()
    assert (described["id"], described["sql"], described["actions"]) == (
        "r1",
        rule["sql"],
        [{"log": {}}],
    )
    # the simulator source (TYPE="simulator") runs live: one message a second
    assert _wait(lambda: c.get("/rules/r1/status").json()["source_demo_0_records_in_total"] >= 1)
    status = c.get("/rules/r1/status").json()
    assert status["status"] == "running" and status["lastStartTimestamp"] > 0
    assert status["message"] == ""
    # a simulator source gives rows: no decoder; the filter, the project, the log sink's chain
    assert "op_2_filter_0_records_in_total" in status and "sink_log_0_0_records_out_total" in status
    topo = c.get("/rules/r1/topo").json()
    assert topo["sources"] == ["source_demo"]
    assert topo["edges"]["source_demo"] == ["op_2_filter"]
    assert topo["edges"]["op_3_project"] == ["op_log_0_0_transform"]
    assert topo["edges"]["op_log_0_1_encode"] == ["sink_log_0"]
    assert c.post("/rules/r1/stop").text == "Rule r1 was stopped."
    stopped = c.get("/rules/r1/status").json()
    assert (stopped["status"], stopped["message"]) == ("stopped", "canceled manually")
    assert c.post("/rules/r1/start").text == "Rule r1 was started"
    assert c.post("/rules/r1/restart").text == "Rule r1 was restarted"
    assert c.get("/rules/status/all").json()["r1"] == {
        "status": "running",
        "last_exception": "",
        "exceptions_total": 0,
    }
    assert c.delete("/rules/r1").text == "Rule r1 is dropped."
    assert c.get("/rules").json() == []


def test_rule_update_checks_first(serve: Serve) -> None:
    c = serve()
    c.post("/streams", json={"sql": SIM_STREAM})
    c.post("/rules", json={"id": "r1", "sql": "SELECT a FROM demo", "triggered": False})
    bad = c.put("/rules/r1", json={"id": "r1", "sql": "SELECT nosuch(a) FROM demo"})
    assert bad.status_code == 400
    assert c.get("/rules/r1").json()["sql"] == "SELECT a FROM demo"
    ok = c.put("/rules/r1", json={"id": "r1", "sql": "SELECT a * 2 AS b FROM demo"})
    assert ok.text == "Rule r1 was updated successfully."
    assert c.get("/rules/r1").json()["sql"] == "SELECT a * 2 AS b FROM demo"
    assert [(r["id"], r["status"]) for r in c.get("/rules").json()] == [("r1", "stopped")]
    mismatch = c.put("/rules/r1", json={"id": "other", "sql": "SELECT a FROM demo"})
    assert mismatch.status_code == 400 and "agree" in mismatch.json()["message"]


def test_a_rule_whose_source_cannot_start_is_stopped_with_the_reason(serve: Serve) -> None:
    c = serve()
    c.post(
        "/streams", json={"sql": 'CREATE STREAM s (a BIGINT) WITH (DATASOURCE="s", TYPE="nosuch")'}
    )
    assert c.post("/rules", json={"id": "r", "sql": "SELECT a FROM s"}).status_code == 201
    (row,) = c.get("/rules").json()
    assert row["status"] == "stopped by error"
    status = c.get("/rules/r/status").json()
    assert status["status"] == "stopped by error" and "nosuch" in status["message"]


def test_token_is_required_when_given(serve: Serve) -> None:
    c = serve(token="s3cret")
    r = c.get("/streams")
    assert r.status_code == 401 and set(r.json()) == {"error", "message"}
    assert c.get("/ping", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/streams", headers={"Authorization": "Bearer s3cret"}).json() == []


def test_state_survives_a_restart(serve: Serve, tmp_path: Path) -> None:
    data = tmp_path / "kept"
    c = serve(data=data)
    c.post("/streams", json={"sql": SIM_STREAM})
    c.post(
        "/tables", json={"sql": 'CREATE TABLE t (k STRING) WITH (DATASOURCE="t.json", TYPE="file")'}
    )
    c.post("/rules", json={"id": "on", "sql": "SELECT a FROM demo"})
    c.post("/rules", json={"id": "off", "sql": "SELECT a FROM demo", "triggered": False})
    saved = json.loads((data / "state.json").read_text())
    assert [r["id"] for r in saved["rules"]] == ["off", "on"]
    tagged = {"id": "tagged", "name": "Nice", "tags": ["a"], "sql": "SELECT a FROM demo",
              "triggered": False}  # fmt: skip
    assert c.post("/rules", json=tagged).status_code == 201
    again = serve(data=data)
    assert again.get("/streams").json() == ["demo"] and again.get("/tables").json() == ["t"]
    kept = again.get("/rules").json()[-1]  # eKuiper's name and tags survive the restart
    assert (kept["id"], kept["name"], kept["tags"], kept["status"]) == (
        "tagged", "Nice", ["a"], "stopped"
    )  # fmt: skip
    assert again.get("/rules/tagged").json()["name"] == "Nice"
    again.delete("/rules/tagged")
    assert [(r["id"], r["status"]) for r in again.get("/rules").json()] == [
        ("off", "stopped"),
        ("on", "running"),
    ]
    assert again.get("/streams/demo").json()["Statement"] == SIM_STREAM


def test_ruletest_streams_results_over_sse(serve: Serve) -> None:
    c = serve()
    c.post("/streams", json={"sql": SIM_STREAM})
    body = {
        "id": "t1",
        "sql": "SELECT a FROM demo WHERE a > 1",
        "mockSource": {"demo": {"data": [{"a": 1}, {"a": 2}, {"a": 3}], "interval": 10}},
        "sinkProps": {"sendSingle": True},
    }
    created = c.post("/ruletest", json=body).json()
    assert created["id"] == "t1" and created["port"] == c.base_url.port
    lines: list[str] = []

    def listen() -> None:
        with c.stream("GET", "/test/t1") as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            lines.extend(line for line in r.iter_lines() if line)

    listener = threading.Thread(target=listen)
    listener.start()
    time.sleep(0.2)
    assert lines == []  # nothing before start
    assert c.post("/ruletest/t1/start").text == "Test rule t1 was started"
    deadline = time.monotonic() + 10
    while len(lines) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert listener.is_alive()  # the stream stays open until the test is deleted
    assert c.delete("/ruletest/t1").text == "Test rule t1 was stopped."
    listener.join(10.0)
    assert not listener.is_alive()
    assert lines == ['data: {"a":2}', 'data: {"a":3}']  # the sink's bytes: Go's JSON
    assert c.delete("/ruletest/t1").status_code == 404
    bad = c.post("/ruletest", json={"id": "t2", "sql": "SELECT a FROM nostream"})
    assert bad.status_code == 400 and bad.json()["error"] == 1000


def test_a_stream_a_rule_reads_is_dropped_only_by_force(serve: Serve) -> None:
    c = serve(live=False)
    c.post("/streams", json={"sql": SIM_STREAM})
    c.post("/rules", json={"id": "r1", "sql": "SELECT a FROM demo", "triggered": False})
    refused = c.delete("/streams/demo")
    assert (
        refused.status_code == 400 and "referenced by other rules (r1)" in refused.json()["message"]
    )
    assert c.delete("/streams/demo?force=nope").status_code == 400
    assert c.get("/streams").json() == ["demo"]
    assert c.delete("/streams/demo?force=true").text == "Stream demo is dropped."
    assert c.get("/streams").json() == []
