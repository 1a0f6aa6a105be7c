"""``python -m bench [--quick] [--messages N] [--repeat R] [--out FILE]``: run the
suite, print one table, write the results as JSON (default ``bench/results.json``)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from .suite import ROOT, machine, measure, peer_goals, scenarios, summarise

FULL_N, QUICK_N = 1_000_000, 100_000


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and unit in ("ratio", ""):
        return f"{value:.2f}"
    if unit == "msg/s":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def table(rows: list[dict[str, Any]], goals: list[dict[str, Any]]) -> str:
    """The printed summary: one line per scenario, then the peer goals."""
    head = (
        f"{'scenario':22s} {'value':>12s} {'unit':6s} {'min':>12s} {'max':>12s} "
        f"{'limit':>12s} {'ratio':>6s} {'goal':>6s} {'rss MiB':>8s}  status"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        status = r["status"]
        if "met" in r:
            status = "goal met" if r["met"] else "goal missed"
        u = r["unit"]
        lines.append(
            f"{r['name']:22s} {_fmt(r['value'], u):>12s} {u:6s} {_fmt(r['min'], u):>12s} "
            f"{_fmt(r['max'], u):>12s} {_fmt(r['limit'], u):>12s} {_fmt(r['ratio']):>6s} "
            f"{_fmt(r['goal']):>6s} {_fmt(r['rss_mb'], 'MiB'):>8s}  {status}"
        )
    for g in goals:
        met = "-" if g["met"] is None else ("goal met" if g["met"] else "goal missed")
        lines.append(
            f"{g['scenario']} / {g['against']}: {_fmt(g['ratio'])} (goal {g['goal']:.2f}) {met}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_N:,} messages, one run")
    parser.add_argument("--messages", type=int, help="messages per job (default 1,000,000)")
    parser.add_argument("--repeat", type=int, help="runs per job; the median is reported")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    n = args.messages or (QUICK_N if args.quick else FULL_N)
    repeat = args.repeat or (1 if args.quick else 3)
    suite = scenarios(n)
    started = time.perf_counter()
    print(f"kuiper_dev bench: {n:,} messages, {repeat} run(s) per job", file=sys.stderr)
    samples = measure(suite, repeat, log=lambda text: print(text, file=sys.stderr))
    rows = summarise(suite, samples)
    goals = peer_goals(rows)
    report = {"machine": machine(), "n": n, "repeat": repeat, "scenarios": rows, "goals": goals}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(rows, goals))
    print(f"({time.perf_counter() - started:.0f} s; written to {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
