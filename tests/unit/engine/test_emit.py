"""Emitter: each emission to every sink, counted; failing sinks and row errors recorded."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.engine.emit import Emitter
from kuiper_dev.engine.metrics import OpMetrics
from kuiper_dev.engine.result import RuleErrorRecord, RuleResult


def emitter(*, send_error: bool = False) -> tuple[Emitter, RuleResult, OpMetrics]:
    result = RuleResult("rule1", "SELECT a FROM s")
    metrics = OpMetrics("sink_0")
    emit = Emitter(result, metrics, send_error=send_error)
    emit.attach_clock(lambda: 42)
    return emit, result, metrics


def broken(_emission: Any) -> None:
    raise OSError("disk full")


def test_an_emission_goes_to_the_result_and_is_counted() -> None:
    emit, result, metrics = emitter()
    emit([{"a": 1}])
    emit([])  # an empty window's emission is still one
    assert result.emissions == [[{"a": 1}], []]
    assert (metrics.records_in, metrics.records_out, metrics.exceptions) == (2, 2, 0)


def test_a_failing_sink_is_recorded_at_the_clocks_time_and_the_others_still_get_it() -> None:
    emit, result, metrics = emitter()
    got: list[Any] = []
    emit.sinks = [broken, got.append]
    emit([{"a": 1}])
    assert got == [[{"a": 1}]]
    assert result.errors == [RuleErrorRecord(42, "sink error: disk full")]
    assert (metrics.records_in, metrics.records_out, metrics.exceptions) == (1, 1, 1)
    assert (metrics.last_exception, metrics.last_invocation) == ("OSError: disk full", 42)


@pytest.mark.parametrize(("send_error", "emitted"), [(False, []), (True, [[{"error": "bad"}]])])
def test_a_row_error_is_recorded_and_emitted_only_with_send_error(
    send_error: bool, emitted: list[Any]
) -> None:
    emit, result, metrics = emitter(send_error=send_error)
    emit.error(7, "bad")
    assert result.errors == [RuleErrorRecord(7, "bad")]  # the row's time, not the clock's
    assert result.emissions == emitted
    assert metrics.records_in == len(emitted)


def test_an_error_emission_to_a_failing_sink_is_one_more_error() -> None:
    emit, result, _ = emitter(send_error=True)
    emit.sinks = [broken]
    emit.error(7, "bad")
    assert [e.message for e in result.errors] == ["bad", "sink error: disk full"]


def test_without_a_clock_errors_are_at_time_zero() -> None:
    result = RuleResult("rule1", "")
    emit = Emitter(result, OpMetrics("sink_0"), send_error=False)
    emit.sinks = [broken]
    emit([{"a": 1}])
    assert result.errors[0].ts == 0
