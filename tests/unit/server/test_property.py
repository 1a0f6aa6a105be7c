"""Property: whatever a client sends, the server answers it without a 500.

Requests are drawn from the paths of the server's own OpenAPI document, with
arbitrary path parameters and bodies: garbage bytes, arbitrary JSON, and bodies
with the documented keys holding near-miss values (bad SQL, wrong types).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import SIM_STREAM, Serve

SQLS = [
    SIM_STREAM,
    'CREATE TABLE t (k STRING) WITH (DATASOURCE="t.json", TYPE="file")',
    'CREATE STREAM s () WITH (DATASOURCE="s")',
    "SELECT a FROM demo",
    "SELECT count(*) FROM demo GROUP BY TUMBLINGWINDOW(ss, 1)",
    "SELECT nosuch(a) FROM demo",
    "SELECT a FROM",
    "DROP STREAM demo",
    "",
]
URLS = ["file:///etc/passwd", "file:///nope.zip", "http://127.0.0.1:1/x.zip", "ftp://h/x.zip", ""]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
KNOWN = st.sampled_from(["demo", "t", "r1", "echo", "nope", "sources", "all"])
names = st.one_of(KNOWN, KNOWN, KNOWN, st.text(min_size=1, max_size=8))  # mostly names that exist
shaped = st.fixed_dictionaries(
    {},
    optional={
        "id": names | json_values,
        "name": names | json_values,
        "sql": st.sampled_from(SQLS) | json_values,
        "actions": st.sampled_from([[{"log": {}}], [{"nosuch": {}}], [], "log"]) | json_values,
        "options": st.sampled_from([{}, {"isEventTime": True}, {"qos": "x"}]) | json_values,
        "triggered": st.booleans() | json_values,
        "file": st.sampled_from(URLS) | json_values,
        "mockSource": st.sampled_from([{"demo": {"data": [{"a": 1}]}}, {"demo": {}}, {"x": 1}])
        | json_values,
        "sinkProps": json_values,
    },
)
bodies = st.one_of(
    st.none(),
    st.binary(max_size=20),
    json_values.map(lambda v: json.dumps(v).encode()),
    shaped.map(lambda v: json.dumps(v).encode()),
)


def _paths(openapi: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (m.upper(), p) for p, ops in openapi["paths"].items() for m in ops if p != "/test/{test_id}"
    ]


def test_no_request_makes_the_server_fail(serve: Serve, tmp_path: Path) -> None:
    c = serve(live=False)
    c.post("/streams", json={"sql": SIM_STREAM})
    c.post("/rules", json={"id": "r1", "sql": "SELECT a FROM demo"})
    operations = _paths(c.get("/openapi.json").json())
    assert len(operations) > 30

    @settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        op=st.sampled_from(operations), params=st.lists(names, min_size=3, max_size=3), body=bodies
    )
    def check(op: tuple[str, str], params: list[str], body: bytes | None) -> None:
        method, template = op
        path = template
        for i, part in enumerate(p for p in template.split("/") if p.startswith("{")):
            path = path.replace(part, quote(params[i], safe=""), 1)
        headers = {"content-type": "application/json"} if body is not None else {}
        r = c.request(method, path, content=body, headers=headers)
        assert r.status_code < 500, (method, path, body, r.status_code, r.text)
        if r.status_code >= 400:
            shape = r.json()
            assert set(shape) == {"error", "message"}, shape

    check()


SWEEP_BODIES: list[bytes | None] = [
    None,
    b"{not json",
    b"[]",
    json.dumps(
        {"id": "r1", "name": "echo", "sql": SIM_STREAM, "file": "file:///nope.zip"}
    ).encode(),
    json.dumps({"id": "r2", "sql": "SELECT a FROM demo", "actions": [{"log": {}}]}).encode(),
    json.dumps({"id": 3, "sql": None, "actions": {}, "mockSource": [], "sinkProps": 1}).encode(),
]


def test_every_operation_with_every_known_name_answers_without_failing(serve: Serve) -> None:
    """The systematic half of the property: each operation, each name that exists (and
    some that do not), each kind of body; the server's state changes as it goes."""
    c = serve(live=False)
    operations = _paths(c.get("/openapi.json").json())
    for setup in range(2):  # once over a full server, once over what the sweep left
        c.post("/streams", json={"sql": SIM_STREAM})
        c.post("/rules", json={"id": "r1", "sql": "SELECT a FROM demo", "triggered": bool(setup)})
        for method, template in operations:
            for name in ("demo", "r1", "t", "echo", "nope", "sources", "all"):
                path = "/".join(name if p.startswith("{") else p for p in template.split("/"))
                path = path.replace("/sources/", "/functions/") if "{ptype}" in template else path
                for body in SWEEP_BODIES:
                    headers = {"content-type": "application/json"} if body is not None else {}
                    r = c.request(method, path, content=body, headers=headers)
                    assert r.status_code < 500, (method, path, body, r.status_code, r.text)
