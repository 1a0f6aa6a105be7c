"""RowStage: WHERE then SELECT per row, with the filter and project counters eKuiper shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from kuiper_dev import Message, Workspace
from kuiper_dev.engine.emit import Emitter
from kuiper_dev.engine.joins import TaggedRow
from kuiper_dev.engine.metrics import OpMetrics
from kuiper_dev.engine.plan import RowPlan
from kuiper_dev.engine.result import RuleResult
from kuiper_dev.engine.row_stage import RowStage
from kuiper_dev.engine.runtime import Runtime
from kuiper_dev.engine.values import checked_condition
from kuiper_dev.errors import EvalError


class Stage:
    """A row stage over hand-made WHERE and SELECT functions, and what it reports to."""

    def __init__(
        self,
        where: Any = None,
        project: Any = lambda row: [dict(row)],
        *,
        send_meta: bool = False,
        plan: RowPlan | None = None,
        tables: Sequence[TaggedRow] = (),
    ) -> None:
        self.result = RuleResult("rule1", "")
        self.metrics: dict[str, OpMetrics] = self.result.status.operators
        self.runtime = Runtime(now_ms=lambda: 99)
        emit = Emitter(self.result, self.metrics["sink"], send_error=False)
        self.stage = RowStage(
            plan
            or RowPlan(
                checked_condition(where, "run Where error") if where is not None else None,
                project,
                send_meta,
            ),
            metrics=self.metrics,
            emit=emit,
            runtime=self.runtime,
            tables=lambda: tables,
        )

    def counts(self, op: str) -> tuple[int, int, int]:
        m = self.metrics[op]
        return m.records_in, m.records_out, m.exceptions


def fail(message: str) -> Any:
    def raise_it(row: Any) -> Any:
        raise EvalError(message)

    return raise_it


def test_a_row_the_where_keeps_is_counted_by_filter_and_project_and_emitted() -> None:
    s = Stage(where=lambda row: True)
    s.stage.ingest({"a": 1})
    assert s.result.emissions == [[{"a": 1}]]
    assert s.counts("filter") == (1, 1, 0) and s.counts("project") == (1, 1, 0)


@pytest.mark.parametrize("verdict", [False, None])
def test_a_row_the_where_rejects_or_finds_null_for_is_dropped_quietly(verdict: Any) -> None:
    s = Stage(where=lambda row: verdict)
    s.stage.ingest({"a": 1})
    assert s.result.emissions == [] and s.result.errors == []
    assert s.counts("filter") == (1, 0, 0) and s.counts("project") == (0, 0, 0)


def test_without_where_the_filter_counts_nothing() -> None:
    s = Stage()
    s.stage.ingest({"a": 1})
    assert s.counts("filter") == (0, 0, 0) and s.counts("project") == (1, 1, 0)


@pytest.mark.parametrize(
    ("verdict", "shown"), [(1.5, "float64(1.5)"), ("yes", "string(yes)"), (1, "int64(1)")]
)
def test_a_non_boolean_where_is_an_error_in_go_terms(verdict: Any, shown: str) -> None:
    s = Stage(where=lambda row: verdict)
    with pytest.raises(EvalError) as info:
        s.stage.ingest({"a": 1})
    assert (
        str(info.value) == f"run Where error: invalid condition that returns non-bool value {shown}"
    )
    assert s.result.emissions == [] and s.counts("project") == (0, 0, 0)
    assert s.counts("filter") == (1, 0, 1)  # eKuiper's filter counts what it returns


def test_a_failing_where_is_counted_on_the_filter_and_raised_as_a_where_error() -> None:
    s = Stage(where=fail("divided by zero"))
    with pytest.raises(EvalError, match="^run Where error: divided by zero$"):
        s.stage.ingest({"a": 1})
    assert s.counts("filter") == (1, 0, 1)
    assert (s.metrics["filter"].last_exception, s.metrics["filter"].last_invocation) == (
        "run Where error: divided by zero",
        99,
    )


def test_a_failing_select_is_counted_on_project_and_raised_as_it_is() -> None:
    s = Stage(project=fail("run Select error: boom"))
    with pytest.raises(EvalError, match="^run Select error: boom$"):
        s.stage.ingest({"a": 1})
    assert s.counts("project") == (1, 0, 1) and s.result.emissions == []


def test_send_meta_adds_the_messages_metadata_to_each_row() -> None:
    s = Stage(project=lambda row: [{"a": 1}, {"a": 2}], send_meta=True)
    s.runtime.message = Message("sensors/1", b"{}", 5, qos=1)
    s.stage.ingest({})
    meta = {"topic": "sensors/1", "qos": 1}
    assert s.result.emissions == [[{"a": 1, "__meta": meta}, {"a": 2, "__meta": meta}]]


def test_each_row_is_projected_as_the_first_of_its_result() -> None:
    seen: list[int] = []

    def project(row: Any) -> list[dict[str, Any]]:
        seen.append(s.runtime.row_index)
        return [{}]

    s = Stage(project=project)
    s.runtime.row_index = 5  # left over from a window
    s.stage.ingest({})
    assert seen == [0]


def test_a_stream_joined_with_a_table_is_joined_per_row() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM s (id BIGINT) WITH (DATASOURCE="s")')
    ws.create_stream('CREATE TABLE t (id BIGINT, name STRING) WITH (DATASOURCE="t")')
    plan = ws.rule("SELECT s.id, t.name FROM s INNER JOIN t ON s.id = t.id").plan.row
    assert plan is not None and plan.collection is not None
    s = Stage(plan=plan, tables=[TaggedRow("t", {"id": 1, "name": "one"})])
    s.stage.ingest(TaggedRow("s", {"id": 1}))
    s.stage.ingest(TaggedRow("s", {"id": 2}))  # no match: an inner join emits nothing
    assert s.result.emissions == [[{"id": 1, "name": "one"}]]


def test_the_generated_loop_counts_into_the_same_operators() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM s (a BIGINT) WITH (DATASOURCE="s")')
    rule = ws.rule("SELECT a FROM s WHERE a > 1", auto_stream=False)
    assert rule.row is not None and rule.plan.fast is not None
    slow: list[bytes] = []
    payloads = [b'{"a": 1}', b'{"a": 2}', b"{bad json", b'{"a": 3}']
    rule.row.run_fast_payloads(rule.plan.fast, payloads, 500, slow.append)
    assert slow == [b"{bad json"]  # left to the general path, which reports it
    assert rule.result.emissions == [[{"a": 2}], [{"a": 3}]]
    status = rule.status()
    counts = {
        op: (status[f"{op}_records_in_total"], status[f"{op}_records_out_total"])
        for op in ("source_s_0", "op_3_filter_0", "op_4_project_0")
    }
    assert counts == {"source_s_0": (3, 3), "op_3_filter_0": (3, 2), "op_4_project_0": (2, 2)}
    assert status["source_s_0_last_invocation"] == 500
