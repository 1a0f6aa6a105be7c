"""The bench harness measures what it says: kuiper_dev and its peers do the same job.

No timing is asserted (DESIGN.md: speed is measured by ``make bench``, never by
timed tests). These tests check that each kuiper_dev job and its bare loop give the
same number of emissions over one small file, that the data is seeded and cached,
and that results.json is built as issue 15 describes, with pending scenarios kept.
"""

from __future__ import annotations

import doctest
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest

from bench import __main__ as cli
from bench import child, data, jobs, notebooks, peers, portable, publisher, suite
from kuiper_dev import Workspace
from kuiper_dev.connectors.mqtt._wire import ChunkedSocket

N = 3_000  # about 45 s of traffic: several 10 s windows, many 1 s ones

STABLE = [
    "filter", "window", "window_event", "sliding", "join", "builtins3", "plugin_inprocess",
    "plugin_portable_us", "mqtt_e2e", "mqtt_latency_p99_us", "replay", "hot_reload_ms",
    "trace_overhead", "rss_1m", "rss_4m", "filter_bytewax", "window_event_bytewax",
    "plugin_portable_source", "notebooks_nbval_s",
]  # fmt: skip


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test makes its files in its own folder, never in the shared cache."""
    monkeypatch.setenv("KUIPER_BENCH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_data_is_seeded_ordered_and_cached(cache: Path) -> None:
    path = data.jsonl_file(N)
    first = path.read_bytes()
    assert path.parent == cache
    assert data.jsonl_file(N).stat().st_mtime_ns == path.stat().st_mtime_ns  # not remade
    path.unlink()
    assert data.jsonl_file(N).read_bytes() == first  # the same seed makes the same file
    rows = [json.loads(line) for line in first.splitlines()]
    assert len({r["deviceId"] for r in rows}) == data.DEVICES
    assert all(0 <= r["temperature"] <= 100 for r in rows)
    gaps = [b["ts"] - a["ts"] for a, b in zip(rows, rows[1:], strict=False)]
    assert min(gaps) >= 1 and max(gaps) <= 19
    assert 0.4 < sum(r["temperature"] > 50 for r in rows) / N < 0.6  # about half pass


def test_messages_carry_the_rows_ts_as_arrival_time() -> None:
    path = data.jsonl_file(50)
    got = [(m.ts, json.loads(m.payload)["ts"]) for m in data.messages(path)]
    assert len(got) == 50 and all(a == b for a, b in got)


@pytest.mark.parametrize(
    "job", ["filter", "window", "window_event", "sliding", "join", "builtins3", "replay"]
)
def test_kuiper_dev_and_bare_loop_emit_the_same(job: str) -> None:
    path = data.recording_file(N) if job == "replay" else data.jsonl_file(N)
    engine = jobs.JOBS[job](path)()
    bare = peers.BARE[job](path)()
    assert engine == bare
    assert engine > 0


def test_plugin_rule_and_builtin_rule_emit_the_same() -> None:
    path = data.jsonl_file(200)
    assert jobs.JOBS["plugin_inprocess"](path)() == jobs.JOBS["plugin_builtin"](path)() == 200


def test_rss_replay_streams_the_whole_recording() -> None:
    path = data.recording_file(N)
    windows = jobs.JOBS["replay_window"](path)()
    assert windows == peers.BARE["window"](data.jsonl_file(N))()


def test_hot_reload_reports_microseconds_after_checking_each_reload() -> None:
    took = jobs.JOBS["hot_reload"](Path("/dev/null"))()
    assert took > 0


def test_a_child_process_reports_its_result_and_its_own_memory() -> None:
    job = suite.Job("bare", "filter", "jsonl", 500)
    out = suite.run_child(job)
    assert out["result"] == peers.BARE["filter"](data.jsonl_file(500))()
    assert out["seconds"] > 0 and out["cpu_seconds"] >= 0
    assert 1 < out["rss_mb"] < 1_000


def test_a_failing_child_is_reported_with_its_last_error_line() -> None:
    with pytest.raises(RuntimeError, match="KeyError"):
        suite.run_child(suite.Job("bare", "no_such_job", "none", 0))


def test_the_suite_keeps_every_stable_name_and_lists_pending_ones() -> None:
    names = [s.name for s in suite.scenarios(1_000_000)]
    assert set(STABLE) <= set(names)
    assert len(names) == len(set(names))
    pending = {s.name for s in suite.scenarios(1_000_000) if s.job is None}
    assert pending == {"trace_overhead"}
    limits = {s.limit for s in suite.scenarios(10) if s.limit is not None}
    assert limits <= set(names)


def test_summary_takes_medians_and_divides_by_limits_measured_later() -> None:
    filt = suite.Job("kuiper_dev", "filter", "jsonl", 1000)
    bare = suite.Job("bare", "filter", "jsonl", 1000)
    scenarios = [
        suite.Scenario("filter", filt, limit="filter_bare", limit_name="bare", goal=0.8),
        suite.Scenario("filter_bare", bare),
        suite.Scenario("mqtt_e2e", None),
    ]
    samples = {
        filt: suite.Sample([500] * 3, [1.0, 2.0, 4.0], [0.5, 1.0, 2.0], [30.0, 31.0, 35.0]),
        bare: suite.Sample([500] * 3, [0.5, 0.5, 1.0], [0.5, 0.5, 1.0], [12.0, 12.0, 12.0]),
    }
    rows = {r["name"]: r for r in suite.summarise(scenarios, samples)}
    assert rows["filter"]["value"] == 500.0  # median of 1000, 500, 250 msg/s
    assert (rows["filter"]["min"], rows["filter"]["max"]) == (250.0, 1000.0)
    assert rows["filter"]["limit"] == 2000.0
    assert rows["filter"]["ratio"] == 0.25 and rows["filter"]["met"] is False
    assert rows["filter"]["rss_mb"] == 31.0 and rows["filter"]["cpu_value"] == 1000.0
    assert rows["mqtt_e2e"]["status"] == "pending" and rows["mqtt_e2e"]["value"] is None
    keys = {"name", "value", "unit", "min", "max", "limit", "limit_name", "ratio", "rss_mb"}
    assert all(keys <= set(r) for r in rows.values())


def test_a_peer_that_cannot_run_is_unavailable_not_dropped() -> None:
    job = suite.Job("bytewax", "filter", "jsonl", 10)
    scenario = suite.Scenario("filter_bytewax", job)
    sample = suite.Sample(error="bytewax filter: bytewax is not installed: run `make bench`")
    (row,) = suite.summarise([scenario], {job: sample})
    assert row["status"] == "unavailable" and "make bench" in row["error"]


def test_peer_goals_and_table_say_whether_each_goal_is_met() -> None:
    rows = [
        {"name": "filter", "value": 230.0}, {"name": "filter_bytewax", "value": 200.0},
        {"name": "window_event", "value": 100.0}, {"name": "window_event_bytewax", "value": None},
    ]  # fmt: skip
    goals = suite.peer_goals(rows)
    assert goals[0]["ratio"] == pytest.approx(1.15) and goals[0]["met"] is True
    assert goals[1]["ratio"] is None and goals[1]["met"] is None
    full = [
        {**r, "unit": "msg/s", "min": None, "max": None, "limit": None, "ratio": None,
         "goal": None, "rss_mb": None, "status": "measured"}
        for r in rows
    ]  # fmt: skip
    text = cli.table(full, goals)
    assert "filter / filter_bytewax: 1.15 (goal 1.15) goal met" in text
    assert "window_event_bytewax" in text.splitlines()[5]


@pytest.mark.parametrize("module", [data, suite, child, cli, publisher])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


def test_the_mqtt_jobs_lose_nothing_through_a_real_broker() -> None:
    # a small run of each side: every message published reaches the rule / the subscriber
    for side in ("kuiper_dev", "bare"):
        out = suite.run_child(suite.Job(side, "mqtt_e2e", "jsonl", 3_000))
        assert out["result"] == 3_000, (side, out)
    # amqtt too (it drops a publisher that asks for no keepalive)
    for side in ("kuiper_dev", "bare"):
        out = suite.run_child(suite.Job(side, "mqtt_e2e_amqtt", "jsonl", 300))
        assert out["result"] == 300, (side, out)


def test_the_publishers_packets_are_what_a_client_parses() -> None:
    # the bench's hand-made PUBLISH packets, read back by the kit's own parser
    lines = [b'{"a":1}', b"x" * 300, b""]
    a, b = socket.socketpair()
    with a, b:
        b.sendall(b"".join(publisher.publish_packet(publisher._text("t/1"), ln) for ln in lines))
        sock = ChunkedSocket(a)
        sock.recv(0)
        got: list[tuple[bytes, bytes, bool]] = []
        assert sock.take_publishes(lambda t, p, r: got.append((t, p, r)) is None, 10) == 3
    assert got == [(b"t/1", ln, False) for ln in lines]
    connect = publisher.connect_packet("c")
    assert connect[0] == 0x10 and connect[1] == len(connect) - 2 and connect.endswith(b"\x00\x01c")


def test_the_portable_call_jobs_give_both_percentiles_of_one_run() -> None:
    for side in ("kuiper_dev", "bare"):
        out = suite.run_child(suite.Job(side, "plugin_portable_calls", "none", 300))
        p50, p99 = out["result"]["p50"], out["result"]["p99"]
        assert 0 < p50 <= p99, (side, out)  # microseconds of a real round trip


@pytest.mark.parametrize(
    "table, job",
    [
        (portable.JOBS, "plugin_portable_source"),
        (portable.JOBS, "plugin_portable_source_host"),
        (portable.BARE, "plugin_portable_source"),
    ],
)
def test_the_portable_source_delivers_every_message_through_the_sdk(
    table: dict[str, Any], job: str
) -> None:
    assert table[job](Path("/dev/null"), 2_000)() == 2_000
    left = [p for p in Path("/tmp").glob(f"*bench{os.getpid()}*.ipc")]
    assert left == []  # the rule's data channel is cleaned up with the run


def test_the_portable_source_rule_sees_the_sdk_rows() -> None:
    plugins = portable._source_plugins(5)
    ws = Workspace(plugins_dir=plugins)
    try:
        ws.create_stream(portable.STREAM)
        result, _run = ws.run_live("SELECT * FROM burst", limit=5, timeout_ms=30_000)
    finally:
        ws.close()
        portable._discard(plugins)
    rows = [r for emission in result.emissions for r in emission]
    assert [r["deviceId"] for r in rows] == ["d000", "d001", "d002", "d003", "d004"]
    assert rows[1] == {"deviceId": "d001", "temperature": 0.37, "ts": 1_700_000_000_001}


def test_hot_reload_through_the_magic_checks_each_reload_in_a_real_shell() -> None:
    out = suite.run_child(suite.Job("kuiper_dev", "hot_reload_cell", "none", 3))
    assert out["result"] > 0  # microseconds; the job raises if a reload is not in effect


def test_nbval_runs_a_notebook_folder_with_the_projects_options(tmp_path: Path) -> None:
    cell = nbformat.v4.new_code_cell("print(6 * 7)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nbformat.write(nb, tmp_path / "one.ipynb")
    assert notebooks.run_nbval(tmp_path) == 1  # collected and checked: --nbval from addopts


def test_the_fork_server_runs_each_job_in_a_process_of_its_own() -> None:
    job = suite.Job("bare", "filter", "jsonl", 500)
    env = {**os.environ, "PYTHONPATH": suite._pythonpath()}
    with child.ForkServer(suite.ROOT, env) as server:
        runs = [server.run(suite._argv(job)) for _ in range(2)]
        failed = server.run(suite._argv(suite.Job("bare", "no_such_job", "none", 0)))
        runs.append(server.run(suite._argv(job)))  # a failed run leaves the server serving
    assert failed["returncode"] != 0 and "KeyError" in failed["stderr"]
    outs = [suite._parsed(job, **run) for run in runs]
    expected = peers.BARE["filter"](data.jsonl_file(500))()
    assert [out["result"] for out in outs] == [expected] * 3
    assert 1 < outs[0]["rss_mb"] < 1_000


def test_a_forked_run_past_its_time_is_killed_and_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(child, "main", lambda _argv: time.sleep(30) or 0)
    started = time.monotonic()
    out = child.forked(["bare", "filter", "x"], timeout=0.5)
    assert out["returncode"] != 0 and "no result within 0.5 s" in out["stderr"]
    assert time.monotonic() - started < 10


def test_a_forked_run_reports_its_exit_text_and_code() -> None:
    out = child.forked(["nobody", "filter", "x"], timeout=30)
    assert out["returncode"] == 1 and "unknown side 'nobody'" in out["stderr"]


def test_quick_sizes_are_smaller_and_keep_every_scenario() -> None:
    full, quick = suite.scenarios(1_000_000), suite.scenarios(100_000, quick=True)
    assert [s.name for s in full] == [s.name for s in quick]
    by_full = {s.name: s for s in full}
    for s in quick:
        if s.job is not None and by_full[s.name].job is not None:
            assert s.job.messages <= by_full[s.name].job.messages, s.name  # type: ignore[union-attr]
    sizes = suite.Sizes(100_000, quick=True)
    assert sizes.mqtt_latency < suite.Sizes(100_000).mqtt_latency
    assert sizes.rss == (25_000, 100_000)


def test_quick_measure_skips_full_only_jobs_and_lists_them(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    def fake(job: suite.Job) -> dict[str, object]:
        ran.append(job.job)
        return {"result": 7, "seconds": 2.0, "cpu_seconds": 1.0, "rss_mb": 30.0}

    monkeypatch.setattr(suite, "run_child", fake)
    nb = suite.Scenario("notebooks_nbval_s", suite.Job("kuiper_dev", "notebooks_nbval", "none", 0),
                        unit="s", full_only=True)  # fmt: skip
    idle = suite.Scenario("rss_idle", suite.Job("kuiper_dev", "idle", "none", 0), unit="MiB")
    samples = suite.measure([nb, idle], 1, log=lambda _t: None, quick=True)
    assert ran == ["idle"]
    rows = {r["name"]: r for r in suite.summarise([nb, idle], samples)}
    assert rows["notebooks_nbval_s"]["status"] == "skipped"
    assert "make bench" in rows["notebooks_nbval_s"]["error"]
    samples = suite.measure([nb], 1, log=lambda _t: None)
    (row,) = suite.summarise([nb], samples)
    assert row["value"] == 2.0 and row["unit"] == "s" and row["results"] == 7


def test_two_scenarios_read_two_keys_of_one_run() -> None:
    job = suite.Job("kuiper_dev", "plugin_portable_calls", "none", 100)
    pair = [
        suite.Scenario("p50", job, unit="us", pick="p50"),
        suite.Scenario("p99", job, unit="us", pick="p99"),
    ]
    sample = suite.Sample([{"p50": 100, "p99": 900}, {"p50": 120, "p99": 700}],
                          [1.0, 1.0], [1.0, 1.0], [40.0, 41.0])  # fmt: skip
    rows = {r["name"]: r for r in suite.summarise(pair, {job: sample})}
    assert rows["p50"]["value"] == 110 and rows["p99"]["value"] == 800
    assert (rows["p99"]["min"], rows["p99"]["max"]) == (700, 900)


def test_only_runs_the_named_scenarios_and_their_limits() -> None:
    chosen = cli.only(suite.scenarios(1_000), ["plugin_portable_source"])
    names = ["plugin_portable_source", "plugin_portable_source_bare"]
    assert [s.name for s in chosen] == names
    with pytest.raises(SystemExit, match="no scenario nope"):
        cli.only(suite.scenarios(1_000), ["nope"])
