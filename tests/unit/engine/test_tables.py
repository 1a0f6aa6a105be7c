"""Tables: a scan table keeps its last RETAIN_SIZE rows; memory lookups read the bus."""

from __future__ import annotations

import pytest

from kuiper_dev import Workspace
from kuiper_dev.connectors import MemoryBus
from kuiper_dev.engine.joins import TaggedRow
from kuiper_dev.engine.planning import plan_inputs
from kuiper_dev.engine.tables import Tables
from kuiper_dev.errors import EvalError
from kuiper_dev.sql import parse_select


def inputs(ws: Workspace, sql: str) -> dict[str, object]:
    select = parse_select(sql)
    return plan_inputs(select, tuple(select.joins), ws.catalog)  # type: ignore[return-value]


def test_a_scan_table_keeps_its_last_rows() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM s (id BIGINT) WITH (DATASOURCE="s")')
    ws.create_stream('CREATE TABLE t (id BIGINT) WITH (DATASOURCE="t", RETAIN_SIZE="2")')
    tables = Tables(inputs(ws, "SELECT * FROM s INNER JOIN t ON s.id = t.id"), None)  # type: ignore[arg-type]
    assert tables.holds("t") and not tables.holds("s")
    for i in range(3):
        tables.retain("t", [TaggedRow("t", {"id": i})])
    assert [dict(r) for r in tables.rows()] == [{"id": 1}, {"id": 2}]


def test_a_memory_lookup_table_reads_the_bus_and_needs_it() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM s (id BIGINT) WITH (DATASOURCE="s")')
    ws.create_stream(
        'CREATE TABLE lk (id BIGINT, v STRING) WITH (DATASOURCE="topic/lk", TYPE="memory", '
        'KIND="lookup", KEY="id")'
    )
    spec = inputs(ws, "SELECT * FROM s INNER JOIN lk ON s.id = lk.id")
    bus = MemoryBus()
    bus.table("topic/lk", "id")
    bus.publish("topic/lk", {"id": 7, "v": "seven"})
    rows = Tables(spec, bus).rows()  # type: ignore[arg-type]
    assert [(r.emitter, dict(r)) for r in rows] == [("lk", {"id": 7, "v": "seven"})]
    with pytest.raises(EvalError, match="needs the workspace's memory topics"):
        Tables(spec, None).rows()  # type: ignore[arg-type]
