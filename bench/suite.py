"""The scenarios of ``make bench``, how each is measured, and what it is compared to.

A scenario's ``value`` is the median over repeated runs, each run a child process
(``bench.child``) whose peak RSS is its own: a fresh interpreter, or in the quick
suite a fork of one that imported kuiper_dev once (``bench.child.ForkServer``).
``limit`` is the figure it is divided by, measured in the same run: the bare loop
doing the same job by hand, the built-in twin of a plugin rule, or an idle
process's memory. ``goal`` is the ratio
that issue 15 asks for (``None``: no goal yet). Scenario names are stable: other
tools read ``bench/results.json`` by them.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any, Literal

from . import data, mqtt, portable
from .child import ForkServer

Side = Literal["kuiper_dev", "bare", "bytewax"]
Data = Literal["jsonl", "recording", "none"]
ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 900  # one child run; a hung run is killed and reported, never waited on


@dataclass(frozen=True)
class Job:
    """One child run: who runs which job over how many messages of which file
    (``messages`` is also the size of jobs without a file: calls, reloads...).
    Scenarios reading the same Job share its runs."""

    side: Side
    job: str
    data: Data
    messages: int


@dataclass
class Sample:
    """What a job's runs gave: one entry per repeat."""

    results: list[Any] = field(default_factory=list)  # an int, or {"p50": .., "p99": ..}
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A named figure: the job it reads, its unit, and what it is divided by."""

    name: str
    job: Job | None  # None: the feature has not landed; listed as pending
    unit: Literal["msg/s", "ms", "us", "s", "MiB", "ratio"] = "msg/s"
    limit: str | None = None  # the scenario whose value this one is divided by
    limit_name: str | None = None
    goal: float | None = None  # the ratio asked for (value / limit at least this)
    pick: str | None = None  # the key of a job's result object this scenario reads
    full_only: bool = False  # too slow for the quick suite: listed there as skipped


@dataclass(frozen=True)
class Sizes:
    """How many messages (or calls, reloads) each kind of job runs for a suite of ``n``.

    The full suite runs the slow jobs on a tenth of the messages (sliding and join:
    per row in the window, per pair) and caps the live ones; the quick suite cuts
    the live jobs further so that ``make bench-quick`` stays under a minute. Every
    row of results.json says in ``messages`` how many its run took.
    """

    n: int
    quick: bool = False

    @property
    def small(self) -> int:  # sliding and join: see README
        return max(1_000, min(self.n // 10, 100_000))

    @property
    def mqtt_e2e(self) -> int:
        return min(self.n, 20_000 if self.quick else mqtt.E2E_MAX)

    @property
    def mqtt_amqtt(self) -> int:
        return min(self.n, 2_000 if self.quick else mqtt.AMQTT_MAX)

    @property
    def mqtt_latency(self) -> int:  # at 2,000 msg/s: 0.5 s quick, 5 s full
        return 1_000 if self.quick else mqtt.LATENCY_COUNT

    @property
    def portable_calls(self) -> int:
        return 2_000 if self.quick else portable.CALLS

    @property
    def portable_source(self) -> int:
        return min(self.n, 20_000 if self.quick else 100_000)

    @property
    def rss(self) -> tuple[int, int]:  # the recordings of rss_1m and rss_4m
        return (self.n // 4, self.n) if self.quick else (self.n, 4 * self.n)


def scenarios(n: int, quick: bool = False) -> list[Scenario]:
    """The suite for ``n`` messages (``quick``: the sizes of ``make bench-quick``).

    >>> [s.name for s in scenarios(1000) if s.job is None]
    ['trace_overhead']
    >>> [s.name for s in scenarios(1000) if s.full_only]
    ['notebooks_nbval_s']
    """
    size = Sizes(n, quick)
    bare = "bare loop, same job"

    def trio(name: str, kind: Data, count: int, goal: float | None) -> list[Scenario]:
        return [
            Scenario(name, Job("kuiper_dev", name, kind, count), limit=f"{name}_bare",
                     limit_name=bare, goal=goal),
            Scenario(f"{name}_bare", Job("bare", name, kind, count)),
        ]  # fmt: skip

    paho = "bare paho subscriber, same traffic"

    def latency(q: int) -> list[Scenario]:
        name, count = f"mqtt_latency_p{q}", size.mqtt_latency
        return [
            Scenario(f"{name}_us", Job("kuiper_dev", name, "jsonl", count), unit="us",
                     limit=f"{name}_us_bare", limit_name=paho),
            Scenario(f"{name}_us_bare", Job("bare", name, "jsonl", count), unit="us"),
        ]  # fmt: skip

    calls = {side: Job(side, "plugin_portable_calls", "none", size.portable_calls)
             for side in ("kuiper_dev", "bare")}  # fmt: skip
    pynng_host = "a bare pynng host, same plugin and calls"
    burst = {side: Job(side, "plugin_portable_source", "none", size.portable_source)
             for side in ("kuiper_dev", "bare")}  # fmt: skip
    e2e, amqtt = size.mqtt_e2e, size.mqtt_amqtt
    rss_1m, rss_4m = size.rss
    out = [
        *trio("filter", "jsonl", n, 0.80),
        Scenario("filter_bytewax", Job("bytewax", "filter", "jsonl", n), limit="filter_bare",
                 limit_name=bare),
        *trio("window", "jsonl", n, 0.80),
        *trio("window_event", "jsonl", n, 0.30),
        Scenario("window_event_bytewax", Job("bytewax", "window_event", "jsonl", n),
                 limit="window_event_bare", limit_name=bare),
        *trio("sliding", "jsonl", size.small, 0.15),
        *trio("join", "jsonl", size.small, 0.15),
        *trio("builtins3", "jsonl", n, None),
        Scenario("plugin_inprocess", Job("kuiper_dev", "plugin_inprocess", "jsonl", n),
                 limit="plugin_builtin", limit_name="same rule with a built-in", goal=0.67),
        Scenario("plugin_builtin", Job("kuiper_dev", "plugin_builtin", "jsonl", n)),
        Scenario("plugin_portable_p50_us", calls["kuiper_dev"], unit="us", pick="p50",
                 limit="plugin_portable_p50_us_bare", limit_name=pynng_host),
        Scenario("plugin_portable_p50_us_bare", calls["bare"], unit="us", pick="p50"),
        Scenario("plugin_portable_us", calls["kuiper_dev"], unit="us", pick="p99",
                 limit="plugin_portable_us_bare", limit_name=pynng_host),  # the stable name: p99
        Scenario("plugin_portable_us_bare", calls["bare"], unit="us", pick="p99"),
        Scenario("plugin_portable_source", burst["kuiper_dev"],
                 limit="plugin_portable_source_bare",
                 limit_name="the same SDK source into a bare pynng pull socket"),
        Scenario("plugin_portable_source_host", Job("kuiper_dev", "plugin_portable_source_host",
                 "none", size.portable_source), limit="plugin_portable_source_bare",
                 limit_name="the same SDK source into a bare pynng pull socket"),
        Scenario("plugin_portable_source_bare", burst["bare"]),
        Scenario("mqtt_e2e", Job("kuiper_dev", "mqtt_e2e", "jsonl", e2e), limit="mqtt_e2e_bare",
                 limit_name=paho),
        Scenario("mqtt_e2e_bare", Job("bare", "mqtt_e2e", "jsonl", e2e)),
        Scenario("mqtt_e2e_amqtt", Job("kuiper_dev", "mqtt_e2e_amqtt", "jsonl", amqtt),
                 limit="mqtt_e2e_amqtt_bare", limit_name=paho),
        Scenario("mqtt_e2e_amqtt_bare", Job("bare", "mqtt_e2e_amqtt", "jsonl", amqtt)),
        *latency(50),
        *latency(99),
        *trio("replay", "recording", n, None),
        Scenario("hot_reload_ms", Job("kuiper_dev", "hot_reload_cell", "none", RELOADS),
                 unit="ms"),
        Scenario("hot_reload_define_ms", Job("kuiper_dev", "hot_reload", "none", RELOADS),
                 unit="ms"),
        Scenario("notebooks_nbval_s", Job("kuiper_dev", "notebooks_nbval", "none", 0), unit="s",
                 full_only=True),
        Scenario("trace_overhead", None, unit="ratio"),
        Scenario("rss_idle", Job("kuiper_dev", "idle", "none", 0), unit="MiB"),
        Scenario("rss_1m", Job("kuiper_dev", "replay_window", "recording", rss_1m), unit="MiB",
                 limit="rss_idle", limit_name="idle kuiper_dev process"),
        Scenario("rss_4m", Job("kuiper_dev", "replay_window", "recording", rss_4m),
                 unit="MiB", limit="rss_1m", limit_name="rss_1m (flat memory: 1.0)"),
    ]  # fmt: skip
    return out


RELOADS = 20  # hot reloads per run (bench.jobs and bench.notebooks do as many)


# Cross-scenario goals of issue 15 that are not a scenario's own limit.
PEER_GOALS: list[tuple[str, str, float]] = [
    ("filter", "filter_bytewax", 1.15),
    ("window_event", "window_event_bytewax", 2.0),
]


def _path(job: Job) -> Path:
    if job.data == "jsonl":
        return data.jsonl_file(job.messages)
    if job.data == "recording":
        return data.recording_file(job.messages)
    return Path(os.devnull)


def _argv(job: Job) -> list[str]:
    return [job.side, job.job, str(_path(job)), str(job.messages)]


def _parsed(job: Job, returncode: int, stdout: str, stderr: str) -> dict[str, Any]:
    if returncode != 0:
        last = (stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"{job.side} {job.job}: {last}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return result


def run_child(job: Job, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``job`` once in a fresh interpreter and return its JSON line; raises
    RuntimeError with the child's stderr when it fails or times out."""
    cmd = [sys.executable, "-m", "bench.child", *_argv(job)]
    env = {**os.environ, **(env or {}), "PYTHONPATH": _pythonpath()}
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{job.side} {job.job}: no result within {TIMEOUT_S} s") from None
    return _parsed(job, proc.returncode, proc.stdout, proc.stderr)


def _pythonpath() -> str:
    parts = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return os.pathsep.join(dict.fromkeys(parts))


def measure(
    suite: list[Scenario],
    repeat: int,
    log: Callable[[str], None] = print,
    *,
    quick: bool = False,
    fork: bool = False,
) -> dict[Job, Sample]:
    """Run every job ``repeat`` times, round-robin so that a noisy spell on the
    machine spreads over all scenarios instead of spoiling one. ``quick`` leaves
    out the full-only jobs; ``fork`` runs each in a fork of one server process."""
    skipped = {s.job for s in suite if quick and s.full_only}
    jobs = [j for j in dict.fromkeys(s.job for s in suite) if j is not None and j not in skipped]
    for job in jobs:  # make the files first, so no run pays for them
        _path(job)
    samples = {job: Sample() for job in jobs}
    server = ForkServer(ROOT, {**os.environ, "PYTHONPATH": _pythonpath()}) if fork else None

    def run(job: Job) -> dict[str, Any]:
        if server is None:
            return run_child(job)
        return _parsed(job, **server.run(_argv(job)))

    try:
        for r in range(repeat):
            for job in jobs:
                sample = samples[job]
                if sample.error is not None:
                    continue
                started = time.perf_counter()
                try:
                    out = run(job)
                except RuntimeError as exc:
                    sample.error = str(exc)
                    log(f"  {job.side} {job.job}: {exc}")
                    continue
                sample.results.append(out["result"])
                sample.seconds.append(float(out["seconds"]))
                sample.cpu_seconds.append(float(out["cpu_seconds"]))
                sample.rss_mb.append(float(out["rss_mb"]))
                took = time.perf_counter() - started
                log(f"  run {r + 1}/{repeat} {job.side:10s} {job.job:22s} "
                    f"{out['seconds']:8.2f} s ({took:.1f} s with set-up)")  # fmt: skip
    finally:
        if server is not None:
            server.close()
    return samples


def _picked(s: Scenario, sample: Sample) -> list[float]:
    """The scenario's own number from each run's result (a key of an object result)."""
    return [float(r[s.pick] if s.pick is not None else r) for r in sample.results]


def _values(s: Scenario, sample: Sample) -> list[float]:
    assert s.job is not None
    if s.unit == "MiB":
        return sample.rss_mb
    if s.unit == "s":  # the run's own time
        return sample.seconds
    if s.unit == "ms":  # hot_reload: the child returns microseconds per reload
        return [r / 1000 for r in _picked(s, sample)]
    if s.unit == "us":  # latencies: the child returns microseconds
        return _picked(s, sample)
    return [s.job.messages / sec for sec in sample.seconds]


def summarise(suite: list[Scenario], samples: dict[Job, Sample]) -> list[dict[str, Any]]:
    """The ``scenarios`` list of results.json, in suite order."""
    rows: dict[str, dict[str, Any]] = {}
    for s in suite:
        row: dict[str, Any] = {
            "name": s.name, "value": None, "unit": s.unit, "min": None, "max": None,
            "limit": None, "limit_name": s.limit_name, "ratio": None, "rss_mb": None,
            "goal": s.goal, "messages": s.job.messages if s.job else None,
            "results": None, "cpu_value": None, "status": "pending",
        }  # fmt: skip
        sample = samples.get(s.job) if s.job is not None else None
        if s.job is not None and sample is None:
            why = "measured by the full `make bench` only" if s.full_only else "not chosen (--only)"
            row.update(status="skipped", error=why)
        elif sample is not None and sample.error is not None and not sample.results:
            row.update(status="unavailable", error=sample.error)
        elif sample is not None and sample.results:
            values = _values(s, sample)
            results = [r if s.pick is None else r[s.pick] for r in sample.results]
            row.update(
                value=median(values), min=min(values), max=max(values),
                rss_mb=median(sample.rss_mb), results=median(results), status="measured",
            )  # fmt: skip
            if s.unit == "msg/s" and s.job is not None and all(sample.cpu_seconds):
                row["cpu_value"] = median(s.job.messages / c for c in sample.cpu_seconds)
        rows[s.name] = row
    for s in suite:  # limits may come later in the suite: divide once all are known
        row = rows[s.name]
        if s.limit is not None:
            limit = rows[s.limit]["value"]
            row["limit"] = limit
            if limit and row["value"] is not None:
                row["ratio"] = row["value"] / limit
        if s.goal is not None and row["ratio"] is not None:
            row["met"] = row["ratio"] >= s.goal
    return list(rows.values())


def peer_goals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """kuiper_dev's rate over bytewax's on the same job, against issue 15's goal."""
    by = {r["name"]: r for r in rows}
    out = []
    for mine, peer, goal in PEER_GOALS:
        a, b = by[mine]["value"], by[peer]["value"]
        ratio = a / b if a and b else None
        met = None if ratio is None else ratio >= goal
        out.append({"scenario": mine, "against": peer, "goal": goal, "ratio": ratio, "met": met})
    return out


def machine() -> dict[str, Any]:
    """What the figures were measured on: they mean little without it."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        commit = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg": list(os.getloadavg()),
        "commit": commit,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
