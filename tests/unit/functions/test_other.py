"""Other functions (``other_functions.md``; ``funcs_misc_test.go``, ``funcs_global_state_test.go``)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from kuiper_dev import Workspace
from kuiper_dev.functions import BUILTINS, FunctionError

from ._harness import FakeContext, check_call, check_validate, load


@pytest.mark.parametrize(("name", "args", "want"), load("other", "calls"))
def test_call(name: str, args: list[Any], want: Any) -> None:
    check_call(name, args, want)


@pytest.mark.parametrize(("name", "args", "want"), load("other", "validate"))
def test_validate(name: str, args: list[Any], want: str | None) -> None:
    check_validate(name, args, want)


def test_newuuid_is_a_time_based_uuid() -> None:
    a, b = BUILTINS["newuuid"].fn(), BUILTINS["newuuid"].fn()
    assert a != b
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", a)
    assert uuid.UUID(a).version == 1


def test_context_functions() -> None:
    ctx = FakeContext(1_700_000_000_123, meta={"topic": "t/1", "messageid": 7})
    assert BUILTINS["tstamp"].fn(ctx) == 1_700_000_000_123
    assert BUILTINS["rule_id"].fn(ctx) == "rule1"
    assert BUILTINS["meta"].fn(ctx, "topic") == "t/1"
    assert BUILTINS["meta"].fn(ctx, "*") == {"topic": "t/1", "messageid": 7}
    assert BUILTINS["mqtt"].fn(ctx, "messageid") == 7
    assert BUILTINS["event_time"].fn(ctx) == 1_700_000_000_123
    assert BUILTINS["window_start"].fn(ctx) == 0
    with pytest.raises(FunctionError, match="rule_start_ms"):
        BUILTINS["rule_start"].fn(ctx)


def test_last_hit_count_and_time() -> None:
    ctx = FakeContext()
    count, hit_time = BUILTINS["last_hit_count"].fn, BUILTINS["last_hit_time"].fn
    assert [count(ctx, True), count(ctx, False), count(ctx, True), count(ctx, False)] == [
        0,
        1,
        1,
        2,
    ]
    assert hit_time(ctx, True, 100) == 0
    assert hit_time(ctx, False, 200) == 100
    assert hit_time(ctx, True, 300) == 100
    assert hit_time(ctx, False, 400) == 300


def test_get_keyed_state() -> None:
    ctx = FakeContext()
    assert BUILTINS["get_keyed_state"].fn(ctx, "a", "bigint", 20.0) == 20.0
    ctx.keyed_state = {"a": "12"}  # type: ignore[attr-defined]
    assert BUILTINS["get_keyed_state"].fn(ctx, "a", "bigint", 0) == 12
    with pytest.raises(FunctionError, match="key 1 is not a string"):
        BUILTINS["get_keyed_state"].fn(ctx, 1, "bigint", 0)
    # fmt.Errorf's %v prints a null key as <nil>
    with pytest.raises(FunctionError, match="key <nil> is not a string"):
        BUILTINS["get_keyed_state"].fn(ctx, None, "bigint", 0)


def test_end_to_end(ws: Workspace) -> None:
    rows = ws.run(
        "SELECT isnull(a) AS n, coalesce(a, b) AS c, rule_id() AS r, tstamp() AS t FROM d",
        [{"b": 2.0}],
    ).rows
    assert rows == [{"n": True, "c": 2.0, "r": "rule1", "t": 1_700_000_000_000}]


def test_meta_keys_are_read_ignoring_case_as_ekuipers_message_does() -> None:
    from types import SimpleNamespace

    from kuiper_dev.functions import lookup

    call = lookup("meta")
    assert call is not None
    ctx = SimpleNamespace(meta={"topic": "a/b", "messageId": 7})
    assert call.fn(ctx, "messageid") == 7 and call.fn(ctx, "TOPIC") == "a/b"
