"""A join whose ON is one equality, joined through a hash table per window, emits
what the pairwise join emits: key kinds, nulls, int/float meetings, errors."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kuiper_dev import Message, Workspace
from kuiper_dev.engine import Driver, VirtualClock

T0 = 1_700_000_000_000
RULES = [
    "SELECT demo.k AS k, count(*) AS n FROM demo INNER JOIN demo2 ON demo.k = demo2.k "
    "GROUP BY demo.k, TUMBLINGWINDOW(ss, 1)",
    "SELECT demo.v AS a, demo2.v AS b, demo2.k AS k FROM demo INNER JOIN demo2 ON (demo2.k = demo.k) "
    "GROUP BY COUNTWINDOW(6)",
    "SELECT d.k AS k, e.v AS v FROM demo AS d INNER JOIN demo2 AS e ON d.k = e.k "
    "GROUP BY TUMBLINGWINDOW(ms, 700)",
]
RULES_TYPED = [  # an int column meets a float one: Go compares them as float64
    "SELECT i.k AS k, f.v AS v, count(*) AS n FROM i INNER JOIN f ON f.k = i.k "
    "GROUP BY i.k, f.v, TUMBLINGWINDOW(ss, 1)",
]
STREAMS = [
    'CREATE STREAM demo () WITH (DATASOURCE="demo", FORMAT="json")',
    'CREATE STREAM demo2 () WITH (DATASOURCE="demo2", FORMAT="json")',
    'CREATE STREAM i (k BIGINT, v BIGINT) WITH (DATASOURCE="i", FORMAT="json")',
    'CREATE STREAM f (k FLOAT, v BIGINT) WITH (DATASOURCE="f", FORMAT="json")',
]

# one kind of key per window is what a hash join takes; a mix is the pairwise join's
KEYS = {
    "text": st.one_of(st.none(), st.sampled_from(["a", "b", ""])),
    "int": st.one_of(st.none(), st.integers(min_value=-2, max_value=2)),
    "number": st.sampled_from([0, 1, 0.0, -0.0, 1.0, 2.5, 2**53, 2**53 + 1, float(2**53)]),
    "bool": st.one_of(st.none(), st.booleans()),
    "any": st.one_of(
        st.none(), st.sampled_from(["a", 1, 1.0, True, 2**53 + 1]), st.just([1]), st.just({})
    ),
}


@st.composite
def feeds(draw: st.DrawFn, streams: tuple[str, str]) -> dict[str, list[Message]]:
    """Both streams' messages, in order of arrival, keys mostly of one kind."""
    out: dict[str, list[Message]] = {}
    for stream in streams:
        keys = KEYS[draw(st.sampled_from(sorted(KEYS)))]
        row = st.fixed_dictionaries({}, optional={"k": keys, "v": st.integers(-5, 5)})
        ts = T0
        messages = []
        for obj in draw(st.lists(row, max_size=10)):
            ts += draw(st.integers(min_value=0, max_value=600))
            messages.append(Message(stream, orjson.dumps(obj), ts))
        out[stream] = messages
    return out


def outcome(sql: str, feed: dict[str, list[Message]], *, fast: bool) -> tuple[object, ...]:
    ws = Workspace(plugins_dir=None, fast_paths=fast)
    for ddl in STREAMS:
        ws.create_stream(ddl)
    rule = ws.rule(sql, auto_stream=False, start_ms=T0)
    window = rule.plan.window
    assert window is not None and window.collection.join is not None
    assert (window.collection.join.keys is not None) == fast, sql
    driver = Driver(VirtualClock(T0))
    driver.add(rule)
    driver.replay(feed, drain_ms=3000)
    errors = [(e.ts, e.message) for e in rule.result.errors]
    return rule.result.emissions, errors, rule.status()


@pytest.mark.parametrize("sql", RULES)
@settings(max_examples=80, deadline=None)
@given(feed=feeds(("demo", "demo2")))
def test_hash_and_pairwise_joins_agree(sql: str, feed: dict[str, list[Message]]) -> None:
    assert outcome(sql, feed, fast=True) == outcome(sql, feed, fast=False)


@pytest.mark.parametrize("sql", RULES_TYPED)
@settings(max_examples=80, deadline=None)
@given(feed=feeds(("i", "f")))
@example(  # 2**53 + 1 meets 2**53 as an int (unequal) and as a float (equal)
    feed={
        "i": [Message("i", b'{"k":9007199254740993}', T0)],
        "f": [Message("f", b'{"k":9007199254740992.0}', T0 + 1)],
    }
)
def test_typed_hash_and_pairwise_joins_agree(sql: str, feed: dict[str, list[Message]]) -> None:
    assert outcome(sql, feed, fast=True) == outcome(sql, feed, fast=False)
