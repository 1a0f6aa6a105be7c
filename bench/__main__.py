"""``python -m bench [--quick] [--messages N] [--repeat R] [--fork | --fresh]
[--only NAME ...] [--out FILE]``: run the suite, print one table, write the results
as JSON (default ``bench/results.json``)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from .suite import ROOT, Scenario, machine, measure, peer_goals, scenarios, summarise

FULL_N, QUICK_N = 1_000_000, 100_000


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and unit in ("ratio", ""):
        return f"{value:.2f}"
    if unit == "msg/s":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _count(n: Any) -> str:
    """A row's size: how many messages (calls, reloads) its runs took.

    >>> _count(100_000), _count(2_000), _count(None), _count(0)
    ('100k', '2,000', '-', '-')
    """
    if not n:
        return "-"
    return f"{n // 1000}k" if n >= 10_000 and n % 1000 == 0 else f"{n:,}"


def table(rows: list[dict[str, Any]], goals: list[dict[str, Any]]) -> str:
    """The printed summary: one line per scenario, then the peer goals."""
    head = (
        f"{'scenario':28s} {'value':>12s} {'unit':6s} {'min':>12s} {'max':>12s} "
        f"{'limit':>12s} {'ratio':>6s} {'goal':>6s} {'rss MiB':>8s} {'messages':>9s}  status"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        status = r["status"]
        if "met" in r:
            status = "goal met" if r["met"] else "goal missed"
        u = r["unit"]
        lines.append(
            f"{r['name']:28s} {_fmt(r['value'], u):>12s} {u:6s} {_fmt(r['min'], u):>12s} "
            f"{_fmt(r['max'], u):>12s} {_fmt(r['limit'], u):>12s} {_fmt(r['ratio']):>6s} "
            f"{_fmt(r['goal']):>6s} {_fmt(r['rss_mb'], 'MiB'):>8s} "
            f"{_count(r.get('messages')):>9s}  {status}"
        )
    for g in goals:
        met = "-" if g["met"] is None else ("goal met" if g["met"] else "goal missed")
        lines.append(
            f"{g['scenario']} / {g['against']}: {_fmt(g['ratio'])} (goal {g['goal']:.2f}) {met}"
        )
    return "\n".join(lines)


def only(suite: list[Scenario], names: list[str]) -> list[Scenario]:
    """The scenarios named, with the ones they divide by; unknown names are refused.

    >>> from bench.suite import scenarios
    >>> [s.name for s in only(scenarios(1000), ["rss_4m"])]
    ['rss_idle', 'rss_1m', 'rss_4m']
    """
    by = {s.name: s for s in suite}
    unknown = sorted(set(names) - set(by))
    if unknown:
        raise SystemExit(f"--only: no scenario {', '.join(unknown)}; known: {', '.join(by)}")
    wanted: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            limit = by[name].limit
            if limit is not None:
                todo.append(limit)
    return [s for s in suite if s.name in wanted]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_N:,} messages, one run")
    parser.add_argument("--messages", type=int, help="messages per job (default 1,000,000)")
    parser.add_argument("--repeat", type=int, help="runs per job; the median is reported")
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--fork",
        dest="fork",
        action="store_true",
        default=None,
        help="run each job in a fork of one server (the default with --quick)",
    )
    how.add_argument(
        "--fresh",
        dest="fork",
        action="store_false",
        help="run each job in a fresh interpreter (the default without --quick)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="these scenarios (and the limits they divide by); the rest pending",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    n = args.messages or (QUICK_N if args.quick else FULL_N)
    repeat = args.repeat or (1 if args.quick else 3)
    fork = args.quick if args.fork is None else args.fork
    suite = scenarios(n, quick=args.quick)
    chosen = only(suite, args.only) if args.only else suite
    started = time.perf_counter()
    how_run = "forks of one server" if fork else "fresh interpreters"
    print(f"kuiper_dev bench: {n:,} messages, {repeat} run(s) per job, {how_run}",
          file=sys.stderr)  # fmt: skip
    samples = measure(chosen, repeat, log=lambda text: print(text, file=sys.stderr),
                      quick=args.quick, fork=fork)  # fmt: skip
    rows = summarise(suite, samples)
    goals = peer_goals(rows)
    wall = time.perf_counter() - started
    report = {"machine": machine(), "n": n, "repeat": repeat, "quick": args.quick,
              "runs": "fork" if fork else "fresh", "wall_s": round(wall, 1),
              "scenarios": rows, "goals": goals}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(rows, goals))
    print(f"({wall:.0f} s; written to {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
