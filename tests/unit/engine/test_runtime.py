"""Runtime, CallSite, Group and Scope: what compiled expressions read while a rule runs."""

from __future__ import annotations

from kuiper_dev import Message
from kuiper_dev.engine import Binder
from kuiper_dev.engine.runtime import CallSite, Group, Runtime, Scope
from kuiper_dev.plugins import PluginRegistry


def test_meta_is_empty_before_any_message() -> None:
    assert Runtime().meta == {}


def test_meta_is_the_current_messages_topic_qos_and_source_metadata() -> None:
    runtime = Runtime(message=Message("sensors/1", b"{}", 5, qos=1, meta={"messageid": 7}))
    assert runtime.meta == {"topic": "sensors/1", "qos": 1, "messageid": 7}


def test_meta_follows_the_message_being_processed() -> None:
    runtime = Runtime(message=Message("first", b"{}", 1))
    runtime.message = Message("second", b"{}", 2)
    assert runtime.meta["topic"] == "second"


def test_a_call_site_reads_the_running_rule_at_call_time() -> None:
    now = [100]
    runtime = Runtime(now_ms=lambda: now[0])
    site = CallSite("rule7", runtime)
    runtime.message = Message("t", b"{}", 1)
    runtime.window_start, runtime.window_end = 1000, 2000
    runtime.event_time, runtime.rule_start = 1500, 10
    now[0] = 1600
    assert site.rule_id == "rule7" and site.meta == {"topic": "t", "qos": 0}
    assert site.now_ms() == 1600
    assert (site.window_start_ms, site.window_end_ms) == (1000, 2000)
    assert (site.event_time_ms, site.rule_start_ms) == (1500, 10)


def test_each_call_site_keeps_its_own_state() -> None:
    runtime = Runtime()
    first, second = CallSite("r", runtime), CallSite("r", runtime)
    first.state["last"] = 1
    assert second.state == {}


def test_a_group_reads_plain_names_from_its_first_row() -> None:
    assert Group([{"a": 1}, {"a": 2}]).first == {"a": 1}
    assert Group([]).first == {}


def test_rows_scope_compiles_aggregate_arguments_for_single_rows() -> None:
    grouped = Scope(Binder(PluginRegistry()), "r", ("s",), group=True)
    rows = grouped.rows()
    assert rows.group is False and grouped.group is True
    assert rows.folds is grouped.folds and rows.runtime is grouped.runtime  # shared, not copied
    assert rows.rows() is rows
