"""Payloads that carry their own arrival time: the generated window loop against the
general path, line for line, bad lines included."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuiper_dev import Workspace
from kuiper_dev.engine.fastpath import WindowFastPath

DDL = (
    "CREATE STREAM s (g STRING, t FLOAT, ts BIGINT) "
    'WITH (DATASOURCE="s", FORMAT="json", TIMESTAMP="ts")'
)
FOLDING = "SELECT g, avg(t) AS a, count(*) AS n FROM s GROUP BY g, TUMBLINGWINDOW(ss, 1)"
KEEPING = "SELECT g, collect(t) AS ts_ FROM s WHERE t > 10 GROUP BY g, HOPPINGWINDOW(ss, 2, 1)"

values = st.one_of(
    st.floats(-50, 50, allow_nan=False), st.integers(-50, 50), st.none(), st.text(max_size=2)
)
steps = st.one_of(st.integers(0, 700), st.integers(-300, -1), st.none(), st.just("x"))
lines = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["a", "b"]), values, steps),
        st.sampled_from([b"", b"{not json", b"[1, 2]", b"  "]),
    ),
    max_size=40,
)


def _file(tmp: Path, items: list[object]) -> Path:
    """The lines: ``(g, t, step)`` makes an object whose ``ts`` moves by ``step``."""
    now, out = 1_000, []
    for item in items:
        if isinstance(item, bytes):
            out.append(item)
            continue
        g, t, step = item  # type: ignore[misc]
        row: dict[str, object] = {"g": g, "t": t}
        if isinstance(step, int):
            now += step
            row["ts"] = now
        elif step == "x":
            row["ts"] = "late"
        out.append(orjson.dumps(row))
    path = tmp / "lines.jsonl"
    path.write_bytes(b"\n".join(out) + b"\n")
    return path


def _run(sql: str, path: Path, *, fast: bool) -> tuple[list[object], list[str], int]:
    ws = Workspace(plugins_dir=None, fast_paths=fast)
    ws.create_stream(DDL)
    result = ws.run_jsonl(sql, path, arrival="ts", drain_ms=3_000)
    return result.emissions, [e.message for e in result.errors], result.status.records_in


@pytest.mark.filterwarnings("ignore:.*holds no epoch-ms integer:RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(items=lines, sql=st.sampled_from([FOLDING, KEEPING]))
def test_the_generated_loop_gives_what_the_general_path_gives(
    tmp_path_factory: object, items: list[object], sql: str
) -> None:
    path = _file(tmp_path_factory.mktemp("arrival"), items)  # type: ignore[attr-defined]
    assert _run(sql, path, fast=True) == _run(sql, path, fast=False)


def test_the_window_loop_reads_arrival_from_a_bigint_column_only() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream(DDL)
    fast = ws.rule(FOLDING).plan.window.fast  # type: ignore[union-attr]
    assert isinstance(fast, WindowFastPath)
    assert fast.arrival_loop("ts") is not None
    assert fast.arrival_loop("g") is None  # a STRING column holds no time
    assert fast.arrival_loop("nope") is None


def test_lines_arrive_at_their_own_time_and_never_before_the_previous(tmp_path: Path) -> None:
    path = _file(tmp_path, [("a", 1.0, 0), ("a", 2.0, 900), ("b", 3.0, -500), ("a", 4.0, 700)])
    # ts 1000, 1900, 1400, 2100: 1400 is earlier than the line before, so it arrives
    # with it, at 1900
    emissions, errors, n = _run(FOLDING, path, fast=True)
    assert errors == [] and n == 4
    assert emissions == [  # windows [1000, 2000) and [2000, 3000)
        [{"g": "a", "a": 1.5, "n": 2}, {"g": "b", "a": 3.0, "n": 1}],
        [{"g": "a", "a": 4.0, "n": 1}],
    ]


def test_a_misspelled_arrival_field_is_warned_of_with_the_fix(tmp_path: Path) -> None:
    path = _file(tmp_path, [("a", 1.0, 0), ("a", 2.0, 900)])
    ws = Workspace(plugins_dir=None)
    ws.create_stream(DDL)
    with pytest.warns(RuntimeWarning, match="holds no epoch-ms integer in 'tss'.*arrival="):
        ws.run_jsonl(FOLDING, path, arrival="tss")
