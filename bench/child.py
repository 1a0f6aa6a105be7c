"""One measured run in a process of its own: ``python -m bench.child SIDE JOB PATH``.

Prints one JSON line: the job's result (emission count, or for ``hot_reload`` the
median microseconds of one reload), the seconds the run took (set-up excluded; wall
clock and this process's CPU time) and
the process's peak RSS in MiB (see :func:`peak_rss_mb`). A missing peer library
exits with code 3 and says how to install it.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

MISSING = 3


def main(argv: list[str]) -> int:
    side, job, path = argv[0], argv[1], Path(argv[2])
    try:
        if side == "kuiper_dev":
            from .jobs import JOBS

            run = JOBS[job](path)
        elif side == "bare":
            from .peers import BARE

            run = BARE[job](path)
        elif side == "bytewax":
            from .peers import bytewax_job

            run = bytewax_job(job, path)
        else:
            raise SystemExit(f"unknown side {side!r}: use kuiper_dev, bare or bytewax")
    except ModuleNotFoundError as exc:
        print(
            f"{exc.name} is not installed: run `make bench` or "
            "`pip install -e '.[bench]'` to install the bench's peers",
            file=sys.stderr,
        )
        return MISSING
    started, cpu = time.perf_counter(), time.process_time()
    result = run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    out = {"result": result, "seconds": seconds, "cpu_seconds": cpu, "rss_mb": peak_rss_mb()}
    print(json.dumps(out))
    return 0


def peak_rss_mb() -> float:
    """This process's peak RSS in MiB.

    Linux keeps ``getrusage``'s ``ru_maxrss`` across ``exec``, so a child would
    report at least its parent's peak; ``VmHWM`` belongs to this process image
    alone. Elsewhere ``getrusage`` is the figure.

    >>> 1 < peak_rss_mb() < 100_000
    True
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes there, KiB here
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
